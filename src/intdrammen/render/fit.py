"""Rich tables that give way on a narrow terminal without breaking a word or a number,
and text that wraps only between words. Formatting only.

Rich shrinks a table that is too wide by squeezing its widest columns and, as a last
resort, every column evenly: numbers get cut (`795.` for 795.3), words are broken
("Measu/re") and columns on the right vanish. `fit(table)` instead decides the widths
itself, for the width it is printed in:

1. a table that fits is left alone (its title printed above it as prose);
2. columns marked `no_wrap=True` (numbers, dates, codes) keep their full width;
3. the other (text) columns share what is left, the widest giving way first; they
   wrap between words only, never narrower than their longest word; a file name
   (`Name`) gives way by an ellipsis in its middle (`plasseringer_…_2019.csv`);
4. to avoid squeezing, the table sheds its frame: first the outer border and the
   doubled padding between columns, then the padding itself. It does so when that
   lets every column keep its full width, else when that keeps every word whole; at
   last the headers of number columns wrap between their words ("On" over "track");
5. a table that still does not fit is printed stacked: one block per row, a
   "Label: value" line per column (as `psql \\x`), the values wrapping between words.

Every cell goes through `Words`: Rich would wrap at a no-break space ("61,0 %",
"1 000") and fold a word it cannot place; `Words` breaks only at ordinary spaces and
folds a word only when it is longer than the whole line.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Iterator

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, JustifyMethod, RenderableType, RenderResult
from rich.measure import Measurement
from rich.progress_bar import ProgressBar
from rich.segment import Segment
from rich.style import StyleType
from rich.table import Column, Table
from rich.text import Text

LAYOUTS = 4  # as built; no border; no padding; wrapped number headers
NAME_MIN = 16  # a file name is shortened to no fewer cells (or its extension and 5)
ELLIPSIS = "…"


def fit(table: Table) -> Fit:
    """`table`, laid out for the width it is printed in (see the module docstring)."""
    return Fit(table)


@dataclasses.dataclass(frozen=True)
class Name:
    """A file name (or path) among `Words`: never wrapped, shortened in its middle when
    it is longer than the line, keeping its start and its extension."""

    text: str
    style: StyleType = ""


def shorten(name: str, width: int) -> str:
    """`name` in at most `width` cells, an ellipsis in its middle keeping its start and
    its extension (with what follows it: `:1257`, `[Ark1]:12`):
    `plasseringer_drammen_2019.csv` at 20 is `plasseringe…2019.csv`."""
    if cell_len(name) <= width:
        return name
    if width <= 1:
        return ELLIPSIS[:width]
    dot = name.rfind(".", name.rfind("/") + 1)
    ext = name[dot:] if dot > 0 and len(name[dot:]) <= width - 4 else ""
    rest = width - 1 - len(ext)
    tail = rest // 3
    head = rest - tail
    return name[:head] + ELLIPSIS + name[len(name) - len(ext) - tail :]


def _name_min(name: str) -> int:
    dot = name.rfind(".", name.rfind("/") + 1)
    ext = len(name) - dot if dot > 0 else 0
    return min(cell_len(name), max(NAME_MIN, ext + 5))


_UNIT = re.compile(r"[^ \n]+")


class Words:
    """Text that wraps between words only: at an ordinary space (a no-break space holds
    "61,0 %" together) or a line break. A word longer than the whole line is folded, as
    the one thing left to do; a `Name` is shortened in its middle instead. With
    `no_wrap` each line is one word."""

    def __init__(
        self,
        *parts: str | Text | Name,
        style: StyleType = "",
        no_wrap: bool = False,
        justify: JustifyMethod | None = None,
    ) -> None:
        text = Text(style=style)
        names: list[tuple[int, int]] = []
        for part in parts:
            if isinstance(part, Name):
                start = len(text)
                text.append(part.text, part.style)
                names.append((start, len(text)))
            elif isinstance(part, Text):
                text.append_text(part)
            else:
                text.append(part)
        self.text, self.names, self.no_wrap, self.justify = text, names, no_wrap, justify

    def _units(self) -> list[list[tuple[int, int]]]:
        """Per line, the (start, end) of each word; a name's own spaces do not break it."""
        plain = self.text.plain
        lines: list[list[tuple[int, int]]] = []
        offset = 0
        for line in plain.split("\n"):
            if self.no_wrap:
                lines.append([(offset, offset + len(line))] if line else [])
            else:
                units: list[tuple[int, int]] = []
                for m in _UNIT.finditer(line):
                    start, end = offset + m.start(), offset + m.end()
                    if units and any(a < start and b > units[-1][1] for a, b in self.names):
                        units[-1] = (units[-1][0], end)  # inside one name: joined
                    else:
                        units.append((start, end))
                lines.append(units)
            offset += len(line) + 1
        return lines

    def longest(self) -> int:
        """The longest word, a file name whole."""
        widths = [self._width(s, e) for units in self._units() for s, e in units]
        return max(widths, default=0)

    def _width(self, start: int, end: int) -> int:
        return cell_len(self.text.plain[start:end])

    def _min(self, start: int, end: int) -> int:
        width = self._width(start, end)
        for a, b in self.names:
            if start <= a and b <= end:
                name = self.text.plain[a:b]
                width -= cell_len(name) - _name_min(name)
        return width

    def _place(self, start: int, end: int, width: int) -> list[Text]:
        """One word in at most `width` cells: whole, its longest name shortened, or
        folded."""
        word = self.text[start:end]
        over = word.cell_len - width
        if over <= 0:
            return [word]
        inside = [(a, b) for a, b in self.names if start <= a and b <= end]
        if inside:
            a, b = max(inside, key=lambda n: n[1] - n[0])
            name = self.text.plain[a:b]
            short = shorten(name, max(1, cell_len(name) - over))  # the floor is for tables
            head = len(short.split(ELLIPSIS, 1)[0]) if ELLIPSIS in short else len(short)
            tail = len(short) - head - 1 if ELLIPSIS in short else 0
            mark = self.text[a + head : a + head + 1]
            mark.plain = ELLIPSIS
            word = self.text[start : a + head]
            word.append_text(mark)
            word.append_text(self.text[b - tail : end])
            if word.cell_len <= width:
                return [word]
        return [word[i : i + width] for i in range(0, len(word), max(1, width))]

    def lines(self, width: int) -> list[Text]:
        """The text in lines of at most `width` cells, each a slice of the text (its
        styles and spacing kept) but for a word that has to be shortened or folded."""
        out: list[Text] = []
        for units in self._units():
            first = last = -1
            for start, end in units:
                if first >= 0 and self._width(first, end) <= width:
                    last = end
                    continue
                if first >= 0:
                    out.append(self.text[first:last])
                first = last = -1
                if self._width(start, end) <= width:
                    first, last = start, end
                else:
                    out += self._place(start, end, width)
            if first >= 0:
                out.append(self.text[first:last])
            elif not units:
                out.append(Text())  # an empty line stays
        return out

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lines = self._units()
        words = [self._min(s, e) for units in lines for s, e in units]
        longest = [self._width(units[0][0], units[-1][1]) for units in lines if units]
        return Measurement(max(words, default=0), max(longest, default=0))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        result = Text("\n").join(self.lines(max(1, options.max_width)))
        result.style = self.text.style
        result.no_wrap, result.overflow, result.justify = True, "crop", self.justify
        yield result


def words(
    cell: RenderableType, console: Console, *, no_wrap: bool = False, justify: bool = True
) -> RenderableType:
    """`cell` with its text as `Words` (a group's texts too); other renderables as
    they are."""
    if isinstance(cell, Words):
        if justify:
            return cell
        copied = copy.copy(cell)
        copied.justify = None
        return copied
    if isinstance(cell, str):
        cell = console.render_str(cell, highlight=False)
    if isinstance(cell, Text):
        return Words(
            cell,
            no_wrap=no_wrap or bool(cell.no_wrap),
            justify=cell.justify if justify else None,
        )
    if isinstance(cell, Group):
        return Group(
            *(words(r, console, no_wrap=no_wrap, justify=justify) for r in cell.renderables),
            fit=cell.fit,
        )
    return cell


class Fit:
    """A table that picks its column widths, or its stacked form, when it is rendered."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = _as_words(self.table, console)
        if self.table.title is not None:
            title = self.table.title
            text = console.render_str(title, highlight=False) if isinstance(title, str) else title
            yield Words(text, style=self.table.title_style or "table.title")
        laid = fitted(table, console, options)
        if laid is None:
            yield from _stacked(table, console, options)
        else:
            yield laid

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.table)


def _as_words(table: Table, console: Console) -> Table:
    """A copy of `table` without its title, every cell and header as `Words`."""
    result = copy.copy(table)
    result.title = None
    result.columns = []
    for column in table.columns:
        copied = dataclasses.replace(column)
        copied._cells = [words(c, console, no_wrap=column.no_wrap) for c in column._cells]
        copied.header = words(column.header, console, no_wrap=column.no_wrap)
        result.columns.append(copied)
    return result


@dataclasses.dataclass(frozen=True)
class _Span:
    """What one column needs: the widest cell, the longest word, the header's longest
    word, and whether it may wrap."""

    widest: int
    word: int  # a file name shortened
    whole: int  # a file name whole
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


def _plain(header: RenderableType) -> str:
    if isinstance(header, Words):
        return header.text.plain
    return header.plain if isinstance(header, Text) else str(header)


def _longest(cell: RenderableType) -> int:
    if isinstance(cell, Words):
        return cell.longest()
    if isinstance(cell, Group):
        return max((_longest(r) for r in cell.renderables), default=0)
    return 0


def _span(table: Table, column: Column, console: Console, options: ConsoleOptions) -> _Span:
    cells = _measure(console, options, column.cells)
    header = _measure(console, options, [column.header] if table.show_header else [])
    words = _plain(column.header).split(" ") if table.show_header else []
    return _Span(
        widest=max(cells.maximum, header.maximum, column.min_width or 0),
        word=max(cells.minimum, header.minimum, column.min_width or 0),
        whole=max(
            cells.minimum,
            header.minimum,
            column.min_width or 0,
            *(_longest(c) for c in column.cells),
        ),
        cells_widest=max(cells.maximum, column.min_width or 0),
        header_word=max((cell_len(w) for w in words), default=0),
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


def fitted(table: Table, console: Console, options: ConsoleOptions) -> Table | None:
    """`table` with explicit column widths that fit `options.max_width` with every word
    whole, as it is when it fits already, or None when it cannot fit."""
    width = options.max_width
    wide = options.update_width(max(width, 1000))
    spans = [_span(table, c, console, wide) for c in table.columns]
    if sum(s.widest for s in spans) + _frame(table) <= width or not spans:
        return table
    soft = [s for s in spans if not s.fixed]
    # The first layout in which every column has its full width, else the first in
    # which no word is broken and every file name whole, else the first in which no
    # word is broken.
    tries = [(level, [s.widest for s in soft]) for level in range(LAYOUTS - 1)]
    tries += [(level, [s.whole for s in soft]) for level in range(LAYOUTS)]
    tries += [(level, [s.word for s in soft]) for level in range(LAYOUTS)]
    for level, floors in tries:
        result = _layout(table, level)
        room = width - _frame(result) - sum(_fixed_width(s, level) for s in spans if s.fixed)
        if room >= sum(floors):
            break
    else:
        return None
    shared = iter(_share(room, floors, [s.widest for s in soft]))
    columns = []
    for index, (column, span) in enumerate(zip(result.columns, spans, strict=True)):
        if span.fixed:
            size = _fixed_width(span, level)
            if size < span.widest:  # level 3: the header wraps between its words
                column.header = words(column.header, console, no_wrap=False)
                if isinstance(column.header, Words):
                    column.header.no_wrap = False
        else:
            size = next(shared)
        column.width = _width(result, index, size)
        columns.append(column)
    result.columns = columns
    return result


def _without_bars(cell: RenderableType) -> RenderableType:
    """`cell` without its progress bars: a bar draws the number beside it, and a
    stacked "Label: value" line has no column for it to fill, so it would stand there
    unlabelled. The number stays."""
    if isinstance(cell, ProgressBar):
        return Text("")
    if isinstance(cell, Group):
        kept = [r for r in cell.renderables if not isinstance(r, ProgressBar)]
        return Group(*(_without_bars(r) for r in kept), fit=cell.fit)
    return cell


def _stacked(table: Table, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
    """`table` as one block per row, a "Label: value" line per column; the values
    wrap between words. When even that is too narrow, each label has a line of its
    own and its value the line under it."""
    width = options.max_width
    labels = [_plain(c.header) if table.show_header else "" for c in table.columns]
    label_width = max((cell_len(label) for label in labels), default=0)
    label_width += 2 if label_width else 0
    style = console.get_style(table.header_style or "") if table.header_style else None
    cells = [
        [_without_bars(words(c, console, justify=False)) for c in column._cells]
        for column in table.columns
    ]
    narrow = options.update(width=max(1, width), justify="default", no_wrap=False, height=None)
    sizes = [Measurement.get(console, narrow, c) for column in cells for c in column]
    widest_word = max((m.minimum for m in sizes), default=0)
    widest = max((m.maximum for m in sizes), default=0)
    # Values beside their labels when they keep their words whole and half the width.
    wanted = max(widest_word, min(widest, width // 2), 1)
    inline = label_width == 0 or width - label_width >= wanted
    indent = label_width if inline else min(2, width - 1)
    value = narrow.update_width(max(1, width - indent))
    for row in range(table.row_count):
        if row:
            yield Segment.line()
        for label, column in zip(labels, cells, strict=True):
            lines = console.render_lines(column[row], value, pad=False)
            if label and not inline:
                yield Segment(f"{label}:", style)
                yield Segment.line()
            for number, line in enumerate(lines):
                if inline and number == 0 and label:
                    yield Segment(f"{label}:".ljust(label_width), style)
                elif indent:
                    yield Segment(" " * indent)
                yield from line
                yield Segment.line()
    yield Segment.line()  # as the bottom edge of a table
