"""Which of day and month comes first in a table's slash and dot dates.

03/01/2019 is 3 January to a Norwegian and 1 March to an American: a person reads it
from the rest of the column (12/31/2019 there makes the column month-first). intd does
the same, without a second pass over the file: while a table is parsed, each date
column records what its values prove (`columns.DateColumn`), and a value that fits
both orders is read day-first for now. When every table is parsed, `decide` fixes each
column's order:

- a value above 12 in the first place proves day-first, in the second month-first;
- a column without such a value takes the order the other date columns of its table
  prove (one program wrote them); dot dates (dd.mm.yyyy, today's Norwegian files) are
  day-first unless their own column proves otherwise;
- slash or dash dates that nothing decides are refused with E-DATE-ORDER-UNKNOWN (pass
  --date-order); a column that proves both orders gets E-DATE-ORDER-MIXED on its rows.

To read such values right from the start, the first rows of each table are read
first (`lean`): a value fitting both orders is read in the order they prove. Where one
was read in the order its column then disproves anyway (or a column proves both), the
import is run again with every order fixed (`Reread`): it is one transaction, so
nothing of the first run stays. Dot and ISO dates cost nothing extra per row.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from intdrammen.errors import Problem
from intdrammen.importers.columns import DMY, MDY, MIXED, UNKNOWN, DateColumn, ValueProblem

Row = tuple[int, list[Any]]
Parse = Callable[[object], object]
LEAN_ROWS = 1000  # first rows of a table read to see which order its dates take

DateKey = tuple[str, str | None, str]  # file path, sheet, field


class Reread(Exception):  # not an error: a request to read again
    """Read the import again with these orders fixed for its date columns."""

    def __init__(self, orders: dict[DateKey, str]) -> None:
        super().__init__("date orders decided")
        self.orders = orders


def proven(columns: Iterable[DateColumn]) -> set[str]:
    """The orders that values of these columns (one table's) prove."""
    columns = list(columns)
    return {DMY for c in columns if c.dmy} | {MDY for c in columns if c.mdy}


def order_of(column: DateColumn, table: set[str]) -> str:
    """The order a column's values (and those of its table, `table`) decide."""
    if column.dmy and column.mdy:
        return MIXED
    if column.mdy or column.dmy:
        return MDY if column.mdy else DMY
    if column.ambiguous and column.slash:
        if column.forced:
            return column.forced
        return next(iter(table)) if len(table) == 1 else UNKNOWN
    return DMY


class Lean:
    """A table's rows, whose first rows, when iteration starts, are read for their date
    columns (index -> column and its unremembering parser) first: a value fitting both
    orders is then read from the start in the order those rows prove, and a second
    reading is rarely needed. Nothing is read before iteration starts."""

    def __init__(self, rows: Iterator[Row], columns: dict[int, tuple[DateColumn, Parse]]):
        self.rows, self.columns = rows, columns
        self.started: Iterator[Row] | None = None

    def __iter__(self) -> Iterator[Row]:
        if self.started is None:
            self.started = self._start()
        return self.started

    def __next__(self) -> Row:
        return next(iter(self))

    def _start(self) -> Iterator[Row]:
        head = list(itertools.islice(self.rows, LEAN_ROWS))
        for _row, cells in head:
            for index, (_column, parse) in self.columns.items():
                value = cells[index] if index < len(cells) else None
                _try(parse, value)
        _settle(self.columns)
        return itertools.chain(head, self.rows)


def lean_batch(columns: dict[int, tuple[DateColumn, Parse]], batch: Any) -> None:
    """What `Lean` does, for a table read in column batches (columnar.py): the first
    rows of the first batch are read for their date columns first."""
    for index, (_column, parse) in columns.items():
        cells = batch.columns[index][:LEAN_ROWS]
        for value in cells if isinstance(cells, list) else cells.to_pylist():
            _try(parse, value)
    _settle(columns)


def _try(parse: Parse, value: object) -> None:
    if value is not None and value != "":
        with contextlib.suppress(ValueProblem):
            parse(value)


def _settle(found: dict[int, tuple[DateColumn, Parse]]) -> None:
    columns = [column for column, _parse in found.values()]
    table = proven(columns)
    for column in columns:
        order = order_of(column, table)
        column.leans = order if order in (DMY, MDY) else DMY
        column.guessed.clear()  # these rows are read again, in that order


def decide(found: dict[DateKey, DateColumn]) -> tuple[dict[DateKey, str] | None, list[Problem]]:
    """The order of every date column (when any column must be read again; else None),
    and a problem for each column whose order nothing decides."""
    tables: dict[tuple[str, str | None], dict[str, DateColumn]] = {}
    for (path, sheet, name), column in found.items():
        tables.setdefault((path, sheet), {})[name] = column
    orders: dict[DateKey, str] = {}
    problems: list[Problem] = []
    again = False
    for (path, sheet), columns in tables.items():
        table = proven(columns.values())
        for name, column in columns.items():
            order = column.order or order_of(column, table)
            if column.order is None:  # read again if values were read in another order
                wrong = order in (DMY, MDY) and bool(column.guessed - {order})
                again = again or wrong or order == MIXED
            orders[(path, sheet, name)] = order
            if order == UNKNOWN:
                problems.append(_unknown(sheet, column))
            elif order == MDY and column.mdy and "." in column.mdy and not column.slash:
                problems.append(_dots_month_first(sheet, column))
    return (orders if again else None), problems


def _dots_month_first(sheet: str | None, column: DateColumn) -> Problem:
    """Dot dates are Norwegian, day-first: reading a column of them month-first is said."""
    month = (column.mdy or "").split(".")[1:2]
    shown = f" ({column.mdy!r} has no month {month[0]})" if month else ""
    return Problem(
        "W-DATE-MONTH-FIRST",
        "dot dates read month-first, as the column's own dates show"
        f"{shown}: check that this export writes month first",
        column.file,
        None,
        column.label,
        None,
        sheet,
    )


def _unknown(sheet: str | None, column: DateColumn) -> Problem:
    examples = " and ".join(repr(v) for v in column.ambiguous)
    return Problem(
        "E-DATE-ORDER-UNKNOWN",
        f"day-first or month-first? Every date here fits both (such as {examples}) and no "
        "other date column of the table tells: pass --date-order dmy or --date-order mdy",
        column.file,
        None,
        column.label,
        None,
        sheet,
    )
