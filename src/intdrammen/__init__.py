"""intd: track immigrant job-integration goals from spreadsheets in a local SQLite database."""

# The single source of the version: pyproject.toml reads it from here (hatch), which
# spares every start-up the cost of importlib.metadata.
__version__ = "0.1.0"
