"""Rows as a person sees them: totals, counts, notes, page footers and the header again
are passed over with a warning naming the row; a row with fewer values than the header
is refused (E-FIELDS); intd's own placeholders are never a value (E-PLACEHOLDER); and the
rejected-rows file round-trips. Real CSV files (Python's csv), real workbooks (openpyxl),
real SQLite, the CLI."""

from __future__ import annotations

import csv
import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, write_csv
from intdrammen.ids import FNR_HIDDEN, make_fnr
from intdrammen.importers.rows import not_data

pytestmark = pytest.mark.usefixtures("both_parse_paths")

FNR = make_fnr(date(1990, 5, 17), 123) or ""
FNR2 = make_fnr(date(1984, 1, 2), 456) or ""
HEADER = PARTICIPANT_HEADER  # participant_id, national_id, birth_year, gender, country, ...
W = len(HEADER)


def row(**at: object) -> list[object]:
    cells: list[object] = [""] * W
    for key, value in at.items():
        cells[int(key.lstrip("_"))] = value
    return cells


def person(pid: str, country: str = "Syria", **extra: object) -> list[object]:
    cells: list[object] = [pid, "", 1990, "K", country, "3005", "", "", "", "", ""]
    for key, value in extra.items():
        cells[int(key.lstrip("_"))] = value
    return cells


def ids_in(db: Path, table: str = "participants") -> list[str]:
    column = "participant_id" if table == "participants" else "placement_id"
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute(f"SELECT {column} FROM {table} ORDER BY 1")]


def verdict(cells: list[object], previous: object = "P07") -> str | None:
    found = not_data(cells, HEADER, [0], {1}, previous)
    return None if found is None else found[0]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (row(_0="Totalt"), "W-TOTAL-ROW"),
        (row(_0="Total"), "W-TOTAL-ROW"),
        (row(_0="SUM:"), "W-TOTAL-ROW"),
        (row(_0="Summa", _2=8), "W-TOTAL-ROW"),
        (row(_0="I alt", _5="8"), "W-TOTAL-ROW"),
        (row(_4="Drammen i alt", _0=8), "W-TOTAL-ROW"),
        (row(_0="Antall: 8"), "W-TOTAL-ROW"),
        (["Antall deltakere 8"], "W-TOTAL-ROW"),
        (row(_0="Sum 2019"), "W-TOTAL-ROW"),
        (row(_0="Grand total", _2="1 234,5"), "W-TOTAL-ROW"),
        (row(_0="Totalsum", _7="100 %"), "W-TOTAL-ROW"),
        (row(_4="Eritrea Antall", _0=2.0), "W-TOTAL-ROW"),
        (row(_0="Maks", _2=2000), "W-TOTAL-ROW"),
        (row(_0="Totalt 8 deltakere"), "W-TOTAL-ROW"),
        (row(_0="Σ", _2="8"), "W-TOTAL-ROW"),
        (row(_2=8.0, _5=8.0), "W-TOTAL-ROW"),  # =SUBTOTAL values, no id
        (row(_0=8.0), "W-TOTAL-ROW"),  # a count where the ids are text
        (["Kilde: NAV Drammen"], "W-NOTE-ROW"),
        (row(_0="Utskrevet 01.12.2019"), "W-NOTE-ROW"),
        (row(_0="Side 1 av 3"), "W-NOTE-ROW"),
        (row(_0="* foreløpige tall"), "W-NOTE-ROW"),
        (["# eksportert 01.12.2019"], "W-NOTE-ROW"),
        (row(_0="Deltakere"), "W-NOTE-ROW"),  # a one-word title where ids have digits
        (list(HEADER), "W-HEADER-REPEATED"),
        ([h.upper() for h in HEADER[:5]], "W-HEADER-REPEATED"),
        (PLACEMENT_HEADER[:5], "E-HEADER-CHANGED"),  # another table's header
        ([HEADER[4], HEADER[0], HEADER[5]], "E-HEADER-CHANGED"),  # columns in another order
        (row(_0="   ", _3="\u00a0"), ""),  # only spaces: blank to a person
        # Data, whatever its words:
        (person("P-SUM1"), None),
        (person("Sum1"), None),
        (row(_0="P-SUM1"), None),
        (row(_0="P-SUM1", _2=1990), None),
        (person("P09", country="Totalt"), None),  # two texts: a person
        (row(_0="Totalt", _6=date(2019, 1, 1)), None),  # a date is data
        (row(_0="P09", _2=1990), None),
        (row(_0=FNR_HIDDEN), None),  # a .rejected.csv row: E-PLACEHOLDER, not a note
        (row(_4=FNR_HIDDEN, _0="8"), None),
        (row(_0="9", _1=FNR), None),  # a fødselsnummer: a person
        (["P09,12345678901,1990,K,Syria,3005,,,,,"], None),  # commas in a ';' file
        (["P09 12345678901 1990 K Syria 3005"], "W-NOTE-ROW"),
        (row(_5="17.03.2019"), None),  # a date alone is not a count
    ],
)
def test_what_is_not_data(cells: list[object], expected: str | None) -> None:
    assert verdict(cells) == expected


def test_numbers_and_lone_words_are_data_where_the_ids_are_like_them() -> None:
    assert verdict(row(_0="1009"), previous="1008") is None  # numeric ids
    assert verdict(row(_0=1009.0, _2=1990), previous="1008") is None
    assert verdict(row(_0="1009"), previous=None) is None  # nothing to compare with
    assert verdict(row(_0="Ahmed"), previous="Hassan") is None  # ids without digits
    assert verdict(row(_0="Deltakere"), previous=None) is None


def test_totals_notes_and_repeated_headers_are_passed_over_by_name(tmp_path, cli, db):
    path = tmp_path / "sider.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(HEADER)
        out.writerow(person("P01"))
        out.writerow(person("P02", _1=FNR))
        out.writerow(row(_0="Sum Syria", _2=2))  # a subtotal mid-table
        out.writerow(row(_0="Side 1 av 2"))
        out.writerow(row(_0="Deltakere"))
        out.writerow(HEADER)
        out.writerow(person("P03", country="Eritrea"))
        out.writerow(row(_0="Totalt", _2=3))
        handle.write("Kilde: NAV Drammen\r\n")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert ids_in(db) == ["P01", "P02", "P03"]
    out = result.output
    for code, line in [
        ("W-TOTAL-ROW", 4),
        ("W-NOTE-ROW", 5),
        ("W-NOTE-ROW", 6),
        ("W-HEADER-REPEATED", 7),
        ("W-TOTAL-ROW", 9),
        ("W-NOTE-ROW", 10),
    ]:
        # Off a terminal every problem is one line: FILE:ROW:COLUMN: CODE message
        assert any(f"{path.name}:{line}:" in text and code in text for text in out.splitlines()), (
            code,
            line,
        )
    assert FNR not in out
    with sqlite3.connect(db) as conn:
        # Passed-over rows are not data rows: 3 read, 3 stored.
        assert conn.execute("SELECT rows FROM batches").fetchone()[0] == 3


def test_real_rows_with_total_words_in_them_are_data(tmp_path, cli, db):
    p = write_csv(
        tmp_path / "deltakere.csv",
        HEADER,
        [person("P-SUM1"), person("SUM2"), ["P-SUM3", "", "", "", "", "3005", "", "", "", "", ""]],
    )
    pl = write_csv(
        tmp_path / "plasseringer.csv",
        PLACEMENT_HEADER,
        [
            ["PL1", "P-SUM1", "fast jobb", "", "Sum Bygg AS", "01.02.2019", "", "100", ""],
            ["PL2", "SUM2", "kurs", "", "Total Regnskap", "01.03.2019", "", "", "Antall"],
            ["Totalt 1", "P-SUM3", "lærling", "", "", "01.04.2019", "", "", ""],
        ],
    )
    result = cli("import", str(p), str(pl))
    assert result.exit_code == 0, result.output
    assert "W-TOTAL-ROW" not in result.output and "W-NOTE-ROW" not in result.output
    assert ids_in(db) == ["P-SUM1", "P-SUM3", "SUM2"]
    assert ids_in(db, "placements") == ["PL1", "PL2", "Totalt 1"]


def test_numeric_ids_with_nothing_else_are_data(tmp_path, cli, db):
    path = tmp_path / "nummer.csv"
    path.write_text("deltaker_id;fødselsår;kommune\n1001;1990;3005\n1002;;\n1003;1985;\n")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert ids_in(db) == ["1001", "1002", "1003"]
    assert "W-" not in result.output


def test_a_count_under_text_ids_in_a_workbook_is_passed_over(tmp_path, cli, db):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(person("P01"))
    sheet.append(person("P02"))
    sheet.append([2])  # =SUBTOTAL(3;A2:A3) as saved
    sheet.append(["P03"])  # a row of a sheet has every column: not short
    path = tmp_path / "ark.xlsx"
    book.save(path)
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert ids_in(db) == ["P01", "P02", "P03"]
    assert "W-TOTAL-ROW" in result.output and "E-FIELDS" not in result.output


@pytest.mark.parametrize(
    ("line", "values", "column"),
    [
        ("P03,1990,K,Syria,3005,,,,,,", "1 value", "national_id"),  # commas in a ';' file
        ("P03;;1990;K", "4 values", "country"),  # cut short
        ("P03;;1990;K;Syria;3005;;;;", "10 values", "intro_outcome"),  # last one left off
        # Words with a space read as a note, but not when the other delimiter is there
        # as often as in a row.
        ("P03 Syria,,,,,,,,,,", "1 value", "national_id"),
    ],
)
def test_a_row_with_fewer_values_than_the_header_is_refused(
    tmp_path, cli, db, line, values, column
):
    path = tmp_path / "kort.csv"
    lines = [";".join(HEADER), ";".join(map(str, person("P01"))), line]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")
    result = cli("import", str(path))
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert "E-FIELDS" in out and values in out and "header has 11 columns" in out
    assert column in out
    assert not db.exists()


def test_a_short_row_with_a_fodselsnummer_never_shows_it(tmp_path, cli, db):
    path = tmp_path / "komma.csv"
    good = ";".join(map(str, person("P01")))
    path.write_text(f"{';'.join(HEADER)}\n{good}\nP02,{FNR},1990,K\n", encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 1 and "E-FIELDS" in result.output
    assert FNR not in result.output


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (0, FNR_HIDDEN),
        (1, FNR_HIDDEN),
        (4, FNR_HIDDEN),
        (4, f" {FNR_HIDDEN} "),
        (6, FNR_HIDDEN),
        (3, "(not copied)"),
        (2, FNR_HIDDEN),
    ],
)
def test_an_intd_placeholder_is_never_a_value(tmp_path, cli, db, column, value):
    cells = person("P02")
    cells[column] = value
    path = write_csv(tmp_path / "d.csv", HEADER, [person("P01"), cells])
    result = cli("import", str(path))
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert f"d.csv:3:{HEADER[column]}: E-PLACEHOLDER" in out
    assert not db.exists()


def _rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def _problems(rows: list[list[str]]) -> dict[str, list[tuple[str, str]]]:
    """participant id -> [(code, column)] of each row of a .rejected.csv."""
    at = rows[0].index("participant_id")
    found = {}
    for cells in rows[1:]:
        pairs = [p.split(" ", 2)[:2] for p in cells[1].split(" | ")]
        found[cells[at]] = [(code, column) for code, column in pairs]
    return found


def test_rejected_rows_round_trip(tmp_path: Path, cli: Any, db: Path) -> None:
    """Reject -> fix some rows of the .rejected.csv with Python's csv -> import it: the
    fixed rows land, the others are refused again, naming the same cells."""
    path = tmp_path / "deltakere.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(HEADER)
        out.writerow(person("P01", _1=FNR))
        out.writerow(person("P02", _6="31.02.2019"))  # no such date
        out.writerow(person(FNR2))  # a fødselsnummer as participant id
        out.writerow(person("P04", country=f"Syria {FNR2}"))  # ... inside the country
        out.writerow(person("P05", _3="X"))  # gender
        out.writerow(["P06", "", "1990"])  # short
        out.writerow(row(_0="Totalt", _2=6))  # not data: not rejected either
    first = cli("import", "--on-error", "skip", str(path))
    assert first.exit_code == 0, first.output
    assert ids_in(db) == ["P01"]
    rejected = tmp_path / "deltakere.rejected.csv"
    rows = _rows_of(rejected)
    assert FNR not in rejected.read_text("utf-8-sig") and FNR2 not in rejected.read_text(
        "utf-8-sig"
    )
    before = _problems(rows)
    assert [r[0] for r in rows[1:]] == ["3", "4", "5", "6", "7"]
    assert before[FNR_HIDDEN] == [("E-FNR-PLACE", "participant_id")]

    # Fix the date and the country; leave the hidden id, the gender and the short row.
    for cells in rows[1:]:
        if cells[2] == "P02":
            cells[2 + 6] = "28.02.2019"
        if cells[2] == "P04":
            cells[2 + 4] = "Syria"
    with rejected.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)

    refused = cli("import", str(rejected))
    assert refused.exit_code == 1, refused.output
    assert "E-PLACEHOLDER" in refused.output and "E-GENDER" in refused.output
    assert "E-FIELDS" in refused.output and "E-DATE" not in refused.output
    assert ids_in(db) == ["P01"]

    again = cli("import", "--on-error", "skip", str(rejected))
    assert again.exit_code == 0, again.output
    assert ids_in(db) == ["P01", "P02", "P04"]
    with sqlite3.connect(db) as conn:
        got = conn.execute(
            "SELECT settled_date, country FROM participants WHERE participant_id IN "
            "('P02', 'P04') ORDER BY participant_id"
        ).fetchall()
    assert got == [("2019-02-28", "Syria"), (None, "Syria")]
    after = _problems(_rows_of(tmp_path / "deltakere.rejected.rejected.csv"))
    assert set(after) == {FNR_HIDDEN, "P05", "P06"}
    # The same cells named again; the hidden fødselsnummer is now the placeholder.
    assert after[FNR_HIDDEN] == [("E-PLACEHOLDER", "participant_id")]
    assert after["P05"] == before["P05"] and after["P06"] == before["P06"]


def test_blank_looking_rows_are_blank(tmp_path, cli, db):
    path = tmp_path / "tomme.csv"
    lines = [";".join(HEADER), ";".join(map(str, person("P01"))), "   ", " ;\u00a0;;;;;;;;;"]
    lines += [";".join(map(str, person("P02"))), ";" * (W - 1)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert ids_in(db) == ["P01", "P02"]
    assert not re.search(r"\b[WE]-[A-Z]", result.output)


def test_the_header_again_in_other_names_is_the_header(tmp_path, cli, db):
    other = ["deltaker_id", "fødselsnummer", "fødselsår", "kjønn", "land", "kommune"]
    path = write_csv(
        tmp_path / "d.csv", HEADER, [person("P01"), other + [""] * (W - 6), person("P02")]
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "W-HEADER-REPEATED" in result.output
    assert ids_in(db) == ["P01", "P02"]


def test_a_second_table_is_not_read_in_the_first_tables_columns(tmp_path, cli, db):
    path = tmp_path / "to_tabeller.csv"
    lines = [";".join(HEADER), ";".join(map(str, person("P01"))), ""]
    lines += ["landbakgrunn;deltaker_id;kommune", "Syria;P02;3005", "Eritrea;P03;3005"]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "E-HEADER-CHANGED" in out and "row 4" in out and "3 problems" in out
    assert not db.exists()
    skipped = cli("import", "--on-error", "skip", str(path))
    assert skipped.exit_code == 0, skipped.output
    assert ids_in(db) == ["P01"]
    rejected = _rows_of(tmp_path / "to_tabeller.rejected.csv")
    assert [r[0] for r in rejected[1:]] == ["4", "5", "6"]
    # The cells as they were, except what sits in the fødselsnummer column (not copied).
    assert rejected[2][2:5] == ["Syria", "(not copied)", "3005"]
