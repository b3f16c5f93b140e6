"""Small-cell protection for outputs meant for sharing, as SSB does it.

Primary suppression: a count of persons below `n` (but not 0) is replaced by None,
and so is every rate built on it. Complement: in a share (work or education out of
ended), the persons *not* in work or education are a count too; when they are below `n`
the numerator is suppressed, since ended − numerator would reveal them. Secondary
suppression: in a column whose total is published, a single suppressed cell could be
recovered by subtraction, and so could several whose remainder leaves each exactly 1
(zero is never hidden); the next-smallest non-zero cells of that column are suppressed
as well until neither is the case.

Pure functions over lists of cells: renderers then print None as ':'.
"""

from __future__ import annotations

from collections.abc import Sequence

Cell = int | None


def primary(value: Cell, n: int) -> Cell:
    """A count below `n` is suppressed; zero is not (cli-contract.md)."""
    if value is None or value == 0:
        return value
    return None if value < n else value


def share(numerator: Cell, denominator: Cell, n: int) -> tuple[Cell, Cell]:
    """Suppress a share's two counts: each below `n`, and the numerator also when the
    complement (denominator − numerator) is a small cell or the denominator is hidden."""
    den = primary(denominator, n)
    num = primary(numerator, n)
    if den is None:
        # Zero is never suppressed (cli-contract.md), not even beside a hidden total.
        return (0 if numerator == 0 else None), None
    if numerator is not None and denominator is not None:
        rest = denominator - numerator
        if 0 < rest < n:
            num = None
    return num, den


def secondary(column: Sequence[Cell], original: Sequence[Cell]) -> list[Cell]:
    """Hide more cells of a column (its last cell is the published total) until no
    hidden cell can be recovered from the total: hide the smallest other non-zero cell
    while `recoverable` says so."""
    cells = list(column)
    while recoverable(cells, original):
        candidates = [(v, i) for i, v in enumerate(cells) if v is not None and v > 0]
        if not candidates:
            break
        _value, index = min(candidates)
        cells[index] = None
    return cells


def recoverable(cells: Sequence[Cell], original: Sequence[Cell]) -> bool:
    """Whether a reader could work out a hidden cell of a column ending in its total:
    when exactly one cell (the total included) is hidden, by subtraction; or when the
    total is shown and what is left for the k hidden cells is exactly k, since zero is
    never hidden and so each of them must be 1."""
    hidden = [i for i, value in enumerate(cells) if value is None and original[i] is not None]
    if len(hidden) == 1:
        return True
    total = cells[-1] if cells else None
    if not hidden or total is None:
        return False
    left = total - sum(value for value in cells[:-1] if value is not None)
    return left == len(hidden)


def table(rows: Sequence[Sequence[int]], n: int, shares: Sequence[tuple[int, int]] = ()
          ) -> list[list[Cell]]:  # fmt: skip
    """Suppress a table of counts (rows × columns) whose column totals are published.

    `shares` lists (numerator column, denominator column) pairs that form a rate.
    """
    width = len(rows[0]) if rows else 0
    share_cols = {c for pair in shares for c in pair}
    result: list[list[Cell]] = []
    for row in rows:
        cells: list[Cell] = [primary(v, n) if i not in share_cols else v for i, v in
                             enumerate(row)]  # fmt: skip
        for num_col, den_col in shares:
            cells[num_col], cells[den_col] = share(row[num_col], row[den_col], n)
        result.append(cells)
    # Hiding one cell can expose another (a hidden denominator hides its numerator,
    # which may leave that column with a single hidden cell): repeat until stable.
    while True:
        before = [list(cells) for cells in result]
        for col in range(width):
            original: list[Cell] = [row[col] for row in rows]
            column = secondary([cells[col] for cells in result], original)
            for cells, value in zip(result, column, strict=True):
                cells[col] = value
        for cells in result:
            for num_col, den_col in shares:
                if cells[den_col] is None and cells[num_col] != 0:
                    cells[num_col] = None
        if result == before:
            return result


def known_total(parts: Sequence[int], n: int, hidden: Sequence[bool] = ()) -> list[Cell]:
    """The parts of a total that is published, in this output or beside it (a cohort
    split into met, not met and cannot be judged, whose size the cohort's own row
    shows): each part below `n` hidden (zero never), and those `hidden` already; then
    the smallest other non-zero part as well, while a hidden one could be recovered
    from the total (`recoverable`)."""
    cells: list[Cell] = [
        None if (hidden and hidden[i] and v != 0) else primary(v, n) for i, v in enumerate(parts)
    ]
    total = sum(parts)
    while recoverable([*cells, total], [*parts, total]):
        candidates = [(v, i) for i, v in enumerate(cells) if v is not None and v > 0]
        if not candidates:
            break
        cells[min(candidates)[1]] = None
    return cells


def parts_table(
    rows: Sequence[Sequence[int]], n: int, width: int, totals: Sequence[int] | None = None
) -> tuple[list[list[Cell]], list[Cell]]:
    """A table of parts (rows × `width` columns) where every row is the split of a
    total published beside it (a group's cohort), every column adds up to the part of
    the whole in the totals' row (returned as a row of its own), itself the split of a
    published total (the whole cohort).

    Hidden: each part below `n` (zero never); more parts of a row or of the totals' row
    while a hidden one could be recovered from its published total (`known_total`), and
    more of a column, its total in the totals' row included, while one could be
    recovered from what the column shows (`secondary`); and where the rows' totals
    would give a small one back (a row's total is known from its parts when all of them
    are shown, so a group of 2 among groups shown in full is the whole less the
    others), the smallest non-zero part of the smallest other row shown in full.
    Repeated until nothing changes. Returns the rows and the totals' row (`totals`: the
    whole's parts where no rows add up to them, a figure without a split; else the
    columns' sums)."""
    lines = [list(r) for r in rows]
    lines.append(
        list(totals) if totals is not None else [sum(r[c] for r in rows) for c in range(width)]
    )
    hidden = [[False] * width for _ in lines]
    while True:
        before = [list(h) for h in hidden]
        for i, line in enumerate(lines):
            hidden[i] = [c is None for c in known_total(line, n, hidden[i])]
        for c in range(width):
            # A column's total is the whole's part in the totals' row: it may be hidden.
            original: list[Cell] = [line[c] for line in lines]
            column = secondary(
                [None if h[c] else line[c] for line, h in zip(lines, hidden, strict=True)],
                original,
            )
            for i, cell in enumerate(column):
                hidden[i][c] = cell is None
        sums = [sum(line) for line in lines[:-1]]
        if any(0 < t < n for t in sums):
            # A small group is in no row of its own, but the whole less the groups shown
            # in full would be its size.
            shown: list[Cell] = [
                None if 0 < t < n or any(h) else t for t, h in zip(sums, hidden, strict=False)
            ]
            full = [(t, i) for i, t in enumerate(shown) if t]
            if full and recoverable([*shown, sum(sums)], [*sums, sum(sums)]):
                row = min(full)[1]
                part = min((v, c) for c, v in enumerate(lines[row]) if v > 0)[1]
                hidden[row][part] = True
        if hidden == before:
            break
    cells = [
        [None if h else v for v, h in zip(line, hid, strict=True)]
        for line, hid in zip(lines, hidden, strict=True)
    ]
    return cells[:-1], cells[-1]
