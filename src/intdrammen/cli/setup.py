"""Commands about what is configured, and the demo: goals, regions, demo."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from intdrammen.cli.app import app, state
from intdrammen.cli.data import LIST_FORMAT_HELP, LangOption, ListFormat
from intdrammen.cli.figures import _fmt

regions_app = typer.Typer(
    no_args_is_help=False,
    subcommand_metavar="[show REGION]",  # `intd regions` alone lists them
    invoke_without_command=True,
)
app.add_typer(regions_app, name="regions")
LANG_KEY = "intd.lang"  # ctx.meta: the --lang given to `intd regions`, for `regions show`


@app.command("goals")
def goals(
    ctx: typer.Context,
    format: Annotated[
        ListFormat, typer.Option("--format", "-f", metavar="FORMAT", help=LIST_FORMAT_HELP)
    ] = ListFormat.table,
    lang: LangOption = None,
) -> None:
    """List the goals in force (shipped goals.toml merged with --goals / INTD_GOALS).

    To change a target or add a goal, write a TOML file with just those goals (same
    `id` replaces, new `id` adds, `disabled = true` hides) and pass it with --goals.

    [dim]Examples:[/]
      intd goals
      intd --goals mine.toml goals --format json
    """
    from intdrammen.config import load_goals
    from intdrammen.render.setup import goals_json, goals_text

    config = load_goals(state(ctx).goals_file)
    if format is ListFormat.json:
        from intdrammen.render.data import dumps

        typer.echo(dumps(goals_json(config)))
    else:
        Console().print(goals_text(config, _fmt(lang)))


@regions_app.callback()
def regions(
    ctx: typer.Context,
    format: Annotated[
        ListFormat, typer.Option("--format", "-f", metavar="FORMAT", help=LIST_FORMAT_HELP)
    ] = ListFormat.table,
    lang: LangOption = None,
) -> None:
    """List the regions and their member municipalities; `regions show` details one.

    The regions are the shipped regions.toml merged with --regions / INTD_REGIONS. Every
    municipality is a region too, by its name or any of its codes. `intd regions show
    REGION` lists a region's member codes per period.

    [dim]Examples:[/]
      intd regions
      intd regions show Drammensregionen
    """
    ctx.meta[LANG_KEY] = lang  # `intd regions --lang nb show R` words `show` in it too
    if ctx.invoked_subcommand is not None:
        return
    from intdrammen.municipalities import MunicipalityHistory, build_region, load_regions
    from intdrammen.render.setup import regions_json, regions_text

    config = load_regions(state(ctx).regions_file)
    history = MunicipalityHistory.load()
    built = [build_region(name, config, history) for name in config.regions]
    if format is ListFormat.json:
        from intdrammen.render.data import dumps

        typer.echo(dumps(regions_json(built, config.version)))
    else:
        Console().print(regions_text(built, config.version, _fmt(lang)))


@regions_app.command("show")
def regions_show(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            metavar="REGION", help="A region, or a municipality by name or any of its codes."
        ),
    ],
    format: Annotated[
        ListFormat, typer.Option("--format", "-f", metavar="FORMAT", help=LIST_FORMAT_HELP)
    ] = ListFormat.table,
    lang: LangOption = None,
) -> None:
    """A region's members with every municipality code that counts for them, per period.

    [dim]Examples:[/]
      intd regions show Drammensregionen
      intd regions show 0625
    """
    from intdrammen.municipalities import MunicipalityHistory, load_regions, resolve_region
    from intdrammen.render.setup import region_detail_json, region_detail_text

    history = MunicipalityHistory.load()
    region = resolve_region(name, load_regions(state(ctx).regions_file), history)
    if format is ListFormat.json:
        from intdrammen.render.data import dumps

        typer.echo(dumps(region_detail_json(region, history)))
    else:
        lang = lang or ctx.meta.get(LANG_KEY)
        Console().print(region_detail_text(region, history, _fmt(lang)))


@app.command("demo")
def demo(
    keep: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Keep the demo database as FILE (a new file), made with your key so you "
            "can import into it too.",
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Import the bundled synthetic sample and show what intd makes of it.

    Shows the import summary, progress for 2019 and the Drammensregionen report. Without
    --keep it works in a throw-away folder with a throw-away key: your database and your
    key are not touched. With --keep FILE the database is kept, made with your key
    (created as on a first import if you have none yet), so `intd --db FILE import` adds
    to it like to any database of yours.

    [dim]Examples:[/]
      intd demo
      intd demo --keep demo.sqlite
    """
    from intdrammen.cli.demo import check_keep, run_demo

    console = Console(highlight=False)
    fmt = _fmt(lang)
    if keep is not None:
        check_keep(keep)
        run_demo(keep, console, fmt, kept=True)
        return
    with tempfile.TemporaryDirectory(prefix="intd-demo-") as tmp:
        previous = os.environ.get("INTD_KEY_FILE")
        os.environ["INTD_KEY_FILE"] = str(Path(tmp) / "demo-key")  # a throw-away key
        try:
            run_demo(Path(tmp) / "demo.sqlite", console, fmt, kept=False)
        finally:
            if previous is None:
                os.environ.pop("INTD_KEY_FILE", None)
            else:
                os.environ["INTD_KEY_FILE"] = previous
