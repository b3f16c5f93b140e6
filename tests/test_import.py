"""`intd import`, `imports`, `undo` and `check` through the CLI, with real files and a
real SQLite database in a temp dir."""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from conftest import (
    PARTICIPANT_HEADER,
    PLACEMENT_HEADER,
    connect,
    exists,
    snapshot,
    write_csv,
)
from intdrammen.ids import make_fnr
from intdrammen.store import PLACEMENT_COLUMNS, PROVENANCE_COLUMNS

# Every test here runs with text files read by pyarrow and from their rows.
pytestmark = [pytest.mark.usefixtures("both_parse_paths"), pytest.mark.both_backends]

FNR = make_fnr(date(1990, 5, 17), 123) or ""
# A stored placement's columns (on PostgreSQL `*` also holds its rowid column).
STORED_PLACEMENT = ", ".join((*PLACEMENT_COLUMNS, *PROVENANCE_COLUMNS))
FNR2 = make_fnr(date(1984, 1, 2), 456) or ""


def participants(tmp: Path, rows: list[list[object]], name: str = "deltakere.csv") -> Path:
    return write_csv(tmp / name, PARTICIPANT_HEADER, rows)


def placements(tmp: Path, rows: list[list[object]], name: str = "plasseringer.csv") -> Path:
    return write_csv(tmp / name, PLACEMENT_HEADER, rows)


def base_files(tmp: Path) -> tuple[Path, Path]:
    p = participants(
        tmp,
        [
            ["D1", FNR, 1990, "K", "Syria", "0602", "", "", "2019-06-15", "fullført", ""],
            ["D2", "", 1985, "M", "Eritrea", "3048", "", "", "2019-08-20", "avbrutt", "ledig"],
        ],
    )
    pl = placements(
        tmp,
        [
            ["PL1", "D1", "fast jobb", "", "Kiwi", "2019-07-10", "", "37,5", "mentor"],
            ["PL2", "D2", "arbeidspraksis", "", "Kiwi", "2019-03-01", "2019-05-01", "", ""],
        ],
    )
    return p, pl


def test_import_detects_kinds_and_reports_counts(tmp_path, cli, db):
    p, pl = base_files(tmp_path)
    result = cli("import", str(p), str(pl))
    assert result.exit_code == 0, result.output
    with connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM participants").fetchone()[0] == 2
        assert conn.execute("SELECT COUNT(*) FROM placements").fetchone()[0] == 2
        row = conn.execute(
            "SELECT p.sheet, p.source_row, b.file, b.kind FROM placements p "
            "JOIN batches b ON b.id = p.batch_id WHERE placement_id = 'PL2'"
        ).fetchone()
    assert row == (None, 3, "plasseringer.csv", "placements")


@pytest.mark.sqlite_only  # the file's mode
def test_database_and_key_are_private(tmp_path, cli, db):
    p, _pl = base_files(tmp_path)
    assert cli("import", str(p)).exit_code == 0
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    key = Path(os.environ["INTD_KEY_FILE"])
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert key.parent != db.parent


def test_the_database_refuses_another_or_a_missing_key(tmp_path, cli, db, monkeypatch):
    # Hashes made with a different key would never match: the same people would count
    # twice. The database records a fingerprint of its key and holds the user to it.
    p, _pl = base_files(tmp_path)
    assert cli("import", str(p)).exit_code == 0
    key = Path(os.environ["INTD_KEY_FILE"])
    before = snapshot(db)
    other = tmp_path / "other" / "key"
    monkeypatch.setenv("INTD_KEY_FILE", str(other))
    result = cli("import", str(p))
    assert result.exit_code == 1 and "missing" in result.stderr
    assert not other.exists()  # no new key made for a database that has one
    other.parent.mkdir()
    other.write_bytes(b"f" * 64)
    other.chmod(0o600)
    result = cli("import", str(p))
    assert result.exit_code == 1 and "not the key" in result.stderr
    assert cli("check").exit_code == 1
    assert snapshot(db) == before
    monkeypatch.setenv("INTD_KEY_FILE", str(key))
    assert cli("import", str(p)).exit_code == 0 and cli("check").exit_code == 0


def test_a_key_file_others_can_read_is_refused(tmp_path, cli, db):
    p, _pl = base_files(tmp_path)
    key = Path(os.environ["INTD_KEY_FILE"])
    key.parent.mkdir(parents=True)
    key.write_bytes(b"a" * 64)
    key.chmod(0o644)
    result = cli("import", str(p))
    assert result.exit_code == 1 and "chmod 600" in result.stderr
    assert not exists(db)


def test_fodselsnummer_is_never_stored_or_printed(tmp_path, cli, db):
    p, pl = base_files(tmp_path)
    out = cli("import", str(p), str(pl)).output
    out += cli("explain", "--goal", "intro-direct-55", "--year", "2019", "--format", "json").output
    assert FNR not in out
    raw = snapshot(db)
    assert FNR.encode() not in raw
    import hashlib

    assert hashlib.sha256(FNR.encode()).hexdigest().encode() not in raw
    with connect(db) as conn:
        key = conn.execute("SELECT person_key FROM participants WHERE participant_id='D1'")
        assert len(key.fetchone()[0]) == 64


def test_bad_fodselsnummer_is_reported_without_echoing_it(tmp_path, cli, db):
    wrong = FNR[:-1] + str((int(FNR[-1]) + 1) % 10)
    p = participants(tmp_path, [["D1", wrong, 1990, "K", "", "0602", "", "", "", "", ""]])
    result = cli("import", str(p))
    assert result.exit_code == 1
    assert "E-FNR" in result.output
    assert wrong not in result.output
    assert not exists(db)


def test_rejected_import_creates_no_database(tmp_path, cli, db):
    pl = placements(tmp_path, [["PL1", "D1", "jobb", "", "", "31.02.2019", "", "", ""]])
    result = cli("import", str(pl))
    assert result.exit_code == 1
    assert "plasseringer.csv" in result.output and "row 2" not in result.stdout
    assert "E-DATE" in result.output and "31.02.2019" in result.output
    assert not exists(db)
    assert list(tmp_path.glob("*.tmp")) == []


def test_rejected_import_leaves_database_byte_for_byte(tmp_path, cli, db):
    p, pl = base_files(tmp_path)
    assert cli("import", str(p), str(pl)).exit_code == 0
    before = snapshot(db)
    good = placements(
        tmp_path, [["PL9", "D1", "kurs", "", "", "2020-01-01", "", "", ""]], name="good.csv"
    )
    bad = placements(
        tmp_path,
        [
            ["PL3", "D1", "jobb", "123456789", "", "2020-01-01", "", "", ""],
            ["PL4", "D1", "romfart", "", "", "2020-01-01", "2019-01-01", "150", ""],
        ],
        name="bad.csv",
    )
    result = cli("import", str(good), str(bad))
    assert result.exit_code == 1
    for code in ("E-ORGNR", "E-TYPE", "E-RANGE"):
        assert code in result.output
    assert snapshot(db) == before


def test_every_problem_is_listed_with_row_and_column(tmp_path, cli):
    pl = placements(
        tmp_path,
        [
            ["PL1", "D1", "jobb", "", "", "2019-01-01", "", "", ""],
            ["PL2", "", "jobb", "", "", "2019-13-01", "", "", ""],
            ["PL3", "D3", "jobb", "", "", "2019-05-01", "2019-04-01", "", ""],
        ],
    )
    result = cli("import", str(pl))
    assert result.exit_code == 1
    text = result.stderr
    assert "E-REQUIRED" in text and "E-DATE" in text and "E-DATE-ORDER" in text
    assert "3 problems" in text


def test_duplicate_id_with_conflicting_data(tmp_path, cli, db):
    pl = placements(
        tmp_path,
        [
            ["PL1", "D1", "jobb", "", "", "2019-01-01", "", "", ""],
            ["PL1", "D1", "jobb", "", "", "2019-01-01", "", "", ""],
            ["PL1", "D1", "jobb", "", "", "2019-02-01", "", "", ""],
        ],
    )
    result = cli("import", str(pl))
    assert result.exit_code == 1
    assert "E-DUPLICATE" in result.output and "row 2" in result.output
    assert not exists(db)


def test_identical_rows_without_id_are_one_placement(tmp_path, cli, db):
    pl = placements(
        tmp_path,
        [
            ["", "D1", "jobb", "", "Kiwi", "2019-01-01", "", "", ""],
            ["", "D1", "jobb", "", "Kiwi", "2019-01-01", "", "", ""],
            ["", "D1", "jobb", "", "Rema", "2019-01-01", "", "", ""],
        ],
    )
    assert cli("import", str(pl)).exit_code == 0
    with connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM placements").fetchone()[0] == 2


def test_reimport_changes_nothing_and_says_so(tmp_path, cli, cli_json, db):
    p, pl = base_files(tmp_path)
    assert cli("import", str(p), str(pl)).exit_code == 0
    before = snapshot(db)
    history = cli_json("imports")
    result = cli("import", str(p), str(pl))
    assert result.exit_code == 0
    assert "nothing changed" in result.output
    assert snapshot(db) == before
    assert cli_json("imports") == history


def test_corrected_file_updates_changed_rows_and_undo_restores(tmp_path, cli, cli_json, db):
    p, pl = base_files(tmp_path)
    assert cli("import", str(p), str(pl)).exit_code == 0
    with connect(db) as conn:
        original = conn.execute(
            f"SELECT {STORED_PLACEMENT} FROM placements ORDER BY placement_key"
        ).fetchall()
    fixed = placements(
        tmp_path,
        [
            ["PL1", "D1", "fast jobb", "", "Kiwi", "2019-07-10", "2020-01-31", "37,5", "mentor"],
            ["PL2", "D2", "arbeidspraksis", "", "Kiwi", "2019-03-01", "2019-05-01", "", ""],
            ["PL3", "D2", "lærling", "", "Kiwi", "2020-03-01", "", "", ""],
        ],
        name="plasseringer_v2.csv",
    )
    result = cli("import", str(fixed))
    assert result.exit_code == 0, result.output
    batches = cli_json("imports")
    latest = batches[-1]
    assert (latest["inserted"], latest["updated"], latest["unchanged"]) == (1, 1, 1)
    assert latest["rows"] == 3 and latest["file"] == "plasseringer_v2.csv"
    assert set(latest) >= {"id", "file", "sha256", "kind", "rows", "imported_at"}
    assert cli("undo", str(latest["id"]), "--yes").exit_code == 0
    with connect(db) as conn:
        assert conn.execute(
            f"SELECT {STORED_PLACEMENT} FROM placements ORDER BY placement_key"
        ).fetchall() == (original)
    assert cli("check").exit_code == 0


def test_undo_refuses_when_a_later_batch_depends(tmp_path, cli, cli_json, db):
    _p, pl = base_files(tmp_path)
    assert cli("import", str(pl)).exit_code == 0
    changed = placements(
        tmp_path,
        [["PL1", "D1", "fast jobb", "", "Kiwi", "2019-07-10", "2019-12-31", "37,5", "mentor"]],
        name="v2.csv",
    )
    assert cli("import", str(changed)).exit_code == 0
    first = cli_json("imports")[0]["id"]
    refused = cli("undo", str(first), "--yes")
    assert refused.exit_code == 1 and "--cascade" in refused.output
    assert cli("undo", str(first), "--yes", "--cascade").exit_code == 0
    with connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM placements").fetchone()[0] == 0
    assert all(b["undone_at"] for b in cli_json("imports"))


def test_dry_run_writes_nothing(tmp_path, cli, db):
    p, pl = base_files(tmp_path)
    result = cli("import", "--dry-run", str(p), str(pl))
    assert result.exit_code == 0
    assert "Dry run" in result.output
    assert not exists(db)
    assert not Path(os.environ["INTD_KEY_FILE"]).exists()
    assert cli("import", str(p)).exit_code == 0
    before = snapshot(db)
    result = cli("import", "--dry-run", str(pl))
    assert result.exit_code == 0
    assert snapshot(db) == before


def test_on_error_skip_imports_good_rows_and_writes_rejects(tmp_path, cli, db):
    pl = placements(
        tmp_path,
        [
            ["PL1", "D1", "jobb", "", "", "2019-01-01", "", "", ""],
            ["PL2", "D1", "jobb", "", "", "2019-02-30", "", "", ""],
            ["PL3", "D1", "=HYPERLINK(1)", "", "", "2019-03-01", "", "", ""],
        ],
    )
    result = cli("import", "--on-error", "skip", str(pl))
    assert result.exit_code == 0, result.output
    rejected = tmp_path / "plasseringer.rejected.csv"
    assert rejected.exists() and "rejected.csv" in result.output
    text = rejected.read_text(encoding="utf-8-sig")
    assert "E-DATE" in text and ";3;" not in text and "E-TYPE" in text
    assert "'=HYPERLINK(1)" in text
    with connect(db) as conn:
        assert [r[0] for r in conn.execute("SELECT placement_id FROM placements")] == ["PL1"]
    # The rejected rows themselves, under the file's header: fix them and import the file.
    lines = text.splitlines()
    assert lines[0].startswith("row;problems;placement_id;participant_id;type")
    assert lines[1].startswith("3;") and ";PL2;D1;jobb;;;2019-02-30;" in lines[1]
    fixed = text.replace("2019-02-30", "2019-02-28").replace("'=HYPERLINK(1)", "kurs")
    rejected.write_text(fixed, encoding="utf-8")
    again = cli("import", str(rejected))
    assert again.exit_code == 0, again.output
    with connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT placement_id FROM placements ORDER BY 1")]
    assert ids == ["PL1", "PL2", "PL3"]


def test_header_only_file_is_valid_empty_import(tmp_path, cli, cli_json):
    # definitions.md: "A file with a header row and no data rows is a valid, empty import."
    pl = placements(tmp_path, [])
    assert cli("import", str(pl)).exit_code == 0
    assert cli_json("imports")[0]["rows"] == 0


def test_zero_byte_file_is_an_error(tmp_path, cli, db):
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    result = cli("import", str(empty))
    assert result.exit_code == 1 and "E-EMPTY" in result.output and "tom.csv" in result.output
    assert not exists(db)


def test_missing_required_column_names_the_column(tmp_path, cli):
    f = write_csv(tmp_path / "x.csv", ["placement_id", "type", "startdato"], [["1", "jobb", "x"]])
    result = cli("import", str(f))
    assert result.exit_code == 1
    assert "E-COLUMN" in result.output and "participant_id" in result.output


def test_missing_file_is_a_clean_error(tmp_path, cli):
    result = cli("import", str(tmp_path / "finnes-ikke.csv"))
    assert result.exit_code == 1
    assert "finnes-ikke.csv" in result.output
    assert "Traceback" not in result.output


def test_map_file_maps_office_columns(tmp_path, cli, db):
    mapping = tmp_path / "kolonner.toml"
    mapping.write_text('[columns]\n"Løpenr" = "participant_id"\n"Hva" = "type"\n', "utf-8")
    f = write_csv(tmp_path / "x.csv", ["Løpenr", "Hva", "startdato"], [["D7", "jobb", "2019-1-5"]])
    result = cli("import", "--map", str(mapping), str(f))
    assert result.exit_code == 0, result.output
    with connect(db) as conn:
        assert conn.execute("SELECT participant_id, start_date FROM placements").fetchone() == (
            "D7",
            "2019-01-05",
        )


def test_columns_lists_every_alias(cli):
    result = cli("columns", "--format", "json")
    data = json.loads(result.stdout)
    fields = {f["field"]: f for f in data["participants"]}
    assert "fødselsnummer" in fields["national_id"]["aliases"]
    assert "sluttårsak" in fields["intro_end_reason"]["aliases"]


def test_same_person_under_two_ids_counts_once(tmp_path, cli, cli_json):
    p = participants(
        tmp_path,
        [
            ["D1", FNR, 1990, "K", "", "0602", "", "", "", "", ""],
            ["D1b", FNR, 1990, "K", "", "0602", "", "", "", "", ""],
            ["D2", FNR2, 1984, "M", "", "0602", "", "", "", "", ""],
        ],
    )
    pl = placements(
        tmp_path,
        [
            ["PL1", "D1", "jobb", "", "", "2019-03-01", "", "", ""],
            ["PL2", "D1b", "jobb", "", "", "2018-03-01", "", "", ""],
            ["PL3", "D2", "jobb", "", "", "2019-03-01", "", "", ""],
        ],
    )
    result = cli("import", str(p), str(pl))
    assert result.exit_code == 0
    assert "W-SAME-PERSON" in result.output
    goal = cli_json("progress", "--year", "2019")["goals"][0]
    assert (goal["actual"], goal["in_year"]) == (2, 1)


def test_check_reports_ok(tmp_path, cli):
    p, pl = base_files(tmp_path)
    cli("import", str(p), str(pl))
    result = cli("check")
    assert result.exit_code == 0 and "ok: 2 participants, 2 placements" in result.output


def test_check_detects_tampering(tmp_path, cli, db):
    p, pl = base_files(tmp_path)
    cli("import", str(p), str(pl))
    with connect(db) as conn:
        conn.execute("UPDATE placements SET end_date = '2000-01-01'")
    result = cli("check")
    assert result.exit_code == 1 and "ending before they start" in result.output


def test_kind_of_a_sparse_participants_header_is_told_by_required_columns(tmp_path, cli):
    # municipality is a column of both kinds; without type and start_date a file cannot
    # be placements, so participant_id + municipality is a participants file.
    path = tmp_path / "kommuner.csv"
    path.write_text("participant_id;kommune\nD1;0602\nD2;Lier\n", encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "participants" in result.stdout


def test_a_fodselsnummer_outside_its_column_is_refused_and_never_shown(tmp_path, cli, db):
    # In the birth-year column, as participant id, inside the country text: each row is
    # rejected, and the number appears in no message.
    spaced = f"{FNR[:6]} {FNR[6:]}"
    path = tmp_path / "feil.csv"
    path.write_text(
        "deltaker_id;fødselsår;landbakgrunn;kommune\n"
        f"D1;{FNR};Syria;0602\n{FNR2};1985;Syria;0602\nD3;1990;Eritrea {spaced};0602\n",
        encoding="utf-8",
    )
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert FNR not in result.output and FNR2 not in result.output
    assert spaced not in result.output
    assert result.output.count("E-FNR-PLACE") >= 2 and "E-RANGE" in result.output
    assert not exists(db)
    skipped = cli("import", "--on-error", "skip", str(path))
    assert skipped.exit_code == 0
    rejected = (tmp_path / "feil.rejected.csv").read_text(encoding="utf-8-sig")
    assert FNR not in rejected and FNR2 not in rejected and spaced not in rejected
    assert rejected.count("(hidden: a fødselsnummer)") >= 3  # problem values and cells


def test_more_values_than_columns_is_an_error_not_a_loss(tmp_path, cli, db):
    # An unquoted decimal comma in a comma-separated file makes one value too many.
    path = tmp_path / "komma.csv"
    path.write_text(
        "placement_id,participant_id,type,startdato,stillingsprosent\n"
        'R1,D1,fast jobb,01.01.2020,37,5\nR2,D1,fast jobb,01.01.2021,"37,5"\n',
        encoding="utf-8",
    )
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "E-FIELDS" in result.output and "6 values" in result.output
    assert not exists(db)


def test_every_problem_of_a_row_is_reported(tmp_path, cli):
    # A bad percentage and an end before the start in one row: both are named, and the
    # date as it was typed.
    path = tmp_path / "to_feil.csv"
    path.write_text(
        "placement_id;participant_id;type;startdato;sluttdato;stillingsprosent\n"
        "R1;D1;fast jobb;01.03.2019;01.02.2019;150\n",
        encoding="utf-8",
    )
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "E-RANGE" in result.output and "E-DATE-ORDER" in result.output
    assert "01.02.2019" in result.output


def test_a_second_column_for_a_field_is_named_as_such(tmp_path, cli, db):
    path = tmp_path / "to_kjonn.csv"
    path.write_text("deltaker_id;kjønn;kjønn;kommune\nD1;K;M;0602\n", encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "second column for gender" in result.output


def test_skip_with_every_row_rejected_says_so(tmp_path, cli, db):
    pl = placements(tmp_path, [["PL1", "D1", "jobb", "", "", "2019-02-30", "", "", ""]])
    result = cli("import", "--on-error", "skip", str(pl))
    assert result.exit_code == 0, result.output
    assert "every row was rejected" in result.output
    assert "already in the database" not in result.output


def test_rows_parsed_in_blocks_arrive_in_file_order(tmp_path, cli, db, monkeypatch):
    # Batches of 3 rows: bad rows are read again apart from their batch; problems still
    # come in row order and rows reach the table in file order.
    from intdrammen.importers import columnar

    monkeypatch.setattr(columnar, "BATCH_ROWS", 3)
    bad = {1, 10, 14}  # in blocks 0, 3 and 4
    rows = [
        [f"PL{i}", f"D{i}", "jobb", "", "", "2019-02-30" if i in bad else "2019-03-01", "", "", ""]
        for i in range(20)
    ]
    pl = placements(tmp_path, rows)
    result = cli("import", str(pl))
    assert result.exit_code == 1
    # Off a terminal each problem is a line FILE:ROW:COLUMN: CODE message (value).
    shown = [int(line.split(":")[1]) for line in result.stderr.splitlines() if ": E-DATE " in line]
    assert shown == [3, 12, 16]  # spreadsheet rows of PL1, PL10, PL14
    assert cli("import", "--on-error", "skip", str(pl)).exit_code == 0
    with connect(db) as conn:
        order = [r[0] for r in conn.execute("SELECT source_row FROM placements ORDER BY rowid")]
    assert order == [i + 2 for i in range(20) if i not in bad]
    again = cli("import", "--on-error", "skip", str(pl))
    assert again.exit_code == 0 and "nothing changed" in again.output
