"""Commands that put data in and keep it safe: import, imports, undo, check, columns."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from intdrammen.cli.app import app, fail, state
from intdrammen.cli.figures import LANG_HELP, Lang, _fmt
from intdrammen.cli.helptext import choices
from intdrammen.errors import UndoRefused

if TYPE_CHECKING:
    from intdrammen.errors import ImportRejected
    from intdrammen.render.fmt import Fmt


class Kind(StrEnum):
    participants = "participants"
    placements = "placements"


class OnError(StrEnum):
    fail = "fail"
    skip = "skip"


class DateOrder(StrEnum):
    dmy = "dmy"
    mdy = "mdy"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


class ImportsFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


LIST_FORMAT_HELP = f"Output: {choices(ListFormat)}."
IMPORTS_FORMAT_HELP = f"Output: {choices(ImportsFormat)}."
LangOption = Annotated[Lang | None, typer.Option(metavar="LANG", help=LANG_HELP)]


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...",
            help="Spreadsheet files: delimited text (.csv, .txt, .tsv; delimiter and "
            "encoding detected) and workbooks (.xlsx, .xlsm, .xls, .ods). Participants and "
            "placements may come in one run; each file's kind is read from its header.",
            show_default=False,
        ),
    ],
    kind: Annotated[
        Kind | None,
        typer.Option(
            metavar="KIND",
            help=f"{choices(Kind)}: the kind of every file, instead of reading it from the header.",
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Import only the sheet of this name of a workbook."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and show what would change; write nothing.")
    ] = False,
    encoding: Annotated[
        str | None,
        typer.Option(
            metavar="ENCODING",
            help="Force the text encoding of text files (.csv, .txt, .tsv), for example "
            "utf-8, utf-16, cp1252 (Windows), mac_roman (also: macintosh; Excel for Mac "
            "'CSV (Macintosh)'), iso8859-15, latin-1. Without it the encoding is detected.",
        ),
    ] = None,
    map_specs: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="NAME=FIELD|FILE",
            help='Your column name for an intd field, "Deltakernr=participant_id" '
            '("Født=ignore" passes a column over), or a TOML file of them (a \\[columns] '
            "table); may be given more than once. A mapped column wins over intd's own names.",
            show_default=False,
        ),
    ] = None,
    on_error: Annotated[
        OnError,
        typer.Option(
            "--on-error",
            metavar="MODE",
            help="fail: reject the whole import; skip: import the good rows and write the "
            "bad ones, with their problems, to FILE.rejected.csv (fix it and import it).",
        ),
    ] = OnError.fail,
    max_errors: Annotated[
        int, typer.Option(metavar="N", help="Show at most N problems (all are checked).")
    ] = 100,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Each file is the full new version of what earlier imports of the same "
            "file name (and kind and sheet) brought: rows no longer in it are removed, "
            "changed rows updated, in one batch `intd undo` reverts. Rows another file name "
            "brought are never removed. Without it, rows missing from a file are kept.",
        ),
    ] = False,
    allow_fnr_change: Annotated[
        bool,
        typer.Option(
            "--allow-fnr-change",
            help="Accept a different (or emptied) fødselsnummer for a participant id "
            "already stored, as a correction. Without it such a row is refused "
            "(E-FNR-CHANGED). A file without the fødselsnummer column keeps the stored "
            "numbers.",
        ),
    ] = False,
    date_order: Annotated[
        DateOrder | None,
        typer.Option(
            "--date-order",
            metavar="ORDER",
            help="Read slash and dash dates (03/01/2019) day-first (dmy) or month-first "
            "(mdy). Without it each column's own dates decide (12/31/2019 makes a column "
            "month-first). Dot dates (03.01.2019) are day-first unless their column proves "
            "otherwise.",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No summary (warnings are still printed).")
    ] = False,
    lang: LangOption = None,
) -> None:
    """Import participant and placement files, all or nothing.

    Every problem is listed with file, sheet, row, column, value and code; then nothing
    is written. Re-importing a file changes nothing; a corrected file updates the rows
    that changed. Columns a file lacks keep their stored values; an empty cell under a
    column empties the stored value.

    [dim]Examples:[/]
      intd import deltakere.xlsx plasseringer.csv
      intd import --dry-run nye_plasseringer.ods
      intd import eksport.csv --map kolonner.toml --on-error skip
      intd import eksport.xlsx --map "Deltakernr=participant_id"
      intd import --replace --dry-run plasseringer.csv
    """
    from intdrammen.errors import ImportRejected
    from intdrammen.importers import ImportOptions, import_files, parse_mapping
    from intdrammen.render.imports import import_summary, print_import_problems

    fmt = _fmt(lang)

    options = ImportOptions(
        kind=kind.value if kind else None,
        sheet=sheet,
        encoding=encoding,
        mapping=parse_mapping(map_specs or []),
        dry_run=dry_run,
        on_error=on_error.value,
        max_errors=max_errors,
        replace=replace,
        allow_fnr_change=allow_fnr_change,
        date_order=date_order.value if date_order else None,
    )
    out = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    db = state(ctx).db
    try:
        if out.is_terminal and not quiet:
            from intdrammen.render.imports import progress_bar

            with progress_bar(err, fmt) as bar:
                task = bar.add_task(fmt.t("import.progress"), total=None)
                options.progress = lambda rows: bar.update(task, completed=rows)
                report = import_files(db, files, options)
        else:
            report = import_files(db, files, options)
    except ImportRejected as exc:
        _rejected(exc, err, fmt)
    if not quiet:
        import_summary(report, db, out, err, fmt)
    else:
        # --quiet drops the summary, never what was passed over or noticed.
        print_import_problems(report, err, fmt)


def _rejected(error: ImportRejected, err: Console, fmt: Fmt) -> NoReturn:
    """A rejected import as the error edge shows one (its problems, then one paragraph),
    the headings and the paragraph in `fmt`'s language, the problems' messages English."""
    from intdrammen.errors import IntdError
    from intdrammen.render.text import print_problems

    print_problems(err, error.problems, error.total, fmt.t("problems.found"), fmt)
    if error.warnings:
        title = fmt.t("problems.warnings")
        print_problems(err, error.warnings, error.warning_total, title, fmt)
    key = "import.rejected_one" if error.total == 1 else "import.rejected_many"
    raise IntdError(fmt.t(key, count=fmt.count(error.total)), hint=error.hint) from None


@app.command("imports")
def imports(
    ctx: typer.Context,
    format: Annotated[
        ImportsFormat,
        typer.Option("--format", "-f", metavar="FORMAT", help=IMPORTS_FORMAT_HELP),
    ] = ImportsFormat.table,
    lang: LangOption = None,
) -> None:
    """List the import history, oldest first (undone batches included, marked).

    Each batch: its id (for `intd undo`), file and sheet, kind, rows new, updated and
    unchanged, when it was imported, the file's sha256 and whether it was undone. The
    table shows times in local time to the minute; json and csv (one row per batch, the
    json keys as columns) keep the stored ISO timestamps and the kinds' codes.

    [dim]Examples:[/]
      intd imports
      intd imports --lang nb
      intd imports --format json
      intd imports --format csv > importer.csv
    """
    from intdrammen.render.data import dumps, imports_csv, imports_json
    from intdrammen.render.text import imports_text
    from intdrammen.store import open_store

    store = open_store(state(ctx).db)
    batches = store.batches()
    if format is ImportsFormat.json:
        typer.echo(dumps(imports_json(batches)))
    elif format is ImportsFormat.csv:
        typer.echo(imports_csv(batches), nl=False)
    else:
        Console().print(imports_text(batches, _fmt(lang)))


@app.command("undo")
def undo(
    ctx: typer.Context,
    batch: Annotated[
        int, typer.Argument(metavar="BATCH", help="Batch id, as `intd imports` lists it.")
    ],
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Do not ask for confirmation (needed off a terminal)."),
    ] = False,
    cascade: Annotated[
        bool, typer.Option(help="Also undo later batches that changed rows of this one.")
    ] = False,
    lang: LangOption = None,
) -> None:
    """Restore the database to exactly the state before an import batch.

    Rows the batch added are removed and rows it changed get their earlier values back.
    Refuses when later batches changed the same rows, unless --cascade.

    [dim]Examples:[/]
      intd undo 3
      intd undo 3 --cascade --yes
    """
    from intdrammen.store import open_store, write_transaction

    fmt = _fmt(lang)
    db = state(ctx).db
    store = open_store(db)
    batch_info = next((b for b in store.batches() if b.id == batch), None)
    store.close()
    if batch_info is None:
        fail(fmt.t("undo.no_batch", batch=batch))
    if batch_info.undone_at is not None:  # the store refuses too, with its UTC timestamp
        when = fmt.short_stamp(batch_info.undone_at)
        raise UndoRefused(fmt.t("undo.already_undone", batch=batch, time=when))
    if not yes:
        if not sys.stdin.isatty():
            fail(fmt.t("undo.needs_yes"))
        kind = fmt.word(f"kind.{batch_info.kind}") or batch_info.kind
        question = fmt.t("undo.confirm", batch=batch, file=batch_info.file, kind=kind)
        typer.confirm(question, abort=True)
    with write_transaction(db) as writer:
        undone = writer.undo(batch, cascade=cascade)
    typer.echo(fmt.t("undo.done", batches=", ".join(map(str, undone))))


@app.command("check")
def check(ctx: typer.Context, lang: LangOption = None) -> None:
    """Run SQLite's integrity check and intd's own consistency checks.

    Also checks that the key file is the one this database's fødselsnummer hashes were
    made with, and that every stored municipality code is known. Prints the counts when
    all is well; exit code 1 and what is wrong otherwise.

    [dim]Examples:[/]
      intd check
      intd --db kopi.sqlite check
    """
    from intdrammen.importers import key_problem
    from intdrammen.municipalities import MunicipalityHistory
    from intdrammen.store import open_store

    fmt = _fmt(lang)
    store = open_store(state(ctx).db)
    problems = store.integrity_problems()
    key = key_problem(store)
    if key:
        problems.append(key)
    history = MunicipalityHistory.load()
    unknown = [c for c in store.municipality_codes() if not history.is_known(c)]
    if unknown:
        problems.append(f"unknown municipality codes stored: {', '.join(sorted(unknown))}")
    counts = store.counts()
    lookalikes = store.lookalike_ids()
    for group in lookalikes[:100]:
        typer.echo(
            f"warning: participant ids {' / '.join(repr(p) for p in group)} differ only in "
            "case, leading zeros or separators: counted as different participants "
            "[W-ID-LOOKALIKE]",
            err=True,
        )
    if len(lookalikes) > 100:
        typer.echo(f"warning: ... and {len(lookalikes) - 100} more such groups", err=True)
    if problems:  # each problem as intd words it (English), under a heading in --lang
        fail(fmt.t("check.failed") + "\n- " + "\n- ".join(problems))
    numbers = {key: fmt.count(counts[key]) for key in ("participants", "placements", "batches")}
    typer.echo(fmt.t("check.ok", **numbers))


@app.command("columns")
def columns(
    format: Annotated[
        ListFormat, typer.Option("--format", "-f", metavar="FORMAT", help=LIST_FORMAT_HELP)
    ] = ListFormat.table,
    lang: LangOption = None,
) -> None:
    """List every accepted column name for every field (use them, or map yours with --map).

    [dim]Examples:[/]
      intd columns
      intd columns --format json
    """
    from intdrammen.render.imports import columns_json
    from intdrammen.render.setup import columns_text

    if format is ListFormat.json:
        from intdrammen.render.data import dumps

        typer.echo(dumps(columns_json()))
    else:
        Console().print(columns_text(_fmt(lang)))
