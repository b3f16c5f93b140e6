"""Workbook QA follow-ups (issue 13): .xls error cells and hidden rows/columns, LibreOffice's
TRUE/FALSE in .ods, Strict Open XML, cell-bounded formula matching, attribute order in
LibreOffice's xlsx, merges whose covered cells kept content, 1904 workbooks, workbooks
named as another kind. The workbooks are real files by xlsxwriter and LibreOffice
(tests/fixtures/office/make_workbooks2.py); the sheet XML tests use what those write."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from intdrammen.importers.columns import ValueProblem, parse_date, parse_percent, text
from intdrammen.importers.workbook_cells import (
    Serial1904,
    Serial1904Int,
    SheetCells,
    Uncalculated,
    _xlsx_sheet,
    find_cells,
    overlay,
)

OFFICE = Path(__file__).parent / "fixtures" / "office"
PARTICIPANTS = OFFICE / "base_participants.csv"
PLACEMENTS = OFFICE / "base_placements.csv"


def _stored(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def _sheet(cells: str, cols: str = "") -> bytes:
    return (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main">{cols}<sheetData><row r="2">{cells}</row></sheetData>'
        "</worksheet>"
    ).encode()


# --- xlsx sheet XML ---------------------------------------------------------------------


def test_a_formula_without_value_after_one_with_a_value_is_found_at_its_own_cell() -> None:
    data = _sheet('<c r="M2"><f>1+1</f><v>2</v></c><c r="F5"><f>"0625"</f></c>')
    cells = _xlsx_sheet(data)
    assert list(cells.values) == [(4, 5)]
    found = cells.values[(4, 5)]
    assert isinstance(found, Uncalculated)
    assert found.formula == '"0625"'
    assert str(found) == "=…"  # a formula with quoted text is not shown


def test_an_error_cell_match_does_not_run_into_the_next_cell() -> None:
    # a self-closing error cell (no value) next to a number: the number is not the error
    data = _sheet('<c r="A2" t="e"/><c r="B2"><v>5</v></c><c r="C2" t="e"><v>#N/A</v></c>')
    assert _xlsx_sheet(data).values == {(1, 2): "#N/A"}
    # a self-closing cell before a formula without a value
    data = _sheet('<c r="A2" s="1"/><c r="B2"><f>SUM(A1:A2)</f></c>')
    assert list(_xlsx_sheet(data).values) == [(1, 1)]


@pytest.mark.parametrize(
    "col",
    [
        '<col min="2" max="3" hidden="1" width="0"/>',
        '<col collapsed="false" hidden="true" max="3" min="2" width="9.1"/>',
        '<col hidden="true" max="3" style="0" min="2"/>',
    ],
)
def test_hidden_columns_are_found_whatever_the_attribute_order(col: str) -> None:
    cells = _xlsx_sheet(_sheet('<c r="A2"><v>1</v></c>', f"<cols>{col}</cols>"))
    assert cells.hidden_columns == [1, 2]


def test_hidden_rows_are_found_whatever_the_attribute_order() -> None:
    data = (
        b"<worksheet><sheetData>"
        b'<row hidden="true" r="4" spans="1:3"><c r="A4"><v>1</v></c></row>'
        b'<row r="6" hidden="1"><c r="A6"><v>1</v></c></row>'
        b'<row r="7"><c r="A7"><v>1</v></c></row></sheetData></worksheet>'
    )
    assert _xlsx_sheet(data).hidden_rows == [4, 6]


def test_strict_open_xml_is_read_like_transitional() -> None:
    na = find_cells(OFFICE / "wb2_strict_na_municipality.xlsx")
    assert na["Deltakere"].values == {(3, 5): "#N/A"}  # F4, P03's municipality
    hidden = find_cells(OFFICE / "wb2_strict_hidden_column.xlsx")
    assert hidden["Deltakere"].hidden_columns == [1]
    with zipfile.ZipFile(OFFICE / "wb2_strict_hidden_column.xlsx") as archive:
        assert b"http://purl.oclc.org/ooxml/spreadsheetml/main" in archive.read("xl/workbook.xml")


# --- xls ----------------------------------------------------------------------------------


def test_xls_error_cells_are_found_as_their_literal_text() -> None:
    assert find_cells(OFFICE / "wb2_na_municipality.xls")["Deltakere"].values == {(3, 5): "#N/A"}
    assert find_cells(OFFICE / "wb2_div0_outcome.xls")["Deltakere"].values == {(1, 10): "#DIV/0!"}
    assert find_cells(OFFICE / "wb2_value_fte.xls")["Plasseringer"].values == {(1, 7): "#VALUE!"}


def test_xls_hidden_rows_columns_and_merges_are_found() -> None:
    assert find_cells(OFFICE / "wb2_hidden_rows.xls")["Deltakere"].hidden_rows == [4, 6]
    assert find_cells(OFFICE / "wb2_hidden_column.xls")["Deltakere"].hidden_columns == [1]
    merged = find_cells(OFFICE / "wb2_merge_keeps_contents.xls")["Deltakere"]
    assert merged.merged == [(4, 5, 6, 5)]  # F5:F7
    assert not merged.date1904
    assert find_cells(OFFICE / "wb2_1904_general.xls")["Deltakere"].date1904


def test_an_xls_error_cell_is_refused_naming_file_sheet_row_and_column(
    cli: Callable[..., Any], db: Path
) -> None:
    result = cli("import", str(PLACEMENTS), str(OFFICE / "wb2_na_municipality.xls"))
    assert result.exit_code == 1
    assert "wb2_na_municipality.xls:Deltakere:4:municipality: E-CELL" in result.output
    assert "#N/A" in result.output
    assert "Traceback" not in result.output
    assert not db.exists() or _stored(db, "SELECT count(*) FROM participants") == [(0,)]


@pytest.mark.parametrize(
    ("name", "code", "named"),
    [
        ("wb2_hidden_rows.xls", "W-ROW-HIDDEN", "rows 4, 6"),
        ("wb2_hidden_column.xls", "W-COLUMN-HIDDEN", "'national_id'"),
        ("wb2_hidden_template_sheet.xls", "W-SHEET-HIDDEN", "Mal"),
    ],
)
def test_xls_hidden_rows_columns_and_sheets_are_named(
    cli: Callable[..., Any], db: Path, name: str, code: str, named: str
) -> None:
    result = cli("import", str(PLACEMENTS), str(OFFICE / name))
    assert result.exit_code == 0, result.output
    assert code in result.output
    assert named in result.output
    assert _stored(db, "SELECT count(*) FROM participants") == [(8,)]


# --- ods TRUE/FALSE -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown", "row"),
    [("wb2_false_fte.ods", "FALSE", 4), ("wb2_true_fte.ods", "TRUE", 4)],
)
def test_libreoffice_true_false_saved_as_a_number_is_refused(
    cli: Callable[..., Any], name: str, shown: str, row: int
) -> None:
    with zipfile.ZipFile(OFFICE / name) as archive:
        content = archive.read("content.xml")
    # what LibreOffice 7.4 writes: the number, shown as the logical value
    assert f"<text:p>{shown}</text:p>".encode() in content
    assert b'office:value-type="float"' in content
    result = cli("import", str(PARTICIPANTS), str(OFFICE / name))
    assert result.exit_code == 1
    assert f"{name}:Plasseringer:{row}:fte_percent: E-CELL" in result.output
    assert f"logical value {shown}" in result.output


def test_a_plain_logical_cell_in_an_ods_is_refused(cli: Callable[..., Any]) -> None:
    result = cli("import", str(PARTICIPANTS), str(OFFICE / "wb2_logical_fte.ods"))
    assert result.exit_code == 1
    assert "wb2_logical_fte.ods:Plasseringer:3:fte_percent: E-CELL" in result.output


def test_logical_values_are_not_numbers() -> None:
    with pytest.raises(ValueProblem) as caught:
        text(False)
    assert caught.value.code == "E-CELL"


# --- merges whose covered cells kept content ------------------------------------------


def test_overlay_fills_a_merge_over_what_the_covered_cells_hold() -> None:
    rows = [["a", "3005"], ["b", "0403"], ["c", "0403"], ["d", "0625"]]
    cells = SheetCells(merged=[(0, 1, 2, 1)])
    assert [r[1] for r in overlay(rows, 0, 0, cells)] == ["3005", "3005", "3005", "0625"]


@pytest.mark.parametrize("suffix", ["xlsx", "ods", "xls"])
def test_a_merge_whose_covered_cells_kept_content_reads_the_top_left_value(
    cli: Callable[..., Any], db: Path, suffix: str
) -> None:
    name = f"wb2_merge_keeps_contents.{suffix}"
    found = find_cells(OFFICE / name)["Deltakere"]
    assert found.merged == [(4, 5, 6, 5)]
    result = cli("import", str(PLACEMENTS), str(OFFICE / name))
    assert result.exit_code == 0, result.output
    got = _stored(db, "SELECT participant_id, municipality FROM participants ORDER BY 1")
    assert ("P06", "3005") in got and ("P08", "3005") in got
    assert ("P07", "0403") in got  # the one person who really lives in 0403
    assert sum(1 for _, m in got if m == "0403") == 1


# --- 1904 ---------------------------------------------------------------------------------


def test_a_1904_serial_is_read_with_the_1904_epoch_and_a_plain_one_with_1900() -> None:
    assert parse_date(Serial1904(40602)) == date(2015, 3, 1)
    assert parse_date(40602) == date(2011, 2, 28)
    assert parse_date("42064") == date(2015, 3, 1)  # CSV serials stay 1900-based
    assert parse_date(Serial1904Int(40602)) == date(2015, 3, 1)  # an .xls whole number
    assert text(Serial1904(1990)) == text(Serial1904Int(1990)) == "1990"
    # a 1904 workbook's numbers are otherwise what they were: a fraction is a percentage
    assert parse_percent(Serial1904(1.0)) == parse_percent(1.0) == 100
    assert parse_percent(Serial1904Int(1)) == parse_percent(1) == 100  # a whole 1 = 100 %


@pytest.mark.parametrize(
    "name",
    [
        "wb2_1904_general.xlsx",
        "wb2_1904_general.xls",
        "wb2_1904_general.ods",
        "wb2_1904_formatted.xlsx",
        "wb2_1904_formatted.xls",
    ],
)
def test_a_1904_workbook_gives_the_dates_a_person_sees(
    cli: Callable[..., Any], db: Path, name: str
) -> None:
    result = cli("import", str(PLACEMENTS), str(OFFICE / name))
    assert result.exit_code == 0, result.output
    got = _stored(
        db,
        "SELECT settled_date, intro_start, birth_year FROM participants "
        "WHERE participant_id = 'P01'",
    )
    assert got == [("2015-03-01", "2016-01-15", 1990)]


def test_the_1904_flag_of_an_xlsx_is_read(tmp_path: Path) -> None:
    path = tmp_path / "mac.xlsx"
    book = xlsxwriter.Workbook(str(path), {"date_1904": True})
    book.add_worksheet("Deltakere").write_formula(0, 0, "=NA()", None, "#N/A")
    book.close()
    assert find_cells(path)["Deltakere"].date1904
    assert not find_cells(OFFICE / "wb2_lo_hidden_column.xlsx")["Deltakere"].date1904


# --- workbooks named as another kind --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("wb2_ods_named.xlsx", "an ODS (OpenDocument) workbook named .xlsx: rename it to .ods"),
        ("wb2_xls_named.xlsx", "an Excel 97-2003 (.xls) workbook named .xlsx: rename it to .xls"),
        ("wb2_xlsx_named.xls", "an Excel (.xlsx) workbook named .xls: rename it to .xlsx"),
        ("wb2_xlsx_named.ods", "an Excel (.xlsx) workbook named .ods: rename it to .xlsx"),
    ],
)
def test_a_workbook_named_as_another_kind_is_refused_saying_what_it_is(
    cli: Callable[..., Any], name: str, said: str
) -> None:
    result = cli("import", str(PLACEMENTS), str(OFFICE / name))
    assert result.exit_code == 1
    assert "E-FORMAT" in result.output
    assert said in " ".join(result.output.split())
    assert "_rels" not in result.output and "OLE" not in result.output


def test_an_xlsm_and_a_renamed_copy_given_its_right_name_are_read(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    right = tmp_path / "deltakere.ods"
    shutil.copy(OFFICE / "wb2_ods_named.xlsx", right)
    assert cli("import", str(PLACEMENTS), str(right)).exit_code == 0
    macro = tmp_path / "deltakere.xlsm"
    shutil.copy(OFFICE / "wb2_xlsx_named.xls", macro)
    result = cli("import", str(PLACEMENTS), str(macro))
    assert "E-FORMAT" not in result.output
