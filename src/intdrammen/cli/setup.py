"""Commands about what is configured, and the demo: goals, regions, demo."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from intdrammen.cli.app import app, state
from intdrammen.cli.data import ListFormat

regions_app = typer.Typer(
    help="Regions and their member municipalities.",
    no_args_is_help=False,
    invoke_without_command=True,
)
app.add_typer(regions_app, name="regions")


@app.command("goals")
def goals(
    ctx: typer.Context,
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """List the goals in force (shipped goals.toml merged with --goals / INTD_GOALS).

    To change a target or add a goal, write a TOML file with just those goals (same
    `id` replaces, new `id` adds, `disabled = true` hides) and pass it with --goals.
    """
    from intdrammen.config import load_goals
    from intdrammen.render.setup import goals_json, goals_text

    config = load_goals(state(ctx).goals_file)
    if format is ListFormat.json:
        from intdrammen.render.data import dumps

        typer.echo(dumps(goals_json(config)))
    else:
        Console().print(goals_text(config))


@regions_app.callback()
def regions(
    ctx: typer.Context,
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """List the regions (shipped regions.toml merged with --regions / INTD_REGIONS).

    Every municipality is a region too, by its name or any of its codes.
    `intd regions show NAME` lists a region's member codes per period.
    """
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
        Console().print(regions_text(built, config.version))


@regions_app.command("show")
def regions_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Region, municipality name or code.")],
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """A region's members with every municipality code that counts for them, per period.

    [dim]Examples:[/] intd regions show Drammensregionen · intd regions show 0625
    """
    from intdrammen.municipalities import MunicipalityHistory, load_regions, resolve_region
    from intdrammen.render.setup import region_detail_json, region_detail_text

    history = MunicipalityHistory.load()
    region = resolve_region(name, load_regions(state(ctx).regions_file), history)
    if format is ListFormat.json:
        from intdrammen.render.data import dumps

        typer.echo(dumps(region_detail_json(region, history)))
    else:
        Console().print(region_detail_text(region, history))


@app.command("demo")
def demo(
    keep: Annotated[
        Path | None,
        typer.Option(help="Keep the demo database at this path instead of a throw-away one."),
    ] = None,
) -> None:
    """Import the bundled synthetic sample and show progress for 2019 and the
    Drammensregionen report. Touches neither your database nor your key."""
    from intdrammen.cli.demo import run_demo

    with tempfile.TemporaryDirectory(prefix="intd-demo-") as tmp:
        previous = os.environ.get("INTD_KEY_FILE")
        os.environ["INTD_KEY_FILE"] = str(Path(tmp) / "demo-key")  # a throw-away key
        try:
            run_demo(keep or Path(tmp) / "demo.sqlite", Console(highlight=False))
        finally:
            if previous is None:
                os.environ.pop("INTD_KEY_FILE", None)
            else:
                os.environ["INTD_KEY_FILE"] = previous
