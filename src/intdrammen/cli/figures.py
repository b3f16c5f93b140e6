"""Commands that compute figures: progress, report, explain."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from intdrammen.cli.app import State, app, fail, state
from intdrammen.cli.helptext import choices

if TYPE_CHECKING:
    from intdrammen.render.fmt import Fmt
    from intdrammen.reports import Context


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"


# The formats each command writes, one enum per command so that `--format`'s choices
# and its help (built from the enum) list exactly what works; today all three write all.
# html and xlsx are files: they need --out.
class ProgressFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"


class ExplainFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"


FILE_FORMATS = (Format.html, Format.xlsx)


def format_help(choices: type[StrEnum]) -> str:
    """`--format`'s help, from the command's own choices."""
    screen = [c.value for c in choices if Format(c.value) not in FILE_FORMATS]
    files = [c.value for c in choices if Format(c.value) in FILE_FORMATS]
    text = f"{screen[0]} (terminal), " + ", ".join(screen[1:])
    if files:
        text += ", " + " or ".join(files) + " (files, with --out)"
    return text + ". Default: from the --out extension, else table."


class By(StrEnum):
    municipality = "municipality"
    county = "county"
    gender = "gender"
    country = "country"
    age_group = "age_group"
    channel = "channel"
    quarter = "quarter"
    employer = "employer"


class Lang(StrEnum):
    nb = "nb"
    en = "en"


# Years a figure can be asked for: a typo like 20019 is a usage error (exit 2), not a
# date arithmetic failure deep inside.
MIN_YEAR, MAX_YEAR = 1900, 2999
FORMAT_HELP = format_help(ProgressFormat)
REPORT_FORMAT_HELP = format_help(ReportFormat)
EXPLAIN_FORMAT_HELP = format_help(ExplainFormat)
LANG_HELP = "Labels and number format: nb (bokmål) or en \\[env: INTD_LANG; default from locale]."
YEAR_HELP = "Calendar year (for introduction-programme goals: the cohort year)."
REGION_HELP = (
    "Count only this region or municipality (name or any code; `intd regions` lists "
    "them). A goal still counts only within its own region."
)
BY_HELP = f"Split each goal's counts by {choices(By)}."
OUT_HELP = (
    "Write to FILE instead of printing; without --format the file's extension picks the format."
)
EXTENSIONS = {
    ".html": Format.html,
    ".htm": Format.html,
    ".xlsx": Format.xlsx,
    ".json": Format.json,
    ".csv": Format.csv,
    ".md": Format.markdown,
    ".markdown": Format.markdown,
    ".txt": Format.table,
}


def context(s: State) -> Context:
    from intdrammen.config import load_goals, load_requirements
    from intdrammen.municipalities import MunicipalityHistory, load_regions
    from intdrammen.reports import Context
    from intdrammen.store import open_store

    return Context(
        open_store(s.db),
        load_goals(s.goals_file),
        load_regions(s.regions_file),
        MunicipalityHistory.load(),
        load_requirements(s.requirements_file),
    )


def _fmt(lang: Lang | None) -> Fmt:
    from intdrammen.render.fmt import Fmt, default_lang

    return Fmt(lang.value if lang else default_lang())


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    try:
        # newline="": the file holds the same bytes as the printed output (\n line
        # ends) on every platform.
        out.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        fail(f"Cannot write {out}: {exc.strerror}.")
    typer.echo(f"Wrote {out}", err=True)


def _show(renderables: list[Any], out: Path | None) -> None:
    """Print Rich tables to the terminal, or with --out FILE.txt write them as plain
    text (no colour, 100 columns wide) to that file."""
    from rich.console import Console

    if out is None:
        console = Console()
        for item in renderables:
            console.print(item)
        return
    try:
        with out.open("w", encoding="utf-8") as handle:
            console = Console(file=handle, width=100, no_color=True, force_terminal=False)
            for item in renderables:
                console.print(item)
    except OSError as exc:
        fail(f"Cannot write {out}: {exc.strerror}.")
    typer.echo(f"Wrote {out}", err=True)


def _emit_as(
    chosen: Format,
    out: Path | None,
    *,
    json: Callable[[], str],
    csv: Callable[[], str],
    markdown: Callable[[], str],
) -> None:
    """Print or write one of the data renderings of a value."""
    render = {Format.json: json, Format.csv: csv}.get(chosen, markdown)
    _emit(render(), out)


SUPPRESS_HELP = (
    "Hide counts below N (and cells that would reveal them) as ':'. Default: 3 for files "
    "written with --out, off otherwise."
)
DEFAULT_FILE_SUPPRESSION = 3


def _suppression(suppress: int | None, no_suppress: bool, out: Path | None) -> int | None:
    if no_suppress:
        return None
    if suppress is not None:
        if suppress < 1:
            fail("--suppress needs a positive number of persons, e.g. --suppress 3.")
        return suppress
    return DEFAULT_FILE_SUPPRESSION if out is not None else None


def _choose(format: StrEnum | None, out: Path | None) -> Format:
    if format is not None:
        return Format(format.value)
    if out is not None:
        chosen = EXTENSIONS.get(out.suffix.lower())
        if chosen is None:
            fail(
                f"Cannot tell the format from {out.name}: use .html, .xlsx, .json, .csv or .md, "
                "or pass --format."
            )
        return chosen
    return Format.table


@app.command("progress")
def progress(
    ctx: typer.Context,
    year: Annotated[
        int,
        typer.Option(
            "--year",
            "-y",
            metavar="YEAR",
            help=YEAR_HELP,
            show_default=False,
            min=MIN_YEAR,
            max=MAX_YEAR,
        ),
    ],
    region: Annotated[
        str | None,
        typer.Option("--region", "-r", metavar="REGION", help=REGION_HELP),
    ] = None,
    format: Annotated[
        ProgressFormat | None, typer.Option("--format", "-f", help=FORMAT_HELP)
    ] = None,
    by: Annotated[By | None, typer.Option(metavar="DIMENSION", help=BY_HELP)] = None,
    lang: Annotated[Lang | None, typer.Option(metavar="LANG", help=LANG_HELP)] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", metavar="FILE", help=OUT_HELP)] = None,
    suppress: Annotated[
        int | None, typer.Option(metavar="N", help=SUPPRESS_HELP, show_default=False)
    ] = None,
    no_suppress: Annotated[
        bool, typer.Option("--no-suppress", help="Never hide small counts, not even in files.")
    ] = False,
    chart: Annotated[
        bool,
        typer.Option(
            "--chart", help="Also draw the cumulative persons into work per year (table only)."
        ),
    ] = False,
) -> None:
    """Progress against every goal that applies to a year.

    Persons-into-work goals show target, actual, % of target, expected to date and on
    track; the introduction-programme cohort of the year is shown against 55 % directly
    and 70 % one year after, and against the language-training requirement (met, not
    met, cannot be judged; the rules are --requirements merged over the shipped ones).

    [dim]Examples:[/]
      intd progress --year 2019
      intd progress --year 2022 --region Drammen --format json
      intd progress --year 2019 --by gender --lang nb
      intd progress --year 2019 --format csv --out fremdrift.csv
    """
    from intdrammen.reports import progress as compute
    from intdrammen.reports import resolve_scope, suppress_progress

    chosen = _choose(format, out)
    _needs_file(chosen, out)
    figures = context(state(ctx))
    report = compute(figures, year, resolve_scope(figures, region), by.value if by else None)
    n = _suppression(suppress, no_suppress, out)
    if n is not None:
        report = suppress_progress(report, n)
    if chosen in FILE_FORMATS and out is not None:
        from intdrammen.render.html import progress_html
        from intdrammen.render.xlsx import write_progress_xlsx

        fmt = _fmt(lang)
        _write_file(
            chosen,
            out,
            html=lambda: progress_html(report, fmt),
            xlsx=lambda path: write_progress_xlsx(report, fmt, path),
        )
        return
    if chosen is Format.table:
        from intdrammen.render.text import progress_text

        _show([progress_text(report, _fmt(lang), chart=chart)], out)
        return
    from intdrammen.render import data

    _emit_as(
        chosen,
        out,
        json=lambda: data.dumps(data.progress_json(report)),
        csv=lambda: data.progress_csv(report),
        markdown=lambda: data.progress_markdown(report, _fmt(lang)),
    )


@app.command("report")
def report(
    ctx: typer.Context,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            "-r",
            metavar="REGION",
            help="Report on this region or municipality (name or any code); without it: "
            "the whole project.",
        ),
    ] = None,
    from_year: Annotated[
        int | None,
        typer.Option(
            "--from",
            metavar="YEAR",
            help="First year shown (default: the first with data).",
            min=MIN_YEAR,
            max=MAX_YEAR,
        ),
    ] = None,
    to_year: Annotated[
        int | None,
        typer.Option(
            "--to",
            metavar="YEAR",
            help="Last year shown (default: the last with data).",
            min=MIN_YEAR,
            max=MAX_YEAR,
        ),
    ] = None,
    format: Annotated[
        ReportFormat | None, typer.Option("--format", "-f", help=REPORT_FORMAT_HELP)
    ] = None,
    by: Annotated[
        By | None,
        typer.Option(metavar="DIMENSION", help=f"Add a table split by {choices(By)}."),
    ] = None,
    lang: Annotated[Lang | None, typer.Option(metavar="LANG", help=LANG_HELP)] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", metavar="FILE", help=OUT_HELP)] = None,
    suppress: Annotated[
        int | None, typer.Option(metavar="N", help=SUPPRESS_HELP, show_default=False)
    ] = None,
    no_suppress: Annotated[
        bool, typer.Option("--no-suppress", help="Never hide small counts, not even in files.")
    ] = False,
) -> None:
    """Persons into work and introduction-programme results per year and per municipality.

    The language-training requirement of each cohort year follows (met, not met, cannot
    be judged), split alike with --by.

    HTML and XLSX are files to share, written with --out (charts included in HTML). Files
    written with --out hide small counts unless --no-suppress.

    [dim]Examples:[/]
      intd report --region Drammensregionen
      intd report --region Mjøsa --from 2016 --to 2017 --format markdown
      intd report --region Mjøsa --by municipality
      intd report --region Drammensregionen --out rapport.html
      intd report --format json --out rapport.json --no-suppress
    """
    from intdrammen.reports import region_report, resolve_scope, suppress_report

    chosen = _choose(format, out)
    n = _suppression(suppress, no_suppress, out)
    dimension = by.value if by else None
    if chosen in (Format.html, Format.xlsx):
        _write_document(
            context(state(ctx)), chosen, out, n, _fmt(lang), (region, from_year, to_year, dimension)
        )
        return
    figures = context(state(ctx))
    asked = resolve_scope(figures, region, goals=())  # the table counts no goal's region
    value = region_report(figures, asked, from_year, to_year, dimension)
    if n is not None:
        value = suppress_report(value, n)
    if chosen is Format.table:
        from intdrammen.render.text import report_text

        _show([report_text(value, _fmt(lang))], out)
        return
    from intdrammen.render import data

    _emit_as(
        chosen,
        out,
        json=lambda: data.dumps(data.report_json(value)),
        csv=lambda: data.report_csv(value),
        markdown=lambda: data.report_markdown(value, _fmt(lang)),
    )


def _write_document(
    ctx: Context,
    chosen: Format,
    out: Path | None,
    n: int | None,
    fmt: Fmt,
    request: tuple[str | None, int | None, int | None, str | None],
) -> None:
    """HTML and XLSX are files meant for sharing: they need --out."""
    from intdrammen.reports import document, resolve_scope, suppress_document

    _needs_file(chosen, out)
    assert out is not None
    region, from_year, to_year, dimension = request
    doc = document(ctx, resolve_scope(ctx, region), from_year, to_year, dimension)
    if n is not None:
        doc = suppress_document(doc, n)
    try:
        if chosen is Format.html:
            from intdrammen.render.html import document_html

            out.write_text(document_html(doc, fmt), encoding="utf-8")
        else:
            from intdrammen.render.xlsx import write_document_xlsx

            write_document_xlsx(doc, fmt, out)
    except OSError as exc:
        fail(f"Cannot write {out}: {exc.strerror}.")
    typer.echo(f"Wrote {out}", err=True)


def _needs_file(chosen: Format, out: Path | None) -> None:
    """HTML and XLSX are files meant for sharing: they need --out (a usage error, before
    anything is computed)."""
    if chosen in FILE_FORMATS and out is None:
        fail(f"{chosen.value.upper()} is written to a file: add --out rapport.{chosen.value}.")


def _write_file(
    chosen: Format,
    out: Path,
    *,
    html: Callable[[], str],
    xlsx: Callable[[Path], None],
) -> None:
    try:
        if chosen is Format.html:
            out.write_text(html(), encoding="utf-8")
        else:
            xlsx(out)
    except OSError as exc:
        fail(f"Cannot write {out}: {exc.strerror}.")
    typer.echo(f"Wrote {out}", err=True)


@app.command("explain")
def explain(
    ctx: typer.Context,
    year: Annotated[
        int,
        typer.Option(
            "--year",
            "-y",
            metavar="YEAR",
            help=YEAR_HELP,
            show_default=False,
            min=MIN_YEAR,
            max=MAX_YEAR,
        ),
    ],
    goal: Annotated[
        str | None,
        typer.Option(
            "--goal",
            "-g",
            metavar="GOAL",
            help="Goal id, as `intd goals` lists it.",
            show_default=False,
        ),
    ] = None,
    language: Annotated[
        bool,
        typer.Option(
            "--language",
            help="Instead of a goal: the language-training requirement of the year's "
            "introduction cohort, who met it, who did not, who cannot be judged and why.",
        ),
    ] = False,
    region: Annotated[
        str | None, typer.Option("--region", "-r", metavar="REGION", help=REGION_HELP)
    ] = None,
    format: Annotated[
        ExplainFormat | None, typer.Option("--format", "-f", help=EXPLAIN_FORMAT_HELP)
    ] = None,
    lang: Annotated[Lang | None, typer.Option(metavar="LANG", help=LANG_HELP)] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", metavar="FILE", help=OUT_HELP)] = None,
) -> None:
    """Who was counted for a goal and why, and who was not (never a fødselsnummer).

    Each person is shown by participant id with the date, placement and file that
    decided it, or the reason they were not counted. With --language instead of a goal:
    each member of the year's introduction cohort with the language-training
    requirement's verdict, the rule that applied, why, and the date the rule was chosen
    by (the settlement date where the permit date is missing).

    [dim]Examples:[/]
      intd explain --goal id-2016-2020 --year 2019
      intd explain --goal intro-direct-55 --year 2018 --format json
      intd explain --language --year 2022 --region Drammen
    """
    from intdrammen.reports import explain as compute
    from intdrammen.reports import goal_named, resolve_scope

    if (goal is None) == (not language):  # a usage error (exit 2), as a missing option is
        raise typer.BadParameter(
            "give a goal id or --language, one of them", param_hint="'--goal' / '--language'"
        )
    chosen = _choose(format, out)
    _needs_file(chosen, out)
    figures = context(state(ctx))
    if goal is None:
        _explain_language(figures, year, region, chosen, out, _fmt(lang))
        return
    # The goal is named before the region is resolved: an unknown goal is told first.
    asked = goal_named(figures, goal)
    value = compute(figures, asked, year, resolve_scope(figures, region, goals=(asked,)))
    fmt = _fmt(lang)
    if chosen in FILE_FORMATS and out is not None:
        from intdrammen.render.html import explain_html
        from intdrammen.render.xlsx import write_explain_xlsx

        _write_file(
            chosen,
            out,
            html=lambda: explain_html(value, fmt),
            xlsx=lambda path: write_explain_xlsx(value, fmt, path),
        )
        return
    if chosen is Format.table:
        from intdrammen.render.text import explain_text

        _show([explain_text(value, fmt)], out)
        return
    from intdrammen.render import data

    _emit_as(
        chosen,
        out,
        json=lambda: data.dumps(data.explain_json(value)),
        csv=lambda: data.explain_csv(value),
        markdown=lambda: data.explain_markdown(value, fmt),
    )


def _explain_language(
    figures: Context,
    year: int,
    region: str | None,
    chosen: Format,
    out: Path | None,
    fmt: Fmt,
) -> None:
    """`intd explain --language` in the format chosen."""
    from intdrammen.reports import explain_language, resolve_scope

    value = explain_language(figures, year, resolve_scope(figures, region, goals=()))
    if chosen in FILE_FORMATS and out is not None:
        from intdrammen.render.html import explain_language_html
        from intdrammen.render.xlsx import write_explain_language_xlsx

        _write_file(
            chosen,
            out,
            html=lambda: explain_language_html(value, fmt),
            xlsx=lambda path: write_explain_language_xlsx(value, fmt, path),
        )
        return
    if chosen is Format.table:
        from intdrammen.render.text import explain_language_text

        _show([explain_language_text(value, fmt)], out)
        return
    from intdrammen.render import data

    _emit_as(
        chosen,
        out,
        json=lambda: data.dumps(data.explain_language_json(value)),
        csv=lambda: data.explain_language_csv(value),
        markdown=lambda: data.explain_language_markdown(value, fmt),
    )
