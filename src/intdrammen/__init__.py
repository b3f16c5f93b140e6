"""intd: track immigrant job-integration goals from spreadsheets in a local SQLite database."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("intdrammen")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
