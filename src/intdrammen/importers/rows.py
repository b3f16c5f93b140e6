"""From a table's raw rows to storable tuples and problems, for any kind of file.

A `RowSchema` (one per kind, in participants.py and placements.py) says which storage
column each field fills, how each value is parsed and which checks span several
columns. `parse_rows` streams: it yields one tuple per good row and records every
problem in a `ProblemLog`, so a whole file is checked before anything is decided.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from intdrammen.errors import Problem
from intdrammen.importers.columns import ValueProblem
from intdrammen.importers.tables import Table

Parser = Callable[[object], object]
# A cross-column check gets the parsed values in storage-column order and returns
# problems as (code, field, message); it may also fill derived columns (the placement
# key). Dates are ISO strings by then, so they compare as dates.
RowCheck = Callable[[list[object]], list[tuple[str, str, str]]]

# Fields whose values are personal: never echoed in a problem.
HIDDEN_FIELDS = frozenset({"national_id"})


@dataclass(frozen=True)
class RowSchema:
    kind: str
    columns: tuple[str, ...]  # storage columns, in the table's order
    field_columns: dict[str, str]  # field -> storage column, where they differ
    parsers: dict[str, Parser]
    required: tuple[str, ...]
    check: RowCheck

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

    def add(self, problem: Problem) -> None:
        if problem.is_warning:
            self.warning_total += 1
            if len(self.warnings) < self.cap:
                self.warnings.append(problem)
            return
        self.error_total += 1
        if len(self.errors) < self.cap:
            self.errors.append(problem)
        if self.keep_rows and problem.row is not None:
            per_file = self.bad_rows.setdefault((problem.file, problem.sheet), {})
            per_file.setdefault(problem.row, []).append(problem)


@dataclass
class RowCounter:
    rows: int = 0


def parse_rows(
    table: Table,
    schema: RowSchema,
    columns: dict[int, str],
    *,
    batch_id: int,
    log: ProblemLog,
    counter: RowCounter,
) -> Iterator[tuple[object, ...]]:
    """Yield (storage values..., batch_id, sheet, row) for every good row of `table`;
    `counter` counts every data row read, good or bad."""
    position = {name: i for i, name in enumerate(schema.columns)}
    plan = [
        (index, name, position[schema.column_of(name)], schema.parsers[name])
        for index, name in columns.items()
    ]
    required = [(name, position[schema.column_of(name)]) for name in schema.required]
    width = len(schema.columns)
    header = table.header
    sheet = table.sheet

    def report(code: str, field_name: str, message: str, row: int, raw: object) -> None:
        index = next((i for i, n in columns.items() if n == field_name), None)
        label = header[index] if index is not None else field_name
        shown = None if field_name in HIDDEN_FIELDS or raw is None else str(raw)
        log.add(Problem(code, message, table.file, row, label, shown, sheet))

    for row_number, cells in table.rows:
        counter.rows += 1
        values: list[object] = [None] * width
        failed: list[int] = []
        for index, name, pos, parser in plan:
            raw = cells[index]
            if raw is None or raw == "":
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
        ok = not failed
        if not ok:
            continue
        found = schema.check(values)
        if found:
            for code, name, message in found:
                report(code, name, message, row_number, values[position[schema.column_of(name)]])
            if any(not code.startswith("W-") for code, _name, _message in found):
                continue
        values.extend((batch_id, sheet, row_number))
        yield tuple(values)
