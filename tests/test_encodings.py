"""Text encodings: each file is read in the encoding under which it is Norwegian text, or
refused with a message naming the encoding, the row and the column.

Files are written by Python's codecs and csv module in the encodings offices save in
(MacRoman with CR line ends as Excel for Mac, Windows-1252 with ';' as Norwegian Windows
Excel, UTF-16 with tabs as Excel's "Unicode text"); imports go through the CLI into real
SQLite.
"""

from __future__ import annotations

import codecs
import csv
import io
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intdrammen.errors import InputFileError
from intdrammen.importers.columns import score_header
from intdrammen.importers.tables import file_info, garbled, read_tables

OFFICE = Path(__file__).parent / "fixtures" / "office"
BASE_PARTICIPANTS = OFFICE / "base_participants.csv"
BASE_PLACEMENTS = OFFICE / "base_placements.csv"

HEADER = ["Deltakernr", "Kjønn", "Kommune", "Sluttårsak", "Arbeidsgiver"]
ROWS = [
    ["D1", "K", "3005", "fullført", "Kiwi Strømsø"],
    ["D2", "M", "3048", "avbrutt", "Byggmester Åsen"],
    ["D3", "K", "3049", "flyttet", "Lærling Æra ØST"],
]


def csv_text(
    header: list[str] = HEADER,
    rows: list[list[str]] = ROWS,
    *,
    delimiter: str = ";",
    newline: str = "\r\n",
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def cells(path: Path, **options: Any) -> tuple[str | None, list[str], list[list[Any]]]:
    (table,) = read_tables(path, score_header=score_header, **options)
    return table.encoding, table.header, [row for _, row in table.rows]


def refused(path: Path, **options: Any) -> InputFileError:
    with pytest.raises(InputFileError) as caught:
        cells(path, **options)
    assert caught.value.code == "E-ENCODING"
    return caught.value


@pytest.mark.parametrize(
    ("data", "detected"),
    [
        # Excel for Mac "CSV (Macintosh)": MacRoman, CR line ends.
        (csv_text(newline="\r").encode("mac_roman"), "mac-roman"),
        # MacRoman with Windows line ends: the letters alone decide.
        (csv_text().encode("mac_roman"), "mac-roman"),
        # Norwegian Windows Excel.
        (csv_text().encode("cp1252"), "cp1252"),
        (csv_text(newline="\r").encode("cp1252"), "cp1252"),  # CR only, but Windows letters
        # Latin-1 reads as Windows-1252 wherever the two agree (no bytes 0x80-0x9F).
        (csv_text().encode("latin-1"), "cp1252"),
        # Excel "Unicode text": UTF-16 with a byte order mark, tabs.
        (csv_text(delimiter="\t").encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + csv_text(delimiter="\t").encode("utf-16-be"), "utf-16"),
        # UTF-16 without a byte order mark: every other byte NUL.
        (csv_text(delimiter="\t").encode("utf-16-le"), "utf-16-le"),
        (csv_text(delimiter="\t").encode("utf-16-be"), "utf-16-be"),
        (csv_text().encode("utf-8-sig"), "utf-8-sig"),
        (csv_text().encode("utf-8"), "utf-8"),
    ],
)
def test_each_encoding_is_read_as_written(tmp_path: Path, data: bytes, detected: str) -> None:
    path = tmp_path / "fil.csv"
    path.write_bytes(data)
    assert file_info(path).encoding == detected
    encoding, header, rows = cells(path)
    assert (encoding, header, rows) == (detected, HEADER, ROWS)


def test_iso_8859_15_euro_sign_is_read_as_euro(tmp_path: Path) -> None:
    # ISO-8859-15 differs from Windows-1252 where it has € at A4 (Windows-1252: ¤).
    path = tmp_path / "latin9.csv"
    rows = [["D1", "K", "3005", "fullført", "Kiosk 5 € Strømsø"]]
    path.write_bytes(csv_text(rows=rows).encode("iso8859_15"))
    encoding, _, got = cells(path)
    assert (encoding, got) == ("iso8859-15", rows)


@pytest.mark.parametrize("codec", ["cp1252", "mac_roman", "utf-8", "utf-16"])
@pytest.mark.parametrize("letter", list("æøåÆØÅéüö"))
def test_a_single_letter_decides(tmp_path: Path, codec: str, letter: str) -> None:
    """One non-ASCII letter in the whole file is enough to tell Mac from Windows."""
    path = tmp_path / "kort.csv"
    text = f"deltaker_id;kommune\r\nD1;Bak{letter}en\r\n"
    path.write_bytes(text.encode(codec))
    _, _, rows = cells(path)
    assert rows == [["D1", f"Bak{letter}en"]]


NORWEGIAN_WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnoprstuvyzæøåÆØÅé -", min_size=1, max_size=12),
    min_size=1,
    max_size=6,
).filter(lambda words: any(not w.isascii() for w in words))


@settings(max_examples=60, deadline=None)
@given(words=NORWEGIAN_WORDS, codec=st.sampled_from(["cp1252", "mac_roman"]))
def test_norwegian_text_reads_right_in_mac_and_windows(
    tmp_path_factory: pytest.TempPathFactory, words: list[str], codec: str
) -> None:
    path = tmp_path_factory.mktemp("hyp") / "ord.csv"
    rows = [[f"D{i}", word] for i, word in enumerate(words)]
    path.write_bytes(csv_text(["deltaker_id", "landbakgrunn"], rows).encode(codec))
    _, _, got = cells(path)
    assert got == rows


def test_latin1_behind_a_utf8_bom_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + csv_text().encode("latin-1"))
    error = refused(path)
    # The header itself holds the first Latin-1 byte (Kjønn): named by its letter.
    assert (error.problem.row, error.problem.column) == (1, "B")
    assert "byte order mark" in error.message and "F8 ('ø' in Windows-1252)" in error.message
    assert "--encoding cp1252" in error.message
    # With the header in ASCII, the column is named by its header.
    ascii_header = ["Deltakernr", "Kjonn", "Kommune", "Sluttarsak", "Arbeidsgiver"]
    path.write_bytes(codecs.BOM_UTF8 + csv_text(ascii_header).encode("latin-1"))
    error = refused(path)
    assert (error.problem.row, error.problem.column) == (2, "Sluttarsak")
    assert "bom.csv, row 2, column 'Sluttarsak'" in error.message


def test_latin1_behind_a_utf8_bom_reads_when_the_encoding_is_given(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + csv_text().encode("latin-1"))
    encoding, header, rows = cells(path, encoding="latin-1")
    assert (encoding, header, rows) == ("iso8859-1", HEADER, ROWS)  # BOM bytes dropped


def test_mixed_encodings_are_refused_naming_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "blandet.csv"
    head = csv_text(rows=ROWS[:2]).encode("utf-8")
    path.write_bytes(head + "D3;K;3049;flyttet;Mester Grønn\r\n".encode("cp1252"))
    error = refused(path)
    assert (error.problem.row, error.problem.column) == (4, "Arbeidsgiver")
    assert "UTF-8 and part" in error.message and "'ø' in Windows-1252" in error.message
    # A MacRoman line pasted in likewise.
    path.write_bytes(head + "D3;K;3049;flyttet;Mester Grønn\r\n".encode("mac_roman"))
    error = refused(path)
    assert (error.problem.row, error.problem.column) == (4, "Arbeidsgiver")
    assert "'ø' in Mac (MacRoman)" in error.message


@pytest.mark.parametrize(("first", "then"), [("mac_roman", "cp1252"), ("cp1252", "mac_roman")])
def test_lines_of_two_8bit_encodings_are_refused(tmp_path: Path, first: str, then: str) -> None:
    """A Windows line pasted into a Mac file (or back): either reading garbles some
    letters, so neither is taken."""
    path = tmp_path / "to.csv"
    path.write_bytes(csv_text(rows=ROWS[:2]).encode(first) + "D3;K;3049;;Grønn\r\n".encode(then))
    error = refused(path)
    assert "so no one reading is right" in error.message
    assert (error.problem.row, error.problem.column) == (4, "Arbeidsgiver")  # the pasted line
    assert f"here is 'ø' in {'Windows-1252' if then == 'cp1252' else 'Mac'}" in error.message


def test_a_registered_sign_is_not_taken_for_a_mac_letter(tmp_path: Path) -> None:
    path = tmp_path / "merke.csv"
    rows = [["D1", "K", "3005", "fullført", "Coca-Cola® Strømsø"]]
    path.write_bytes(csv_text(rows=rows).encode("cp1252"))
    assert cells(path)[2] == rows


def test_a_multi_line_cell_is_numbered_by_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "linjer.csv"
    header = ["Deltakernr", "Kjonn", "Kommune", "Sluttarsak", "Arbeidsgiver"]
    rows = [["D1", "K", "3005", "avbrutt", "Kiwi\nStrømsø"], ["D2", "K", "3005", "", "x"]]
    path.write_bytes(codecs.BOM_UTF8 + csv_text(header, rows).encode("latin-1"))
    error = refused(path)
    assert (error.problem.row, error.problem.column) == (2, "Arbeidsgiver")


def test_a_bad_byte_in_a_title_row_is_named_by_column_letter(tmp_path: Path) -> None:
    path = tmp_path / "tittel.csv"
    path.write_bytes(
        codecs.BOM_UTF8 + b"Rapport;Drammen kommune\r\n\r\n" + csv_text().encode("latin-1")
    )
    error = refused(path)
    assert (error.problem.row, error.problem.column) == (3, "B")  # the header, Kjønn
    path.write_bytes(codecs.BOM_UTF8 + "Rapport;Drammensomr\xe5det\r\n\r\n".encode("latin-1"))
    path.write_bytes(path.read_bytes() + csv_text().encode("utf-8"))
    error = refused(path)
    assert (error.problem.row, error.problem.column) == (1, "B")


def test_double_encoded_utf8_is_refused_naming_the_cell(tmp_path: Path) -> None:
    path = tmp_path / "dobbel.csv"
    header, rest = csv_text().split("\r\n", 1)
    path.write_bytes(f"{header}\r\n{rest.encode('utf-8').decode('cp1252')}".encode())
    error = refused(path)
    assert (error.problem.row, error.problem.column) == (2, "Sluttårsak")
    assert "'Ã¸' where 'ø' was meant" in error.message
    assert "UTF-8" in error.message


def test_control_characters_are_refused_naming_the_cell(tmp_path: Path) -> None:
    path = tmp_path / "kontroll.csv"
    path.write_bytes(b"deltaker_id;kommune\r\nD1;Lier\r\nD2;\xd8vre\x01Eiker\r\n")
    error = refused(path)
    assert (error.problem.row, error.problem.column) == (3, "kommune")
    assert "control characters" in error.message and "byte 01" in error.message


def test_utf16_without_bom_that_does_not_decode_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "halv.txt"
    data = csv_text(delimiter="\t").encode("utf-16-le")
    at = data.index("Byggmester".encode("utf-16-le"))
    path.write_bytes(data[:at] + b"\xff\xdb" + data[at:])  # half a surrogate pair
    error = refused(path)
    assert (error.problem.row, error.problem.column) == (3, "Arbeidsgiver")
    assert "UTF-16 LE" in error.message and "--encoding cp1252" not in error.message


def test_forced_8bit_encoding_on_a_utf8_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf8.csv"
    path.write_bytes(csv_text().encode("utf-8"))
    error = refused(path, encoding="macintosh")
    assert (error.problem.row, error.problem.column) == (1, "Kjønn")
    assert "--encoding mac_roman would read its 'ø' as '√∏'" in error.message
    # An ASCII file reads the same in any of them.
    path.write_bytes(b"deltaker_id;kommune\r\nD1;Lier\r\n")
    assert cells(path, encoding="mac_roman")[2] == [["D1", "Lier"]]


@pytest.mark.parametrize(
    "text",
    ["F¿dselsnummer", "Fã¸dselsnummer", "FÃ¸dselsnummer", "KjÂnn", "Kj¯nn", "∆rlig", "Slutt√•rsak"],
)
def test_garbled_headers(text: str) -> None:
    assert garbled(text)


@pytest.mark.parametrize(
    "text",
    [
        "Språk",
        "Sluttårsak",
        "Fødselsår",
        "ÆRLIG",
        "Émile",
        "Lønn (€)",
        "Merknad – intern",
        "Straße",
    ],
)
def test_norwegian_headers_are_not_garbled(text: str) -> None:
    assert not garbled(text)


# --- through the CLI ----------------------------------------------------------------------


def mac_participants(tmp_path: Path, extra: str | None = None) -> Path:
    """The base participants as Excel for Mac writes them (Norwegian headers)."""
    with BASE_PARTICIPANTS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    header = [
        "Deltakernr",
        "Fødselsnummer",
        "Fødselsår",
        "Kjønn",
        "Landbakgrunn",
        "Kommune",
        "Bosettingsdato",
        "Introstart",
        "Introslutt",
        "Sluttårsak",
        "Resultat",
    ]
    if extra:
        header.append(extra)
        rows = [[*row, "x"] for row in rows]
    path = tmp_path / "deltakere_mac.csv"
    path.write_bytes(csv_text(header, rows, newline="\r").encode("mac_roman"))
    return path


def stored(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_mac_csv_imports_with_every_column(
    cli: Callable[..., Any], db: Path, tmp_path: Path
) -> None:
    """The reported case: a Mac CSV was read as Windows-1252, Fødselsnummer, Kjønn and
    Sluttårsak were dropped and the cohort fell to 0. Now every column is read."""
    result = cli("import", str(mac_participants(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "W-COLUMN" not in result.output
    assert stored(db, "SELECT count(*) FROM participants WHERE person_key IS NOT NULL") == [(8,)]
    assert stored(db, "SELECT count(*) FROM participants WHERE gender IS NOT NULL") == [(8,)]
    assert stored(db, "SELECT count(*) FROM participants WHERE intro_end_reason IS NOT NULL") == [
        (7,)
    ]
    placements = tmp_path / "plasseringer_mac.csv"
    placements.write_bytes(
        BASE_PLACEMENTS.read_text("utf-8").replace("\n", "\r").encode("mac_roman")
    )
    result = cli("import", str(placements))
    assert result.exit_code == 0, result.output
    names = {name for (name,) in stored(db, "SELECT DISTINCT employer_name FROM placements")}
    assert {"Kiwi Strømsø", "Mester Grønn", "Byggmester Åsen"} <= names


@pytest.mark.parametrize("spelling", ["mac_roman", "macintosh", "MacRoman"])
def test_encoding_option_accepts_mac_spellings(
    cli: Callable[..., Any], db: Path, tmp_path: Path, spelling: str
) -> None:
    result = cli("import", "--encoding", spelling, str(mac_participants(tmp_path)))
    assert result.exit_code == 0, result.output
    assert stored(db, "SELECT count(*) FROM participants WHERE gender IS NOT NULL") == [(8,)]


def test_import_help_names_the_encodings(cli: Callable[..., Any]) -> None:
    result = cli("import", "--help")
    assert result.exit_code == 0
    assert "mac_roman" in result.output and "cp1252" in result.output


def test_a_header_garbled_by_the_wrong_encoding_is_an_error(
    cli: Callable[..., Any], db: Path, tmp_path: Path
) -> None:
    result = cli("import", "--encoding", "cp1252", str(mac_participants(tmp_path)))
    assert result.exit_code == 1
    assert not db.exists()
    output = " ".join(result.output.split())
    assert "E-ENCODING" in output and "Traceback" not in output
    assert "deltakere_mac.csv:1:F¿dselsnummer: E-ENCODING" in output
    assert "Windows-1252" in output  # the encoding tried
    assert "it reads 'Fødselsnummer' (--encoding mac_roman)" in output  # and the way out


def test_a_windows_file_forced_to_mac_is_an_error(
    cli: Callable[..., Any], db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "windows.csv"
    path.write_bytes(csv_text().encode("cp1252"))
    result = cli("import", "--kind", "participants", "--encoding", "mac_roman", str(path))
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "E-ENCODING" in output and "'Kj¯nn'" in output and "--encoding cp1252" in output
    assert not db.exists()


def test_an_unknown_norwegian_column_stays_a_warning(
    cli: Callable[..., Any], db: Path, tmp_path: Path
) -> None:
    result = cli("import", str(mac_participants(tmp_path, extra="Språk")))
    assert result.exit_code == 0, result.output
    assert "W-COLUMN" in result.output and "Språk" in result.output


def test_refused_encoding_leaves_the_database_as_it_was(
    cli: Callable[..., Any], db: Path, tmp_path: Path
) -> None:
    assert cli("import", str(BASE_PARTICIPANTS), str(BASE_PLACEMENTS)).exit_code == 0
    before = db.read_bytes()
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + BASE_PLACEMENTS.read_text("utf-8").encode("latin-1"))
    result = cli("import", str(path))
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "bom.csv:2:employer_name: E-ENCODING" in output and "E-ENCODING" in output
    assert db.read_bytes() == before
