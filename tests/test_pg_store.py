"""The PostgreSQL store under several processes at once (issue 16): four imports started
together all land with the figures of the same imports run in turn, a reader never
waits for a writer, and an import killed in the middle changes nothing. Real
subprocesses against the session's real server (tests/pg.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import content
from pg import PG_TEMPLATE, PgServer
from test_safety import write_placements

pytestmark = pytest.mark.slow

INTD = [sys.executable, "-m", "intdrammen"]


def env(tmp: Path, db: str) -> dict[str, str]:
    (tmp / "tmpdir").mkdir(exist_ok=True)
    return {
        **os.environ,
        "TMPDIR": str(tmp / "tmpdir"),
        "INTD_DB": db,
        "INTD_KEY_FILE": str(tmp / "cfg" / "key"),
    }


def intd(tmp: Path, db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*INTD, *args], env=env(tmp, db), capture_output=True, text=True, timeout=300
    )


def start(tmp: Path, db: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*INTD, *args],
        env=env(tmp, db),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def figures(tmp: Path, db: str) -> list[Any]:
    """progress and report as data, without the provenance (batch ids and times differ
    between runs by design)."""
    out = []
    for args in (("progress", "--year", "2019"), ("report",)):
        done = intd(tmp, db, *args, "--format", "json")
        assert done.returncode == 0, done.stderr
        value = json.loads(done.stdout)
        value.pop("provenance", None)
        out.append(value)
    return out


def another_database(server: PgServer, name: str) -> str:
    server.psql(f"CREATE DATABASE {name} TEMPLATE {PG_TEMPLATE}")
    return server.url(name)


def holds_write_lock(server: PgServer, dbname: str) -> bool:
    from intdrammen.store.pg_store import WRITE_LOCK

    found = server.psql(
        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
        f"WHERE l.locktype = 'advisory' AND l.granted AND d.datname = '{dbname}' "
        f"AND ((l.classid::bigint << 32) | l.objid::bigint) = {WRITE_LOCK}"
    )
    return found.strip() not in ("", "0")


def wait_for_lock(server: PgServer, dbname: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if holds_write_lock(server, dbname):
            return
        time.sleep(0.02)
    pytest.fail("the import never held the write lock")


def test_four_imports_at_once_all_land_with_the_figures_of_one_after_another(
    pg_server: PgServer, pg_url: str, tmp_path: Path
) -> None:
    files = [
        write_placements(tmp_path / f"office{i}.csv", 3_000 + 500 * i, prefix=f"O{i}-")
        for i in range(4)
    ]
    at_once = [start(tmp_path, pg_url, "import", "--quiet", str(f)) for f in files]
    for process in at_once:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    in_turn = another_database(pg_server, f"intd_turn_{os.getpid()}")
    for f in files:
        done = intd(tmp_path, in_turn, "import", "--quiet", str(f))
        assert done.returncode == 0, done.stderr
    lite = str(tmp_path / "intd.sqlite")
    for f in files:
        assert intd(tmp_path, lite, "import", "--quiet", str(f)).returncode == 0
    assert figures(tmp_path, pg_url) == figures(tmp_path, in_turn) == figures(tmp_path, lite)
    batches = json.loads(intd(tmp_path, pg_url, "imports", "--format", "json").stdout)
    assert sorted(b["id"] for b in batches) == [1, 2, 3, 4]


def test_a_reader_does_not_wait_for_an_import(
    pg_server: PgServer, pg_url: str, tmp_path: Path
) -> None:
    small = write_placements(tmp_path / "small.csv", 200, prefix="S")
    assert intd(tmp_path, pg_url, "import", "--quiet", str(small)).returncode == 0
    before = figures(tmp_path, pg_url)
    big = write_placements(tmp_path / "big.csv", 200_000)
    writer = start(tmp_path, pg_url, "import", "--quiet", str(big))
    try:
        wait_for_lock(pg_server, pg_url.rsplit("/", 1)[1], writer)
        during = figures(tmp_path, pg_url)
        still_writing = holds_write_lock(pg_server, pg_url.rsplit("/", 1)[1])
    finally:
        _out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    assert still_writing, "the import ended before the reader did: make the file bigger"
    assert during == before  # the committed state, not the import's rows


def test_an_import_killed_in_the_middle_changes_nothing(
    pg_server: PgServer, pg_url: str, tmp_path: Path
) -> None:
    small = write_placements(tmp_path / "small.csv", 200, prefix="S")
    assert intd(tmp_path, pg_url, "import", "--quiet", str(small)).returncode == 0
    before = content(pg_url)  # type: ignore[arg-type]
    big = write_placements(tmp_path / "big.csv", 150_000)
    writer = start(tmp_path, pg_url, "import", "--quiet", str(big))
    wait_for_lock(pg_server, pg_url.rsplit("/", 1)[1], writer)
    time.sleep(0.5)  # well into reading and writing
    writer.send_signal(signal.SIGKILL)
    writer.wait(60)
    deadline = time.monotonic() + 30  # the server notices the lost client
    while holds_write_lock(pg_server, pg_url.rsplit("/", 1)[1]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert content(pg_url) == before  # type: ignore[arg-type]
    assert intd(tmp_path, pg_url, "check").returncode == 0
    again = intd(tmp_path, pg_url, "import", "--quiet", str(big))
    assert again.returncode == 0, again.stderr
