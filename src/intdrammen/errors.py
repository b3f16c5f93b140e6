"""Errors a user can cause, with stable codes.

Everything here is turned into a one-paragraph message and exit code 1 at the CLI edge
(`cli.py`). Anything else that escapes is a bug. Codes are part of the contract: scripts
match on them, so never rename one.

A `Problem` is one finding about one cell or row of an input file. Importers collect them
(they do not raise at the first one), and `ImportRejected` carries the list.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intdrammen.ids import FNR_HIDDEN, NAME_HIDDEN, NAME_RUN, contains_fnr, has_name, mask_fnr

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
    "E-FIELDS": "More or fewer values than the header has columns: an unquoted decimal "
    "comma (37,5), a stray delimiter, or a line written with another delimiter (commas in a "
    "semicolon file)? Quote that value, or save the file again from the spreadsheet.",
    "E-HEADER-CHANGED": "A second header row with other columns starts another table: "
    "put each table in a file or sheet of its own.",
    "E-PLACEHOLDER": "A .rejected.csv hides what intd does not copy: fill in the real value "
    "from the original file, or empty the cell, before importing it.",
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
    "E-COLUMN": "Rename the column to one `intd columns` lists, or map it with --map "
    '"Their name=field" (or --map FILE.toml).',
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
    "E-ENCODING": "Save the file as UTF-8, or pass the encoding it is in: --encoding cp1252 "
    "(Windows), --encoding mac_roman (Excel for Mac 'CSV (Macintosh)'), --encoding utf-16; "
    "text garbled before it was saved must be corrected in the file.",
    "E-LINE-TOO-LONG": "A line is absurdly long; the file is probably not a CSV table.",
    "E-NO-HEADER": "The file needs a header row with at least two column names `intd "
    "columns` lists. Participants need participant_id (or deltaker_id); placements "
    "participant_id, type "
    "and start_date (or deltaker_id, plasseringstype, startdato). Map your own names with "
    '--map "Their name=participant_id".',
    "E-KIND": "Pass --kind participants or --kind placements, or leave --kind out when the "
    "header already says which kind the file is.",
    "E-NAME-AS-ID": "An id column must hold the office's ids (P0042, 12345), never names: "
    'read the column that holds them with --map "Deltakernr=participant_id", or take the '
    "names out of the file.",
    "E-SHEET": "Pick a sheet with --sheet NAME.",
    "E-FILE": "Check the file name, that you can read it, and that intd may write beside it "
    "(the rejected-rows file).",
    "E-FORMAT": "intd reads .csv, .txt, .tsv, .xlsx, .xlsm, .xls and .ods files.",
    "E-DB-NOT-FILE": "--db (or INTD_DB) names the database file itself, e.g. "
    "--db data/intd.sqlite.",
    "E-DB-NOT-SQLITE": "--db names intd's database file; the files to import go after "
    "`intd import`. Point --db at a new or existing intd database.",
    "E-DB-DAMAGED": "Restore the database from a backup (copy the file while no intd "
    "command runs), or import your files into a new one with --db NEW.sqlite.",
    "E-DB-FOREIGN": "intd adds its tables only to its own or an empty database: pass "
    "--db with a new file name.",
    "E-DB-NEWER": "Upgrade intd (pip install --upgrade intdrammen), or use the intd that "
    "wrote this database.",
    "E-DB-URL": "--db (or INTD_DB) takes an SQLite file or a PostgreSQL URL, "
    "postgresql://USER@HOST:PORT/DBNAME?sslmode=require (percent-encode @ : / ? in names); "
    "give the password in PGPASSWORD, ~/.pgpass or a PGSERVICE file, not on the command line.",
    "E-DB-CONNECT": "Check the host, port and database name in --db, that the server runs and "
    "lets this machine in (pg_hba.conf), and the password the libpq way: PGPASSWORD, "
    "~/.pgpass or PGSERVICE.",
    "E-DB-SERVER": "PostgreSQL refused what intd asked of it: a role without the right "
    "(an office writing another office's rows, a reader importing), a server out of space, "
    "or a connection that was cut. Nothing was changed; ask the database's administrator "
    "(docs/shared-database.md).",
    "E-DB-ROLE": "Import as the office's own role (created by `intd offices add`): a "
    "superuser or BYPASSRLS role is not bound by the offices' row-level security, so intd "
    "does not write with one into a database that has offices.",
    "E-OFFICE": "`intd offices list` shows the offices and readers; `intd db init URL` "
    "prepares a database for them. These commands take the administrator's URL.",
    "E-DB-WAL": "Close every program that has the database open; if none does, run "
    "`sqlite3 FILE 'PRAGMA journal_mode=DELETE'` once to finish its writes, then try again.",
    "E-CELL": "The cell holds a spreadsheet error (#N/A, #DIV/0!, #REF!, Err:502 ...) or a "
    "TRUE/FALSE, not a value: fix the formula (a VLOOKUP that found nothing?) or type the "
    "value in.",
    "E-FORMULA": "The file holds a formula without its calculated value (saved by a program "
    "that does not calculate): open it in Excel or LibreOffice and save it, which stores "
    "the values.",
    "E-MERGED": "Unmerge the cells (Excel: Home > Merge & Center > Unmerge) so each row of the "
    "table has its own cells.",
    "W-SHEET-HIDDEN": "A hidden sheet is not imported; name it with --sheet NAME to import it.",
    "W-SHEET-SKIPPED": "This sheet holds no table intd reads; name it with --sheet NAME if it "
    "should.",
    "W-ROW-HIDDEN": "Hidden or filtered-out rows are imported like the others; show them "
    "(Excel: Unhide / Clear filter) to check them, or delete the rows that are not data.",
    "W-COLUMN-HIDDEN": "Hidden columns are imported like the others; show them (Excel: "
    "Unhide) to check them, or delete the columns intd should not read.",
    "E-MAP": 'Give --map once per column, "Their name=field" (e.g. --map '
    '"Deltakernr=participant_id", --map "Født=ignore"), or a TOML file with a [columns] '
    'table of "Their name" = "field"; `intd columns` lists the fields.',
    "W-COLUMN": "intd reads only the columns `intd columns` lists; map another with --map "
    '"Their name=field", or pass it over without this warning with --map "Their name=ignore".',
    "W-MAP-UNUSED": "Check the spelling of the column in --map against the file's header.",
    "E-FNR-CHANGED": "A stored participant id keeps its fødselsnummer: check that the row is "
    "the right person. If the stored number was wrong, import with --allow-fnr-change to "
    "correct it; to leave stored numbers as they are, leave the column out of the file.",
    "E-REPLACE-EMPTY": "Export the full list again, or import without --replace to add rows.",
    "W-ID-LOOKALIKE": "Ids differing only in case, leading zeros or separators (P11, p11, "
    "P011) are different participants to intd: if they are one person, write the id the "
    "same way in every file and import again.",
    "W-PLACEMENT-KEY": "A placement is known by its placement_id, or by participant, type, "
    "start date and employer: give the file the columns the earlier one had, or import it "
    "with --replace if it is the new full list.",
    "W-REPLACE-KEPT": "Fix the rejected rows and import the whole file again with --replace "
    "to remove rows no longer in it.",
    "W-DUPLICATE-ROW": "Two rows with the same values are one row to intd: it was "
    "imported once. If they are two real placements or people, tell them apart (a "
    "placement_id, another start date); else delete the repeated row.",
    "W-REPLACE-NOTHING": "--replace takes the place of earlier imports of the same file "
    "name and sheet (and of their .rejected.csv round trips) only. If this file is the new "
    "full list of a file imported under another name (a monthly export with a new date), "
    "`intd undo` that import and import this one, or give it the earlier name and import "
    "it again with --replace.",
    "W-MUNICIPALITY-UNKNOWN": "Code 9999 (Uoppgitt) is kept as 'unknown municipality'.",
    "W-SAME-PERSON": "Two participant ids share one fødselsnummer: counted as one person.",
    "W-PLACEMENT-UNLINKED": "On a shared database an office's placements are linked to that "
    "office's own participants (to another office's only through the fødselsnummer, which "
    "placements do not carry): import the participants of these placements as this office, "
    "or the placements count without their participant's municipality.",
    "W-DATE-MONTH-FIRST": "Norwegian dot dates are day-first (31.12.2019); this column has a "
    "date only month-first reads, so all its dates were read month-first. If that date is a "
    "typo, correct it; if the export writes month first, nothing is wrong.",
    "W-COLUMN-UNNAMED": "A column needs a name in the header row to be read: give it one "
    "`intd columns` lists (or map it with --map), or delete the values if they are notes.",
    "W-TOTAL-ROW": "A total, count or subtotal row is not data: intd passed it over. If it "
    "is a real row, give it its id and values.",
    "W-NOTE-ROW": "A note, footer or title line in the table (source, date printed, page "
    "number, footnote) is not data: intd passed it over.",
    "W-HEADER-REPEATED": "The header row again (an export printed in pages): passed over.",
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


def private(problem: Problem) -> Problem:
    """`problem` as it may be kept and shown: no fødselsnummer and no person's name in
    it. The one place every Problem passes (ProblemLog.add, InputFileError,
    ImportRejected). A fødselsnummer is masked in the file name, and hides a
    column label, value or message part that holds one; a label or value that reads as a
    name (`ids.has_name`) and is no word intd knows (a column name, a vocabulary word, a
    municipality) is shown as NAME_HIDDEN, and its text is taken out of the message.
    Values of codes, dates and numbers are left as they are."""
    file, column, value = problem.file, problem.column, problem.value
    message = problem.message
    hidden: list[str] = []

    def shown(text: str | None) -> str | None:
        if text is None:
            return None
        if contains_fnr(text):
            hidden.append(text)
            return FNR_HIDDEN
        if has_name(text) and not _known_word(text.strip()):
            hidden.append(text)
            return NAME_HIDDEN
        return text

    file = mask_fnr(file)  # (a sheet keeps its name: rows are found again by it)
    if column != FNR_HIDDEN:
        column = shown(column)
    if value not in (FNR_HIDDEN, NAME_HIDDEN):
        value = shown(value)
    for text in hidden:
        mark = FNR_HIDDEN if contains_fnr(text) else NAME_HIDDEN
        for form in (repr(text), repr(text.strip()), text, text.strip()):
            if form:
                message = message.replace(form, mark)
    message = NAME_RUN.sub(_hide_run, mask_fnr(message))
    return dataclasses.replace(problem, file=file, column=column, value=value, message=message)


def _hide_run(match: re.Match[str]) -> str:
    return match.group(0) if _known_word(match.group(0)) else NAME_HIDDEN


@functools.cache
def _known_word(text: str) -> bool:
    """Whether `text` is a word intd knows, not a person: a column name, a word of a
    vocabulary (type, outcome, gender ...), a total label or a municipality, now or in
    the past ("Nedre Eiker")."""
    from intdrammen.importers.columns import VOCABULARIES, normalise_name, score_header
    from intdrammen.importers.rows import is_total_label
    from intdrammen.municipalities import MunicipalityHistory, MunicipalityLookupError

    key = normalise_name(text)
    if any(key in words for words in VOCABULARIES.values()) or score_header([text]):
        return True
    if is_total_label(text):  # "Sum Syria", "Drammen Totalt": a total row's label
        return True
    try:
        MunicipalityHistory.load().parse(text)
    except MunicipalityLookupError as exc:
        return exc.code == "E-MUNICIPALITY-AMBIGUOUS"
    return True


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

    def __init__(
        self,
        code: str,
        file: str,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.problem = private(
            Problem(code=code, message=message, file=file, row=row, column=column, sheet=sheet)
        )
        super().__init__(self.problem.describe(), hint=self.problem.hint)
        self.code = code


class ImportRejected(IntdError):
    """An import found errors; nothing was written."""

    code = "E-IMPORT"

    def __init__(
        self,
        problems: list[Problem],
        total: int,
        warnings: list[Problem] | None = None,
        warning_total: int = 0,
    ) -> None:
        self.problems = [private(problem) for problem in problems]
        self.total = total
        # What was passed over or noticed besides: often the reason for the errors (a
        # column not read, so its field looks empty).
        self.warnings = [private(problem) for problem in warnings or []]
        self.warning_total = warning_total
        noun = "problem" if total == 1 else "problems"
        super().__init__(f"Import rejected: {total} {noun} found; the database was not changed.")


class ConfigError(IntdError):
    """A goals, regions, mapping or key file is wrong."""

    code = "E-CONFIG"


class MappingError(ConfigError):
    """A --map given in a form intd cannot read, or naming no field."""

    code = "E-MAP"

    def __init__(self, message: str) -> None:
        super().__init__(f"{message} [E-MAP]", hint=HINTS["E-MAP"])


class UnknownName(IntdError):
    """A region, municipality, goal or batch that does not exist was asked for."""

    code = "E-UNKNOWN"


class NoData(IntdError):
    """The database is missing or holds nothing to report on."""

    code = "E-NODATA"


class DatabaseBusy(IntdError):
    """Another intd process held the database for longer than the busy timeout."""

    code = "E-BUSY"


class DatabaseRefused(IntdError):
    """The --db path is not a database intd may open: a folder, another file, a damaged,
    foreign or newer database. Nothing was read from or written to it. For a PostgreSQL
    target `path` is its display form (store/target.py: never a password)."""

    def __init__(self, code: str, path: Path | str, message: str) -> None:
        super().__init__(f"{message} [{code}]", hint=HINTS[code])
        self.code = code
        self.path = path


class DatabaseUnreachable(IntdError):
    """A PostgreSQL --db could not be connected to: the server is not reachable, refused
    the login or has no such database. The message names the target without its
    password and never repeats one (store/target.py scrubs what libpq says)."""

    code = "E-DB-CONNECT"

    def __init__(self, message: str) -> None:
        super().__init__(f"{message} [E-DB-CONNECT]", hint=HINTS["E-DB-CONNECT"])


class DatabaseFailed(IntdError):
    """PostgreSQL refused a statement or lost the connection in the middle of a command
    (the transaction is rolled back by the server): its own words and SQLSTATE, never a
    traceback, never a password."""

    code = "E-DB-SERVER"

    def __init__(self, message: str) -> None:
        super().__init__(f"{message} [E-DB-SERVER]", hint=HINTS["E-DB-SERVER"])


class RoleRefused(IntdError):
    """A PostgreSQL role intd will not write with: a superuser or BYPASSRLS role (or one
    holding the tables' owner's rights) on a database that has offices, where row-level
    security would not bind it (store/pg_roles.py)."""

    code = "E-DB-ROLE"

    def __init__(self, message: str) -> None:
        super().__init__(f"{message} [E-DB-ROLE]", hint=HINTS["E-DB-ROLE"])


class OfficeError(IntdError):
    """`intd db init` or `intd offices` could not do what was asked: a name that is no
    role name, an office that exists or does not, one with live batches, a database not
    prepared with `db init`, a role without the administrator's rights."""

    code = "E-OFFICE"

    def __init__(self, message: str) -> None:
        super().__init__(f"{message} [E-OFFICE]", hint=HINTS["E-OFFICE"])


class UndoRefused(IntdError):
    """Undo would break later batches that changed the same rows."""

    code = "E-UNDO"


class StorageError(IntdError):
    """The database file could not be written (disk full, read-only, I/O error)."""

    code = "E-STORAGE"
