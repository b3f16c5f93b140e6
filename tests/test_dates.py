"""Dates as people and programs write them: the order of day and month decided by each
column's values (or its table's), --date-order, datetimes, month names, two-digit years,
and dates where numbers belong."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import PLACEMENT_HEADER, write_csv
from intdrammen.errors import HINTS
from intdrammen.importers.columns import (
    DateColumn,
    ValueProblem,
    parse_date,
    parse_number,
    parse_percent,
    parse_year,
)
from intdrammen.importers.dates import LEAN_ROWS


def problem(parse: Callable[[], object]) -> ValueProblem:
    with pytest.raises(ValueProblem) as caught:
        parse()
    return caught.value


# ----------------------------------------------------------------------------- spellings


@pytest.mark.parametrize(
    "raw",
    [
        "31.12.2019",
        "2019-12-31",
        "20191231",
        "31.12.2019 10:00",  # Norwegian Excel's datetime in a CSV
        "31.12.2019 10:00:59",
        "31.12.2019 kl. 10.00",
        "31/12/2019 23:59",
        "12/31/2019 10:00:00 AM",  # US Excel
        "12/31/2019 12:00 pm",
        "2019-12-31 00:00:00",  # pandas
        "2019-12-31T10:00",
        "2019-12-31T10:00:00.123",
        "31.12.2019.",  # a trailing dot, as in 'den 31.12.2019.'
        "31. des. 2019",
        "31. desember 2019",
        "31 des 2019",
        "31-Dec-2019",  # Excel's d-mmm-yyyy
        "31.DES.2019",
        "Dec 31, 2019",
        "December 31st 2019",
        "43830",  # an Excel serial number in a CSV
    ],
)
def test_a_date_is_read_however_it_is_written(raw: str) -> None:
    assert parse_date(raw, DateColumn("f.csv", "start_date")) == date(2019, 12, 31)


@pytest.mark.parametrize(
    "raw", ["01.02.19", "1/2/19", "01.02.19 kl. 10:00", "31-Dec-19", "31. des. 19", "Dec 31, 19"]
)
def test_a_two_digit_year_is_refused_with_its_reason(raw: str) -> None:
    found = problem(lambda: parse_date(raw))
    assert found.code == "E-DATE-SHORT-YEAR"
    assert "two-digit year: the century would be a guess" in found.message
    assert "E-DATE-SHORT-YEAR" in HINTS


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("31.12.2019 25:00", "the time after the date is not a time"),
        ("31.12.2019 10:61", "the time after the date is not a time"),
        ("31.13.2019", "no such date"),
        ("30.02.2019", "no such date"),
        ("31. foo 2019", "not a date"),
        ("i fjor", "not a date"),
        ("2019-12-31T10:00:00Z", "not a date"),  # a time zone could move the day
    ],
)
def test_what_is_not_a_date_is_refused(raw: str, message: str) -> None:
    found = problem(lambda: parse_date(raw))
    assert found.code == "E-DATE"
    assert found.message.startswith(message)


def test_without_a_column_slash_and_dot_dates_are_day_first_as_before() -> None:
    assert parse_date("03.01.2019") == date(2019, 1, 3)
    assert parse_date("3/1/2019") == date(2019, 1, 3)
    assert parse_date(datetime(2019, 3, 1, 10, 30)) == date(2019, 3, 1)


# ----------------------------------------------------------------------------- a column


def test_a_column_records_what_its_values_prove() -> None:
    column = DateColumn("f.csv", "start_date")
    assert parse_date("12/31/2019", column) == date(2019, 12, 31)
    assert parse_date("31/12/2019", column) == date(2019, 12, 31)
    assert parse_date("03/01/2019", column) == date(2019, 1, 3)  # for now: it leans dmy
    assert parse_date("05/05/2019", column) == date(2019, 5, 5)  # the same either way
    assert (column.mdy, column.dmy) == ("12/31/2019", "31/12/2019")
    assert column.ambiguous == ["03/01/2019"]
    assert column.slash
    assert column.guessed == {"dmy"}


def test_the_norwegian_hand_is_day_first_like_dots() -> None:
    column = DateColumn("f.csv", "start_date", forced="mdy")
    assert parse_date("3/1-2019", column) == date(2019, 1, 3)
    assert not column.slash


def test_a_column_leaning_month_first_reads_values_fitting_both_that_way() -> None:
    column = DateColumn("f.csv", "start_date", leans="mdy")
    assert parse_date("03/01/2019", column) == date(2019, 3, 1)
    assert column.guessed == {"mdy"}


def test_dot_dates_are_not_forced_but_slash_dates_are() -> None:
    column = DateColumn("f.csv", "start_date", forced="mdy")
    assert parse_date("03/01/2019", column) == date(2019, 3, 1)
    assert parse_date("03.01.2019", column) == date(2019, 1, 3)
    found = problem(lambda: parse_date("31/12/2019", column))
    assert found.code == "E-DATE"
    assert "--date-order mdy" in found.message


def test_a_column_of_both_orders_refuses_every_such_value() -> None:
    column = DateColumn("f.csv", "start_date", order="mixed")
    assert problem(lambda: parse_date("12/31/2019", column)).code == "E-DATE-ORDER-MIXED"
    assert problem(lambda: parse_date("31/12/2019", column)).code == "E-DATE-ORDER-MIXED"
    assert problem(lambda: parse_date("3/1/2019", column)).code == "E-DATE-ORDER-MIXED"
    assert parse_date("2019-03-01", column) == date(2019, 3, 1)


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "value", ["15.03.2019", "2019-03-15", "3/15/2019", datetime(2019, 3, 15), date(2019, 3, 15)]
)
def test_a_date_in_a_number_column_is_named_a_date(value: object) -> None:
    for parse in (parse_number, parse_percent):
        found = problem(lambda parse=parse: parse(value))  # type: ignore[misc]
        assert found.code == "E-NUMBER-DATE"
        assert found.message == "this is a date, not a number: is the column mapped right?"
    assert "mapped" in HINTS["E-NUMBER-DATE"]
    # A birth year is read off a birth date as a person reads it, in either order.
    assert parse_year(value, latest=2026) == 2019


@pytest.mark.parametrize("value", ["abc", "37,5,5", "1.000.000,5x"])
def test_a_plain_non_number_keeps_its_code(value: str) -> None:
    assert problem(lambda: parse_number(value)).code == "E-NUMBER"


def test_numbers_are_read_as_before() -> None:
    assert parse_number("1.000,5") == 1000.5
    assert parse_percent("37,5 %") == 37.5


# ----------------------------------------------------------------------------- imports


def placements(rows: list[tuple[str, str]]) -> list[list[object]]:
    """Placement rows (one participant each) with these start and end dates."""
    return [
        [f"PL{i}", f"P{i}", "fast jobb", "", "Kiwi", start, end, "100", ""]
        for i, (start, end) in enumerate(rows)
    ]


def stored(db: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT placement_id, start_date, end_date FROM placements")
        return {pid: (start, end) for pid, start, end in rows}


def us(d: date) -> str:
    return f"{d.month}/{d.day}/{d.year}"


def days(n: int) -> list[date]:
    """n dates from 1 January 2019 on, so the first twelve fit both orders."""
    return [date.fromordinal(date(2019, 1, 1).toordinal() + i % 700) for i in range(n)]


imports = pytest.mark.usefixtures("both_parse_paths")  # in this process and in children


@imports
def test_a_month_first_column_is_read_month_first(tmp_path: Path, cli: Any, db: Path) -> None:
    rows = [("3/1/2019", "12/31/2019"), ("12/31/2018", "3/2/2019"), ("4/5/2019", "")]
    path = write_csv(tmp_path / "us.csv", PLACEMENT_HEADER, placements(rows))
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert stored(db) == {
        "PL0": ("2019-03-01", "2019-12-31"),
        "PL1": ("2018-12-31", "2019-03-02"),
        "PL2": ("2019-04-05", None),
    }


@imports
def test_a_proof_far_down_the_file_is_found(tmp_path: Path, cli: Any, db: Path) -> None:
    """Thousands of rows fitting both orders, then one only month-first reads: every row
    is read month-first (in every batch, not only the first)."""
    dates = [d for d in days(30_000) if d.day <= 12]
    rows = [(us(d), "") for d in dates]
    rows.append(("12/31/2019", ""))
    path = write_csv(tmp_path / "us.csv", PLACEMENT_HEADER, placements(rows))
    assert len(rows) > LEAN_ROWS
    result = cli("import", "--quiet", str(path))
    assert result.exit_code == 0, result.output
    got = stored(db)
    assert len(got) == len(rows)
    for i, d in enumerate(dates):
        assert got[f"PL{i}"] == (d.isoformat(), None)
    assert got[f"PL{len(dates)}"] == ("2019-12-31", None)


@imports
def test_a_large_day_first_file_stays_day_first(tmp_path: Path, cli: Any, db: Path) -> None:
    dates = days(25_000)
    rows = [(d.strftime("%d/%m/%Y"), "") for d in dates]
    path = write_csv(tmp_path / "uk.csv", PLACEMENT_HEADER, placements(rows))
    result = cli("import", "--quiet", str(path))
    assert result.exit_code == 0, result.output
    got = stored(db)
    assert all(got[f"PL{i}"] == (d.isoformat(), None) for i, d in enumerate(dates))


@imports
def test_a_column_that_cannot_tell_takes_its_tables_order(
    tmp_path: Path, cli: Any, db: Path
) -> None:
    rows = [("3/1/2019", "12/31/2019"), ("4/2/2019", "")]
    path = write_csv(tmp_path / "us.csv", PLACEMENT_HEADER, placements(rows))
    assert cli("import", str(path)).exit_code == 0
    assert stored(db)["PL1"] == ("2019-04-02", None)


@imports
def test_slash_dates_nothing_decides_are_refused_untouched(
    tmp_path: Path, cli: Any, db: Path
) -> None:
    rows = [("3/1/2019", "4/2/2019"), ("5/6/2019", ""), ("3/1/2019", "")]
    path = write_csv(tmp_path / "eksport.csv", PLACEMENT_HEADER, placements(rows))
    for extra in ([], ["--on-error", "skip"]):
        result = cli("import", str(path), *extra)
        assert result.exit_code == 1, result.output
        assert not db.exists()
        output = " ".join(result.output.split())
        assert "E-DATE-ORDER-UNKNOWN" in output
        assert "eksport.csv" in output and "start_date" in output and "end_date" in output
        assert "'3/1/2019' and '5/6/2019'" in output
        assert "--date-order dmy or --date-order mdy" in output
        assert "Traceback" not in output
    assert cli("import", str(path), "--date-order", "mdy").exit_code == 0
    assert stored(db)["PL0"] == ("2019-03-01", "2019-04-02")


@imports
def test_date_order_dmy_reads_them_day_first(tmp_path: Path, cli: Any, db: Path) -> None:
    path = write_csv(tmp_path / "x.csv", PLACEMENT_HEADER, placements([("3/1/2019", "4-2-2019")]))
    assert cli("import", str(path), "--date-order", "dmy").exit_code == 0
    assert stored(db)["PL0"] == ("2019-01-03", "2019-02-04")


@imports
def test_date_order_contradicted_by_a_value_is_refused(tmp_path: Path, cli: Any, db: Path) -> None:
    path = write_csv(tmp_path / "x.csv", PLACEMENT_HEADER, placements([("31/12/2019", "")]))
    result = cli("import", str(path), "--date-order", "mdy")
    assert result.exit_code == 1
    assert "no such date when read as --date-order mdy says" in " ".join(result.output.split())


@imports
def test_a_column_of_both_orders_names_rows_of_both(tmp_path: Path, cli: Any, db: Path) -> None:
    rows = [("12/31/2018", ""), ("3/1/2019", ""), ("5/5/2019", ""), ("31/12/2019", "")]
    path = write_csv(tmp_path / "merged.csv", PLACEMENT_HEADER, placements(rows))
    result = cli("import", str(path))
    assert result.exit_code == 1, result.output
    assert not db.exists()
    output = " ".join(result.output.split())
    assert "E-DATE-ORDER-MIXED" in output
    named = {
        int(row) for row in re.findall(r"^merged\.csv:(\d+):start_date: ", result.output, re.M)
    }
    assert named == {2, 3, 5}  # 12/31/2018, 3/1/2019, 31/12/2019; not 5/5/2019
    for value in ("12/31/2018", "31/12/2019", "3/1/2019"):
        assert value in output
    assert "only month-first reads this date" in output
    assert "only day-first reads this date" in output
    assert "5/5/2019" not in output  # the same either way


@imports
def test_dot_dates_stay_day_first_and_a_dot_column_can_prove_month_first(
    tmp_path: Path, cli: Any, db: Path
) -> None:
    norwegian = write_csv(
        tmp_path / "no.csv", PLACEMENT_HEADER, placements([("03.01.2019", "04.02.2019")])
    )
    assert cli("import", str(norwegian), "--date-order", "mdy").exit_code == 0
    assert stored(db)["PL0"] == ("2019-01-03", "2019-02-04")
    odd = write_csv(
        tmp_path / "odd.csv",
        PLACEMENT_HEADER,
        [
            [f"X{i}", f"X{i}", "kurs", "", "", s, "", "", ""]
            for i, s in enumerate(["12.31.2019", "03.01.2020"])
        ],
    )
    assert cli("import", str(odd)).exit_code == 0
    assert stored(db)["X1"] == ("2020-03-01", None)


@imports
def test_a_norwegian_file_and_a_us_file_in_one_import(tmp_path: Path, cli: Any, db: Path) -> None:
    """Each table decides on its own: one program wrote each."""
    no = write_csv(
        tmp_path / "no.csv", PLACEMENT_HEADER, placements([("03/01/2019", "31/01/2019")])
    )
    us_rows = [
        [f"U{i}", f"U{i}", "kurs", "", "", s, "", "", ""]
        for i, s in enumerate(["03/01/2019", "01/31/2019"])
    ]
    us_file = write_csv(tmp_path / "us.csv", PLACEMENT_HEADER, us_rows)
    result = cli("import", str(no), str(us_file))
    assert result.exit_code == 0, result.output
    got = stored(db)
    assert got["PL0"] == ("2019-01-03", "2019-01-31")
    assert got["U0"] == ("2019-03-01", None)


@imports
def test_datetimes_keep_their_day_and_short_years_are_refused(
    tmp_path: Path, cli: Any, db: Path
) -> None:
    ok = write_csv(
        tmp_path / "ok.csv",
        PLACEMENT_HEADER,
        placements([("31.12.2019 10:00", "02.01.2020 00:00:00")]),
    )
    assert cli("import", str(ok)).exit_code == 0
    assert stored(db)["PL0"] == ("2019-12-31", "2020-01-02")
    short = write_csv(tmp_path / "short.csv", PLACEMENT_HEADER, placements([("01.02.19", "")]))
    before = db.read_bytes()
    result = cli("import", str(short))
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "E-DATE-SHORT-YEAR" in output and "write 2019 or 1919" in output
    assert db.read_bytes() == before


@imports
def test_a_date_in_the_percent_column(tmp_path: Path, cli: Any, db: Path) -> None:
    rows = [["PL1", "P1", "fast jobb", "", "", "01.02.2019", "", "15.03.2019", ""]]
    path = write_csv(tmp_path / "x.csv", PLACEMENT_HEADER, rows)
    result = cli("import", str(path))
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "E-NUMBER-DATE" in output
    assert "this is a date, not a number" in output
    assert "Write a number, e.g. 37,5" not in output
