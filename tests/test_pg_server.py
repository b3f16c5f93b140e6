"""The PostgreSQL test fixture itself: a real server on loopback, one fresh database per
test, reachable only with the superuser's password over TCP."""

from __future__ import annotations

import psycopg
import pytest

from pg import PgServer


def test_the_server_listens_on_loopback_only(pg_server: PgServer, pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SHOW listen_addresses").fetchone()
        assert row == ("127.0.0.1",)
        version = conn.execute("SHOW server_version_num").fetchone()
        assert version is not None and int(version[0]) >= 130000
        socket_dirs = conn.execute("SHOW unix_socket_directories").fetchone()
        assert socket_dirs == (str(pg_server.folder),)


def test_each_test_gets_a_fresh_empty_database(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
        conn.execute("CREATE TABLE left_behind (x integer)")  # must not reach the next test


def test_the_database_of_the_test_before_is_gone(pg_server: PgServer, pg_url: str) -> None:
    names = pg_server.psql("SELECT datname FROM pg_database WHERE datname LIKE 'intd_test_%'")
    assert names.split() == [pg_url.rsplit("/", 1)[1]]


def test_a_wrong_password_is_refused_by_the_server(pg_server: PgServer, pg_url: str) -> None:
    dbname = pg_url.rsplit("/", 1)[1]
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(pg_server.url(dbname, password="not-the-password")).close()


def test_a_missing_server_skips_locally_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pg

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not found"):
        pg._missing("PostgreSQL server binaries (initdb, pg_ctl) not found")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true and PostgreSQL"):
        pg._missing("PostgreSQL server binaries (initdb, pg_ctl) not found")
