"""`Store`, the one object callers hold for an open database: the base (connection,
meta) with one mixin per concern. Obtained from `open_store` or `write_transaction`
(transaction.py), never built by callers.
"""

from __future__ import annotations

from intdrammen.store.history import HistoryMixin
from intdrammen.store.loading import LoadingMixin
from intdrammen.store.queries import QueryMixin


class Store(LoadingMixin, HistoryMixin, QueryMixin):
    """A connection to one intd database. Obtain it from `open_store` (read) or
    `write_transaction` (write); it never commits by itself."""
