"""An analyst's Python API: the figures of the CLI as typed values and pandas DataFrames.

The same code as the commands computes every figure (`reports.progress`,
`reports.region_report`, `reports.explain`), from a database opened read-only::

    import intdrammen

    with intdrammen.open("intd.sqlite") as db:
        p = db.progress(2019, region="Drammensregionen", suppress=3)
        p.value                 # the ProgressReport `intd progress` renders
        p.to_frame()            # one row per goal and measure: progress --format csv
        db.progress(2019, by="gender").to_frame()  # + rows "by_gender", one per group
        p.to_dict()             # the JSON of progress --format json
        p.provenance            # intd version, data as of, files (sha, batch), versions
        db.report(region="Mjøsa", by="municipality").to_frame()
        db.explain("id-2016-2020", 2019).to_frame()  # one row per person
        db.explain_language(2019).to_frame()  # language requirement: one row per person
        db.participants_frame(), db.placements_frame()  # stored rows, no identity hash
        db.imports_frame(), db.goals_frame()  # the import history, the goals in force

Frames have the columns of the command's `--format csv`, in its order, and its rows
(progress: `section` "goal", "intro", and with `by` "by_<dimension>" rows labelled in
`dimension` and `name`; report: "year", "municipality" with `code`, "by_<dimension>";
explain: one row per person, `status` "counted" or "excluded"), with typed columns:
counts are nullable integers (`Int64`), rates and shares nullable floats (`Float64`)
with both counts beside them, yes/no `boolean`, dates `datetime64[ns]`, text `string`.
A frame equals the CSV read by pandas with these dtypes: every empty cell is missing
(<NA>, NaT), whether it does not apply or was hidden. A count hidden by `suppress=N` is
`<NA>`, and so is every rate and verdict built on it; the row's `suppressed` column
names the hidden cells, space-separated (<NA>: none hidden), e.g.
`frame[frame["suppressed"].str.contains("rate", na=False)]`.
`frame.attrs["provenance"]` holds the provenance stamp as a plain dict (as in JSON) and
`frame.attrs["suppressed_below"]` the suppression threshold (None: none applied).

Errors are the CLI's: a missing database raises `errors.NoData`, an unknown goal or
region `errors.UnknownName`, a damaged database `errors.DatabaseRefused`; all are
`errors.IntdError` with a stable `.code`. A call the CLI would refuse as a usage error
(a year out of range, `suppress=0`) raises `UsageError`, also a `ValueError`.

pandas is imported only when a frame is asked for; `import intdrammen` stays light.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal

from intdrammen.errors import IntdError

if TYPE_CHECKING:
    import pandas as pd

    from intdrammen import reports
    from intdrammen.models import Provenance
    from intdrammen.render.data import TypedRow
    from intdrammen.store.target import PostgresTarget

__all__ = [
    "Database",
    "Explanation",
    "LanguageExplanation",
    "Progress",
    "Report",
    "UsageError",
    "open",
]

Kind = Literal["str", "int", "float", "bool", "date", "datetime"]

# The years the CLI accepts (cli/figures.py MIN_YEAR, MAX_YEAR; not imported from there:
# that would import Typer).
MIN_YEAR, MAX_YEAR = 1900, 2999
SQLITE_URL = "sqlite:///"

PROGRESS_KINDS: Final[dict[str, Kind]] = {
    "section": "str",
    "id": "str",
    "start": "date",
    "end": "date",
    "cohort_year": "int",
    "target": "float",
    "actual": "int",
    "in_year": "int",
    "expected": "float",
    "on_track": "bool",
    "ended": "int",
    "work_or_education": "int",
    "rate": "float",
    "met": "bool",
    "kind": "str",
    "title": "str",
    "region": "str",
    "up_to": "date",
    "share_of_target": "float",
    "projected": "float",
    "as_of": "date",
    "expected_as_of": "float",
    "available": "bool",
    "measured_on": "date",
    "dimension": "str",
    "name": "str",
    "suppressed": "str",
    "language_cohort": "int",
    "language_met": "int",
    "language_not_met": "int",
    "language_cannot_judge": "int",
    "language_by_settlement": "int",
}
REPORT_KINDS: Final[dict[str, Kind]] = {
    "section": "str",
    "name": "str",
    "into_work": "int",
    "intro_ended": "int",
    "intro_work_or_education": "int",
    "intro_rate": "float",
    "dimension": "str",
    "code": "str",
    "suppressed": "str",
    "language_cohort": "int",
    "language_met": "int",
    "language_not_met": "int",
    "language_cannot_judge": "int",
    "language_by_settlement": "int",
}
EXPLAIN_LANGUAGE_KINDS: Final[dict[str, Kind]] = {
    "participant_id": "str",
    "verdict": "str",
    "rule": "str",
    "reasons": "str",
    "basis": "str",
    "date": "date",
    "by_settlement": "bool",
    "ended": "date",
    "source": "str",
    "year": "int",
    "region": "str",
}
EXPLAIN_KINDS: Final[dict[str, Kind]] = {
    "participant_id": "str",
    "status": "str",
    "reason": "str",
    "date": "date",
    "placement_id": "str",
    "source": "str",
    "detail": "str",
    "what": "str",
    "goal": "str",
    "year": "int",
    "what_code": "str",
    "basis": "str",
    "detail_code": "str",
    "municipality": "str",
    "placement_types": "str",
    "goal_region": "str",
}
STORED_KINDS: Final[dict[str, Kind]] = {
    "birth_year": "int",
    "settled_date": "date",
    "intro_start": "date",
    "intro_end": "date",
    "start_date": "date",
    "end_date": "date",
    "fte_percent": "float",
    "norwegian_hours": "float",
    "social_studies_hours": "float",
    "permit_date": "date",
    "social_studies_passed": "int",
    "batch_id": "int",
    "source_row": "int",
}
GOALS_KINDS: Final[dict[str, Kind]] = {
    "target": "float",
    "start": "date",
    "end": "date",
    "every_year": "bool",
    "days_after": "int",
}
IMPORTS_KINDS: Final[dict[str, Kind]] = {
    "id": "int",
    "rows": "int",
    "inserted": "int",
    "updated": "int",
    "unchanged": "int",
    "removed": "int",
    "skipped": "int",
    "imported_at": "datetime",
    "undone_at": "datetime",
}


class UsageError(IntdError, ValueError):
    """An argument the CLI would refuse as a usage error (exit 2): a year out of range,
    a threshold below 1, a database URL intd cannot open yet, a closed database."""

    code = "E-USAGE"


# ----------------------------------------------------------------------------- frames


def _series(values: Sequence[object], kind: Kind) -> Any:
    import pandas as pd

    cells: list[Any] = list(values)
    if kind == "date":
        return pd.Series(pd.to_datetime(cells), dtype="datetime64[ns]")
    if kind == "datetime":
        return pd.Series(pd.to_datetime(cells, utc=True, format="ISO8601"))
    if kind == "str":  # an empty text is missing, as pandas reads an empty CSV cell
        cells = [None if cell == "" else cell for cell in cells]
    dtype = {"str": "string", "int": "Int64", "float": "Float64", "bool": "boolean"}[kind]
    return pd.Series(cells, dtype=dtype)


def _frame(
    columns: Sequence[str], rows: Sequence[TypedRow], kinds: dict[str, Kind], **attrs: Any
) -> pd.DataFrame:
    """A DataFrame of the typed rows the CSV is written from: a hidden (suppressed)
    cell, a cell that does not apply and an empty text are all missing (<NA>, NaT), as
    the CSV's empty cell; the `suppressed` column names the hidden ones, as in the CSV."""
    import pandas as pd

    data = {
        column: _series([r.get(column) for r in rows], kinds.get(column, "str"))
        for column in columns
    }
    frame = pd.DataFrame(data, columns=list(columns))
    frame.attrs.update(attrs)
    return frame


def _provenance(p: Provenance) -> dict[str, Any]:
    from intdrammen.render.data import provenance_json

    return provenance_json(p)


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Progress:
    """Progress against every goal of a year (`intd progress`)."""

    value: reports.ProgressReport

    def to_frame(self) -> pd.DataFrame:
        """One row per goal and introduction measure (and with `by`, one per goal and
        group, section "by_<dimension>", labelled in column `name`): the columns of
        `intd progress --format csv`."""
        from intdrammen.render.data import PROGRESS_COLUMNS, progress_rows

        rows = progress_rows(self.value)
        return _frame(PROGRESS_COLUMNS, rows, PROGRESS_KINDS, **self._attrs())

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `intd progress --format json`, as Python values."""
        from intdrammen.render.data import progress_json

        return progress_json(self.value)

    @property
    def provenance(self) -> dict[str, Any]:
        return _provenance(self.value.provenance)

    def _attrs(self) -> dict[str, Any]:
        return {"provenance": self.provenance, "suppressed_below": self.value.suppressed_below}


@dataclass(frozen=True)
class Report:
    """Persons into work and introduction results per year and municipality
    (`intd report`)."""

    value: reports.RegionReport

    def to_frame(self) -> pd.DataFrame:
        """Rows per year, per municipality with the total, and per group of `by`
        (section "by_<dimension>"): the columns of `intd report --format csv`."""
        from intdrammen.render.data import REPORT_COLUMNS, report_rows

        attrs = {"provenance": self.provenance, "suppressed_below": self.value.suppressed_below}
        return _frame(REPORT_COLUMNS, report_rows(self.value), REPORT_KINDS, **attrs)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `intd report --format json`, as Python values."""
        from intdrammen.render.data import report_json

        return report_json(self.value)

    @property
    def provenance(self) -> dict[str, Any]:
        return _provenance(self.value.provenance)


@dataclass(frozen=True)
class Explanation:
    """Who was counted for a goal in a year, by which row, and who was not and why
    (`intd explain`)."""

    value: reports.Explanation

    def to_frame(self) -> pd.DataFrame:
        """One row per person counted (status "counted": `what` counted, its `date`
        and `placement_id`; `reason` <NA>) or excluded (status "excluded": the `reason`
        code and its `detail`), with the file and row (`source`) the decision rests on,
        and the `goal` and `year`: the columns of `intd explain --format csv`."""
        from intdrammen.render.data import EXPLAIN_COLUMNS, explain_rows

        attrs = {"provenance": self.provenance, "suppressed_below": None}
        return _frame(EXPLAIN_COLUMNS, explain_rows(self.value), EXPLAIN_KINDS, **attrs)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `intd explain --format json`, as Python values."""
        from intdrammen.render.data import explain_json

        return explain_json(self.value)

    @property
    def provenance(self) -> dict[str, Any]:
        return _provenance(self.value.provenance)


@dataclass(frozen=True)
class LanguageExplanation:
    """Who of a year's introduction cohort met the language-training requirement, who
    did not and who cannot be judged, and why (`intd explain --language`)."""

    value: reports.LanguageExplanation

    def to_frame(self) -> pd.DataFrame:
        """One row per member of the cohort: the `verdict` (met, not_met, cannot_judge),
        the `rule` applied, the `reasons` (space-separated codes), the `date` the rule
        was chosen by and its `basis` (permit, settled), `by_settlement`, the programme's
        end and the `source` row: the columns of `intd explain --language --format csv`."""
        from intdrammen.render.data import EXPLAIN_LANGUAGE_COLUMNS, explain_language_rows

        rows = explain_language_rows(self.value)
        attrs = {"provenance": self.provenance, "suppressed_below": None}
        return _frame(EXPLAIN_LANGUAGE_COLUMNS, rows, EXPLAIN_LANGUAGE_KINDS, **attrs)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `intd explain --language --format json`, as Python values."""
        from intdrammen.render.data import explain_language_json

        return explain_language_json(self.value)

    @property
    def provenance(self) -> dict[str, Any]:
        return _provenance(self.value.provenance)


# ----------------------------------------------------------------------------- database


@contextmanager
def _damage_is_an_error(path: Path | PostgresTarget) -> Iterator[None]:
    """SQLite finding damage inside the file (past the header and schema intd checks on
    opening) raises the CLI's E-DB-DAMAGED error, not a traceback of internals
    (cli/app.py `_damaged_database`)."""
    import sqlite3

    try:
        yield
    except sqlite3.DatabaseError as exc:
        if not isinstance(path, Path):
            raise
        if "malformed" not in str(exc) and "not a database" not in str(exc):
            raise
        from intdrammen.store import damaged

        raise damaged(path, exc) from None


def _check_year(name: str, year: int | None) -> None:
    if year is None:
        return
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise UsageError(f"{name} must be a year from {MIN_YEAR} to {MAX_YEAR}, not {year!r}.")


def _check_suppress(suppress: int | None) -> None:
    if suppress is None:
        return
    if isinstance(suppress, bool) or not isinstance(suppress, int) or suppress < 1:
        raise UsageError(
            f"suppress needs a positive number of persons, e.g. suppress=3, not {suppress!r}."
        )


@dataclass
class Database:
    """An intd database opened for reading. Get one from `intdrammen.open`; close it
    with `close()` or by using it in a `with` block."""

    path: Path | PostgresTarget  # a PostgreSQL database shows its URL without password
    _context: reports.Context = field(repr=False)
    _closed: bool = field(default=False, repr=False)

    # ------------------------------------------------------------- lifecycle

    def close(self) -> None:
        """Close the connection (again: nothing happens)."""
        if not self._closed:
            self._closed = True
            self._context.store.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _reading(self) -> Iterator[reports.Context]:
        """The context to compute with (see `_damage_is_an_error`)."""
        if self._closed:
            raise UsageError(f"The database {self.path} is closed; open it again.")
        with _damage_is_an_error(self.path):
            yield self._context

    # ------------------------------------------------------------- figures

    def progress(
        self,
        year: int,
        region: str | None = None,
        *,
        by: str | None = None,
        suppress: int | None = None,
    ) -> Progress:
        """Progress against every goal that applies to `year` (`intd progress --year`),
        in a region or municipality (name or any code), each goal split by `by`
        (municipality, county, gender, country, age_group, channel, quarter, employer), counts
        below `suppress` hidden."""
        from intdrammen.reports import progress, resolve_scope, suppress_progress

        _check_year("year", year)
        _check_suppress(suppress)
        with self._reading() as ctx:
            value = progress(ctx, year, resolve_scope(ctx, region), by)
        return Progress(value if suppress is None else suppress_progress(value, suppress))

    def report(
        self,
        region: str | None = None,
        *,
        from_year: int | None = None,
        to_year: int | None = None,
        by: str | None = None,
        suppress: int | None = None,
    ) -> Report:
        """Persons into work and introduction results per year and municipality
        (`intd report`), for a region (None: the whole project), from `from_year` to
        `to_year` (default: the years of the data), with a table split by `by`."""
        from intdrammen.reports import region_report, resolve_scope, suppress_report

        _check_year("from_year", from_year)
        _check_year("to_year", to_year)
        _check_suppress(suppress)
        with self._reading() as ctx:
            asked = resolve_scope(ctx, region, goals=())  # the table counts no goal's region
            value = region_report(ctx, asked, from_year, to_year, by)
        return Report(value if suppress is None else suppress_report(value, suppress))

    def explain(self, goal: str, year: int, region: str | None = None) -> Explanation:
        """Who was counted for goal `goal` (an id, see `intd goals`) in `year` and why,
        and who was not (`intd explain`). Lists persons: never suppressed, never
        shared as it is."""
        from intdrammen.reports import explain, goal_named, resolve_scope

        _check_year("year", year)
        with self._reading() as ctx:
            asked = goal_named(ctx, goal)  # an unknown goal is told before the region
            scope = resolve_scope(ctx, region, goals=(asked,))
            return Explanation(explain(ctx, asked, year, scope))

    def explain_language(self, year: int, region: str | None = None) -> LanguageExplanation:
        """Who of the introduction cohort of `year` met the language-training
        requirement that applied to them, who did not and who cannot be judged, and why
        (`intd explain --language`). Lists persons: never suppressed."""
        from intdrammen.reports import explain_language, resolve_scope

        _check_year("year", year)
        with self._reading() as ctx:
            scope = resolve_scope(ctx, region, goals=())
            return LanguageExplanation(explain_language(ctx, year, scope))

    # ------------------------------------------------------------- stored rows

    def participants_frame(self) -> pd.DataFrame:
        """Every stored participant row, in the order of the files, with the batch,
        file, sheet and row it came from. Never the fødselsnummer nor its keyed hash."""
        return self._stored("participants")

    def placements_frame(self) -> pd.DataFrame:
        """Every stored placement row, in the order of the files, with the batch,
        file, sheet and row it came from."""
        return self._stored("placements")

    def imports_frame(self) -> pd.DataFrame:
        """The import history (`intd imports --format json`): one row per batch,
        `imported_at` and `undone_at` as UTC timestamps."""
        from intdrammen.render.data import IMPORTS_COLUMNS, imports_json

        with self._reading() as ctx:
            rows = imports_json(ctx.store.batches())
            columns = list(IMPORTS_COLUMNS)  # the columns of `intd imports --format csv`
            return _frame(columns, rows, IMPORTS_KINDS, provenance=_provenance(ctx.provenance()))

    def goals_frame(self) -> pd.DataFrame:
        """The goals in force (`intd goals --format json`): the shipped goals with the
        goals file given to `open` merged in; `attrs["goals_version"]` their version."""
        from datetime import date

        from intdrammen.render.setup import goals_json

        with self._reading() as ctx:
            data = goals_json(ctx.goals)
        rows: list[TypedRow] = [
            {
                k: date.fromisoformat(v) if GOALS_KINDS.get(k) == "date" and v else v
                for k, v in goal.items()
            }
            for goal in data["goals"]
        ]
        columns = list(rows[0]) if rows else ["id"]
        return _frame(columns, rows, GOALS_KINDS, goals_version=data["version"])

    def _stored(self, kind: str) -> pd.DataFrame:
        with self._reading() as ctx:
            columns, values = ctx.store.stored_rows(kind)
            rows = [dict(zip(columns, v, strict=True)) for v in values]
            from datetime import date

            for row in rows:  # dates are stored as ISO text
                for name, cell in row.items():
                    if STORED_KINDS.get(name) == "date" and isinstance(cell, str):
                        row[name] = date.fromisoformat(cell)
            return _frame(columns, rows, STORED_KINDS, provenance=_provenance(ctx.provenance()))


def _path(value: str | os.PathLike[str] | None) -> Path | PostgresTarget:
    """A database path, a `sqlite:///PATH` URL (sqlite:////abs/path for an absolute
    one, as SQLAlchemy writes it) or a `postgresql://` URL (issue 16); None: $INTD_DB,
    else ./intd.sqlite, as the CLI."""
    from intdrammen.config import db_target

    if isinstance(value, str) and "://" in value:
        if value.lower().startswith(("postgresql://", "postgres://")):
            return db_target(value)
        if not value.startswith(SQLITE_URL):
            scheme = value.split("://", 1)[0]
            raise UsageError(
                f"intd opens SQLite files and PostgreSQL databases, not {scheme}:// URLs: "
                f"pass a file path, {SQLITE_URL}PATH or postgresql://HOST/DBNAME."
            )
        value = value[len(SQLITE_URL) :]
    return db_target(None if value is None else os.fspath(value))


def open(
    path: str | os.PathLike[str] | None = None,
    *,
    goals: str | os.PathLike[str] | None = None,
    regions: str | os.PathLike[str] | None = None,
    requirements: str | os.PathLike[str] | None = None,
) -> Database:
    """Open an existing intd database for reading (never creates or changes one).

    `path`: the database file or a `sqlite:///PATH` URL; None: $INTD_DB, else
    ./intd.sqlite. `goals`, `regions`, `requirements`: your goals, regions or
    language-training rules file merged over the shipped one, as `--goals`/`--regions`/
    `--requirements`; None: $INTD_GOALS/$INTD_REGIONS/$INTD_REQUIREMENTS if set. A file
    intd cannot use raises `errors.ConfigError` (E-CONFIG).
    Raises `errors.NoData` when there is no database (or an empty one) at `path`.
    """
    from intdrammen.config import load_goals, load_requirements, user_file_option
    from intdrammen.municipalities import MunicipalityHistory, load_regions
    from intdrammen.reports import Context
    from intdrammen.store import open_store

    where = _path(path)
    goals_file = user_file_option(os.fspath(goals) if goals else None, "INTD_GOALS")
    regions_file = user_file_option(os.fspath(regions) if regions else None, "INTD_REGIONS")
    rules_file = user_file_option(
        os.fspath(requirements) if requirements else None, "INTD_REQUIREMENTS"
    )
    with _damage_is_an_error(where):
        store = open_store(where)
    try:
        context = Context(
            store,
            load_goals(goals_file),
            load_regions(regions_file),
            MunicipalityHistory.load(),
            load_requirements(rules_file),
        )
    except BaseException:
        store.close()
        raise
    return Database(where, context)
