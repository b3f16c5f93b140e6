"""From a table's raw rows to storable tuples and problems, for any kind of file.

A `RowSchema` (one per kind, in participants.py and placements.py) says which storage
column each field fills, how each value is parsed and which checks span several
columns. `parse_rows` streams: it yields one tuple per good row and records every
problem in a `ProblemLog`, so a whole file is checked before anything is decided.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from intdrammen.errors import Problem
from intdrammen.ids import FNR_LIKE, without_fnr
from intdrammen.importers.columns import DateColumn, Memo, ValueProblem, free_text, text
from intdrammen.importers.context import required_text
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
    # ... and the row's cells as read, so the rejected-rows CSV can be fixed and imported
    bad_cells: dict[tuple[str, str | None], dict[int, list[object]]] = field(default_factory=dict)
    # What each date column of each table showed about its order (see dates.py)
    dates: dict[tuple[str, str | None, str], DateColumn] = field(default_factory=dict)

    def keep_cells(self, file: str, sheet: str | None, row: int, cells: Sequence[object]) -> None:
        if self.keep_rows:
            self.bad_cells.setdefault((file, sheet), {})[row] = list(cells)

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
    rows: int = 0  # every data row read
    good: int = 0  # rows that passed every check


def parse_rows(
    table: Table,
    schema: RowSchema,
    columns: dict[int, str],
    *,
    batch_id: int,
    log: ProblemLog,
    counter: RowCounter,
) -> Iterator[list[object]]:
    """Yield [storage values..., batch_id, sheet, row] for every good row of `table`;
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

    index_of = {name: index for index, name in columns.items()}  # field -> its column

    def report(code: str, field_name: str, message: str, row: int, raw: object) -> None:
        index = index_of.get(field_name)
        label = header[index] if index is not None else field_name
        shown = None if field_name in HIDDEN_FIELDS or raw is None else without_fnr(str(raw))
        log.add(Problem(code, message, table.file, row, label, shown, sheet))

    fast = compile_row_parser(plan, width, [pos for _name, pos in required])

    def slow(row_number: int, cells: Sequence[object]) -> tuple[list[object], list[int]]:
        """Parse a row cell by cell, reporting every problem: the values (None where a
        cell failed) and the positions that failed."""
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
        return values, failed

    check = schema.check
    width_in = len(header)
    for row_number, cells in table.rows:
        counter.rows += 1
        if len(cells) > width_in:
            extra = [str(c) for c in cells[width_in:] if c not in (None, "")]
            if extra:
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
                continue
        values = fast(cells, batch_id, sheet, row_number)
        bad_cells: list[int] = []
        if values is None:
            # Report every problem of the row: each bad cell, and the cross-column rules
            # over the cells that did parse (not again about a cell already reported).
            values, bad_cells = slow(row_number, cells)
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
        counter.good += 1
        yield values


_MISS = object()
_ODD_SPACING = re.compile("[\u00a0\t\n\r]|  ")


def compile_row_parser(
    plan: list[tuple[int, str, int, Parser]], width: int, required: list[int]
) -> Callable[[Sequence[object], int, str | None, int], list[object] | None]:
    """A straight-line function parsing one row of this file's layout (and appending its
    batch, sheet and row number), for speed: no
    loop over cells, memoised parsers looked up inline. It returns None when any value
    is bad or a required one is missing; the caller then re-parses the row cell by cell
    to report exactly what is wrong. The generated source holds only column positions
    and names of our own parsers, never data from the file."""
    env: dict[str, object] = {
        "MISS": _MISS,
        "VP": ValueProblem,
        "ODD": _ODD_SPACING.search,
        "FNR": FNR_LIKE.search,
    }
    body: list[str] = []
    results = ["None"] * width
    for n, (index, _name, pos, parser) in enumerate(plan):
        env[f"P{n}"] = parser
        body.append(f"v = cells[{index}]")
        if isinstance(parser, Memo):
            env[f"C{n}"] = parser.cache
            body += [
                "if v is None or v == '':",
                f"    r{n} = None",
                "else:",
                f"    r{n} = C{n}.get(v, MISS)",
                f"    if r{n} is MISS or r{n}.__class__ is VP:",
                f"        r{n} = P{n}(v)",
            ]
        elif parser in (text, free_text, required_text):
            # Clean text needs no call: strip, and only unusual spacing (or, for free
            # text, something like a fødselsnummer) goes to the parser.
            suspect = "" if parser is text else f" or FNR(r{n})"
            body += [
                "if v.__class__ is str:",
                f"    r{n} = v.strip()",
                f"    if not r{n} or ODD(r{n}){suspect}:",
                f"        r{n} = P{n}(v)",
                "elif v is None:",
                f"    r{n} = P{n}('')" if parser is required_text else f"    r{n} = None",
                "else:",
                f"    r{n} = P{n}(v)",
            ]
        else:
            body.append(f"r{n} = None if v is None or v == '' else P{n}(v)")
        results[pos] = f"r{n}"
    lines = ["def parse(cells, batch, sheet, row):", "    try:"]
    lines += [f"        {line}" for line in body] or ["        pass"]
    lines += ["    except VP:", "        return None"]
    missing = " or ".join(f"{results[pos]} is None" for pos in required)
    if missing:
        lines += [f"    if {missing}:", "        return None"]
    lines.append(f"    return [{', '.join(results)}, batch, sheet, row]")
    exec(compile("\n".join(lines), "<intd row parser>", "exec"), env)  # noqa: S102
    return env["parse"]  # type: ignore[return-value]
