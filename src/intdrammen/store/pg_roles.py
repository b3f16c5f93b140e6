"""Offices, readers and the rights PostgreSQL enforces for them (issue 16).

A shared database is prepared once by an administrator (`intd db init`):

- `intd_owner` (NOLOGIN) owns intd's tables; nobody logs in as it. The administrator
  runs the migrations as it (`SET LOCAL ROLE`), so it is the owner of what they create.
- `intd_office` is the group of the offices' LOGIN roles (`intd offices add NAME`),
  `intd_reader` that of the read-only roles (`--reader`) of a board or an analyst.
- Row-level security, `ENABLE` and `FORCE` (so it binds the owner too) on batches,
  participants, placements, both `_versions` tables and batch_depends: every intd role
  reads every row (the figures are shared); an office inserts, updates and deletes only
  rows whose `office` column (pg_schema.py, `DEFAULT current_user`) is its own role, and
  batch_depends rows of its own batches. On `meta` everyone reads; the owner writes, and
  an office may insert only the key's fingerprint (the first import that reads a
  fødselsnummer records it, as on SQLite; it can never change it afterwards).
- Grants: offices SELECT/INSERT/UPDATE/DELETE on the data tables and USAGE on the batch
  id sequence, readers SELECT; CREATE on the schema only for the owner. Without CREATE
  and without owning a table an office can neither ALTER, DROP nor CREATE there, and
  TRUNCATE (which row-level security does not see) is granted to nobody.

A superuser or a BYPASSRLS role is not bound by row-level security: `refuse_unbound_writer`
is what the store asks before it writes into a database that has offices.

PostgreSQL refuses `COPY FROM` into a table under row-level security: an office's import
COPYs into temporary stage tables of its session and moves the rows with
`INSERT ... SELECT`, which the policies check. Nor may an office drop and rebuild a
table's indexes (it owns none). Measured (300k placements, same run, best of 3): the
policies cost nothing measurable, neither on that INSERT (0.96-0.99x a role without
row-level security) nor on a figure query (0.94x).

Roles are the server's, not one database's: an office role made for one database is
known on every database of that server (it gets no rights on one without `db init`'s
grants there). SQL about roles lives here; cli/shared.py only calls it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from intdrammen.errors import ConfigError, OfficeError, RoleRefused
from intdrammen.store.pg_schema import OFFICE_COLUMN, OFFICE_TABLES, SCHEMA_LOCK, migrate

if TYPE_CHECKING:
    import psycopg

    Connection = psycopg.Connection[Any]

OWNER = "intd_owner"
OFFICE_GROUP = "intd_office"
READER_GROUP = "intd_reader"
GROUPS = (OWNER, OFFICE_GROUP, READER_GROUP)
SECURED_TABLES = (*OFFICE_TABLES, "batch_depends")
ALL_TABLES = (*SECURED_TABLES, "meta")
KEY_FINGERPRINT = "key_fingerprint"  # importers/key.py's meta row (a test keeps them equal)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_MINE = f'"{OFFICE_COLUMN}" = current_user'
_MY_BATCH = (
    'EXISTS (SELECT 1 FROM "batches" b WHERE b."id" = "batch_depends"."batch_id" '
    f'AND b."{OFFICE_COLUMN}" = current_user)'
)
_ALL_ROLES = f"{OWNER}, {OFFICE_GROUP}, {READER_GROUP}"


def _policies() -> dict[str, list[tuple[str, str]]]:
    """Per table, (policy name, the text after `CREATE POLICY name ON table`)."""
    read = ("intd_read", f"FOR SELECT TO {_ALL_ROLES} USING (true)")
    found: dict[str, list[tuple[str, str]]] = {}
    for table in SECURED_TABLES:
        mine = _MY_BATCH if table == "batch_depends" else _MINE
        found[table] = [
            read,
            ("intd_office_insert", f"FOR INSERT TO {OFFICE_GROUP} WITH CHECK ({mine})"),
            (
                "intd_office_update",
                f"FOR UPDATE TO {OFFICE_GROUP} USING ({mine}) WITH CHECK ({mine})",
            ),
            ("intd_office_delete", f"FOR DELETE TO {OFFICE_GROUP} USING ({mine})"),
        ]
    found["meta"] = [
        read,
        ("intd_owner_write", f"FOR ALL TO {OWNER} USING (true) WITH CHECK (true)"),
        (
            "intd_office_key",
            f"FOR INSERT TO {OFFICE_GROUP} WITH CHECK (\"name\" = '{KEY_FINGERPRINT}')",
        ),
    ]
    return found


@dataclass(frozen=True)
class Member:
    """An office or reader role, as `intd offices list` shows it."""

    name: str
    kind: str  # "office" or "reader"
    can_login: bool
    live_batches: int


def _role_exists(conn: Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None


def _denied(display: str, what: str) -> OfficeError:
    return OfficeError(
        f"The role intd connected to {display} as may not {what}: these commands take the "
        "administrator's URL (a superuser, or the database's owner with CREATEROLE)."
    )


def init_database(conn: Connection, display: str, *, fingerprint: str | None = None) -> list[str]:
    """Prepare the database for offices, in one transaction; returns what was done (an
    empty list: everything was in place already). `fingerprint` (of the administrator's
    key file, if any) is recorded in meta when none is, and refused (ConfigError) when
    another is."""
    import psycopg

    done: list[str] = []
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            _roles(conn, done)
            _schema_rights(conn, done)
            _hand_tables_to_owner(conn, done)
            conn.execute(f"SET LOCAL ROLE {OWNER}")
            found = migrate(conn, display)
            if found == 0:
                done.append("created intd's tables (owned by intd_owner)")
            elif found < _current_version():
                done.append(f"migrated the schema from version {found}")
            _secure(conn, done)
            if fingerprint is not None:
                row = conn.execute(
                    'SELECT "value" FROM "meta" WHERE "name" = %s', (KEY_FINGERPRINT,)
                ).fetchone()
                if row is not None and row[0] != fingerprint:
                    raise ConfigError(
                        f"{display} records another key than --key-file: its person keys "
                        "were made with that one, so nobody already imported would be "
                        "recognised with this file. Nothing was changed; hand out the key "
                        "the database records."
                    )
                if row is None:
                    conn.execute(
                        'INSERT INTO "meta" ("name", "value") VALUES (%s, %s)',
                        (KEY_FINGERPRINT, fingerprint),
                    )
                    done.append("recorded the fingerprint of the key file (never the key)")
            conn.execute("RESET ROLE")
    except psycopg.errors.InsufficientPrivilege:
        raise _denied(display, "create roles, grant on the schema or run as intd_owner") from None
    return done


def _current_version() -> int:
    from intdrammen.store.schema import SCHEMA_VERSION

    return SCHEMA_VERSION


def _roles(conn: Connection, done: list[str]) -> None:
    for role in GROUPS:
        if not _role_exists(conn, role):
            conn.execute(f"CREATE ROLE {role} NOLOGIN")
            done.append(f"created role {role}")
    row = conn.execute(
        "SELECT rolsuper, pg_has_role(current_user, %s, 'MEMBER') FROM pg_roles "
        "WHERE rolname = current_user",
        (OWNER,),
    ).fetchone()
    assert row is not None
    if not row[0] and not row[1]:  # a CREATEROLE administrator: may become the owner
        conn.execute(f"GRANT {OWNER} TO current_user")
        done.append("made the administrator a member of intd_owner")


def _schema_rights(conn: Connection, done: list[str]) -> None:
    from psycopg import sql

    row = conn.execute("SELECT current_schema()").fetchone()
    assert row is not None and row[0] is not None
    schema = sql.Identifier(str(row[0]))

    def has(role: str, right: str) -> bool:
        got = conn.execute(
            "SELECT has_schema_privilege(%s, current_schema(), %s)", (role, right)
        ).fetchone()
        return bool(got and got[0])

    if not has(OWNER, "CREATE"):
        conn.execute(
            sql.SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(schema, sql.SQL(OWNER))
        )
        done.append(f"granted intd_owner CREATE on schema {row[0]}")
    if has("public", "CREATE"):
        conn.execute(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(schema))
        done.append(f"revoked CREATE on schema {row[0]} from PUBLIC")
    # Connecting, and for offices the temporary tables an import stages its rows in,
    # whatever the database's PUBLIC may do.
    database = sql.Identifier(str(conn.info.dbname))
    for group, rights in ((OFFICE_GROUP, ("CONNECT", "TEMP")), (READER_GROUP, ("CONNECT",))):
        for right in rights:
            got = conn.execute(
                "SELECT has_database_privilege(%s, current_database(), %s)", (group, right)
            ).fetchone()
            if not (got and got[0]):
                conn.execute(
                    sql.SQL("GRANT {} ON DATABASE {} TO {}").format(
                        sql.SQL(right), database, sql.SQL(group)
                    )
                )
                done.append(f"granted {group} {right} on the database")
    for group in (OFFICE_GROUP, READER_GROUP):
        if not has(group, "USAGE"):
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, sql.SQL(group)))
            done.append(f"granted {group} USAGE on schema {row[0]}")


def _hand_tables_to_owner(conn: Connection, done: list[str]) -> None:
    """Tables of intd made before `db init` (by an import as some role) go to the owner."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY(%s) "
        "AND pg_get_userbyid(c.relowner) <> %s ORDER BY 1",
        (list(ALL_TABLES), OWNER),
    ).fetchall()
    for (table,) in rows:
        conn.execute(f'ALTER TABLE "{table}" OWNER TO {OWNER}')
    if rows:
        done.append(f"handed {len(rows)} existing tables to intd_owner")


def _secure(conn: Connection, done: list[str]) -> None:
    """Row-level security, policies and grants, as the owner (each only if missing)."""
    flags = {
        str(name): (bool(enabled), bool(forced))
        for name, enabled, forced in conn.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relname = ANY(%s)",
            (list(ALL_TABLES),),
        )
    }
    secured = 0
    for table in ALL_TABLES:
        if flags.get(table) != (True, True):
            conn.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            conn.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
            secured += 1
    if secured:
        done.append(f"enabled and forced row-level security on {secured} tables")
    have = {
        (str(t), str(p))
        for t, p in conn.execute(
            "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()"
        )
    }
    made = 0
    for table, policies in _policies().items():
        for name, body in policies:
            if (table, name) not in have:
                conn.execute(f'CREATE POLICY {name} ON "{table}" {body}')
                made += 1
    if made:
        done.append(f"created {made} row-level security policies")
    before = _acl(conn)
    everything = ", ".join(f'"{t}"' for t in ALL_TABLES)
    data = ", ".join(f'"{t}"' for t in SECURED_TABLES)
    conn.execute(f"GRANT SELECT ON {everything} TO {OFFICE_GROUP}, {READER_GROUP}")
    conn.execute(f"GRANT INSERT, UPDATE, DELETE ON {data} TO {OFFICE_GROUP}")
    # UPDATE of meta's value only so that the store's upsert (INSERT ... ON CONFLICT DO
    # UPDATE, which PostgreSQL checks for UPDATE rights up front) may insert the key's
    # fingerprint: no policy lets an office update a row of meta.
    conn.execute(f'GRANT INSERT, UPDATE ("value") ON "meta" TO {OFFICE_GROUP}')
    row = conn.execute("SELECT pg_get_serial_sequence('\"batches\"', 'id')").fetchone()
    assert row is not None and row[0] is not None
    conn.execute(f"GRANT USAGE ON SEQUENCE {row[0]} TO {OFFICE_GROUP}")
    if _acl(conn) != before:
        done.append("granted offices read and write, readers read")


def _acl(conn: Connection) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT c.relname, c.relacl::text FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() ORDER BY 1"
    ).fetchall()


def has_offices(conn: Connection) -> bool:
    """Whether `db init` prepared this database: its batches are under row-level security."""
    row = conn.execute(
        "SELECT c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relname = 'batches'"
    ).fetchone()
    return bool(row and row[0])


def refuse_unbound_writer(conn: Connection, display: str) -> None:
    """Refuse (RoleRefused, E-DB-ROLE) to write into a database that has offices as a
    role its row-level security does not bind: a superuser, a BYPASSRLS role, or one
    holding the owner's rights (who may switch it off). Reads only."""
    if not has_offices(conn):
        return
    row = conn.execute(
        "SELECT current_user, rolsuper, rolbypassrls, pg_has_role(current_user, %s, 'USAGE') "
        "FROM pg_roles WHERE rolname = current_user",
        (OWNER,),
    ).fetchone()
    assert row is not None
    name, superuser, bypass, owner = str(row[0]), bool(row[1]), bool(row[2]), bool(row[3])
    if superuser or bypass or owner:
        what = (
            "a superuser"
            if superuser
            else "a BYPASSRLS role"
            if bypass
            else "a role with the tables' owner's rights"
        )
        raise RoleRefused(
            f"{display} has offices, and intd connected as {name}, {what}: row-level "
            "security does not bind it, so intd does not import or undo with it; nothing "
            "was written."
        )


# Role names PostgreSQL keeps for itself (besides pg_*).
_RESERVED = frozenset({"public", "none", "current_role", "current_user", "session_user"})


def _check_name(name: str) -> None:
    if not _NAME.match(name) or name.startswith("pg_") or name in GROUPS or name in _RESERVED:
        raise OfficeError(
            f"{name!r} cannot be an office's role name: use lower-case letters, digits and "
            "_ (a letter first, at most 63), not starting with pg_ nor one of "
            f"{', '.join((*GROUPS, *sorted(_RESERVED)))}."
        )


def _prepared(conn: Connection, display: str) -> None:
    if not all(_role_exists(conn, role) for role in GROUPS) or not has_offices(conn):
        raise OfficeError(
            f"{display} is not prepared for offices yet: run `intd db init` with the "
            "administrator's URL first."
        )


def add_member(
    conn: Connection, display: str, name: str, password: str, *, reader: bool = False
) -> None:
    """Create the LOGIN role `name` in intd_office (or intd_reader) with `password`.
    Only the password's SCRAM verifier, made here by libpq, is sent to the server, so
    the password is in no statement the server might log."""
    import psycopg
    from psycopg import sql

    _check_name(name)
    group = READER_GROUP if reader else OFFICE_GROUP
    try:
        with conn.transaction():
            _prepared(conn, display)
            if _role_exists(conn, name):
                raise OfficeError(f"There is a role {name} on this server already.")
            verifier = conn.pgconn.encrypt_password(
                password.encode("utf-8"), name.encode("utf-8"), b"scram-sha-256"
            )
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                    sql.Identifier(name),
                    sql.Literal(verifier.decode("ascii")),
                    sql.Identifier(group),
                )
            )
    except psycopg.errors.InsufficientPrivilege:
        raise _denied(display, "create roles") from None


def members(conn: Connection, display: str) -> list[Member]:
    """The offices and readers, with their live (not undone) batches in this database."""
    with conn.transaction():
        _prepared(conn, display)
        rows = conn.execute(
            "SELECT r.rolname, g.rolname, r.rolcanlogin, (SELECT count(*) FROM batches b "
            f'WHERE b."{OFFICE_COLUMN}" = r.rolname AND b.undone_at IS NULL) '
            "FROM pg_roles r JOIN pg_auth_members m ON m.member = r.oid "
            "JOIN pg_roles g ON g.oid = m.roleid WHERE g.rolname = ANY(%s) ORDER BY 1, 2",
            ([OFFICE_GROUP, READER_GROUP],),
        ).fetchall()
    return [
        Member(str(n), "reader" if g == READER_GROUP else "office", bool(login), int(live))
        for n, g, login, live in rows
    ]


def live_batches_elsewhere(conn: Connection, conninfo: str, name: str) -> list[str]:
    """The other databases of this server (roles are the server's) that `db init`
    prepared and where the office `name` has live batches, as "DBNAME (N)": those the
    administrator may connect to with the same login."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    here = conn.info.dbname
    found: list[str] = []
    for (dbname,) in conn.execute(
        "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate "
        "AND datname <> %s ORDER BY datname",
        (here,),
    ).fetchall():
        try:
            other = psycopg.connect(make_conninfo(conninfo, dbname=dbname), autocommit=True)
        except psycopg.Error:
            continue  # a database this administrator may not enter
        with other:
            if not has_offices(other):
                continue
            row = other.execute(
                f'SELECT count(*) FROM batches WHERE "{OFFICE_COLUMN}" = %s AND undone_at IS NULL',
                (name,),
            ).fetchone()
            if row and row[0]:
                found.append(f"{dbname} ({row[0]})")
    return found


def remove_member(conn: Connection, display: str, name: str) -> None:
    """Drop the office or reader role `name`. Refused while the office has live batches
    in this database: its rows would stay, written by nobody, and a role of the same name
    made later would own them again. Undo them first."""
    import psycopg
    from psycopg import sql

    _check_name(name)
    try:
        with conn.transaction():
            _prepared(conn, display)
            known = {m.name: m for m in members(conn, display)}
            if name not in known:
                raise OfficeError(f"{name} is no office or reader of {display}.")
            if known[name].live_batches:
                count = known[name].live_batches
                raise OfficeError(
                    f"The office {name} has {count} live "
                    f"{'batch' if count == 1 else 'batches'} in {display}: `intd undo` "
                    "them as that office first (a role of the same name made later would "
                    "own those rows again). To lock it out meanwhile: "
                    f"ALTER ROLE {name} NOLOGIN."
                )
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
    except psycopg.errors.InsufficientPrivilege:
        raise _denied(display, "drop roles") from None
    except psycopg.errors.DependentObjectsStillExist:
        raise OfficeError(
            f"{name} still owns or holds rights on objects of this server (in another "
            "database?), so PostgreSQL keeps it; REASSIGN OWNED and DROP OWNED there first."
        ) from None
