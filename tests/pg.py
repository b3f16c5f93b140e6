"""A real PostgreSQL server for the test session (issue 16), registered from conftest.py.

One `initdb` per session in a temporary folder, a server on 127.0.0.1 at a free port
with its socket in that folder (no traffic leaves loopback), and a fresh, empty database
per test (`CREATE DATABASE ... TEMPLATE`). The superuser `intd_admin` logs in with a
password over TCP (scram-sha-256), so the tests of wrong passwords meet a real
authentication failure; the socket trusts it (the fixture's own administration).

PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` OS user
(created with useradd if missing), its folder chowned to it.

Where the server binaries are missing the tests using these fixtures skip with the
reason; under CI=true that is a failure (`.ci/run` installs Debian's postgresql first).
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from pg_cluster import PG_SUPERUSER, PG_TEMPLATE, PgServer, bindir, cluster

__all__ = ["PG_SUPERUSER", "PG_TEMPLATE", "PgServer", "pg_server", "pg_url"]

_counter = itertools.count(1)


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}: .ci/run installs the postgresql package")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The session's PostgreSQL cluster, stopped and removed at the end."""
    found = bindir()
    if found is None or not (found / "initdb").exists():
        _missing("PostgreSQL server binaries (initdb, pg_ctl) not found")
    with cluster(found) as server:
        yield server


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A URL of a fresh, empty database of the session's server, dropped afterwards."""
    name = f"intd_test_{os.getpid()}_{next(_counter)}"
    pg_server.psql(f"CREATE DATABASE {name} TEMPLATE {PG_TEMPLATE}")
    try:
        yield pg_server.url(name)
    finally:
        pg_server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
