"""From a table's raw rows to storable tuples and problems, for any kind of file.

A `RowSchema` (one per kind, in participants.py and placements.py) says which storage
column each field fills, how each value is parsed and which checks span several
columns. `parse_batches` streams: it yields Arrow record batches of the good rows and
records every problem in a `ProblemLog`, so a whole file is checked before anything is
decided.

Rows that are not data (totals, counts, notes and page footers, the header again) are
passed over with a warning naming them (`not_data`, at the end); a row with more or
fewer values than the header is refused (E-FIELDS), as is a cell holding one of intd's
own placeholders (E-PLACEHOLDER) and a second header with other columns, with every
row under it (E-HEADER-CHANGED).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from intdrammen.errors import Problem, private
from intdrammen.ids import without_fnr
from intdrammen.importers.columnar import (
    Batch,
    _to_batch,
    any_of,
    read_column,
    row_batches,
    text_batches,
)
from intdrammen.importers.columns import (
    PLACEHOLDER,
    DateColumn,
    ValueProblem,
    field_of,
    placeholder_problem,
    score_header,
)
from intdrammen.importers.context import required_text
from intdrammen.importers.tables import CellValue, Table, normalize_header
from intdrammen.importers.workbook_cells import (
    Serial1904,
    Serial1904Int,
    Uncalculated,
    is_error_literal,
)
from intdrammen.store import COLUMN_TYPES

if TYPE_CHECKING:
    import pyarrow as pa

Parser = Callable[[object], object]
# A cross-column check gets the parsed values in storage-column order and returns
# problems as (code, field, message); it may also fill derived columns (the placement
# key). Dates are ISO strings by then, so they compare as dates.
RowCheck = Callable[[list[object]], list[tuple[str, str, str]]]
VectorCheck = Callable[[list["pa.Array"]], tuple[list["pa.Array"], "pa.Array | None"]]

# Fields whose values are personal: never echoed in a problem.
HIDDEN_FIELDS = frozenset({"national_id"})
# Problems about a value that is personal wherever it is (a name in an id column).
HIDDEN_CODES = frozenset({"E-NAME-AS-ID"})


@dataclass(frozen=True)
class RowSchema:
    kind: str
    columns: tuple[str, ...]  # storage columns, in the table's order
    field_columns: dict[str, str]  # field -> storage column, where they differ
    parsers: dict[str, Parser]
    required: tuple[str, ...]
    check: RowCheck
    # The same rules as `check` over a batch's columns (storage order): the columns (a
    # derived one filled in) and a mask of the rows it refuses, each then given to
    # `check` for its message.
    vector_check: VectorCheck

    def position(self, column: str) -> int:
        return self.columns.index(column)

    def column_of(self, field_name: str) -> str:
        return self.field_columns.get(field_name, field_name)


@dataclass
class ProblemLog:
    """Problems found so far: the first `cap` of each severity kept, all counted."""

    cap: int = 100
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    error_total: int = 0
    warning_total: int = 0
    bad_rows: dict[tuple[str, str | None], dict[int, list[Problem]]] = field(default_factory=dict)
    keep_rows: bool = False  # --on-error skip keeps every bad row's problems for its CSV
    # ... and the row's cells as read, so the rejected-rows CSV can be fixed and imported
    bad_cells: dict[tuple[str, str | None], dict[int, list[object]]] = field(default_factory=dict)
    # What each date column of each table showed about its order (see dates.py)
    dates: dict[tuple[str, str | None, str], DateColumn] = field(default_factory=dict)

    def keep_cells(self, file: str, sheet: str | None, row: int, cells: Sequence[object]) -> None:
        if self.keep_rows:
            self.bad_cells.setdefault((file, sheet), {})[row] = list(cells)

    def add(self, problem: Problem) -> None:
        """Count `problem`, and keep it (masked: `errors.private`) when within the cap."""
        if problem.is_warning:
            self.warning_total += 1
            if len(self.warnings) < self.cap:
                self.warnings.append(private(problem))
            return
        self.error_total += 1
        if len(self.errors) < self.cap:
            self.errors.append(private(problem))
        if self.keep_rows and problem.row is not None:
            kept = private(problem)
            per_file = self.bad_rows.setdefault((kept.file, kept.sheet), {})
            per_file.setdefault(problem.row, []).append(kept)


@dataclass
class RowCounter:
    rows: int = 0  # every data row read
    good: int = 0  # rows that passed every check


def parse_batches(
    table: Table,
    schema: RowSchema,
    columns: dict[int, str],
    *,
    batch_id: int,
    log: ProblemLog,
    counter: RowCounter,
    lean: Callable[[Batch], None] | None = None,
    lines: int | None = None,
) -> Iterator[pa.RecordBatch]:
    """Yield the good rows of `table` as Arrow record batches of the storage columns
    then batch_id, sheet and source_row; `counter` counts every data row read, good or
    bad. Each column is read vectorised (columnar.py); a row any column refuses, or
    whose id is unlike an id, is read again here cell by cell, which reports every
    problem of it or passes it over as not data. `lines` (a text file's physical lines)
    lets pyarrow read the file; without it the rows come from tables.py. `lean` sees the
    first batch before it is read (a date column's order, dates.py)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    position = {name: i for i, name in enumerate(schema.columns)}
    plan = [
        (index, name, position[schema.column_of(name)], schema.parsers[name])
        for index, name in columns.items()
    ]
    required = [(name, position[schema.column_of(name)]) for name in schema.required]
    width = len(schema.columns)
    types = [arrow_type(column) for column in schema.columns]
    out_schema = pa.schema(
        [(c, t) for c, t in zip(schema.columns, types, strict=True)]
        + [("batch_id", pa.int64()), ("sheet", pa.string()), ("source_row", pa.int64())]
    )
    header = table.header
    sheet = table.sheet
    index_of = {name: index for index, name in columns.items()}  # field -> its column

    def report(code: str, field_name: str, message: str, row: int, raw: object) -> None:
        index = index_of.get(field_name)
        label = header[index] if index is not None else field_name
        hidden = field_name in HIDDEN_FIELDS or code in HIDDEN_CODES
        shown = None if hidden or raw is None else without_fnr(str(raw))
        log.add(Problem(code, message, table.file, row, label, shown, sheet))

    def slow(row_number: int, cells: Sequence[object]) -> tuple[list[object], list[int]]:
        """Parse a row cell by cell, reporting every problem: the values (None where a
        cell failed) and the positions that failed."""
        values: list[object] = [None] * width
        failed: list[int] = []
        for index, name, pos, parser in plan:
            raw = cells[index]
            if raw is None or raw == "":
                continue
            if raw.__class__ is str and (placeholder := placeholder_problem(raw)):
                report(placeholder.code, name, placeholder.message, row_number, raw)
                failed.append(pos)
                continue
            try:
                values[pos] = parser(raw)
            except ValueProblem as problem:
                report(problem.code, name, problem.message, row_number, raw)
                failed.append(pos)
        for name, pos in required:
            if values[pos] is None and pos not in failed:
                report("E-REQUIRED", name, f"{name} is empty", row_number, None)
                failed.append(pos)
        return values, failed

    # Rows that are not data (totals, notes, the header again) are passed over with a
    # warning. A row every column reads is looked at only when its id is unlike an id
    # (no digit, only digits, spaces, ':' ...).
    ids = [
        index_of[name]
        for name, _pos in required
        if name in index_of and schema.parsers[name] is required_text
    ]
    hidden = {index for index, name in columns.items() if name in HIDDEN_FIELDS}
    id_pos = position[schema.column_of(columns[ids[0]])] if ids else -1
    state = _State()

    def refuse_under(row_number: int, cells: Sequence[object]) -> None:
        """A row under a second header with other columns: not read (E-HEADER-CHANGED)."""
        under = f"under the second header row (row {state.second_header}): not read"
        log.add(Problem("E-HEADER-CHANGED", under, table.file, row_number, "row", None, sheet))
        log.keep_cells(table.file, sheet, row_number, cells)

    def passed_over(row_number: int, cells: Sequence[object], previous_id: object) -> bool:
        verdict = not_data(cells, header, ids, hidden, previous_id, columns, schema.kind)
        if verdict is None:
            return False
        code, message, index = verdict
        if code == "E-HEADER-CHANGED":
            # A header with other columns: what follows is another table. Nothing under
            # it is read in this table's columns: it and each row after it are refused.
            where = header[index] if index < len(header) and header[index] else "row"
            log.add(
                Problem("E-HEADER-CHANGED", message, table.file, row_number, where, None, sheet)
            )
            log.keep_cells(table.file, sheet, row_number, cells)
            state.second_header = row_number
            return True
        counter.rows -= 1  # not a data row
        if code:
            raw = cells[index]
            shown = None if index in hidden or raw.__class__ is not str else without_fnr(raw)
            column = header[index] if index < len(header) and header[index] else "row"
            log.add(Problem(code, message, table.file, row_number, column, shown, sheet))
        return True

    check = schema.check
    width_in = len(header)
    workbook = table.delimiter is None
    unnamed = [i for i, name in enumerate(header) if not name]  # values here are not read
    unread: dict[int, int] = {}  # column index -> first row with a value in it

    def one_batch(batch: Batch) -> pa.RecordBatch | None:
        n = len(batch)
        counter.rows += n
        if state.second_header is not None:
            for i in range(n):
                refuse_under(batch.numbers[i], batch.cells(i))
            return None
        for i in unnamed:
            first = _first_filled(batch.columns[i])
            if first is not None and i not in unread:
                unread[i] = batch.numbers[first]
        read = {
            pos: read_column(batch.columns[index], parser, types[pos])
            for index, _name, pos, parser in plan
        }
        arrays = [
            read[pos].values if pos in read else pa.nulls(n, types[pos]) for pos in range(width)
        ]
        masks = [c.bad for c in read.values()]
        masks += [pc.is_null(arrays[pos]) for _name, pos in required]
        arrays, wrong = schema.vector_check(arrays)
        bad = any_of([*masks, wrong])
        bad_rows = set(pc.indices_nonzero(bad).to_pylist()) if bad is not None else set()
        unlike: set[int] = set()
        if id_pos >= 0:
            screen = pc.invert(pc.match_substring_regex(arrays[id_pos], _PLAIN_ID))
            screen = pc.fill_null(screen, False)
            for i in pc.indices_nonzero(screen).to_pylist():
                value = arrays[id_pos][i].as_py()
                if i not in bad_rows and value is not None and _unlike_an_id(value):
                    unlike.add(i)
        candidates = sorted(bad_rows | unlike)
        if not candidates:
            counter.good += n
            if id_pos >= 0 and n:
                state.previous_id = arrays[id_pos][n - 1].as_py()
            return _record_batch(arrays, batch, batch_id, sheet, out_schema, None, [])
        keep = [True] * n
        slow_rows: list[list[object]] = []
        last_candidate = -1
        last_id = state.previous_id  # the id of the last good row before row i

        def id_of(i: int) -> object:
            return arrays[id_pos][i].as_py() if id_pos >= 0 else None

        for i in candidates:
            if state.second_header is not None:
                keep[i] = False
                for j in range(i, n):
                    keep[j] = False
                    refuse_under(batch.numbers[j], batch.cells(j))
                break
            if i - last_candidate > 1:  # a good row read vectorised lies between
                last_id = id_of(i - 1)
            last_candidate = i
            row_number = batch.numbers[i]
            cells = batch.cells(i)
            keep[i] = False
            if passed_over(row_number, cells, last_id):
                if state.second_header is not None:
                    for j in range(i + 1, n):
                        keep[j] = False
                        refuse_under(batch.numbers[j], batch.cells(j))
                    break
                continue
            bad_cells: list[int] = []
            if i in bad_rows:
                values, bad_cells = slow(row_number, cells)
            else:
                values = [a[i].as_py() for a in arrays]
            values.extend((batch_id, sheet, row_number))
            found = [
                (code, name, message)
                for code, name, message in check(values)
                if position[schema.column_of(name)] not in bad_cells
            ]
            for code, name, message in found:
                # Show the cell as it was typed (01.03.2019), not as parsed.
                index = index_of.get(name)
                raw = None if index is None or cells[index] == "" else cells[index]
                report(code, name, message, row_number, raw)
            failed = bool(bad_cells) or any(not code.startswith("W-") for code, _n, _m in found)
            if failed:
                log.keep_cells(table.file, sheet, row_number, cells)
                continue
            if i in bad_rows:
                slow_rows.append(values)
            else:
                keep[i] = True
            if id_pos >= 0:
                last_id = values[id_pos]
        counter.good += sum(keep) + len(slow_rows)
        # The batch ends with rows read vectorised, or with the last candidate.
        state.previous_id = id_of(n - 1) if candidates[-1] < n - 1 else last_id
        return _record_batch(arrays, batch, batch_id, sheet, out_schema, keep, slow_rows)

    def split_at_second_header(batch: Batch) -> list[Batch]:
        """The batch, or its rows before a second header with other columns, that row
        alone, and the rows under it (refused unread: their dates must not decide the
        order of a date column, as no value under that header is read)."""
        if not ids or state.second_header is not None:
            return [batch]
        column = batch.columns[ids[0]]
        if isinstance(column, list):
            maybe = [
                i for i, c in enumerate(column) if not any(ch.isdigit() for ch in str(c or ""))
            ]
        else:
            no_digit = pc.match_substring_regex(column, "^[^0-9]*$")
            maybe = pc.indices_nonzero(pc.fill_null(no_digit, True)).to_pylist()
        for i in maybe:
            verdict = not_data(batch.cells(i), header, ids, hidden, None, columns, schema.kind)
            if verdict is not None and verdict[0] == "E-HEADER-CHANGED":
                parts = [batch.slice(0, i)] if i else []
                return [*parts, batch.slice(i, i + 1), batch.slice(i + 1)]
        return [batch]

    if lines is not None:
        source: Iterator[Batch | tuple[int, list[CellValue]]] = text_batches(table, width_in, lines)
    else:
        source = row_batches(_prelude(table, workbook, width_in, unread, counter), width_in)
    first = True
    for item in source:
        if isinstance(item, tuple):
            row_number, cells = item
            counter.rows += 1
            for i in unnamed:
                if i < len(cells) and cells[i] not in (None, "") and i not in unread:
                    unread[i] = row_number
            if state.second_header is not None:
                refuse_under(row_number, cells)
                continue
            if passed_over(row_number, cells, state.previous_id):
                continue
            if _wrong_width(table, log, row_number, cells, width_in):
                continue
            item = _to_batch([row_number], [list(cells[:width_in])], width_in)
            counter.rows -= 1  # counted above
        if first and lean is not None:
            lean(item)
        first = False
        for part in split_at_second_header(item):
            produced = one_batch(part)
            if produced is not None and produced.num_rows:
                yield produced
    for i, first_row in sorted(unread.items()):
        where = "right of the table's header" if i >= width_in else "under an empty header cell"
        log.add(
            Problem(
                "W-COLUMN-UNNAMED",
                f"values {where} (column {i + 1} of the table, first in row {first_row}): not read",
                table.file,
                first_row,
                f"column {i + 1}",
                None,
                sheet,
            )
        )


@dataclass
class _State:
    """What reading a table carries from one batch to the next."""

    previous_id: object = None  # the id of the last good row
    second_header: int | None = None  # the row of a second header with other columns


def arrow_type(column: str) -> pa.DataType:
    import pyarrow as pa

    kind = COLUMN_TYPES.get(column, "text")
    return {"integer": pa.int64(), "real": pa.float64()}.get(kind, pa.string())


def _record_batch(
    arrays: list[pa.Array],
    batch: Batch,
    batch_id: int,
    sheet: str | None,
    schema: pa.Schema,
    keep: list[bool] | None,
    slow_rows: list[list[object]],
) -> pa.RecordBatch:
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(batch)
    provenance = [
        pa.array([batch_id] * n, pa.int64()),
        pa.array([sheet] * n, pa.string()),
        pa.array(batch.numbers, pa.int64()),
    ]
    result = pa.RecordBatch.from_arrays([*arrays, *provenance], schema=schema)
    if keep is not None:
        result = result.filter(pa.array(keep))
    if slow_rows:
        extra = pa.RecordBatch.from_arrays(
            [
                pa.array(list(column), f.type)
                for column, f in zip(zip(*slow_rows, strict=True), schema, strict=True)
            ],
            schema=schema,
        )
        table = pa.Table.from_batches([result, extra])
        table = table.take(pc.sort_indices(table, [("source_row", "ascending")]))
        result = table.combine_chunks().to_batches()[0] if table.num_rows else result
    return result


def _first_filled(column: Any) -> int | None:
    """The index of the first non-empty cell of a batch column, or None."""
    if isinstance(column, list):
        return next((i for i, c in enumerate(column) if c not in (None, "")), None)
    import pyarrow.compute as pc

    filled = pc.indices_nonzero(pc.greater(pc.binary_length(column), 0))
    return filled[0].as_py() if len(filled) else None


def _prelude(
    table: Table, workbook: bool, width_in: int, unread: dict[int, int], counter: RowCounter
) -> Iterator[tuple[int, list[CellValue]]]:
    """A workbook's rows cut to the table's header: cells right of it are a note a person
    typed beside the table, or a column without a name. Not read, and said once per
    column (`unread`); a row of only such cells counts as read but holds nothing."""
    for row_number, cells in table.rows:
        if workbook and len(cells) > width_in:
            for i in range(width_in, len(cells)):
                if cells[i] not in (None, "") and i not in unread:
                    unread[i] = row_number
            cells = cells[:width_in]
            if cells.count(None) + cells.count("") == width_in:
                counter.rows += 1
                continue
        yield row_number, cells


def _wrong_width(
    table: Table, log: ProblemLog, row_number: int, cells: Sequence[object], width_in: int
) -> bool:
    """E-FIELDS for a row with fewer values than the header has columns, or more; False
    for a longer row whose extra cells are empty (read as the header's width)."""
    header, sheet = table.header, table.sheet
    if len(cells) < width_in:
        count = len(cells)
        got = [str(c) for c in cells if c not in (None, "")]
        log.add(
            Problem(
                "E-FIELDS",
                f"this row has {count} value{'s' if count != 1 else ''} but the "
                f"header has {width_in} columns",
                table.file,
                row_number,
                header[count] or f"column {count + 1}",
                ", ".join(without_fnr(c) for c in got)[:200],
                sheet,
            )
        )
        log.keep_cells(table.file, sheet, row_number, cells)
        return True
    extra = [str(c) for c in cells[width_in:] if c not in (None, "")]
    if not extra:
        return False
    log.add(
        Problem(
            "E-FIELDS",
            f"this row has {len(cells)} values but the header has {width_in} columns",
            table.file,
            row_number,
            f"after {header[-1]}" if header else "row",
            without_fnr(", ".join(extra)),
            sheet,
        )
    )
    log.keep_cells(table.file, sheet, row_number, cells)
    return True


# An id that is certainly like an id to `_unlike_an_id` (letters and digits, or a code
# starting with a letter, with a digit, in ASCII): rows whose id is anything else are
# looked at in Python.
_PLAIN_ID = (
    r"^(?:[A-Za-z][A-Za-z0-9_/.-]*[0-9][A-Za-z0-9_/.-]*"
    r"|[A-Za-z0-9]*(?:[A-Za-z][A-Za-z0-9]*[0-9]|[0-9][A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]*)$"
)


# --- rows that are not data ---------------------------------------------------------------
#
# Under a table (and sometimes inside it) offices leave rows that are not participants or
# placements: totals and counts, notes and page footers, the header again on every page of
# an export printed in pages. They are passed over with a warning naming the row. The rule
# is the row's shape, not a word list alone: a total has one label cell and otherwise only
# numbers; a note is the only cell of its row and reads as text, not as an id. A row with
# two text cells, a date or a fødselsnummer is data, whatever its words.

_TOTAL_WORDS = (
    r"totalt?|totals|totalsum(?:men)?|sum(?:ma|mer|s)?|delsum(?:mer)?|sub-?total"
    r"|antall|i\s+alt|count|gjennomsnitt|snitt|average|median|maks(?:imum)?|max|min(?:imum)?"
    r"|[∑Σ]"
)
# A total label starts with a total word (Totalt, Sum 2019, Antall: 8, I alt, Grand
# total) or ends with one after a space (Drammen Totalt, Eritrea Antall: what Excel's
# Subtotal writes). "Sum Bygg AS" is a label too, but only a row of numbers besides it
# is a total; "P-SUM1" is not a label.
_TOTAL_LABEL = re.compile(
    rf"\A[\s*]*(?:grand\s+)?(?:{_TOTAL_WORDS})(?=\Z|[\s:.=(])|\s(?:{_TOTAL_WORDS})[\s:.]*\Z",
    re.IGNORECASE,
)


def is_total_label(text: str) -> bool:
    """Whether `text` reads as the label of a total row (Totalt, Sum 2019, Drammen Totalt)."""
    return _TOTAL_LABEL.search(text) is not None


# A number as text: 8, 1 234, 37,5, 1.000,5, 50 %, -3 (not a date: 01.12.2019).
_NUMBER = re.compile(r"[-+\u2212]?\d[\d\s\u00a0\u202f.,]*%?")
_DATE_LIKE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}.*")
_LETTERS = re.compile(r"[^\W\d_]{3}")
_NOTE_MARK = ("*", "#", "†", "‡", "¹", "²", "³", "sep=")
_DELIMITERS = (",", ";", "\t", "|")
_MARK = re.compile(r"[\s:*#(=]").search
_DIGIT = re.compile(r"\d").search


def _unlike_an_id(value: str) -> bool:
    """What sends a row the fast path took to `not_data`: an id with a space, ':' or a
    mark, with no digit, or of nothing but digits. Ids of real rows have letters and
    digits (two C calls decide), or only digits in an office with numeric ids, whose
    rows are then each looked at (a few microseconds)."""
    if value.isalnum():
        return value.isdigit() or value.isalpha()
    return _MARK(value) is not None or _DIGIT(value) is None or _is_number(value)


def _is_number(value: object) -> bool:
    if value.__class__ is str:
        raw = value.strip()
        if not raw or not (raw[0].isdigit() or raw[0] in "+-\u2212"):
            return False  # most text: one look at its first character
        return _NUMBER.fullmatch(raw) is not None and _DATE_LIKE.fullmatch(raw) is None
    return value.__class__ in (int, float, Serial1904, Serial1904Int)


def _is_note(label: str, width: int) -> bool:
    """Whether the only cell of a row reads as a note (Kilde: NAV Drammen, Utskrevet
    01.12.2019, Side 1 av 3, * foreløpige tall, # comment) rather than an id. A line
    holding many of another delimiter is a row written wrong (E-FIELDS), not a note."""
    raw = label.strip()
    most = max(raw.count(d) for d in _DELIMITERS)
    if most >= 2 and 2 * most >= width - 1:
        return False
    if raw.casefold().startswith(_NOTE_MARK) or re.search(r":(?:\s|\Z)", raw):
        return True
    return width > 1 and " " in raw and _LETTERS.search(raw) is not None


def not_data(
    cells: Sequence[object],
    header: Sequence[str],
    ids: Sequence[int],
    hidden: set[int],
    previous_id: object = None,
    fields: dict[int, str] | None = None,
    kind: str | None = None,
) -> tuple[str, str, int] | None:
    """Why a row is not data, as (code, message, index of the cell to name), or None
    when it is data (or may be: then it is parsed, and refused if it is wrong). Code ""
    is a row of only spaces: blank to a person, passed over silently as blank rows are.

    `ids` are the columns of the required ids, `hidden` those of the fødselsnummer,
    `previous_id` the id of the good row before (to tell a lone count or word from an
    id of the kind the table has), `fields` the table's columns (index -> field) of this
    `kind`, to tell the header again from a second header with other columns
    (E-HEADER-CHANGED: an error, the rows under it are not read). A usual data row is
    told in a few C calls: its second cell of text (not a number) decides."""
    first: tuple[int, str] | None = None  # the first cell of text that is not a number
    computed = False  # a formula with no stored value, or an error value, was seen
    for i, c in enumerate(cells):
        # A computed cell beside a total label is part of the total row, like a number;
        # without a label the row is data (and refused for that cell).
        if c is None or c == "" or c.__class__ in (int, float, Serial1904, Serial1904Int):
            continue
        if c.__class__ is Uncalculated:
            computed = True
            continue
        if not isinstance(c, str):
            return None  # a date, a time, true/false: data
        if c.isdigit() or c.isspace() or _is_number(c):
            continue
        if c[0] in "#E" and is_error_literal(c):
            computed = True
            continue
        if first is not None:  # two texts: data, or the header again
            if _named(first, header) or (len(first[1]) > 1 and score_header([first[1]])):
                return _header_again(cells, header, fields, kind)
            return None
        first = (i, c)
    filled = [i for i, c in enumerate(cells) if not (c is None or c == "" or _is_space(c))]
    if not filled:
        return "", "", 0
    if first is None:
        return None if computed else _only_numbers(filled, ids, hidden, previous_id)
    i, label = first
    if PLACEHOLDER.search(label):
        return None  # a row of a .rejected.csv: refused with E-PLACEHOLDER, never passed over
    if _named(first, header) and (again := _header_again(cells, header, fields, kind)):
        return again
    if _TOTAL_LABEL.search(label):
        return "W-TOTAL-ROW", "a total row, not data: passed over", i
    if len(filled) > 1:
        return None
    if _is_note(label, len(header)):
        return "W-NOTE-ROW", "a note, not data: passed over", i
    if (
        i in ids
        and isinstance(previous_id, str)
        and not any(ch.isdigit() for ch in label)
        and any(ch.isdigit() for ch in previous_id)
    ):
        message = "a lone word where the ids above have digits (a title?): passed over"
        return "W-NOTE-ROW", message, i
    return None


def _is_space(value: object) -> bool:
    return isinstance(value, str) and value.isspace()


def _named(cell: tuple[int, str], header: Sequence[str]) -> bool:
    i, value = cell
    return i < len(header) and normalize_header(value).casefold() == header[i].casefold()


def _header_again(
    cells: Sequence[object],
    header: Sequence[str],
    fields: dict[int, str] | None,
    kind: str | None,
) -> tuple[str, str, int] | None:
    """W-HEADER-REPEATED when every cell with content is the header's cell above it (or
    another name of the same column); E-HEADER-CHANGED when they are all column names
    but not the table's."""
    filled = [(i, c) for i, c in enumerate(cells) if not (c is None or c == "" or _is_space(c))]
    if not all(isinstance(c, str) for _i, c in filled):
        return None
    texts = [(i, str(c)) for i, c in filled]
    named = sum(1 for h in header if h)

    def same(i: int, c: str) -> bool:
        if _named((i, c), header):
            return True
        field = (fields or {}).get(i)
        return field is not None and kind is not None and field_of(c, kind) == field

    if len(texts) >= min(2, named) and all(same(i, c) for i, c in texts):
        return "W-HEADER-REPEATED", "the header row again: passed over", texts[0][0]
    if len(texts) >= 2 and score_header([normalize_header(c) for _i, c in texts]) == len(texts):
        message = (
            "a second header row with other columns than the table's: a second table? "
            "It and the rows under it are not read"
        )
        return "E-HEADER-CHANGED", message, texts[0][0]
    return None


def _only_numbers(
    filled: list[int], ids: Sequence[int], hidden: set[int], previous_id: object
) -> tuple[str, str, int] | None:
    """A row of only numbers is a total or a count, unless it has a fødselsnummer (a
    person) or an id where the table's ids are numbers too."""
    if any(i in hidden for i in filled):
        return None
    id_cells = [i for i in filled if i in ids]
    if not id_cells:
        message = "only numbers and no id (a total or a count?): passed over"
        return "W-TOTAL-ROW", message, filled[0]
    if isinstance(previous_id, str) and not _is_number(previous_id):
        message = "only numbers where the ids above are not (a total or a count?): passed over"
        return "W-TOTAL-ROW", message, id_cells[0]
    return None
