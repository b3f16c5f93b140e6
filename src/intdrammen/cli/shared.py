"""Commands of a shared PostgreSQL database (issue 16): db init, offices add, list and
remove. Each takes the administrator's URL; the SQL is in store/pg_roles.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from intdrammen.cli.app import app
from intdrammen.cli.data import LIST_FORMAT_HELP, ListFormat

if TYPE_CHECKING:
    from intdrammen.store.target import PostgresTarget

db_app = typer.Typer(no_args_is_help=True)
offices_app = typer.Typer(no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(offices_app, name="offices")


@db_app.callback()
def db() -> None:
    """Prepare a shared PostgreSQL database: `intd db init URL`, once, as its administrator.

    [dim]Examples:[/]
      intd db init postgresql://postgres@localhost/partnership
    """


@offices_app.callback()
def offices() -> None:
    """The offices and readers of a shared PostgreSQL database: add, list, remove.

    [dim]Examples:[/]
      intd offices add nav_drammen --db postgresql://postgres@localhost/partnership
      intd offices list --db postgresql://postgres@localhost/partnership
    """


URL_HELP = "The administrator's PostgreSQL URL (password the libpq way) \\[env: INTD_DB]"
AdminUrl = Annotated[
    str | None, typer.Option("--db", metavar="URL", help=URL_HELP, show_default=False)
]
Name = Annotated[
    str,
    typer.Argument(
        metavar="NAME",
        help="The role's name: lower-case letters, digits and _, a letter first.",
        show_default=False,
    ),
]


def _target(value: str | None, ctx: typer.Context | None = None) -> PostgresTarget:
    """The PostgreSQL target the administrator named: this command's `--db`, else
    intd's own `--db URL` before the command (`intd --db URL offices list`), else
    INTD_DB."""
    from intdrammen.errors import DatabaseRefused
    from intdrammen.store.target import PostgresTarget, parse_target

    if value is None and ctx is not None:
        given = getattr(ctx.find_root().obj, "db", None)
        if isinstance(given, PostgresTarget):
            return given
    chosen = value or os.environ.get("INTD_DB")
    if not chosen:
        raise typer.BadParameter("give the administrator's URL: --db postgresql://HOST/DBNAME")
    target = parse_target(chosen)
    if not isinstance(target, PostgresTarget):
        raise DatabaseRefused(
            "E-DB-URL",
            target.display,
            f"{target.display} is an SQLite file; offices and roles live in a PostgreSQL "
            "database (postgresql://HOST/DBNAME).",
        )
    target.check()
    return target


@db_app.command("init")
def db_init(
    url: Annotated[
        str,
        typer.Argument(
            metavar="URL", help="The administrator's PostgreSQL URL.", show_default=False
        ),
    ],
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            metavar="FILE",
            help="Record this key file's fingerprint (never the key), so every office's "
            "import must use the same key. Else the first import that reads a "
            "fødselsnummer records it.",
        ),
    ] = None,
) -> None:
    """Prepare a PostgreSQL database for offices, once, as its administrator.

    Creates the roles intd_owner (owns the tables, no login), intd_office and
    intd_reader if missing, intd's tables (owned by intd_owner), row-level security
    that keeps each office's writes to its own rows and binds the owner too, and the
    grants. Running it again changes nothing; after an upgrade of intd it migrates.

    [dim]Examples:[/]
      intd db init postgresql://postgres@localhost/partnership
      intd db init postgresql://postgres@db.example.org/intd --key-file intd.key
    """
    from intdrammen.render.shared import init_lines
    from intdrammen.store.pg_roles import init_database

    target = _target(url)
    fingerprint = None
    if key_file is not None:
        from intdrammen.config import read_key_file
        from intdrammen.ids import key_fingerprint

        fingerprint = key_fingerprint(read_key_file(key_file))
    with target.connect(autocommit=True) as conn:
        done = init_database(conn, target.display, fingerprint=fingerprint)
    for line in init_lines(target.display, done):
        typer.echo(line)


@offices_app.command("add")
def offices_add(
    ctx: typer.Context,
    name: Name,
    reader: Annotated[
        bool,
        typer.Option("--reader", help="A read-only role (a board, an analyst): figures only."),
    ] = False,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of standard input instead of "
            "generating one.",
        ),
    ] = False,
    db: AdminUrl = None,
) -> None:
    """Create a login role for an office (or, with --reader, a read-only one).

    A generated password is printed once, alone on standard output, for the
    administrator to hand over by a safe channel; intd keeps it nowhere and the server
    gets only its SCRAM verifier. The office then connects with its own role, e.g.
    postgresql://NAME@HOST/DBNAME, the password in ~/.pgpass or PGPASSWORD.

    [dim]Examples:[/]
      intd offices add nav_drammen --db postgresql://postgres@localhost/partnership
      intd offices add board --reader --db postgresql://postgres@localhost/partnership
    """
    import secrets

    from intdrammen.errors import OfficeError
    from intdrammen.store.pg_roles import add_member

    target = _target(db, ctx)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise OfficeError("--password-stdin read no password from standard input.")
    else:
        password = secrets.token_urlsafe(24)
    with target.connect(autocommit=True) as conn:
        add_member(conn, target.display, name, password, reader=reader)
    kind = "read-only role" if reader else "office role"
    typer.echo(f"Created the {kind} {name} on {target.display}.", err=True)
    if not password_stdin:
        typer.echo("Its password, shown only now (hand it over by a safe channel):", err=True)
        typer.echo(password)


@offices_app.command("list")
def offices_list(
    ctx: typer.Context,
    db: AdminUrl = None,
    format: Annotated[
        ListFormat, typer.Option("--format", "-f", metavar="FORMAT", help=LIST_FORMAT_HELP)
    ] = ListFormat.table,
) -> None:
    """List the office and reader roles, and each office's live batches here.

    [dim]Examples:[/]
      intd offices list --db postgresql://postgres@localhost/partnership
      intd offices list --format json
    """
    from rich.console import Console

    from intdrammen.render.shared import members_json, members_table
    from intdrammen.store.pg_roles import members

    target = _target(db, ctx)
    with target.connect(autocommit=True) as conn:
        found = members(conn, target.display)
    if format is ListFormat.json:
        from intdrammen.render.data import dumps

        typer.echo(dumps(members_json(found)))
    elif not found:
        typer.echo("No offices or readers yet: `intd offices add NAME` creates one.")
    else:
        Console().print(members_table(found))


@offices_app.command("remove")
def offices_remove(ctx: typer.Context, name: Name, db: AdminUrl = None) -> None:
    """Drop an office's or a reader's role.

    Refused while the office has live (not undone) batches in the database, or in any
    other database of the server that db init prepared (a role is the server's): its rows
    would be left to nobody, and a role of the same name made later would own them
    again. Undo them first, or lock the role meanwhile with ALTER ROLE NAME NOLOGIN.

    [dim]Examples:[/]
      intd offices remove board --db postgresql://postgres@localhost/partnership
    """
    from intdrammen.errors import OfficeError
    from intdrammen.store.pg_roles import live_batches_elsewhere, remove_member

    target = _target(db, ctx)
    with target.connect(autocommit=True) as conn:
        elsewhere = live_batches_elsewhere(conn, target.conninfo, name)
        if elsewhere:  # a role is the whole server's, not one database's
            raise OfficeError(
                f"The office {name} has live batches in other databases of this server: "
                f"{', '.join(elsewhere)}. `intd undo` them there first, or lock the role "
                f"meanwhile with ALTER ROLE {name} NOLOGIN."
            )
        remove_member(conn, target.display, name)
    typer.echo(f"Removed the role {name} from {target.display}.")
