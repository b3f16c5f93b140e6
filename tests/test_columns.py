"""Which column is which: alias ranks, --map (inline, files, "ignore"), names refused as
ids, forced kinds, the header a file needs, letter-prefixed ids and rejected-rows files
read back. Real files, real SQLite, the CLI through CliRunner."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, write_csv
from intdrammen.errors import HINTS, ConfigError
from intdrammen.ids import contains_fnr, fnr_problem, is_prefixed_id, looks_like_name, make_fnr
from intdrammen.importers import parse_mapping
from intdrammen.importers.columns import (
    FIELDS,
    RANKED,
    column_key,
    detect_kind,
    match_columns,
)

FNR = make_fnr(date(1990, 5, 17), 123) or ""
FNR2 = make_fnr(date(1985, 3, 15), 500) or ""
NAMES = ["Amina Yusuf", "Omar Haddad", "Hodan Abdi Warsame", "Nordmann, Kari"]
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def ids(db: Path, table: str = "participants", column: str = "participant_id") -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute(f"SELECT {column} FROM {table} ORDER BY 1")]


def text_file(path: Path, content: str, encoding: str = "utf-8") -> Path:
    path.write_text(content, encoding=encoding)
    return path


# --- ranks ---------------------------------------------------------------------------


def test_an_exact_alias_beats_a_loose_one_before_it():
    header = ["Deltaker", "Deltakernr", "Kjønn"]
    assert match_columns(header, "participants") == {1: "participant_id", 2: "gender"}
    assert match_columns(["Start", "Startdato"], "placements") == {1: "start_date"}
    # The field's own name beats an exact alias; of equals the first is read.
    assert match_columns(["deltaker_id", "participant_id"], "participants") == {1: "participant_id"}
    assert match_columns(["Kjønn", "kjonn"], "participants") == {0: "gender"}


def test_map_beats_every_alias_and_can_ignore():
    header = ["Deltakernr", "Løpenr", "Født", "Fødselsår"]
    mapping = {"Løpenr": "participant_id", "Født": "ignore"}
    assert match_columns(header, "participants", mapping) == {
        1: "participant_id",
        3: "birth_year",
    }
    # Mapped to a field of the other kind: not read in this kind of file.
    assert match_columns(["Hva", "deltaker_id"], "participants", {"Hva": "type"}) == {
        1: "participant_id"
    }


def test_column_names_compare_without_separators_line_breaks_or_invisible_marks():
    for name in ("Deltaker\nnr", "Deltaker nr", "deltaker-nr", "DELTAKER_NR", "Deltaker\u00adnr"):
        assert column_key(name) == column_key("Deltakernr"), name
    assert column_key("national_id (not copied)") == column_key("national_id")


def test_alias_names_do_not_collide_and_loose_names_are_aliases():
    for fields in FIELDS.values():
        seen: dict[str, str] = {}
        for f in fields:
            assert set(f.loose) <= set(f.aliases), f.name
            for name in (f.name, *f.aliases):
                assert seen.setdefault(column_key(name), f.name) == f.name, name
    assert (
        RANKED["participants"][column_key("deltaker")][1]
        > RANKED["participants"][column_key("deltakernr")][1]
    )


def test_birth_date_is_not_the_fodselsnummer():
    header = ["deltaker_id", "Fødselsdato", "Fødselsnummer"]
    assert match_columns(header, "participants") == {
        0: "participant_id",
        1: "birth_year",
        2: "national_id",
    }


def test_names_before_ids_in_a_32_column_export_the_ids_are_read(tmp_path, cli, db):
    header = ["Deltaker", "Deltakernr", *[f"Felt {i}" for i in range(28)], "Kjønn", "Kommune"]
    rows = [[NAMES[i], f"P0{i}", *[""] * 28, "K", "3005"] for i in range(3)]
    path = write_csv(tmp_path / "eksport.csv", header, rows, delimiter=";")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert ids(db) == ["P00", "P01", "P02"]
    assert "only 'Deltakernr' is read" in result.output
    explain = cli("explain", "--goal", "id-2016-2020", "--year", "2019")
    for name in NAMES:
        assert name not in explain.output and name not in result.output


# --- --map ---------------------------------------------------------------------------


def test_map_inline_and_repeated_and_quoted(tmp_path, cli, db):
    path = text_file(
        tmp_path / "x.csv",
        "Deltaker;Nr;Født;Kjønn;Kommune\nAmina Yusuf;P1;Asmara;K;3005\n",
    )
    result = cli("import", str(path), "--map", "Nr=participant_id", "--map", '"Født" = "ignore"')
    assert result.exit_code == 0, result.output
    assert ids(db) == ["P1"]
    assert "'Født'" not in result.output  # ignored: no warning
    assert "only 'Nr' is read (as --map says)" in result.output


def test_map_file_form_still_works_with_ignore(tmp_path, cli, db):
    mapping = text_file(
        tmp_path / "kolonner.toml", '[columns]\n"Løpenr" = "participant_id"\nMerknad = "ignore"\n'
    )
    path = text_file(tmp_path / "x.csv", "Løpenr;Merknad;kommune\nD7;tolk;3005\n")
    result = cli("import", "--map", str(mapping), "--map", "kommune=municipality", str(path))
    assert result.exit_code == 0, result.output
    assert ids(db) == ["D7"] and "W-COLUMN" not in result.output


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        ("Nr=", "write a column name and a field"),
        ("=participant_id", "write a column name and a field"),
        ("Nr=deltaker", "did you mean 'participant_id'"),
        ("Nr=participant_i", "did you mean 'participant_id'"),
        ("finnes-ikke.toml", "no such mapping file"),
    ],
)
def test_a_bad_map_is_a_clear_error(tmp_path, cli, db, spec, said):
    path = text_file(tmp_path / "x.csv", "Nr;kommune\nD7;3005\n")
    result = cli("import", str(path), "--map", spec)
    assert result.exit_code == 1
    assert said in result.output and "E-MAP" in result.output
    assert "Traceback" not in result.output and not db.exists()


def test_one_column_mapped_two_ways_is_refused():
    with pytest.raises(ConfigError, match="mapped to both"):
        parse_mapping(["Nr=participant_id", "nr=placement_id"])
    assert parse_mapping(["Nr=participant_id", "Nr = participant_id"]) == {"Nr": "participant_id"}


def test_two_columns_mapped_to_one_field_is_refused(tmp_path, cli, db):
    path = text_file(tmp_path / "x.csv", "A;B;kommune\nD1;D2;3005\n")
    result = cli("import", str(path), "--map", "A=participant_id", "--map", "B=participant_id")
    assert result.exit_code == 1
    assert "E-MAP" in result.output and "'A' and 'B'" in result.output
    assert not db.exists()


def test_a_map_naming_no_column_warns(tmp_path, cli, db):
    path = text_file(tmp_path / "x.csv", "deltaker_id;kommune\nD1;3005\n")
    result = cli("import", str(path), "--map", "Deltakernummer=participant_id")
    assert result.exit_code == 0, result.output
    assert "W-MAP-UNUSED" in result.output and "'Deltakernummer'" in result.output


# --- names are not ids ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["Amina Yusuf", "Nordmann, Kari", "OLA NORDMANN", "Anne-Lise O'Neil", "K. Hansen", "Amina"],
)
def test_looks_like_a_name(value):
    assert looks_like_name(value)


@pytest.mark.parametrize("value", ["P0042", "12345", "D-17", "ABC", "x", "A B C D E F G", "P 1"])
def test_does_not_look_like_a_name(value):
    assert not looks_like_name(value)


def test_a_column_of_names_as_the_only_id_is_refused_and_never_shown(
    tmp_path, cli, db, both_parse_paths
):
    rows = "".join(
        f"{name};K;3005\n" if "," not in name else f'"{name}";K;3005\n' for name in NAMES
    )
    path = text_file(tmp_path / "navn.csv", "Deltaker;Kjønn;Kommune\n" + rows)
    for args in ([], ["--on-error", "skip"]):
        result = cli("import", str(path), *args)
        assert result.exit_code == 1, result.output
        assert "E-NAME-AS-ID" in result.output and "'Deltaker'" in result.output
        assert "person's name" in result.output
        for name in NAMES:
            assert name not in result.output and name.split()[0] not in result.output
        assert not db.exists()


def test_one_name_among_ids_refuses_that_row_without_showing_it(
    tmp_path, cli, db, both_parse_paths
):
    # The name is in row 80, after the rows the column is judged on.
    lines = [f"P{i:04d};K;3005" for i in range(100)]
    lines[78] = "Omar Haddad;M;3005"
    path = text_file(tmp_path / "ids.csv", "deltaker_id;kjønn;kommune\n" + "\n".join(lines) + "\n")
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "E-NAME-AS-ID" in result.output and "Omar" not in result.output
    assert "ids.csv:80:deltaker_id: E-NAME-AS-ID" in result.output
    skipped = cli("import", "--on-error", "skip", str(path))
    assert skipped.exit_code == 0, skipped.output
    assert len(ids(db)) == 99 and "Omar Haddad" not in ids(db)
    rejected = (tmp_path / "ids.rejected.csv").read_text(encoding="utf-8-sig")
    assert "Omar" not in rejected and "E-NAME-AS-ID" in rejected


def test_a_column_of_names_is_passed_over_for_the_id_column_named_too(tmp_path, cli, db):
    # Two exact aliases: the first holds names, the second the ids a person sees.
    path = text_file(
        tmp_path / "x.csv",
        "Deltaker_id;Deltakernr;kommune\nYusuf, Amina;P1;3005\nHaddad, Omar;P2;3005\n",
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert ids(db) == ["P1", "P2"]
    assert "person's names" in result.output and "'Deltakernr' is read" in result.output
    assert "Yusuf" not in result.output


def test_names_mapped_as_the_id_are_refused(tmp_path, cli, db):
    path = text_file(
        tmp_path / "x.csv",
        "Deltaker;Deltakernr;kommune\nAmina Yusuf;P1;3005\nOmar Haddad;P2;3005\n",
    )
    result = cli("import", str(path), "--map", "Deltaker=participant_id")
    assert result.exit_code == 1
    assert "E-NAME-AS-ID" in result.output and "--map" in result.output
    assert "Amina" not in result.output and not db.exists()


def test_placement_ids_and_participant_ids_of_placements_refuse_names(tmp_path, cli, db):
    path = write_csv(
        tmp_path / "pl.csv",
        PLACEMENT_HEADER,
        [
            ["PL1", "Amina Yusuf", "jobb", "", "", "2019-01-01", "", "", ""],
            ["Omar Haddad", "D2", "jobb", "", "", "2019-01-01", "", "", ""],
            ["PL3", "D3", "jobb", "", "", "2019-01-01", "", "", ""],
        ],
    )
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert result.output.count("E-NAME-AS-ID") >= 2
    assert "Amina" not in result.output and "Omar" not in result.output


# --- kinds and headers ---------------------------------------------------------------


def test_a_forced_kind_that_the_header_contradicts_is_refused(tmp_path, cli, db):
    path = write_csv(
        tmp_path / "pl.csv",
        PLACEMENT_HEADER,
        [["PL1", "D1", "jobb", "", "", "2019-01-01", "", "", ""]],
    )
    result = cli("import", "--kind", "participants", str(path))
    assert result.exit_code == 1
    assert "E-KIND" in result.output and "this is a placements file" in result.output
    assert "start_date" in result.output and not db.exists()
    assert cli("import", "--kind", "placements", str(path)).exit_code == 0


def test_a_forced_kind_without_its_required_columns_names_them(tmp_path, cli, db):
    path = text_file(tmp_path / "x.csv", "deltaker_id;kommune\nD1;3005\n")
    result = cli("import", "--kind", "placements", str(path))
    assert result.exit_code == 1
    assert "E-COLUMN" in result.output and "type, start_date" in result.output
    assert "--kind placements" in result.output


def test_no_header_says_what_each_kind_needs_for_text_and_workbooks(tmp_path, cli, db):
    import openpyxl

    csv_file = text_file(tmp_path / "x.csv", "Navn;Adresse\nOla;Gata 1\n")
    book = openpyxl.Workbook()
    book.active.append(["Navn", "Adresse"])
    book.active.append(["Ola", "Gata 1"])
    book.save(tmp_path / "x.xlsx")
    for path in (csv_file, tmp_path / "x.xlsx"):
        result = cli("import", str(path))
        assert result.exit_code == 1 and "E-NO-HEADER" in result.output
        flat = " ".join(result.output.split())
        assert "participant_id (or deltaker_id)" in flat
        assert "participant_id, type and start_date" in flat
    for kind, fields in FIELDS.items():
        for f in fields:
            if f.required:
                assert f.name in HINTS["E-NO-HEADER"], (kind, f.name)


def test_a_column_of_the_other_kind_is_named_as_such(tmp_path, cli, db):
    path = text_file(
        tmp_path / "x.csv", "deltaker_id;kjønn;landbakgrunn;Startdato\nD1;K;Syria;01.01.2019\n"
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "a column of placements files (start_date)" in " ".join(result.output.split())


def test_a_column_of_names_is_said_to_be_not_read(tmp_path, cli, db):
    path = text_file(tmp_path / "x.csv", "Fullt navn;deltaker_id;kommune\nAmina Yusuf;P1;3005\n")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "intd keeps no names" in " ".join(result.output.split())
    assert "Amina" not in result.output


def test_a_header_cell_with_a_line_break(tmp_path, cli, db):
    path = text_file(tmp_path / "x.csv", '"Deltaker\nnr";"Kom-\nmune"\nP1;3005\n')
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert ids(db) == ["P1"]
    assert ids(db, column="municipality") == ["3005"]


def test_birth_year_from_a_birth_date(tmp_path, cli, db):
    path = text_file(
        tmp_path / "x.csv",
        f"deltaker_id;Fødselsnummer;Fødselsdato\nD1;{FNR};17.05.1990\nD2;;1985-03-15\n",
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert ids(db, column="birth_year") == [1985, 1990]


# --- identifiers and the fødselsnummer -------------------------------------------------


def test_letter_prefixed_ids_are_ids_but_a_bare_fodselsnummer_is_not(tmp_path, cli, db):
    digits = FNR2
    assert contains_fnr(digits) and is_prefixed_id(f"D{digits}")
    good = text_file(
        tmp_path / "p.csv",
        f"deltaker_id;kommune\nD{digits};3005\nX-{digits};3005\nP_{digits};3005\n",
    )
    result = cli("import", str(good))
    assert result.exit_code == 0, result.output
    assert ids(db) == [f"D{digits}", f"P_{digits}", f"X-{digits}"]
    placements = write_csv(
        tmp_path / "pl.csv",
        PLACEMENT_HEADER,
        [[f"PL{digits}", f"D{digits}", "jobb", "", "", "2019-01-01", "", "", ""]],
    )
    assert cli("import", str(placements)).exit_code == 0
    for bad in (digits, f"D {digits}"):
        path = text_file(tmp_path / "bad.csv", f"deltaker_id;kommune\n{bad};3005\n")
        result = cli("import", str(path))
        assert result.exit_code == 1 and "E-FNR-PLACE" in result.output, bad
        assert digits not in result.output
    hidden = text_file(tmp_path / "c.csv", f"deltaker_id;landbakgrunn\nD1;Syria D{digits}\n")
    assert "E-FNR-PLACE" in cli("import", str(hidden)).output


def test_fodselsnummer_digits_must_be_ascii(tmp_path, cli, db):
    arabic = FNR.translate(ARABIC)
    assert "0-9" in (fnr_problem(arabic) or "")
    assert contains_fnr(f"Syria {arabic}")  # hidden in free text: still found
    path = text_file(tmp_path / "x.csv", f"deltaker_id;fødselsnummer\nD1;{arabic}\n")
    result = cli("import", str(path))
    assert result.exit_code == 1 and "E-FNR" in result.output
    flat = " ".join(result.output.split())
    assert "0-9" in flat and "do not match" not in flat


def test_the_mark_of_a_hidden_fodselsnummer_is_not_an_id(tmp_path, cli, db):
    path = text_file(tmp_path / "x.csv", "deltaker_id;kommune\n(hidden: a fødselsnummer);3005\n")
    result = cli("import", str(path))
    assert result.exit_code == 1 and "E-PLACEHOLDER" in result.output


# --- rejected-rows files read back -----------------------------------------------------


def test_a_rejected_file_reads_back_with_the_fodselsnummer_typed_in(tmp_path, cli, db):
    path = write_csv(
        tmp_path / "deltakere.csv",
        PARTICIPANT_HEADER,
        [
            ["D1", FNR, 1990, "K", "", "3005", "", "", "", "", ""],
            ["D2", FNR2, 1985, "M", "", "3005", "31.02.2019", "", "", "", ""],
            [f"D{FNR2}", "", 1985, "M", "", "3005", "", "", "", "", "ukjent ord"],
        ],
    )
    result = cli("import", "--on-error", "skip", str(path))
    assert result.exit_code == 0, result.output
    rejected = tmp_path / "deltakere.rejected.csv"
    text = rejected.read_text(encoding="utf-8-sig")
    assert "national_id (not copied)" in text and FNR2 not in text.replace(f"D{FNR2}", "")
    assert f"D{FNR2}" in text  # a prefixed id is copied as it is
    fixed = text.replace("31.02.2019", "28.02.2019").replace("ukjent ord", "")
    lines = fixed.splitlines()
    # Type the fødselsnummer back into its column (the fourth: row;problems;id;national_id).
    cells = lines[1].split(";")
    cells[3] = FNR2
    lines[1] = ";".join(cells)
    rejected.write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = cli("import", str(rejected))
    assert again.exit_code == 0, again.output
    flat = " ".join(again.output.split())
    assert "national_id (not copied)" not in flat and "column not used" not in flat
    assert "rejected-rows file" in flat
    with sqlite3.connect(db) as conn:
        keyed = conn.execute(
            "SELECT participant_id, person_key IS NOT NULL FROM participants ORDER BY 1"
        ).fetchall()
    assert keyed == [("D1", 1), (f"D{FNR2}", 0), ("D2", 1)]


def test_detect_kind_uses_ranked_columns():
    assert detect_kind(["Deltaker", "Deltakernr", "Kjønn"]) == "participants"
    assert detect_kind(["Deltaker", "Type", "Start"]) == "placements"
