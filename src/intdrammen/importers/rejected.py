"""Rejected rows (`--on-error skip`): FILE.rejected.csv beside each input.

The problem log keeps every rejected row's cells and problems; `_write_rejected` writes
them, inside the import's transaction (a file that cannot be written rolls the import
back), under the file's own header and the two columns the plan recognises when the
file comes back corrected (plan.REJECTED_COLUMNS). What it leaves out or hides (names,
fødselsnumre) is a privacy rule of the file, not of any store.
"""

from __future__ import annotations

import csv
from pathlib import Path

from intdrammen.errors import InputFileError, Problem
from intdrammen.ids import is_prefixed_id, without_fnr
from intdrammen.importers.columns import NAME_COLUMNS, NOT_COPIED, column_key
from intdrammen.importers.plan import ID_FIELDS, _Planned
from intdrammen.importers.results import ImportReport
from intdrammen.importers.rows import HIDDEN_CODES, ProblemLog
from intdrammen.render.cells import safe_cell


def _write_rejected(planned: list[_Planned], log: ProblemLog, report: ImportReport) -> None:
    """Write each input's rejected rows to <input>.rejected.csv: the spreadsheet row, its
    problems, then the row's own cells under the file's own header, so the file can be
    corrected and imported as it is. A fødselsnummer is not copied: its column is headed
    `... (not copied)` and a cell that held one says `(not copied)`, refused until a number
    is typed in or the cell emptied (an empty cell there keeps the stored number). Any other
    cell holding one is hidden, and columns of people's names are left out. A file that
    cannot be written is an error: the import's transaction is then rolled back."""
    for item, result in zip(planned, report.tables, strict=True):
        where = (item.table.file, item.table.sheet)
        bad = log.bad_rows.get(where)
        if not bad:
            continue
        cells_of = log.bad_cells.get(where, {})
        header = [str(h) for h in item.table.header]
        hidden = {i for i, name in item.columns.items() if name == "national_id"}
        # Columns of people's names are not read, and not copied either (their cells stay
        # empty), nor the row/problems columns of a rejected file corrected and imported.
        names = {i for i, h in enumerate(header) if column_key(h) in NAME_COLUMNS}
        if item.table.file.endswith(".rejected.csv") and header[:2] == ["row", "problems"]:
            names |= {0, 1}
        ids = {i for i, name in item.columns.items() if name in ID_FIELDS}
        labels: dict[str | None, list[int]] = {}
        for i, h in enumerate(header):
            labels.setdefault(h, []).append(i)
        target = item.table.path.with_name(
            f"{item.table.path.stem}{'-' + item.table.sheet if item.table.sheet else ''}"
            ".rejected.csv"
        )
        try:
            _write_rejected_file(target, header, hidden, names, ids, labels, bad, cells_of)
        except OSError as exc:
            # Inside the import's transaction: without this file nothing is imported.
            raise InputFileError(
                "E-FILE",
                item.table.file,
                f"cannot write the rejected rows to {target}: {exc.strerror or exc}; "
                "nothing was imported",
                sheet=item.table.sheet,
            ) from None
        result.rejected_file = target


def _write_rejected_file(
    target: Path,
    header: list[str],
    hidden: set[int],
    names: set[int],
    ids: set[int],
    labels: dict[str | None, list[int]],
    bad: dict[int, list[Problem]],
    cells_of: dict[int, list[object]],
) -> None:
    keep = [i for i in range(len(header)) if i not in names]
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["row", "problems", *(
            header[i] if i not in hidden or header[i].endswith(NOT_COPIED)
            else f"{header[i]} {NOT_COPIED}"
            for i in keep
        )])  # fmt: skip
        for row in sorted(bad):
            # A name refused as an id is not copied either (the problem says why).
            blank = {
                i for p in bad[row] if p.code in HIDDEN_CODES for i in labels.get(p.column, ())
            }
            problems = " | ".join(
                f"{p.code} {p.column}"
                + (f" {p.value!r}" if p.value is not None else "")
                + f": {p.message}"
                for p in bad[row]
            )
            cells = cells_of.get(row, [])
            shown = [
                # A fødselsnummer that was there is marked, so an unfixed row is refused
                # (E-PLACEHOLDER) rather than imported without it.
                (NOT_COPIED if cell not in (None, "") else "")
                if i in hidden
                else ""
                if i in blank or cell is None
                else str(cell)
                if i in ids and is_prefixed_id(str(cell))  # an id, as id_text reads it
                else without_fnr(str(cell))
                for i, cell in enumerate(cells)  # all: E-FIELDS rows have more
                if i not in names
            ]
            writer.writerow([safe_cell(v) for v in (row, problems, *shown)])
