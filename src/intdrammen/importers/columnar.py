"""A table's rows as Arrow column batches, and the vectorised reading of each column.

The data plane of an import. `batches` turns a `Table` into `Batch`es of a few ten
thousand rows, column by column: a text file through pyarrow's multi-threaded CSV reader
(after tables.py has decided its encoding, delimiter and header row), a workbook — or a
text file pyarrow would number differently from a person (a quoted cell holding a line
break, blank lines, a row of the wrong width) — from the rows tables.py reads, put into
columns. Either way the same rows come out, with the same spreadsheet row numbers.

`read_column` reads one column of a batch with the field's own parser (columns.py,
context.py), vectorised: a low-cardinality column (dates, codes, types, numbers) is
parsed once per distinct value and mapped back; an id or free-text column is screened
with one regular expression pass, and only values that could be unusual (spacing, a
'#' or ':', a name, something like a fødselsnummer) are given to the parser. The rule
of each screen is the rule the parser applies, so a value the screen lets through is one
the parser returns unchanged. A value the parser refuses only marks its row: rows.py
reads marked rows again cell by cell, with the messages that name file, sheet, row,
column and value.

pyarrow is imported here only, inside the functions: `intd --help` does not load it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from intdrammen.ids import person_key
from intdrammen.importers.columns import MEMO_TYPES, Memo, ValueProblem, free_text, text
from intdrammen.importers.context import ParseContext, id_text, required_text
from intdrammen.importers.tables import CellValue, ColumnBlock, DistinctCells, Table

if TYPE_CHECKING:
    import pyarrow as pa

BATCH_ROWS = 65_536
BLOCK_BYTES = 1 << 20  # pyarrow's CSV block: memory stays flat whatever the file's size
# Encodings pyarrow reads (it decodes through Python's codecs) whose newline is one byte.
_ONE_BYTE_NEWLINE = {"utf-8", "utf-8-sig", "cp1252", "mac-roman", "mac_roman", "latin-1"}


class RowReadingNeeded(Exception):
    """pyarrow would not number this text file's rows as a person does: read it again
    from its rows (the import runs again, as for a date order; one transaction)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


@dataclass
class Batch:
    """Rows of one table: their row numbers, and per table column either an Arrow
    string array (text: empty cells are '') or a list of the cells as read (a workbook
    column holding numbers or dates)."""

    numbers: list[int]
    columns: list[Any]

    def __len__(self) -> int:
        return len(self.numbers)

    def slice(self, start: int, end: int | None = None) -> Batch:
        return Batch(self.numbers[start:end], [c[start:end] for c in self.columns])

    def cells(self, i: int) -> list[CellValue]:
        """Row `i` as a list of cells, as tables.py would give it."""
        return [_cell(column, i) for column in self.columns]


def _cell(column: Any, i: int) -> CellValue:
    if isinstance(column, list):
        return column[i]  # type: ignore[no-any-return]
    return column[i].as_py()  # type: ignore[no-any-return]


# --- sources ----------------------------------------------------------------------------


READ_TEXT_WITH_ARROW = True  # False reads every file from its rows (a test runs both)


def arrow_readable(table: Table) -> bool:
    return (
        READ_TEXT_WITH_ARROW
        and table.delimiter is not None
        and (table.encoding or "utf-8").lower().replace("_", "-") in _ONE_BYTE_NEWLINE
    )


def text_batches(table: Table, width: int, lines: int) -> Iterator[Batch]:
    """The rows of a text table, read by pyarrow after the header row. Raises
    `RowReadingNeeded` (before or after yielding) where pyarrow's rows would not be the
    file's: any row of another width, a line break inside a quoted cell, a blank line."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(width)]
    encoding = (table.encoding or "utf-8").lower()
    read = pcsv.ReadOptions(
        skip_rows=table.header_row,
        column_names=names,
        block_size=BLOCK_BYTES,
        encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
    )
    parse = pcsv.ParseOptions(delimiter=table.delimiter or ",", newlines_in_values=False)
    convert = pcsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    seen = table.header_row
    try:
        reader = pcsv.open_csv(
            table.path, read_options=read, parse_options=parse, convert_options=convert
        )
        for record_batch in reader:
            n = record_batch.num_rows
            first = seen + 1
            seen += n
            if not n:
                continue
            columns = record_batch.columns
            blank = _all_empty(columns)
            numbers = list(range(first, first + n))
            if blank is not None:
                keep = pc.invert(blank)
                numbers = list(itertools.compress(numbers, keep.to_pylist()))
                columns = [c.filter(keep) for c in columns]
            for start in range(0, len(numbers), BATCH_ROWS):
                end = start + BATCH_ROWS
                yield Batch(numbers[start:end], [c[start:end] for c in columns])
    except (pa.ArrowInvalid, UnicodeError, ValueError):
        raise RowReadingNeeded(str(table.path)) from None
    if seen != lines:
        raise RowReadingNeeded(str(table.path))


def _all_empty(columns: Sequence[pa.ChunkedArray | pa.Array]) -> pa.Array | None:
    """A mask of rows whose every cell is empty, or None when there are none."""
    import pyarrow.compute as pc

    mask = None
    for column in columns:
        empty = pc.equal(pc.binary_length(column), 0)
        mask = empty if mask is None else pc.and_(mask, empty)
    if mask is None or not pc.any(mask).as_py():
        return None
    return pc.fill_null(mask, False)


def row_batches(
    rows: Iterator[tuple[int, list[CellValue]]], width: int
) -> Iterator[Batch | tuple[int, list[CellValue]]]:
    """Rows read by tables.py, in batches of columns. A row of another width than the
    header is yielded alone, between batches, for rows.py to judge in file order; a
    `ColumnBlock` (a sheet read as columns) is a batch as it is."""
    numbers: list[int] = []
    chunk: list[list[CellValue]] = []
    for number, cells in rows:
        if isinstance(cells, ColumnBlock):  # a sheet read as columns (tables.py)
            if chunk:
                yield _to_batch(numbers, chunk, width)
                numbers, chunk = [], []
            yield Batch(cells.numbers, list(cells))
            continue
        if len(cells) != width:
            if chunk:
                yield _to_batch(numbers, chunk, width)
                numbers, chunk = [], []
            yield number, cells
            continue
        numbers.append(number)
        chunk.append(cells)
        if len(chunk) >= BATCH_ROWS:
            yield _to_batch(numbers, chunk, width)
            numbers, chunk = [], []
    if chunk:
        yield _to_batch(numbers, chunk, width)


def _to_batch(numbers: list[int], rows: list[list[CellValue]], width: int) -> Batch:
    import pyarrow as pa

    columns: list[Any] = []
    for values in zip(*rows, strict=True) if rows else [()] * width:
        if all(v.__class__ is str or v is None for v in values):
            columns.append(pa.array(["" if v is None else v for v in values], pa.string()))
        else:
            columns.append(list(values))
    return Batch(numbers, columns)


# --- columns ----------------------------------------------------------------------------

# A value a text parser returns unchanged has no surrounding space and none of these:
# NBSP, tab, line break, two spaces (folded), '#' or ':' (an error value: #N/A, Err:502).
_ODD = r"[\x{a0}\t\n\r#:]|  "
_EDGE = r"(?s)^[\s\pZ\pC]|[\s\pZ\pC]$"
# Free text: also digits like a fødselsnummer (a superset of ids.FNR_LIKE, in any
# script's digits as Python's \d: RE2's \d is 0-9 only) and intd's own placeholders,
# which start with '('.
_FREE = r"\p{Nd}{5,6}[ .-]?\p{Nd}{5}|\("
# An id: also a space or '.', a Capitalised word (a name?), or no digit at all (rows.py
# _ODD_ID, the same rule).
_ID = r"[ .]|[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]|^[^0-9]*$"


@dataclass
class Column:
    """One field of a batch, read: its storage values (an Arrow array) and the rows
    whose cell the parser refused or that need a second look (a mask)."""

    values: pa.Array
    bad: pa.Array | None  # boolean, or None when no row is bad


def read_column(raw: Any, parser: Callable[[object], object], out: pa.DataType) -> Column:
    """Read one column of a batch with `parser` (see the module docstring)."""
    if isinstance(raw, list):
        return _python_column(raw, parser, out)
    national_id = getattr(parser, "__func__", None) is ParseContext.national_id
    if national_id:
        return _national_id_column(raw, parser.__self__)  # type: ignore[attr-defined]
    if parser in (text, free_text, id_text, required_text):
        return _text_column(raw, parser, out)
    if isinstance(parser, Memo):
        return _distinct_column(raw, parser, out)
    return _python_column(raw.to_pylist(), parser, out)


def _text_column(raw: pa.Array, parser: Callable[[object], object], out: pa.DataType) -> Column:
    import pyarrow as pa
    import pyarrow.compute as pc

    pattern = _ODD
    if parser is not text:  # free text and ids
        pattern += "|" + _FREE
    if parser in (id_text, required_text):
        pattern += "|" + _ID
    empty = pc.equal(pc.binary_length(raw), 0)
    suspect = pc.or_(pc.match_substring_regex(raw, pattern), pc.match_substring_regex(raw, _EDGE))
    suspect = pc.and_(suspect, pc.invert(empty))
    values = pc.if_else(empty, pa.scalar(None, pa.string()), raw)
    if not pc.any(suspect).as_py():
        return Column(values.cast(out), None)
    indices = pc.indices_nonzero(suspect).to_pylist()
    replaced, bad = [], [False] * len(raw)
    for i in indices:
        try:
            replaced.append(parser(raw[i].as_py()))
        except ValueProblem:
            replaced.append(None)
            bad[i] = True
    values = pc.replace_with_mask(values, suspect, pa.array(replaced, pa.string()))
    return Column(values.cast(out), pa.array(bad) if any(bad) else None)


# Days in each month (February's 29th where a century makes the year a leap year: any
# two-digit year divisible by 4 is one in 2000-2099).
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3)


def _national_id_column(raw: pa.Array, ctx: ParseContext) -> Column:
    """A fødselsnummer column: numbers written as 11 digits are checked vectorised (a
    birth date, D- or H-number, that exists; both mod-11 check digits) and given their
    keyed hash; anything else goes to the parser (`ParseContext.national_id`), which
    says what is wrong, as do the numbers the vectorised check refuses."""
    import pyarrow as pa
    import pyarrow.compute as pc

    plain = pc.fill_null(pc.match_substring_regex(raw, r"^[0-9]{11}$"), False)
    digits = [
        pc.cast(
            pc.utf8_slice_codeunits(pc.if_else(plain, raw, "00000000000"), i, i + 1), pa.int64()
        )
        for i in range(11)
    ]

    def mod(x: pa.Array, n: int) -> pa.Array:  # integer division truncates: x >= 0 here
        return pc.subtract(x, pc.multiply(pc.divide(x, n), n))

    def weighted(weights: tuple[int, ...]) -> pa.Array:
        total = pc.multiply(digits[0], weights[0])
        for d, w in zip(digits[1:9], weights[1:], strict=True):
            total = pc.add(total, pc.multiply(d, w))
        return total

    k1 = pc.subtract(11, mod(weighted(_W1), 11))
    ok = pc.not_equal(k1, 10)
    k1 = mod(k1, 11)
    k2 = pc.subtract(11, mod(pc.add(weighted(_W2), pc.multiply(k1, 2)), 11))
    ok = pc.and_(ok, pc.not_equal(k2, 10))
    ok = pc.and_(ok, pc.equal(mod(k2, 11), digits[10]))
    ok = pc.and_(ok, pc.equal(k1, digits[9]))
    day = pc.add(pc.multiply(digits[0], 10), digits[1])
    month = pc.add(pc.multiply(digits[2], 10), digits[3])
    year = pc.add(pc.multiply(digits[4], 10), digits[5])
    day = pc.if_else(pc.greater(day, 40), pc.subtract(day, 40), day)
    month = pc.if_else(pc.greater(month, 40), pc.subtract(month, 40), month)
    month_ok = pc.and_(pc.greater_equal(month, 1), pc.less_equal(month, 12))
    longest = pc.take(pa.array(_MONTH_DAYS), pc.subtract(pc.if_else(month_ok, month, 1), 1))
    leap = pc.equal(mod(year, 4), 0)
    feb29 = pc.and_(pc.equal(month, 2), pc.equal(day, 29))
    day_ok = pc.and_(pc.greater_equal(day, 1), pc.less_equal(day, longest))
    day_ok = pc.and_(day_ok, pc.or_(pc.invert(feb29), leap))
    ok = pc.and_(pc.and_(ok, plain), pc.and_(month_ok, day_ok))
    key = ctx.load_key()
    values: list[str | None] = []
    bad = [False] * len(raw)
    for i, (number, good) in enumerate(zip(raw.to_pylist(), ok.to_pylist(), strict=True)):
        if good:
            values.append(person_key(key, number))
        elif number == "":
            values.append(None)
        else:
            try:
                values.append(ctx.national_id(number))
            except ValueProblem:
                values.append(None)
                bad[i] = True
    return Column(pa.array(values, pa.string()), pa.array(bad) if any(bad) else None)


def _distinct_column(raw: pa.Array, memo: Memo, out: pa.DataType) -> Column:
    """Each distinct value parsed once, in the order of first appearance (the order a
    row-by-row reading meets them, which a date column's order detection records)."""
    encoded = raw.dictionary_encode()
    cache = memo.cache
    results = [
        None if value == "" else _read_one(memo, cache, value)
        for value in encoded.dictionary.to_pylist()
    ]
    return _column(results, out, take=encoded.indices)


def _python_column(
    cells: list[Any], parser: Callable[[object], object], out: pa.DataType
) -> Column:
    """Cell by cell (a workbook column of numbers or dates, or a parser with no
    vectorised form). A memoised parser's answers are looked up here directly: most of a
    workbook's date cells repeat."""
    if isinstance(parser, Memo):
        return _memo_cells(cells, parser, out)
    nothing: dict[object, object] = {}
    results = [
        None if value is None or value == "" else _read_one(parser, nothing, value)
        for value in cells
    ]
    return _column(results, out)


_NUMBERS = (int, float)


def _memo_cells(cells: list[Any], memo: Memo, out: pa.DataType) -> Column:
    """A list of cells read with a memoised parser: each distinct text, date or number
    cell once (the memo answers a text or date's repeats; a number's answer depends on
    its value and type alone), each other cell on its own, in the order a cell-by-cell
    reading first meets them; the rows take their value's answer."""
    import pyarrow as pa

    cache = memo.cache
    if isinstance(cells, DistinctCells):  # a block of a sheet read as columns (tables.py)
        order: list[Any] = cells.distinct
        results = [None if v is None else _read_one(memo, cache, v) for v in order]
        return _column(results, out, take=cells.positions)
    slots: dict[tuple[type, object], int] = {}
    order = []
    positions: list[int] = []
    for value in cells:
        kind = value.__class__
        # Keyed by class too: 1, 1.0 and True are equal keys. 0.0 is -0.0: not shared.
        if kind in MEMO_TYPES or (kind in _NUMBERS and value):
            slot = slots.get((kind, value))
            if slot is None:
                slot = slots[kind, value] = len(order)
                order.append(value)
        else:
            slot = len(order)
            order.append(value)
        positions.append(slot)
    results = [
        None if value is None or value == "" else _read_one(memo, cache, value) for value in order
    ]
    return _column(results, out, take=pa.array(positions, pa.int32()))


def _read_one(
    parser: Callable[[object], object], cache: dict[object, object], value: Any
) -> object:
    """The parser's answer for one cell that is not empty, from its memo where the memo
    has it; `_REFUSED` where the parser refuses the value."""
    found = cache.get(value, _MISS) if value.__class__ in MEMO_TYPES else _MISS
    if found is _MISS:
        try:
            return parser(value)
        except ValueProblem:
            return _REFUSED
    return _REFUSED if isinstance(found, ValueProblem) else found


def _column(results: list[object], out: pa.DataType, take: pa.Array | None = None) -> Column:
    """A Column from parsed values, `_REFUSED` marking the bad ones (mapped through
    `take`, the row -> value indices of a dictionary, where given)."""
    import pyarrow as pa

    refused = [r is _REFUSED for r in results]
    values = pa.array([None if r is _REFUSED else r for r in results], out)
    bad = pa.array(refused) if any(refused) else None
    if take is not None:
        values = values.take(take)
        bad = None if bad is None else bad.take(take)
    return Column(values, bad)


_MISS = object()
_REFUSED = object()


def any_of(masks: Sequence[pa.Array | None]) -> pa.Array | None:
    """The rows any of `masks` marks (None when none does)."""
    import pyarrow.compute as pc

    found = [m for m in masks if m is not None]
    if not found:
        return None
    mask = found[0]
    for other in found[1:]:
        mask = pc.or_(mask, other)
    mask = pc.fill_null(mask, True)
    return mask if pc.any(mask).as_py() else None
