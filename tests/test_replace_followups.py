"""Follow-ups to `intd import --replace` found in QA: a replace batch depends on every
earlier batch of its scope whose rows it kept (undo refuses, --cascade restores exactly);
--replace of a file name nothing was imported under says so (W-REPLACE-NOTHING); rows
brought by a `.rejected.csv` round trip belong to the scope of the file they came from;
an exact duplicate row in one file is named (W-DUPLICATE-ROW).

Real CSV and XLSX files, real SQLite, the CLI through CliRunner; figures by hand.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from conftest import content, exists, snapshot, stored, without_undone, write_csv
from intdrammen.store import SCHEMA_VERSION, scope_names

pytestmark = pytest.mark.both_backends

JOBS = ["placement_id", "participant_id", "type", "start_date", "employer_name"]
PL1 = ["PL1", "P1", "jobb", "2019-01-10", "Kiwi"]
PL2 = ["PL2", "P2", "jobb", "2019-02-10", "Rema"]
PL3 = ["PL3", "P3", "jobb", "2019-03-10", "Coop"]


def jobs(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    return write_csv(path, JOBS, rows)


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def placements(db: Path) -> list[str]:
    return [r[0] for r in stored(db, "SELECT placement_id FROM placements ORDER BY 1")]


# ----------------------------------------------------------------------------- 1. undo


@pytest.fixture
def three_batches(cli, cli_json, db, tmp_path):
    """Batch 1: PL1, PL2. Batch 2: PL3 new (PL1, PL2 unchanged, still batch 1's).
    Batch 3, --replace without PL2: removes PL2, keeps PL1 (batch 1) and PL3 (batch 2).
    Returns the whole database as it was before batch 2."""
    path = tmp_path / "plasseringer.csv"
    ok(cli("import", str(jobs(path, [PL1, PL2]))))
    before_2 = content(db)
    ok(cli("import", str(jobs(path, [PL1, PL2, PL3]))))
    result = ok(cli("import", "--replace", str(jobs(path, [PL1, PL3]))))
    assert "removed 1 stored rows" in result.output
    assert [b["id"] for b in cli_json("imports")] == [1, 2, 3]
    assert placements(db) == ["PL1", "PL3"]
    return before_2


def test_undo_of_a_batch_a_replace_kept_is_refused_naming_the_replace(cli, db, three_batches):
    before = snapshot(db)
    refused = cli("undo", "2", "--yes")
    assert refused.exit_code == 1, refused.output
    assert "batch 3" in refused.output and "--cascade" in refused.output
    assert "Traceback" not in refused.output
    assert snapshot(db) == before  # refused: nothing changed


def test_undo_cascade_restores_exactly_the_state_before_the_batch(cli, db, three_batches):
    ok(cli("undo", "2", "--yes", "--cascade"))
    # Undo 3 brings PL2 back (batch 1's), undo 2 takes PL3 out: PL1, PL2 as after batch 1.
    assert placements(db) == ["PL1", "PL2"]
    after = without_undone(content(db), db)
    assert after == three_batches
    assert ok(cli("check")).exit_code == 0


def test_undo_of_the_first_batch_needs_the_replace_undone_too(cli, db, three_batches):
    refused = cli("undo", "1", "--yes")
    assert refused.exit_code == 1 and "batch 3" in refused.output
    ok(cli("undo", "1", "--yes", "--cascade"))  # 3, then 1 (2 wrote only PL3: it stays)
    assert placements(db) == ["PL3"]
    assert stored(db, "SELECT id FROM batches WHERE undone_at IS NULL") == [(2,)]


def test_the_replace_itself_undoes_alone_and_then_batch_2_is_free(cli, db, three_batches):
    ok(cli("undo", "3", "--yes"))
    assert placements(db) == ["PL1", "PL2", "PL3"]
    ok(cli("undo", "2", "--yes"))  # batch 3 is undone: it no longer holds batch 2 back
    assert placements(db) == ["PL1", "PL2"]


def test_a_replace_that_only_keeps_and_adds_still_depends(cli, db, tmp_path):
    # Batch 1: PL1. Batch 2 --replace: PL1 kept, PL3 new, nothing removed. Undoing 1
    # alone would leave PL3 only, which no file holds.
    path = tmp_path / "plasseringer.csv"
    ok(cli("import", str(jobs(path, [PL1]))))
    ok(cli("import", "--replace", str(jobs(path, [PL1, PL3]))))
    assert stored(db, "SELECT batch_id, depends_on FROM batch_depends") == [(2, 1)]
    refused = cli("undo", "1", "--yes")
    assert refused.exit_code == 1 and "batch 2" in refused.output


def test_an_earlier_batch_owning_no_rows_any_more_is_no_dependency(cli, db, tmp_path):
    # Batch 1: PL1. Batch 2: PL1 changed (employer): batch 2 owns it. Batch 3 --replace
    # with PL1 as batch 2 wrote it plus PL3: depends on batch 2 only (batch 1 owns no row).
    path = tmp_path / "plasseringer.csv"
    ok(cli("import", str(jobs(path, [PL1]))))
    changed = [*PL1[:4], "Kiwi Lier"]
    ok(cli("import", str(jobs(path, [changed]))))
    ok(cli("import", "--replace", str(jobs(path, [changed, PL3]))))
    assert stored(db, "SELECT batch_id, depends_on FROM batch_depends") == [(3, 2)]


def test_a_replace_that_changes_nothing_leaves_no_dependency(cli, db, tmp_path):
    path = jobs(tmp_path / "plasseringer.csv", [PL1, PL2])
    ok(cli("import", str(path)))
    before = snapshot(db)
    ok(cli("import", "--replace", str(path)))
    assert snapshot(db) == before
    ok(cli("undo", "1", "--yes"))
    assert placements(db) == []


@pytest.mark.sqlite_only  # writes an SQLite schema 3 by hand
def test_migration_4_adds_the_dependency_table_to_an_older_database(cli, cli_json, db, tmp_path):
    ok(cli("import", str(jobs(tmp_path / "plasseringer.csv", [PL1]))))
    with sqlite3.connect(db) as conn:  # as intd wrote it before schema 4
        conn.execute("DROP TABLE batch_depends")
        conn.execute("PRAGMA user_version = 3")
    assert cli_json("imports")[0]["id"] == 1
    assert stored(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert stored(db, "SELECT COUNT(*) FROM batch_depends") == [(0,)]


# ----------------------------------------------------------------------------- 2. nothing


def test_replace_of_a_new_dated_name_warns_naming_the_earlier_files(cli, db, tmp_path):
    for month, rows in (("08", [PL1]), ("09", [PL1, PL2]), ("10", [PL1, PL2, PL3])):
        ok(cli("import", str(jobs(tmp_path / f"plasseringer_2024-{month}.csv", rows))))
    result = ok(
        cli("import", "--replace", str(jobs(tmp_path / "plasseringer_2024-11.csv", [PL1, PL3])))
    )
    assert "W-REPLACE-NOTHING" in result.output
    assert "plasseringer_2024-11.csv" in result.output
    # The three latest files of the kind, newest first.
    text = " ".join(result.output.split())
    assert "plasseringer_2024-10.csv, plasseringer_2024-09.csv, plasseringer_2024-08.csv" in text
    assert placements(db) == ["PL1", "PL2", "PL3"]  # nothing removed
    assert stored(db, "SELECT COUNT(*) FROM batch_depends") == [(0,)]


def test_replace_nothing_names_only_files_of_the_same_kind_and_more(cli, db, tmp_path):
    people = write_csv(
        tmp_path / "deltakere.csv", ["participant_id", "municipality"], [["P1", "3301"]]
    )
    ok(cli("import", str(people)))
    for n in range(1, 6):
        ok(
            cli(
                "import",
                str(
                    jobs(
                        tmp_path / f"m{n}.csv", [[f"PL{n}", "P1", "jobb", f"2019-0{n}-01", "Kiwi"]]
                    )
                ),
            )
        )
    result = ok(cli("import", "--replace", str(jobs(tmp_path / "ny.csv", [PL1]))))
    text = " ".join(result.output.split())
    assert "W-REPLACE-NOTHING" in text
    assert "m5.csv, m4.csv, m3.csv and 2 more" in text
    assert "deltakere.csv" not in text


def test_replace_into_an_empty_database_warns_too(cli, db, tmp_path):
    result = ok(cli("import", "--replace", str(jobs(tmp_path / "plasseringer.csv", [PL1]))))
    assert "W-REPLACE-NOTHING" in result.output
    assert "no placements file was imported before" in " ".join(result.output.split())
    assert placements(db) == ["PL1"]


def test_replace_with_an_earlier_import_of_the_name_does_not_warn(cli, db, tmp_path):
    path = tmp_path / "plasseringer.csv"
    ok(cli("import", str(jobs(path, [PL1, PL2]))))
    result = ok(cli("import", "--replace", str(jobs(path, [PL1]))))
    assert "W-REPLACE-NOTHING" not in result.output
    assert placements(db) == ["PL1"]


def test_an_undone_earlier_import_does_not_count(cli, db, tmp_path):
    path = tmp_path / "plasseringer.csv"
    ok(cli("import", str(jobs(path, [PL1]))))
    ok(cli("undo", "1", "--yes"))
    result = ok(cli("import", "--replace", str(jobs(path, [PL2]))))
    assert "W-REPLACE-NOTHING" in result.output


# ----------------------------------------------------------------------------- 3. rejected


def test_scope_names_of_a_file_and_a_sheet():
    assert scope_names("plasseringer.csv", None) == {
        ("plasseringer.csv", None),
        ("plasseringer.rejected.csv", None),
    }
    assert scope_names("plasseringer.xlsx", "Ark1") == {
        ("plasseringer.xlsx", "Ark1"),
        ("plasseringer.rejected.csv", None),
        ("plasseringer-Ark1.rejected.csv", None),
    }
    # A rejected file's own scope is itself (X.rejected.rejected.csv is never written).
    assert scope_names("plasseringer.rejected.csv", None) == {("plasseringer.rejected.csv", None)}


def _round_trip(cli, tmp_path: Path) -> Path:
    """Batch 1 plasseringer.csv with PL2's date broken (--on-error skip): PL1 stored,
    PL2 in plasseringer.rejected.csv; corrected there and imported: batch 2."""
    path = tmp_path / "plasseringer.csv"
    broken = [*PL2[:3], "31.02.2019", PL2[4]]
    result = ok(cli("import", "--on-error", "skip", str(jobs(path, [PL1, broken]))))
    rejected = tmp_path / "plasseringer.rejected.csv"
    assert rejected.exists(), result.output
    text = rejected.read_text(encoding="utf-8-sig")
    assert "31.02.2019" in text
    rejected.write_text(text.replace("31.02.2019", "2019-02-10"), encoding="utf-8-sig")
    ok(cli("import", str(rejected)))
    return path


def test_replace_removes_a_row_the_rejected_round_trip_brought(cli, db, tmp_path):
    path = _round_trip(cli, tmp_path)
    assert placements(db) == ["PL1", "PL2"]
    # The office's new full list drops PL2: --replace plasseringer.csv removes it,
    # though plasseringer.rejected.csv brought it.
    result = ok(cli("import", "--replace", str(jobs(path, [PL1, PL3]))))
    assert "W-REPLACE-NOTHING" not in result.output
    assert "removed 1 stored rows" in result.output
    assert placements(db) == ["PL1", "PL3"]


def test_rows_of_the_round_trip_a_replace_kept_make_undo_refuse(cli, db, tmp_path):
    path = _round_trip(cli, tmp_path)
    ok(cli("import", "--replace", str(jobs(path, [PL2, PL3]))))  # removes PL1, keeps PL2
    assert placements(db) == ["PL2", "PL3"]
    refused = cli("undo", "2", "--yes")
    assert refused.exit_code == 1 and "batch 3" in refused.output
    ok(cli("undo", "2", "--yes", "--cascade"))
    assert placements(db) == ["PL1"]


def test_a_rejected_file_of_a_workbook_sheet_belongs_to_that_sheet(cli, db, tmp_path):
    from openpyxl import Workbook

    def workbook(rows: Sequence[Sequence[str]]) -> Path:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Ark1"
        sheet.append(JOBS)
        for row in rows:
            sheet.append(list(row))
        target = tmp_path / "plasseringer.xlsx"
        book.save(target)
        return target

    broken = [*PL2[:3], "31.02.2019", PL2[4]]
    ok(cli("import", "--on-error", "skip", str(workbook([PL1, broken]))))
    rejected = tmp_path / "plasseringer-Ark1.rejected.csv"
    assert rejected.exists()
    text = rejected.read_text(encoding="utf-8-sig").replace("31.02.2019", "2019-02-10")
    rejected.write_text(text, encoding="utf-8-sig")
    ok(cli("import", str(rejected)))
    assert placements(db) == ["PL1", "PL2"]
    result = ok(cli("import", "--replace", str(workbook([PL1]))))
    assert "removed 1 stored rows" in result.output
    assert placements(db) == ["PL1"]


def test_a_rejected_file_of_another_stem_is_not_in_scope(cli, db, tmp_path):
    ok(cli("import", str(jobs(tmp_path / "andre.rejected.csv", [PL2]))))
    ok(cli("import", str(jobs(tmp_path / "plasseringer.csv", [PL1]))))
    result = ok(cli("import", "--replace", str(jobs(tmp_path / "plasseringer.csv", [PL3]))))
    assert placements(db) == ["PL2", "PL3"]
    assert "removed 1 stored rows" in result.output


# ----------------------------------------------------------------------------- 4. repeats


def _problem_lines(output: str, code: str) -> list[str]:
    return [line for line in output.splitlines() if code in line]


@pytest.mark.parametrize("stored_first", [False, True], ids=["empty-database", "staged"])
def test_an_exact_duplicate_row_is_named_with_both_rows(cli, db, tmp_path, stored_first):
    if stored_first:  # a database with rows: the staged path, not the direct one
        ok(cli("import", str(jobs(tmp_path / "annen.csv", [PL3]))))
    # Rows 2 (PL1), 3 (PL2), 4 (PL1 again, every value the same).
    result = ok(cli("import", str(jobs(tmp_path / "plasseringer.csv", [PL1, PL2, PL1]))))
    text = " ".join(result.output.split())
    assert "W-DUPLICATE-ROW" in text
    assert "row 4 repeats row 2 exactly" in text
    assert "plasseringer.csv" in text
    # One problem line (the hint repeats the code once, below it).
    assert len(_problem_lines(result.output, "repeats row")) == 1
    assert _problem_lines(result.output, "repeats row")[0].startswith("plasseringer.csv:4:")
    expected = ["PL1", "PL2", "PL3"] if stored_first else ["PL1", "PL2"]
    assert placements(db) == expected
    assert stored(db, "SELECT source_row FROM placements WHERE placement_id = 'PL1'") == [(2,)]


def test_a_duplicate_placement_without_placement_id_and_a_participant_repeat(cli, db, tmp_path):
    header = ["participant_id", "type", "start_date", "employer_name"]
    row = ["P1", "jobb", "2019-01-10", "Kiwi"]
    path = write_csv(tmp_path / "jobber.csv", header, [row, ["P2", "jobb", "2019-02-01", ""], row])
    result = ok(cli("import", str(path)))
    assert "row 4 repeats row 2 exactly" in " ".join(result.output.split())
    assert stored(db, "SELECT COUNT(*) FROM placements") == [(2,)]
    people = write_csv(
        tmp_path / "deltakere.csv",
        ["participant_id", "municipality"],
        [["P1", "3301"], ["P1", "3301"], ["P1", "3301"], ["P2", "3312"]],
    )
    result = ok(cli("import", str(people)))
    text = " ".join(result.output.split())
    assert "row 3 repeats row 2 exactly" in text and "row 4 repeats row 2 exactly" in text
    assert stored(db, "SELECT COUNT(*) FROM participants") == [(2,)]


def test_the_same_row_in_two_files_of_one_import_is_not_a_repeat_warning(cli, db, tmp_path):
    # Overlapping exports are normal: the row is one placement, stored once, no warning.
    a = jobs(tmp_path / "a.csv", [PL1, PL2])
    b = jobs(tmp_path / "b.csv", [PL1, PL3])
    result = ok(cli("import", str(a), str(b)))
    assert "W-DUPLICATE-ROW" not in result.output
    assert placements(db) == ["PL1", "PL2", "PL3"]


def test_a_repeat_with_different_data_is_still_an_error(cli, db, tmp_path):
    before_missing = not exists(db)
    result = cli("import", str(jobs(tmp_path / "p.csv", [PL1, [*PL1[:4], "Rema"]])))
    assert result.exit_code == 1 and "E-DUPLICATE" in result.output
    assert "W-DUPLICATE-ROW" not in result.output
    assert before_missing and not exists(db)
