"""What an `intd import` did: a `TableResult` for each table read and the `ImportReport`
of the whole command, which render/imports.py prints.

Plain values, apart from the stages that fill them (the pipeline its counts and batches,
the rejected-rows writer the file it wrote, --replace what it removed), so that those
stages and the renderer share them without importing one another, whichever store
backend the counts come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from intdrammen.errors import Problem
from intdrammen.store import StageCounts


@dataclass
class TableResult:
    file: str
    sheet: str | None
    kind: str
    sha256: str
    rows: int = 0
    skipped: int = 0
    counts: StageCounts = field(default_factory=StageCounts)
    batch_id: int | None = None
    already: int | None = None  # an earlier batch with the identical file
    rejected_file: Path | None = None
    good: int = 0  # rows that passed every check
    # --replace: some of the rows removed, as (key, batch that wrote it, its row)
    removed_rows: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.counts.inserted or self.counts.updated or self.counts.removed)


@dataclass
class ImportReport:
    tables: list[TableResult]
    warnings: list[Problem]
    warning_total: int
    dry_run: bool
    replace: bool = False
    # With --on-error skip: the problems of the rows that were passed over.
    rejected: list[Problem] = field(default_factory=list)
    rejected_total: int = 0

    @property
    def changed(self) -> bool:
        return any(t.changed for t in self.tables)
