"""The `intd` command line: thin Typer commands that parse options, call a library
function and print. Split by topic: `data.py` (import, imports, undo, check, columns),
`figures.py` (progress, report, explain), `setup.py` (goals, regions, demo), `shared.py`
(db init, offices: a shared PostgreSQL database).

User-caused errors (`IntdError`) become one paragraph on stderr and exit code 1 here, at
the edge; Typer's own usage errors keep exit code 2.
"""

from __future__ import annotations

from intdrammen.cli import data, figures, setup, shared  # noqa: F401  (registers the commands)
from intdrammen.cli.app import app, main

__all__ = ["app", "main"]
