"""Bytes on disk -> header + rows with spreadsheet row numbers.

This module owns everything below the column level: telling text from workbooks,
detecting the text encoding and delimiter, finding the header row under title rows,
picking the data sheets of a workbook, and numbering rows as the user sees them. It does
not know what the columns mean: the caller passes `score_header`, which counts recognised
column names, and parses the cell values itself.

Row numbers are 1-based and count every row, blank ones included. In a text file a record
whose quoted cell holds line breaks is numbered by the physical line where it starts. In a
workbook it is the sheet's own row number, wherever the table starts. A row is blank, and
skipped, when every cell is empty; a cell holding only spaces counts as content.

Text rows stream through `csv.reader`, so memory does not grow with the file. Workbooks
are read whole by python-calamine, imported only when a workbook is read: the CLI's
start-up time matters.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from intdrammen.errors import InputFileError, Problem
from intdrammen.importers.workbook_cells import SheetCells, find_cells, overlay, range_name

if TYPE_CHECKING:
    from python_calamine import CalamineSheet

CellValue = str | int | float | bool | date | datetime | time | None
ScoreHeader = Callable[[Sequence[str]], int]

CHUNK = 1 << 20
LINE_LIMIT = 1 << 20  # longest physical line, and longest csv field, in characters
BINARY_WINDOW = 8192
SAMPLE_RECORDS = 50  # records read to choose the delimiter (and find the header)
SAMPLE_CHARS = 8 * LINE_LIMIT
DELIMITERS = (";", ",", "\t", "|")  # on a tie the first wins: Norwegian Excel writes ';'
TEXT_EXTENSIONS = {".csv", ".txt", ".tsv"}
WORKBOOK_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods"}
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (xlsx, ods), OLE (xls)
# Bytes no Windows-1252 text holds: controls other than \t \n \f \r, DEL, and the five
# bytes cp1252 leaves undefined (only Latin-1 mojibake would "decode" them).
NOT_CP1252 = bytes([*range(9), 11, *range(14, 32), 0x7F, 0x81, 0x8D, 0x8F, 0x90, 0x9D])
ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


@dataclass
class Table:
    file: str
    path: Path
    sheet: str | None
    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[CellValue]]]
    encoding: str | None
    delimiter: str | None


@dataclass(frozen=True)
class FileInfo:
    sha256: str
    size: int
    encoding: str | None


# A letter like æ ø å é ü written in UTF-8 (2 bytes) or a UTF-8 dash or quote (3 bytes).
# In text that really is Windows-1252 these pairs would be "Ã" or "Â" followed by a
# symbol, or "â€" and a symbol, which Norwegian text does not contain.
UTF8_LETTER = re.compile(rb"[\xc2\xc3][\x80-\xbf]|\xe2\x80[\x90-\xbf]")


class _LineTooLong(Exception):
    pass


def _file_error(name: str, exc: OSError) -> InputFileError:
    return InputFileError("E-FILE", name, f"cannot read the file: {exc.strerror or exc}")


def file_info(path: Path, *, encoding: str | None = None) -> FileInfo:
    """Hash the file and, for a text file, detect its encoding, in one streaming pass.

    A forced `encoding` is only checked to exist here; reading the rows applies it.
    """
    name = path.name
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as f:
            chunk = f.read(CHUNK)
            if not chunk:
                raise InputFileError("E-EMPTY", name, "the file is empty (0 bytes)")
            forced = _codec_name(name, encoding) if encoding else None
            sniffer = _Sniffer(name, chunk, forced) if _is_text(path, chunk) else None
            while chunk:
                digest.update(chunk)
                size += len(chunk)
                if sniffer:
                    sniffer.feed(chunk)
                chunk = f.read(CHUNK)
    except OSError as exc:
        raise _file_error(name, exc) from exc
    return FileInfo(digest.hexdigest(), size, sniffer.result() if sniffer else None)


class _Sniffer:
    """Encoding detection fed one chunk at a time."""

    def __init__(self, name: str, head: bytes, forced: str | None) -> None:
        self.name, self.forced = name, forced
        self.bom = ""
        if head.startswith(codecs.BOM_UTF8):
            self.bom = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.bom = "utf-16"
        if head.startswith(WORKBOOK_MAGIC) and not forced:
            message = "this is a workbook (Excel or ODS), not text: rename it to .xlsx or .ods"
            raise InputFileError("E-FORMAT", name, message)
        wide = (forced or self.bom).startswith(("utf-16", "utf-32"))
        if not wide and b"\x00" in head[:BINARY_WINDOW]:
            raise InputFileError("E-BINARY", name, "the file holds binary data (NUL bytes)")
        self.decoder = codecs.getincrementaldecoder(self.bom or "utf-8")("strict")
        self.decodes = not forced
        self.cp1252 = not forced and not self.bom
        self.utf8_letters = False  # UTF-8 encoded letters seen (æ ø å é … as 2-3 bytes)
        self.tail = b""

    def feed(self, chunk: bytes) -> None:
        if self.decodes:
            try:
                self.decoder.decode(chunk)  # incremental: a character may span two chunks
            except UnicodeDecodeError:
                self.decodes = False
        if self.cp1252 and len(chunk.translate(None, NOT_CP1252)) != len(chunk):
            self.cp1252 = False
        if self.cp1252 and not self.utf8_letters:
            self.utf8_letters = UTF8_LETTER.search(self.tail + chunk) is not None
            self.tail = chunk[-2:]

    def result(self) -> str:
        if self.forced:
            return self.forced
        if self.decodes:
            try:
                self.decoder.decode(b"", final=True)
                return self.bom or "utf-8"
            except UnicodeDecodeError:
                pass
        if self.bom:
            label = self.bom.upper().removesuffix("-SIG")
            message = f"the file starts with a byte order mark but is not {label} text"
        elif self.cp1252 and self.utf8_letters:
            # Valid cp1252 byte by byte, but with UTF-8 letters in it (ø as "Ã¸"): lines
            # pasted together from two encodings. Either reading would garble some.
            message = (
                "part of the file is UTF-8 and part Windows-1252 (ø would read as 'Ã¸'); "
                "save it again as UTF-8, or pass --encoding if you are sure"
            )
        elif self.cp1252:
            return "cp1252"
        else:
            message = "not UTF-8 or Windows-1252 text; pass --encoding if you know it"
        raise InputFileError("E-ENCODING", self.name, message)


def _codec_name(name: str, encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputFileError("E-ENCODING", name, f"unknown encoding {encoding!r}") from None


def _is_text(path: Path, head: bytes) -> bool:
    suffix = path.suffix.lower()
    if suffix in TEXT_EXTENSIONS or suffix in WORKBOOK_EXTENSIONS:
        return suffix in TEXT_EXTENSIONS
    return not head.startswith(WORKBOOK_MAGIC)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(BINARY_WINDOW)
    except OSError as exc:
        raise _file_error(path.name, exc) from exc


def read_tables(
    path: Path,
    *,
    score_header: ScoreHeader,
    sheet: str | None = None,
    encoding: str | None = None,
    info: FileInfo | None = None,
    scan_rows: int = 20,
    notes: list[Problem] | None = None,
) -> list[Table]:
    """The tables in a file: one for a text file (`sheet` does not apply), one per data
    sheet of a workbook. Rows are read lazily; iterate each table's `rows` once. Sheets
    passed over, and hidden rows read, are added to `notes` as W- problems."""
    if info is None:
        info = file_info(path, encoding=encoding)
    if info.encoding is None and not _is_text(path, _head(path)):
        return _read_workbook(path, score_header, sheet, scan_rows, notes)
    if encoding:
        used = _codec_name(path.name, encoding)
    else:
        used = info.encoding or file_info(path).encoding or "utf-8"
    return [_read_text(path, used, score_header, scan_rows)]


def normalize_header(cell: str) -> str:
    """Header text as compared: BOM dropped, each whitespace run (NBSP too) one space."""
    return " ".join(cell.replace("\ufeff", "").split())


def _find_header(
    rows: Iterable[tuple[int, Sequence[Any]]], score: ScoreHeader, limit: int
) -> tuple[int, list[str], int, list[str] | None]:
    """(row number, header, score, first row) of the first best row scoring at least 2;
    row number 0 if none does. Blank rows must already be left out."""
    best: tuple[int, list[str], int] = (0, [], 1)
    first: list[str] | None = None
    for number, cells in islice(rows, limit):
        text = [normalize_header(c if isinstance(c, str) else _text(c)) for c in cells]
        if first is None:
            first = text
        points = score(text)
        if points > best[2]:
            while text and not text[-1]:
                text.pop()
            best = (number, text, points)
    return (*best, first)


def _no_header(name: str, first: list[str] | None, limit: int, sheet: str | None = None) -> None:
    where = "sheet" if sheet else "file"
    if first is None:
        raise InputFileError("E-EMPTY", name, f"the {where} has no rows with content", sheet=sheet)
    shown = ", ".join(repr(c) for c in first[:8] if c) + (", ..." if len(first) > 8 else "")
    message = (
        f"no header row with known column names in the first {limit} rows (first row: {shown})"
    )
    raise InputFileError("E-NO-HEADER", name, message, sheet=sheet)


# --- text ---------------------------------------------------------------------------------


def _open(path: Path, encoding: str, errors: str = "strict") -> TextIO:
    try:
        return path.open(encoding=encoding, errors=errors, newline="")
    except OSError as exc:
        raise _file_error(path.name, exc) from exc


def _lines(f: TextIO) -> Iterator[str]:
    # readline with a limit stops a runaway line before it fills memory.
    for line in iter(partial(f.readline, LINE_LIMIT + 1), ""):
        if len(line) > LINE_LIMIT:
            raise _LineTooLong
        yield line


def _bad_line(path: Path, encoding: str) -> int | None:
    """The physical line holding the first byte that does not decode. The text layer
    decodes ahead in blocks, so where the error surfaced is not where the byte is."""
    number = 1
    try:
        with _open(path, encoding, errors="surrogateescape") as f:
            for piece in iter(partial(f.readline, LINE_LIMIT), ""):
                if ESCAPED_BYTE.search(piece):
                    return number
                number += piece.endswith(("\n", "\r"))
    except UnicodeDecodeError:  # surrogateescape cannot stand in for every bad sequence
        pass
    return None


@contextmanager
def _text_errors(path: Path, encoding: str, row: Callable[[], int]) -> Iterator[None]:
    """Turn decoding, line-length and csv errors into InputFileError naming the row."""
    name = path.name
    try:
        yield
    except UnicodeDecodeError as exc:
        message = f"row {_bad_line(path, encoding) or row()}: bytes that are not {encoding} text"
        raise InputFileError("E-ENCODING", name, message) from exc
    except (_LineTooLong, csv.Error) as exc:
        if isinstance(exc, csv.Error) and "field limit" not in str(exc):
            raise InputFileError("E-FORMAT", name, f"row {row()}: {exc}") from exc
        message = f"row {row()}: a line or cell is longer than {LINE_LIMIT:,} characters"
        raise InputFileError("E-LINE-TOO-LONG", name, message) from exc


def _records(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(physical line where it starts, cells) of each non-blank record."""
    reader = csv.reader(lines, delimiter=delimiter)
    last = 0
    for rec in reader:
        start, last = last + 1, reader.line_num
        if any(rec):
            yield start, rec


def _read_text(path: Path, encoding: str, score: ScoreHeader, scan_rows: int) -> Table:
    csv.field_size_limit(LINE_LIMIT)
    # The sample runs to enough lines with content, however many blank lines come first.
    sample: list[str] = []
    wanted, size = max(SAMPLE_RECORDS, 2 * scan_rows), 0
    with _text_errors(path, encoding, lambda: len(sample) + 1), _open(path, encoding) as f:
        for line in _lines(f):
            sample.append(line)
            size += len(line)
            wanted -= bool(line.strip(' ;,\t|"\r\n'))
            if wanted <= 0 or size > SAMPLE_CHARS:
                break
        complete = not f.read(1)

    # Each candidate parses the sample (quotes respected). The header score decides first,
    # so title rows with fewer fields cannot mislead; then the most rows agreeing on a
    # field count above one; then the larger count.
    ranked = []
    for delimiter in DELIMITERS:
        try:
            recs = list(islice(_records(sample, delimiter), max(SAMPLE_RECORDS, scan_rows)))
        except csv.Error:
            continue
        if not complete and len(recs) < SAMPLE_RECORDS:
            recs = recs[:-1]  # the sample may end inside a quoted line break
        counts = Counter(len(r) for _, r in recs if len(r) > 1)
        width, agreeing = counts.most_common(1)[0] if counts else (1, 0)
        found = _find_header(recs, score, scan_rows)
        ranked.append(((found[2] if found[0] else 0, agreeing, width), delimiter, found))
    if not ranked:
        message = (
            f"a cell in the first {len(sample)} lines is longer than {LINE_LIMIT:,} characters"
        )
        raise InputFileError("E-LINE-TOO-LONG", path.name, message)
    if not any(key[1] for key, _, _ in ranked):
        ranked = [r for r in ranked if r[1] == ","] or ranked  # one column: nothing split
    _, delimiter, (header_row, header, _, first) = max(ranked, key=lambda r: r[0])
    if not header_row:
        _no_header(path.name, first, scan_rows)
    rows = _text_rows(path, encoding, delimiter, header_row, len(header))
    return Table(path.name, path, None, header, header_row, rows, encoding, delimiter)


def _text_rows(
    path: Path, encoding: str, delimiter: str, header_row: int, width: int
) -> Iterator[tuple[int, list[CellValue]]]:
    last = 0
    with _text_errors(path, encoding, lambda: last + 1), _open(path, encoding) as f:
        reader = csv.reader(_lines(f), delimiter=delimiter)
        for _ in reader:
            if reader.line_num >= header_row:  # the header record, however many lines
                break
        last = reader.line_num
        # The hot path of a big import: one C-level any() per row; lists are reused.
        for rec in cast("Iterator[list[CellValue]]", reader):
            start, last = last + 1, reader.line_num
            if not any(rec):
                continue
            if len(rec) != width:
                if len(rec) < width:
                    rec.extend([""] * (width - len(rec)))
                elif not any(rec[width:]):
                    del rec[width:]  # empty trailing fields
                    if not any(rec):
                        continue
                # else: more values than the header has columns; parse_rows reports it
            yield start, rec


# --- workbooks ----------------------------------------------------------------------------


def _read_workbook(
    path: Path,
    score: ScoreHeader,
    sheet: str | None,
    scan_rows: int,
    notes: list[Problem] | None = None,
) -> list[Table]:
    """The data sheets of a workbook. A hidden, very hidden, chart or empty sheet, and a
    sheet with no header row, is passed over with a note in `notes` (a W- problem) unless
    it is the one named with `sheet`; cells calamine reads as empty but a person sees
    otherwise (error values, formulas without a value, merged ranges) are read as
    `workbook_cells` finds them."""
    name = path.name
    head = _head(path)
    if not head.startswith(WORKBOOK_MAGIC):
        looks = "binary data" if b"\x00" in head else "text (a CSV export? rename it to .csv)"
        raise InputFileError("E-FORMAT", name, f"this is not an Excel or ODS workbook but {looks}")
    from python_calamine import (
        CalamineError,
        CalamineWorkbook,
        PasswordError,
        SheetTypeEnum,
        SheetVisibleEnum,
    )

    passed: list[Problem] = []

    def pass_over(code: str, sheet_name: str, why: str) -> None:
        passed.append(Problem(code, f"sheet passed over: {why}", name, sheet=sheet_name))

    try:
        with CalamineWorkbook.from_path(str(path)) as book:
            names = list(book.sheet_names)
            if sheet is not None:
                names = [n for n in names if n.casefold() == sheet.strip().casefold()]
                if not names:
                    listed = ", ".join(repr(n) for n in book.sheet_names)
                    message = f"no sheet named {sheet!r}; the sheets are: {listed}"
                    raise InputFileError("E-SHEET", name, message)
            else:
                meta = {m.name: m for m in book.sheets_metadata}
                hidden = []
                for n in list(names):
                    m = meta.get(n)
                    if m is not None and m.visible != SheetVisibleEnum.Visible:
                        very = m.visible == SheetVisibleEnum.VeryHidden
                        why = "it is very hidden" if very else "it is hidden"
                        pass_over("W-SHEET-HIDDEN", n, f"{why} (name it with --sheet to import it)")
                        hidden.append(n)
                        names.remove(n)
                    elif m is not None and m.typ != SheetTypeEnum.WorkSheet:
                        chart = m.typ == SheetTypeEnum.ChartSheet
                        what = "a chart sheet" if chart else "not a worksheet"
                        pass_over("W-SHEET-SKIPPED", n, f"it is {what}")
                        names.remove(n)
                if not names and hidden:
                    listed = ", ".join(repr(n) for n in hidden)
                    message = (
                        f"every sheet is hidden ({listed}); name the one to import with --sheet"
                    )
                    raise InputFileError("E-SHEET", name, message)
            sheets = [book.get_sheet_by_name(n) for n in names]
    except PasswordError as exc:
        message = "the workbook is password-protected; save a copy without a password"
        raise InputFileError("E-FORMAT", name, message) from exc
    except CalamineError as exc:
        raise InputFileError("E-FORMAT", name, f"cannot read the workbook: {exc}") from exc
    except OSError as exc:
        raise _file_error(name, exc) from exc

    found = find_cells(path) if head.startswith(WORKBOOK_MAGIC[0]) else {}
    tables = []
    for data in sheets:
        base = _row_base(data)
        if base is None:
            if sheet is None:
                pass_over("W-SHEET-SKIPPED", data.name, "it is empty")
            continue  # an empty sheet, or a chart sheet
        cells = found.get(data.name) or SheetCells()
        if not cells.merged and path.suffix.lower() == ".xls":
            ranges = data.merged_cell_ranges or []
            cells.merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges]
        left = data.start[1] if data.start else 0

        def rows(
            data: CalamineSheet = data,
            base: int = base,
            cells: SheetCells = cells,
            left: int = left,
        ) -> Iterator[list[Any]]:
            return overlay(data.iter_rows(), base, left, cells)

        # The header is looked for without filling merged ranges: a merge that reaches
        # into the header row from above or below is refused below, not read as a name.
        unmerged = SheetCells(values=cells.values)
        numbered = enumerate(rows(cells=unmerged), base + 1)
        filled = ((n, r) for n, r in numbered if r.count("") != len(r))
        header_row, header, _, first = _find_header(filled, score, scan_rows)
        if header_row:
            shadow = _check_merges(name, data.name, cells, header_row, left, len(header))
            last = data.end[0] + 1 if data.end else 0
            after = [n for n in cells.hidden_rows if header_row < n <= last]
            if after:
                message = (
                    f"{len(after)} hidden rows ({_row_list(after)}) are data a person may not "
                    "see: they were read like the others"
                )
                passed.append(Problem("W-ROW-HIDDEN", message, name, sheet=data.name))
            shut = [header[c - left] for c in cells.hidden_columns if 0 <= c - left < len(header)]
            if any(shut):
                listed = ", ".join(repr(c) for c in shut if c)
                message = (
                    f"hidden columns {listed} hold data a person may not see: "
                    "they were read like the others"
                )
                passed.append(Problem("W-COLUMN-HIDDEN", message, name, sheet=data.name))
            table_rows = _sheet_rows(rows(), base, header_row, len(header))
            if shadow:
                table_rows = _no_data_under(table_rows, shadow, name, data.name)
            tables.append(Table(name, path, data.name, header, header_row, table_rows, None, None))
        elif sheet is not None:
            _no_header(name, first, scan_rows, sheet=data.name)
        else:
            why = (
                "it has no rows with content"
                if first is None
                else f"no header row with known column names in its first {scan_rows} rows"
            )
            pass_over("W-SHEET-SKIPPED", data.name, why)
    if not tables:
        looked = ", ".join(repr(n) for n in names)
        message = (
            f"no sheet has a header row with known column names in the first {scan_rows} "
            f"rows (sheets looked at: {looked})"
        )
        hidden = [str(p.sheet) for p in passed if p.code == "W-SHEET-HIDDEN"]
        if hidden:
            listed = ", ".join(repr(n) for n in hidden)
            message += f"; hidden sheets not looked at: {listed} (name one with --sheet)"
        raise InputFileError("E-NO-HEADER", name, message)
    if notes is not None:
        notes.extend(passed)
    return tables


def _row_list(numbers: list[int]) -> str:
    """'5, 7-9, 12' for at most ten runs of rows."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    shown = [f"{a}-{b}" if b > a else str(a) for a, b in runs[:10]]
    return "rows " + ", ".join(shown) + (", ..." if len(runs) > 10 else "")


def _check_merges(
    file: str, sheet: str, cells: SheetCells, header_row: int, left: int, width: int
) -> dict[int, str]:
    """A merged range that joins the header row (of `width` columns from sheet column
    `left`) to a row above or below it cannot be read as a person reads it (is it a column
    name or a value?): refused, naming it. A column name merged over several columns is
    returned as {table column: range} for each column it covers but the first: data
    under it would have two columns under one name."""
    h, right = header_row - 1, left + width
    shadow: dict[int, str] = {}
    for r0, c0, r1, c1 in cells.merged:
        if r0 != r1 and r0 <= h <= r1 and c0 < right:
            message = (
                f"cells {range_name(r0, c0, r1, c1)} are merged across the header row "
                f"(row {header_row}) and other rows; unmerge them so the header row holds "
                "only column names"
            )
            raise InputFileError("E-MERGED", file, message, sheet=sheet)
        if r0 == r1 == h and c1 > c0 and c0 < right:
            for c in range(max(c0 + 1, left), min(c1 + 1, right)):
                shadow[c - left] = range_name(r0, c0, r1, c1)
    return shadow


def _no_data_under(
    rows: Iterator[tuple[int, list[CellValue]]], shadow: dict[int, str], file: str, sheet: str
) -> Iterator[tuple[int, list[CellValue]]]:
    """The rows, refused at the first with a value in a column whose name is merged into
    the column to its left (a person reads both columns under that one name)."""
    for number, cells in rows:
        for column, where in shadow.items():
            if column < len(cells) and cells[column] is not None:
                message = (
                    f"the column name in {where} is merged over several columns, and row "
                    f"{number} has a value in a column it covers, which has no name of its "
                    "own; give each column its own name"
                )
                raise InputFileError("E-MERGED", file, message, sheet=sheet)
        yield number, cells


def _row_base(data: CalamineSheet) -> int | None:
    """Row number minus one of the first row iter_rows() yields; None for an empty sheet.

    python-calamine's iter_rows() yields a blank row for each empty row above the used
    range, so position = row number; it does drop the empty columns to the left. Should a
    later version stop padding, its first row is the range's first row, which has content.
    """
    start = data.start
    if start is None:
        return None
    first = next(iter(data.iter_rows()), None)
    if start[0] and first is not None and first.count("") != len(first):
        return start[0]
    return 0


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.isoformat() if isinstance(value, date | time) else str(value)


def _sheet_rows(
    source: Iterable[list[Any]], base: int, header_row: int, width: int
) -> Iterator[tuple[int, list[CellValue]]]:
    after_header = islice(source, header_row - base, None)
    for number, row in enumerate(after_header, header_row + 1):
        if row.count("") == len(row):
            continue
        # Empty cells come back as '', durations as timedelta (no use to us: shown as text).
        cells: list[CellValue] = [
            None if v == "" else (str(v) if isinstance(v, timedelta) else v) for v in row[:width]
        ]
        if len(cells) < width:
            cells.extend([None] * (width - len(cells)))
        elif cells.count(None) == width:
            continue  # content only to the right of the header
        yield number, cells
