"""Placement rows: a job, apprenticeship, education, work trial or course of a person.

A placement is identified by its `placement_id`, or, without one, by (participant,
type, start date, employer orgnr or name): two identical rows are one placement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intdrammen.importers.columns import PLACEMENTS, Memo, free_text, parse_percent
from intdrammen.importers.context import ParseContext, id_text, required_text
from intdrammen.importers.rows import RowSchema
from intdrammen.store import PLACEMENT_COLUMNS

if TYPE_CHECKING:
    import pyarrow as pa

_POS = {name: i for i, name in enumerate(PLACEMENT_COLUMNS)}
_KEY, _ID, _PARTICIPANT, _TYPE = (
    _POS[c] for c in ("placement_key", "placement_id", "participant_id", "type")
)
_START, _END = _POS["start_date"], _POS["end_date"]
_ORGNR, _NAME = _POS["employer_orgnr"], _POS["employer_name"]


def placement_key(values: list[object]) -> str:
    """The stored identity of a placement (see the module docstring)."""
    if values[_ID] is not None:
        return f"id:{values[_ID]}"
    employer = values[_ORGNR] or (str(values[_NAME]).casefold() if values[_NAME] else "")
    return f"auto:{values[_PARTICIPANT]}|{values[_TYPE]}|{values[_START]}|{employer}"


def _check(values: list[object]) -> list[tuple[str, str, str]]:
    """A placement ends on or after its start; derive the key."""
    end, start = values[_END], values[_START]
    if end is not None and start is not None and end < start:  # type: ignore[operator]
        return [("E-DATE-ORDER", "end_date", "the placement ends before it starts")]
    values[_KEY] = placement_key(values)
    return []


def _vector_check(arrays: list[pa.Array]) -> tuple[list[pa.Array], pa.Array | None]:
    """`_check` over a batch: rows ending before they start are refused; the key of
    every row is derived (a row without placement_id by `placement_key` itself)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    end, start = arrays[_END], arrays[_START]
    wrong = pc.fill_null(pc.less(end, start), False)
    keys = pc.binary_join_element_wise(pa.scalar("id:"), arrays[_ID], "")
    missing = pc.is_null(arrays[_ID])
    if pc.any(missing).as_py():
        at = pc.indices_nonzero(missing).to_pylist()
        rows = [[a[i].as_py() for a in arrays] for i in at]
        keys = pc.replace_with_mask(keys, missing, pa.array([placement_key(r) for r in rows]))
    arrays = list(arrays)
    arrays[_KEY] = keys
    return arrays, wrong if pc.any(wrong).as_py() else None


def schema(ctx: ParseContext) -> RowSchema:
    memo = ctx.memoised()
    return RowSchema(
        kind=PLACEMENTS,
        columns=PLACEMENT_COLUMNS,
        field_columns={},
        parsers={
            "placement_id": id_text,
            "participant_id": required_text,
            "type": ctx.vocabulary("type"),
            "employer_orgnr": memo["orgnr"],
            "employer_name": Memo(free_text),
            "start_date": ctx.date_column("start_date"),
            "end_date": ctx.date_column("end_date"),
            "fte_percent": Memo(parse_percent),
            "channel": Memo(free_text),
            "municipality": memo["municipality"],
        },
        required=("participant_id", "type", "start_date"),
        check=_check,
        vector_check=_vector_check,
    )
