"""Small SQL fragments the figure queries share: the work types, and the expressions for a
row's person, municipality and source ("file[sheet]:row").

Kept apart because they carry the definitions' SQL spelling in one place
(docs/definitions.md) and are what a second backend (PostgreSQL, issue 16) may need to
spell differently.
"""

from __future__ import annotations

WORK_TYPES_SQL = "('job', 'apprenticeship')"
WORK_OR_EDUCATION_TYPES_SQL = "('job', 'apprenticeship', 'education')"


def work_types(column: str = "type") -> str:
    """The condition "a job or an apprenticeship" on `column`."""
    return f"{column} IN {WORK_TYPES_SQL}"


# The explicit outcomes (and one-year statuses) that are work or education.
WORK_OR_EDUCATION_OUTCOMES_SQL = "('work', 'education', 'work_and_education')"


def _person_sql(alias: str, placement_alias: str) -> str:
    # A person is recognised by the keyed hash of their fødselsnummer when known, so two
    # participant ids of one person count once; otherwise by the participant id.
    return (
        f"CASE WHEN {alias}.person_key IS NOT NULL THEN 'k:' || {alias}.person_key "
        f"ELSE 'id:' || {placement_alias}.participant_id END"
    )


def _municipality_sql(alias: str, placement_alias: str) -> str:
    # The participant record's municipality decides; a placement's own municipality is
    # used only for people without a participant record (docs/definitions.md, region of a person).
    return (
        f"CASE WHEN {alias}.participant_id IS NOT NULL THEN {alias}.municipality ELSE "
        f"(SELECT x.municipality FROM placements x WHERE x.participant_id = "
        f"{placement_alias}.participant_id AND x.municipality IS NOT NULL "
        f"ORDER BY x.start_date LIMIT 1) END"
    )


def _source_sql(alias: str, wanted: bool = True) -> str:
    # Building "file[sheet]:row" costs a lookup and a string per row: only explain needs
    # it, so figures over a whole database skip it.
    if not wanted:
        return "''"
    return (
        f"(SELECT b.file FROM batches b WHERE b.id = {alias}.batch_id) || "
        f"COALESCE('[' || {alias}.sheet || ']', '') || ':' || {alias}.source_row"
    )
