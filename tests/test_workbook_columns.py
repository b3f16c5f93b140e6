"""The two ways a workbook sheet is read — fastexcel's Arrow columns (a plain xlsx sheet)
and calamine's rows (every sheet) — give the same import: the same stored rows, the
same output and problems, for workbooks written by openpyxl and xlsxwriter with text,
numbers, dates and date-times, blanks, booleans, error cells, formulas with cached
values, title rows, blank rows and repeated headers."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import PLACEMENT_HEADER
from intdrammen.cli import app
from intdrammen.importers import tables

# Cells per column of PLACEMENT_HEADER: each drawn column is of one kind (the sheet can
# be read as columns) or mixed (it cannot: read from its rows, which must agree).
TEXT = st.sampled_from(["PL1", "D1", "D2", "P-07", "Amina Yusuf", " D3 ", "#N/A", "Totalt"])
KIND = st.sampled_from(["fast jobb", "jobb", "kurs", "lærling", "nonsense", ""])
NUMBER = st.sampled_from([50, 37.5, 100, 0.5, 120, 602, 3005, 1e20, -1, 0])
DAY = st.one_of(
    st.dates(date(1899, 12, 30), date(2031, 12, 31)).map(
        lambda d: datetime(d.year, d.month, d.day)
    ),
    st.sampled_from([datetime(2019, 3, 1, 10, 30), datetime(2019, 3, 1, 0, 0, 1)]),
)
DAY_TEXT = st.sampled_from(["2019-03-01", "01.03.2019", "2019-02-30", "03/01/2019", "#N/A"])
ERROR = st.just(("error", "#DIV/0!"))
FORMULA = st.sampled_from([("formula", "=1+1", 2), ("formula", '="Kiwi"', "Kiwi")])


def cells(*choices: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), *choices)


COLUMNS = [
    [cells(TEXT)],  # placement_id
    [cells(TEXT), cells(TEXT, NUMBER)],  # participant_id
    [cells(KIND), cells(KIND, NUMBER, st.booleans())],  # type
    [cells(st.just("974760673")), cells(st.just(974760673))],  # employer_orgnr
    [cells(TEXT), cells(TEXT, FORMULA, ERROR)],  # employer_name
    [cells(DAY), cells(DAY_TEXT), cells(DAY, DAY_TEXT, NUMBER)],  # start_date
    [cells(DAY), cells(DAY, ERROR)],  # end_date
    [cells(NUMBER), cells(st.sampled_from(["50", "37,5"])), cells(NUMBER, TEXT)],  # fte
    [cells(st.just("NAV")), cells(st.just("NAV"), st.booleans())],  # channel
]


@st.composite
def sheets(draw: st.DrawFn) -> dict[str, Any]:
    kinds = [draw(st.sampled_from(choices)) for choices in COLUMNS]
    rows = draw(
        st.lists(
            st.one_of(
                st.tuples(*kinds).map(list),
                st.tuples(*kinds).map(list),
                st.just([None] * 9),  # a blank row
                st.just(list(PLACEMENT_HEADER)),  # the header again
            ),
            min_size=1,
            max_size=12,
        )
    )
    title = draw(st.sampled_from([None, "Formidlinger 2019"]))
    return {"rows": rows, "title": title, "writer": draw(st.sampled_from(["openpyxl", "xw"]))}


def write(path: Path, sheet: dict[str, Any]) -> None:
    rows = [list(PLACEMENT_HEADER), *sheet["rows"]]
    if sheet["title"]:
        rows = [[sheet["title"]], [], *rows]
    if sheet["writer"] == "openpyxl":
        from openpyxl import Workbook

        book = Workbook()
        ws = book.active
        ws.title = "Formidlinger"
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is None:
                    continue
                if isinstance(value, tuple):  # no cached value: openpyxl does not calculate
                    value = value[1]
                cell = ws.cell(r, c, value)
                if isinstance(value, datetime):
                    cell.number_format = "dd.mm.yyyy" if value.hour == 0 else "yyyy-mm-dd hh:mm"
        book.save(path)
        return
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Formidlinger")
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, tuple) and value[0] == "formula":
                ws.write_formula(r, c, value[1], None, value[2])
            elif isinstance(value, tuple):
                ws.write_formula(r, c, "=1/0", None, value[1])
            elif isinstance(value, datetime):
                ws.write_datetime(r, c, value, day if value.hour == 0 else stamp)
            elif isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write(r, c, value)
    book.close()


def runs(folder: Path, workbook: Path, arrow: bool) -> tuple[int, str, list[tuple[Any, ...]]]:
    folder.mkdir()
    tables.READ_SHEETS_WITH_ARROW = arrow
    try:
        env = {"INTD_KEY_FILE": str(folder / "key"), "COLUMNS": "160"}
        db = folder / "db.sqlite"
        result = CliRunner().invoke(app, ["--db", str(db), "import", str(workbook)], env=env)
    finally:
        tables.READ_SHEETS_WITH_ARROW = True
    rows: list[tuple[Any, ...]] = []
    if db.exists():
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT * FROM placements ORDER BY rowid").fetchall()
    output = result.output.replace(str(folder), "<dir>")
    return result.exit_code, output, rows


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sheet=sheets())
def test_arrow_columns_and_calamine_rows_import_the_same(tmp_path_factory, sheet):
    tmp = tmp_path_factory.mktemp("sheets")
    workbook = tmp / "pl.xlsx"
    write(workbook, sheet)
    assert runs(tmp / "arrow", workbook, True) == runs(tmp / "rows", workbook, False)


def used_arrow(path: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Whether every sheet of the workbook is read as columns."""
    read: list[bool] = []
    arrow_sheet = tables._arrow_sheet

    def spy(*args: Any) -> Any:
        table = arrow_sheet(*args)
        read.append(table is not None)
        return table

    monkeypatch.setattr(tables, "_arrow_sheet", spy)
    tables.read_tables(path, score_header=lambda c: sum(n in PLACEMENT_HEADER for n in c))
    monkeypatch.setattr(tables, "_arrow_sheet", arrow_sheet)
    return bool(read) and all(read)


def stored_rows(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT placement_id, source_row FROM placements").fetchall()


@pytest.mark.parametrize("writer", ["openpyxl", "xw"])
def test_a_plain_sheet_is_read_as_columns_and_numbered_as_typed(tmp_path, monkeypatch, writer):
    # More rows than the first block (tables.HEAD_ROWS), a blank row, a date-time.
    first = [
        ["PL1", "D1", "kurs", None, "Kiwi", datetime(2020, 1, 1), None, 50, "NAV"],
        [None] * 9,
        ["PL2", "D2", "kurs", None, "Rema", datetime(2020, 2, 1, 8, 0), None, 37.5, "NAV"],
    ]
    more = [
        [f"P{i}", f"D{i}", "kurs", None, "Kiwi", datetime(2020, 3, 1), None, 1, "NAV"]
        for i in range(2000)
    ]
    workbook = tmp_path / "pl.xlsx"
    write(workbook, {"rows": first + more, "title": None, "writer": writer})
    assert used_arrow(workbook, monkeypatch)
    arrow, by_rows = runs(tmp_path / "a", workbook, True), runs(tmp_path / "r", workbook, False)
    assert arrow == by_rows
    assert arrow[0] == 0, arrow[1]
    expected = [("PL1", 2), ("PL2", 4)] + [(f"P{i}", i + 5) for i in range(2000)]
    assert stored_rows(tmp_path / "a" / "db.sqlite") == expected


@pytest.mark.parametrize(
    "rows",
    [
        [["PL1", 5, "kurs"], ["PL2", "D2", "kurs"]],  # a column of numbers and text
        # A serial calamine reads as a time of day, not a date.
        [["PL1", "D1", "kurs", None, "Kiwi", datetime(1900, 1, 1)]],
        [["PL1", "D1", "kurs", None, ("error", "#N/A")]],  # an error cell
    ],
)
def test_a_sheet_the_columns_cannot_vouch_for_is_read_from_its_rows(tmp_path, monkeypatch, rows):
    workbook = tmp_path / "pl.xlsx"
    write(workbook, {"rows": rows, "title": None, "writer": "xw"})
    assert not used_arrow(workbook, monkeypatch)
    arrow, by_rows = runs(tmp_path / "a", workbook, True), runs(tmp_path / "r", workbook, False)
    assert arrow == by_rows


def test_a_title_row_above_the_header_is_read_from_its_rows(tmp_path, monkeypatch):
    workbook = tmp_path / "pl.xlsx"
    rows = [["PL1", "D1", "kurs", None, "Kiwi", datetime(2020, 1, 1), None, 50, "NAV"]]
    write(workbook, {"rows": rows, "title": "Formidlinger 2019", "writer": "openpyxl"})
    assert not used_arrow(workbook, monkeypatch)
    assert stored_rows_after_import(tmp_path, workbook) == [("PL1", 4)]


def stored_rows_after_import(tmp_path: Path, workbook: Path) -> list[tuple[Any, ...]]:
    exit_code, output, _rows = runs(tmp_path / "t", workbook, True)
    assert exit_code == 0, output
    return stored_rows(tmp_path / "t" / "db.sqlite")


def test_a_column_with_no_values_is_read_without_a_word_from_fastexcel(tmp_path):
    # fastexcel logs a warning for such a column; pytest's log capture would hide it from
    # an in-process run, so the command runs as a person runs it.
    import subprocess
    import sys

    workbook = tmp_path / "pl.xlsx"
    rows = [["PL1", "D1", "kurs", None, "Kiwi", datetime(2020, 1, 1), None, None, "NAV"]]
    write(workbook, {"rows": rows, "title": None, "writer": "xw"})
    env = {"INTD_KEY_FILE": str(tmp_path / "key"), "PATH": "/usr/bin:/bin", "COLUMNS": "160"}
    env["PYTHONPATH"] = str(Path(tables.__file__).parents[2])
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "intdrammen",
            "--db",
            str(tmp_path / "db.sqlite"),
            "import",
            str(workbook),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "dtype" not in done.stderr + done.stdout
    assert stored_rows(tmp_path / "db.sqlite") == [("PL1", 2)]


def test_the_rows_read_ahead_are_rows_whatever_the_blank_rows():
    # plan.py and dates.Lean read a table's first rows as rows: the column blocks start
    # after them, however many blank rows the first block held.
    from intdrammen.importers import dates, plan

    assert max(dates.LEAN_ROWS, plan.NAME_SAMPLE) <= tables.HEAD_ROWS


def test_blank_rows_under_the_header_keep_the_rows_read_ahead_rows(tmp_path, monkeypatch):
    # Ten rows, 1500 blank rows, then more rows, whose dates fit both orders: the rows read
    # ahead (plan.py, dates.Lean, the first batch dates.lean_batch reads) are the first
    # rows with content, as rows, however many blank rows the first block held.
    row = ["P", "D", "kurs", None, "Kiwi", "05.04.2020", None, 50, "NAV"]
    rows: list[list[Any]] = [[f"F{i}", *row[1:]] for i in range(10)]
    rows += [[None] * 9 for _ in range(1500)]
    rows += [
        [f"P{i}", f"D{i}", "kurs", None, "Kiwi", "05.04.2020", None, 50, "NAV"] for i in range(1200)
    ]
    workbook = tmp_path / "pl.xlsx"
    write(workbook, {"rows": rows, "title": None, "writer": "xw"})
    assert used_arrow(workbook, monkeypatch)
    arrow, by_rows = runs(tmp_path / "a", workbook, True), runs(tmp_path / "r", workbook, False)
    assert arrow == by_rows
    assert arrow[0] == 0, arrow[1]
    assert stored_rows(tmp_path / "a" / "db.sqlite")[9:11] == [("F9", 11), ("P0", 1512)]


@pytest.mark.parametrize("chunk", [3, 5, 7, 1 << 20])
def test_what_a_sheet_holds_is_found_across_the_chunks_it_is_read_in(tmp_path, monkeypatch, chunk):
    from intdrammen.importers import workbook_cells

    monkeypatch.setattr(workbook_cells, "_CHUNK", chunk)
    plain = tmp_path / "plain.xlsx"
    write(plain, {"rows": [["PL1", "D1", "kurs"]], "title": None, "writer": "xw"})
    found = workbook_cells.find_cells(plain)["Formidlinger"]
    assert found.a1 and not found.values
    odd = tmp_path / "odd.xlsx"
    write(
        odd,
        {"rows": [["PL1", "D1", "kurs", None, ("error", "#N/A")]], "title": None, "writer": "xw"},
    )
    found = workbook_cells.find_cells(odd)["Formidlinger"]
    assert found.values == {(1, 4): "#N/A"}


def reads_ahead(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sheets fastexcel reads while the scan (workbook_cells) is still running. The
    scan waits, once it has said a sheet's first chunk is plain, until fastexcel starts:
    the test does not depend on which thread runs first."""
    import threading

    started: list[str] = []
    reading = threading.Event()
    read_columns, find_cells = tables._read_columns, tables.find_cells

    def spy(path: Path, sheet: str) -> Any:
        if scanning():
            started.append(sheet)
        reading.set()
        return read_columns(path, sheet)

    def scan(path: Path, plain_so_far: Any = None) -> Any:
        def said(sheet: str) -> None:
            plain_so_far(sheet)
            reading.wait(10)

        return find_cells(path, said if plain_so_far is not None else None)

    monkeypatch.setattr(tables, "_read_columns", spy)
    monkeypatch.setattr(tables, "find_cells", scan)
    return started


def scanning() -> bool:
    import threading

    return any(t.name == "intd-scan" and t.is_alive() for t in threading.enumerate())


def test_a_plain_sheet_is_read_by_fastexcel_while_the_scan_reads_the_rest(tmp_path, monkeypatch):
    from intdrammen.importers import workbook_cells

    monkeypatch.setattr(workbook_cells, "_CHUNK", 4096)  # the scan takes many chunks
    rows = [[f"P{i}", f"D{i}", "kurs", None, "Kiwi", datetime(2020, 3, 1)] for i in range(300)]
    workbook = tmp_path / "pl.xlsx"
    write(workbook, {"rows": rows, "title": None, "writer": "xw"})
    started = reads_ahead(monkeypatch)
    assert used_arrow(workbook, monkeypatch)
    assert started == ["Formidlinger"]
    assert runs(tmp_path / "a", workbook, True) == runs(tmp_path / "r", workbook, False)


def test_a_read_ahead_of_a_sheet_found_not_plain_later_is_dropped(tmp_path, monkeypatch):
    # The first chunk is plain, an error cell far down is not: fastexcel's read (which
    # reads the error cell as empty) is dropped and the sheet is read from its rows.
    from intdrammen.importers import workbook_cells

    monkeypatch.setattr(workbook_cells, "_CHUNK", 4096)
    day = datetime(2020, 3, 1)
    rows: list[list[Any]] = [[f"P{i}", f"D{i}", "kurs", None, "Kiwi", day] for i in range(300)]
    rows.append(["P300", "D300", "kurs", None, ("error", "#N/A"), day])
    workbook = tmp_path / "pl.xlsx"
    write(workbook, {"rows": rows, "title": None, "writer": "xw"})
    started = reads_ahead(monkeypatch)
    assert not used_arrow(workbook, monkeypatch)
    assert started == ["Formidlinger"]
    arrow, by_rows = runs(tmp_path / "a", workbook, True), runs(tmp_path / "r", workbook, False)
    assert arrow == by_rows
    assert arrow[0] != 0 and "Formidlinger:302:employer_name" in arrow[1], arrow[1]
    assert not scanning()


def test_a_block_of_dates_or_numbers_holds_each_distinct_value_once():
    import pyarrow as pa

    days = pa.array([date(2020, 3, 1), None, date(2019, 1, 2), date(2020, 3, 1)], pa.date32())
    numbers = pa.array([50.0, 37.5, 50.0, None])
    with_zero = pa.array([50.0, 0.0, -0.0, 50.0])
    ids = pa.array(["P1", "P2", "P3", "P4"])
    (block,) = tables._blocks([2, 3, 4, 5], [ids, days, numbers, with_zero])
    _ids, dates, figures, zeros = block
    assert isinstance(dates, tables.DistinctCells) and dates == days.to_pylist()
    assert dates.distinct == [date(2020, 3, 1), date(2019, 1, 2), None]
    assert dates.positions.to_pylist() == [0, 2, 1, 0]
    assert isinstance(figures, tables.DistinctCells) and figures == numbers.to_pylist()
    assert figures.distinct == [50.0, 37.5, None]
    # 0.0 and -0.0 are equal keys but not the same cell: a plain list, read cell by cell.
    assert type(zeros) is list and [str(v) for v in zeros] == ["50.0", "0.0", "-0.0", "50.0"]
