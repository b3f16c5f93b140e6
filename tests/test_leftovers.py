"""Leftovers of killed imports (a temporary database beside the target, a stage folder in
TMPDIR) are removed by the next import; those of a running import never are, whatever
digits the database's own name holds."""

from __future__ import annotations

import os
import subprocess
import sys

from intdrammen.store.transaction import _remove_stale_temporaries, dead_leftovers


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_database_named_with_digits_keeps_a_running_imports_temporary(tmp_path):
    db = tmp_path / "2019.sqlite"
    running = tmp_path / f".2019.sqlite.{os.getpid()}.abc.tmp"
    killed = tmp_path / f".2019.sqlite.{dead_pid()}.def.tmp"
    journal = tmp_path / f"{killed.name}-journal"
    for path in (running, killed, journal):
        path.write_bytes(b"rows")
    _remove_stale_temporaries(db)
    assert running.exists()
    assert not killed.exists() and not journal.exists()


def test_stage_folders_are_told_by_the_pid_after_the_prefix(tmp_path):
    mine = tmp_path / f"intd-stage-{os.getpid()}-x1"
    gone = tmp_path / f"intd-stage-{dead_pid()}-x2"
    other = tmp_path / "intd-stage-notapid-x3"
    for folder in (mine, gone, other):
        folder.mkdir()
    assert list(dead_leftovers(tmp_path, "intd-stage-", "-")) == [gone]
