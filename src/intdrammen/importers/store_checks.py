"""Checks that need the store: an import's rows compared with one another and with what
is stored, once they are staged or loaded.

Before the upsert (staged path only): a row repeating another's id with other data
(E-DUPLICATE) or the same data (W-DUPLICATE-ROW), a stored participant whose
fødselsnummer would change (E-FNR-CHANGED), and columns a file lacks keeping their
stored values (W-PLACEMENT-KEY where that changes a placement's identity). After the
load, on both paths: ids that differ only in case, zeros or separators (W-ID-LOOKALIKE)
and one fødselsnummer under two ids (W-SAME-PERSON). Each asks `Store` one set-based
question and turns the answer into problems naming file, sheet, row and column; the SQL
stays in the store, the seam a second backend (issue 16) implements.
"""

from __future__ import annotations

from intdrammen.errors import Problem
from intdrammen.importers.columns import KINDS, NOT_COPIED
from intdrammen.importers.options import ImportOptions
from intdrammen.importers.plan import _Planned
from intdrammen.importers.results import TableResult
from intdrammen.importers.rows import ProblemLog
from intdrammen.store import TABLES, Store


def _report_duplicates(store: Store, log: ProblemLog, results: list[TableResult]) -> None:
    """Rows of one key with different data (E-DUPLICATE) or the same (W-DUPLICATE-ROW).
    Into an empty table the rows are loaded first: when the key's unique index builds,
    no key repeats and there is nothing to look for."""
    files = {r.batch_id: (r.file, r.sheet) for r in results}
    for kind in KINDS:
        if store.load_if_new_and_unique(kind):
            continue
        repeats: list[tuple[str, int, str | None, int, int]] = []
        conflicts = store.stage_conflicts(kind, repeats)
        for key, batch_id, sheet, row, first_row in conflicts:
            file, _sheet = files[batch_id]
            shown = key.split(":", 1)[1] if kind == "placements" else key
            column = (
                "placement_id"
                if key.startswith("id:")
                else ("participant_id" if kind == "participants" else "start_date")
            )
            log.add(
                Problem(
                    "E-DUPLICATE",
                    f"the same {kind[:-1]} appears in row {first_row} with different data",
                    file,
                    row,
                    column,
                    shown,
                    sheet,
                )
            )
        for _key, batch_id, sheet, row, first_row in repeats:
            # Two identical rows of one file are one row by definition: imported once.
            file, _sheet = files[batch_id]
            log.add(
                Problem(
                    "W-DUPLICATE-ROW",
                    f"row {row} repeats row {first_row} exactly (the same {kind[:-1]}, "
                    f"every value the same): imported once, from row {first_row}",
                    file,
                    row,
                    None,
                    None,
                    sheet,
                )
            )
        if conflicts and log.keep_rows:
            store.unstage_rows(kind, [(b, r) for _k, b, _s, r, _f in conflicts])


def _keep_absent_columns(
    store: Store, planned: list[_Planned], results: list[TableResult], log: ProblemLog
) -> None:
    """Columns a file lacks keep their stored values, or take those another file of
    this import gives (see Store.keep_absent)."""
    absent: dict[str, dict[int, list[str]]] = {kind: {} for kind in KINDS}
    for item, result in zip(planned, results, strict=True):
        schema_columns = TABLES[item.kind][2]
        field_columns = {"national_id": "person_key"}
        present = {field_columns.get(f, f) for f in item.columns.values()}
        present |= {"participant_id", "placement_key"}  # required, or derived from others
        assert result.batch_id is not None
        absent[item.kind][result.batch_id] = [c for c in schema_columns if c not in present]
    for kind, per_batch in absent.items():
        store.keep_absent(kind, per_batch)
    for item, result in zip(planned, results, strict=True):
        # A rejected-rows file's fødselsnummer column: an empty cell there is a number
        # intd did not copy, not an emptied one (typed-in numbers are read).
        for index, name in item.columns.items():
            if name == "national_id" and item.table.header[index].endswith(NOT_COPIED):
                assert result.batch_id is not None
                store.keep_stored_where_empty(item.kind, result.batch_id, "person_key")
    files = {r.batch_id: r for r in results}
    for batch_id, lacks in absent["placements"].items():
        missing = [c for c in ("placement_id", "employer_orgnr", "employer_name") if c in lacks]
        if not missing:
            continue
        # Without those columns a placement's identity is built from fewer fields, so a
        # stored one comes back as a second placement: say so.
        for sheet, row, pid in store.placements_like_stored(batch_id):
            log.add(
                Problem(
                    "W-PLACEMENT-KEY",
                    f"the file has no {' or '.join(missing)} column, so this placement is "
                    f"new beside a stored placement of {pid!r} with the same type and start "
                    "date: imported as a second placement",
                    files[batch_id].file,
                    row,
                    missing[0],
                    None,
                    sheet,
                )
            )


def _report_fnr_changes(
    store: Store,
    planned: list[_Planned],
    results: list[TableResult],
    log: ProblemLog,
    options: ImportOptions,
) -> None:
    """A stored participant id whose fødselsnummer would change, or be emptied, is an
    error unless the import says it corrects them (--allow-fnr-change): otherwise a typo
    or a wrong row silently turns one person into another. The number is never shown."""
    if options.allow_fnr_change:
        return
    where = _labels(planned, results, "national_id")
    changed = store.changed_person_keys()
    for batch_id, sheet, row, emptied, pid in changed:
        file, _sheet, label = where[batch_id]
        message = (
            f"participant id {pid!r} is stored with a fødselsnummer, and this row's is empty"
            if emptied
            else f"participant id {pid!r} is stored with another fødselsnummer"
        )
        log.add(
            Problem(
                "E-FNR-CHANGED",
                f"{message}: refused without --allow-fnr-change",
                file,
                row,
                label,
                None,
                sheet,
            )
        )
    if changed and log.keep_rows:
        store.unstage_rows("participants", [(b, r) for b, _s, r, _e, _p in changed])


def _labels(
    planned: list[_Planned], results: list[TableResult], field_name: str
) -> dict[int, tuple[str, str | None, str]]:
    """Per batch: its file, sheet and the header of the column holding `field_name`."""
    where: dict[int, tuple[str, str | None, str]] = {}
    for item, result in zip(planned, results, strict=True):
        label = next(
            (item.table.header[i] for i, f in item.columns.items() if f == field_name),
            field_name,
        )
        if result.batch_id is not None:
            where[result.batch_id] = (item.table.file, item.table.sheet, label)
    return where


def _report_lookalikes(
    store: Store, planned: list[_Planned], results: list[TableResult], log: ProblemLog
) -> None:
    """Participant ids of this import that differ from another id (of this import or
    stored) only in case, leading zeros or separators: a warning naming both."""
    batches = _labels(planned, results, "participant_id")
    groups = store.lookalike_ids()
    if not groups or not batches:
        return
    found = store.rows_with_ids(sorted({pid for g in groups for pid in g}), list(batches))
    for group in groups:
        for pid in group:
            if pid not in found:
                continue
            _kind, batch_id, sheet, row = found[pid]
            file, _sheet, label = batches[batch_id]
            others = ", ".join(repr(o) for o in group if o != pid)
            log.add(
                Problem(
                    "W-ID-LOOKALIKE",
                    f"participant id {pid!r} differs from {others} only in case, leading "
                    "zeros or separators: intd counts them as different participants",
                    file,
                    row,
                    label,
                    None,
                    sheet,
                )
            )
            break  # one warning per group


def _report_same_person(store: Store, results: list[TableResult], log: ProblemLog) -> None:
    files = {r.batch_id: r.file for r in results}
    batches = [r.batch_id for r in results if r.batch_id is not None]
    for pid, batch_id, sheet, row in store.shared_person_keys(batches)[: log.cap]:
        log.add(
            Problem(
                "W-SAME-PERSON",
                "this fødselsnummer belongs to another participant id too: counted as one person",
                files[batch_id],
                row,
                "participant_id",
                pid,
                sheet,
            )
        )
