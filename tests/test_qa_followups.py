"""Cases found by trying intd as an office would, after the import rules were built."""

from __future__ import annotations

import sqlite3

from conftest import write_csv


def test_a_dot_date_column_read_month_first_is_named(tmp_path, cli, db):
    # Norwegian dot dates are day-first; one date only month-first reads (06.19.2017)
    # makes the column month-first, which must not happen silently.
    path = write_csv(
        tmp_path / "p.csv",
        ["placement_id", "participant_id", "type", "start_date"],
        [
            ["PL1", "P01", "fast jobb", "01.02.2018"],
            ["PL2", "P02", "fast jobb", "05.09.2016"],
            ["PL3", "P03", "fast jobb", "06.19.2017"],
        ],
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "p.csv::start_date: W-DATE-MONTH-FIRST" in result.output
    assert "'06.19.2017' has no month 19" in result.output
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT placement_id, start_date FROM placements"))
    assert stored == {"PL1": "2018-01-02", "PL2": "2016-05-09", "PL3": "2017-06-19"}


def test_plain_norwegian_dot_dates_give_no_warning(tmp_path, cli, db):
    path = write_csv(
        tmp_path / "p.csv",
        ["placement_id", "participant_id", "type", "start_date"],
        [["PL1", "P01", "fast jobb", "01.02.2018"], ["PL2", "P02", "fast jobb", "31.12.2019"]],
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "W-DATE" not in result.output


def test_a_year_shown_as_a_date_in_a_csv_birth_year_is_a_date(tmp_path, cli, db):
    # Excel shows 1990 formatted as a date as 12.06.1905, and writes that to CSV.
    path = write_csv(tmp_path / "d.csv", ["participant_id", "birth_year"], [["P01", "12.06.1905"]])
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "d.csv:2:birth_year: E-NUMBER-DATE" in result.output
    assert "the year 1990 formatted as a date" in result.output
    # A real birth date gives its year.
    born = write_csv(tmp_path / "e.csv", ["participant_id", "Fødselsdato"], [["P01", "14.03.1990"]])
    assert cli("import", str(born)).exit_code == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT birth_year FROM participants").fetchall() == [(1990,)]


def test_a_total_or_note_row_does_not_make_the_id_column_look_like_names(tmp_path, cli, db):
    path = write_csv(
        tmp_path / "d.csv",
        ["participant_id", "municipality"],
        [["P1", "3005"], ["Totalt", "1"], ["Utskrevet av Kari Nordmann", ""]],
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "W-TOTAL-ROW" in result.output and "W-NOTE-ROW" in result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT participant_id FROM participants").fetchall() == [("P1",)]


def test_a_code_and_the_name_of_another_municipality_are_refused(tmp_path, cli, db):
    path = write_csv(
        tmp_path / "d.csv",
        ["participant_id", "municipality"],
        [["P01", "3005 Drammen"], ["P02", "3005 Lier"], ["P03", "0602 - Drammen kommune"]],
    )
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "d.csv:3:municipality: E-MUNICIPALITY the code 3005 is Drammen" in result.output
    assert "'Lier'" in result.output
    assert "d.csv:2:" not in result.output and "d.csv:4:" not in result.output


def test_a_header_that_starts_like_a_known_column_is_named_with_the_map_to_read_it(
    tmp_path, cli, db
):
    path = write_csv(
        tmp_path / "d.csv",
        ["participant_id", "intro_end", "sluttårsak", "Resultat ved avslutning"],
        [["P01", "01.02.2019", "fullført", "arbeid"]],
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "W-COLUMN" in x and "Resultat" in x)
    assert "looks like intro_outcome" in line
    assert '--map "Resultat ved avslutning=intro_outcome"' in line
    mapped = cli("import", "--map", "Resultat ved avslutning=intro_outcome", str(path))
    assert mapped.exit_code == 0, mapped.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT intro_outcome FROM participants").fetchall() == [("work",)]


def test_values_under_an_empty_header_cell_or_beside_the_table_are_named(tmp_path, cli, db):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Deltakere"
    sheet.append(["participant_id", "birth_year", None, "gender"])
    sheet.append(["P01", 1990, "3005", "K"])
    sheet.append(["P02", 1985, "3049", "M"])
    sheet["F3"] = "flyttet til Lier!"
    path = tmp_path / "d.xlsx"
    book.save(path)
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    lines = [x for x in result.output.splitlines() if "W-COLUMN-UNNAMED" in x and "d.xlsx" in x]
    assert "d.xlsx:Deltakere:2:column 3: W-COLUMN-UNNAMED values under an empty header" in lines[0]
    assert "d.xlsx:Deltakere:3:column 6: W-COLUMN-UNNAMED values right of the table" in lines[1]
    csv_path = tmp_path / "d.csv"
    csv_path.write_text("participant_id;;gender\nP01;3005;K\n", encoding="utf-8")
    result = cli("import", str(csv_path))
    assert result.exit_code == 0, result.output
    assert "d.csv:2:column 2: W-COLUMN-UNNAMED" in result.output


def test_a_whole_percent_cell_from_an_xls_is_100_percent():
    from intdrammen.importers.columns import parse_percent

    assert parse_percent(1) == 100.0  # a 100 % cell of an .xls arrives as int 1
    assert parse_percent(1.0) == 100.0
    assert parse_percent(80) == 80.0
    assert parse_percent("1") == 1.0  # text, as in CSV: as written


def test_a_participant_id_column_of_first_names_in_capitals_is_refused(tmp_path, cli, db):
    path = write_csv(
        tmp_path / "d.csv",
        ["Deltaker", "fødselsår"],
        [["AMINA", "1990"], ["OMAR", "1985"], ["HODAN", "1992"], ["DAWIT", "1980"]],
    )
    result = cli("import", str(path))
    assert result.exit_code == 1 and "E-NAME-AS-ID" in result.output
    assert "AMINA" not in result.output and not db.exists()
    # A code or two in capitals among ids is not a column of names.
    codes = write_csv(
        tmp_path / "e.csv",
        ["participant_id", "birth_year"],
        [["ABC", "1990"], ["P0042", "1991"], ["P0043", "1992"], ["P0044", "1993"]],
    )
    assert cli("import", str(codes)).exit_code == 0


def test_a_number_with_a_thousands_point_or_a_share_is_not_guessed(tmp_path, cli, db):
    path = write_csv(
        tmp_path / "p.csv",
        ["placement_id", "participant_id", "type", "start_date", "stillingsandel"],
        [
            ["PL1", "P01", "fast jobb", "01.02.2018", "1.000"],
            ["PL2", "P02", "fast jobb", "01.02.2018", "0,5"],
            ["PL3", "P03", "fast jobb", "01.02.2018", "37.5"],
        ],
    )
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "p.csv:2:stillingsandel: E-NUMBER 1.000 could be a thousand" in result.output
    assert "p.csv:3:stillingsandel: E-RANGE 0,5 looks like a share" in result.output
    assert "p.csv:4:" not in result.output


def test_a_rejected_import_also_shows_its_warnings(tmp_path, cli, db):
    # The end reason is given, intro_end sits under a name intd does not read: the
    # warning about that column is the explanation of the error.
    path = write_csv(
        tmp_path / "d.csv",
        ["participant_id", "Programslutt dato", "sluttårsak"],
        [["P01", "01.02.2019", "fullført"]],
    )
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "d.csv:2:intro_end: E-REQUIRED intro_end_reason is given" in result.output
    assert "d.csv:1:Programslutt dato: W-COLUMN" in result.output


def test_a_summary_sheet_beside_the_data_is_passed_over_by_name(tmp_path, cli, db):
    import openpyxl

    book = openpyxl.Workbook()
    data = book.active
    data.title = "Deltakere"
    data.append(["participant_id", "kommune", "kjønn"])
    data.append(["P01", "3005", "K"])
    summary = book.create_sheet("Oppsummering")
    summary.append(["Kommune", "Kjønn", "Antall"])
    summary.append(["Drammen", "K", 1])
    path = tmp_path / "d.xlsx"
    book.save(path)
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "d.xlsx:Oppsummering::: W-SHEET-SKIPPED not a table of participants" in result.output
    # A sheet with people's ids but a required column missing is data: refused.
    broken = book.create_sheet("Plasseringer")
    broken.append(["deltaker_id", "type"])
    broken.append(["P01", "fast jobb"])
    book.save(path)
    refused = cli("import", str(path))
    assert refused.exit_code == 1 and "E-COLUMN" in refused.output
