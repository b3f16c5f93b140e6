"""Problems and warnings off a terminal: one line each, never wrapped or cut.

When stderr is not a terminal (a log file, a pipe, CI; also CliRunner's streams) every
problem is one line `FILE[:SHEET]:ROW:COLUMN: CODE message (value)`, ROW and COLUMN
empty when the problem has none, then each code's hint once. On a terminal (Rich's
`is_terminal`: a tty, or TTY_COMPATIBLE=1 / FORCE_COLOR=1) the table stays. The
fixtures have long file names and long sheet names on purpose.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from intdrammen.cli import app
from intdrammen.errors import Problem
from intdrammen.ids import FNR_HIDDEN
from intdrammen.render.text import problem_line, problem_lines

OFFICE = Path(__file__).parent / "fixtures" / "office"
BOOK = "Deltakere fra Internasjonale Drammen, eksportert fra fagsystemet 2024-11-30.xlsx"
SHEET = "Deltakere 2024 (fra fagsystem)"
WORKBOOK_LINES = [
    f"{BOOK}:{SHEET}:3:intro_start: E-DATE no such date (32.13.2016)",
    f"{BOOK}:{SHEET}:4:national_id: E-FNR not a valid fødselsnummer: the first six digits "
    "are not a date (ddmmyy, D- or H-number) (hidden)",
    f"{BOOK}:{SHEET}:5:gender: E-GENDER unknown gender (Kvinne\\nmann)",
    f"{BOOK}:{SHEET}:6:municipality: E-MUNICIPALITY unknown municipality name 'Atlantis' "
    "(Atlantis)",
    "E-DATE: Write dates as dd.mm.yyyy (e.g. 31.12.2019) or yyyy-mm-dd.",
    "E-FNR: A fødselsnummer/D-number has 11 digits and valid mod-11 check digits; check for "
    "a typo or leave the cell empty.",
    "E-GENDER: Use K, M, F, kvinne or mann.",
    "E-MUNICIPALITY: Use a 4-digit municipality code (e.g. 3301) or a name as Statistics "
    "Norway writes it; `intd regions show NAME` lists codes.",
    "Error: Import rejected: 4 problems found; the database was not changed.",
]


def base_rows() -> list[list[str]]:
    with (OFFICE / "base_participants.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """The base participants in a workbook with long names, four cells spoiled: a date
    that does not exist, an invalid fødselsnummer, a cell with a line break in it
    (Alt+Enter) and an unknown municipality."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    for row in base_rows():
        sheet.append(row)
    sheet.cell(3, 8).value = "32.13.2016"
    sheet.cell(4, 2).value = "12345678901"
    sheet.cell(5, 4).value = "Kvinne\nmann"
    sheet.cell(6, 6).value = "Atlantis"
    path = tmp_path / BOOK
    book.save(path)
    return path


@pytest.fixture
def warned(tmp_path: Path) -> Path:
    """Base participants that import with warnings: two ids share a fødselsnummer and one
    municipality is 9999 (a warning about many rows: no row of its own)."""
    rows = base_rows()
    rows[2][1] = rows[1][1]
    rows[3][5] = "9999"
    path = tmp_path / "deltakere med samme person og ukjent kommune, eksport 2024.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def run(tmp_path: Path, *args: str, **env: str) -> Any:
    db = tmp_path / "intd.sqlite"
    return CliRunner().invoke(app, ["--db", str(db), *args], env=env, catch_exceptions=False)


def test_a_rejected_import_is_one_line_per_problem(tmp_path: Path, workbook: Path) -> None:
    result = run(tmp_path, "import", str(workbook), COLUMNS="60")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == WORKBOOK_LINES
    assert not (tmp_path / "intd.sqlite").exists()


def test_the_lines_in_a_real_log_file(tmp_path: Path, workbook: Path) -> None:
    """A real process with stderr to a file, as a scheduled job writes its log."""
    log = tmp_path / "import.log"
    db = tmp_path / "intd.sqlite"
    with log.open("w") as handle:
        done = subprocess.run(
            [sys.executable, "-m", "intdrammen", "--db", str(db), "import", str(workbook)],
            stderr=handle,
            stdout=subprocess.PIPE,
            env={**os.environ, "INTD_KEY_FILE": str(tmp_path / "key"), "COLUMNS": "40"},
            timeout=120,
        )
    assert done.returncode == 1
    assert log.read_text("utf-8").splitlines() == WORKBOOK_LINES
    assert "\x1b" not in log.read_text("utf-8")


def test_warnings_of_a_successful_import_are_lines_too(tmp_path: Path, warned: Path) -> None:
    placements = OFFICE / "base_placements.csv"
    result = run(tmp_path, "import", str(warned), str(placements), COLUMNS="60")
    assert result.exit_code == 0, result.output
    name = warned.name
    same = "this fødselsnummer belongs to another participant id too: counted as one person"
    assert result.stderr.splitlines() == [
        f"{name}::municipality: W-MUNICIPALITY-UNKNOWN 1 row has municipality 9999 "
        "(Uoppgitt): counted as unknown municipality",
        f"{name}:2:participant_id: W-SAME-PERSON {same} (P01)",
        f"{name}:3:participant_id: W-SAME-PERSON {same} (P02)",
        "W-MUNICIPALITY-UNKNOWN: Code 9999 (Uoppgitt) is kept as 'unknown municipality'.",
        "W-SAME-PERSON: Two participant ids share one fødselsnummer: counted as one person.",
    ]


def test_the_summary_keeps_whole_file_names_off_a_terminal(tmp_path: Path, warned: Path) -> None:
    """stdout to a pipe: the summary table is as wide as it needs, whatever COLUMNS says."""
    result = run(tmp_path, "import", str(warned), COLUMNS="60")
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if "participants" in line]
    assert len(rows) == 1 and warned.name in rows[0]
    again = run(tmp_path, "import", str(warned), COLUMNS="40")
    assert f"{warned.name}: nothing changed" in again.stdout.splitlines()[-1]


def test_more_problems_than_shown_are_counted_on_a_line(tmp_path: Path) -> None:
    rows = base_rows()
    for row in rows[1:]:
        row[7] = "31.02.2016"
    path = tmp_path / "deltakere.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = run(tmp_path, "import", str(path), "--max-errors", "3")
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        f"deltakere.csv:{n}:intro_start: E-DATE no such date (31.02.2016)" for n in (2, 3, 4)
    ]
    assert lines[3:] == [
        "E-DATE: Write dates as dd.mm.yyyy (e.g. 31.12.2019) or yyyy-mm-dd.",
        "… and 5 more not shown.",
        "Error: Import rejected: 8 problems found; the database was not changed.",
    ]


@pytest.mark.parametrize(
    "env",
    [{"TTY_COMPATIBLE": "1"}, {"FORCE_COLOR": "1"}],
    ids=["TTY_COMPATIBLE=1", "FORCE_COLOR=1"],
)
def test_a_terminal_keeps_the_table(tmp_path: Path, workbook: Path, env: dict[str, str]) -> None:
    result = run(tmp_path, "import", str(workbook), COLUMNS="100", **env)
    assert result.exit_code == 1
    text = result.stderr
    assert "Problems found" in text and "┃" in text and "│" in text
    assert f"{BOOK}:{SHEET}" not in text  # the table, not the lines
    assert "E-DATE" in text and "32.13.2016" in text


def test_tty_compatible_0_asks_for_lines_even_with_colour_forced(
    tmp_path: Path, workbook: Path
) -> None:
    result = run(tmp_path, "import", str(workbook), TTY_COMPATIBLE="0", FORCE_COLOR="1")
    assert result.stderr.splitlines() == WORKBOOK_LINES


def test_one_line_for_every_kind_of_place() -> None:
    assert problem_line(Problem("E-DATE", "no such date", "a.csv", 7, "start", "31.02.2019")) == (
        "a.csv:7:start: E-DATE no such date (31.02.2019)"
    )
    assert problem_line(Problem("E-SHEET", "no data sheet", "b.xlsx", sheet="Ark 1")) == (
        "b.xlsx:Ark 1::: E-SHEET no data sheet"
    )
    assert problem_line(Problem("E-COLUMN", "unknown column", "c.csv", 1, "Løpenr")) == (
        "c.csv:1:Løpenr: E-COLUMN unknown column"
    )
    hidden = Problem("E-FNR-PLACE", "not here", "d.csv", 2, "country", FNR_HIDDEN)
    assert problem_line(hidden) == f"d.csv:2:country: E-FNR-PLACE not here {FNR_HIDDEN}"
    assert problem_line(Problem("E-FNR", "bad", "e.csv", 3, "fnr")) == (
        "e.csv:3:fnr: E-FNR bad (hidden)"
    )
    assert problem_line(Problem("E-NUMBER", "not a number", "f.csv", 4, "fte", "")) == (
        "f.csv:4:fte: E-NUMBER not a number ()"
    )


def test_nothing_in_a_cell_or_a_name_breaks_the_line() -> None:
    tricky = Problem(
        "E-TYPE",
        "unknown type",
        "g\nh.csv",
        5,
        "Type\r\nplass",
        "fast\tjobb\u2028x\x00",
        sheet="Ark\n2",
    )
    line = problem_line(tricky)
    assert line == (
        "g\\nh.csv:Ark\\n2:5:Type\\r\\nplass: E-TYPE unknown type (fast\\tjobb\\u2028x\\x00)"
    )
    assert len(line.splitlines()) == 1


def test_each_hint_once_and_none_for_codes_without_one() -> None:
    problems = [
        Problem("E-DATE", "no such date", "a.csv", 2, "start", "x"),
        Problem("E-DATE", "no such date", "a.csv", 3, "start", "y"),
        Problem("E-NEW-CODE", "a code without a hint", "a.csv", 4),
    ]
    assert problem_lines(problems, 3) == [
        "a.csv:2:start: E-DATE no such date (x)",
        "a.csv:3:start: E-DATE no such date (y)",
        "a.csv:4:: E-NEW-CODE a code without a hint",
        "E-DATE: Write dates as dd.mm.yyyy (e.g. 31.12.2019) or yyyy-mm-dd.",
    ]


TRAPS: list[dict[str, Any]] = tomllib.loads((OFFICE / "traps.toml").read_text("utf-8"))["trap"]
LINE = r"(Error: )?{name}(:[^:\n]+)?:\d*:[^\n]*?: [EW]-[A-Z0-9-]+ \S[^\n]*"


@pytest.mark.parametrize(
    "trap",
    [t for t in TRAPS if t["expect"] == "refused" or "code" in t],
    ids=lambda t: t["file"],
)
def test_every_trap_is_named_whole_on_its_lines(tmp_path: Path, trap: dict[str, Any]) -> None:
    """Every office trap that is refused or warned about, imported with stderr off a
    terminal as narrow as can be: each line about the file is one whole line in the
    format, naming the file in full."""
    result = run(
        tmp_path, "import", str(OFFICE / trap["file"]), *trap.get("args", []), COLUMNS="30"
    )
    name = trap["file"]
    about = [line for line in result.stderr.splitlines() if name in line]
    assert about, result.stderr
    for line in about:
        assert re.fullmatch(LINE.format(name=re.escape(name)), line), line


def test_warnings_on_a_terminal_are_a_table(tmp_path: Path, warned: Path) -> None:
    result = run(tmp_path, "import", str(warned), TTY_COMPATIBLE="1", COLUMNS="120")
    assert result.exit_code == 0
    assert "Warnings" in result.stderr and "┃" in result.stderr
    assert f"{warned.name}:2:participant_id:" not in result.stderr


def test_a_file_that_cannot_be_read_is_a_line_off_a_terminal_and_a_sentence_on_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "Deltakere, eksport fra fagsystemet (kopi).csv"
    path.write_bytes(b"participant_id\x00birth_year\n")
    off = run(tmp_path, "import", str(path), COLUMNS="30")
    assert off.exit_code == 1
    assert off.stderr.splitlines() == [
        f"Error: {path.name}::: E-BINARY the file holds binary data (NUL bytes)",
        "This is not a CSV or spreadsheet file.",
    ]
    on = run(tmp_path, "import", str(path), TTY_COMPATIBLE="1", NO_COLOR="1")
    assert on.exit_code == 1
    assert f"{path.name}: the file holds binary data (NUL bytes) [E-BINARY]" in on.stderr
