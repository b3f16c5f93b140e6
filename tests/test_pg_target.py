"""--db values: SQLite paths and PostgreSQL URLs, the display form without passwords,
libpq options passed through, and connection errors that never repeat a password,
against the session's real PostgreSQL server."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from intdrammen.errors import DatabaseRefused, DatabaseUnreachable
from intdrammen.store.target import (
    HIDDEN,
    PostgresTarget,
    SqliteTarget,
    parse_target,
)
from pg import PG_SUPERUSER, PgServer

SECRET = "Hemmelig-7734"


def _pg(value: str) -> PostgresTarget:
    target = parse_target(value)
    assert isinstance(target, PostgresTarget)
    return target


@pytest.mark.parametrize(
    "value", ["intd.sqlite", "data/intd.sqlite", "C:/data/intd.sqlite", "./postgresql.sqlite"]
)
def test_a_path_is_an_sqlite_target(value: str) -> None:
    target = parse_target(value)
    assert target == SqliteTarget(Path(value))
    assert target.display == str(Path(value))
    assert parse_target(Path(value)) == target


@pytest.mark.parametrize(
    ("url", "display"),
    [
        ("postgresql://db.example/intd", "postgresql://db.example/intd"),
        ("postgres://alice@db.example:5433/intd", "postgres://alice@db.example:5433/intd"),
        (f"postgresql://alice:{SECRET}@db.example/intd", "postgresql://alice@db.example/intd"),
        (f"postgresql://:{SECRET}@db.example/intd", "postgresql://db.example/intd"),
        (
            f"postgresql://alice:{SECRET}@h1:5432,h2:5433/intd?sslmode=verify-full"
            "&target_session_attrs=read-write",
            "postgresql://alice@h1:5432,h2:5433/intd?sslmode=verify-full"
            "&target_session_attrs=read-write",
        ),
        (
            f"postgresql:///intd?host=/run/postgresql&password={SECRET}&user=bob",
            "postgresql:///intd?host=/run/postgresql&user=bob",
        ),
        (
            f"postgresql://bob@h/intd?sslpassword={SECRET}&sslmode=require",
            "postgresql://bob@h/intd?sslmode=require",
        ),
        ("postgresql://h/intd?service=partnership", "postgresql://h/intd?service=partnership"),
    ],
)
def test_the_display_form_holds_no_password(url: str, display: str) -> None:
    target = _pg(url)
    assert target.conninfo == url  # handed to libpq untouched
    assert target.display == display
    assert SECRET not in target.display
    assert SECRET not in repr(target) and SECRET not in str(target)


def test_a_percent_encoded_password_is_hidden_in_both_forms() -> None:
    target = _pg("postgresql://alice:p%40ss%2Fw0rd@h/intd")
    assert target.display == "postgresql://alice@h/intd"
    assert target.scrub("libpq: p@ss/w0rd and p%40ss%2Fw0rd") == f"libpq: {HIDDEN} and {HIDDEN}"


def test_another_scheme_is_refused() -> None:
    with pytest.raises(DatabaseRefused) as caught:
        parse_target(f"mysql://alice:{SECRET}@h/intd")
    assert caught.value.code == "E-DB-URL"
    assert SECRET not in caught.value.message
    assert "postgresql://" in caught.value.message


def test_a_url_libpq_cannot_parse_is_refused_without_its_password() -> None:
    # libpq echoes a broken percent-encoded token, here inside the password.
    target = _pg("postgresql://alice:Hemmelig%zz7734@h/intd")
    with pytest.raises(DatabaseRefused) as caught:
        target.check()
    assert caught.value.code == "E-DB-URL"
    assert "Hemmelig" not in caught.value.message and "7734" not in caught.value.message
    assert "postgresql://alice@h/intd" in caught.value.message
    with pytest.raises(DatabaseRefused, match="nosuchoption"):
        _pg(f"postgresql://alice:{SECRET}@h/intd?nosuchoption=1").connect()


def _dbname(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_options_in_the_url_reach_the_server(pg_server: PgServer, pg_url: str) -> None:
    url = f"{pg_url}?application_name=intd_probe&sslmode=disable&options=-c%20search_path%3Dx"
    with _pg(url).connect() as conn:
        assert conn.execute("SHOW application_name").fetchone() == ("intd_probe",)
        assert conn.execute("SHOW search_path").fetchone() == ("x",)


def test_the_password_comes_from_pgpassword_or_pgpass(
    pg_server: PgServer, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = f"postgresql://{PG_SUPERUSER}@127.0.0.1:{pg_server.port}/{_dbname(pg_url)}"
    monkeypatch.setenv("PGPASSWORD", pg_server.password)
    with _pg(bare).connect() as conn:
        assert conn.execute("SELECT current_user").fetchone() == (PG_SUPERUSER,)
    monkeypatch.delenv("PGPASSWORD")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{pg_server.port}:*:{PG_SUPERUSER}:{pg_server.password}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    with _pg(bare).connect() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_a_wrong_password_in_the_url_is_a_typed_error_without_it(
    pg_server: PgServer, pg_url: str
) -> None:
    url = pg_server.url(_dbname(pg_url), password=SECRET)
    with pytest.raises(DatabaseUnreachable) as caught:
        _pg(url).connect()
    error = caught.value
    assert error.code == "E-DB-CONNECT"
    assert SECRET not in error.message and SECRET not in str(error)
    assert f"postgresql://{PG_SUPERUSER}@127.0.0.1:{pg_server.port}/" in error.message
    assert "password is wrong or missing" in error.message
    assert "password authentication failed" in error.message  # libpq's words, scrubbed
    assert error.hint and "PGPASSWORD" in error.hint
    again = pickle.loads(pickle.dumps(error))  # reaches a parent process intact
    assert again.message == error.message and again.code == "E-DB-CONNECT"


def test_a_wrong_pgpassword_is_a_typed_error_without_it(
    pg_server: PgServer, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", SECRET)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    bare = f"postgresql://{PG_SUPERUSER}@127.0.0.1:{pg_server.port}/{_dbname(pg_url)}"
    with pytest.raises(DatabaseUnreachable, match="password is wrong or missing") as caught:
        _pg(bare).connect()
    assert SECRET not in caught.value.message
    monkeypatch.delenv("PGPASSWORD")
    with pytest.raises(DatabaseUnreachable, match="password is wrong or missing"):
        _pg(bare).connect()  # no password at all


def test_a_missing_database_is_named_as_such(pg_server: PgServer, pg_url: str) -> None:
    with pytest.raises(DatabaseUnreachable, match="no such database") as caught:
        _pg(pg_server.url("intd_nowhere")).connect()
    assert pg_server.password not in caught.value.message


def test_a_server_not_listening_is_unreachable(pg_server: PgServer) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        url = f"postgresql://{PG_SUPERUSER}:{SECRET}@127.0.0.1:{port}/intd?connect_timeout=5"
        with pytest.raises(DatabaseUnreachable, match="could not be reached") as caught:
            _pg(url).connect()
    assert SECRET not in caught.value.message
    assert f"127.0.0.1:{port}/intd?connect_timeout=5" in caught.value.message


def test_sslmode_passes_through_to_libpq(pg_server: PgServer, pg_url: str) -> None:
    # The test server has no certificate: sslmode=require must fail, as libpq decides.
    with pytest.raises(DatabaseUnreachable, match="SSL") as caught:
        _pg(f"{pg_url}?sslmode=require").connect()
    assert pg_server.password not in caught.value.message


def test_psycopg_is_loaded_only_when_postgresql_is_used() -> None:
    import subprocess
    import sys

    code = (
        "import sys, intdrammen.store.target as t, intdrammen.store.pg_schema; "
        "t.parse_target('intd.sqlite'); t.parse_target('postgresql://h/db'); "
        "print('psycopg' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
