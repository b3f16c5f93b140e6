"""Small-cell protection for outputs meant for sharing, as SSB does it.

Primary suppression: a count of persons below `n` (but not 0) is replaced by None,
and so is every rate built on it. Complement: in a share (work or education out of
ended), the persons *not* in work or education are a count too; when they are below `n`
the numerator is suppressed, since ended − numerator would reveal them. Secondary
suppression: in a column whose total is published, a single suppressed cell could be
recovered by subtraction, so the next-smallest non-zero cell of that column is
suppressed as well.

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
    """If exactly one cell of a column is suppressed, also suppress the smallest other
    non-zero cell, so the hidden one cannot be recovered from the column's total."""
    cells = list(column)
    hidden = [i for i, value in enumerate(cells) if value is None and original[i] is not None]
    if len(hidden) != 1:
        return cells
    candidates = [(value, i) for i, value in enumerate(cells) if value is not None and value > 0]
    if candidates:
        _value, index = min(candidates)
        cells[index] = None
    return cells


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
