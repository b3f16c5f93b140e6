"""A throw-away PostgreSQL cluster on loopback, for the tests (tests/pg.py) and for
`make bench`: one `initdb` in a temporary folder, a server on 127.0.0.1 at a free port
with its socket in that folder (no traffic leaves loopback), a superuser `intd_admin`
who logs in with a password over TCP (scram-sha-256) and is trusted on the socket.

PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` OS user
(created with useradd if missing), its folder chowned to it. The server binaries are
found on PATH or in Debian's /usr/lib/postgresql/*/bin (`bindir`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PG_SUPERUSER = "intd_admin"
PG_TEMPLATE = "intd_template"


@dataclass(frozen=True)
class PgServer:
    """A running test cluster: where it listens and how to log in as its superuser."""

    bindir: Path
    folder: Path
    port: int
    password: str
    run_as: list[str]  # the command prefix that runs a binary as the cluster's owner

    def url(self, dbname: str = "postgres", *, password: str | None = None) -> str:
        pw = self.password if password is None else password
        return f"postgresql://{PG_SUPERUSER}:{pw}@127.0.0.1:{self.port}/{dbname}"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run `sql` as the superuser over the cluster's socket; returns psql's output."""
        psql = shutil.which("psql") or str(self.bindir / "psql")
        done = subprocess.run(
            [
                *self.run_as,
                psql,
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                str(self.folder),
                "-p",
                str(self.port),
                "-U",
                PG_SUPERUSER,
                "-d",
                dbname,
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()


def bindir() -> Path | None:
    """The folder of the machine's pg_ctl: on PATH, else Debian's versioned folders."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _owner_prefix(folder: Path) -> list[str]:
    """The prefix that runs the server binaries: nothing, or `runuser -u postgres --`
    as root (with the folder handed to postgres)."""
    if os.geteuid() != 0:
        return []
    try:
        subprocess.run(["id", "postgres"], capture_output=True, check=True)
    except subprocess.CalledProcessError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/bin/false", "postgres"],
            check=True,
            capture_output=True,
        )
    shutil.chown(folder, user="postgres", group=None)
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-s", "/bin/sh"]


def _run(prefix: list[str], args: list[str]) -> None:
    if prefix and prefix[0] == "su":  # su takes one command line
        import shlex

        args = [*prefix, "-c", shlex.join(args)]
    else:
        args = [*prefix, *args]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(args[0]).name} failed: {done.stdout}{done.stderr}")


@contextlib.contextmanager
def cluster(bindir: Path, *, durable: bool = False) -> Iterator[PgServer]:
    """A PostgreSQL cluster of the server binaries in `bindir`, in a temporary folder,
    listening on 127.0.0.1 only at a free port; stopped and removed at the end. Not
    `durable` (the tests): without fsync, a server that loses its data in a crash;
    `durable` (the benchmark): PostgreSQL's defaults, each commit on disk as SQLite's."""
    folder = Path(tempfile.mkdtemp(prefix="intd-pg-"))
    prefix = _owner_prefix(folder)
    password = secrets.token_urlsafe(16)
    pwfile = folder / "pw"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if prefix:
        shutil.chown(pwfile, user="postgres", group=None)
    data, port = folder / "data", _free_port()
    started = False
    try:
        _run(
            prefix,
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                PG_SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )
        pwfile.unlink()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={folder} "
            "-c max_connections=60"
        )
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        _run(
            prefix,
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "30",
                "start",
            ],
        )
        started = True
        server = PgServer(bindir, folder, port, password, prefix)
        server.psql(f"CREATE DATABASE {PG_TEMPLATE}")
        yield server
    finally:
        if started:
            _run(prefix, [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(folder, ignore_errors=True)
