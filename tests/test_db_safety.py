"""`--db` pointing at something that is not an intd database intd may open.

Every command that opens the database (reading or writing) refuses a folder, a file to
import, a file that is not SQLite, a damaged or truncated database, another
application's SQLite file, a database of a newer intd and one in write-ahead-log mode:
exit 1, one sentence with a stable code, no traceback, and the folder exactly as it was
(the file byte for byte, no -journal, -wal or -shm beside it). The files are made for
real: a real intd database truncated or overwritten, another app's file made with
sqlite3.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from intdrammen.cli import app
from intdrammen.store import SCHEMA_VERSION

OFFICE = Path(__file__).parent / "fixtures" / "office"
BASE = [str(OFFICE / "base_participants.csv"), str(OFFICE / "base_placements.csv")]

COMMANDS: list[tuple[str, ...]] = [
    ("import", *BASE),
    ("import", "--dry-run", *BASE),
    ("imports",),
    ("undo", "1", "--yes"),
    ("check",),
    ("progress", "--year", "2019"),
    ("report",),
    ("explain", "--goal", "id-2016-2020", "--year", "2019"),
]


def run(db: Path, *args: str, **env: str) -> Any:
    return CliRunner().invoke(app, ["--db", str(db), *args], env=env, catch_exceptions=False)


def folder_state(folder: Path) -> dict[str, bytes | str | None]:
    """Every entry of the folder: a file's bytes, a link's target, None for a folder."""
    return {
        p.name: os.readlink(p) if p.is_symlink() else None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.iterdir())
    }


@pytest.fixture(scope="module")
def intd_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real intd database holding the base data (its key is this module's own)."""
    folder = tmp_path_factory.mktemp("real")
    db = folder / "intd.sqlite"
    env = {"INTD_KEY_FILE": str(folder / "key")}
    result = CliRunner().invoke(app, ["--db", str(db), "import", *BASE], env=env)
    assert result.exit_code == 0, result.output
    return db


def _copy(intd_db: Path, target: Path) -> Path:
    shutil.copyfile(intd_db, target)
    return target


def make_folder(folder: Path, intd_db: Path) -> Path:
    (folder / "intd.sqlite").mkdir()
    return folder / "intd.sqlite"


def make_csv(folder: Path, intd_db: Path) -> Path:
    """`intd --db deltakere.csv import ...`: the file to import given as the database."""
    return Path(shutil.copyfile(OFFICE / "base_participants.csv", folder / "deltakere.csv"))


def make_xlsx(folder: Path, intd_db: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["participant_id", "birth_year"])
    book.save(folder / "deltakere.xlsx")
    return folder / "deltakere.xlsx"


def make_random(folder: Path, intd_db: Path) -> Path:
    (folder / "intd.sqlite").write_bytes(bytes(range(256)) * 32)
    return folder / "intd.sqlite"


def make_magic_then_garbage(folder: Path, intd_db: Path) -> Path:
    """Starts like SQLite, then is not: the header is nonsense."""
    (folder / "intd.sqlite").write_bytes(b"SQLite format 3\x00" + b"garbage!" * 1024)
    return folder / "intd.sqlite"


def make_header_only(folder: Path, intd_db: Path) -> Path:
    (folder / "intd.sqlite").write_bytes(intd_db.read_bytes()[:60])
    return folder / "intd.sqlite"


def make_truncated_mid_page(folder: Path, intd_db: Path) -> Path:
    (folder / "intd.sqlite").write_bytes(intd_db.read_bytes()[:3000])
    return folder / "intd.sqlite"


def make_truncated_on_page(folder: Path, intd_db: Path) -> Path:
    """Cut at a page boundary: every page there is whole, but pages are missing."""
    data = intd_db.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    (folder / "intd.sqlite").write_bytes(data[: 3 * page])
    return folder / "intd.sqlite"


def make_other_app(folder: Path, intd_db: Path) -> Path:
    db = folder / "intd.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('handleliste')")
    return db


def make_other_app_versioned(folder: Path, intd_db: Path) -> Path:
    """Another app that keeps its own schema version in user_version, as intd does."""
    db = folder / "app.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE batches (id INTEGER PRIMARY KEY, what TEXT)")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return db


def make_newer(folder: Path, intd_db: Path) -> Path:
    db = _copy(intd_db, folder / "intd.sqlite")
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    return db


def make_wal_mode(folder: Path, intd_db: Path) -> Path:
    """A tool (DB Browser, a script) switched the database to write-ahead-log mode."""
    db = _copy(intd_db, folder / "intd.sqlite")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    assert not Path(f"{db}-wal").exists()
    return db


def make_wal_left_over(folder: Path, intd_db: Path) -> Path:
    """A -wal holding a committed change, left by a program killed before it finished:
    copied while the writer still had the database open."""
    live = _copy(intd_db, folder / "live.sqlite")
    conn = sqlite3.connect(live, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("UPDATE participants SET country = 'Norge'")
    db = folder / "intd.sqlite"
    shutil.copyfile(live, db)
    shutil.copyfile(f"{live}-wal", f"{db}-wal")
    conn.close()
    live.unlink()
    return db


def make_junk_wal(folder: Path, intd_db: Path) -> Path:
    db = _copy(intd_db, folder / "intd.sqlite")
    Path(f"{db}-wal").write_bytes(b"\x00" * 100)
    return db


def make_dangling_link(folder: Path, intd_db: Path) -> Path:
    (folder / "intd.sqlite").symlink_to(folder / "moved" / "intd.sqlite")
    return folder / "intd.sqlite"


def make_device(folder: Path, intd_db: Path) -> Path:
    (folder / "intd.sqlite").symlink_to("/dev/null")
    return folder / "intd.sqlite"


REFUSED: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "folder": (make_folder, "E-DB-NOT-FILE"),
    "dangling-link": (make_dangling_link, "E-DB-NOT-FILE"),
    "device": (make_device, "E-DB-NOT-FILE"),
    "csv": (make_csv, "E-DB-NOT-SQLITE"),
    "xlsx": (make_xlsx, "E-DB-NOT-SQLITE"),
    "random": (make_random, "E-DB-NOT-SQLITE"),
    "magic-then-garbage": (make_magic_then_garbage, "E-DB-DAMAGED"),
    "header-only": (make_header_only, "E-DB-DAMAGED"),
    "truncated-mid-page": (make_truncated_mid_page, "E-DB-DAMAGED"),
    "truncated-on-page": (make_truncated_on_page, "E-DB-DAMAGED"),
    "other-app": (make_other_app, "E-DB-FOREIGN"),
    "other-app-versioned": (make_other_app_versioned, "E-DB-FOREIGN"),
    "newer-intd": (make_newer, "E-DB-NEWER"),
    "wal-mode": (make_wal_mode, "E-DB-WAL"),
    "wal-left-over": (make_wal_left_over, "E-DB-WAL"),
    "junk-wal": (make_junk_wal, "E-DB-WAL"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_every_command_refuses_it_and_leaves_the_folder_as_it_was(
    case: str, tmp_path: Path, intd_db: Path
) -> None:
    make, code = REFUSED[case]
    folder = tmp_path / "data"
    folder.mkdir()
    db = make(folder, intd_db)
    before = folder_state(folder)
    for command in [*COMMANDS, ("demo", "--keep", str(db))]:
        result = run(db, *command, INTD_KEY_FILE=str(tmp_path / "key"))
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output
        assert f"[{code}]" in result.stderr, (command, result.stderr)
        assert str(db) in result.stderr
        assert folder_state(folder) == before, command


def test_the_message_is_one_line_and_a_hint_off_a_terminal(tmp_path: Path) -> None:
    """A real process with stderr to a file: `Error: ...` on one line however long the
    path, then the hint; nothing else."""
    folder = tmp_path / ("a folder with a long name for the exported files " * 2).strip()
    folder.mkdir()
    db = make_csv(folder, Path())
    log = tmp_path / "stderr.log"
    with log.open("w") as handle:
        done = subprocess.run(
            [sys.executable, "-m", "intdrammen", "--db", str(db), "import", BASE[0]],
            stderr=handle,
            stdout=subprocess.PIPE,
            env={**os.environ, "INTD_KEY_FILE": str(tmp_path / "key"), "COLUMNS": "60"},
            timeout=120,
        )
    assert done.returncode == 1
    lines = log.read_text("utf-8").splitlines()
    assert lines == [
        f"Error: {db} is not an intd database, nor any SQLite database: it looks like a "
        "file to import (`intd import deltakere.csv`). It was left as it is. "
        "[E-DB-NOT-SQLITE]",
        "--db names intd's database file; the files to import go after `intd import`. "
        "Point --db at a new or existing intd database.",
    ]
    assert db.read_bytes() == (OFFICE / "base_participants.csv").read_bytes()


def test_another_apps_database_gets_no_intd_tables(tmp_path: Path) -> None:
    db = make_other_app(tmp_path, Path())
    result = run(db, "import", *BASE, INTD_KEY_FILE=str(tmp_path / "key"))
    assert result.exit_code == 1
    assert "another application's SQLite database (tables: notes)" in result.stderr
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    assert names == ["notes"]
    assert not (tmp_path / "key").exists()  # refused before a key was made


def test_a_zero_byte_file_is_an_empty_database_to_fill(tmp_path: Path) -> None:
    """`touch intd.sqlite` then import: the file is filled in place (same inode, the mode
    its owner gave it). Before that, reading it says it is empty; a rejected import
    leaves it at zero bytes with nothing beside it."""
    db = tmp_path / "intd.sqlite"
    db.touch()
    env = {"INTD_KEY_FILE": str(tmp_path / "key")}
    empty = run(db, "progress", "--year", "2019", **env)
    assert empty.exit_code == 1 and "is empty: nothing was imported" in empty.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("participant_id,birth_year\nP1,nineteen\n", "utf-8")
    rejected = run(db, "import", str(bad), **env)
    assert rejected.exit_code == 1 and "E-NUMBER" in rejected.stderr
    assert db.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "intd.sqlite"]
    inode = db.stat().st_ino
    assert run(db, "import", *BASE, **env).exit_code == 0
    assert db.stat().st_ino == inode
    checked = run(db, "check", **env)
    assert checked.exit_code == 0 and "8 participants, 12 placements" in checked.stdout


def test_an_empty_sqlite_database_is_filled_too(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    with sqlite3.connect(db) as conn:  # a header and an empty schema, as `sqlite3 new.db` makes
        conn.execute("CREATE TABLE t (x)")
        conn.execute("DROP TABLE t")
    assert db.stat().st_size > 0
    env = {"INTD_KEY_FILE": str(tmp_path / "key")}
    assert run(db, "import", *BASE, **env).exit_code == 0
    assert run(db, "check", **env).exit_code == 0


def test_a_missing_folder_is_named_and_nothing_is_created(tmp_path: Path) -> None:
    db = tmp_path / "no such folder" / "intd.sqlite"
    env = {"INTD_KEY_FILE": str(tmp_path / "key")}
    written = run(db, "import", *BASE, **env)
    assert written.exit_code == 1 and "does not exist" in written.stderr
    read = run(db, "report", **env)
    assert read.exit_code == 1 and "No database at" in read.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_file_where_a_folder_should_be(tmp_path: Path) -> None:
    """`--db deltakere.csv/intd.sqlite`: the parent is a file; it stays as it is."""
    csv_file = make_csv(tmp_path, Path())
    before = csv_file.read_bytes()
    db = csv_file / "intd.sqlite"
    for command in (("import", *BASE), ("imports",)):
        result = run(db, *command, INTD_KEY_FILE=str(tmp_path / "key"))
        assert result.exit_code == 1 and "Not a directory" in result.stderr, result.output
        assert "Traceback" not in result.output
    assert csv_file.read_bytes() == before


def test_a_write_killed_halfway_is_rolled_back_before_reading(
    tmp_path: Path, intd_db: Path
) -> None:
    """An import killed mid-commit leaves a hot -journal: the next read (which cannot
    roll it back itself) first lets SQLite restore the database, then reads it."""
    db = _copy(intd_db, tmp_path / "intd.sqlite")
    shutil.copy(intd_db.parent / "key", tmp_path / "key")  # keeps its mode 0600
    env = {"INTD_KEY_FILE": str(tmp_path / "key")}
    before = run(db, "report", "--format", "json", **env).stdout
    child = (
        "import os, sqlite3\n"
        f"conn = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
        "conn.execute('PRAGMA cache_size = 1')\n"  # spill pages into the file early
        "conn.execute('BEGIN IMMEDIATE')\n"
        "conn.execute(\"UPDATE participants SET country = 'Norge'\")\n"
        "conn.execute('CREATE TABLE filler (x)')\n"
        "conn.execute('INSERT INTO filler SELECT randomblob(900) FROM placements, "
        "placements, placements')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", child], check=True, timeout=60)
    assert Path(f"{db}-journal").exists()
    after = run(db, "report", "--format", "json", **env)
    assert after.exit_code == 0, after.output
    assert after.stdout == before
    assert not Path(f"{db}-journal").exists()
    checked = run(db, "check", **env)
    assert checked.exit_code == 0, checked.output


def test_damage_inside_the_database_is_one_message(tmp_path: Path, intd_db: Path) -> None:
    """Garbage over the pages after the schema: found only when SQLite reads them."""
    db = _copy(intd_db, tmp_path / "intd.sqlite")
    shutil.copy(intd_db.parent / "key", tmp_path / "key")  # keeps its mode 0600
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[2 * page :] = b"\xa5" * (len(data) - 2 * page)
    db.write_bytes(bytes(data))
    for command in COMMANDS:
        result = run(db, *command, INTD_KEY_FILE=str(tmp_path / "key"))
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output
        assert "E-DB-DAMAGED" in result.stderr or "check failed" in result.stderr, command
        assert db.read_bytes() == bytes(data), command
        assert not Path(f"{db}-journal").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_a_read_only_database_is_read_but_not_written(tmp_path: Path, intd_db: Path) -> None:
    db = _copy(intd_db, tmp_path / "intd.sqlite")
    shutil.copy(intd_db.parent / "key", tmp_path / "key")  # keeps its mode 0600
    before = db.read_bytes()
    db.chmod(0o400)
    env = {"INTD_KEY_FILE": str(tmp_path / "key")}
    try:
        assert run(db, "report", **env).exit_code == 0
        extra = tmp_path / "more.csv"
        extra.write_text(
            "participant_id,birth_year,intro_start\nP99,1990,01.01.2019\n", encoding="utf-8"
        )
        result = run(db, "import", str(extra), **env)
        assert result.exit_code == 1 and "Could not write" in result.stderr
        assert "Traceback" not in result.output
        assert db.read_bytes() == before
    finally:
        db.chmod(0o600)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in a read-only folder")
def test_a_read_only_folder_refuses_a_new_database(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = run(folder / "intd.sqlite", "import", *BASE, INTD_KEY_FILE=str(tmp_path / "k"))
        assert result.exit_code == 1 and "Could not create the database" in result.stderr
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("name", ["kopi #2", "hva?", "100%", "data [kopi]"])
def test_odd_characters_in_the_path_are_part_of_it(
    tmp_path: Path, intd_db: Path, name: str
) -> None:
    """A read opens the file SQLite is given by URI: '#', '?' and '%' must not end or
    change the path (they did: a read created an empty file beside it, and read that)."""
    folder = tmp_path / name
    folder.mkdir()
    db = _copy(intd_db, folder / "intd.sqlite")
    shutil.copy(intd_db.parent / "key", tmp_path / "key")
    env = {"INTD_KEY_FILE": str(tmp_path / "key")}
    checked = run(db, "check", **env)
    assert checked.exit_code == 0, checked.output
    assert "8 participants, 12 placements" in checked.stdout
    imported = run(db, "import", *BASE, **env)  # the same data: nothing changes
    assert imported.exit_code == 0, imported.output
    assert f"Imported into {db}" in imported.stdout and "nothing changed" in imported.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["key", name])
    assert sorted(p.name for p in folder.iterdir()) == ["intd.sqlite"]


def test_a_journal_of_a_write_under_way_is_busy_not_a_traceback(tmp_path: Path) -> None:
    """A -journal beside the database is also there while another program commits: intd
    rolls a hot journal back only where no one holds the file; where a writer does, the
    command waits its busy timeout and says the database is busy (a subprocess: the
    timeout is read when intd starts)."""
    db = tmp_path / "intd.sqlite"
    people = tmp_path / "deltakere.csv"
    people.write_text("participant_id,municipality\nP1,3301\n", encoding="utf-8")
    env = {**os.environ, "INTD_KEY_FILE": str(tmp_path / "key"), "INTD_BUSY_TIMEOUT": "0.2"}

    def intd(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "intdrammen", "--db", str(db), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert intd("import", str(people)).returncode == 0
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")  # as a commit under way holds it
        writer.execute("INSERT INTO meta (name, value) VALUES ('busy-test', 'x')")
        assert Path(f"{db}-journal").exists()
        for args in (["import", str(people)], ["progress", "--year", "2019"]):
            done = intd(*args)
            assert done.returncode == 1, done.stderr
            assert "busy" in done.stderr and "Traceback" not in done.stderr
    finally:
        writer.execute("ROLLBACK")
        writer.close()
