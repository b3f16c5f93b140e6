"""Workbooks read as a person sees them: sheets, error cells, formulas without a value,
merged cells, hidden rows (issue 13). Real files by openpyxl, xlsxwriter and odfpy."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, write_csv
from intdrammen.errors import HINTS, Problem
from intdrammen.importers.columns import Memo, ValueProblem, parse_date, parse_number, text
from intdrammen.importers.tables import read_tables
from intdrammen.importers.workbook_cells import Uncalculated, find_cells, is_error_literal

OFFICE = Path(__file__).parent / "fixtures" / "office"

PEOPLE = [
    ["P1", "", 1990, "K", "Eritrea", "3005", "01.03.2015", "15.01.2016", "", "", ""],
    [
        "P2",
        "",
        1985,
        "M",
        "Syria",
        "3005",
        "20.08.2015",
        "01.09.2015",
        "31.08.2017",
        "fullført",
        "arbeid",
    ],
    ["P3", "", 1995, "K", "Somalia", "3049", "05.02.2016", "01.03.2016", "", "", ""],
]


def score(cells: Any) -> int:
    from intdrammen.importers.columns import score_header

    return score_header(cells)


def _book(path: Path, build: Callable[[Any], None]) -> Path:
    book = openpyxl.Workbook()
    build(book)
    book.save(path)
    return path


def _people_sheet(sheet: Any, rows: list[list[Any]] = PEOPLE) -> None:
    sheet.append(PARTICIPANT_HEADER)
    for row in rows:
        sheet.append([None if v == "" else v for v in row])


def _participants(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT participant_id, municipality, intro_outcome FROM participants ORDER BY 1"
        ).fetchall()


# --- sheets -------------------------------------------------------------------------------


def _with_hidden(path: Path, state: str) -> Path:
    def build(book: Any) -> None:
        book.active.title = "Deltakere"
        _people_sheet(book.active)
        template = book.create_sheet("Mal")
        _people_sheet(template, [["T1", "", 2000, "K", "X", "3049", "", "", "", "", ""]])
        template.sheet_state = state

    return _book(path, build)


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_passed_over_and_named(
    tmp_path: Path, cli: Callable[..., Any], db: Path, state: str
) -> None:
    path = _with_hidden(tmp_path / "hidden.xlsx", state)
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "W-SHEET-HIDDEN" in result.output and "Mal" in result.output
    assert [r[0] for r in _participants(db)] == ["P1", "P2", "P3"]  # no template row T1


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_named_with_sheet_is_imported(
    tmp_path: Path, cli: Callable[..., Any], db: Path, state: str
) -> None:
    path = _with_hidden(tmp_path / "hidden.xlsx", state)
    result = cli("import", str(path), "--sheet", "mal")
    assert result.exit_code == 0, result.output
    assert "W-SHEET-HIDDEN" not in result.output
    assert [r[0] for r in _participants(db)] == ["T1"]


def test_every_sheet_hidden_is_refused_naming_them(tmp_path: Path, cli: Callable[..., Any]) -> None:
    path = tmp_path / "all_hidden.xlsx"
    book = openpyxl.Workbook()
    _people_sheet(book.active)
    book.active.title = "Data"
    book.active.sheet_state = "hidden"
    other = book.create_sheet("Skjult")
    other.append(["x"])
    other.sheet_state = "hidden"
    # openpyxl refuses to save with no visible sheet; a chart-free workbook with all sheets
    # hidden is what Excel prevents too, so the visible one here is empty.
    book.create_sheet("Tom")
    book.active = 2
    book.save(path)
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "'Data'" in result.output and "--sheet" in result.output


def test_note_empty_and_chart_sheets_are_named_as_passed_over() -> None:
    notes: list[Problem] = []
    tables = read_tables(OFFICE / "wb_empty_and_chart_sheet.xlsx", score_header=score, notes=notes)
    assert [t.sheet for t in tables] == ["Deltakere"]
    assert {(p.code, p.sheet) for p in notes} == {
        ("W-SHEET-SKIPPED", "Tom"),
        ("W-SHEET-SKIPPED", "Diagram"),
    }
    assert all(p.hint for p in notes)
    notes = []
    read_tables(OFFICE / "wb_note_sheet.xlsx", score_header=score, notes=notes)
    assert [(p.code, p.sheet) for p in notes] == [("W-SHEET-SKIPPED", "Les meg")]
    assert "no header row" in notes[0].message


def test_ods_hidden_sheet_is_passed_over() -> None:
    notes: list[Problem] = []
    tables = read_tables(OFFICE / "wb_hidden_template_sheet.ods", score_header=score, notes=notes)
    assert [t.sheet for t in tables] == ["Deltakere"]
    assert [(p.code, p.sheet) for p in notes] == [("W-SHEET-HIDDEN", "Mal")]


# --- error cells and formulas without a value --------------------------------------------


@pytest.mark.parametrize(
    "literal",
    [
        "#N/A",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "Err:502",
        "err:504",
        "#I/T",
        "#NV",
        " #n/a ",
    ],
)
def test_text_refuses_a_spreadsheet_error_literal(literal: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        text(literal)
    assert caught.value.code == "E-CELL"
    assert caught.value.code in HINTS


@pytest.mark.parametrize("value", ["#1 Pizza", "#", "Err", "Err:50", "N/A", "#hashtag"])
def test_text_keeps_text_that_only_looks_like_an_error(value: str) -> None:
    assert text(value) == value
    assert not is_error_literal(value)


def test_an_uncalculated_formula_is_refused_by_every_parser() -> None:
    marker = Uncalculated("DATE(2017,8,14)")
    for parser in (text, parse_date, parse_number, Memo(parse_date)):
        with pytest.raises(ValueProblem) as caught:
            parser(marker)
        assert caught.value.code == "E-FORMULA"
    assert "Excel or LibreOffice" in HINTS["E-FORMULA"]


def test_an_uncalculated_formula_is_shown_only_when_it_cannot_hold_personal_data() -> None:
    assert str(Uncalculated("DATE(2017,8,14)")) == "=DATE(2017,8,14)"
    assert str(Uncalculated('="Ola "&"Nordmann"')) == "=…"
    assert str(Uncalculated("=14039010195+0")) == "=…"
    assert str(Uncalculated("=" + "A1+" * 40 + "1")) == "=…"


def test_xlsx_error_cells_reach_the_parsers_as_their_literal(tmp_path: Path) -> None:
    path = tmp_path / "errors.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Deltakere")
    sheet.write_row(0, 0, PARTICIPANT_HEADER)
    sheet.write_row(1, 0, PEOPLE[0])
    sheet.write_formula(1, 5, '=VLOOKUP("x",A:B,2,FALSE)', None, "#N/A")
    sheet.write_formula(1, 10, "=1/0", None, "#DIV/0!")
    # An empty <v></v> without t="str" (Excel marks a calculated "" as text): not a value.
    sheet.write_formula(1, 4, '=""', None, "")
    book.close()
    found = find_cells(path)["Deltakere"]
    assert found.values.pop((1, 4)).__class__ is Uncalculated
    assert found.values == {(1, 5): "#N/A", (1, 10): "#DIV/0!"}
    (table,) = read_tables(path, score_header=score)
    ((row, cells),) = list(table.rows)
    assert row == 2
    assert cells[5] == "#N/A" and cells[10] == "#DIV/0!" and isinstance(cells[4], Uncalculated)


def test_error_cells_are_refused_naming_cell_and_value_in_both_parse_paths(
    tmp_path: Path, cli: Callable[..., Any], db: Path, both_parse_paths: str
) -> None:
    path = tmp_path / "errors.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Deltakere")
    sheet.write_row(0, 0, PARTICIPANT_HEADER)
    for r, person in enumerate(PEOPLE, 1):
        sheet.write_row(r, 0, person)
    sheet.write_formula(2, 4, "=NA()", None, "#N/A")  # country: a free-text column
    sheet.write_formula(3, 6, "=1/0", None, "#DIV/0!")  # settled_date
    book.close()
    result = cli("import", str(path))
    assert result.exit_code == 1, result.output
    assert result.output.count("E-CELL") >= 2
    assert "#N/A" in result.output and "#DIV/0!" in result.output
    assert not db.exists()


def test_a_csv_error_literal_in_a_free_text_column_takes_the_slow_path(
    tmp_path: Path, cli: Callable[..., Any], db: Path
) -> None:
    rows = [list(PEOPLE[0]), list(PEOPLE[1])]
    rows[1][4] = "#N/A"  # country, parsed inline by the compiled fast path
    path = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, rows, delimiter=";")
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "E-CELL" in result.output and "country" in result.output


def test_openpyxl_formula_without_value_is_refused_and_not_echoed_when_unsafe(
    tmp_path: Path, cli: Callable[..., Any], db: Path
) -> None:
    def build(book: Any) -> None:
        sheet = book.active
        sheet.title = "Plasseringer"
        sheet.append(PLACEMENT_HEADER)
        sheet.append(["PL1", "P1", "kurs", None, '=CONCAT("Ola ","Nordmann")', "01.02.2018"])
        sheet.append(["PL2", "P1", "kurs", None, "Kiwi", "=DATE(2018,2,1)"])

    path = _book(tmp_path / "formulas.xlsx", build)
    result = cli("import", str(path), "--on-error", "skip")
    assert result.exit_code == 0, result.output
    assert "Nordmann" not in result.output
    rejected = (tmp_path / "formulas-Plasseringer.rejected.csv").read_text("utf-8-sig")
    assert rejected.count("E-FORMULA") == 2
    assert "Nordmann" not in rejected
    assert "DATE(2018,2,1)" in rejected


# --- merged cells and hidden rows --------------------------------------------------------


def test_a_merged_range_fills_its_rows_and_columns(tmp_path: Path) -> None:
    def build(book: Any) -> None:
        sheet = book.active
        sheet.title = "Deltakere"
        sheet["C3"] = "Deltakere 2019"  # a title over the table, merged over the columns
        sheet.merge_cells("C3:F3")
        for r, line in enumerate([PARTICIPANT_HEADER[:6], *(p[:6] for p in PEOPLE)], 4):
            for c, value in enumerate(line, 3):
                sheet.cell(row=r, column=c).value = value
        sheet.merge_cells("G5:G6")  # country over two rows
        sheet["G5"] = "merknad"
        for cell in ("H5", "H6", "C6", "D6"):
            sheet[cell] = None
        sheet["C5"] = "P1"
        sheet.merge_cells("C5:D6")  # participant id and national id over two rows

    path = _book(tmp_path / "merged.xlsx", build)
    (table,) = read_tables(path, score_header=score)
    assert table.header_row == 4
    rows = dict(table.rows)
    assert rows[5][:2] == ["P1", "P1"] and rows[6][:2] == ["P1", "P1"]
    assert rows[7][0] == "P3"


def test_hidden_rows_are_read_and_named(tmp_path: Path) -> None:
    notes: list[Problem] = []
    (table,) = read_tables(OFFICE / "wb_hidden_rows.xlsx", score_header=score, notes=notes)
    assert len(list(table.rows)) == 8
    ((note,),) = [[p for p in notes if p.code == "W-ROW-HIDDEN"]]
    assert "rows 3, 5-6" in note.message and note.sheet == "Deltakere"


def test_a_merge_across_the_header_is_refused_naming_the_range(cli: Callable[..., Any]) -> None:
    result = cli("import", str(OFFICE / "wb_merged_into_header.xlsx"))
    assert result.exit_code == 1
    assert "E-MERGED" in result.output and "F1:F2" in result.output


def test_find_cells_of_a_plain_workbook_finds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("D")
    sheet.write_row(0, 0, PARTICIPANT_HEADER)
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    for r in range(1, 2001):
        sheet.write_row(r, 0, [f"P{r}", "", 1990, "K", "Eritrea", "3005"])
        sheet.write_datetime(r, 6, datetime(2015, 3, 1), day)
    book.close()
    found = find_cells(path)["D"]
    assert not found.values and not found.merged and not found.hidden_rows


def test_stored_formula_values_are_trusted_unless_a_non_calculating_writer_left_zero() -> None:
    """xlsxwriter flags its files fullCalcOnLoad (Excel recalculates on opening). A value
    the script stored on purpose is what Excel shows again; the 0 xlsxwriter stores when it
    was given none is not, so only that is taken as not calculated. Once Excel has saved
    the file (no flag) its stored values are Excel's own."""
    flagged = find_cells(OFFICE / "wb_formulas_recalculated_on_load.xlsx")["Deltakere"]
    assert flagged.values == {(1, 11): "#N/A"}  # the birth years (=1990 ...) are kept
    saved = find_cells(OFFICE / "wb_formulas_with_values.xlsx")["Deltakere"]
    assert saved.values == {(1, 11): "#N/A"}
    zero = find_cells(OFFICE / "wb_formula_default_zero.xlsx")
    assert any(
        isinstance(v, Uncalculated) for cells in zero.values() for v in cells.values.values()
    )


def test_a_hidden_column_is_read_and_named() -> None:
    notes: list[Problem] = []
    (table,) = read_tables(OFFICE / "wb_hidden_column.xlsx", score_header=score, notes=notes)
    assert [(p.code, p.sheet) for p in notes] == [("W-COLUMN-HIDDEN", "Deltakere")]
    assert "'national_id'" in notes[0].message
    assert len(list(table.rows)) == 8


def _offset_table(path: Path, merge: str) -> Path:
    """The table from C4 on (columns C-H), with one merged range."""

    def build(book: Any) -> None:
        sheet = book.active
        sheet.title = "Deltakere"
        for r, line in enumerate([PARTICIPANT_HEADER[:6], *(p[:6] for p in PEOPLE)], 4):
            for c, value in enumerate(line, 3):
                sheet.cell(row=r, column=c).value = value
        sheet["J3"] = "notat"
        sheet.merge_cells(merge)

    return _book(path, build)


def test_a_merge_across_the_header_of_a_table_not_at_a1_is_refused(tmp_path: Path) -> None:
    from intdrammen.errors import InputFileError

    path = _offset_table(tmp_path / "offset.xlsx", "H4:H5")
    with pytest.raises(InputFileError) as caught:
        read_tables(path, score_header=score)
    assert caught.value.code == "E-MERGED" and "H4:H5" in caught.value.message


def test_a_merge_right_of_the_table_does_not_refuse_it(tmp_path: Path) -> None:
    path = _offset_table(tmp_path / "offset.xlsx", "J3:J6")
    (table,) = read_tables(path, score_header=score)
    assert [n for n, _ in table.rows] == [5, 6, 7]


def test_an_xlsx_with_prefixed_elements_is_searched_too(tmp_path: Path) -> None:
    """Some writers (the .NET Open XML SDK) prefix every element: <x:c r="A2" t="e">."""
    import re
    import zipfile

    plain = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(plain))
    sheet = book.add_worksheet("D")
    sheet.write_row(0, 0, PARTICIPANT_HEADER)
    sheet.write_row(1, 0, PEOPLE[0])
    sheet.write_formula(1, 5, "=NA()", None, "#N/A")
    book.close()
    prefixed = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(prefixed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<(/?)(?=[a-zA-Z])", rb"<\1x:", data)
                data = data.replace(b"<x:worksheet xmlns=", b"<x:worksheet xmlns:x=")
            target.writestr(info, data)
    assert find_cells(prefixed)["D"].values == {(1, 5): "#N/A"}


def test_a_logical_cell_is_refused_not_read_as_python_text(
    tmp_path: Path, cli: Callable[..., Any], db: Path
) -> None:
    def build(book: Any) -> None:
        _people_sheet(book.active, [["P1", "", 1990, "K", True, "3005", "", "", "", "", ""]])

    path = _book(tmp_path / "logical.xlsx", build)
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "E-CELL" in result.output and "TRUE" in result.output
    with pytest.raises(ValueProblem) as caught:
        text(False)
    assert caught.value.code == "E-CELL"


def test_a_column_name_merged_over_columns_is_read_only_while_they_are_empty(
    tmp_path: Path, cli: Callable[..., Any], db: Path
) -> None:
    from intdrammen.errors import InputFileError

    wide = _offset_table(tmp_path / "wide.xlsx", "D4:E4")  # national_id drawn wide over E
    with pytest.raises(InputFileError) as caught:
        (table,) = read_tables(wide, score_header=score)
        list(table.rows)  # E (country) holds values: two columns under one name
    assert caught.value.code == "E-MERGED" and "D4:E4" in caught.value.message

    def build(book: Any) -> None:
        sheet = book.active
        sheet.append([*PARTICIPANT_HEADER[:6], None, "intro_start"])
        for person in PEOPLE:
            sheet.append([*person[:6], None, person[7]])
        sheet.merge_cells("F1:G1")  # municipality drawn over the empty column G

    path = _book(tmp_path / "cosmetic.xlsx", build)
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert [r[1] for r in _participants(db)] == ["3005", "3005", "3049"]


def test_a_refusal_found_while_reading_rows_leaves_no_database(
    tmp_path: Path, cli: Callable[..., Any], db: Path, both_parse_paths: str
) -> None:
    wide = _offset_table(tmp_path / "wide.xlsx", "D4:E4")
    result = cli("import", str(wide))
    assert result.exit_code == 1
    assert "E-MERGED" in result.output and "Traceback" not in result.output
    assert not db.exists()
