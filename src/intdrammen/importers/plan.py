"""The plan of an import: which files, sheets, kinds and columns will be read, decided
for every file before anything is written.

`_plan` opens each file (tables.py), takes its kind from --kind or detects it from the
header, matches the header to fields (columns.py, --map), refuses a table that lacks a
required column or whose id column holds people's names, passes over a workbook's sheet
that is no table of either kind, and warns for every column not read. Each `_Planned`
table keeps its rows unread for the pipeline. Planning never touches the database, so
any store backend runs the same plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from intdrammen.errors import InputFileError, Problem
from intdrammen.ids import looks_like_name
from intdrammen.importers.columns import (
    FIELD_NAMES,
    FIELDS,
    IGNORE,
    KINDS,
    MAPPED,
    NAME_COLUMNS,
    PARTICIPANTS,
    PLACEMENTS,
    ValueProblem,
    column_key,
    column_match,
    detect_kind,
    field_of,
    free_text,
    kind_evidence,
    mapping_index,
    match_columns,
    score_header,
)
from intdrammen.importers.options import ImportOptions
from intdrammen.importers.rows import ProblemLog, not_data
from intdrammen.importers.tables import Table, _text_rows, check_header_text, file_info, read_tables


@dataclass
class _Planned:
    table: Table
    kind: str
    columns: dict[int, str]
    sha256: str
    size: int  # bytes of the file it comes from
    lines: tuple[int, bool] | None = None  # a text file's lines (tables.FileInfo.lines)


def _plan(paths: Iterable[Path], options: ImportOptions, log: ProblemLog) -> list[_Planned]:
    """Open every file and decide each table's kind and columns before writing anything."""
    planned: list[_Planned] = []
    headers: set[str] = set()
    for path in paths:
        info = file_info(path, encoding=options.encoding)
        notes: list[Problem] = []  # sheets passed over, hidden rows read
        tables = read_tables(
            path,
            score_header=_scorer(options.mapping),
            sheet=options.sheet,
            encoding=options.encoding,
            info=info,
            notes=notes,
        )
        for note in notes:
            log.add(note)
        passed_over: list[InputFileError] = []
        for table in tables:
            headers.update(column_key(h) for h in table.header if h)
            try:
                kind = _kind(table, options)
                _check_mapped_once(table, kind, options.mapping)
                columns = match_columns(table.header, kind, options.mapping)
                forced = bool(options.kind)
                _check_columns(table, kind, columns, log, options.mapping, forced=forced)
            except InputFileError as error:
                # A sheet of a workbook that is not a table of either kind (a summary, a
                # pivot: "Kommune, Antall") beside one that is: passed over, and named.
                if table.sheet is None or options.sheet is not None or len(tables) < 2:
                    raise
                if error.code not in ("E-KIND", "E-COLUMN") or any(
                    "participant_id" in match_columns(table.header, k, options.mapping).values()
                    for k in KINDS
                ):
                    raise  # a sheet of people's rows (it has their ids) is data: refused
                passed_over.append(error)
                message = f"not a table of participants or placements: {error.problem.message}"
                log.add(Problem("W-SHEET-SKIPPED", message, table.file, sheet=table.sheet))
                continue
            id_notes = _check_identifiers(table, kind, columns, options.mapping)
            _report_columns(table, kind, columns, log, options.mapping, id_notes)
            planned.append(_Planned(table, kind, columns, info.sha256, info.size, info.lines))
        if passed_over and len(passed_over) == len(tables):
            raise passed_over[0]  # no sheet of the workbook is a table: say why the first is not
    for theirs in options.mapping:
        if column_key(theirs) not in headers:
            message = f"no file has a column {theirs!r}, which --map names"
            log.add(Problem("W-MAP-UNUSED", message, "--map"))
    return planned


OTHER_KIND = {PARTICIPANTS: PLACEMENTS, PLACEMENTS: PARTICIPANTS}


def _kind(table: Table, options: ImportOptions) -> str:
    """The kind of a table: --kind, unless the header is clearly the other kind's (all its
    required columns, and more of its own columns), else detected from the header."""
    if options.kind:
        kind, other = options.kind, OTHER_KIND[options.kind]
        evidence = kind_evidence(table.header, options.mapping)
        (mine, _complete, _own), (theirs, complete, own) = evidence[kind], evidence[other]
        if complete and theirs > mine:
            raise InputFileError(
                "E-KIND",
                table.file,
                f"--kind {kind} was given, but this is a {other} file: the header has "
                f"{', '.join(own)} (columns of {other} files only) and {mine or 'none'} of "
                f"the columns only {kind} files have",
                sheet=table.sheet,
            )
        return kind
    detected = detect_kind(table.header, options.mapping)
    if detected is None:
        raise InputFileError(
            "E-KIND",
            table.file,
            "cannot tell from the header whether this is a participants or a "
            f"placements file (columns: {', '.join(repr(h) for h in table.header)})",
            sheet=table.sheet,
        )
    return detected


def _scorer(mapping: dict[str, str]) -> Callable[[Sequence[str]], int]:
    if not mapping:
        return score_header
    return lambda cells: score_header(cells, mapping)


def _check_mapped_once(table: Table, kind: str, mapping: dict[str, str]) -> None:
    """Two columns of one table that --map reads as one field: which is meant is a guess."""
    own = mapping_index(mapping)
    seen: dict[str, str] = {}
    for name in table.header:
        field_name = own.get(column_key(name)) if name else None
        if field_name is None or field_name == IGNORE or field_name not in FIELD_NAMES[kind]:
            continue
        if field_name in seen:
            raise InputFileError(
                "E-MAP",
                table.file,
                f"--map reads both {seen[field_name]!r} and {name!r} as {field_name}: map "
                'only one of them (the other to "ignore")',
                sheet=table.sheet,
            )
        seen[field_name] = name


ID_FIELDS = ("participant_id", "placement_id")


NAME_SAMPLE = 50  # rows looked at to tell an id column from a column of names


def _check_identifiers(
    table: Table, kind: str, columns: dict[int, str], mapping: dict[str, str]
) -> dict[int, str]:
    """Refuse an id column that holds person's names (E-NAME-AS-ID), judged on the first
    rows: at least half of its values look like names. When another column is named
    for the same field too and holds no names, that one is read instead (a person would
    read it as the id). Returns why columns were passed over, for their warnings."""
    ids = [(index, name) for index, name in columns.items() if name in ID_FIELDS]
    if not ids:
        return {}
    head = _first_rows(table, NAME_SAMPLE)
    # Only this table's rows: a second header (another table, E-HEADER-CHANGED when its
    # rows are read) ends what the id column is judged on.
    for position, (_row, cells) in enumerate(head):
        if score_header([c for c in cells if isinstance(c, str)]) >= 2:
            head = head[:position]
            break
    # ... and only its data: a total or note row ("Totalt", "Utskrevet av ...") is passed
    # over when the rows are read, so it says nothing about the id column either.
    hidden = {i for i, name in columns.items() if name == "national_id"}
    id_columns = [i for i, _name in ids]
    head = [
        (row, cells)
        for row, cells in head
        if not_data(cells, table.header, id_columns, hidden, None, columns, kind) is None
    ]
    own = mapping_index(mapping)
    notes: dict[int, str] = {}
    header = table.header
    for index, field_name in ids:
        names, values = _names_in(head, index)
        capitals = field_name == "participant_id" and _first_names_in_capitals(head, index)
        if not capitals and (not values or names * 2 < values):
            continue
        mapped = column_key(header[index]) in own
        others = []
        for other, name in enumerate(header):
            found = None if other in columns else column_match(name, kind, mapping)
            if found and found[0] == field_name:
                other_names, other_values = _names_in(head, other)
                if other_values and other_names * 2 < other_values:
                    others.append((found[1], other))
        if others and not mapped:
            chosen = min(others)[1]
            del columns[index]
            columns[chosen] = field_name
            notes[index] = (
                f"holds what look like person's names, not ids: not read; "
                f"{header[chosen]!r} is read as {field_name}"
            )
            continue
        raise InputFileError(
            "E-NAME-AS-ID",
            table.file,
            f"column {header[index]!r}, read as {field_name}"
            f"{' (as --map says)' if mapped else ''}, holds what look like person's names "
            f"({'nearly all single words in capitals' if capitals else names} of its first "
            f"{values} values), not ids: a column of names is not "
            "imported",
            sheet=table.sheet,
        )
    return notes


def _first_rows(table: Table, n: int) -> list[tuple[int, list[Any]]]:
    """The first `n` data rows of a table, which still reads from its start."""
    if table.delimiter is None or table.encoding is None:
        # A sheet's rows are in memory: read ahead and put them back.
        head = list(islice(table.rows, n))
        table.rows = chain(head, table.rows)
        return head
    # A text table's rows hold an open file once started, and the import reads the file
    # itself (pyarrow, or its rows from the start): read the first rows through a file
    # of our own (closed as soon as the generator is dropped, here).
    rows = _text_rows(
        table.path, table.encoding, table.delimiter, table.header_row, len(table.header)
    )
    return list(islice(rows, n))


def _names_in(rows: Sequence[tuple[int, Sequence[object]]], index: int) -> tuple[int, int]:
    """(values that look like a person's name, values) in column `index` of `rows`."""
    names = values = 0
    for _row, cells in rows:
        try:  # as the id parser sees the cell (a fødselsnummer is refused there anyway)
            value = free_text(cells[index]) if index < len(cells) else None
        except ValueProblem:
            continue
        if value is not None:
            values += 1
            names += looks_like_name(value)
    return names, values


_CAPITAL_WORD = re.compile(r"[^\W\d_]{3,}(?:[-'][^\W\d_]{2,})?")


def _first_names_in_capitals(rows: Sequence[tuple[int, Sequence[object]]], index: int) -> bool:
    """A participant id column whose values are nearly all single words of letters and
    no digit (AMINA, OMAR, HODAN): first names written in capitals. One such value may be
    a code, so only the column as a whole tells: at least 3 values, 4 in 5 of them."""
    words = values = 0
    for _row, cells in rows:
        value = cells[index] if index < len(cells) else None
        if isinstance(value, str) and value.strip():
            values += 1
            words += _CAPITAL_WORD.fullmatch(value.strip()) is not None
    return values >= 3 and words * 5 >= values * 4


def _check_columns(
    table: Table,
    kind: str,
    columns: dict[int, str],
    log: ProblemLog,
    mapping: dict[str, str] | None = None,
    *,
    forced: bool = False,
) -> None:
    """Refuse a table without a column for each required field (E-COLUMN), or whose
    unknown header cells read as garbled text (E-ENCODING)."""
    check_header_text(table, columns)  # a garbled header is an encoding error, not unknown
    found = set(columns.values())
    missing = [f.name for f in FIELDS[kind] if f.required and f.name not in found]
    if missing:
        given = f" (--kind {kind} was given)" if forced else ""
        raise InputFileError(
            "E-COLUMN",
            table.file,
            f"the {kind} file{given} has no column for {', '.join(missing)} (header row "
            f"{table.header_row}: {', '.join(repr(h) for h in table.header if h)})",
            sheet=table.sheet,
        )


# The columns intd writes before a row's own cells in FILE.rejected.csv
# (rejected._write_rejected).
REJECTED_COLUMNS = {
    "row": "the row number intd wrote in a rejected-rows file: not read",
    "problems": "the problems intd wrote in a rejected-rows file: not read",
}


def _report_columns(
    table: Table,
    kind: str,
    columns: dict[int, str],
    log: ProblemLog,
    mapping: dict[str, str] | None,
    notes: dict[int, str],
) -> None:
    """A warning (W-COLUMN) for every named column that is not read, saying why; none for
    a column --map says to ignore."""
    own = mapping_index(mapping)
    read = {name: index for index, name in columns.items()}
    other = OTHER_KIND[kind]
    rejected_file = [column_key(h) for h in table.header[:2]] == list(REJECTED_COLUMNS)
    for index, name in enumerate(table.header):
        if not name or index in columns:
            continue
        mapped = own.get(column_key(name))
        if mapped == IGNORE:
            continue
        found = column_match(name, kind, mapping)
        if index in notes:
            message = notes[index]
        elif rejected_file and index < 2:
            message = REJECTED_COLUMNS[column_key(name)]
        elif found is not None and found[0] in read:
            chosen = read[found[0]]
            rank = column_match(table.header[chosen], kind, mapping)
            why = (
                "as --map says"
                if rank and rank[1] == MAPPED
                else "a closer name"
                if rank and rank[1] < found[1]
                else "the first"
            )
            message = (
                f"a second column for {found[0]}: only {table.header[chosen]!r} is read "
                f"({why}), not this one"
            )
        elif mapped is not None:
            message = f"--map reads it as {mapped}, a field of {other} files: not read here"
        elif column_key(name) in NAME_COLUMNS:
            message = "people's names: not read (intd keeps no names)"
        elif (theirs := field_of(name, other)) is not None:
            message = f"a column of {other} files ({theirs}): not read in a {kind} file"
        elif (near := _near_field(name, kind, set(read))) is not None:
            message = (
                f"not read, though it looks like {near} (a known name with more words): "
                f'read it with --map "{name}={near}"'
            )
        else:
            message = "column not used by intd (ignored)"
        log.add(Problem("W-COLUMN", message, table.file, table.header_row, name, None, table.sheet))


def _near_field(name: str, kind: str, read: set[str]) -> str | None:
    """The field a header not read seems to be about: it starts with a known column name
    and goes on ("Resultat ved avslutning", "Status ved avslutning av program"). Only a
    hint in the warning: such a header is never read as the field unmapped."""
    words = name.replace("/", " ").split()
    for end in range(len(words) - 1, 0, -1):
        field_name = field_of(" ".join(words[:end]), kind)
        if field_name is not None and field_name not in read:
            return field_name
    return None
