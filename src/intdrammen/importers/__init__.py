"""Import files into the database: file -> tables -> parsed rows + problems -> store.

`import_files` is the whole of `intd import`: every file of one command goes into one
transaction. If any error is found (and `on_error` is "fail") nothing is written and
`ImportRejected` carries every problem, each naming file, sheet, row, column, value and
code. With `on_error="skip"` the good rows are written and the bad ones are listed in a
`<file>.rejected.csv` beside each input.
"""

from __future__ import annotations

import csv
import dataclasses
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intdrammen import __version__
from intdrammen.config import key_path, load_key
from intdrammen.errors import ConfigError, ImportRejected, InputFileError, Problem
from intdrammen.ids import key_fingerprint, without_fnr
from intdrammen.importers import dates, parallel, participants, placements
from intdrammen.importers.columns import (
    FIELDS,
    KINDS,
    Memo,
    detect_kind,
    field_of,
    match_columns,
    score_header,
)
from intdrammen.importers.context import ParseContext
from intdrammen.importers.rows import ProblemLog, RowCounter, RowSchema, parse_rows
from intdrammen.importers.tables import Table, file_info, read_tables
from intdrammen.render.cells import safe_cell
from intdrammen.store import StageCounts, Store, write_transaction

CHUNK = 10_000
KEY_FINGERPRINT = "key_fingerprint"


@dataclass
class ImportOptions:
    kind: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    on_error: str = "fail"  # or "skip"
    max_errors: int = 100
    progress: Callable[[int], None] | None = None  # called with rows read so far
    date_order: str | None = None  # "dmy" or "mdy": the order of slash and dash dates


@dataclass
class TableResult:
    file: str
    sheet: str | None
    kind: str
    sha256: str
    rows: int = 0
    skipped: int = 0
    counts: StageCounts = field(default_factory=StageCounts)
    batch_id: int | None = None
    already: int | None = None  # an earlier batch with the identical file
    rejected_file: Path | None = None
    good: int = 0  # rows that passed every check

    @property
    def changed(self) -> bool:
        return bool(self.counts.inserted or self.counts.updated)


@dataclass
class ImportReport:
    tables: list[TableResult]
    warnings: list[Problem]
    warning_total: int
    dry_run: bool

    @property
    def changed(self) -> bool:
        return any(t.changed for t in self.tables)


def load_mapping(path: Path) -> dict[str, str]:
    """An office's own column names: a TOML file with a [columns] table
    `"Their name" = "canonical_field"`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the mapping file {path}: {exc}") from None
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise ConfigError(f'{path} needs a [columns] table like "Deltakernr" = "participant_id".')
    known = {f.name for fields in FIELDS.values() for f in fields}
    for theirs, ours in columns.items():
        if ours not in known:
            raise ConfigError(
                f"{path}: {theirs!r} maps to {ours!r}, which is not a field; "
                "`intd columns` lists them."
            )
    return {str(k): str(v) for k, v in columns.items()}


@dataclass
class _Planned:
    table: Table
    kind: str
    columns: dict[int, str]
    sha256: str
    size: int  # bytes of the file it comes from


def _plan(paths: Iterable[Path], options: ImportOptions, log: ProblemLog) -> list[_Planned]:
    """Open every file and decide each table's kind and columns before writing anything."""
    planned: list[_Planned] = []
    for path in paths:
        info = file_info(path, encoding=options.encoding)
        for table in read_tables(
            path,
            score_header=_scorer(options.mapping),
            sheet=options.sheet,
            encoding=options.encoding,
            info=info,
        ):
            kind = options.kind or detect_kind(table.header, options.mapping)
            if kind is None:
                raise InputFileError(
                    "E-KIND",
                    table.file,
                    "cannot tell from the header whether this is a participants or a "
                    f"placements file (columns: {', '.join(repr(h) for h in table.header)})",
                    sheet=table.sheet,
                )
            columns = match_columns(table.header, kind, options.mapping)
            _check_columns(table, kind, columns, log, options.mapping)
            planned.append(_Planned(table, kind, columns, info.sha256, info.size))
    return planned


def _scorer(mapping: dict[str, str]) -> Callable[[Sequence[str]], int]:
    if not mapping:
        return score_header
    from intdrammen.importers.columns import normalise_name

    own = {normalise_name(k) for k in mapping}
    return lambda cells: (
        score_header(cells) + sum(1 for c in cells if c and normalise_name(str(c)) in own)
    )


def _check_columns(
    table: Table,
    kind: str,
    columns: dict[int, str],
    log: ProblemLog,
    mapping: dict[str, str] | None = None,
) -> None:
    found = set(columns.values())
    missing = [f.name for f in FIELDS[kind] if f.required and f.name not in found]
    if missing:
        raise InputFileError(
            "E-COLUMN",
            table.file,
            f"the {kind} file has no column for {', '.join(missing)} (header row "
            f"{table.header_row}: {', '.join(repr(h) for h in table.header if h)})",
            sheet=table.sheet,
        )
    first_of = {field: index for index, field in columns.items()}
    for index, name in enumerate(table.header):
        if name and index not in columns:
            field = field_of(name, kind, mapping)
            message = "column not used by intd (ignored)"
            if field is not None and field in first_of:
                message = (
                    f"a second column for {field}: only the first "
                    f"({table.header[first_of[field]]!r}) is read"
                )
            log.add(
                Problem(
                    "W-COLUMN",
                    message,
                    table.file,
                    table.header_row,
                    name,
                    None,
                    table.sheet,
                )
            )


def _schemas(ctx: ParseContext) -> dict[str, RowSchema]:
    return {"participants": participants.schema(ctx), "placements": placements.schema(ctx)}


def _with_dates(
    ctx: ParseContext, item: _Planned, log: ProblemLog
) -> tuple[_Planned, dict[str, RowSchema]]:
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
    rows = dates.Lean(table.rows, date_columns) if date_columns else table.rows
    return dataclasses.replace(item, table=dataclasses.replace(table, rows=rows)), {
        item.kind: schema
    }


def _decide_dates(log: ProblemLog) -> None:
    """Read again where a date column was read in the wrong order; refuse, whatever
    --on-error says, a column whose order nothing decides."""
    orders, problems = dates.decide(log.dates)
    if orders is not None:
        raise dates.Reread(orders)
    if problems:
        raise ImportRejected([*problems, *log.errors][: log.cap], log.error_total + len(problems))


def import_files(db: Path, paths: list[Path], options: ImportOptions) -> ImportReport:
    """Import `paths` into the database at `db` in one transaction (see module doc)."""
    ctx = ParseContext(
        key=lambda: load_key(create=not options.dry_run) or _dry_run_key(),
        date_order=options.date_order,
    )
    try:
        return _import(db, paths, options, ctx)
    except dates.Reread as again:  # a date column was read in the order it disproves
        ctx.date_orders = again.orders
        return _import(db, paths, options, ctx)


def _import(db: Path, paths: list[Path], options: ImportOptions, ctx: ParseContext) -> ImportReport:
    log = ProblemLog(cap=options.max_errors, keep_rows=options.on_error == "skip")
    planned = _plan(paths, options, log)
    with write_transaction(db, dry_run=options.dry_run) as store:
        report = _run(store, planned, options, ctx, log, direct=True) if store.empty() else None
        if report is None:
            # Not empty, or the fast path met a repeated id: the careful, staged path.
            if store.empty():
                log = ProblemLog(cap=options.max_errors, keep_rows=options.on_error == "skip")
                planned = _plan(paths, options, log)
            report = _run(store, planned, options, ctx, log, direct=False)
            assert report is not None  # only the direct path gives up
    if options.on_error == "skip" and not options.dry_run:
        _write_rejected(planned, log, report)
    return report


def _run(
    store: Store,
    planned: list[_Planned],
    options: ImportOptions,
    ctx: ParseContext,
    log: ProblemLog,
    *,
    direct: bool,
) -> ImportReport | None:
    """Load every table. `direct` (an empty database) inserts straight into the tables and
    gives up, returning None, when an id repeats; otherwise rows are staged, compared with
    what is stored, and upserted."""
    if any("national_id" in item.columns.values() for item in planned):
        # Loaded (or created) here, once, not in a parser process of each file.
        _check_key(store, ctx, options)
    if direct:
        store.begin_bulk_load()
    else:
        store.create_stage()
    results = [
        _load_table(store, *_with_dates(ctx, item, log), log, options, direct) for item in planned
    ]
    _decide_dates(log)
    if direct and any(r.counts.inserted != r.good for r in results):
        store.abandon_bulk_load()
        return None
    if not direct:
        _report_duplicates(store, log, results)
    if log.error_total and options.on_error != "skip":
        raise ImportRejected(log.errors, log.error_total)
    if direct:
        store.finish_bulk_load()
    else:
        for kind in KINDS:
            for batch_id, counts in store.apply_stage(kind).items():
                for result in results:
                    if result.batch_id == batch_id:
                        result.counts = counts
    _report_same_person(store, results, log)
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
    return ImportReport(results, log.warnings, log.warning_total, options.dry_run)


def _load_table(
    store: Store,
    item: _Planned,
    schemas: dict[str, RowSchema],
    log: ProblemLog,
    options: ImportOptions,
    direct: bool,
) -> TableResult:
    """Parse one table into the staging area, or straight into its table, under a new
    batch."""
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
    batch_id = result.batch_id

    def parse(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[list[object]]:
        source = dataclasses.replace(table, rows=rows)
        return parse_rows(
            source, schemas[item.kind], item.columns, batch_id=batch_id, log=log, counter=counter
        )

    if parallel.available() and item.size >= parallel.MIN_BYTES:
        chunks = parallel.parse_in_children(
            table.rows, parse, log, counter, block=CHUNK, n=parallel.children_for_this_machine()
        )
    else:
        chunks = _chunks(parse(table.rows))
    for chunk in chunks:
        if direct:
            result.counts.inserted += store.insert_new(item.kind, chunk)
        else:
            store.stage(item.kind, chunk)
        if options.progress:
            options.progress(counter.rows)
    result.rows, result.good = counter.rows, counter.good
    result.skipped = len(log.bad_rows.get((table.file, table.sheet), {}))
    unknown = store.count_municipality(item.kind, result.batch_id, "9999", staged=not direct)
    if unknown:
        message = (
            f"{unknown} rows have municipality 9999 (Uoppgitt): counted as unknown municipality"
        )
        log.add(
            Problem(
                "W-MUNICIPALITY-UNKNOWN",
                message,
                table.file,
                None,
                "municipality",
                None,
                table.sheet,
            )
        )
    return result


def _check_key(store: Store, ctx: ParseContext, options: ImportOptions) -> None:
    """Use the key this database's person keys were made with, or refuse: hashes made
    with another key would never match, and the same people would count twice."""
    problem = key_problem(store)
    if problem:
        raise ConfigError(
            f"{problem}, so nobody already imported would be recognised. Restore that key "
            "file, or point INTD_KEY_FILE at it."
        )
    if store.meta(KEY_FINGERPRINT) is None and not options.dry_run:
        store.set_meta(KEY_FINGERPRINT, key_fingerprint(ctx.load_key()))


def key_problem(store: Store) -> str | None:
    """Why the key file does not fit this database (None when it does, or when the
    database has recorded no key yet). Also used by `intd check`."""
    recorded = store.meta(KEY_FINGERPRINT)
    if recorded is None:
        return None
    key = load_key(create=False)
    if key is None:
        return (
            f"The key file {key_path()} is missing, and this database's fødselsnummer "
            "hashes were made with a key"
        )
    if key_fingerprint(key) != recorded:
        return f"The key file {key_path()} is not the key this database's hashes were made with"
    return None


def _dry_run_key() -> bytes:
    # A dry run must not create the key file; a throw-away key hashes just as well.
    import secrets

    return secrets.token_bytes(32)


def _chunks(rows: Iterator[list[object]]) -> Iterator[list[list[object]]]:
    chunk: list[list[object]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    yield chunk


def _report_duplicates(store: Store, log: ProblemLog, results: list[TableResult]) -> None:
    files = {r.batch_id: (r.file, r.sheet) for r in results}
    for kind in KINDS:
        conflicts = store.stage_conflicts(kind)
        for key, batch_id, sheet, row, first_row in conflicts:
            file, _sheet = files[batch_id]
            shown = key.split(":", 1)[1] if kind == "placements" else key
            column = (
                "placement_id"
                if key.startswith("id:")
                else ("participant_id" if kind == "participants" else "start_date")
            )
            log.add(
                Problem(
                    "E-DUPLICATE",
                    f"the same {kind[:-1]} appears in row {first_row} with different data",
                    file,
                    row,
                    column,
                    shown,
                    sheet,
                )
            )
        if conflicts and log.keep_rows:
            store.unstage_rows(kind, [(b, r) for _k, b, _s, r, _f in conflicts])


def _report_same_person(store: Store, results: list[TableResult], log: ProblemLog) -> None:
    files = {r.batch_id: r.file for r in results}
    batches = [r.batch_id for r in results if r.batch_id is not None]
    for pid, batch_id, sheet, row in store.shared_person_keys(batches)[: log.cap]:
        log.add(
            Problem(
                "W-SAME-PERSON",
                "this fødselsnummer belongs to another participant id too: counted as one person",
                files[batch_id],
                row,
                "participant_id",
                pid,
                sheet,
            )
        )


def _write_rejected(planned: list[_Planned], log: ProblemLog, report: ImportReport) -> None:
    """Write each input's rejected rows to <input>.rejected.csv: the spreadsheet row, its
    problems, then the row's own cells under the file's own header, so the file can be
    corrected and imported as it is. A fødselsnummer is not copied (its column is left
    empty, and any other cell holding one is hidden)."""
    for item, result in zip(planned, report.tables, strict=True):
        where = (item.table.file, item.table.sheet)
        bad = log.bad_rows.get(where)
        if not bad:
            continue
        cells_of = log.bad_cells.get(where, {})
        header = [str(h) for h in item.table.header]
        hidden = {i for i, name in item.columns.items() if name == "national_id"}
        target = item.table.path.with_name(
            f"{item.table.path.stem}{'-' + item.table.sheet if item.table.sheet else ''}"
            ".rejected.csv"
        )
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["row", "problems", *(
                f"{h} (not copied)" if i in hidden else h for i, h in enumerate(header)
            )])  # fmt: skip
            for row in sorted(bad):
                problems = " | ".join(
                    f"{p.code} {p.column}"
                    + (f" {p.value!r}" if p.value is not None else "")
                    + f": {p.message}"
                    for p in bad[row]
                )
                cells = cells_of.get(row, [])
                shown = [
                    "" if i in hidden or cell is None else without_fnr(str(cell))
                    for i, cell in enumerate(cells)  # all: E-FIELDS rows have more
                ]
                writer.writerow([safe_cell(v) for v in (row, problems, *shown)])
        result.rejected_file = target
