"""`intd demo`: the bundled synthetic sample, imported and reported, as a newcomer's
first look. Uses the same library calls as the real commands."""

from __future__ import annotations

import shlex
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from intdrammen.errors import IntdError

if TYPE_CHECKING:
    from intdrammen.render.fmt import Fmt

SAMPLE_FILES = ("deltakere.xlsx", "plasseringer.csv")
SAMPLE_PEOPLE = 1500  # participants in the sample (data/sample/deltakere.xlsx)


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


def run_demo(db: Path, console: Console, fmt: Fmt, *, kept: bool) -> None:
    """The demo in `fmt`'s language: its panel, the import summary, progress, the report
    and the commands to try next."""
    from intdrammen.config import load_goals
    from intdrammen.importers import ImportOptions, import_files
    from intdrammen.municipalities import MunicipalityHistory, load_regions
    from intdrammen.render.imports import import_summary
    from intdrammen.render.text import progress_text, report_text
    from intdrammen.reports import Context, progress, region_report, resolve_scope
    from intdrammen.store import open_store

    sample = resources.files("intdrammen").joinpath("data", "sample")
    with resources.as_file(sample) as folder:
        files = [Path(folder) / name for name in SAMPLE_FILES]
        where = fmt.t("demo.kept" if kept else "demo.throwaway", db=str(db))
        listed = fmt.t("demo.files", files=fmt.t("list_separator").join(SAMPLE_FILES))
        about = fmt.t("demo.about", people=fmt.count(SAMPLE_PEOPLE), goal=fmt.count(1000))
        console.print(
            Panel.fit(
                Text.assemble(
                    ("intd demo", "bold"), " – ", about, "\n", (f"{listed} · {where}", "dim")
                )
            )
        )
        console.print(Rule("$ intd import " + " ".join(SAMPLE_FILES)))
        report = import_files(db, files, ImportOptions())
        import_summary(report, db, console, console, fmt)
    store = open_store(db)
    ctx = Context(store, load_goals(), load_regions(), MunicipalityHistory.load())
    console.print(Rule("$ intd progress --year 2019"))
    console.print(progress_text(progress(ctx, 2019, resolve_scope(ctx, None)), fmt))
    console.print(Rule("$ intd report --region Drammensregionen"))
    asked = resolve_scope(ctx, "Drammensregionen", goals=())
    console.print(report_text(region_report(ctx, asked, None, None), fmt))
    console.print(Rule(fmt.t("demo.try_next")))
    console.print(_next_steps(db, kept, fmt), markup=False)
    store.close()


def _step(command: str, fmt: Fmt, key: str | None = None) -> str:
    """A command to copy, with what it does (from the translation table) beside it."""
    return f"  {command.ljust(40)}  {fmt.t(key)}" if key else f"  {command}"


def _next_steps(db: Path, kept: bool, fmt: Fmt) -> str:
    """Commands to copy: with the kept database's own path, or how to keep one."""
    steps: list[tuple[str, str | None]]
    if not kept:
        steps = [("intd demo --keep demo.sqlite", "demo.next_keep")]
    else:
        option = f"--db {shlex.quote(str(db))}"
        steps = [
            (f"intd {option} progress --year 2022 --region Drammen", None),
            (f"intd {option} report --region Mjøsa --by municipality", None),
            (f"intd {option} explain --goal id-2016-2020 --year 2019", None),
            (f"intd {option} import your-test-file.csv", None),
        ]
    steps += [
        ("intd regions show Drammensregionen", None),
        ("intd columns", "demo.next_columns"),
    ]
    return "\n".join(_step(command, fmt, key) for command, key in steps)
