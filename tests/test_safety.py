"""An import killed at any moment, two imports at once, and a write that fails for lack
of space: the database is as before or as after, never in between. Real subprocesses."""

from __future__ import annotations

import csv
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

INTD = [sys.executable, "-m", "intdrammen"]


def write_placements(path: Path, rows: int, prefix: str = "PL") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["placement_id", "participant_id", "type", "start_date", "end_date"])
        for i in range(rows):
            year = 2016 + i % 8
            writer.writerow(
                [
                    f"{prefix}{i}",
                    f"D{i % 50_000}",
                    "jobb" if i % 3 else "kurs",
                    f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "",
                ]
            )
    return path


def env_for(tmp: Path, **extra: str) -> dict[str, str]:
    (tmp / "tmpdir").mkdir(exist_ok=True)  # the import's stage folder goes here
    return {
        **os.environ,
        "TMPDIR": str(tmp / "tmpdir"),
        "INTD_DB": str(tmp / "intd.sqlite"),
        "INTD_KEY_FILE": str(tmp / "cfg" / "key"),
        **extra,
    }


def content(db: Path) -> tuple[object, ...]:
    with sqlite3.connect(db) as conn:
        return (
            conn.execute("SELECT COUNT(*), MAX(placement_key) FROM placements").fetchone(),
            conn.execute("SELECT COUNT(*) FROM batches").fetchone(),
        )


def check_ok(tmp: Path) -> None:
    result = subprocess.run(
        [*INTD, "check"], env=env_for(tmp), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def start_import(tmp: Path, *files: Path, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*INTD, "import", "--quiet", *map(str, files)],
        env=env_for(tmp, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_writing(tmp: Path, process: subprocess.Popen[str]) -> None:
    """Until the import holds the write lock (its journal exists), or 20 s."""
    journal = tmp / "intd.sqlite-journal"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists() or any(tmp.glob(".intd.sqlite.*.tmp")):
            time.sleep(0.3)
            return
        time.sleep(0.02)


def test_kill_9_mid_import_leaves_the_database_as_before(tmp_path):
    small = write_placements(tmp_path / "small.csv", 50, prefix="S")
    assert start_import(tmp_path, small).wait(60) == 0
    before = content(tmp_path / "intd.sqlite")
    big = write_placements(tmp_path / "big.csv", 300_000)
    process = start_import(tmp_path, big)
    wait_until_writing(tmp_path, process)
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    check_ok(tmp_path)  # SQLite rolls the hot journal back on open
    assert content(tmp_path / "intd.sqlite") == before
    # The killed import's stage (the rows it read) is removed by the next import.
    assert list((tmp_path / "tmpdir").glob("intd-stage-*"))
    assert start_import(tmp_path, small).wait(60) == 0
    assert not list((tmp_path / "tmpdir").glob("intd-stage-*"))


def test_kill_9_while_creating_leaves_no_database(tmp_path):
    big = write_placements(tmp_path / "big.csv", 300_000)
    process = start_import(tmp_path, big)
    wait_until_writing(tmp_path, process)
    assert process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert not (tmp_path / "intd.sqlite").exists()
    leftovers = list(tmp_path.glob(".intd.sqlite.*"))
    assert leftovers  # the killed import's temporary file
    small = write_placements(tmp_path / "small.csv", 10, prefix="S")
    assert start_import(tmp_path, small).wait(60) == 0
    assert list(tmp_path.glob(".intd.sqlite.*")) == []  # cleaned up by the next import
    check_ok(tmp_path)


def test_second_import_waits_then_runs(tmp_path):
    first = write_placements(tmp_path / "first.csv", 50, prefix="F")
    assert start_import(tmp_path, first).wait(60) == 0
    big = write_placements(tmp_path / "big.csv", 150_000)
    other = write_placements(tmp_path / "other.csv", 20, prefix="O")
    a = start_import(tmp_path, big)
    wait_until_writing(tmp_path, a)
    b = start_import(tmp_path, other)
    assert a.wait(120) == 0
    assert b.wait(120) == 0, b.stderr.read() if b.stderr else ""
    with sqlite3.connect(tmp_path / "intd.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM batches").fetchone()[0] == 3


def test_second_import_fails_clearly_when_the_wait_is_too_long(tmp_path):
    first = write_placements(tmp_path / "first.csv", 50, prefix="F")
    assert start_import(tmp_path, first).wait(60) == 0
    big = write_placements(tmp_path / "big.csv", 150_000)
    other = write_placements(tmp_path / "other.csv", 20, prefix="O")
    a = start_import(tmp_path, big)
    wait_until_writing(tmp_path, a)
    b = start_import(tmp_path, other, INTD_BUSY_TIMEOUT="0.2")
    _out, err = b.communicate(timeout=120)
    assert a.wait(120) == 0
    assert b.returncode == 1
    assert "busy" in err and "Traceback" not in err


def _limit_file_size() -> None:  # runs in the child before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))


def test_a_failed_write_changes_nothing(tmp_path):
    small = write_placements(tmp_path / "small.csv", 50, prefix="S")
    assert start_import(tmp_path, small).wait(60) == 0
    db = tmp_path / "intd.sqlite"
    before = db.read_bytes()
    big = write_placements(tmp_path / "big.csv", 40_000)
    result = subprocess.run(
        [*INTD, "import", str(big)],
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_file_size,
    )
    assert result.returncode == 1, result.stderr
    assert "Could not write" in result.stderr and "Traceback" not in result.stderr
    assert db.read_bytes() == before
    check_ok(tmp_path)
