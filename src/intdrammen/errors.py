"""Errors a user can cause, with stable codes.

Everything here is turned into a one-paragraph message and exit code 1 at the CLI edge
(`cli.py`). Anything else that escapes is a bug. Codes are part of the contract: scripts
match on them, so never rename one.

A `Problem` is one finding about one cell or row of an input file. Importers collect them
(they do not raise at the first one), and `ImportRejected` carries the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Stable problem codes, with the one-line hint shown under every problem of that code.
HINTS: dict[str, str] = {
    "E-DATE": "Write dates as dd.mm.yyyy (e.g. 31.12.2019) or yyyy-mm-dd.",
    "E-DATE-ORDER": "The end date must be on or after the start date.",
    "E-DATE-ORDER-UNKNOWN": "Slash and dash dates are day-first in some programs and "
    "month-first in others: say which with --date-order dmy (31/12/2019) or --date-order mdy "
    "(12/31/2019), or write the dates as dd.mm.yyyy or yyyy-mm-dd.",
    "E-DATE-ORDER-MIXED": "A column has dates only day-first can read (31/12/2019) and dates "
    "only month-first can read (12/31/2019): correct the rows written the other way, or "
    "write the dates as dd.mm.yyyy or yyyy-mm-dd.",
    "E-DATE-SHORT-YEAR": "Write the year with four digits (31.12.2019): format the column as "
    "dd.mm.yyyy in the spreadsheet before saving it as CSV.",
    "E-FNR": "A fødselsnummer/D-number has 11 digits and valid mod-11 check digits; "
    "check for a typo or leave the cell empty.",
    "E-FIELDS": "More values than columns: an unquoted decimal comma (37,5) or a stray "
    "delimiter in a comma-separated file? Quote that value or save the file with semicolons.",
    "E-FNR-PLACE": "A fødselsnummer belongs in the national_id (fødselsnummer) column only, "
    "where intd keeps it as a keyed hash; use the case number as participant id and remove "
    "it from other columns.",
    "E-ORGNR": "An organisation number has 9 digits with a valid mod-11 check digit "
    "(see brreg.no); leave it empty if unknown.",
    "E-MUNICIPALITY": "Use a 4-digit municipality code (e.g. 3301) or a name as Statistics "
    "Norway writes it; `intd regions show NAME` lists codes.",
    "E-MUNICIPALITY-AMBIGUOUS": "Several municipalities have this name: use the code, "
    "or the name with its county as Klass writes it, e.g. 'Sande (Vestfold)'.",
    "E-DUPLICATE": "The same id appears twice with different data; keep one row per id.",
    "E-REQUIRED": "This column needs a value in every row.",
    "E-COLUMN": "Rename the column to one `intd columns` lists, or map it with --map FILE.toml.",
    "E-TYPE": "Use one of: job, apprenticeship, education, work_trial, course "
    "(or fast jobb, midlertidig jobb, lærling, utdanning, arbeidspraksis, kurs).",
    "E-OUTCOME": "Use one of: work, education, work_and_education, unemployed, measure, "
    "other, unknown (or arbeid, utdanning, ledig, tiltak, annet, ukjent).",
    "E-REASON": "Use one of: completed/fullført, interrupted/avbrutt, moved/flyttet.",
    "E-GENDER": "Use K, M, F, kvinne or mann.",
    "E-NUMBER": "Write a number, e.g. 37,5 or 50 %.",
    "E-NUMBER-DATE": "This column takes a number (a percentage, a year): a date here usually "
    "means the column is mapped to the wrong field (check the header or --map) or the cells "
    "are formatted as dates in the spreadsheet (format them as numbers).",
    "E-RANGE": "The value is outside the range the column allows.",
    "E-EMPTY": "The file has no content; export it again.",
    "E-BINARY": "This is not a CSV or spreadsheet file.",
    "E-ENCODING": "Save the file as UTF-8 (or pass --encoding cp1252 if it is Windows text).",
    "E-LINE-TOO-LONG": "A line is absurdly long; the file is probably not a CSV table.",
    "E-NO-HEADER": "The file needs a header row with column names `intd columns` lists.",
    "E-KIND": "Pass --kind participants or --kind placements.",
    "E-SHEET": "Pick a sheet with --sheet NAME.",
    "E-FILE": "Check the file name and that you can read it.",
    "E-FORMAT": "intd reads .csv, .txt, .tsv, .xlsx, .xlsm, .xls and .ods files.",
    "E-MAP": "Fix the mapping file given with --map.",
    "W-MUNICIPALITY-UNKNOWN": "Code 9999 (Uoppgitt) is kept as 'unknown municipality'.",
    "W-SAME-PERSON": "Two participant ids share one fødselsnummer: counted as one person.",
}


@dataclass(frozen=True)
class Problem:
    """One finding about one place in an input file.

    `row` counts as a spreadsheet user does: the first line of the file is row 1.
    `value` is what the cell held, already masked when it could be personal.
    """

    code: str
    message: str
    file: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    sheet: str | None = None

    @property
    def is_warning(self) -> bool:
        return self.code.startswith("W-")

    @property
    def hint(self) -> str:
        return HINTS.get(self.code, "")

    @property
    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def describe(self) -> str:
        """One line: where, what, the value, the code."""
        value = f" (value {self.value!r})" if self.value is not None else ""
        return f"{self.location}: {self.message}{value} [{self.code}]"


class IntdError(Exception):
    """A problem the user can fix: shown as one paragraph, exit code 1."""

    code = "E-INTD"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take other arguments than `args`: rebuild from the attributes, so
        # an error found while parsing in a child process reaches the parent intact.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[IntdError], args: tuple[Any, ...], state: dict[str, Any]) -> IntdError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InputFileError(IntdError):
    """A whole input file cannot be read (empty, binary, wrong encoding...)."""

    def __init__(self, code: str, file: str, message: str, *, sheet: str | None = None) -> None:
        self.problem = Problem(code=code, message=message, file=file, sheet=sheet)
        super().__init__(self.problem.describe(), hint=self.problem.hint)
        self.code = code


class ImportRejected(IntdError):
    """An import found errors; nothing was written."""

    code = "E-IMPORT"

    def __init__(self, problems: list[Problem], total: int) -> None:
        self.problems = problems
        self.total = total
        noun = "problem" if total == 1 else "problems"
        super().__init__(f"Import rejected: {total} {noun} found; the database was not changed.")


class ConfigError(IntdError):
    """A goals, regions, mapping or key file is wrong."""

    code = "E-CONFIG"


class UnknownName(IntdError):
    """A region, municipality, goal or batch that does not exist was asked for."""

    code = "E-UNKNOWN"


class NoData(IntdError):
    """The database is missing or holds nothing to report on."""

    code = "E-NODATA"


class DatabaseBusy(IntdError):
    """Another intd process held the database for longer than the busy timeout."""

    code = "E-BUSY"


class UndoRefused(IntdError):
    """Undo would break later batches that changed the same rows."""

    code = "E-UNDO"


class StorageError(IntdError):
    """The database file could not be written (disk full, read-only, I/O error)."""

    code = "E-STORAGE"
