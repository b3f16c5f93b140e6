"""What `intd db init` and `intd offices` print. Formatting only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from intdrammen.store.pg_roles import Member


def init_lines(display: str, done: Sequence[str]) -> list[str]:
    """One line per step `db init` took, or one saying nothing needed doing."""
    if not done:
        return [f"{display}: ready for offices already; nothing changed."]
    return [f"{display}:", *(f"  {step}" for step in done), "Ready for `intd offices add`."]


def members_table(members: Sequence[Member]) -> Table:
    table = Table(box=None, pad_edge=False)
    table.add_column("Role")
    table.add_column("Kind")
    table.add_column("Login")
    table.add_column("Live batches", justify="right")
    for member in members:
        table.add_row(
            member.name,
            member.kind,
            "yes" if member.can_login else "no",
            str(member.live_batches),
        )
    return table


def members_json(members: Sequence[Member]) -> list[dict[str, Any]]:
    return [
        {
            "role": m.name,
            "kind": m.kind,
            "can_login": m.can_login,
            "live_batches": m.live_batches,
        }
        for m in members
    ]
