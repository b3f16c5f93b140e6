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
import logging
import re
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from itertools import compress, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from intdrammen.errors import InputFileError, Problem
from intdrammen.ids import mask_fnr
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
    # A text file's lines as a person counts them, and whether pyarrow's CSV reader
    # would end a row anywhere else (see `_Lines`); None for a workbook.
    lines: tuple[int, bool] | None = None


class _Lines:
    """Counted one chunk at a time, in the same pass as the hash: a text file's lines as
    a person counts them (a last line without a line break counts; CR alone ends a line
    in a file without LF; blank lines at the very end are no rows), and whether pyarrow's
    reader may read it: not when a CR stands alone in a file of LF line ends (pyarrow ends
    a row there). Every other difference gives pyarrow fewer rows than lines, which
    columnar.text_batches checks."""

    def __init__(self) -> None:
        self.newlines = self.crs = self.crlfs = 0
        self.last = b""

    def feed(self, chunk: bytes) -> None:
        self.newlines += chunk.count(b"\n")
        if b"\r" in chunk:  # memchr; most files have no CR or CR LF everywhere
            self.crs += chunk.count(b"\r")
            self.crlfs += chunk.count(b"\r\n")
            self.crlfs += self.last[-1:] == b"\r" and chunk[:1] == b"\n"
        self.last = chunk[-4096:]

    def result(self) -> tuple[int, bool]:
        ends = b"\n" if self.newlines else b"\r"
        lines = (self.newlines or self.crs) + (0 if self.last[-1:] in (ends, b"") else 1)
        trail = self.last[len(self.last.rstrip(b"\r\n")) :]
        lines -= max(0, trail.count(ends) - 1)
        return lines, not (self.newlines and self.crs != self.crlfs)


class _LineTooLong(Exception):
    pass


def _file_error(name: str, exc: OSError) -> InputFileError:
    return InputFileError("E-FILE", name, f"cannot read the file: {exc.strerror or exc}")


# --- encodings ----------------------------------------------------------------------------
# A text file is read as UTF-8 when it decodes as UTF-8 (with a byte order mark: as the
# mark says; UTF-16 also without one when every other byte is NUL). Otherwise each
# 8-bit candidate reads the file's bytes 0x80-0xFF, and each byte counts for the reading
# in which it is a Norwegian letter (æ ø å Æ Ø Å), against the one in which it is a
# symbol no Norwegian text holds (ø in a Mac file is ¿ read as Windows-1252; å in a
# Windows file is Â read as MacRoman). ISO-8859-1 is never chosen: its 0x80-0x9F are
# control characters, and above them it is Windows-1252.

LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with a byte order mark)",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE (no byte order mark)",
    "utf-16-be": "UTF-16 BE (no byte order mark)",
    "cp1252": "Windows-1252",
    "mac-roman": "Mac (MacRoman)",
    "iso8859-15": "ISO-8859-15",
    "iso8859-1": "ISO-8859-1 (Latin-1)",
}
OPTION = {"utf-8-sig": "utf-8", "mac-roman": "mac_roman"}  # how --encoding spells it
EIGHT_BIT = ("cp1252", "iso8859-15", "mac-roman")  # on a tie the first wins
# Bytes no 8-bit text holds: controls other than \t \n \f \r, and DEL.
CONTROL_BYTES = bytes([*range(9), 11, *range(14, 32), 0x7F])
ASCII_BYTES = bytes(range(128))
NORWEGIAN = "æøåÆØÅ"
# Characters plausible in Norwegian office text besides ASCII and æøå: accented letters
# of names and places, and the punctuation Word and Excel put in.
LETTERS = "éèêëáàâäãóòôöõúùûüíìîïñçýßÉÄÖÜ"
PUNCTUATION = "\u00a0–—‘’‚“”„«»…€£§°·´½²³®©™"
HIGH_BYTES_COUNTED = 1 << 20  # the byte statistics stop here: plenty to decide on


def _weights(codec: str) -> list[int | None]:
    """What each byte 0x80-0xFF says for `codec`: +4 a Norwegian letter, +1 another
    plausible character, -8 a symbol no Norwegian text holds, None undefined."""
    weights: list[int | None] = []
    for byte in range(128, 256):
        try:
            char = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            weights.append(None)
            continue
        plausible = char in LETTERS or char in PUNCTUATION
        weights.append(4 if char in NORWEGIAN else 1 if plausible else -8)
    return weights


WEIGHTS = {codec: _weights(codec) for codec in EIGHT_BIT}

# A letter like æ ø å é ü written in UTF-8 (2 bytes) or a UTF-8 dash or quote (3 bytes).
# In text that really is Windows-1252 these pairs would be "Ã" or "Â" followed by a
# symbol, or "â€" and a symbol (in MacRoman "√" or "¬" and a letter), which Norwegian
# text does not contain.
UTF8_LETTER = re.compile(rb"[\xc2\xc3][\x80-\xbf]|\xe2\x80[\x90-\xbf]")
UTF8_LETTER_ANCHORS = ((b"\xc3", 0), (b"\xc2", 0), (b"\xe2", 0))
# UTF-8 text whose letters were read as Windows-1252 or MacRoman and saved as UTF-8
# again: "Ã" or "Â" (or MacRoman's "√") and then another non-ASCII character, as in
# "Ã¸" for ø. No Norwegian text has these pairs.
DOUBLE_ENCODED = re.compile(rb"\xc3[\x82\x83][\xc2-\xf4]|\xe2\x88\x9a[\xc2-\xf4]")
DOUBLE_ANCHORS = ((b"\x83", 1), (b"\x82", 1), (b"\x9a", 2))
DOUBLE_ENCODED_TEXT = re.compile("[ÂÃ√][^\x00-\x7f]")
NON_ASCII = re.compile("[^\x00-\x7f]")
# Undecodable bytes are read as these private-use characters (U+F0000 + the byte), to
# find the cell that holds them.
MARK = 0xF0000
MARKED = re.compile("[\U000f0000-\U000f00ff]+")


def _mark(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return "".join(chr(MARK + b) for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error("intd-mark", _mark)


def _label(encoding: str) -> str:
    return LABELS.get(encoding, encoding)


CONTROL_OR_MARKED = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\U000f0000-\U000f00ff]+")
# Non-ASCII characters a Norwegian header may hold: Latin letters (not the ones
# Windows-1252 puts at 0x80-0x9F, which are MacRoman letters read wrongly, nor ÿ, which is
# Windows-1252 Ø read as MacRoman), and the punctuation above.
HEADER_CHARS = (
    (frozenset(map(chr, range(0xC0, 0x180))) - frozenset("×÷ÿŒœŠšŸŽž"))
    | frozenset(PUNCTUATION)
    | frozenset(LETTERS)
)
# A lowercase letter, then a capital with an accent other than Æ Ø Å É Ä Ö Ü: "KjÂnn",
# "SluttÊr" (Windows-1252 read as MacRoman).
ODD_CAPITAL = re.compile("[a-zß-öø-ÿ][ÀÁÂÃÇÈÊËÌÍÎÏÐÑÒÓÔÕÙÚÛÝÞ]")


def garbled(text: str) -> bool:
    """Whether `text` holds what no Norwegian header holds: a symbol, a letter of
    another script, mojibake like 'Ã¸' or 'KjÂnn'."""
    if text.isascii():
        return False
    if DOUBLE_ENCODED_TEXT.search(text) or ODD_CAPITAL.search(text):
        return True
    return any(c not in HEADER_CHARS for c in text if not c.isascii())


def check_header_text(table: Table, used: Container[int]) -> None:
    """Refuse a table with a header cell that is not a used column and is not
    Norwegian text: read in the wrong encoding, it would be dropped as unknown."""
    for index, cell in enumerate(table.header):
        if cell and index not in used and garbled(cell):
            raise InputFileError(
                "E-ENCODING",
                table.file,
                _garbled_header(cell, table.encoding),
                sheet=table.sheet,
                row=table.header_row,
                column=cell,
            )


def _garbled_header(cell: str, encoding: str | None) -> str:
    message = f"the header {cell!r} is not a known column, and not Norwegian text"
    repaired = _repaired(cell)
    if encoding is None:  # a workbook: its text was garbled before it was saved
        if repaired:
            message += f": it looks like {repaired!r} read in the wrong encoding"
        return message + "; correct the header (and any garbled cells) in the workbook"
    message += f" as the file was read, in {_label(encoding)}"
    base = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        raw = cell.encode(base)
    except UnicodeError:
        raw = b""
    readings: list[str] = []
    seen = set()
    for codec in ("utf-8", *EIGHT_BIT):
        try:
            text = raw.decode(codec) if raw and codec != base else ""
        except UnicodeError:
            continue
        if text and text not in seen and not garbled(text):
            seen.add(text)
            readings.append(
                f"in {_label(codec)} it reads {text!r} (--encoding {OPTION.get(codec, codec)})"
            )
    if readings:
        return message + "; " + "; ".join(readings[:2])
    if repaired:
        return (
            message + f"; it looks like {repaired!r} garbled by a wrong encoding before the "
            "file was saved: correct it in the file"
        )
    return message + "; pass --encoding with the file's encoding, or rename the column"


def file_info(path: Path, *, encoding: str | None = None) -> FileInfo:
    """Hash the file and, for a text file, detect its encoding and count its lines, in one
    streaming pass.

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
            sniffer = _Sniffer(path, chunk, forced) if _is_text(path, chunk) else None
            lines = _Lines() if sniffer else None
            while chunk:
                digest.update(chunk)
                size += len(chunk)
                if sniffer and lines:
                    sniffer.feed(chunk)
                    lines.feed(chunk)
                chunk = f.read(CHUNK)
    except OSError as exc:
        raise _file_error(name, exc) from exc
    return FileInfo(
        digest.hexdigest(),
        size,
        sniffer.result() if sniffer else None,
        lines.result() if lines else None,
    )


def _utf16_without_bom(head: bytes) -> str:
    """'utf-16-le' or 'utf-16-be' when every other byte of `head` is NUL and no other
    byte is (text of Latin letters in UTF-16 without a byte order mark), else ''."""
    even, odd = head[0:BINARY_WINDOW:2], head[1:BINARY_WINDOW:2]
    if len(odd) < 4:
        return ""
    for zeros, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if 2 * zeros.count(0) >= len(zeros) and other.count(0) == 0:
            return codec
    return ""


class _Sniffer:
    """Encoding detection fed one chunk at a time (see "encodings" above). Errors name
    the row and column of the first cell at fault, found by reading the file again."""

    def __init__(self, path: Path, head: bytes, forced: str | None) -> None:
        self.path, self.name, self.forced = path, path.name, forced
        self.bom = ""
        if head.startswith(codecs.BOM_UTF8):
            self.bom = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.bom = "utf-16"
        if head.startswith(WORKBOOK_MAGIC) and not forced:
            message = "this is a workbook (Excel or ODS), not text: rename it to .xlsx or .ods"
            raise InputFileError("E-FORMAT", self.name, message)
        self.unicode = self.bom or ("" if forced else _utf16_without_bom(head))
        wide = (forced or self.unicode).startswith(("utf-16", "utf-32"))
        if not wide and b"\x00" in head[:BINARY_WINDOW]:
            raise InputFileError("E-BINARY", self.name, "the file holds binary data (NUL bytes)")
        self.decoder = codecs.getincrementaldecoder(self.unicode or "utf-8")("strict")
        # A forced 8-bit encoding is checked against UTF-8: a UTF-8 file (one of several
        # in one command, say) read as Windows-1252 or MacRoman would store 'Ã¸' for ø.
        self.forced_8bit = bool(forced) and not wide
        self.decodes = not forced or self.forced_8bit
        self.utf8 = not forced and self.unicode in ("", "utf-8-sig")
        self.eight_bit = not forced and not self.unicode  # may be 8-bit text
        # The byte statistics: for 8-bit text, and for what a UTF-8 byte order mark hides.
        self.stats = not forced and self.unicode in ("", "utf-8-sig")
        self.double = False  # UTF-8 letters read wrongly and saved again ("Ã¸")
        self.utf8_letters = False  # UTF-8 encoded letters seen (æ ø å é … as 2-3 bytes)
        self.controls = False
        self.high: Counter[int] = Counter()  # bytes 0x80-0xFF, up to HIGH_BYTES_COUNTED
        self.high_total = 0
        self.cr = self.lf = False
        self.tail = b""

    def _seen(
        self, pattern: re.Pattern[bytes], anchors: tuple[tuple[bytes, int], ...], chunk: bytes
    ) -> bool:
        """Whether `pattern` matches in `chunk`. Each match holds an anchor, a byte rare in
        text, at a known offset from its start: memchr finds the anchors (fast), and the
        regular expression only checks there."""
        for anchor, offset in anchors:
            at = chunk.find(anchor)
            while at != -1:
                if at >= offset and pattern.match(chunk, at - offset):
                    return True
                at = chunk.find(anchor, at + 1)
        # A match may span two chunks: the tail of the last and the start of this one.
        return bool(pattern.search(self.tail + chunk[:4]))

    def feed(self, chunk: bytes) -> None:
        if self.decodes:
            try:
                self.decoder.decode(chunk)  # incremental: a character may span two chunks
            except UnicodeDecodeError:
                self.decodes = False
        if self.utf8 and self.decodes and not self.double:
            self.double = self._seen(DOUBLE_ENCODED, DOUBLE_ANCHORS, chunk)
        if (self.eight_bit or self.forced_8bit) and not self.utf8_letters:
            self.utf8_letters = self._seen(UTF8_LETTER, UTF8_LETTER_ANCHORS, chunk)
        if self.stats:
            if not self.controls:
                self.controls = len(chunk.translate(None, CONTROL_BYTES)) != len(chunk)
            if not self.lf:  # CR-only line ends: a Mac
                self.lf = b"\n" in chunk
                self.cr = self.cr or b"\r" in chunk
            if self.high_total < HIGH_BYTES_COUNTED:
                high = chunk.translate(None, ASCII_BYTES)
                self.high.update(high)
                self.high_total += len(high)
        self.tail = chunk[-4:]

    def result(self) -> str:
        if self.decodes:
            try:
                self.decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.decodes = False
        if self.forced:
            if self.forced_8bit and self.decodes and self.utf8_letters:
                raise _utf8_forced(self.path, self.forced)
            return self.forced
        if self.decodes:
            encoding = self.unicode or "utf-8"
            if self.double:
                raise _double_encoded(self.path, encoding)
            return encoding
        if self.unicode:
            label = "UTF-8" if self.bom == "utf-8-sig" else _label(self.unicode)
            what = (
                f"the file starts with a {label} byte order mark but is not {label} text"
                if self.bom
                else f"every other byte is NUL, as in {label}, but the file is not {label} text"
            )
            instead = self._eight_bit() if self.stats else None
            raise _undecodable(self.path, self.unicode, what, instead)
        if self.controls:
            what = "the file holds control characters, which no text file does"
            raise _undecodable(self.path, "cp1252", what, None, find=CONTROL_OR_MARKED.search)
        if self.utf8_letters:
            # Not UTF-8, yet with UTF-8 letters in it (ø as "Ã¸"): lines pasted together
            # from two encodings. Either reading would garble some.
            what = (
                "part of the file is UTF-8 and part is not, so no one reading is right "
                "(read as Windows-1252, UTF-8 ø would be 'Ã¸'); save it again as UTF-8 "
                "after correcting the rows that are not"
            )
            raise _undecodable(self.path, "utf-8", what, None)
        chosen = self._eight_bit()
        if chosen is None:
            for codec in ("mac-roman", *EIGHT_BIT[:2]):  # lines of two encodings, one
                # with bytes Windows-1252 leaves undefined (MacRoman Å)
                if None not in (WEIGHTS[codec][b - 128] for b in self.high):
                    self._check_one_reading(codec)
            what = (
                "the file is not text in UTF-8, Windows-1252 or MacRoman (Mac): no reading "
                "gives Norwegian letters; pass --encoding if you know it"
            )
            raise _undecodable(self.path, "cp1252", what, None)
        self._check_one_reading(chosen)
        return chosen

    def _check_one_reading(self, chosen: str) -> None:
        """Refuse a file of lines from two 8-bit encodings (a Windows line pasted into
        a Mac file): bytes that are symbols as `chosen` reads them but Norwegian letters
        in another reading, beside bytes that are letters as `chosen` reads them."""
        weights = WEIGHTS[chosen]
        letters = any(self.high.get(128 + i) for i, w in enumerate(weights) if w == 4)
        for other in EIGHT_BIT:
            theirs = WEIGHTS[other]
            clash = bytes(
                128 + i
                for i, (w, t) in enumerate(zip(weights, theirs, strict=True))
                if w == -8 and t == 4 and self.high.get(128 + i)
            )
            if letters and clash:
                shown = clash.decode(chosen)
                find = re.compile(f"[{re.escape(shown)}]").search
                row, column, found = _locate(self.path, chosen, find)
                meant = found.encode(chosen).decode(other) if found else ""
                message = (
                    f"part of the file is {_label(chosen)} and part {_label(other)}, so no "
                    f"one reading is right: {found!r} here is {meant!r} in {_label(other)}; "
                    f"save it again in one encoding (or, if all of it is {_label(chosen)}, "
                    f"pass --encoding {OPTION.get(chosen, chosen)})"
                )
                raise InputFileError("E-ENCODING", self.name, message, row=row, column=column)

    def _eight_bit(self) -> str | None:
        """The 8-bit encoding under which the bytes are most plausibly Norwegian text, or
        None. Windows-1252 is the default: another needs a higher score above zero; CR-only
        line ends (a Mac) put MacRoman first on a tie."""
        counts = [self.high.get(byte, 0) for byte in range(128, 256)]
        scores: dict[str, int] = {}
        for codec in EIGHT_BIT:
            pairs = [(n, w) for n, w in zip(counts, WEIGHTS[codec], strict=True) if n]
            if all(w is not None for _, w in pairs):
                scores[codec] = sum(n * (w or 0) for n, w in pairs)
        order = list(EIGHT_BIT)
        if self.cr and not self.lf:
            order.remove("mac-roman")
            order.insert(0, "mac-roman")
        ranked = sorted(scores, key=lambda codec: (-scores[codec], order.index(codec)))
        if ranked and (ranked[0] == "cp1252" or scores[ranked[0]] > 0):
            return ranked[0]
        return "cp1252" if "cp1252" in scores else None


def _undecodable(
    path: Path,
    encoding: str,
    what: str,
    instead: str | None,
    *,
    find: Callable[[str], re.Match[str] | None] = MARKED.search,
) -> InputFileError:
    """The error for a file with bytes that do not decode as `encoding`, naming the
    first cell that holds them (`instead`: the encoding all of it may be in)."""
    row, column, found = _locate(path, encoding, find)
    message = what
    if found:
        plain = "UTF-8" if encoding == "utf-8-sig" else _label(encoding)
        message += f": {_bytes_text(found)} is not {plain}"
    if instead:
        message += (
            f"; if all of it is {_label(instead)}, pass --encoding {OPTION.get(instead, instead)}"
        )
    return InputFileError("E-ENCODING", path.name, message, row=row, column=column)


def _utf8_forced(path: Path, forced: str) -> InputFileError:
    row, column, found = _locate(path, "utf-8", NON_ASCII.search)
    misread = found.encode("utf-8").decode(forced, errors="replace")
    message = (
        f"the file is UTF-8 text, but --encoding {OPTION.get(forced, forced)} would read "
        f"its {found!r} as {misread!r}: import it without --encoding (in a command of its "
        "own, if other files need the option)"
    )
    return InputFileError("E-ENCODING", path.name, message, row=row, column=column)


def _double_encoded(path: Path, encoding: str) -> InputFileError:
    row, column, found = _locate(path, encoding, DOUBLE_ENCODED_TEXT.search)
    meant = _repaired(found)
    message = (
        f"the file is {_label(encoding)} text, but its letters were garbled before it was "
        f"saved: {found!r}"
        + (f" where {meant!r} was meant" if meant else "")
        + " (text read in the wrong encoding and saved again). Nothing is read from it: "
        "export it again from the source, or correct the text"
    )
    return InputFileError("E-ENCODING", path.name, message, row=row, column=column)


def _repaired(text: str) -> str | None:
    """`text` as it was before UTF-8 was read as Windows-1252 or MacRoman, if it was."""
    for codec in ("cp1252", "mac-roman"):
        try:
            repaired = text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
        if repaired != text and not garbled(repaired):
            return repaired
    return None


def _bytes_text(found: str) -> str:
    """Marked bytes (or control characters) as hex, with their readings that are
    letters: 'byte F8 ('ø' in Windows-1252)'."""
    raw = bytes(ord(c) - MARK if ord(c) >= MARK else ord(c) for c in found[:4])
    shown = " ".join(f"{b:02X}" for b in raw)
    readings = []
    for codec in ("cp1252", "mac-roman"):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if all(c in NORWEGIAN or c in LETTERS for c in text):
            readings.append(f"{text!r} in {_label(codec)}")
    noun = "byte" if len(raw) == 1 else "bytes"
    return f"{noun} {shown}" + (f" ({', '.join(readings)})" if readings else "")


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _guess_layout(sample: list[str]) -> tuple[str, list[str]]:
    """(delimiter, header) of a text sample: the delimiter on which most records agree
    on a field count above one, and the first record of that count."""
    best: tuple[int, int, str] = (0, 1, ",")
    for delimiter in DELIMITERS:
        try:
            recs = [r for r in csv.reader(sample, delimiter=delimiter) if any(r)]
        except csv.Error:
            continue
        counts = Counter(len(r) for r in recs if len(r) > 1)
        width, agreeing = counts.most_common(1)[0] if counts else (1, 0)
        if (agreeing, width) > best[:2]:
            best = (agreeing, width, delimiter)
    try:
        recs = [r for r in csv.reader(sample, delimiter=best[2]) if any(r)]
    except csv.Error:
        recs = []
    header = next((r for r in recs if len(r) == best[1]), [])
    return best[2], header


def _locate(
    path: Path, encoding: str, find: Callable[[str], re.Match[str] | None]
) -> tuple[int | None, str | None, str]:
    """(row, column, text found) of the first cell in which `find` finds something, the
    file read as `encoding` with undecodable bytes marked. The row is where its record
    starts, as rows are numbered everywhere; the column is named by its header where
    that decodes, else by its letter. A slow path: only for a file being refused."""
    csv.field_size_limit(LINE_LIMIT)
    line_number, hit = 0, 0

    def flagged(f: TextIO) -> Iterator[str]:
        nonlocal line_number, hit
        for line in _lines(f):
            line_number += 1
            if not hit and find(line):
                hit = line_number
            yield line

    try:
        with path.open(encoding=encoding, errors="intd-mark", newline="") as f:
            delimiter, header = _guess_layout(list(islice(_lines(f), SAMPLE_RECORDS)))
        with path.open(encoding=encoding, errors="intd-mark", newline="") as f:
            reader = csv.reader(flagged(f), delimiter=delimiter)
            last, above = 0, bool(header)  # above the header: columns by letter
            for rec in reader:
                start, last = last + 1, reader.line_num
                above = above and rec != header
                if not hit:
                    continue
                for index, cell in enumerate(rec):
                    if match := find(cell):
                        name = normalize_header(header[index]) if index < len(header) else ""
                        if above or not name or MARKED.search(name):  # header undecodable
                            name = _column_letter(index)
                        return start, name, match.group()
                hit = 0  # a match across cells (no cell holds it): look on
    except (OSError, UnicodeError, csv.Error, _LineTooLong):
        return hit or None, None, ""
    return None, None, ""


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
    """Header text as compared: BOM dropped (also a UTF-8 one read as Windows-1252,
    Latin-1 or MacRoman, as --encoding may ask), each whitespace run (NBSP too) one space."""
    cell = cell.replace("\ufeff", "").removeprefix("ï»¿").removeprefix("Ôªø")
    return " ".join(cell.split())


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


@contextmanager
def _text_errors(path: Path, encoding: str, row: Callable[[], int]) -> Iterator[None]:
    """Turn decoding, line-length and csv errors into InputFileError naming the row."""
    name = path.name
    try:
        yield
    except UnicodeDecodeError as exc:
        # The text layer decodes ahead in blocks, so where the error surfaced is not
        # where the byte is: read again to find its cell.
        at, column, found = _locate(path, encoding, MARKED.search)
        message = f"bytes that are not {_label(encoding)} text"
        if found:
            message += f": {_bytes_text(found)}"
        raise InputFileError("E-ENCODING", name, message, row=at or row(), column=column) from exc
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
    # The file name as kept and shown: a fødselsnummer in it masked (batches.file).
    return Table(mask_fnr(path.name), path, None, header, header_row, rows, encoding, delimiter)


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
            if len(rec) > width and not any(rec[width:]):
                del rec[width:]  # empty trailing fields
                if not any(rec):
                    continue
            # A row with more values than the header has columns, or fewer, is yielded
            # as it is: parse_batches reports it (or passes it over as a footer line).
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
    _check_kind(path, head)
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
            if _may_read_as_columns(path, scan_rows):
                found, ahead = _scan_reading_ahead(path, names)
            else:
                found, ahead = find_cells(path), {}
            sheets: list[CalamineSheet | Table] = []
            for n in names:
                read = partial(ahead.pop, n) if n in ahead else None
                fast = _arrow_sheet(path, n, found.get(n), score, scan_rows, read)
                ahead.pop(n, None)  # not plain after all: dropped before calamine reads it
                sheets.append(fast if fast is not None else book.get_sheet_by_name(n))
    except PasswordError as exc:
        message = "the workbook is password-protected; save a copy without a password"
        raise InputFileError("E-FORMAT", name, message) from exc
    except CalamineError as exc:
        raise InputFileError("E-FORMAT", name, f"cannot read the workbook: {exc}") from exc
    except OSError as exc:
        raise _file_error(name, exc) from exc

    tables = []
    for data in sheets:
        if isinstance(data, Table):
            tables.append(data)
            continue
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
            shown = mask_fnr(name)  # a fødselsnummer in the file name masked (batches.file)
            tables.append(Table(shown, path, data.name, header, header_row, table_rows, None, None))
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


# --- workbooks read as columns -------------------------------------------------------------
# A plain xlsx sheet (its used range starting at A1 with the header row, each column of one
# type, nothing workbook_cells finds: no error cells, formulas without a value, merged
# ranges, hidden rows or columns, 1904 dates) is read by fastexcel into Arrow columns, with
# no Python object per row: the same values calamine's rows give, cut into `ColumnBlock`s.
# Any other sheet, or anything this path cannot vouch for, is read from calamine's rows.

READ_SHEETS_WITH_ARROW = True  # False reads every sheet from calamine's rows (tests: both)
# The first rows of an Arrow-read sheet come as rows: plan.py (NAME_SAMPLE) and dates.Lean
# (LEAN_ROWS) read that many before the import reads the rest in blocks.
HEAD_ROWS = 1024
BLOCK_ROWS = 65_536
_NOT_A_NAME = re.compile(r"[-+0-9.,eE ]*|true|false|\d{4}-\d\d-\d\d.*|__UNNAMED__\d+", re.I)


_RENAMED = re.compile(r"(.+)_\d+")  # fastexcel's name for a repeated column name


class ColumnBlock(list[Any]):
    """Consecutive data rows of a sheet as its columns (one entry per header column: an
    Arrow string array, '' for an empty cell, or a list of the cells as calamine gives
    them), with their row numbers. Yielded in a table's `rows` in place of a row's cells,
    with the first row's number: columnar.row_batches makes it a batch as it is."""

    numbers: list[int]


def _may_read_as_columns(path: Path, scan_rows: int) -> bool:
    """Whether a sheet of this workbook may be read by fastexcel (if it is plain)."""
    suffix = path.suffix.lower() in (".xlsx", ".xlsm")
    return READ_SHEETS_WITH_ARROW and suffix and scan_rows <= HEAD_ROWS


def _read_columns(path: Path, sheet: str) -> Any:
    """fastexcel's Arrow table of the sheet, or None (mixed columns, or any file fastexcel
    cannot read)."""
    try:
        import fastexcel

        # fastexcel says on stderr that a column with no values is read as text: as here.
        logging.getLogger("fastexcel").setLevel(logging.ERROR)
        loaded = fastexcel.read_excel(str(path)).load_sheet(
            sheet, header_row=0, dtype_coercion="strict", schema_sample_rows=None
        )
        return loaded.to_arrow()
    except Exception:
        return None


def _scan_reading_ahead(
    path: Path, wanted: list[str]
) -> tuple[dict[str, SheetCells], dict[str, Any]]:
    """`find_cells(path)`, run on a thread while fastexcel reads (here) the first wanted
    sheet whose first chunk the scan found plain: the scan and the read, each a pass over
    the decompressed sheet, overlap (fastexcel lets go of the GIL while it reads). Also
    fastexcel's read, by sheet name, used only if the scan finds the sheet plain to the
    end. The read is on this thread so that its memory comes from the main heap (a
    thread's own malloc arena kept ~18 MiB more at the peak); one sheet read ahead at
    most, so memory holds no more than one read."""
    import threading

    head_read = threading.Event()
    chosen: list[str] = []
    outcome: list[Any] = []

    def plain_so_far(sheet: str) -> None:
        if not chosen and sheet in wanted:
            chosen.append(sheet)
            head_read.set()

    def scan() -> None:
        try:
            outcome.append(find_cells(path, plain_so_far))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(exc)
        finally:
            head_read.set()

    thread = threading.Thread(target=scan, name="intd-scan", daemon=True)
    thread.start()
    head_read.wait()
    ahead = {sheet: _read_columns(path, sheet) for sheet in chosen}
    thread.join()
    found = outcome[0]
    if isinstance(found, BaseException):
        raise found
    return cast(dict[str, SheetCells], found), ahead


def _arrow_sheet(
    path: Path,
    sheet: str,
    cells: SheetCells | None,
    score: ScoreHeader,
    scan_rows: int,
    read: Callable[[], Any] | None = None,
) -> Table | None:
    """The sheet read as columns (by `read`, the read started ahead, else now), or None
    when it must be read from its rows."""
    plain = (
        cells is not None
        and cells.a1
        and not (cells.values or cells.merged or cells.date1904)
        and not (cells.hidden_rows or cells.hidden_columns)
    )
    if not plain or not _may_read_as_columns(path, scan_rows):
        return None
    data = read() if read is not None else _read_columns(path, sheet)
    if data is None:
        return None
    names = [str(n) for n in data.column_names]
    header = [normalize_header(n) for n in names]
    # A header cell fastexcel named itself (empty, a repeated name, a number or a date)
    # is not the text calamine gives: read from the rows.
    if not header or any(_NOT_A_NAME.fullmatch(h) for h in header) or len(set(names)) < len(names):
        return None
    if any((m := _RENAMED.fullmatch(n)) and m[1] in names for n in names):
        return None
    columns = [_cells_of(column) for column in data.columns]
    if any(c is None for c in columns):
        return None
    numbers = list(range(2, 2 + data.num_rows))
    rows = list(islice(_sheet_blocks(numbers, columns), scan_rows))
    # The header row is the first best-scoring row, as _find_header would choose it.
    shown = [["" if v is None else v for v in r] for _n, r in rows]
    candidates: list[tuple[int, Sequence[Any]]] = [(1, names)]
    candidates += zip((n for n, _r in rows), shown, strict=True)
    header_row, found, _, _first = _find_header(candidates, score, scan_rows)
    if header_row != 1 or found != header:
        return None
    shown_name = mask_fnr(path.name)
    return Table(
        shown_name,
        path,
        sheet,
        header,
        1,
        _sheet_blocks(numbers, columns),
        None,
        None,
    )


class DistinctCells(list[Any]):
    """A block's column of dates or numbers: its cells as calamine gives them (a list),
    with each distinct value once, in the order of first appearance and None last
    (`distinct`), and each cell's index into that (`positions`, an Arrow int32 array):
    columnar reads each distinct value once, with no pass over the cells in Python."""

    distinct: list[Any]
    positions: Any


def _cells_of(column: Any) -> Any:
    """An Arrow column as calamine's cells would fill it: text as an Arrow string array
    ('' empty); booleans as a list; numbers as an Arrow array, a date at midnight as an
    Arrow date32 array (each block makes them `DistinctCells`), a date-time as a list of
    `datetime`. None for a column of another kind, or holding a serial before 1900-03-01
    (calamine reads those as times of day)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_null(kind):
        return [None] * len(column)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pc.fill_null(column, "").cast(pa.string())
    if pa.types.is_floating(kind) or pa.types.is_integer(kind):
        return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_boolean(kind):
        return column.to_pylist()
    if pa.types.is_timestamp(kind) and kind.tz is None:
        low = pc.min(column).as_py()
        if low is not None and low < datetime(1900, 3, 1):
            return None
        days = pc.cast(column, pa.date32())
        if pc.all(pc.equal(pc.cast(days, kind), column)).as_py() in (True, None):
            return days.combine_chunks() if isinstance(days, pa.ChunkedArray) else days
        return [v if v is None or v.time() != time() else v.date() for v in column.to_pylist()]
    return None


def _distinct_cells(part: Any) -> list[Any]:
    """A block's Arrow column of dates or numbers as its cells: `DistinctCells`, or a
    plain list where it holds a zero (0 and -0.0 are equal but not the same cell: read
    one by one, as columnar does any list)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_date32(part.type) and pc.any(pc.equal(part, 0)).as_py():
        return part.to_pylist()  # type: ignore[no-any-return]
    encoded = part.dictionary_encode()
    distinct = [*encoded.dictionary.to_pylist(), None]
    positions = encoded.indices.fill_null(len(distinct) - 1)
    cells = DistinctCells(map(distinct.__getitem__, positions.to_pylist()))
    cells.distinct = distinct
    cells.positions = positions
    return cells


def _blocks(numbers: list[int], columns: list[Any]) -> Iterator[ColumnBlock]:
    """`ColumnBlock`s of at most BLOCK_ROWS rows (HEAD_ROWS for the first), blank rows left
    out; a column of non-text cells that holds none in a block is a text column there,
    as columnar._to_batch would make it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    start, total = 0, len(numbers)
    while start < total:
        end = min(total, start + (HEAD_ROWS if start == 0 else BLOCK_ROWS))
        parts = [c[start:end] for c in columns]
        empty = None
        for part in parts:
            if isinstance(part, list):
                mask = pa.array([v is None for v in part], pa.bool_())
            elif pa.types.is_string(part.type):
                mask = pc.equal(pc.binary_length(part), 0)
            else:
                mask = pc.is_null(part)
            empty = mask if empty is None else pc.and_(empty, mask)
        block = ColumnBlock()
        block.numbers = numbers[start:end]
        if empty is not None and pc.any(empty).as_py():
            keep = pc.invert(empty)
            flags = keep.to_pylist()
            block.numbers = list(compress(block.numbers, flags))
            parts = [
                list(compress(p, flags)) if isinstance(p, list) else p.filter(keep) for p in parts
            ]
        for part in parts:
            if isinstance(part, list) and part.count(None) == len(part):
                part = pa.array([""] * len(part), pa.string())
            elif not isinstance(part, list) and not pa.types.is_string(part.type):
                if part.null_count == len(part):
                    part = pa.array([""] * len(part), pa.string())
                else:
                    part = _distinct_cells(part)
            block.append(part)
        if block.numbers:
            yield block
        start = end


def _rows_of(block: ColumnBlock) -> Iterator[tuple[int, list[CellValue]]]:
    """The block's rows as tables.py gives a sheet's rows (None for an empty cell)."""
    lists = [c if isinstance(c, list) else c.to_pylist() for c in block]
    for number, cells in zip(block.numbers, zip(*lists, strict=True), strict=True):
        yield number, [None if v == "" else v for v in cells]


def _sheet_blocks(numbers: list[int], columns: list[Any]) -> Iterator[tuple[int, list[CellValue]]]:
    """The sheet's first HEAD_ROWS rows with content (at least) as rows, then the rest as
    `ColumnBlock`s."""
    given = 0
    for block in _blocks(numbers, columns):
        if given < HEAD_ROWS:
            given += len(block.numbers)
            yield from _rows_of(block)
        else:
            yield block.numbers[0], block


def _check_kind(path: Path, head: bytes) -> None:
    """Refuse a workbook whose name says another kind than its content (an ODS named
    .xlsx, an xlsx named .xls): calamine reads by the name and fails with a message no
    person can act on ("File not found '_rels/.rels'", "Invalid OLE signature")."""
    import zipfile

    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_EXTENSIONS:
        return  # no workbook name (export.dat): calamine reads it by its content
    if head.startswith(WORKBOOK_MAGIC[1]):
        if suffix == ".xls":
            return
        # An OLE file is an .xls, or an encrypted (password-protected) xlsx; stream names
        # are UTF-16 in the file's directory.
        try:
            data = path.read_bytes()
        except OSError:
            return  # calamine says what is wrong with it
        if "EncryptedPackage".encode("utf-16-le") in data:
            message = "the workbook is password-protected; save a copy without a password"
            raise InputFileError("E-FORMAT", path.name, message)
        if "Workbook".encode("utf-16-le") not in data and "Book".encode("utf-16-le") not in data:
            return
        kind, right = "an Excel 97-2003 (.xls) workbook", ".xls"
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
        except (zipfile.BadZipFile, OSError, KeyError, ValueError):
            return  # calamine says what is wrong with it
        if b"opendocument.spreadsheet" in mimetype or (not mimetype and "content.xml" in names):
            kind, right = "an ODS (OpenDocument) workbook", ".ods"
        elif "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            kind, right = "an Excel (.xlsx) workbook", ".xlsx"
        else:
            what = "a text document" if mimetype or "word/document.xml" in names else "a zip"
            message = f"this is not an Excel or ODS workbook but {what} (a zip file)"
            raise InputFileError("E-FORMAT", path.name, message)
    if suffix == right or (right == ".xlsx" and suffix == ".xlsm"):
        return
    message = f"this is {kind} named {suffix}: rename it to {right}"
    raise InputFileError("E-FORMAT", path.name, message)


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
        # Content to the right of the header is kept, so the parser can name it.
        beyond = row[width:]
        end = width if beyond.count("") == len(beyond) else len(row)
        cells: list[CellValue] = [
            None if v == "" else (str(v) if isinstance(v, timedelta) else v) for v in row[:end]
        ]
        if len(cells) < width:
            cells.extend([None] * (width - len(cells)))
        yield number, cells
