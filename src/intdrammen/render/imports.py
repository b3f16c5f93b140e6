"""What `intd import` and `intd columns` print. Formatting only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
from intdrammen.render.fit import Fit, Name, Words, fit
from intdrammen.render.text import print_problems


class RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} rows/s", style="dim")


def progress_bar(console: Console) -> Progress:
    """Rows read so far and rows per second, on stderr, gone when done."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} rows"),
        RowsPerSecond(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def import_summary(report: ImportReport, db: Path, out: Console, err: Console) -> None:
    table = Table(
        # Text, not markup: a folder may be called "kopi [2]".
        title=Text("Dry run: nothing was written" if report.dry_run else f"Imported into {db}"),
        title_justify="left",
        title_style="bold",
    )
    names = ["File", "Kind", "Rows", "New", "Updated", "Unchanged", "Skipped", "Batch"]
    if report.replace:
        names.insert(5, "Removed")
    for name in names:
        text = name in {"File", "Kind"}  # counts never wrap; on a narrow terminal text does
        table.add_column(name, justify="left" if text else "right", no_wrap=not text)
    for t in report.tables:
        file = Words(Name(t.file), f" [{t.sheet}]" if t.sheet else "")
        batch = "–" if t.batch_id is None or report.dry_run else str(t.batch_id)
        removed = [f"{t.counts.removed:,}"] if report.replace else []
        table.add_row(
            file,
            t.kind,
            f"{t.rows:,}",
            f"{t.counts.inserted:,}",
            f"{t.counts.updated:,}",
            *removed,
            f"{t.counts.unchanged:,}",
            f"{t.skipped:,}",
            batch,
        )
    _print_whole(out, table, None if report.dry_run else db)
    for t in report.tables:
        if not t.changed and t.rows and not report.dry_run:
            if t.good == 0:
                # --on-error skip with every row rejected: nothing was there to add.
                message = f"{t.file}: nothing imported: every row was rejected."
            else:
                already = f" (identical to batch {t.already})" if t.already else ""
                rows = "every good row" if t.skipped else "every row"
                message = f"{t.file}: nothing changed{already}: {rows} is already in the database."
            _say(out, t.file, message[len(t.file) :])
        if t.removed_rows:
            verb = "would remove" if report.dry_run else "removed"
            more = t.counts.removed - len(t.removed_rows)
            _say(out, t.file, f": --replace {verb} {t.counts.removed:,} stored rows:")
            for key, batch_id, row in t.removed_rows:
                shown = key.split(":", 1)[1].replace("|", " ") if t.kind == "placements" else key
                out.print(
                    Text(f"  {shown} (batch {batch_id}, row {row})"), soft_wrap=not out.is_terminal
                )
            if more > 0:
                out.print(Text(f"  ... and {more:,} more"))
        if t.rejected_file is not None:
            rejected = str(t.rejected_file)
            if out.is_terminal:
                parts = (f"{t.skipped} rejected rows of ", Name(t.file), " with their reasons: ")
                out.print(Words(*parts, Name(rejected), style="yellow"))
            else:
                out.print(
                    Text(
                        f"{t.skipped} rejected rows of {t.file} with their reasons: {rejected}",
                        style="yellow",
                    ),
                    soft_wrap=True,
                )
    if report.rejected:
        # --on-error skip: the rows left out, each named, as a rejected import lists them.
        print_problems(err, report.rejected, report.rejected_total, "Rejected rows (not imported)")
    if report.warnings:
        print_problems(err, report.warnings, report.warning_total, "Warnings")


def _say(console: Console, file: str, rest: str) -> None:
    """`FILE: message`: on a terminal wrapped between words, the file name shortened
    in its middle if it is longer than a line; off one a single line."""
    if console.is_terminal:
        console.print(Words(Name(file), rest))
    else:
        console.print(Text(file + rest), soft_wrap=True)


def _print_whole(console: Console, table: Table, db: Path | None = None) -> None:
    """On a terminal as wide as it is; off one (a log, a pipe) as wide as the table
    needs, its title a line of its own, so no file name is wrapped or cut."""
    if console.is_terminal:
        if db is not None and table.title is not None:  # the path shortens, never folds
            console.print(Words("Imported into ", Name(str(db)), style=table.title_style or ""))
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


def columns_text() -> Fit:
    table = Table(
        title="Accepted columns (case, spaces, '_' and æøå/aeoa do not matter)",
        title_justify="left",
        show_lines=True,
    )
    for name in ("Kind", "Field", "Also accepted", "What"):
        table.add_column(name, overflow="fold")
    for kind, fields in FIELDS.items():
        for f in fields:
            field = Text(f.name, style="bold") if f.required else Text(f.name)
            if f.required:
                field.append(" (required)", style="dim")
            table.add_row(kind, field, ", ".join(f.aliases), f.description)
    return fit(table)
