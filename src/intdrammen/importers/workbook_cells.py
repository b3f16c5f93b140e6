"""What python-calamine does not say about a workbook's cells, read from the file itself.

calamine reads a spreadsheet error (`#N/A`, `#DIV/0!`, LibreOffice's `Err:502`) and a
formula with no stored result as an empty cell (an ODS error cell even as 0), gives no
merged ranges for ODS and no hidden rows at all. A person sees all of these. This module
finds them in the sheet XML (xlsx, transitional or Strict), content.xml (ods) or, for a
BIFF .xls (where calamine reads an error cell as empty), with xlrd, so the workbook reader
can hand the parsers what a person sees:

- an error cell becomes its literal text ("#N/A"), which `columns.text()` refuses (E-CELL);
- a formula without a stored value becomes an `Uncalculated` marker (E-FORMULA);
- a TRUE/FALSE (also LibreOffice's =FALSE() saved in an ods as the number 0) becomes a
  bool, which `columns.text()` refuses (E-CELL);
- merged ranges and hidden rows are listed, in 0-based sheet coordinates (rows 1-based
  for hidden rows, as a person counts them);
- a workbook counting dates from 1904 has its numbers handed on as `Serial1904`.

Each file is first searched for a few bytes (a C-level `in`); it is parsed in detail only
when those are there, so a large plain workbook costs one pass of byte searches per sheet.
Only standard-library modules (and xlrd for .xls) are used, imported when a workbook is
read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

# Spreadsheet error values as Excel (English, and as a Norwegian or German Excel shows them
# in a CSV export) and LibreOffice write them. Compared in upper case.
ERROR_LITERALS = frozenset(
    {
        "#N/A",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#EXTERNAL!",
        "#PYTHON!",
        "#I/T",  # Norwegian Excel: #N/A
        "#VERDI!",  # Norwegian Excel: #VALUE!
        "#NAVN?",  # Norwegian Excel: #NAME?
        "#NV",  # German Excel / LibreOffice: #N/A
        "#WERT!",
        "#BEZUG!",
        "#ZAHL!",
        "#NAME!",
    }
)
_LIBRE_ERROR = re.compile(r"Err:\d{3}", re.IGNORECASE)


def is_error_literal(text: str) -> bool:
    """Whether stripped cell text is exactly a spreadsheet error value."""
    return text.upper() in ERROR_LITERALS or _LIBRE_ERROR.fullmatch(text) is not None


# A formula is shown in a problem only when it can hold no personal data: no text in
# quotes, no long digit run (a fødselsnummer), and short.
_UNSAFE_FORMULA = re.compile(r"[\"']|\d{6}")


class Uncalculated:
    """A formula cell whose file holds no calculated value (written by a program that does
    not calculate: openpyxl, a script). `columns.text()` refuses it with E-FORMULA."""

    __slots__ = ("formula",)

    def __init__(self, formula: str) -> None:
        self.formula = formula

    def __reduce__(self) -> tuple[type[Uncalculated], tuple[str]]:
        return (Uncalculated, (self.formula,))

    def __str__(self) -> str:
        formula = self.formula.strip().removeprefix("of:").lstrip("=")
        if len(formula) > 60 or _UNSAFE_FORMULA.search(formula):
            return "=…"
        return "=" + formula

    def __repr__(self) -> str:
        return f"Uncalculated({str(self)!r})"


class Serial1904(float):
    """A number in a workbook that counts date serials from 1904-01-01 (old Mac Excel,
    `date1904`): `columns.parse_date` reads it with that epoch. Otherwise a float."""

    __slots__ = ()


class Serial1904Int(int):
    """A whole number calamine gives as an int (.xls) in a 1904 workbook: as Serial1904."""

    __slots__ = ()


SERIALS_1904 = (Serial1904, Serial1904Int)


@dataclass
class SheetCells:
    """What one sheet's file says beyond calamine's values."""

    values: dict[tuple[int, int], object] = field(default_factory=dict)  # (row, col) 0-based
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1
    hidden_rows: list[int] = field(default_factory=list)  # 1-based, ascending
    hidden_columns: list[int] = field(default_factory=list)  # 0-based
    date1904: bool = False  # the workbook counts date serials from 1904-01-01
    # The sheet's first cell (in file order) is A1 and holds a value: the sheet's used
    # range starts at A1, as a reader that does not say where it starts assumes (xlsx).
    a1: bool = False


_serial_1904: dict[type, Any] = {float: Serial1904, int: Serial1904Int}


def _same(value: object) -> object:
    return value


def overlay(
    rows: Iterable[list[Any]], base: int, left: int, cells: SheetCells
) -> Iterator[list[Any]]:
    """calamine's rows (row index i is sheet row base + i, column j is sheet column
    left + j) with the found values put in, and each merged range filled with the value of
    its top-left cell, as a person sees it. Rows without findings pass through as they are.
    """
    if cells.date1904:
        rows = ([_serial_1904.get(v.__class__, _same)(v) for v in row] for row in rows)
    if not cells.values and not cells.merged:
        yield from rows
        return
    patches: dict[int, list[tuple[int, object]]] = {}
    for (r, c), value in cells.values.items():
        if c >= left:
            patches.setdefault(r - base, []).append((c - left, value))
    starts: dict[int, list[tuple[int, int, int]]] = {}
    for r0, c0, r1, c1 in cells.merged:
        if c1 >= left and (r0, c0) != (r1, c1):
            starts.setdefault(r0 - base, []).append((c0 - left, c1 - left, r1 - base))
    fills: dict[int, list[tuple[int, int, object]]] = {}
    for i, row in enumerate(rows):
        if i in patches or i in starts or i in fills:
            for c, value in patches.get(i, ()):
                if c >= len(row):
                    row.extend([""] * (c + 1 - len(row)))
                row[c] = value
            for c0, c1, last in starts.get(i, ()):
                value = row[c0] if 0 <= c0 < len(row) else ""
                for j in range(i, last + 1):
                    fills.setdefault(j, []).append((max(c0, 0), c1, value))
            for c0, c1, value in fills.pop(i, ()):
                if c1 >= len(row):
                    row.extend([""] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    row[c] = value  # also over what a covered cell kept: it is not shown
        yield row


def cell_name(row: int, col: int) -> str:
    """A1-style name of a 0-based cell."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def range_name(r0: int, c0: int, r1: int, c1: int) -> str:
    return cell_name(r0, c0) if (r0, c0) == (r1, c1) else f"{cell_name(r0, c0)}:{cell_name(r1, c1)}"


def find_cells(
    path: Path, plain_so_far: Callable[[str], None] | None = None
) -> dict[str, SheetCells]:
    """Sheet name -> its findings, for an xlsx/xlsm, ods or xls file (empty for others,
    and for a file that cannot be read: calamine reports that). `plain_so_far` is called
    with the name of an xlsx sheet (in a workbook not counting from 1904) whose first chunk
    holds nothing to find, while the rest is still being read: the caller may start
    reading it as columns meanwhile (tables.py), and uses that only if the sheet is
    plain to the end."""
    import zipfile

    with path.open("rb") as f:
        if f.read(8) == _OLE:
            return _xls(path)

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "content.xml" in names:
                return _ods(archive.read("content.xml"))
            if "xl/workbook.xml" in names:
                return _xlsx(archive, names, plain_so_far)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        pass
    return {}


# --- xlsx -------------------------------------------------------------------------------

# Each match stays inside one cell: a start tag that is not self-closing (`_OPEN`), and
# content that holds no `</c>` (formula text has no `<`: XML writes it as &lt;).
_OPEN = rb"<c\b((?:[^>/]|/(?!>))*)>"
_ERROR_CELL = re.compile(
    rb'<c\b((?:[^>/]|/(?!>))*\bt="e"(?:[^>/]|/(?!>))*)>((?:[^<]|<(?!/c>))*)</c>'
)
_NO_VALUE = re.compile(
    _OPEN + rb"\s*(<f\b[^>]*?(?:/>|>([^<]*)</f>))\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_MERGE = re.compile(rb'<mergeCell\b[^>]*\bref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_ROW = re.compile(rb"<row\b([^>]*)>")
_COL = re.compile(rb"<col\b([^>]*)>")  # min and max in either order (LibreOffice: max first)
_MIN = re.compile(rb'\bmin="(\d+)"')
_MAX = re.compile(rb'\bmax="(\d+)"')
# A formula cell whose stored value is 0: what xlsxwriter stores when the program gave none.
_FORMULA_ZERO = re.compile(_OPEN + rb"\s*<f\b[^>]*?(?:/>|>([^<]*)</f>)\s*<v>\s*0\s*</v>\s*</c>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_ANY_CELL = re.compile(rb"<c\b((?:[^>/]|/(?!>))*)(/?)>")


def _col(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number - 1


def _unescape(raw: bytes) -> str:
    from html import unescape

    return unescape(raw.decode("utf-8", "replace"))


def _xlsx(
    archive: object, names: set[str], plain_so_far: Callable[[str], None] | None = None
) -> dict[str, SheetCells]:
    import posixpath
    import zipfile
    from xml.etree import ElementTree

    assert isinstance(archive, zipfile.ZipFile)
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314 - small
    if book.tag.startswith("{http://purl.oclc.org/ooxml/"):  # Strict Open XML
        main = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
        rel = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"
    else:
        main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
        for item in rels:
            target = item.get("Target", "")
            target = target[1:] if target.startswith("/") else posixpath.join("xl", target)
            targets[item.get("Id", "")] = posixpath.normpath(target)
    found: dict[str, SheetCells] = {}
    # Written by a program that does not calculate (xlsxwriter, openpyxl): Excel recalculates
    # every formula on opening. A value such a program stored was given to it on purpose and
    # is kept; a stored 0 is what xlsxwriter writes when it was given none, so it is not
    # trusted (a formula really giving 0 is refused with a hint: open and save the file).
    # Excel drops the flag when it saves the file.
    recalc = any(c.get("fullCalcOnLoad") in ("1", "true") for c in book.iter(f"{main}calcPr"))
    date1904 = any(p.get("date1904") in ("1", "true") for p in book.iter(f"{main}workbookPr"))
    for sheet in book.iter(f"{main}sheet"):
        part = targets.get(sheet.get(rel, ""))
        if part in names:
            name = sheet.get("name", "")
            hook = None
            if plain_so_far is not None and not date1904:
                hook = partial(plain_so_far, name)
            cells = _plain_sheet(archive, part, hook) or _xlsx_sheet(archive.read(part), recalc)
            cells.date1904 = date1904
            found[name] = cells
    return found


_PREFIXED_ROOT = re.compile(rb"<(\w+):worksheet\b")
# Bytes that send a sheet to the reading in detail (_xlsx_sheet): an error cell, a formula,
# a hidden row or column, a merged range.
_NOTABLE = (b't="e"', b"<f", b"hidden=", b"<mergeCell")
_CHUNK = 1 << 20
_HEAD = 1 << 16


def _plain_sheet(
    archive: Any, part: str, plain_so_far: Callable[[], None] | None = None
) -> SheetCells | None:
    """The findings of a sheet without any of `_NOTABLE`, read in chunks (a big sheet is
    never held whole, and each chunk is searched while in the cache): only whether its
    first cell is A1. None when the sheet is to be read in detail. `plain_so_far` is
    called once, when the first chunk holds none of them (see find_cells)."""
    overlap = max(map(len, _NOTABLE)) - 1
    head = tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            if any(notable in window for notable in _NOTABLE):
                return None
            if not head and plain_so_far is not None and not _PREFIXED_ROOT.search(chunk, 0, 4096):
                plain_so_far()
            if len(head) < _HEAD:  # where the first cell is (after the column widths)
                head += chunk
            tail = window[-overlap:]
    if _PREFIXED_ROOT.search(head, 0, 4096):
        return None
    return SheetCells(a1=_starts_at_a1(head))


def _xlsx_sheet(data: bytes, recalc: bool = False) -> SheetCells:
    cells = SheetCells()
    prefixed = _PREFIXED_ROOT.search(data, 0, 4096)
    if prefixed:  # <x:c r="A1"> (the .NET Open XML SDK): read as the unprefixed elements
        tag = prefixed[1] + b":"
        data = data.replace(b"<" + tag, b"<").replace(b"</" + tag, b"</")
    cells.a1 = _starts_at_a1(data)
    if b't="e"' in data:
        for match in _ERROR_CELL.finditer(data):
            ref = _REF.search(match[1])
            value = _VALUE.search(match[2])
            if ref and value:
                place = (int(ref[2]) - 1, _col(ref[1]))
                cells.values[place] = _unescape(value[1]).strip() or "#VALUE!"
    # Each `in` is a pass over the sheet (~0.2 s for 80 MB): a plain sheet takes three.
    if b"<f" in data and (b"</f></c>" in data or b"/></c>" in data or b"<v></v>" in data):
        for match in _NO_VALUE.finditer(data):
            ref = _REF.search(match[1])
            kind = _TYPE.search(match[1])
            if ref is None or (kind is not None and kind[1] == b"str"):
                continue  # t="str" with an empty value: the formula's result is ""
            place = (int(ref[2]) - 1, _col(ref[1]))
            cells.values.setdefault(place, Uncalculated(_unescape(match[3] or b"")))
    if recalc and b"<f" in data:
        for match in _FORMULA_ZERO.finditer(data):
            ref = _REF.search(match[1])
            if ref is not None:
                place = (int(ref[2]) - 1, _col(ref[1]))
                cells.values.setdefault(place, Uncalculated(_unescape(match[2] or b"")))
    end = data.rfind(b"</sheetData>")  # merged ranges are listed after the cells
    if b"<mergeCell" in data[end:] if end >= 0 else b"<mergeCell" in data:
        for match in _MERGE.finditer(data, max(end, 0)):
            r0, c0 = int(match[2]) - 1, _col(match[1])
            if match[3]:
                r1, c1 = int(match[4]) - 1, _col(match[3])
            else:
                r1, c1 = r0, c0
            cells.merged.append((r0, c0, r1, c1))
    start = data.find(b"<sheetData")  # column widths and hiding come before the cells
    if b"hidden=" in data[:start]:
        for match in _COL.finditer(data, 0, max(start, 0)):
            low, high = _MIN.search(match[1]), _MAX.search(match[1])
            if _HIDDEN.search(match[1]) and low and high:
                cells.hidden_columns.extend(range(int(low[1]) - 1, min(int(high[1]), 16384)))
    if b"hidden=" in data:
        for match in _ROW.finditer(data):
            number = _ROW_NUMBER.search(match[1])
            if number and _HIDDEN.search(match[1]):
                cells.hidden_rows.append(int(number[1]))
    return cells


def _starts_at_a1(data: bytes) -> bool:
    """Whether the first cell element of the sheet data is A1 with a value in it."""
    start = data.find(b"<sheetData")
    first = _ANY_CELL.search(data, max(start, 0))
    if first is None or first[2]:
        return False
    ref = _REF.search(first[1])
    if ref is None or ref[1] != b"A" or ref[2] != b"1":
        return False
    end = data.find(b"</c>", first.end())
    content = data[first.end() : end if end >= 0 else first.end()]
    return b"<v>" in content or b"<is>" in content or b"<v " in content


# --- xls (BIFF) ---------------------------------------------------------------------------

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _xls(path: Path) -> dict[str, SheetCells]:
    """Error and TRUE/FALSE cells, merged ranges, hidden rows and columns and the date
    epoch of an .xls, read with xlrd (calamine reads an error cell as empty)."""
    try:
        import xlrd
    except ImportError:  # pragma: no cover - a dependency; without it calamine alone reads
        return {}
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception:  # any file xlrd cannot read: calamine reads or reports it
        return {}
    found: dict[str, SheetCells] = {}
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            cells = SheetCells(date1904=book.datemode == 1)
            for r in range(sheet.nrows):
                kinds = sheet.row_types(r)
                if xlrd.XL_CELL_ERROR in kinds or xlrd.XL_CELL_BOOLEAN in kinds:
                    for c, kind in enumerate(kinds):
                        value = sheet.cell_value(r, c)
                        if kind == xlrd.XL_CELL_ERROR:
                            shown = xlrd.error_text_from_code.get(value, "#VALUE!")
                            cells.values[(r, c)] = shown
                        elif kind == xlrd.XL_CELL_BOOLEAN:
                            cells.values[(r, c)] = bool(value)
            cells.merged = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
            cells.hidden_rows = sorted(
                r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden
            )
            cells.hidden_columns = sorted(c for c, info in sheet.colinfo_map.items() if info.hidden)
            found[sheet.name] = cells
            book.unload_sheet(index)
    except Exception:  # a damaged sheet: calamine reads or reports it
        return found
    finally:
        book.release_resources()
    return found


# --- ods --------------------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


_LOGICAL_TRUE = frozenset({"TRUE", "SANN", "WAHR", "VRAI"})
_LOGICAL = _LOGICAL_TRUE | {"FALSE", "USANN", "FALSCH", "FAUX"}


def _ods(content: bytes) -> dict[str, SheetCells]:
    if not (
        b"table:formula" in content
        or b"spanned=" in content
        or b'table:visibility="collapse"' in content
        or b'table:visibility="filter"' in content
        or b'value-type="error"' in content
        or b'value-type="boolean"' in content
        or b'"1904-01-01' in content  # table:null-date of a 1904 workbook
    ):
        return {}
    import io
    from xml.etree import ElementTree

    t, o = f"{{{_TABLE}}}", f"{{{_OFFICE}}}"
    found: dict[str, SheetCells] = {}
    cells = SheetCells()
    date1904 = False
    row = col = column = 0
    repeat = 1
    # expat expands no external entities and (2.4.1+) limits entity growth
    parsed = ElementTree.iterparse(io.BytesIO(content), ("start", "end"))  # noqa: S314
    for event, element in parsed:
        tag = element.tag
        if event == "start":
            if tag == f"{t}table":
                cells = found.setdefault(element.get(f"{t}name", ""), SheetCells())
                cells.date1904 = date1904
                row = column = 0
            elif tag == f"{t}null-date":
                date1904 = element.get(f"{t}date-value", "")[:10] == "1904-01-01"
            elif tag == f"{t}table-column":
                span = int(element.get(f"{t}number-columns-repeated", "1"))
                if element.get(f"{t}visibility", "visible") != "visible" and span < 1024:
                    cells.hidden_columns.extend(range(column, column + span))
                column += span
            elif tag == f"{t}table-row":
                col = 0
                repeat = int(element.get(f"{t}number-rows-repeated", "1"))
                if element.get(f"{t}visibility", "visible") != "visible" and repeat < 10_000:
                    cells.hidden_rows.extend(range(row + 1, row + repeat + 1))
            continue
        if tag in (f"{t}table-cell", f"{t}covered-table-cell"):
            span = int(element.get(f"{t}number-columns-repeated", "1"))
            if tag == f"{t}table-cell":
                for repeat_col in range(col, col + min(span, 1024)):
                    _ods_cell(element, cells, row, repeat_col, t, o)
            col += span
            element.clear()
        elif tag == f"{t}table-row":
            row += repeat
            element.clear()
    return found


def _ods_cell(element: object, cells: SheetCells, row: int, col: int, t: str, o: str) -> None:
    from xml.etree.ElementTree import Element

    assert isinstance(element, Element)
    rows = int(element.get(f"{t}number-rows-spanned", "1"))
    cols = int(element.get(f"{t}number-columns-spanned", "1"))
    if rows > 1 or cols > 1:
        cells.merged.append((row, col, row + rows - 1, col + cols - 1))
    formula = element.get(f"{t}formula")
    kinds = (element.get(f"{o}value-type"), element.get(f"{{{_CALCEXT}}}value-type"))
    if "boolean" in kinds:  # TRUE/FALSE: refused by `columns.text()` as in xlsx
        cells.values[(row, col)] = element.get(f"{o}boolean-value", "false") == "true"
        return
    if formula is None:
        return
    shown = " ".join("".join(p.itertext()) for p in element.iter(f"{{{_TEXT}}}p")).strip()
    if kinds[0] == "float" and shown.upper() in _LOGICAL:
        # LibreOffice saves =FALSE() as the number 0 shown as FALSE: a person sees FALSE
        cells.values[(row, col)] = shown.upper() in _LOGICAL_TRUE
    elif element.get(f"{{{_CALCEXT}}}value-type") == "error" or is_error_literal(shown):
        cells.values[(row, col)] = shown or "#VALUE!"
    elif element.get(f"{o}value-type") is None:
        cells.values[(row, col)] = Uncalculated(formula)
