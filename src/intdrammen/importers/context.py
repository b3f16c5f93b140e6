"""What value parsers need beyond the cell: the identity-number key, the municipality
history and today's date. One context serves every file of an import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from intdrammen.ids import (
    FNR_HIDDEN,
    clean_fnr,
    clean_orgnr,
    fnr_problem,
    is_prefixed_id,
    looks_like_name,
    orgnr_problem,
    person_key,
)
from intdrammen.importers.columns import (
    VOCABULARIES,
    DateColumn,
    Memo,
    ValueProblem,
    free_text,
    parse_date,
    text,
    word,
)
from intdrammen.municipalities import MunicipalityHistory, MunicipalityLookupError

WHAT = {
    "type": ("E-TYPE", "placement type"),
    "intro_outcome": ("E-OUTCOME", "outcome"),
    "status_1y": ("E-OUTCOME", "one-year status"),
    "intro_end_reason": ("E-REASON", "end reason"),
    "gender": ("E-GENDER", "gender"),
}


@dataclass
class ParseContext:
    key: Callable[[], bytes]  # loads (or creates) the HMAC key on first use
    history: MunicipalityHistory = field(default_factory=MunicipalityHistory.load)
    today: date = field(default_factory=date.today)
    _key: bytes | None = None
    date_order: str | None = None  # --date-order: dmy or mdy for slash and dash dates
    # Per (file, sheet, field): the order decided by a first reading (see dates.py).
    date_orders: dict[tuple[str, str | None, str], str] = field(default_factory=dict)
    # The table being parsed: file name, path, sheet, header label of each field, and
    # where its date columns record what they show (the ProblemLog's, so it travels).
    table: (
        tuple[str, str, str | None, dict[str, str], dict[tuple[str, str | None, str], DateColumn]]
        | None
    ) = None

    def national_id(self, value: object) -> str:
        """Validate a fødselsnummer and return only its keyed hash."""
        raw = text(value) or ""
        number = clean_fnr(raw)
        problem = fnr_problem(number)
        if problem:
            raise ValueProblem("E-FNR", f"not a valid fødselsnummer: {problem}")
        return person_key(self.load_key(), number)

    def load_key(self) -> bytes:
        if self._key is None:
            self._key = self.key()
        return self._key

    def orgnr(self, value: object) -> str:
        number = clean_orgnr(text(value) or "")
        problem = orgnr_problem(number)
        if problem:
            raise ValueProblem("E-ORGNR", f"not a valid organisation number: {problem}")
        return number

    def municipality(self, value: object) -> str:
        raw = text(value) or ""
        try:
            code = self.history.parse(raw)
        except MunicipalityLookupError as exc:
            raise ValueProblem(exc.code, str(exc)) from None
        return code

    @staticmethod
    def date(value: object) -> str:
        parsed = parse_date(value)
        if parsed is None:
            raise ValueProblem("E-DATE", "not a date")
        return parsed.isoformat()

    def date_column(self, field_name: str) -> Callable[[object], object]:
        """The parser of one date column of the table being parsed: it reads slash and
        dot dates in the column's order, and records what the column shows. Outside an
        import (no table), day-first."""
        if self.table is None:
            return Memo(self.date)
        file, path, sheet, labels, found = self.table
        key = (path, sheet, field_name)
        column = found.setdefault(key, DateColumn(file, labels.get(field_name, field_name)))
        column.forced = self.date_order
        column.order = self.date_orders.get(key)

        def parse(value: object) -> str:
            parsed = parse_date(value, column)
            if parsed is None:
                raise ValueProblem("E-DATE", "not a date")
            return parsed.isoformat()

        return Memo(parse)

    def memoised(self) -> dict[str, Callable[[object], object]]:
        """Parsers of low-cardinality columns, each with its own memo (per import)."""
        return {
            "date": Memo(self.date),
            "orgnr": Memo(self.orgnr),
            "municipality": Memo(self.municipality),
        }

    @staticmethod
    def vocabulary(field_name: str) -> Callable[[object], object]:
        code, what = WHAT[field_name]
        vocabulary = VOCABULARIES[field_name]
        return Memo(lambda value: word(value, vocabulary, code, what))


def id_text(value: object) -> str | None:
    """An id cell (participant_id, placement_id): clean text that is an id as a person
    reads one. A fødselsnummer is refused (E-FNR-PLACE), but not the digits of an id
    with a letter prefix ("D15038550060", "X-15038550060"); a person's name is refused
    (E-NAME-AS-ID, never shown); so is the mark intd puts in a rejected-rows file where
    it hid a fødselsnummer."""
    try:
        result = free_text(value)
    except ValueProblem as problem:
        if problem.code != "E-FNR-PLACE":
            raise
        result = text(value)
        if result is None or not is_prefixed_id(result):
            raise
    if result is None:
        return None
    if result == FNR_HIDDEN:
        raise ValueProblem(
            "E-FNR-PLACE", "intd hid a fødselsnummer here (rejected-rows file): type the id"
        )
    if looks_like_name(result):
        raise ValueProblem("E-NAME-AS-ID", NAME_AS_ID)
    return result


NAME_AS_ID = "looks like a person's name, not an id (the value is not shown)"


def required_text(value: object) -> str:
    result = id_text(value)
    if result is None:
        raise ValueProblem("E-REQUIRED", "empty")
    return result
