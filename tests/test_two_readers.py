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
