"""`intd demo`: the bundled synthetic sample, imported and reported, as a newcomer's
first look. Uses the same library calls as the real commands."""

from __future__ import annotations

import shlex
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.rule import Rule

from intdrammen.errors import IntdError

SAMPLE_FILES = ("deltakere.xlsx", "plasseringer.csv")


class DemoKeepRefused(IntdError):
    """`intd demo --keep FILE` names a database that already holds imported data."""

    code = "E-DEMO-KEEP"


def check_keep(path: Path) -> None:
    """The demo adds its 1500 synthetic people only to a new (or empty) database, never
    to one with imports in it, which could be the user's real one. A damaged or foreign
    file is refused as every command refuses it."""
    from intdrammen.errors import NoData
    from intdrammen.store import open_store

    if not path.exists():
        return
    try:
        store = open_store(path)
    except NoData:
        return  # an empty database: nothing to mix the sample into
    try:
        batches = len(store.batches())
    finally:
        store.close()
    if batches:
        raise DemoKeepRefused(
            f"{path} already holds {batches} import batches: `intd demo --keep` writes only "
            "to a new file, so the sample never mixes with your data. [E-DEMO-KEEP]",
            hint="Give a file name that does not exist yet, e.g. intd demo --keep demo.sqlite.",
        )


def run_demo(db: Path, console: Console, *, kept: bool) -> None:
    from intdrammen.config import load_goals
    from intdrammen.importers import ImportOptions, import_files
    from intdrammen.municipalities import MunicipalityHistory, load_regions
    from intdrammen.render.fmt import Fmt, default_lang
    from intdrammen.render.imports import import_summary
    from intdrammen.render.text import progress_text, report_text
    from intdrammen.reports import Context, progress, region_report, resolve_scope
    from intdrammen.store import open_store

    sample = resources.files("intdrammen").joinpath("data", "sample")
    with resources.as_file(sample) as folder:
        files = [Path(folder) / name for name in SAMPLE_FILES]
        console.print(
            Panel.fit(
                "[bold]intd demo[/] – a synthetic sample: participants of the introduction "
                "programme and their placements 2015–2023 in Drammensregionen, Asker and the "
                "Mjøsa towns, with old and new municipality codes, Norwegian headers, a "
                "Windows-1252 CSV and an Excel workbook with a title row. It is a small slice "
                "(1500 people), so the 1000-person goal stays far off: look at how the figures "
                "are built, not at their size.\n"
                f"[dim]Files: {', '.join(SAMPLE_FILES)} · "
                + (
                    f"database kept as {escape(str(db))}, made with your key[/]"
                    if kept
                    else f"throw-away database and key: {escape(str(db))}[/]"
                ),
            )
        )
        console.print(Rule("$ intd import " + " ".join(SAMPLE_FILES)))
        report = import_files(db, files, ImportOptions())
        import_summary(report, db, console, console)
    fmt = Fmt(default_lang())
    store = open_store(db)
    ctx = Context(store, load_goals(), load_regions(), MunicipalityHistory.load())
    console.print(Rule("$ intd progress --year 2019"))
    console.print(progress_text(progress(ctx, 2019, resolve_scope(ctx, None)), fmt))
    console.print(Rule("$ intd report --region Drammensregionen"))
    asked = resolve_scope(ctx, "Drammensregionen", goals=())
    console.print(report_text(region_report(ctx, asked, None, None), fmt))
    console.print(Rule("Try next"))
    console.print(_next_steps(db, kept), markup=False)
    store.close()


def _next_steps(db: Path, kept: bool) -> str:
    """Commands to copy: with the kept database's own path, or how to keep one."""
    if not kept:
        return (
            "  intd demo --keep demo.sqlite              keep the database to try more on it\n"
            "  intd regions show Drammensregionen\n"
            "  intd columns                              every column name intd accepts"
        )
    option = f"--db {shlex.quote(str(db))}"
    return (
        f"  intd {option} progress --year 2022 --region Drammen\n"
        f"  intd {option} report --region Mjøsa --by municipality\n"
        f"  intd {option} explain --goal id-2016-2020 --year 2019\n"
        f"  intd {option} import your-test-file.csv\n"
        "  intd regions show Drammensregionen\n"
        "  intd columns                              every column name intd accepts"
    )
