"""The low-level reader: bytes on disk -> header + numbered rows (importers/tables.py)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from intdrammen.errors import InputFileError
from intdrammen.importers.tables import (
    CHUNK,
    LINE_LIMIT,
    CellValue,
    Table,
    file_info,
    read_tables,
)

# Every test here runs with text files read by pyarrow and from their rows.
pytestmark = pytest.mark.usefixtures("both_parse_paths")

FIXTURES = Path(__file__).parent / "fixtures"

PARTICIPANT_HEADER = [
    "deltaker_id",
    "fødselsnummer",
    "fødselsår",
    "kjønn",
    "landbakgrunn",
    "kommune",
    "bosettingsdato",
    "intro_start",
    "intro_slutt",
    "sluttårsak",
    "resultat",
]
PLACEMENT_HEADER = [
    "placement_id",
    "deltaker_id",
    "type",
    "orgnr",
    "arbeidsgiver",
    "startdato",
    "sluttdato",
    "stillingsprosent",
    "kanal",
]
KNOWN = {name.lower() for name in PARTICIPANT_HEADER + PLACEMENT_HEADER}


def score(cells: Sequence[str]) -> int:
    return sum(1 for cell in cells if cell.lower() in KNOWN)


def tables(path: Path, **kwargs: object) -> list[Table]:
    return read_tables(path, score_header=score, **kwargs)  # type: ignore[arg-type]


def one(name: str | Path, **kwargs: object) -> tuple[Table, list[tuple[int, list[CellValue]]]]:
    path = name if isinstance(name, Path) else FIXTURES / name
    (table,) = tables(path, **kwargs)
    return table, list(table.rows)


def by_id(rows: list[tuple[int, list[CellValue]]]) -> dict[object, tuple[int, list[CellValue]]]:
    return {cells[0]: (number, cells) for number, cells in rows}


def read_all(path: Path, **kwargs: object) -> None:
    for table in tables(path, **kwargs):
        list(table.rows)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --- text files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "header_row", "numbers"),
    [
        ("participants_semicolon_cp1252.csv", "cp1252", ";", 1, [2, 3, 4, 5]),
        ("participants_utf8_bom.csv", "utf-8-sig", ";", 1, [2, 3, 4, 5]),
        ("participants_utf16.txt", "utf-16", "\t", 1, [2, 3, 4, 5]),
        ("placements_comma_utf8.csv", "utf-8", ",", 1, [2, 3, 4]),
        ("placements_tab.tsv", "utf-8", "\t", 1, [2, 3, 4]),
        ("placements_pipe.txt", "utf-8", "|", 1, [2, 3, 4]),
        ("placements_quoted.csv", "utf-8", ",", 1, [2, 3, 4, 6]),
        ("participants_title_rows.csv", "cp1252", ";", 3, [4, 5, 7]),
        ("placements_nbsp_whitespace.csv", "utf-8", ";", 1, [2, 3]),
    ],
)
def test_text_shapes(
    name: str, encoding: str, delimiter: str, header_row: int, numbers: list[int]
) -> None:
    assert file_info(FIXTURES / name).encoding == encoding
    table, rows = one(name)
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert (table.file, table.sheet, table.header_row) == (name, None, header_row)
    assert [number for number, _ in rows] == numbers
    assert all(len(cells) == len(table.header) for _, cells in rows)
    assert all(isinstance(cell, str) for _, cells in rows for cell in cells)


@pytest.mark.parametrize(
    "name",
    [
        "participants_semicolon_cp1252.csv",
        "participants_utf8_bom.csv",
        "participants_utf16.txt",
        "participants_title_rows.csv",
    ],
)
def test_participants_decode_the_same_in_every_encoding(name: str) -> None:
    table, rows = one(name)
    assert table.header == PARTICIPANT_HEADER  # BOM gone, trailing empty columns dropped
    first = by_id(rows)["D001"][1]
    assert first[5] == "Øvre Eiker"
    assert first[6:11] == ["15.08.2018", "01.10.2018", "30.09.2020", "fullført", "arbeid"]
    assert by_id(rows)["D003"][1][4:6] == ["Sør-Sudan", "Ål"]
    assert by_id(rows)["D002"][1][8:] == ["", "", ""]


def test_blank_rows_are_skipped_but_counted() -> None:
    _, rows = one("participants_title_rows.csv")
    # Line 6 is a run of ';' inside the data; lines 8-9 trail the table.
    assert [(number, cells[0]) for number, cells in rows] == [(4, "D001"), (5, "D002"), (7, "D003")]


def test_quoted_fields_survive_and_rows_count_physical_lines() -> None:
    _, rows = one("placements_quoted.csv")
    employers = {cells[0]: (number, cells[4]) for number, cells in rows}
    assert employers == {
        "P010": (2, "Hansen, Olsen & Co AS"),
        "P011": (3, 'Kafé "Sentrum" AS'),
        "P012": (4, "Drammen\nBygg AS"),  # spans lines 4-5
        "P013": (6, 'Norsk; Språk "Senter", Drammen'),
    }


def test_nbsp_and_spaces_are_cleaned_in_headers_only() -> None:
    table, rows = one("placements_nbsp_whitespace.csv")
    assert table.header == [
        *PLACEMENT_HEADER[:7],
        "stillings prosent",
        "kanal",
        "timer",
    ]
    first, second = (cells for _, cells in rows)
    assert first[4] == " Drammen  kommune "
    assert (first[7], second[7]) == ("37,5", "50\u00a0%")
    assert (first[9], second[9]) == ("1\u00a0000", "1 000")


def test_header_only_file_has_no_rows() -> None:
    table, rows = one("header_only.csv")
    assert table.header == PARTICIPANT_HEADER
    assert rows == []


def test_pipe_file_with_decimal_commas_is_not_read_as_comma_separated() -> None:
    table, rows = one("placements_pipe.txt")
    assert table.header == PLACEMENT_HEADER
    assert by_id(rows)["P002"][1][7] == "37,5"


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("empty.csv", "E-EMPTY", "empty"),
        ("binary.csv", "E-BINARY", "binary"),
        ("latin1_invalid.csv", "E-ENCODING", "pass --encoding"),
        ("long_line.csv", "E-LINE-TOO-LONG", "row 3"),
        ("no_header.csv", "E-NO-HEADER", "(first row: 'Navn', 'Adresse', 'Telefon', 'E-post')"),
    ],
)
def test_bad_files_raise_with_their_code(name: str, code: str, words: str) -> None:
    with pytest.raises(InputFileError) as caught:
        read_all(FIXTURES / name)
    assert caught.value.code == code
    assert caught.value.problem.file == name
    assert words in caught.value.message


def test_file_info_errors(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as caught:
        file_info(tmp_path / "missing.csv")
    assert caught.value.code == "E-FILE"
    with pytest.raises(InputFileError) as caught:
        file_info(tmp_path)
    assert caught.value.code == "E-FILE"
    with pytest.raises(InputFileError) as caught:
        file_info(FIXTURES / "latin1_invalid.csv")
    assert caught.value.code == "E-ENCODING"


READABLE = sorted(
    p.name
    for p in FIXTURES.iterdir()
    if p.suffix in {".csv", ".tsv", ".txt", ".xlsx"}
    and p.name not in {"empty.csv", "binary.csv", "latin1_invalid.csv"}
)


@pytest.mark.parametrize("name", READABLE)
def test_file_info_hash_and_size(name: str) -> None:
    path = FIXTURES / name
    data = path.read_bytes()
    info = file_info(path)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size == len(data)
    assert (info.encoding is None) == name.endswith(".xlsx")


def test_utf8_character_split_across_chunks(tmp_path: Path) -> None:
    head = "deltaker_id;kommune\r\n"
    filler = "x" * (CHUNK - len(head) - 1)
    path = write(tmp_path / "split.csv", head + filler + "ø\r\n")
    assert path.read_bytes()[CHUNK - 1 : CHUNK + 1] == "ø".encode()
    assert file_info(path).encoding == "utf-8"


def test_cp1252_found_after_the_first_chunk(tmp_path: Path) -> None:
    text = "deltaker_id;kommune\r\n" + "D1;Drammen\r\n" * (CHUNK // 10) + "D2;Øvre Eiker\r\n"
    path = write(tmp_path / "late.csv", text, "cp1252")
    assert file_info(path).encoding == "cp1252"
    _, rows = one(path)
    assert rows[-1] == (CHUNK // 10 + 2, ["D2", "Øvre Eiker"])


@pytest.mark.parametrize(
    "data",
    [
        b"deltaker_id;kommune\r\nD1;\xd8vre\x01Eiker\r\n",  # a control character
        b"\xef\xbb\xbfdeltaker_id;kommune\r\nD1;\xd8vre Eiker\r\n",  # BOM, then cp1252
        b"\xff\xfed\x00e\x00l\x00x",  # UTF-16 cut in the middle of a character
    ],
)
def test_text_that_is_not_what_it_claims(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(data)
    with pytest.raises(InputFileError) as caught:
        file_info(path)
    assert caught.value.code == "E-ENCODING"


def test_forced_encoding(tmp_path: Path) -> None:
    table, rows = one("participants_semicolon_cp1252.csv", encoding="windows-1252")
    assert table.encoding == "cp1252"
    assert by_id(rows)["D001"][1][5] == "Øvre Eiker"
    # The user's word goes, even where detection refused.
    table, rows = one("latin1_invalid.csv", encoding="latin-1")
    assert rows[-1][1][1] == "\x90vre Eiker"
    with pytest.raises(InputFileError) as caught:
        read_all(FIXTURES / "placements_comma_utf8.csv", encoding="no-such-codec")
    assert caught.value.code == "E-ENCODING"


@pytest.mark.parametrize("bad_line", [3, 500])
def test_forced_encoding_decode_error_names_the_row(tmp_path: Path, bad_line: int) -> None:
    lines = ["deltaker_id;kommune"] + [f"D{i};Drammen" for i in range(2, bad_line)]
    lines += ["DX;Øvre Eiker", "DY;Lier"]
    path = write(tmp_path / "cp.csv", "\r\n".join(lines) + "\r\n", "cp1252")
    with pytest.raises(InputFileError) as caught:
        read_all(path, encoding="utf-8")
    assert caught.value.code == "E-ENCODING"
    assert f"row {bad_line}, column 'kommune':" in caught.value.message


def test_title_rows_with_commas_do_not_decide_the_delimiter(tmp_path: Path) -> None:
    text = "Rapport, Drammen, 2020\r\n\r\ndeltaker_id;kommune;kjønn\r\nD1;Lier;K\r\n"
    table, rows = one(write(tmp_path / "t.csv", text))
    assert (table.delimiter, table.header_row, table.header) == (
        ";",
        3,
        ["deltaker_id", "kommune", "kjønn"],
    )
    assert rows == [(4, ["D1", "Lier", "K"])]


def test_short_rows_and_extra_values_are_kept_for_the_importer(tmp_path: Path) -> None:
    # Empty trailing fields are dropped; a short row keeps its count and values beyond
    # the header are kept, so the importer can reject the row (E-FIELDS) instead of
    # reading it as something it is not.
    text = "deltaker_id;kommune;kjønn\nD1;Lier\nD2;Lier;K;extra;more\n;;;only-extra\nD3;;;\n"
    table, rows = one(write(tmp_path / "ragged.csv", text))
    assert table.header == ["deltaker_id", "kommune", "kjønn"]
    assert rows == [
        (2, ["D1", "Lier"]),
        (3, ["D2", "Lier", "K", "extra", "more"]),
        (4, ["", "", "", "only-extra"]),
        (5, ["D3", "", ""]),
    ]


def test_old_mac_line_endings(tmp_path: Path) -> None:
    _, rows = one(write(tmp_path / "mac.csv", "deltaker_id;kommune\rD1;Lier\r\rD2;Hol\r"))
    assert rows == [(2, ["D1", "Lier"]), (4, ["D2", "Hol"])]


def test_header_scan_counts_non_blank_rows_and_ties_go_to_the_first(tmp_path: Path) -> None:
    header = "deltaker_id;kommune\n"
    text = "\n" * 30 + "Tittel\n" + header + header + "D1;Lier\n"
    table, rows = one(write(tmp_path / "late.csv", text))
    assert table.header_row == 32
    assert rows == [(33, ["deltaker_id", "kommune"]), (34, ["D1", "Lier"])]

    notes = "".join(f"note {i}\n" for i in range(25))
    path = write(tmp_path / "deep.csv", notes + header + "D1;Lier\n")
    with pytest.raises(InputFileError) as caught:
        read_all(path)
    assert caught.value.code == "E-NO-HEADER"
    assert one(path, scan_rows=30)[0].header_row == 26


def test_a_cell_longer_than_the_limit(tmp_path: Path) -> None:
    # Each physical line is short, but the quoted cell spans them and passes 1 MiB.
    cell = ("y" * 1000 + "\n") * (LINE_LIMIT // 1000 + 5)
    text = 'deltaker_id;kommune\nD1;Lier\nD2;"' + cell + '"\n'
    with pytest.raises(InputFileError) as caught:
        read_all(write(tmp_path / "cell.csv", text))
    assert caught.value.code == "E-LINE-TOO-LONG"
    assert "row 3" in caught.value.message


def test_a_workbook_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    shutil.copy(FIXTURES / "workbook_xlsxwriter.xlsx", path)
    with pytest.raises(InputFileError) as caught:
        read_all(path)
    assert caught.value.code == "E-FORMAT"
    assert ".xlsx" in caught.value.message


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    book = tmp_path / "export"
    shutil.copy(FIXTURES / "workbook_xlsxwriter.xlsx", book)
    assert tables(book)[0].sheet == "Ark1"
    text = tmp_path / "export.dat"
    shutil.copy(FIXTURES / "placements_tab.tsv", text)
    assert tables(text)[0].delimiter == "\t"


def test_csv_rows_stream_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(PLACEMENT_HEADER) + "\r\n")
        for i in range(200_000):
            f.write(f"P{i},D{i},fast jobb,912345688,Bakeri Åsen AS,01.02.2020,,100,NAV\r\n")
    assert path.stat().st_size > 10 << 20
    tracemalloc.start()
    try:
        (table,) = tables(path)
        count = 0
        last = 0
        for number, _cells in table.rows:
            count += 1
            last = number
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (count, last) == (200_000, 200_001)
    assert peak < 10 << 20


def test_importing_the_module_does_not_load_calamine() -> None:
    code = "import sys, intdrammen.importers.tables; sys.exit('python_calamine' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- workbooks ------------------------------------------------------------------------


def test_openpyxl_workbook_finds_both_data_sheets() -> None:
    deltakere, plasseringer = tables(FIXTURES / "workbook_openpyxl.xlsx")
    assert (deltakere.sheet, plasseringer.sheet) == ("Deltakere", "Plasseringer")
    assert (deltakere.encoding, deltakere.delimiter) == (None, None)

    # Title in row 1, row 2 blank: the header is row 3 and the data rows 4-6.
    assert (deltakere.header, deltakere.header_row) == (PARTICIPANT_HEADER, 3)
    rows = list(deltakere.rows)
    assert [number for number, _ in rows] == [4, 5, 6]
    d001 = rows[0][1]
    assert d001[6] == date(2018, 8, 15)
    assert type(d001[6]) is date
    assert d001[2] == 1990
    d002 = rows[1][1]
    assert d002[5] == 602  # a code stored as a number comes back as 602.0
    assert d002[1] == "02118530015"  # text cell, leading zero kept
    assert d002[8:] == [None, None, None]  # empty cells are None

    assert (plasseringer.header, plasseringer.header_row) == (PLACEMENT_HEADER, 1)
    rows = list(plasseringer.rows)
    assert [number for number, _ in rows] == [2, 3]
    p001 = rows[0][1]
    assert p001[5] == 43922.0  # an Excel serial number typed in a General cell
    assert isinstance(p001[5], float)
    assert p001[6] == date(2020, 12, 31)
    assert p001[7] == 37.5
    assert rows[1][1][6] is None


def test_xlsxwriter_table_starting_at_b3() -> None:
    table, rows = one("workbook_xlsxwriter.xlsx")
    assert (table.sheet, table.header_row, table.header) == ("Ark1", 3, PLACEMENT_HEADER)
    # Row 6 is blank; rows 8-12 hold formatting only.
    assert [number for number, _ in rows] == [4, 5, 7]
    first = rows[0][1]
    assert first[0] == "P001"  # column B is the first column
    assert first[5] == date(2020, 11, 1)
    assert first[6] is None
    assert rows[-1][1][7] == 37.5


def test_sheet_selection() -> None:
    path = FIXTURES / "workbook_openpyxl.xlsx"
    (table,) = tables(path, sheet="plasseringer")
    assert table.sheet == "Plasseringer"

    with pytest.raises(InputFileError) as caught:
        tables(path, sheet="Ark2")
    assert caught.value.code == "E-SHEET"
    assert "'Info', 'Deltakere', 'Plasseringer'" in caught.value.message

    with pytest.raises(InputFileError) as caught:
        tables(path, sheet="Info")
    assert caught.value.code == "E-NO-HEADER"
    assert caught.value.problem.sheet == "Info"
    assert "first row: 'Eksport fra fagsystemet." in caught.value.message


def test_workbook_without_a_data_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Notater"
    wb.active["B2"] = "Ingen data her"
    wb.create_sheet("Tom")
    path = tmp_path / "notes.xlsx"
    wb.save(path)
    with pytest.raises(InputFileError) as caught:
        tables(path)
    assert caught.value.code == "E-NO-HEADER"
    assert "sheets looked at: 'Notater', 'Tom'" in caught.value.message


def test_header_row_with_padding_above_and_left(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C5"], ws["D5"] = "deltaker_id", "kommune"
    ws["C6"], ws["D6"] = "D1", 3301
    ws["D8"] = "Lier"
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    table, rows = one(path)
    assert (table.header_row, table.header) == (5, ["deltaker_id", "kommune"])
    assert rows == [(6, ["D1", 3301.0]), (8, [None, "Lier"])]


def test_corrupt_workbooks(tmp_path: Path) -> None:
    text = tmp_path / "really_text.xlsx"
    shutil.copy(FIXTURES / "placements_comma_utf8.csv", text)
    with pytest.raises(InputFileError) as caught:
        read_all(text)
    assert caught.value.code == "E-FORMAT"
    assert "rename it to .csv" in caught.value.message

    other_zip = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("hello.txt", "hei")
    with pytest.raises(InputFileError) as caught:
        read_all(other_zip)
    assert caught.value.code == "E-FORMAT"

    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes((FIXTURES / "workbook_xlsxwriter.xlsx").read_bytes()[:2000])
    with pytest.raises(InputFileError) as caught:
        read_all(truncated)
    assert caught.value.code == "E-FORMAT"


def test_ods_rows_keep_their_numbers(tmp_path: Path) -> None:
    # A minimal OpenDocument spreadsheet as LibreOffice writes one: empty rows are
    # compressed with number-rows-repeated, the table starts at B3.
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )

    def row(*cells: str, repeat: int = 1) -> str:
        start = f'<table:table-row table:number-rows-repeated="{repeat}"><table:table-cell/>'
        return start + "".join(cells) + "</table:table-row>"

    def text(value: str) -> str:
        cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
        return cell.format(value)

    day = '<table:table-cell office:value-type="date" office:date-value="2020-04-01"/>'
    rows = [
        row(repeat=2),
        row(text("deltaker_id"), text("kommune"), text("intro_start")),
        row(text("D1"), text("Lier"), day),
        row(repeat=3),
        row(text("D2")),
    ]
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
        '<office:body><office:spreadsheet><table:table table:name="Ark1">'
        f"{''.join(rows)}</table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        "</manifest:manifest>"
    )
    path = tmp_path / "libre.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    table, got = one(path)
    assert (table.sheet, table.header_row) == ("Ark1", 3)
    assert got == [(4, ["D1", "Lier", date(2020, 4, 1)]), (8, ["D2", None, None])]


def test_a_file_mixing_utf8_and_cp1252_is_refused_not_garbled(tmp_path: Path) -> None:
    # One line pasted from a UTF-8 export, one typed in Windows: no single reading is
    # right, so the file is refused rather than stored as "TromsÃ¸".
    path = tmp_path / "blandet.csv"
    path.write_bytes(b"deltaker_id;landbakgrunn\nD1;Troms\xc3\xb8\nD2;Troms\xf8\n")
    with pytest.raises(InputFileError) as caught:
        file_info(path)
    assert caught.value.code == "E-ENCODING" and "UTF-8 and part" in caught.value.message
    # A file that is Windows-1252 throughout still reads as such.
    plain = tmp_path / "windows.csv"
    plain.write_bytes("deltaker_id;landbakgrunn\nD2;Tromsø – nord\n".encode("cp1252"))
    assert file_info(plain).encoding == "cp1252"


def test_workbook_percent_cells_are_fractions_up_to_one() -> None:
    from intdrammen.importers.columns import ValueProblem, parse_percent

    # A workbook cell formatted as percent arrives as a fraction: 0.5 is 50 %, 1 is 100 %.
    assert [parse_percent(v) for v in (0.5, 1.0, 0.375, 37.5, 100.0)] == [
        50.0,
        100.0,
        37.5,
        37.5,
        100.0,
    ]
    # Text (CSV) is read as written; a share below one (0,5: half a position, or 0.5 %?)
    # is refused rather than guessed (a position below 1 % does not occur).
    assert [parse_percent(v) for v in ("1", "50 %", "37,5")] == [1.0, 50.0, 37.5]
    with pytest.raises(ValueProblem) as caught:
        parse_percent("0,5")
    assert caught.value.code == "E-RANGE" and "write 50" in caught.value.message
