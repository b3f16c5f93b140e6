"""The vectorised column readers (importers/columnar.py) against the parsers they stand
for: for any column of values, the values read and the rows marked bad are exactly what
parsing each cell with the field's own parser gives (a fast path equals the pure one)."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from intdrammen.ids import fnr_check_digits
from intdrammen.importers.columnar import read_column
from intdrammen.importers.columns import Memo, ValueProblem, free_text, parse_percent, text
from intdrammen.importers.context import ParseContext, id_text, required_text

CTX = ParseContext(key=lambda: b"k" * 32)


def per_cell(values: list[str], parser):
    """What reading the column cell by cell gives: (values, rows refused)."""
    out, bad = [], []
    for i, value in enumerate(values):
        if value == "":
            out.append(None)
            continue
        try:
            out.append(parser(value))
        except ValueProblem:
            out.append(None)
            bad.append(i)
    return out, bad


def vectorised(values: list[str], parser, out_type=pa.string()):
    column = read_column(pa.array(values, pa.string()), parser, out_type)
    bad = [] if column.bad is None else [i for i, b in enumerate(column.bad.to_pylist()) if b]
    return column.values.to_pylist(), bad


def fnr(born: date, individual: int) -> str:
    first = f"{born:%d%m%y}{individual:03d}"
    digits = fnr_check_digits(first)
    return first + digits if digits else first + "00"


fnrs = st.builds(
    fnr,
    st.dates(date(1900, 1, 1), date(2039, 12, 31)),
    st.integers(0, 999),
)
d_numbers = fnrs.map(lambda n: str(int(n[0]) + 4) + n[1:])
digit_strings = st.text("0123456789", min_size=9, max_size=12)
messy = st.sampled_from(["", " ", "290222 12345", "29.02.20 12345", "1234567890", "3105001234"])
fnr_cells = st.lists(st.one_of(fnrs, d_numbers, digit_strings, messy), max_size=40)


@settings(max_examples=300, deadline=None)
@given(fnr_cells)
def test_national_id_column_equals_the_parser(values):
    assert vectorised(values, CTX.national_id) == per_cell(values, CTX.national_id)


def test_national_id_column_on_the_edges_of_dates_and_check_digits():
    values = [
        fnr(date(2000, 2, 29), 123),  # a leap day
        fnr(date(1999, 12, 31), 499),
        "29020012345",  # 29 February, check digits wrong
        "31040012345",  # 31 April
        "72010012345",  # D-number with day 32
        "",
    ]
    assert vectorised(values, CTX.national_id) == per_cell(values, CTX.national_id)


text_cells = st.lists(
    st.one_of(
        st.text(alphabet="AaZzØøÅå0123456789 -_.:#()\u00a0\t\u0661\u0665\uff11\uff15", max_size=14),
        st.sampled_from(
            [
                "P01",
                "D000001",
                " P01",
                "P01 ",
                "Amina Yusuf",
                "P01 Amina",
                "12345",
                "#N/A",
                "Err:502",
                "(hidden: a fødselsnummer)",
                "D15038550060",
            ]
        ),
        fnrs,
        fnrs.map(lambda n: "x" + "".join(chr(0xFF10 + int(d)) for d in n)),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(text_cells, st.sampled_from([text, free_text, id_text, required_text]))
def test_text_columns_equal_the_parser(values, parser):
    assert vectorised(values, parser) == per_cell(values, parser)


number_cells = st.lists(
    st.one_of(
        st.sampled_from(["50", "100", "37,5", "0,5", "1 000", "abc", "-3", "50 %", "100.0"]),
        st.decimals(0, 120, places=2).map(str),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(number_cells)
def test_distinct_value_columns_equal_the_parser(values):
    assert vectorised(values, Memo(parse_percent), pa.float64()) == per_cell(
        values, Memo(parse_percent)
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(number_cells, min_size=1, max_size=5))
def test_a_memo_carried_across_batches_gives_what_each_cell_gives(batches):
    """Values met in an earlier batch come from the memo's Arrow form; refused ones stay
    refused in every later batch, and new ones are parsed."""
    vectorised_memo, cell_memo = Memo(parse_percent), Memo(parse_percent)
    for values in batches:
        assert vectorised(values, vectorised_memo, pa.float64()) == per_cell(values, cell_memo)


def test_across_batches_only_values_never_met_reach_the_parser():
    seen: list[str] = []

    def parse(value: object) -> str:
        seen.append(str(value))
        if value == "x":
            raise ValueProblem("E-DATE", "not a day")
        return (date(2019, 1, 1) + timedelta(days=int(str(value)))).isoformat()

    memo = Memo(parse)
    first = vectorised(["3", "1", "x", "3"], memo)
    again = vectorised(["1", "x", "4", "3", "2"], memo)
    assert first == (["2019-01-04", "2019-01-02", None, "2019-01-04"], [2])
    assert again == (["2019-01-02", None, "2019-01-05", "2019-01-04", "2019-01-03"], [1])
    assert seen == ["3", "1", "x", "4", "2"]


def test_dates_are_parsed_once_per_distinct_value_in_order_of_appearance():
    seen: list[str] = []

    def parse(value: object) -> str:
        seen.append(str(value))
        return (date(2019, 1, 1) + timedelta(days=int(str(value)))).isoformat()

    values = ["3", "1", "3", "2", "1"]
    assert vectorised(values, Memo(parse))[0] == per_cell(values, Memo(parse))[0]
    assert seen[:3] == ["3", "1", "2"]


workbook_cells = st.lists(
    st.one_of(
        st.none(),
        st.dates(date(1890, 1, 1), date(2030, 12, 31)),
        st.sampled_from(["01.02.2019", "2019-02-30", "", "#N/A", "31/12/2019"]),
        st.floats(-10, 60000, allow_nan=False),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(workbook_cells)
def test_workbook_columns_of_mixed_cells_equal_the_parser(cells):
    # A list (not an Arrow array): a workbook column holding dates and numbers.
    parser = CTX.date_column("start_date")
    column = read_column(list(cells), parser, pa.string())
    bad = [] if column.bad is None else [i for i, b in enumerate(column.bad.to_pylist()) if b]
    expected = per_cell(["" if c is None else c for c in cells], CTX.date_column("start_date"))
    assert (column.values.to_pylist(), bad) == expected
