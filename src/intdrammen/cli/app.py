"""The Typer app, its global options and the error edge."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from intdrammen import __version__
from intdrammen.cli.helptext import HELP_OPTION_NAMES, HelpGroup, tidy
from intdrammen.errors import ImportRejected, InputFileError, IntdError

if TYPE_CHECKING:
    from intdrammen.store.target import PostgresTarget

EPILOG = (
    "Examples:\n"
    "  intd demo\n"
    "  intd import deltakere.xlsx plasseringer.csv\n"
    "  intd progress --year 2019\n"
    "  intd report --region Drammensregionen --format markdown\n"
    "  intd explain --goal id-2016-2020 --year 2019\n\n"
    "The database is --db FILE (or a postgresql:// URL; passwords from PGPASSWORD or "
    "~/.pgpass), else $INTD_DB, else ./intd.sqlite. "
    "`intd COMMAND --help` shows what a command takes."
)


def show_error(error: IntdError) -> None:
    """One paragraph on stderr (and an import's problems as a table above it)."""
    from rich.console import Console
    from rich.text import Text

    console = Console(stderr=True, highlight=False)
    message = error.message
    if isinstance(error, ImportRejected):
        from intdrammen.render.text import print_problems

        print_problems(console, error.problems, error.total, "Problems found")
        if error.warnings:
            print_problems(console, error.warnings, error.warning_total, "Warnings")
    elif isinstance(error, InputFileError) and not console.is_terminal:
        from intdrammen.render.text import problem_line

        message = problem_line(error.problem)  # the same searchable line as any problem
    if console.is_terminal:  # wrapped between words, never inside one
        from intdrammen.render.fit import Words

        console.print(Words(Text("Error: ", "bold red"), message))
        if error.hint:
            console.print(Words(error.hint, style="dim"))
        return
    # soft_wrap: Rich never breaks the paragraph; off a terminal it stays one line.
    console.print(Text.assemble(("Error: ", "bold red"), message), soft_wrap=True)
    if error.hint:
        console.print(error.hint, style="dim", soft_wrap=True, markup=False, emoji=False)


class IntdGroup(HelpGroup):
    """Turns the errors a user can cause into a clean message and exit code 1, and
    gives every command's help reflowing paragraphs and metavars (`cli/helptext.py`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tidy(self)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except IntdError as exc:
            show_error(exc)
            raise typer.Exit(1) from None
        except Exception as exc:
            damaged = _damaged_database(ctx, exc)
            if damaged is None:
                raise
            show_error(damaged)
            raise typer.Exit(1) from None


def _damaged_database(ctx: Any, exc: Exception) -> IntdError | None:
    """SQLite finding damage in the middle of a database (past the header and schema
    intd checks on opening) is the user's to fix from a backup, not a traceback; so is
    PostgreSQL refusing a statement or dropping the connection (E-DB-SERVER)."""
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(exc, psycopg.Error):
        from intdrammen.store.pg_sql import server_error

        return server_error(exc)
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is None or not isinstance(exc, sqlite3.DatabaseError):
        return None
    if "malformed" not in str(exc) and "not a database" not in str(exc):
        return None
    from intdrammen.store import damaged

    obj = ctx.find_root().obj
    db = obj.db if isinstance(obj, State) else None
    return damaged(db if isinstance(db, Path) else Path("?"), exc)


app = typer.Typer(
    name="intd",
    cls=IntdGroup,
    help="Track immigrant job-integration goals (Internasjonale Drammen, "
    "introduksjonsprogrammet) from spreadsheets in a local SQLite database.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold personal data
    rich_markup_mode="rich",
    context_settings={"help_option_names": HELP_OPTION_NAMES},
)


@dataclass
class State:
    db: Path | PostgresTarget
    goals_file: Path | None
    regions_file: Path | None
    requirements_file: Path | None = None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"intd {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="FILE|URL",
            help="Database file, or postgresql://HOST/DBNAME \\[env: INTD_DB; default: "
            "./intd.sqlite]",
            show_default=False,
        ),
    ] = None,
    goals: Annotated[
        Path | None,
        typer.Option(
            "--goals",
            metavar="FILE",
            help="Your goals file (TOML), merged over the shipped one \\[env: INTD_GOALS]",
        ),
    ] = None,
    regions: Annotated[
        Path | None,
        typer.Option(
            "--regions",
            metavar="FILE",
            help="Your regions file (TOML), merged over the shipped one \\[env: INTD_REGIONS]",
        ),
    ] = None,
    requirements: Annotated[
        Path | None,
        typer.Option(
            "--requirements",
            metavar="FILE",
            help="Your language-training rules (TOML), merged over the shipped "
            "requirements.toml \\[env: INTD_REQUIREMENTS]",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """intd: how far are we from our goals?"""
    from intdrammen.config import db_target, user_file_option  # not needed for --help

    ctx.obj = State(
        db_target(db),
        user_file_option(goals, "INTD_GOALS"),
        user_file_option(regions, "INTD_REGIONS"),
        user_file_option(requirements, "INTD_REQUIREMENTS"),
    )


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def fail(message: str, hint: str | None = None) -> NoReturn:
    raise IntdError(message, hint=hint)


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `intd ... | head`
        sys.stderr.close()
        sys.exit(0)
