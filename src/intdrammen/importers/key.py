"""The identity key of a database: which key file its person keys were made with.

A participant's fødselsnummer is stored only as a keyed hash (ids.py), so every import
into one database must hash with the same key file, or the same people would count
twice. The first import that reads a fødselsnummer records the key's fingerprint in the
store's meta table (`KEY_FINGERPRINT`); later ones refuse any other key (`_check_key`),
and `key_problem` says why a key does not fit (also for `intd check`). Only `Store.meta`
and `Store.set_meta` are asked of the store, so a second backend needs nothing more.
"""

from __future__ import annotations

from intdrammen.config import key_path, load_key
from intdrammen.errors import ConfigError
from intdrammen.ids import key_fingerprint
from intdrammen.importers.context import ParseContext
from intdrammen.importers.options import ImportOptions
from intdrammen.store import Store

KEY_FINGERPRINT = "key_fingerprint"


def _check_key(store: Store, ctx: ParseContext, options: ImportOptions) -> None:
    """Use the key this database's person keys were made with, or refuse: hashes made
    with another key would never match, and the same people would count twice."""
    problem = key_problem(store)
    if problem:
        raise ConfigError(
            f"{problem}, so nobody already imported would be recognised. Restore that key "
            "file, or point INTD_KEY_FILE at it."
        )
    if store.meta(KEY_FINGERPRINT) is None and not options.dry_run:
        store.set_meta(KEY_FINGERPRINT, key_fingerprint(ctx.load_key()))


def key_problem(store: Store) -> str | None:
    """Why the key file does not fit this database (None when it does, or when the
    database has recorded no key yet). Also used by `intd check`."""
    recorded = store.meta(KEY_FINGERPRINT)
    if recorded is None:
        return None
    key = load_key(create=False)
    if key is None:
        return (
            f"The key file {key_path()} is missing, and this database's fødselsnummer "
            "hashes were made with a key"
        )
    if key_fingerprint(key) != recorded:
        return f"The key file {key_path()} is not the key this database's hashes were made with"
    return None


def _dry_run_key() -> bytes:
    # A dry run must not create the key file; a throw-away key hashes just as well.
    import secrets

    return secrets.token_bytes(32)
