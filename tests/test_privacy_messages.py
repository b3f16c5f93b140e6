"""A fødselsnummer or a person's name never reaches the database, a message or a log.

Names in id values ("P01 Amina Yusuf", "amina.yusuf") are refused as names (E-NAME-AS-ID,
never shown); every Problem passes one choke point (`errors.private`) that masks a
fødselsnummer and a name-like value or header wherever it was planted (header, id, gender,
municipality, country, note row, file-level message, file name), in the one-line log form
and the terminal table alike; words intd knows (municipalities, vocabulary, total labels)
stay visible.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from intdrammen.cli import app
from intdrammen.errors import ImportRejected, InputFileError, Problem, private
from intdrammen.ids import FNR_HIDDEN, NAME_HIDDEN, has_name, looks_like_name, mask_fnr

OFFICE = Path(__file__).parent / "fixtures" / "office"
FNR = "14039010195"  # P01's number in the base data
SECRETS = (FNR, "140390 10195", "Amina", "Yusuf", "Omar Haddad", "Kari Nordmann", "amina.yusuf")


def base(kind: str = "participants") -> list[list[str]]:
    with (OFFICE / f"base_{kind}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def run(tmp_path: Path, *args: str, **env: str) -> Any:
    db = tmp_path / "intd.sqlite"
    return CliRunner().invoke(app, ["--db", str(db), *args], env=env, catch_exceptions=False)


def assert_nothing_personal(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, (secret, text)


def stored_text(db: Path) -> str:
    """Every text value of every table of the database, as one string."""
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            str(value)
            for table in tables
            for row in conn.execute(f'SELECT * FROM "{table}"')
            for value in row
        )


# --- the rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "P01 Amina Yusuf",
        "Yusuf Omar (P02)",
        "Kiwi Strømsø – Amina Yusuf",
        "amina.yusuf",
        "amina.yusuf.02",
        "Amina_Yusuf_02",
        "Amina",
        "Amina Yusuf",
        "OLA NORDMANN",
        "Nordmann, Ola",
        "[P7] Anne-Lise Berg",
        "2019-Amina-Yusuf",
    ],
)
def test_names_in_ids_read_as_names(value: str) -> None:
    assert looks_like_name(value)


@pytest.mark.parametrize(
    "value",
    [
        "P-SUM1",
        "ABC-123",
        "NAV-0042",
        "D15038550060",
        "X-15038550060",
        "P0042",
        "2019/001",
        "PL-2019-001",
        "Kiwi-2019-01",
        "P 0042",
        "Side 1 av 2",
        "p0042",
        "course_active",
        "completed_outcome_work",
    ],
)
def test_codes_stay_ids(value: str) -> None:
    assert not looks_like_name(value)


def test_what_a_message_may_show() -> None:
    assert has_name("Utskrevet av saksbehandler Kari Nordmann")
    assert has_name("amina.yusuf") and has_name("P01 Amina Yusuf")
    for words in ("Kilde: NAV Drammen", "Side 1 av 3", "foreløpige tall", "Kvinne", "3005"):
        assert not has_name(words), words
    assert mask_fnr(f"deltakere_{FNR}.csv") == f"deltakere_{FNR_HIDDEN}.csv"
    assert mask_fnr("deltakere_140390 10195.xlsx") == f"deltakere_{FNR_HIDDEN}.xlsx"
    assert mask_fnr("P12345678901.csv") == "P12345678901.csv"  # not a valid number


def test_the_choke_point_masks_every_part_of_a_problem() -> None:
    raw = Problem(
        "E-MUNICIPALITY",
        "unknown municipality name 'Omar Haddad' (did you mean Marnardal?)",
        f"deltakere_{FNR}.csv",
        3,
        "Kari Nordmann",
        "Omar Haddad",
    )
    kept = private(raw)
    assert kept.file == f"deltakere_{FNR_HIDDEN}.csv"
    assert kept.column == NAME_HIDDEN and kept.value == NAME_HIDDEN
    assert kept.message == f"unknown municipality name {NAME_HIDDEN} (did you mean Marnardal?)"
    assert private(kept) == kept  # masking twice changes nothing
    fnr = private(Problem("W-COLUMN", f"column {FNR!r}", "a.csv", 1, "140390 10195", FNR))
    assert (fnr.column, fnr.value) == (FNR_HIDDEN, FNR_HIDDEN)
    assert FNR not in fnr.message


@pytest.mark.parametrize(
    "value",
    ["Nedre Eiker", "Sande", "Sum Syria", "Drammen Totalt", "fast jobb", "P0042", "31.12.2019"],
)
def test_words_intd_knows_stay_visible(value: str) -> None:
    assert (
        private(Problem("E-X", f"about {value!r}", "a.csv", 2, "municipality", value)).value
        == value
    )


def test_file_level_errors_pass_the_choke_point() -> None:
    error = InputFileError("E-COLUMN", f"x_{FNR}.csv", "header: 'Kari Nordmann', 'Amina Yusuf'")
    assert_nothing_personal(str(error))
    assert error.problem.file == f"x_{FNR_HIDDEN}.csv"
    rejected = ImportRejected(
        [Problem("E-GENDER", "unknown gender", "a.csv", 2, "kjønn", "Amina Yusuf")], 1
    )
    assert rejected.problems[0].value == NAME_HIDDEN


# --- through the CLI: the one-line form, the terminal table, the database -----------------


@pytest.mark.usefixtures("both_parse_paths")
@pytest.mark.parametrize(
    "kind,value",
    [
        ("participants", "P01 Amina Yusuf"),
        ("participants", "Yusuf Omar (P02)"),
        ("participants", "amina.yusuf"),
        ("placements", "Kiwi Strømsø – Amina Yusuf"),
        ("placements", "PL01 Amina Yusuf"),
    ],
)
def test_a_name_in_an_id_is_refused_and_never_shown(tmp_path: Path, kind: str, value: str) -> None:
    rows = base(kind)
    rows[1][0] = value
    path = write(tmp_path / f"{kind}.csv", rows)
    result = run(tmp_path, "import", str(path))
    assert result.exit_code == 1, result.output
    assert f"{kind}.csv:2:" in result.stderr and "E-NAME-AS-ID" in result.stderr
    assert value not in result.output
    assert_nothing_personal(result.output)
    assert not (tmp_path / "intd.sqlite").exists()


def test_codes_in_ids_are_imported_as_ids(tmp_path: Path) -> None:
    rows = base("placements")
    for row, code in zip(
        rows[1:], ["P-SUM1", "ABC-123", "NAV-0042", "X-15038550060", "2019/001"], strict=False
    ):
        row[0] = code
    result = run(tmp_path, "import", str(write(tmp_path / "p.csv", rows)))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "intd.sqlite") as conn:
        ids = {r[0] for r in conn.execute("SELECT placement_id FROM placements")}
    assert {"P-SUM1", "ABC-123", "NAV-0042", "X-15038550060", "2019/001"} <= ids


def test_a_fodselsnummer_or_a_name_as_a_header_cell_is_hidden(tmp_path: Path) -> None:
    rows = base()
    rows[0] += [FNR, "140390 10195", "Kari Nordmann"]
    for row in rows[1:]:
        row += ["", "", ""]
    result = run(tmp_path, "import", str(write(tmp_path / "fnrhdr.csv", rows)))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "W-COLUMN " in line]
    assert lines == [
        f"fnrhdr.csv:1:{FNR_HIDDEN}: W-COLUMN column not used by intd (ignored)",
        f"fnrhdr.csv:1:{FNR_HIDDEN}: W-COLUMN column not used by intd (ignored)",
        f"fnrhdr.csv:1:{NAME_HIDDEN}: W-COLUMN column not used by intd (ignored)",
    ]
    assert_nothing_personal(result.output)
    assert_nothing_personal(stored_text(tmp_path / "intd.sqlite"))


def spoiled(tmp_path: Path) -> Path:
    rows = base()
    rows[1][3] = "Amina Yusuf"  # gender
    rows[2][5] = "Omar Haddad"  # municipality
    rows[3][4] = f"Syria {FNR}"  # country
    rows[4][5] = "Sande"  # a municipality name: shown
    rows[5] = [rows[5][0], "Kari Nordmann", "1990"]  # a short row
    return write(tmp_path / "deltakere.csv", rows)


EXPECTED = [
    f"deltakere.csv:2:gender: E-GENDER unknown gender {NAME_HIDDEN}",
    f"deltakere.csv:3:municipality: E-MUNICIPALITY unknown municipality name {NAME_HIDDEN} "
    f"(did you mean Marnardal?) {NAME_HIDDEN}",
    "deltakere.csv:4:country: E-FNR-PLACE a fødselsnummer does not belong in this column "
    f"{FNR_HIDDEN}",
    "deltakere.csv:5:municipality: E-MUNICIPALITY-AMBIGUOUS 'Sande' is the name of several "
    "municipalities: 0713 Sande (Vestfold), 1514 Sande (Møre og Romsdal) (Sande)",
]


def test_names_and_numbers_in_values_are_hidden_in_the_lines(tmp_path: Path) -> None:
    result = run(tmp_path, "import", str(spoiled(tmp_path)))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    for line in EXPECTED:
        assert line in lines, (line, lines)
    short = [line for line in lines if "E-FIELDS this row" in line]
    assert len(short) == 1 and short[0].endswith(NAME_HIDDEN), short
    assert_nothing_personal(result.output)


def test_names_and_numbers_are_hidden_in_the_terminal_table(tmp_path: Path) -> None:
    result = run(tmp_path, "import", str(spoiled(tmp_path)), TTY_COMPATIBLE="1", COLUMNS="250")
    assert result.exit_code == 1
    assert "hidden: looks like a name" in result.output and "Sande" in result.output
    assert_nothing_personal(result.output)


def test_a_name_in_a_note_row_is_hidden(tmp_path: Path) -> None:
    rows = base()
    rows.append(["Utskrevet av saksbehandler Kari Nordmann"] + [""] * 10)
    rows.append(["Sum Syria", "", "2"] + [""] * 8)
    result = run(tmp_path, "import", str(write(tmp_path / "note.csv", rows)))
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert (
        f"note.csv:10:participant_id: W-NOTE-ROW a note, not data: passed over {NAME_HIDDEN}"
        in lines
    )
    assert (
        "note.csv:11:participant_id: W-TOTAL-ROW a total row, not data: passed over (Sum Syria)"
        in lines
    )
    assert_nothing_personal(result.output)


def test_a_file_level_message_never_lists_a_name_or_a_number(tmp_path: Path) -> None:
    rows = base()
    rows[0][0] = "Kari Nordmann"  # no participant id column: the header is listed
    rows[0][4] = FNR
    result = run(
        tmp_path, "import", "--kind", "participants", str(write(tmp_path / "hode.csv", rows))
    )
    assert result.exit_code == 1
    assert "E-COLUMN" in result.output or "E-NO-HEADER" in result.output
    assert_nothing_personal(result.output)


def test_a_fodselsnummer_in_the_file_name_is_masked_everywhere(tmp_path: Path) -> None:
    path = write(tmp_path / f"deltakere_{FNR}.csv", base())
    result = run(tmp_path, "import", str(path))
    assert result.exit_code == 0, result.output
    assert FNR not in result.output
    with sqlite3.connect(tmp_path / "intd.sqlite") as conn:
        assert conn.execute("SELECT file FROM batches").fetchall() == [
            (f"deltakere_{FNR_HIDDEN}.csv",)
        ]
    assert FNR not in stored_text(tmp_path / "intd.sqlite")
    history = run(tmp_path, "imports")
    assert history.exit_code == 0 and "deltakere_" in history.output
    assert FNR not in history.output
    rows = base()
    rows[1][3] = "X"
    bad = write(tmp_path / f"ny_{FNR}.csv", rows)
    refused = run(tmp_path, "import", str(bad))
    assert refused.exit_code == 1
    assert f"ny_{FNR_HIDDEN}.csv:2:gender: E-GENDER" in refused.stderr
    assert FNR not in refused.output
    empty = tmp_path / f"tom_{FNR}.csv"
    empty.write_bytes(b"")
    nothing = run(tmp_path, "import", str(empty))
    assert nothing.exit_code == 1 and "E-EMPTY" in nothing.output
    assert FNR not in nothing.output


def _privacy_traps() -> list[dict[str, Any]]:
    import tomllib

    traps = tomllib.loads((OFFICE / "traps.toml").read_text("utf-8"))["trap"]
    return [t for t in traps if t["made_by"] == "make_privacy.py"]


@pytest.mark.parametrize("trap", _privacy_traps(), ids=lambda t: t["file"])
def test_no_privacy_trap_shows_or_stores_what_it_plants(
    tmp_path: Path, trap: dict[str, Any]
) -> None:
    other = OFFICE / (
        "base_placements.csv" if trap["kind"] == "participants" else "base_participants.csv"
    )
    result = run(tmp_path, "import", str(other), str(OFFICE / trap["file"]))
    assert result.exit_code == (1 if trap["expect"] == "refused" else 0), result.output
    assert_nothing_personal(result.output)
    if result.exit_code == 0:
        assert_nothing_personal(stored_text(tmp_path / "intd.sqlite"))
        shown = run(tmp_path, "imports")
        assert shown.exit_code == 0, shown.output
        assert_nothing_personal(shown.output)
