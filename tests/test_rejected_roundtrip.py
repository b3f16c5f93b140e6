"""The rejected-rows round trip and --quiet: `--on-error skip` writes FILE.rejected.csv
inside the import's transaction (no file, no import), copies neither fødselsnumre nor
people's names, and the corrected file imports as it is."""

from __future__ import annotations

import csv
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from conftest import write_csv
from intdrammen.ids import make_fnr

HEADER = ["participant_id", "national_id", "Navn", "municipality", "intro_end"]


def fnr(day: int) -> str:
    for individual in range(100, 500):
        found = make_fnr(date(1991, 2, day), individual)
        if found:
            return found
    raise AssertionError


A, B = fnr(3), fnr(4)


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)


def keys(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT participant_id, person_key FROM participants"))


def test_a_rejected_file_that_cannot_be_written_imports_nothing(tmp_path, cli, db):
    path = write_csv(
        tmp_path / "d.csv",
        HEADER,
        [["P1", A, "Kari Nordmann", "3005", ""], ["P2", B, "Ola Nordmann", "3005", "31.02.2019"]],
    )
    (tmp_path / "d.rejected.csv").mkdir()  # where the rejected rows would go
    result = cli("import", "--on-error", "skip", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "E-FILE" in result.output and "nothing was imported" in result.output
    assert not db.exists()


def test_quiet_keeps_the_warnings(tmp_path, cli, db):
    path = write_csv(
        tmp_path / "d.csv", ["participant_id", "municipality"], [["P1", "3005"], ["Totalt", "1"]]
    )
    result = cli("import", "--quiet", str(path))
    assert result.exit_code == 0, result.output
    assert "Imported" not in result.output  # no summary ...
    assert "d.csv:3:participant_id: W-TOTAL-ROW" in result.output  # ... but the warning


def test_names_and_numbers_are_not_copied_and_the_fixed_file_imports_as_it_is(tmp_path, cli, db):
    first = write_csv(
        tmp_path / "d.csv",
        HEADER,
        [["P1", A, "Kari Nordmann", "3005", ""], ["P2", B, "Ola Nordmann", "3005", ""]],
    )
    assert cli("import", str(first)).exit_code == 0
    stored = keys(db)
    # Next month P2's programme end is mistyped: rejected, written with its cells.
    path = write_csv(
        tmp_path / "d_mai.csv",
        HEADER,
        [["P1", A, "Kari Nordmann", "3005", ""], ["P2", B, "Ola Nordmann", "3005", "31.02.2019"]],
    )
    assert cli("import", "--on-error", "skip", str(path)).exit_code == 0
    rejected = tmp_path / "d_mai.rejected.csv"
    rows = rows_of(rejected)
    text = rejected.read_text(encoding="utf-8-sig")
    assert "Nordmann" not in text and B not in text  # no name column, no number
    assert rows[0] == ["row", "problems", "participant_id", "national_id (not copied)",
                       "municipality", "intro_end"]  # fmt: skip
    assert rows[1][2:] == ["P2", "(not copied)", "3005", "31.02.2019"]
    # Fixed only the date: the placeholder is refused, naming the cell.
    rows[1][5] = "28.02.2019"
    write_rows(rejected, rows)
    unfixed = cli("import", str(rejected))
    assert unfixed.exit_code == 1
    assert "d_mai.rejected.csv:2:national_id (not copied): E-PLACEHOLDER" in unfixed.output
    # The cell emptied: the stored number is kept (not an emptied one, E-FNR-CHANGED).
    rows[1][3] = ""
    write_rows(rejected, rows)
    emptied = cli("import", str(rejected))
    assert emptied.exit_code == 0, emptied.output
    assert keys(db) == stored
    with sqlite3.connect(db) as conn:
        (end,) = conn.execute("SELECT intro_end FROM participants WHERE participant_id = 'P2'")
    assert end == ("2019-02-28",)
    # The number typed back in: read as the fødselsnummer, the same person.
    rows[1][3] = B
    rows[1][5] = "27.02.2019"
    write_rows(rejected, rows)
    typed = cli("import", str(rejected))
    assert typed.exit_code == 0, typed.output
    assert keys(db) == stored


def test_the_rejected_rows_of_a_rejected_file_are_not_headed_twice(tmp_path, cli, db):
    path = write_csv(tmp_path / "d.csv", ["participant_id", "intro_end"], [["P1", "31.02.2019"]])
    assert cli("import", "--on-error", "skip", str(path)).exit_code == 0
    again = cli("import", "--on-error", "skip", str(tmp_path / "d.rejected.csv"))
    assert again.exit_code == 0, again.output
    rows = rows_of(tmp_path / "d.rejected.rejected.csv")
    assert rows[0] == ["row", "problems", "participant_id", "intro_end"]
    assert rows[1][2:] == ["P1", "31.02.2019"]


def test_rows_left_out_by_skip_are_named_on_stderr_also_when_quiet(tmp_path, cli, db):
    path = write_csv(
        tmp_path / "d.csv", ["participant_id", "intro_end"], [["P1", "31.02.2019"], ["P2", ""]]
    )
    for quiet in ([], ["--quiet"]):
        result = cli("import", "--on-error", "skip", *quiet, str(path))
        assert result.exit_code == 0, result.output
        assert "d.csv:2:intro_end: E-DATE no such date (31.02.2019)" in result.output
