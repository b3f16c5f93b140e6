"""--replace: each file is the whole new version of what earlier imports of its name
brought, so the stored rows it no longer holds are removed.

`_remove_missing` runs after the rows are loaded, inside the import's transaction; it
removes nothing for a file with rejected rows (W-REPLACE-KEPT), refuses to empty a file's
rows with an empty export (E-REPLACE-EMPTY), and names the earlier files when none had
the name (W-REPLACE-NOTHING). Which rows are whose is asked of the store
(`Store.replace_scope`, `Store.remove_missing`), so a second backend answers it in its
own SQL.
"""

from __future__ import annotations

from intdrammen.errors import ImportRejected, Problem
from intdrammen.importers.results import TableResult
from intdrammen.importers.rows import ProblemLog
from intdrammen.store import Store, scope_names


def _remove_missing(store: Store, results: list[TableResult], log: ProblemLog) -> None:
    """--replace: take out the stored rows of each file's earlier versions that the file
    no longer holds. A file with rejected rows (--on-error skip) removes nothing: a row
    rejected this time is not a row the office deleted. A file no earlier import had the
    name of (W-REPLACE-NOTHING) removes nothing either, and says which files there are."""
    ours = {r.batch_id for r in results}
    for result in results:
        assert result.batch_id is not None
        earlier = store.replace_scope(
            result.kind, file=result.file, sheet=result.sheet, before=result.batch_id
        )
        if not earlier:
            _replace_nothing(store, result, ours, log)
            continue
        if result.skipped:
            log.add(
                Problem(
                    "W-REPLACE-KEPT",
                    f"{result.skipped} rows were rejected, so --replace removed no stored "
                    "rows for this file",
                    result.file,
                    None,
                    None,
                    None,
                    result.sheet,
                )
            )
            continue
        number, shown = store.remove_missing(
            result.kind, result.batch_id, file=result.file, sheet=result.sheet, show=20
        )
        if number and not result.rows:
            # An export that came out empty would wipe the list: not what anyone meant.
            problem = Problem(
                "E-REPLACE-EMPTY",
                f"the file has no data rows, so --replace would remove all {number} stored "
                "rows earlier versions of it brought",
                result.file,
                None,
                None,
                None,
                result.sheet,
            )
            raise ImportRejected([problem], 1)
        result.counts.removed = number
        result.removed_rows = shown


def _replace_nothing(
    store: Store, result: TableResult, ours: set[int | None], log: ProblemLog
) -> None:
    """W-REPLACE-NOTHING: no earlier import of this file name, kind and sheet, so
    --replace has nothing to remove; name up to three earlier files of the kind (a
    monthly export with a new dated name is the usual cause)."""
    names = scope_names(result.file, result.sheet)
    others: list[str] = []
    for batch in reversed(store.batches(include_undone=False)):
        if batch.id in ours or batch.kind != result.kind or (batch.file, batch.sheet) in names:
            continue
        shown = f"{batch.file} [{batch.sheet}]" if batch.sheet else batch.file
        if shown not in others:
            others.append(shown)
    more = len(others) - 3
    listed = (
        f"; earlier {result.kind} files: {', '.join(others[:3])}"
        + (f" and {more} more" if more > 0 else "")
        if others
        else f"; no {result.kind} file was imported before"
    )
    log.add(
        Problem(
            "W-REPLACE-NOTHING",
            f"no earlier import of {result.file}"
            f"{f' (sheet {result.sheet})' if result.sheet else ''} as {result.kind} exists, "
            f"so --replace removed nothing{listed}",
            result.file,
            None,
            None,
            None,
            result.sheet,
        )
    )
