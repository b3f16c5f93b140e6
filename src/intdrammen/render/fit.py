"""Rich tables that give way on a narrow terminal without cutting a number or losing a
column. Formatting only.

Rich shrinks a table that is too wide by squeezing its widest columns and, as a last
resort, every column evenly: numbers get cut (`795.` for 795.3) and columns on the right
vanish. `fit(table)` instead decides the widths itself, for the width it is printed in:

1. a table that fits is left alone;
2. columns marked `no_wrap=True` (numbers, dates, codes) keep their full width;
3. the other (text) columns share what is left, the widest giving way first; they
   wrap between words, and fold a word only when even `FLOOR` (or the longest word,
   if shorter) does not fit;
4. to avoid squeezing, the table sheds its frame: first the outer border and the
   doubled padding between columns, then the padding itself. It does so when that
   lets every column keep its full width, else when that keeps every word whole,
   else when that keeps the text columns at their floors; at last the headers of
   number columns wrap between words ("On track" over two lines).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text

FLOOR = 10  # a text column is squeezed below this (or its longest word) only as a last resort
LAYOUTS = 4  # as built; no border; no padding; wrapped number headers


def fit(table: Table) -> Fit:
    """`table`, laid out for the width it is printed in (see the module docstring)."""
    return Fit(table)


class Fit:
    """A table that picks its column widths when it is rendered."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield fitted(self.table, console, options)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.table)


@dataclasses.dataclass(frozen=True)
class _Span:
    """What one column needs: the widest cell, the longest word, the header's longest
    word, and whether it may wrap."""

    widest: int
    word: int
    cells_widest: int  # without the header
    header_word: int
    fixed: bool
    min_width: int


def _measure(
    console: Console, options: ConsoleOptions, cells: Iterable[RenderableType]
) -> Measurement:
    found = [Measurement.get(console, options, cell) for cell in cells]
    return Measurement(
        max((m.minimum for m in found), default=0), max((m.maximum for m in found), default=0)
    )


def _header_words(header: RenderableType) -> str:
    """A header's text with a break allowed after each '/' ("Work/ education")."""
    text = header.plain if isinstance(header, Text) else str(header)
    return text.replace("/", "/ ")


def _span(table: Table, column: Column, console: Console, options: ConsoleOptions) -> _Span:
    cells = _measure(console, options, column.cells)
    header = _measure(console, options, [column.header] if table.show_header else [])
    words = _header_words(column.header) if table.show_header else ""
    return _Span(
        widest=max(cells.maximum, header.maximum, column.min_width or 0),
        word=max(cells.minimum, header.minimum, column.min_width or 0),
        cells_widest=max(cells.maximum, column.min_width or 0),
        header_word=max((len(w) for w in words.split()), default=0),
        fixed=column.no_wrap or column.width is not None,
        min_width=column.min_width or 0,
    )


def _padding(table: Table, index: int) -> int:
    """The padding column `index` is drawn with, left plus right (as Table._get_cells)."""
    _top, right, _bottom, left = table.padding
    if table.collapse_padding and index > 0:
        left = max(0, left - right)
    if not table.pad_edge:
        left = 0 if index == 0 else left
        right = 0 if index == len(table.columns) - 1 else right
    return left + right


def _width(table: Table, index: int, content: int) -> int:
    """The `Column.width` that gives column `index` `content` cells of text. Rich adds
    its own idea of the padding to a fixed width (`Table._get_padding_width`), which
    under collapse_padding is one less than the padding drawn in the first column."""
    counted = table._get_padding_width(index)
    return max(1, content + _padding(table, index) - counted)


def _frame(table: Table) -> int:
    """Width of borders, dividers and padding (Table._extra_width plus padding)."""
    count = len(table.columns)
    lines = ((2 if table.show_edge else 0) + count - 1) if table.box else 0
    return lines + sum(_padding(table, i) for i in range(count))


def _layout(table: Table, level: int) -> Table:
    """A copy of `table` with its frame thinned to `level` (0 = as built)."""
    result = copy.copy(table)
    result.columns = [dataclasses.replace(c) for c in table.columns]
    if level >= 1:
        if result.box is not None:
            result.box = box.SIMPLE_HEAD
        result.show_edge = False
        result.collapse_padding = True
    if level >= 2 and result.box is not None:
        result.padding = (0, 0)  # the dividers are one space wide
    return result


def _fixed_width(span: _Span, level: int) -> int:
    if level < 3:
        return span.widest
    return max(span.cells_widest, span.header_word, span.min_width)


def _share(room: int, low: list[int], high: list[int]) -> list[int]:
    """Widths between `low` and `high` adding up to at most `room`: the widest columns
    give way first (water-filling). Assumes sum(low) <= room."""
    top = max(high, default=0)
    bottom = 0
    while bottom < top:  # the largest cap whose widths fit
        cap = (bottom + top + 1) // 2
        if sum(max(lo, min(hi, cap)) for lo, hi in zip(low, high, strict=True)) <= room:
            bottom = cap
        else:
            top = cap - 1
    return [max(lo, min(hi, bottom)) for lo, hi in zip(low, high, strict=True)]


def fitted(table: Table, console: Console, options: ConsoleOptions) -> Table:
    """`table` with explicit column widths that fit `options.max_width`, or as it is
    when it fits already."""
    width = options.max_width
    wide = options.update_width(max(width, 1000))
    spans = [_span(table, c, console, wide) for c in table.columns]
    if sum(s.widest for s in spans) + _frame(table) <= width or not spans:
        return table
    soft = [s for s in spans if not s.fixed]
    floors = [max(min(s.word, FLOOR), s.min_width) for s in soft]
    # The first layout in which every column has its full width, else the first in
    # which no word is broken, else the first in which the text columns keep their floors.
    tries = [(level, sum(s.widest for s in soft)) for level in range(LAYOUTS - 1)]
    tries += [(level, sum(s.word for s in soft)) for level in range(LAYOUTS - 1)]
    tries += [(level, sum(floors)) for level in range(LAYOUTS)]
    level, result, room = 0, table, 0
    for level, needed in tries:
        result = _layout(table, level)
        room = width - _frame(result) - sum(_fixed_width(s, level) for s in spans if s.fixed)
        if room >= needed:
            break
    if room < sum(floors):  # narrower than anything readable: fold words, keep numbers
        floors = [max(1, s.min_width) for s in soft]
    shared = iter(_share(max(room, sum(floors)), floors, [s.widest for s in soft]))
    columns = []
    for index, (column, span) in enumerate(zip(result.columns, spans, strict=True)):
        if span.fixed:
            size = _fixed_width(span, level)
            if size < span.widest:  # level 3: the header wraps between its words
                header = column.header
                style = header.style if isinstance(header, Text) else ""
                column.header = Text(_header_words(header), style, no_wrap=False, overflow="fold")
        else:
            size = next(shared)
            column.overflow = "fold"
        column.width = _width(result, index, size)
        columns.append(column)
    result.columns = columns
    return result
