"""Golden files: the exact bytes a person or a script reads from intd, kept in tests/golden/.

For the small fixed data set in tests/fixtures/golden/ (see make_golden_data.py there) the
output of `progress`, `report`, `explain`, `imports` and of the import itself, in every
format each command offers (table, markdown, csv, json) and in both languages, is compared
byte for byte with `tests/golden/<command>-<variant>.<lang>.<ext>` (what the command writes
to stderr, if it is meant to, with `.stderr.txt`). A change to any output therefore shows
up as a diff of these files in review. After an intended change:

    make golden          # = INTD_UPDATE_GOLDEN=1 pytest tests/test_golden.py

and read the diff before committing it.

What is frozen so that the files are the same on every machine and every day:
- the database is built by importing the fixture from a temporary folder with relative
  file names (the working directory is that folder), so no path appears;
- the import batches' `imported_at` (stamped by the store with the clock) is set to fixed
  times in the SQLite file right after the import, before anything else runs;
- COLUMNS=100, TERM=dumb, NO_COLOR, TZ=Europe/Oslo (with time.tzset), LC_ALL=C.UTF-8.
The import summary itself is recorded from that first import, so it carries no frozen
time: it shows none today, and the no-timestamp test below would catch one.

A format a command does not offer (yet) is an explicit expected refusal (exit 2) in
REFUSED: when it starts to work the test fails and says so, so that the entry is removed
and its golden files written.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from intdrammen.cli import app

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
FIXTURE = HERE / "fixtures" / "golden"
FILES = ("deltakere.csv", "plasseringer.csv")
UPDATE = os.environ.get("INTD_UPDATE_GOLDEN") == "1"

NOT_GOLDEN = {"README.md", ".gitattributes"}
LANGS = ("en", "nb")
FORMATS = ("table", "markdown", "csv", "json")
EXTENSION = {"table": "txt", "markdown": "md", "csv": "csv", "json": "json"}
# The clock of the import, frozen: batch id -> imported_at (Oslo winter time).
FROZEN_IMPORTED_AT = {1: "2022-01-10T09:30:00+01:00", 2: "2022-01-10T09:30:02+01:00"}
ENV = {
    "COLUMNS": "100",
    "LINES": "50",
    "TERM": "dumb",
    "NO_COLOR": "1",
    "TZ": "Europe/Oslo",
    "LC_ALL": "C.UTF-8",
    "LANG": "C.UTF-8",
}
# Set by the machine or CI, they would change what Rich prints.
UNSET = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "COLORTERM")
# Commands that take --lang (all of them here also honour INTD_LANG, which every run gets).
LANG_OPTION = {"progress", "report", "explain", "imports", "import"}


@dataclass(frozen=True)
class Case:
    command: str  # the intd command, and the first part of the golden file name
    variant: str
    args: tuple[str, ...]
    stderr: bool = False  # the command is meant to write to stderr (kept as .stderr.txt)

    @property
    def name(self) -> str:
        return f"{self.command}-{self.variant}"


CASES = (
    Case("progress", "2019", ("--year", "2019")),
    Case("progress", "2019-by-municipality", ("--year", "2019", "--by", "municipality")),
    Case(
        "progress",
        "2019-by-gender-suppress3",
        ("--year", "2019", "--by", "gender", "--suppress", "3"),
    ),
    Case("report", "whole-project", ()),
    Case("report", "drammensregionen", ("--region", "Drammensregionen")),
    Case(
        "report",
        "drammensregionen-by-municipality-suppress3",
        ("--region", "Drammensregionen", "--by", "municipality", "--suppress", "3"),
    ),
    Case(
        "report", "drammensregionen-by-gender", ("--region", "Drammensregionen", "--by", "gender")
    ),
    Case("explain", "id-2016-2020-2019", ("--goal", "id-2016-2020", "--year", "2019")),
    Case("explain", "intro-direct-55-2019", ("--goal", "intro-direct-55", "--year", "2019")),
    Case("explain", "language-2019", ("--language", "--year", "2019")),
    Case("imports", "history", ()),
    # The import itself, into a new database: its summary (stdout) and warnings (stderr).
    Case("import", "summary", FILES, stderr=True),
    Case("import", "dry-run", ("--dry-run", *FILES), stderr=True),
)
# (command, format) refused today -> its exit code. A format a command does not offer is a
# usage error (exit 2). Other engineers are adding formats: when one starts to work this
# test fails; then remove its line here and run `make golden`.
REFUSED = {
    ("imports", "markdown"): 2,  # not a choice of `imports --format`
    ("import", "markdown"): 2,  # `import` has no --format
    ("import", "csv"): 2,
    ("import", "json"): 2,
}
PARAMS = [
    pytest.param(case, fmt, lang, id=f"{case.name}.{lang}.{fmt}")
    for case in CASES
    for fmt in FORMATS
    for lang in LANGS
]


def golden_names(case: Case, fmt: str, lang: str) -> list[str]:
    if (case.command, fmt) in REFUSED:
        return []
    names = [f"{case.name}.{lang}.{EXTENSION[fmt]}"]
    if case.stderr:
        names.append(f"{case.name}.{lang}.stderr.txt")
    return names


def golden_files() -> list[Path]:
    """The golden files on disk (not README.md, nor .gitattributes, which keeps their
    bytes exact)."""
    if not GOLDEN.exists():
        return []
    return sorted(p for p in GOLDEN.iterdir() if p.name not in NOT_GOLDEN)


def expected_files() -> set[str]:
    return {
        n
        for case in CASES
        for fmt in FORMATS
        for lang in LANGS
        for n in golden_names(case, fmt, lang)
    }


def tzset() -> None:
    """Make the process read TZ again (time.tzset is missing on Windows)."""
    if hasattr(time, "tzset"):
        time.tzset()


@contextmanager
def frozen(folder: Path, lang: str) -> Iterator[None]:
    """The working directory, environment and time zone every golden run sees."""
    saved = dict(os.environ)
    cwd = Path.cwd()
    os.environ.update(ENV)
    os.environ["INTD_LANG"] = lang
    os.environ["INTD_KEY_FILE"] = "key"  # relative: inside `folder`
    for name in (*UNSET, "INTD_DB", "INTD_GOALS", "INTD_REGIONS", "INTD_REQUIREMENTS"):
        os.environ.pop(name, None)
    tzset()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved)
        tzset()


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: bytes
    stderr: bytes


def run(folder: Path, lang: str, args: list[str], db: str = "intd.sqlite") -> Run:
    with frozen(folder, lang):
        result = CliRunner().invoke(app, ["--db", db, *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout_bytes, result.stderr_bytes)


def copy_fixture(folder: Path) -> Path:
    for name in FILES:
        shutil.copyfile(FIXTURE / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Per language: a folder with the fixture imported into intd.sqlite, the clock of
    the import frozen."""
    built: dict[str, Path] = {}
    for lang in LANGS:
        folder = tmp_path_factory.mktemp(f"golden-{lang}")
        imported = run(copy_fixture(folder), lang, ["import", *FILES])
        assert imported.exit_code == 0, imported.stdout + imported.stderr
        conn = sqlite3.connect(folder / "intd.sqlite")
        with conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM batches ORDER BY id")]
            assert ids == sorted(FROZEN_IMPORTED_AT), ids
            conn.executemany(
                "UPDATE batches SET imported_at = ? WHERE id = ?",
                [(stamp, batch) for batch, stamp in FROZEN_IMPORTED_AT.items()],
            )
        conn.close()
        built[lang] = folder
    return built


@pytest.fixture(scope="module")
def pg_databases(
    databases: dict[str, Path], pg_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, str]]:
    """Per language: the same import into a PostgreSQL database (issue 16), its clock
    frozen alike; (folder, URL)."""
    from pg import PG_TEMPLATE

    built: dict[str, tuple[Path, str]] = {}
    for lang in LANGS:
        name = f"intd_golden_{lang}_{os.getpid()}"
        pg_server.psql(f"DROP DATABASE IF EXISTS {name}")
        pg_server.psql(f"CREATE DATABASE {name} TEMPLATE {PG_TEMPLATE}")
        url = pg_server.url(name)
        folder = tmp_path_factory.mktemp(f"golden-pg-{lang}")
        imported = run(copy_fixture(folder), lang, ["import", *FILES], db=url)
        assert imported.exit_code == 0, imported.stdout + imported.stderr
        for batch, stamp in FROZEN_IMPORTED_AT.items():
            pg_server.psql(f"UPDATE batches SET imported_at = '{stamp}' WHERE id = {batch}", name)
        built[lang] = (folder, url)
    return built


def args_for(case: Case, fmt: str, lang: str) -> list[str]:
    args = [case.command, *case.args]
    if fmt != "table":  # the table is what a command prints without --format
        args += ["--format", fmt]
    if case.command in LANG_OPTION:
        args += ["--lang", lang]
    return args


def compare(name: str, actual: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        if not path.exists() or path.read_bytes() != actual:
            path.write_bytes(actual)
        return
    if not path.exists():
        pytest.fail(f"tests/golden/{name} is missing: run `make golden` and review the diff")
    expected = path.read_bytes()
    if actual == expected:
        return
    diff = "".join(
        difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(keepends=True),
            actual.decode("utf-8", "replace").splitlines(keepends=True),
            f"tests/golden/{name}",
            "actual output",
        )
    )
    if not diff:  # only bytes the decoding hides (line ends, invalid UTF-8) differ
        diff = f"bytes differ: {expected[:200]!r}... != {actual[:200]!r}..."
    pytest.fail(
        f"output differs from tests/golden/{name}: if the change is intended, "
        f"run `make golden` and review the diff\n{diff}",
        pytrace=False,
    )


@pytest.mark.parametrize(("case", "fmt", "lang"), PARAMS)
def test_golden_output(
    databases: dict[str, Path], tmp_path: Path, case: Case, fmt: str, lang: str
) -> None:
    if case.command == "import":  # the first import of the fixture, into a new database
        result = run(copy_fixture(tmp_path), lang, args_for(case, fmt, lang))
    else:
        result = run(databases[lang], lang, args_for(case, fmt, lang))
    if (case.command, fmt) in REFUSED:
        assert result.exit_code != 0 or not result.stdout, (
            f"`intd {case.command} --format {fmt}` works now: remove it from REFUSED in "
            "tests/test_golden.py and run `make golden`"
        )
        assert result.exit_code == REFUSED[case.command, fmt], (result.exit_code, result.stderr)
        assert not result.stdout
        return
    assert result.exit_code == 0, result.stdout + result.stderr
    compare(f"{case.name}.{lang}.{EXTENSION[fmt]}", result.stdout)
    if case.stderr:
        compare(f"{case.name}.{lang}.stderr.txt", result.stderr)
    else:
        assert result.stderr == b"", (
            f"`intd {' '.join(args_for(case, fmt, lang))}` now writes to stderr: if meant, "
            f"mark its Case stderr=True and run `make golden`\n{result.stderr.decode()}"
        )


@pytest.mark.parametrize(
    ("case", "fmt", "lang"),
    [p for p in PARAMS if p.values[0].command != "import"],  # type: ignore[attr-defined]
)
def test_golden_output_on_postgresql(
    pg_databases: dict[str, tuple[Path, str]], case: Case, fmt: str, lang: str
) -> None:
    """The same bytes from the same files imported into PostgreSQL (issue 16: every
    output the same on both backends). The import's own summary names the database, so
    its cases stay SQLite's."""
    if (case.command, fmt) in REFUSED or UPDATE:
        return
    folder, url = pg_databases[lang]
    result = run(folder, lang, args_for(case, fmt, lang), db=url)
    assert result.exit_code == 0, result.stdout + result.stderr
    compare(f"{case.name}.{lang}.{EXTENSION[fmt]}", result.stdout)
    if case.stderr:
        compare(f"{case.name}.{lang}.stderr.txt", result.stderr)


def test_no_stale_or_missing_golden_files() -> None:
    """The files in tests/golden/ are exactly those the cases produce (with `make golden`,
    files no case produces any more are removed)."""
    on_disk = {p.name for p in golden_files()}
    stale = on_disk - expected_files()
    if UPDATE:
        for name in stale:
            (GOLDEN / name).unlink()
        return
    assert not stale, f"no case produces these any more (run `make golden`): {sorted(stale)}"
    missing = expected_files() - on_disk
    assert not missing, f"run `make golden` and review the diff: missing {sorted(missing)}"


def test_golden_files_carry_no_time_or_path(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Nothing in a golden file depends on when or where the test ran: no date of today
    in any spelling, no clock time of this hour, no temporary folder, no /work or home."""
    today = date.today()
    months_nb = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
                 "september", "oktober", "november", "desember"]  # fmt: skip
    patterns = [
        today.isoformat(),
        f"{today:%d.%m.%Y}",
        f"{today:%d/%m/%Y}",
        f"{today:%m/%d/%Y}",
        f"{today.day}. {months_nb[today.month - 1]} {today.year}",
        f"{today:%B} {today.day}, {today.year}",
        f"{today.day} {today:%B} {today.year}",
    ]
    base = str(tmp_path_factory.getbasetemp())
    forbidden = [base, str(Path(base).resolve()), "/tmp/", "pytest-of-", "/work/", str(HERE)]
    home = str(Path.home())
    if home not in ("/", ""):
        forbidden.append(home + "/")
    files = golden_files()
    assert files, "tests/golden/ is empty: run `make golden`"
    for path in files:
        text = path.read_text(encoding="utf-8")
        for needle in [*patterns, *forbidden]:
            assert needle.lower() not in text.lower(), f"{path.name} contains {needle!r}"
        # An ISO clock time is only allowed if it is one of the frozen ones.
        for stamp in re.findall(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?", text):
            assert any(
                f.startswith(stamp.replace(" ", "T")) for f in FROZEN_IMPORTED_AT.values()
            ), f"{path.name} carries the time {stamp!r}, which is not a frozen one"


def test_fixture_is_what_its_script_writes(tmp_path: Path) -> None:
    """tests/fixtures/golden/*.csv are exactly what make_golden_data.py writes (so the
    script documents the data set), and hold synthetic ids only."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_golden_data", FIXTURE / "make_golden_data.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (FIXTURE / name).read_bytes(), name
    ids = [line.split(",")[0] for line in (FIXTURE / "deltakere.csv").read_text().splitlines()[1:]]
    assert ids == [f"G{n:03d}" for n in range(1, 31)]


def test_golden_files_carry_no_fodselsnummer() -> None:
    """No fødselsnummer of the fixture, nor any 11-digit number, in any output."""
    numbers = {
        line.split(",")[1]
        for line in (FIXTURE / "deltakere.csv").read_text(encoding="utf-8").splitlines()[1:]
    }
    assert len(numbers) == 30 and all(len(n) == 11 for n in numbers)
    for path in golden_files():
        text = path.read_text(encoding="utf-8")
        assert not numbers & set(re.findall(r"\d+", text)), path.name
        assert not re.search(r"(?<![\w.,])\d{11}(?![\w.,])", text), path.name
