"""Participant rows: one person in the introduction programme or followed by the
partnership. The fødselsnummer becomes a keyed hash here and goes no further."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intdrammen.importers.columns import (
    PARTICIPANTS,
    Memo,
    free_text,
    parse_hours,
    parse_level,
    parse_year,
    parse_yes_no,
)
from intdrammen.importers.context import ParseContext, required_text
from intdrammen.importers.rows import RowSchema
from intdrammen.store import PARTICIPANT_COLUMNS

if TYPE_CHECKING:
    import pyarrow as pa

_POS = {name: i for i, name in enumerate(PARTICIPANT_COLUMNS)}
_START, _END = _POS["intro_start"], _POS["intro_end"]
_AFTER_END = (
    ("intro_end_reason", _POS["intro_end_reason"]),
    ("intro_outcome", _POS["intro_outcome"]),
    ("status_1y", _POS["status_1y"]),
)


def _check(values: list[object]) -> list[tuple[str, str, str]]:
    """Cross-column rules: the programme ends after it starts, and an end reason,
    outcome or one-year status belongs to a programme that has ended."""
    problems = []
    start, end = values[_START], values[_END]
    if start is not None and end is not None and end < start:  # type: ignore[operator]
        problems.append(("E-DATE-ORDER", "intro_end", "the programme ends before it starts"))
    if end is None:
        for name, pos in _AFTER_END:
            if values[pos] is not None:
                problems.append(
                    (
                        "E-REQUIRED",
                        "intro_end",
                        f"{name} is given but intro_end is empty (or no column of the "
                        "file is read as intro_end)",
                    )
                )
                break
    return problems


def _vector_check(arrays: list[pa.Array]) -> tuple[list[pa.Array], pa.Array | None]:
    """`_check` over a batch: the rows it would refuse (it then says why)."""
    import pyarrow.compute as pc

    wrong = pc.fill_null(pc.less(arrays[_END], arrays[_START]), False)
    ended = pc.is_null(arrays[_END])
    for _name, pos in _AFTER_END:
        wrong = pc.or_(wrong, pc.and_(ended, pc.is_valid(arrays[pos])))
    return arrays, wrong if pc.any(wrong).as_py() else None


def schema(ctx: ParseContext) -> RowSchema:
    memo = ctx.memoised()
    return RowSchema(
        kind=PARTICIPANTS,
        columns=PARTICIPANT_COLUMNS,
        field_columns={"national_id": "person_key"},
        parsers={
            "participant_id": required_text,
            "national_id": ctx.national_id,
            "birth_year": Memo(lambda v: parse_year(v, latest=ctx.today.year)),
            "gender": ctx.vocabulary("gender"),
            "country": Memo(free_text),
            "municipality": memo["municipality"],
            "settled_date": ctx.date_column("settled_date"),
            "intro_start": ctx.date_column("intro_start"),
            "intro_end": ctx.date_column("intro_end"),
            "intro_end_reason": ctx.vocabulary("intro_end_reason"),
            "intro_outcome": ctx.vocabulary("intro_outcome"),
            "status_1y": ctx.vocabulary("status_1y"),
            "norwegian_hours": Memo(parse_hours),
            "social_studies_hours": Memo(parse_hours),
            "permit_date": ctx.date_column("permit_date"),
            "norwegian_level": Memo(parse_level),
            "social_studies_passed": Memo(parse_yes_no),
        },
        required=("participant_id",),
        check=_check,
        vector_check=_vector_check,
    )
