"""Run a plan into the store: file -> tables -> parsed rows + problems -> store.

`import_files` is the whole of `intd import`: every file of one command goes into one
transaction. If any error is found (and `on_error` is "fail") nothing is written and
`ImportRejected` carries every problem, each naming file, sheet, row, column, value and
code. With `on_error="skip"` the good rows are written and the bad ones are listed in a
`<file>.rejected.csv` beside each input (rejected.py).

Here is the order of the steps and nothing else: plan every file (plan.py), check the
identity key (key.py), read each table in column batches (columnar.py, rows.py) into the
stage (store/stage.py), decide each date column's order (dates.py), compare the staged
rows with one another and with what is stored (store_checks.py; into an empty table the
stage is loaded there), upsert, --replace (replace.py), then keep a history entry per
file that changed anything. A date column read in the order it disproves, or a text
file pyarrow would number differently, runs the import again (one transaction). The
database is reached only through `Store`, the seam a second backend (PostgreSQL, issue
16) implements.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from intdrammen import __version__
from intdrammen.config import load_key
from intdrammen.errors import ImportRejected, Problem
from intdrammen.importers import dates, participants, placements
from intdrammen.importers.columnar import Batch, RowReadingNeeded, arrow_readable
from intdrammen.importers.columns import KINDS, Memo
from intdrammen.importers.context import ParseContext
from intdrammen.importers.key import _check_key, _dry_run_key
from intdrammen.importers.options import ImportOptions
from intdrammen.importers.plan import _plan, _Planned
from intdrammen.importers.rejected import _write_rejected
from intdrammen.importers.replace import _remove_missing
from intdrammen.importers.results import ImportReport, TableResult
from intdrammen.importers.rows import ProblemLog, RowCounter, RowSchema, parse_batches
from intdrammen.importers.store_checks import (
    _keep_absent_columns,
    _report_duplicates,
    _report_fnr_changes,
    _report_lookalikes,
    _report_same_person,
)
from intdrammen.store import Store, write_transaction
from intdrammen.store.stage import Stage

if TYPE_CHECKING:
    from intdrammen.store.target import PostgresTarget


def _schemas(ctx: ParseContext) -> dict[str, RowSchema]:
    return {"participants": participants.schema(ctx), "placements": placements.schema(ctx)}


def _with_dates(
    ctx: ParseContext, item: _Planned, log: ProblemLog, *, by_rows: bool
) -> tuple[_Planned, dict[str, RowSchema], Callable[[Batch], None] | None]:
    """A table and its own parsers: each date column decides its order of day and
    month, recorded in `log`, from the table's first rows on (see dates.py)."""
    table = item.table
    labels = {name: str(table.header[index]) for index, name in item.columns.items()}
    where = (table.file, str(table.path), table.sheet, labels, log.dates)
    make = {"participants": participants.schema, "placements": placements.schema}[item.kind]
    schema = make(dataclasses.replace(ctx, table=where))
    date_columns = {
        index: (log.dates[key], parser.parse)
        for index, name in item.columns.items()
        if (key := (str(table.path), table.sheet, name)) in log.dates
        and isinstance(parser := schema.parsers[name], Memo)
    }
    lean = None
    if date_columns and by_rows:
        rows = dates.Lean(table.rows, date_columns)
        item = dataclasses.replace(item, table=dataclasses.replace(table, rows=rows))
    elif date_columns:
        lean = functools.partial(dates.lean_batch, date_columns)
    return item, {item.kind: schema}, lean


def _decide_dates(log: ProblemLog) -> None:
    """Read again where a date column was read in the wrong order; refuse, whatever
    --on-error says, a column whose order nothing decides."""
    orders, found = dates.decide(log.dates)
    if orders is not None:
        raise dates.Reread(orders)
    problems = [p for p in found if not p.is_warning]
    for warning in found:
        if warning.is_warning:
            log.add(warning)
    if problems:
        raise ImportRejected(
            [*problems, *log.errors][: log.cap],
            log.error_total + len(problems),
            log.warnings,
            log.warning_total,
        )


def import_files(
    db: Path | PostgresTarget, paths: list[Path], options: ImportOptions
) -> ImportReport:
    """Import `paths` into the database at `db` in one transaction (see module doc)."""
    _lean_arrow_memory()
    ctx = ParseContext(
        key=lambda: load_key(create=not options.dry_run) or _dry_run_key(),
        date_order=options.date_order,
    )
    by_rows: set[str] = set()  # text files read from their rows, not by pyarrow
    for _attempt in range(len(paths) + 3):
        try:
            return _import(db, paths, options, ctx, by_rows)
        except dates.Reread as again:  # a date column was read in the order it disproves
            ctx.date_orders = again.orders
        except RowReadingNeeded as needed:  # pyarrow would number the rows differently
            by_rows.add(needed.path)
    return _import(db, paths, options, ctx, {str(p) for p in paths})


def _lean_arrow_memory() -> None:
    """pyarrow's allocations (the process's default pool) from jemalloc, which hands
    freed blocks back to the system as it goes. With pyarrow's default, mimalloc, an
    import of 1M placements + 200k participants peaked at 239-262 MiB against a limit of
    256; with jemalloc at 213-220 MiB, in the same time. Left as it is where the user
    chose a pool (ARROW_DEFAULT_MEMORY_POOL) or this pyarrow has no jemalloc (its
    Windows builds)."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    with contextlib.suppress(NotImplementedError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())


def _import(
    db: Path | PostgresTarget,
    paths: list[Path],
    options: ImportOptions,
    ctx: ParseContext,
    by_rows: set[str],
) -> ImportReport:
    log = ProblemLog(cap=options.max_errors, keep_rows=options.on_error == "skip")
    planned = _plan(paths, options, log)
    with write_transaction(db, dry_run=options.dry_run) as store:
        report = _run(store, planned, options, ctx, log, by_rows)
        if options.on_error == "skip" and not options.dry_run:
            # Before the commit: rows rejected here are never imported without their file.
            _write_rejected(planned, log, report)
    return report


def _run(
    store: Store,
    planned: list[_Planned],
    options: ImportOptions,
    ctx: ParseContext,
    log: ProblemLog,
    by_rows: set[str],
) -> ImportReport:
    """Read every table into the stage, compare the staged rows with one another and
    with what is stored, and upsert them."""
    if any("national_id" in item.columns.values() for item in planned):
        # Loaded (or created) here, once, before any file is read.
        _check_key(store, ctx, options)
    writer = store.stage_writer()
    try:
        results = [_load_table(store, writer, item, ctx, log, options, by_rows) for item in planned]
        store.attach_stage(writer.finish())
        _decide_dates(log)
        for item, result in zip(planned, results, strict=True):
            _report_unknown_municipality(store, item, result, log)
        _keep_absent_columns(store, planned, results, log)
        # Into an empty table this loads the stage (Store.load_if_new_and_unique): a
        # check after it that drops staged rows (--on-error skip) must drop them from the
        # table too. The one that does, a changed fødselsnummer, finds none there.
        _report_duplicates(store, log, results)
        _report_fnr_changes(store, planned, results, log, options)
        for result in results:  # rows rejected only now (--on-error skip) count too
            result.skipped = len(log.bad_rows.get((result.file, result.sheet), {}))
        if log.error_total and options.on_error != "skip":
            raise ImportRejected(log.errors, log.error_total, log.warnings, log.warning_total)
        for kind in KINDS:
            for batch_id, counts in store.apply_stage(kind).items():
                for result in results:
                    if result.batch_id == batch_id:
                        result.counts = counts
        if options.replace:
            _remove_missing(store, results, log)
    finally:
        store.detach_stage()  # before its file goes
        writer.remove()
    _report_same_person(store, results, log)
    _report_unlinked(store, results, log)
    _report_lookalikes(store, planned, results, log)
    for result in results:
        assert result.batch_id is not None
        if not result.changed and (result.rows or result.already is not None):
            store.drop_batch(result.batch_id)  # nothing new: no history entry
            result.batch_id = None
        else:
            store.finish_batch(
                result.batch_id, rows=result.rows, skipped=result.skipped, counts=result.counts
            )
    # Nothing changed at all: roll back, so the file stays byte-for-byte as it was.
    store.discard = all(r.batch_id is None for r in results)
    return ImportReport(
        results,
        log.warnings,
        log.warning_total,
        options.dry_run,
        replace=options.replace,
        rejected=log.errors if options.on_error == "skip" else [],
        rejected_total=log.error_total if options.on_error == "skip" else 0,
    )


def _load_table(
    store: Store,
    writer: Stage,
    item: _Planned,
    ctx: ParseContext,
    log: ProblemLog,
    options: ImportOptions,
    by_rows: set[str],
) -> TableResult:
    """Read one table into the stage, under a new batch."""
    lines: int | None = None
    if arrow_readable(item.table) and str(item.table.path) not in by_rows and item.lines:
        count, plain = item.lines
        if plain:  # else pyarrow would number its rows otherwise: read from its rows
            lines = count
    reading_rows = lines is None
    item, schemas, lean = _with_dates(ctx, item, log, by_rows=reading_rows)
    table = item.table
    result = TableResult(table.file, table.sheet, item.kind, item.sha256)
    result.already = getattr(store.applied_with_sha(item.sha256), "id", None)
    result.batch_id = store.add_batch(
        file=table.file,
        sha256=item.sha256,
        kind=item.kind,
        sheet=table.sheet,
        intd_version=__version__,
    )
    counter = RowCounter()
    batches = parse_batches(
        table,
        schemas[item.kind],
        item.columns,
        batch_id=result.batch_id,
        log=log,
        counter=counter,
        lean=lean,
        lines=lines,
    )
    for batch in batches:
        writer.write(item.kind, batch)
        if options.progress:
            options.progress(counter.rows)
    result.rows, result.good = counter.rows, counter.good
    result.skipped = len(log.bad_rows.get((table.file, table.sheet), {}))
    return result


def _report_unlinked(store: Store, results: list[TableResult], log: ProblemLog) -> None:
    """On a shared database: placements this office wrote whose participant it has not
    imported (W-PLACEMENT-UNLINKED)."""
    for result in results:
        if result.kind != "placements" or result.batch_id is None:
            continue
        unlinked = store.unlinked_placements(result.batch_id)
        if unlinked:
            rows = "1 placement names" if unlinked == 1 else f"{unlinked:,} placements name"
            log.add(
                Problem(
                    "W-PLACEMENT-UNLINKED",
                    f"{rows} a participant this office has not imported: counted without "
                    "the participant's municipality",
                    result.file,
                    None,
                    "participant_id",
                    None,
                    result.sheet,
                )
            )


def _report_unknown_municipality(
    store: Store, item: _Planned, result: TableResult, log: ProblemLog
) -> None:
    assert result.batch_id is not None
    unknown = store.count_municipality(item.kind, result.batch_id, "9999")
    if unknown:
        rows = "1 row has" if unknown == 1 else f"{unknown:,} rows have"
        message = f"{rows} municipality 9999 (Uoppgitt): counted as unknown municipality"
        log.add(
            Problem(
                "W-MUNICIPALITY-UNKNOWN",
                message,
                result.file,
                None,
                "municipality",
                None,
                result.sheet,
            )
        )
