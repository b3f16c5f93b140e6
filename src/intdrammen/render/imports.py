"""What `intd import` and `intd columns` print. Formatting only."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.measure import Measurement
from rich.progress import (
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from intdrammen.importers import ImportReport
from intdrammen.importers.columns import FIELDS
from intdrammen.render.fit import Name, Words, fit
from intdrammen.render.fmt import Fmt
from intdrammen.render.text import print_problems

if TYPE_CHECKING:
    from intdrammen.store.target import PostgresTarget


class RowsPerSecond(ProgressColumn):
    def __init__(self, fmt: Fmt | None = None) -> None:
        super().__init__()
        self.fmt = fmt or Fmt()

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text("", style="dim")
        unit = self.fmt.t("import.rows_per_second")
        return Text(f"{self.fmt.count(round(speed))} {unit}", style="dim")


def progress_bar(console: Console, fmt: Fmt | None = None) -> Progress:
    """Rows read so far and rows per second, on stderr, gone when done."""
    fmt = fmt or Fmt()
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} " + fmt.t("import.rows_done")),
        RowsPerSecond(fmt),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def import_summary(
    report: ImportReport,
    db: Path | PostgresTarget,
    out: Console,
    err: Console,
    fmt: Fmt | None = None,
) -> None:
    """The summary of an import (or a dry run) in `fmt`'s language: its table, what did
    not change or was removed, the rejected rows and warnings (their messages English)."""
    fmt = fmt or Fmt()
    imported_into = fmt.t("imported_into")
    table = Table(
        # Text, not markup: a folder may be called "kopi [2]".
        title=Text(fmt.t("dry_run_title") if report.dry_run else f"{imported_into} {db}"),
        title_justify="left",
        title_style="bold",
    )
    names = ["file", "kind", "rows", "new", "updated", "unchanged", "skipped", "batch"]
    if report.replace:
        names.insert(5, "removed")
    for name in names:
        text = name in {"file", "kind"}  # counts never wrap; on a narrow terminal text does
        table.add_column(
            fmt.t(f"col.{name}"), justify="left" if text else "right", no_wrap=not text
        )
    for t in report.tables:
        file = Words(Name(t.file), f" [{t.sheet}]" if t.sheet else "")
        batch = "–" if t.batch_id is None or report.dry_run else str(t.batch_id)
        removed = [fmt.count(t.counts.removed)] if report.replace else []
        table.add_row(
            file,
            fmt.word(f"kind.{t.kind}") or t.kind,
            fmt.count(t.rows),
            fmt.count(t.counts.inserted),
            fmt.count(t.counts.updated),
            *removed,
            fmt.count(t.counts.unchanged),
            fmt.count(t.skipped),
            batch,
        )
    _print_whole(out, table, None if report.dry_run else db, imported_into)
    for t in report.tables:
        if not t.changed and t.rows and not report.dry_run:
            if t.good == 0:
                # --on-error skip with every row rejected: nothing was there to add.
                message = fmt.t("import.all_rejected")
            else:
                already = fmt.t("import.identical", batch=t.already) if t.already else ""
                key = "import.unchanged_good" if t.skipped else "import.unchanged_all"
                message = fmt.t(key, already=already)
            _say(out, t.file, f": {message}")
        if t.removed_rows:
            verb = "import.would_remove" if report.dry_run else "import.removed"
            more = t.counts.removed - len(t.removed_rows)
            _say(out, t.file, f": {fmt.t(verb, count=fmt.count(t.counts.removed))}")
            for key, batch_id, row in t.removed_rows:
                shown = key.split(":", 1)[1].replace("|", " ") if t.kind == "placements" else key
                line = fmt.t("import.removed_row", shown=shown, batch=batch_id, row=row)
                out.print(Text(f"  {line}"), soft_wrap=not out.is_terminal)
            if more > 0:
                out.print(Text(f"  {fmt.t('import.and_more', count=fmt.count(more))}"))
        if t.rejected_file is not None:
            rejected = str(t.rejected_file)
            rows_of = fmt.t("import.rejected_rows_of", count=fmt.count(t.skipped))
            reasons = fmt.t("import.with_reasons")
            if out.is_terminal:
                parts = (f"{rows_of} ", Name(t.file), f" {reasons} ")
                out.print(Words(*parts, Name(rejected), style="yellow"))
            else:
                out.print(
                    Text(f"{rows_of} {t.file} {reasons} {rejected}", style="yellow"),
                    soft_wrap=True,
                )
    print_import_problems(report, err, fmt)


def print_import_problems(report: ImportReport, err: Console, fmt: Fmt | None = None) -> None:
    """The rows an import left out (--on-error skip) and its warnings, on stderr."""
    fmt = fmt or Fmt()
    if report.rejected:
        # --on-error skip: the rows left out, each named, as a rejected import lists them.
        title = fmt.t("problems.rejected")
        print_problems(err, report.rejected, report.rejected_total, title, fmt)
    if report.warnings:
        title = fmt.t("problems.warnings")
        print_problems(err, report.warnings, report.warning_total, title, fmt)


def _say(console: Console, file: str, rest: str) -> None:
    """`FILE: message`: on a terminal wrapped between words, the file name shortened
    in its middle if it is longer than a line; off one a single line."""
    if console.is_terminal:
        console.print(Words(Name(file), rest))
    else:
        console.print(Text(file + rest), soft_wrap=True)


def _print_whole(
    console: Console,
    table: Table,
    db: Path | PostgresTarget | None = None,
    imported_into: str = "Imported into",
) -> None:
    """On a terminal as wide as it is; off one (a log, a pipe) as wide as the table
    needs, its title a line of its own, so no file name is wrapped or cut."""
    if console.is_terminal:
        if db is not None and table.title is not None:  # the path shortens, never folds
            title = Words(f"{imported_into} ", Name(str(db)), style=table.title_style or "")
            console.print(title)
            table.title = None
        console.print(fit(table))
        return
    if table.title is not None:
        console.print(table.title, soft_wrap=True, style=table.title_style or "")
        table.title = None  # a title wraps at the table's width
    options = console.options.update_width(1_000_000)
    width = max(console.width, Measurement.get(console, options, table).maximum)
    Console(file=console.file, width=width, highlight=False, force_terminal=False).print(table)


def columns_json() -> dict[str, Any]:
    return {
        kind: [
            {
                "field": f.name,
                "required": f.required,
                "aliases": list(f.aliases),
                "description": f.description,
            }
            for f in fields
        ]
        for kind, fields in FIELDS.items()
    }
