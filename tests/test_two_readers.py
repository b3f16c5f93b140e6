"""The two ways a text file's rows are read — pyarrow's CSV reader (the usual way) and
the rows tables.py reads (workbooks, and text pyarrow would number differently) — give
the same import: the same stored rows, the same problems with the same rows, columns
and values, for any mix of good rows, bad cells, total and note rows, and blank lines."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import PLACEMENT_HEADER
from intdrammen.cli import app
from intdrammen.importers import columnar

GOOD = st.builds(
    lambda i, pid, kind, day, fte: [f"PL{i}", pid, kind, "", "Kiwi", day, "", fte, "NAV"],
    st.integers(0, 40),
    st.sampled_from(["D1", "D2", "P-07", "12345", "Amina Yusuf", ""]),
    st.sampled_from(["fast jobb", "jobb", "kurs", "lærling", "nonsense"]),
    st.sampled_from(["2019-03-01", "01.03.2019", "2019-02-30", "03/01/2019", "", "#N/A"]),
    st.sampled_from(["", "50", "37,5", "0,5", "120"]),
)
ODD = st.sampled_from(
    [
        ["Totalt", "", "", "", "", "", "", "", ""],
        ["Kilde: NAV Drammen", "", "", "", "", "", "", "", ""],
        list(PLACEMENT_HEADER),
        ["", "", "", "", "", "", "", "", ""],
    ]
)


def runs(tmp: Path, name: str, data: bytes, arrow: bool) -> tuple[int, str, list[tuple]]:
    folder = tmp / name
    folder.mkdir()
    (folder / "pl.csv").write_bytes(data)
    columnar.READ_TEXT_WITH_ARROW = arrow
    try:
        env = {"INTD_KEY_FILE": str(folder / "key"), "COLUMNS": "160"}
        result = CliRunner().invoke(
            app, ["--db", str(folder / "db.sqlite"), "import", str(folder / "pl.csv")], env=env
        )
    finally:
        columnar.READ_TEXT_WITH_ARROW = True
    rows: list[tuple] = []
    if (folder / "db.sqlite").exists():
        with sqlite3.connect(folder / "db.sqlite") as conn:
            rows = conn.execute("SELECT * FROM placements ORDER BY rowid").fetchall()
    return result.exit_code, result.output.replace(str(folder), "<dir>"), rows


@pytest.mark.parametrize("delimiter", [";", ","])
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.one_of(GOOD, GOOD, GOOD, ODD), min_size=1, max_size=25))
def test_pyarrow_and_row_reading_import_the_same(tmp_path_factory, delimiter, rows):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(PLACEMENT_HEADER)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    tmp = tmp_path_factory.mktemp("readers")
    assert runs(tmp, "arrow", data, True) == runs(tmp, "rows", data, False)


def test_blank_lines_at_the_end_keep_the_file_on_pyarrow(tmp_path, cli, db, monkeypatch):
    import intdrammen.importers.rows as rows

    def no_row_reading(*args, **kwargs):
        raise AssertionError("read from its rows")

    monkeypatch.setattr(rows, "row_batches", no_row_reading)
    header = ";".join(PLACEMENT_HEADER)
    text = f"{header}\r\nPL1;D1;jobb;;Kiwi;2019-03-01;;;NAV\r\n\r\n\r\n"
    (tmp_path / "pl.csv").write_bytes(text.encode())
    result = cli("import", str(tmp_path / "pl.csv"))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT source_row FROM placements").fetchall() == [(2,)]


def test_a_line_break_in_a_quoted_cell_is_read_from_the_rows_numbered_as_typed(tmp_path, cli, db):
    header = ";".join(PLACEMENT_HEADER)
    text = (
        f'{header}\nPL1;D1;jobb;;"Kiwi\nDrammen";2019-03-01;;;NAV\n\n'
        "PL2;D2;jobb;;Rema;2019-04-01;;;NAV\n"
    )
    (tmp_path / "pl.csv").write_bytes(text.encode())
    result = cli("import", str(tmp_path / "pl.csv"))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT employer_name, source_row FROM placements ORDER BY rowid")
        assert rows.fetchall() == [("Kiwi Drammen", 2), ("Rema", 5)]


def test_a_fodselsnummer_in_other_scripts_digits_in_an_id_is_refused(tmp_path, cli, db):
    # Arabic-Indic and fullwidth digits of a valid number: Python's \d takes them, and so
    # must the screen that lets clean ids through unparsed.
    arabic = "".join(chr(0x0660 + int(d)) for d in "15038510190")
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in "15038510190")
    text = (
        "placement_id,deltaker_id,type,startdato\n"
        f"x1_{arabic},D001,fast jobb,01.11.2020\n"
        f"P002,d1-{fullwidth},fast jobb,01.11.2020\n"
    )
    (tmp_path / "p.csv").write_text(text, encoding="utf-8")
    result = cli("import", str(tmp_path / "p.csv"))
    assert result.exit_code == 1
    assert result.output.count("E-FNR-PLACE") >= 2
    assert not db.exists()


def test_blank_lines_and_lone_carriage_returns_keep_row_numbers(tmp_path, cli, db):
    # One blank line (pyarrow drops it) and one CR alone (pyarrow ends a row there) would
    # cancel out in a count of lines: the rows are numbered as a person counts them.
    text = (
        "placement_id;deltaker_id;type;startdato\nP1;D1;kurs;01.01.2020\n\n"
        "P2;D2;kurs;01.01.2020\nP3;D3;kurs;01.01.2020\rP4;D4;kurs;01.01.2020\n"
        "P5;D5;kurs;01.01.2020\n"
    )
    (tmp_path / "p.csv").write_bytes(text.encode())
    assert cli("import", str(tmp_path / "p.csv")).exit_code == 0
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT placement_id, source_row FROM placements ORDER BY rowid")
        assert rows.fetchall() == [("P1", 2), ("P2", 4), ("P3", 5), ("P4", 6), ("P5", 7)]


def test_dates_under_a_second_header_do_not_decide_a_columns_order(tmp_path, cli, db):
    # 1100 rows whose dates fit both orders, then a second header and a row under it
    # whose date is month-first only: that row is not read, so nothing decides the order.
    rows = [f"P{i};D{i};fast jobb;05/04/2020" for i in range(1100)]
    text = "\n".join(
        [
            "placement_id;deltaker_id;type;startdato",
            *rows,
            "deltaker_id;kommune;landbakgrunn;intro_start",
            "D900;Lier;Syria;04/13/2020",
        ]
    )
    (tmp_path / "p.csv").write_text(text + "\n", encoding="utf-8")
    result = cli("import", "--on-error", "skip", str(tmp_path / "p.csv"))
    assert result.exit_code == 1
    assert "E-DATE-ORDER-UNKNOWN" in result.output
    assert not db.exists()


@pytest.mark.parametrize(
    ("data", "lines", "plain"),
    [
        (b"h\na\nb\n", 3, True),
        (b"h\na\nb", 3, True),  # a last line without a line break
        (b"h\na\nb\n\n\n", 3, True),  # blank lines at the end are no rows
        (b"h\r\na\r\nb\r\n\r\n", 3, True),
        (b"h\ra\rb\r", 3, True),  # CR alone ends a line in a file without LF
        (b"h\na\n\nb\n", 4, True),  # a blank line inside: caught by pyarrow's row count
        (b"h\na\rb\n", 2, False),  # a CR alone among LF line ends
    ],
)
def test_lines_are_counted_in_the_hashing_pass(tmp_path, data, lines, plain):
    from intdrammen.importers.tables import file_info

    (tmp_path / "f.csv").write_bytes(data)
    assert file_info(tmp_path / "f.csv").lines == (lines, plain)
