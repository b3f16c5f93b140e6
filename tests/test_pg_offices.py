"""Offices, readers and row-level security on the real test server (issue 16): what each
role may do is asked of PostgreSQL itself, with plain SQL over a psycopg connection
logged in as that role (password auth over TCP), not through intd's store code.

Roles are the server's, not one database's, so every test names its own office roles
and drops them; the groups intd_owner, intd_office and intd_reader stay for the session.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from intdrammen.cli import app
from intdrammen.errors import OfficeError, RoleRefused
from intdrammen.store import pg_roles
from intdrammen.store.pg_roles import (
    ALL_TABLES,
    SECURED_TABLES,
    add_member,
    init_database,
    members,
    refuse_unbound_writer,
    remove_member,
)
from intdrammen.store.target import PostgresTarget, parse_target
from pg import PgServer

Conn = psycopg.Connection[Any]
_serial = itertools.count(1)


def _target(url: str) -> PostgresTarget:
    target = parse_target(url)
    assert isinstance(target, PostgresTarget)
    return target


@dataclass
class Shared:
    """A database prepared by `db init`, and a way to log in as roles made for it."""

    server: PgServer
    url: str
    dbname: str
    made: list[str]

    def admin(self) -> Conn:
        return _target(self.url).connect(autocommit=True)

    def name(self, stem: str) -> str:
        return f"{stem}_{os.getpid()}_{next(_serial)}"

    def add(self, stem: str, *, reader: bool = False) -> tuple[str, str]:
        name, password = self.name(stem), secrets.token_urlsafe(12)
        with self.admin() as conn:
            add_member(conn, self.url, name, password, reader=reader)
        self.made.append(name)
        return name, password

    def login(self, name: str, password: str) -> Conn:
        url = f"postgresql://{name}:{password}@127.0.0.1:{self.server.port}/{self.dbname}"
        return psycopg.connect(url, autocommit=True)


@pytest.fixture
def shared(pg_server: PgServer, pg_url: str) -> Iterator[Shared]:
    db = Shared(pg_server, pg_url, pg_url.rsplit("/", 1)[1], [])
    with db.admin() as conn:
        init_database(conn, "test")
    try:
        yield db
    finally:
        pg_server.psql(f"DROP DATABASE IF EXISTS {db.dbname} WITH (FORCE)")
        for name in db.made:
            pg_server.psql(f"DROP ROLE IF EXISTS {name}")


def _batch(conn: Conn, **values: Any) -> int:
    cols = {"file": "f.csv", "sha256": "x", "kind": "participants", "rows": 1}
    cols |= {"imported_at": "2024-01-01T00:00:00", **values}
    names = ", ".join(cols)
    marks = ", ".join(["%s"] * len(cols))
    row = conn.execute(
        f"INSERT INTO batches ({names}) VALUES ({marks}) RETURNING id", tuple(cols.values())
    ).fetchone()
    assert row is not None
    return int(row[0])


def _participant(conn: Conn, pid: str, batch: int, **values: Any) -> None:
    cols = {"participant_id": pid, "batch_id": batch, "source_row": 2, **values}
    names = ", ".join(cols)
    marks = ", ".join(["%s"] * len(cols))
    conn.execute(f"INSERT INTO participants ({names}) VALUES ({marks})", tuple(cols.values()))


def _refused(conn: Conn, sql: str, params: tuple[Any, ...] = ()) -> str:
    """The server's refusal of `sql` (a permission or row-level security error)."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
        conn.execute(sql, params)
    return str(caught.value)


def _catalogue(conn: Conn) -> dict[str, Any]:
    """What `db init` sets: owners, RLS flags, grants, policies, schema rights, roles."""
    tables = conn.execute(
        "SELECT c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity, "
        "c.relforcerowsecurity, c.relacl::text FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1"
    ).fetchall()
    policies = conn.execute(
        "SELECT tablename, policyname, cmd, roles::text, qual, with_check FROM pg_policies "
        "ORDER BY 1, 2"
    ).fetchall()
    schema = conn.execute("SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public'")
    roles = conn.execute(
        "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'intd\\_%' ORDER BY 1"
    ).fetchall()
    return {
        "tables": tables,
        "policies": policies,
        "schema": schema.fetchall(),
        "roles": roles,
    }


# --------------------------------------------------------------------------- db init


def test_db_init_builds_the_owned_secured_schema_and_a_second_run_changes_nothing(
    pg_server: PgServer, pg_url: str
) -> None:
    dbname = pg_url.rsplit("/", 1)[1]
    with _target(pg_url).connect(autocommit=True) as conn:
        done = init_database(conn, "test")
        assert "created intd's tables (owned by intd_owner)" in done
        first = _catalogue(conn)
        assert init_database(conn, "test") == []
        assert _catalogue(conn) == first
    tables = {row[0]: row for row in first["tables"] if row[0] in ALL_TABLES}
    assert set(tables) == set(ALL_TABLES)
    for name, owner, enabled, forced, _acl in tables.values():
        assert (owner, enabled, forced) == ("intd_owner", True, True), name
    policies = {(row[0], row[1]) for row in first["policies"]}
    for table in SECURED_TABLES:
        for policy in ("intd_read", "intd_office_insert", "intd_office_update"):
            assert (table, policy) in policies
    assert ("intd_owner", False) in first["roles"]  # the owner never logs in
    # The CLI says so too, and exits 0.
    result = CliRunner().invoke(app, ["db", "init", pg_url])
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.stdout
    assert pg_server.password not in result.output
    pg_server.psql(f"DROP DATABASE {dbname} WITH (FORCE)")


def test_two_administrators_running_db_init_at_once_build_it_once(pg_url: str) -> None:
    import threading

    barrier = threading.Barrier(2)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with _target(pg_url).connect(autocommit=True) as conn:
                barrier.wait()
                results.append(init_database(conn, "test"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(len(done) > 0 for done in results) == [False, True]


def test_db_init_lets_offices_in_where_public_may_not_connect(
    shared: Shared, pg_server: PgServer
) -> None:
    pg_server.psql(f"REVOKE CONNECT, TEMP ON DATABASE {shared.dbname} FROM PUBLIC")
    with shared.admin() as conn:
        done = init_database(conn, "test")
    assert "granted intd_office CONNECT on the database" in done
    assert "granted intd_reader CONNECT on the database" in done
    name, password = shared.add("office_p")
    with shared.login(name, password) as office:
        office.execute("CREATE TEMP TABLE stage_probe (x int)")


def test_db_init_hands_tables_made_by_an_earlier_import_to_the_owner(pg_url: str) -> None:
    from intdrammen.store.pg_schema import migrate

    with _target(pg_url).connect(autocommit=True) as conn:
        migrate(conn, "test")  # as an import run by the administrator would have
        done = init_database(conn, "test")
        assert any("handed" in step for step in done)
        owners = conn.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ).fetchall()
    assert owners == [("intd_owner",)]


def test_db_init_records_the_key_fingerprint_never_the_key(pg_url: str, tmp_path: Path) -> None:
    from intdrammen.ids import key_fingerprint

    key = tmp_path / "intd.key"
    key.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
    key.chmod(0o600)
    result = CliRunner().invoke(app, ["db", "init", pg_url, "--key-file", str(key)])
    assert result.exit_code == 0, result.output
    assert "fingerprint" in result.stdout
    with _target(pg_url).connect() as conn:
        rows = conn.execute("SELECT name, value FROM meta").fetchall()
    secret = key.read_bytes().strip()
    assert ("key_fingerprint", key_fingerprint(secret)) in rows
    assert not any(secret.decode() in str(value) for _name, value in rows)
    again = CliRunner().invoke(app, ["db", "init", pg_url, "--key-file", str(key)])
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    other = tmp_path / "other.key"
    other.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
    other.chmod(0o600)
    refused = CliRunner().invoke(app, ["db", "init", pg_url, "--key-file", str(other)])
    assert refused.exit_code == 1, refused.output
    assert "another key" in refused.stderr
    assert other.read_text(encoding="ascii").strip() not in refused.output


def test_the_key_row_is_the_one_importers_key_reads() -> None:
    from intdrammen.importers.key import KEY_FINGERPRINT

    assert pg_roles.KEY_FINGERPRINT == KEY_FINGERPRINT


# ------------------------------------------------------------------ offices' rights


def test_an_office_writes_its_own_rows_and_the_database_refuses_anothers(
    shared: Shared,
) -> None:
    a, a_pw = shared.add("office_a")
    b, b_pw = shared.add("office_b")
    with shared.login(a, a_pw) as office_a, shared.login(b, b_pw) as office_b:
        batch_a = _batch(office_a)
        _participant(office_a, "a:P1", batch_a, gender="K")
        row = office_a.execute(
            "SELECT office FROM participants WHERE participant_id = 'a:P1'"
        ).fetchone()
        assert row == (a,)  # the column's default: the writing role
        office_a.execute("UPDATE participants SET gender = 'M' WHERE participant_id = 'a:P1'")
        # An import stages its rows in temporary tables of its session.
        office_a.execute("CREATE TEMP TABLE stage_probe (x int)")
        # b sees a's rows (the figures are shared) ...
        assert office_b.execute("SELECT count(*) FROM participants").fetchone() == (1,)
        # ... but may not write rows in a's name,
        said = _refused(
            office_b,
            "INSERT INTO batches (file, sha256, kind, rows, imported_at, office) "
            "VALUES ('f', 'x', 'participants', 0, '2024', %s)",
            (a,),
        )
        assert "row-level security" in said
        batch_b = _batch(office_b)
        _refused(
            office_b,
            "INSERT INTO participants (participant_id, batch_id, source_row, office) "
            "VALUES ('b:P1', %s, 2, %s)",
            (batch_b, a),
        )
        # ... nor change or delete a's rows: they are not there for b's UPDATE/DELETE,
        for sql in (
            "UPDATE participants SET gender = 'K' WHERE participant_id = 'a:P1'",
            "DELETE FROM participants WHERE participant_id = 'a:P1'",
            f"UPDATE batches SET undone_at = '2024' WHERE id = {batch_a}",
            f"DELETE FROM batches WHERE id = {batch_a}",
        ):
            assert office_b.execute(sql).rowcount == 0, sql
        # ... nor hand its own rows to a,
        _participant(office_b, "b:P1", batch_b)
        _refused(
            office_b, "UPDATE participants SET office = %s WHERE participant_id = 'b:P1'", (a,)
        )
        # ... nor tie a's batch to its own in batch_depends.
        _refused(
            office_b,
            "INSERT INTO batch_depends (batch_id, depends_on) VALUES (%s, %s)",
            (batch_a, batch_b),
        )
        office_b.execute(
            "INSERT INTO batch_depends (batch_id, depends_on) VALUES (%s, %s)", (batch_b, batch_a)
        )
        # An office undoes its own batch.
        office_a.execute("UPDATE batches SET undone_at = '2024' WHERE id = %s", (batch_a,))
    with shared.admin() as admin:  # as the superuser sees it: a's row as a left it
        rows = admin.execute(
            "SELECT participant_id, gender, office FROM participants ORDER BY 1"
        ).fetchall()
        assert rows == [("a:P1", "M", a), ("b:P1", None, b)]
        undone = admin.execute("SELECT undone_at FROM batches WHERE id = %s", (batch_a,))
        assert undone.fetchone() == ("2024",)


def test_an_office_can_neither_alter_create_drop_nor_truncate(shared: Shared) -> None:
    name, password = shared.add("office_c")
    with shared.login(name, password) as office:
        for sql in (
            "ALTER TABLE participants ADD COLUMN note text",
            "ALTER TABLE participants NO FORCE ROW LEVEL SECURITY",
            "ALTER TABLE batches DISABLE ROW LEVEL SECURITY",
            "CREATE TABLE mine (x int)",
            "DROP TABLE placements",
            "DROP INDEX idx_placements_key",
            "CREATE INDEX mine ON participants (gender)",
            "DROP POLICY intd_read ON participants",
            "TRUNCATE participants",
            "DELETE FROM meta",
        ):
            _refused(office, sql)
        # The key's fingerprint: the first import may record it, nobody may change it.
        # The store's upsert (Store.set_meta), as importers/key.py runs it:
        upsert = (
            "INSERT INTO meta (name, value) VALUES ('key_fingerprint', %s) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
        )
        office.execute(upsert, ("abc",))
        said = _refused(office, upsert, ("other",))
        assert "row-level security" in said
        update = "UPDATE meta SET value = 'other' WHERE name = 'key_fingerprint'"
        assert office.execute(update).rowcount == 0
        row = office.execute("SELECT value FROM meta WHERE name = 'key_fingerprint'")
        assert row.fetchone() == ("abc",)
        _refused(office, "INSERT INTO meta (name, value) VALUES ('schema_version', '99')")
    with shared.admin() as admin:
        assert admin.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone() != (
            "99",
        )


def test_a_reader_reads_everything_and_writes_nothing(shared: Shared) -> None:
    office, office_pw = shared.add("office_d")
    reader, reader_pw = shared.add("board", reader=True)
    with shared.login(office, office_pw) as conn:
        batch = _batch(conn)
        _participant(conn, "d:P1", batch)
    with shared.login(reader, reader_pw) as conn:
        for table in ALL_TABLES:
            conn.execute(f"SELECT * FROM {table}").fetchall()
        assert conn.execute("SELECT count(*) FROM participants").fetchone() == (1,)
        for sql in (
            "INSERT INTO batches (file, sha256, kind, rows, imported_at) "
            "VALUES ('f', 'x', 'participants', 0, '2024')",
            "UPDATE participants SET gender = 'K'",
            "DELETE FROM participants",
            "INSERT INTO meta (name, value) VALUES ('key_fingerprint', 'x')",
            "CREATE TABLE mine (x int)",
            "ALTER TABLE batches ADD COLUMN y int",
        ):
            _refused(conn, sql)


def test_force_binds_the_tables_owner_too(shared: Shared) -> None:
    with shared.admin() as admin:
        batch = _batch(admin)  # the superuser bypasses row-level security ...
        admin.execute("SET ROLE intd_owner")
        assert admin.execute("SELECT current_user").fetchone() == ("intd_owner",)
        admin.execute("SELECT count(*) FROM participants").fetchone()  # ... the owner reads,
        said = _refused(  # ... but FORCE holds its writes to the policies, which give none
            admin,
            "INSERT INTO participants (participant_id, batch_id, source_row) VALUES ('x', %s, 2)",
            (batch,),
        )
        assert "row-level security" in said
        assert admin.execute(f"DELETE FROM batches WHERE id = {batch}").rowcount == 0
        admin.execute("RESET ROLE")


# ----------------------------------------------------------- who intd writes as


def test_a_superuser_or_bypassrls_role_is_refused_on_a_database_with_offices(
    shared: Shared, pg_server: PgServer
) -> None:
    with shared.admin() as admin, pytest.raises(RoleRefused) as caught:
        refuse_unbound_writer(admin, "the shared database")
    assert caught.value.code == "E-DB-ROLE"
    assert "superuser" in caught.value.message
    assert pg_server.password not in caught.value.message
    name, password = shared.add("office_e")
    with shared.login(name, password) as office:
        refuse_unbound_writer(office, "the shared database")  # an office is bound: fine
    bypass = shared.name("bypass")
    pg_server.psql(f"CREATE ROLE {bypass} LOGIN BYPASSRLS PASSWORD 'bypass-pw' IN ROLE intd_office")
    shared.made.append(bypass)
    with shared.login(bypass, "bypass-pw") as conn, pytest.raises(RoleRefused) as caught:
        refuse_unbound_writer(conn, "the shared database")
    assert "BYPASSRLS" in caught.value.message


def test_a_superuser_may_write_into_a_database_without_offices(pg_url: str) -> None:
    from intdrammen.store.pg_schema import migrate

    with _target(pg_url).connect(autocommit=True) as conn:
        migrate(conn, "test")
        refuse_unbound_writer(conn, "test")


# ------------------------------------------------------------------ intd offices


def _cli(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(app, list(args), input=stdin)


def test_offices_add_prints_the_password_once_and_it_logs_in(shared: Shared) -> None:
    name = shared.name("nav")
    result = _cli("offices", "add", name, "--db", shared.url)
    shared.made.append(name)
    assert result.exit_code == 0, result.output
    password = result.stdout.strip()
    assert len(password) >= 24 and "\n" not in password
    assert password not in result.stderr
    assert "safe channel" in result.stderr
    with shared.login(name, password) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (name,)
    with shared.admin() as admin:  # the server keeps a SCRAM verifier, not the password
        row = admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (name,))
        stored = row.fetchone()
    assert stored is not None and str(stored[0]).startswith("SCRAM-SHA-256$")
    assert password not in str(stored[0])
    # Listed, as an office with no batches; then removed.
    listed = _cli("offices", "list", "--db", shared.url, "--format", "json")
    assert listed.exit_code == 0, listed.output
    entry = {"role": name, "kind": "office", "can_login": True, "live_batches": 0}
    assert entry in json.loads(listed.stdout)
    table = _cli("offices", "list", "--db", shared.url)
    assert table.exit_code == 0, table.output
    assert any(
        line.split()[:4] == [name, "office", "yes", "0"] for line in table.stdout.splitlines()
    )
    removed = _cli("offices", "remove", name, "--db", shared.url)
    assert removed.exit_code == 0, removed.output
    with shared.admin() as admin:
        assert (
            admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is None
        )


def test_a_reader_with_a_password_from_stdin(shared: Shared) -> None:
    name = shared.name("analyst")
    result = _cli(
        "offices",
        "add",
        name,
        "--reader",
        "--password-stdin",
        "--db",
        shared.url,
        stdin="from-stdin-pw\n",
    )
    shared.made.append(name)
    assert result.exit_code == 0, result.output
    assert "from-stdin-pw" not in result.output
    with shared.login(name, "from-stdin-pw") as conn:
        _refused(conn, "DELETE FROM participants")
    with shared.admin() as admin:
        kinds = {(m.name, m.kind) for m in members(admin, "test")}
    assert (name, "reader") in kinds


def test_an_office_with_live_batches_is_not_removed(shared: Shared) -> None:
    name, password = shared.add("office_f")
    with shared.login(name, password) as conn:
        batch = _batch(conn)
    result = _cli("offices", "remove", name, "--db", shared.url)
    assert result.exit_code == 1
    assert "[E-OFFICE]" in result.stderr and "1 live batch" in result.stderr
    assert "Traceback" not in result.output
    with shared.login(name, password) as conn:  # undone, it may go
        conn.execute("UPDATE batches SET undone_at = '2024' WHERE id = %s", (batch,))
    with shared.admin() as admin:
        remove_member(admin, "test", name)


def test_an_office_with_live_batches_in_another_database_is_not_removed(
    shared: Shared, pg_server: PgServer
) -> None:
    """A role is the server's: its live batches in another prepared database count too."""
    name, password = shared.add("office_g")
    other = shared.name("intd_other")
    pg_server.psql(f"CREATE DATABASE {other} TEMPLATE intd_template")
    try:
        other_url = pg_server.url(other)
        with _target(other_url).connect(autocommit=True) as conn:
            init_database(conn, "other")
        login = f"postgresql://{name}:{password}@127.0.0.1:{pg_server.port}/{other}"
        with psycopg.connect(login, autocommit=True) as conn:
            _batch(conn)
        result = _cli("offices", "remove", name, "--db", shared.url)  # not where it imported
        assert result.exit_code == 1 and "[E-OFFICE]" in result.stderr
        assert f"{other} (1)" in result.stderr
    finally:
        pg_server.psql(f"DROP DATABASE IF EXISTS {other} WITH (FORCE)")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["offices", "add", "Bad-Name"], "cannot be an office's role name"),
        (["offices", "add", "intd_owner"], "cannot be an office's role name"),
        (["offices", "add", "public"], "cannot be an office's role name"),
        (["offices", "remove", "intd_admin"], "no office or reader"),
    ],
)
def test_offices_refusals_are_typed_errors(shared: Shared, args: list[str], said: str) -> None:
    result = _cli(*args, "--db", shared.url)
    assert result.exit_code == 1, result.output
    assert said in result.stderr and "[E-OFFICE]" in result.stderr
    assert shared.server.password not in result.output


def test_an_existing_role_and_an_unprepared_database_are_refused(
    shared: Shared, pg_server: PgServer
) -> None:
    name, _pw = shared.add("office_g")
    with shared.admin() as admin, pytest.raises(OfficeError, match="already"):
        add_member(admin, "test", name, "pw")
    pg_server.psql("CREATE DATABASE intd_unprepared TEMPLATE intd_template")
    try:
        url = pg_server.url("intd_unprepared")
        result = _cli("offices", "list", "--db", url)
        assert result.exit_code == 1
        assert "intd db init" in result.stderr
    finally:
        pg_server.psql("DROP DATABASE intd_unprepared WITH (FORCE)")


def test_an_office_role_may_not_add_offices(shared: Shared) -> None:
    name, password = shared.add("office_h")
    url = f"postgresql://{name}:{password}@127.0.0.1:{shared.server.port}/{shared.dbname}"
    result = _cli("offices", "add", shared.name("sneaky"), "--db", url)
    assert result.exit_code == 1, result.output
    assert "administrator's URL" in result.stderr
    assert password not in result.output


def test_usage_errors_exit_2(shared: Shared, tmp_path: Path) -> None:
    assert _cli("offices", "add").exit_code == 2
    assert _cli("db", "init").exit_code == 2
    lite = _cli("offices", "list", "--db", str(tmp_path / "intd.sqlite"))
    assert lite.exit_code == 1 and "[E-DB-URL]" in lite.stderr


# ------------------------------------------------------------------ backup, restore


def test_a_dump_restored_into_a_new_database_keeps_its_rows_and_rights(shared: Shared) -> None:
    """docs/shared-database.md's backup: pg_dump -Fc as the administrator (a superuser,
    whom row-level security does not filter), pg_restore into a new database; the
    restored database needs no `db init` step and binds the offices as before."""
    import shutil
    import subprocess

    server = shared.server
    name, password = shared.add("office_r")
    with shared.login(name, password) as conn:
        _participant(conn, "r:P1", _batch(conn))
    dump = server.folder / f"{shared.dbname}.dump"
    copy = f"{shared.dbname}_restored"
    env = {**os.environ, "PGPASSWORD": server.password}

    def run(tool: str, *args: str) -> None:
        binary = shutil.which(tool) or str(server.bindir / tool)
        done = subprocess.run(
            [binary, "-h", "127.0.0.1", "-p", str(server.port), "-U", "intd_admin", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    run("pg_dump", "-Fc", "-f", str(dump), shared.dbname)
    server.psql(f"CREATE DATABASE {copy} TEMPLATE intd_template")
    try:
        run("pg_restore", "--exit-on-error", "-d", copy, str(dump))
        restored = Shared(server, server.url(copy), copy, [])
        with restored.admin() as admin:
            assert init_database(admin, "restored") == []
        with restored.login(name, password) as conn:
            assert conn.execute("SELECT office FROM participants").fetchall() == [(name,)]
            _refused(
                conn,
                "INSERT INTO batches (file, sha256, kind, rows, imported_at, office) "
                "VALUES ('f', 'x', 'participants', 0, '2024', 'someone_else')",
            )
    finally:
        server.psql(f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)")


def test_the_databases_owner_with_createrole_may_be_the_administrator(
    pg_server: PgServer,
) -> None:
    admin = f"admin_{os.getpid()}_{next(_serial)}"
    dbname = f"{admin}_db"
    pg_server.psql(f"CREATE ROLE {admin} LOGIN CREATEROLE PASSWORD 'admin-pw'")
    pg_server.psql(f"CREATE DATABASE {dbname} OWNER {admin} TEMPLATE intd_template")
    made: list[str] = []
    try:
        url = f"postgresql://{admin}:admin-pw@127.0.0.1:{pg_server.port}/{dbname}"
        with _target(url).connect(autocommit=True) as conn:
            done = init_database(conn, "test")
            assert "made the administrator a member of intd_owner" in done
            assert "created intd's tables (owned by intd_owner)" in done
            office = f"office_{admin}"
            add_member(conn, "test", office, "office-pw")
            made.append(office)
            with pytest.raises(RoleRefused, match="owner's rights"):
                refuse_unbound_writer(conn, "test")  # it may switch row-level security off
        login = f"postgresql://{office}:office-pw@127.0.0.1:{pg_server.port}/{dbname}"
        with psycopg.connect(login, autocommit=True) as conn:
            refuse_unbound_writer(conn, "test")
            _batch(conn)
    finally:
        pg_server.psql(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        for role in made:
            pg_server.psql(f"DROP ROLE IF EXISTS {role}")
        pg_server.psql(f"REVOKE intd_owner FROM {admin}")
        pg_server.psql(f"DROP ROLE IF EXISTS {admin}")


def test_an_office_loads_by_copy_into_its_stage_then_insert(shared: Shared) -> None:
    """PostgreSQL refuses COPY FROM into a table under row-level security; an office's
    import COPYs into a temporary stage table of its session (no row-level security)
    and moves the rows with INSERT ... SELECT, which the policies check."""
    name, password = shared.add("office_copy")
    cols = "participant_id, batch_id, source_row"
    with shared.login(name, password) as conn:
        batch = _batch(conn)
        with (
            pytest.raises(psycopg.errors.FeatureNotSupported),
            conn.transaction(),
            conn.cursor().copy(f"COPY participants ({cols}) FROM STDIN") as copy,
        ):
            copy.write(f"c:P1\t{batch}\t2\n")
        with conn.transaction():
            conn.execute(
                "CREATE TEMP TABLE stage_participants (participant_id text, batch_id bigint, "
                "source_row bigint)"
            )
            with conn.cursor().copy(f"COPY stage_participants ({cols}) FROM STDIN") as copy:
                copy.write(f"c:P1\t{batch}\t2\nc:P2\t{batch}\t3\n")
            conn.execute(f"INSERT INTO participants ({cols}) SELECT {cols} FROM stage_participants")
        rows = conn.execute("SELECT participant_id, office FROM participants ORDER BY 1")
        assert rows.fetchall() == [("c:P1", name), ("c:P2", name)]


def test_offices_take_intds_own_db_option_too(shared: Shared) -> None:
    """`intd --db URL offices list` reads as `intd offices list --db URL`."""
    before = _cli("offices", "list", "--db", shared.url, "--format", "json")
    root = _cli("--db", shared.url, "offices", "list", "--format", "json")
    assert before.exit_code == root.exit_code == 0, root.output
    assert root.stdout == before.stdout
