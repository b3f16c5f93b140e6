"""What a `--db` value (or INTD_DB) names: an SQLite file, or a PostgreSQL database by a
libpq URL (`postgresql://` or `postgres://`, issue 16).

A PostgreSQL URL is handed to libpq exactly as given, so every libpq option (`sslmode`,
`service`, `options`, `target_session_attrs` ...) and the libpq ways of giving a
password (PGPASSWORD, ~/.pgpass, PGSERVICE) work as in psql. What intd shows of it is
`display`: the URL without any password, in the user part or the query. Errors of the
connection become `DatabaseUnreachable` (E-DB-CONNECT) or `DatabaseRefused` (E-DB-URL)
with libpq's own words scrubbed of the URL and of every password intd can know of, since
libpq echoes parts of the connection string it could not parse.

psycopg is imported only inside the functions that connect or parse: `intd --help` and
every SQLite command never load it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from intdrammen.errors import DatabaseRefused, DatabaseUnreachable

if TYPE_CHECKING:
    import psycopg

PG_SCHEMES = ("postgresql://", "postgres://")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Query parameters that hold a secret: libpq's password, and the client key's passphrase.
_SECRET_PARAMS = frozenset({"password", "sslpassword"})
HIDDEN = "(password hidden)"


@dataclass(frozen=True)
class SqliteTarget:
    """An SQLite database file (the embedded default)."""

    path: Path

    @property
    def display(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class PostgresTarget:
    """A PostgreSQL database: `conninfo` is the URL as given (with any password in it),
    for libpq only; `display` is what intd may print, log or stamp."""

    conninfo: str = field(repr=False)
    display: str
    user: str | None = field(default=None, repr=False)
    url_secrets: tuple[str, ...] = field(default=(), repr=False)

    def __str__(self) -> str:
        return self.display

    def secrets(self) -> tuple[str, ...]:
        """Every password intd knows of for this target, longest first: from the URL
        (as written and percent-decoded) and from PGPASSWORD."""
        found = set(self.url_secrets)
        env = os.environ.get("PGPASSWORD")
        if env:
            found.add(env)
        return tuple(sorted((s for s in found if s), key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """`text` (a message of libpq or the server) with the URL shown as `display` and
        no password left in it."""
        text = text.replace(self.conninfo, self.display)
        for secret in self.secrets():
            text = text.replace(secret, HIDDEN)
        return text

    def connect(self, **kwargs: Any) -> psycopg.Connection[tuple[Any, ...]]:
        """A psycopg connection (not in autocommit unless asked); `kwargs` go to
        psycopg.connect. Connection failures raise DatabaseUnreachable."""
        import psycopg

        try:
            return psycopg.connect(self.conninfo, **kwargs)
        except psycopg.OperationalError as exc:
            raise DatabaseUnreachable(self._connect_message(exc)) from None
        except psycopg.ProgrammingError as exc:  # a URL libpq cannot parse
            raise self._url_error(exc) from None

    def _connect_message(self, exc: Exception) -> str:
        said = " ".join(self.scrub(str(exc)).split())
        low = said.lower()
        if "password" in low and ("authentication failed" in low or "no password" in low):
            who = f" as {self.user}" if self.user else ""
            reason = (
                f"the server refused the login{who}: the password is wrong or missing "
                "(PGPASSWORD, ~/.pgpass or PGSERVICE)"
            )
        elif "does not exist" in low and "database" in low:
            reason = "there is no such database on the server"
        elif "does not exist" in low and "role" in low:
            reason = "the server has no such user (role)"
        elif "ssl" in low:
            reason = "the SSL connection asked for (sslmode) could not be made"
        elif "no pg_hba.conf entry" in low:
            reason = "the server does not let this machine or user in (pg_hba.conf)"
        else:
            reason = "the server could not be reached"
        return f"Could not connect to {self.display}: {reason}. PostgreSQL says: {said}"

    def _url_error(self, exc: Exception) -> DatabaseRefused:
        said = " ".join(self.scrub(str(exc)).split())
        return DatabaseRefused(
            "E-DB-URL",
            self.display,
            f"{self.display} is not a PostgreSQL URL intd can use (libpq says: {said}).",
        )

    def check(self) -> None:
        """Refuse a URL libpq cannot parse (unknown option, broken percent-encoding)
        before anything connects."""
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        try:
            conninfo_to_dict(self.conninfo)
        except psycopg.ProgrammingError as exc:
            raise self._url_error(exc) from None


Target = SqliteTarget | PostgresTarget


def is_postgres(value: str | os.PathLike[str]) -> bool:
    return isinstance(value, str) and value.lower().startswith(PG_SCHEMES)


def parse_target(value: str | os.PathLike[str]) -> Target:
    """The target a `--db` value names. A URL of another scheme is refused (E-DB-URL):
    intd stores only in SQLite files and PostgreSQL."""
    if isinstance(value, os.PathLike):
        return SqliteTarget(Path(value))
    if not is_postgres(value):
        if _URL.match(value):
            scheme = value.split("://", 1)[0]
            raise DatabaseRefused(
                "E-DB-URL",
                f"{scheme}://…",
                f"--db names a {scheme}:// URL; intd stores in an SQLite file or in "
                "PostgreSQL (postgresql://HOST/DBNAME).",
            )
        return SqliteTarget(Path(value))
    return _postgres(value)


def _postgres(url: str) -> PostgresTarget:
    scheme, rest = url.split("://", 1)
    # libpq's reading: user information runs to the first '@' met before any '/'.
    user: str | None = None
    secrets: set[str] = set()
    stop = re.search(r"[@/]", rest)
    if stop and stop.group() == "@":
        userinfo, rest = rest[: stop.start()], rest[stop.end() :]
        name, colon, password = userinfo.partition(":")
        if colon and password:
            secrets.update({password, unquote(password)})
        user = unquote(name) if name else None
        shown_user = f"{name}@" if name else ""
    else:
        shown_user = ""
    base, question, query = rest.partition("?")
    kept: list[str] = []
    if question:
        for pair in query.split("&"):
            key, _eq, val = pair.partition("=")
            if unquote(key).strip().lower() in _SECRET_PARAMS:
                if val:
                    secrets.update({val, unquote(val), unquote(val.replace("+", " "))})
                continue
            if unquote(key).strip().lower() == "user" and val:
                user = unquote(val)
            kept.append(pair)
    display = f"{scheme}://{shown_user}{base}" + (f"?{'&'.join(kept)}" if kept else "")
    return PostgresTarget(url, display, user, tuple(sorted(secrets, key=len, reverse=True)))
