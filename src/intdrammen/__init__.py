"""intd: track immigrant job-integration goals from spreadsheets in a local SQLite database.

For analysts, `intdrammen.open(PATH)` gives the CLI's figures as Python values and pandas
DataFrames (see `intdrammen.api`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from os import PathLike

    from intdrammen.api import Database

# The single source of the version: pyproject.toml reads it from here (hatch), which
# spares every start-up the cost of importlib.metadata.
__version__ = "0.1.0"

__all__ = ["__version__", "open"]


def open(
    path: str | PathLike[str] | None = None,
    *,
    goals: str | PathLike[str] | None = None,
    regions: str | PathLike[str] | None = None,
    requirements: str | PathLike[str] | None = None,
) -> Database:
    """Open an existing intd database for reading: `intdrammen.api.open`.

    Defined here, importing the API only when called, so that `import intdrammen` (and
    so every `intd` command's start-up) loads nothing more than before.
    """
    from intdrammen.api import open as open_database

    return open_database(path, goals=goals, regions=regions, requirements=requirements)
