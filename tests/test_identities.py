"""Identities and corrections: a stored participant keeps its fødselsnummer unless the
import says it corrects it (E-FNR-CHANGED, --allow-fnr-change); columns a file lacks keep
their stored values; ids that only look different (P11 / p11 / P011) are warned about
(W-ID-LOOKALIKE) in the import and in `intd check`; `intd import --replace` takes a file
as the full new version of its earlier imports, and `intd undo` reverts it exactly.

Every expected figure is worked out by hand in the comments. Real CSV files, real SQLite,
the CLI through CliRunner.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import content, exists, snapshot, stored, without_undone, write_csv
from intdrammen.cli import app
from intdrammen.ids import make_fnr
from intdrammen.store import SCHEMA_VERSION, lookalike_form

pytestmark = pytest.mark.both_backends

PEOPLE = ["participant_id", "national_id", "municipality", "intro_end", "intro_end_reason"]
JOBS = ["participant_id", "type", "start_date", "employer_name"]


def fnr(day: int, individual: int = 100) -> str:
    """A valid fødselsnummer of someone born on `day` January 1990."""
    for number in range(individual, individual + 400):
        found = make_fnr(date(1990, 1, day), number)
        if found:
            return found
    raise AssertionError("no valid fødselsnummer")


A, B, C = fnr(1), fnr(2), fnr(3)


def _full(rows: Sequence[Sequence[str]], header: Sequence[str]) -> list[list[str]]:
    # Every row with a value (maybe empty) for each column, as a spreadsheet writes it:
    # a row with fewer values than the header is refused (E-FIELDS).
    return [[*row, *[""] * (len(header) - len(row))] for row in rows]


def people(path: Path, rows: Sequence[Sequence[str]], header: Sequence[str] = PEOPLE) -> Path:
    return write_csv(path, header, _full(rows, header))


def jobs(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    return write_csv(path, JOBS, _full(rows, JOBS))


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def in_year(cli_json: Callable[..., Any], year: int) -> int:
    data = cli_json("progress", "--year", str(year))
    goal = next(g for g in data["goals"] if g["id"] == "id-2016-2020")
    return int(goal["in_year"])


# ----------------------------------------------------------------------------- fødselsnummer


def test_changed_fnr_is_refused_naming_file_row_column_never_the_number(cli, db, tmp_path):
    header = ["participant_id", "fødselsnummer", "municipality"]
    ok(cli("import", str(people(tmp_path / "deltakere.csv", [["P1", A, "3301"]], header))))
    before = snapshot(db)
    corrected = people(
        tmp_path / "deltakere_mai.csv", [["P2", C, "3301"], ["P1", B, "3301"]], header
    )
    result = cli("import", str(corrected))
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "E-FNR-CHANGED" in out and "deltakere_mai.csv" in out
    assert "--allow-fnr-change" in out
    # row 3 of the file (header is row 1), under the file's own column name
    problem = next(line for line in result.output.splitlines() if "E-FNR-CHANGED" in line)
    assert problem.startswith("deltakere_mai.csv:3:fødselsnummer: E-FNR-CHANGED")
    for number in (A, B, C):
        assert number not in result.output
    assert snapshot(db) == before  # P2 was not added either: all or nothing


def test_fnr_change_with_the_option_is_a_correction(cli, cli_json, db, tmp_path):
    ok(cli("import", str(people(tmp_path / "d.csv", [["P1", A, "3301"]]))))
    (key_before,) = stored(db, "SELECT person_key FROM participants")[0]
    result = ok(
        cli("import", "--allow-fnr-change", str(people(tmp_path / "d.csv", [["P1", B, "3301"]])))
    )
    assert B not in result.output
    (key_after,) = stored(db, "SELECT person_key FROM participants")[0]
    assert key_after != key_before and key_after is not None
    assert cli_json("imports")[-1]["updated"] == 1


def test_fnr_of_another_participant_is_refused_then_merges_only_with_the_option(
    cli, cli_json, db, tmp_path
):
    # P1 (A) and P2 (B) each start a job in 2019 in Lier (3312, Drammensregionen):
    # two people, in_year 2019 = 2. P2 re-imported with A's number would make them one.
    ok(cli("import", str(people(tmp_path / "d.csv", [["P1", A, "3312"], ["P2", B, "3312"]]))))
    ok(
        cli(
            "import",
            str(
                jobs(
                    tmp_path / "j.csv",
                    [["P1", "jobb", "2019-03-01", "Kiwi"], ["P2", "jobb", "2019-04-01", "Rema"]],
                )
            ),
        )
    )
    assert in_year(cli_json, 2019) == 2
    merged = people(tmp_path / "d.csv", [["P1", A, "3312"], ["P2", A, "3312"]])
    refused = cli("import", str(merged))
    assert refused.exit_code == 1 and "E-FNR-CHANGED" in refused.output
    assert "W-SAME-PERSON" not in refused.output
    assert in_year(cli_json, 2019) == 2
    result = ok(cli("import", "--allow-fnr-change", str(merged)))
    assert "W-SAME-PERSON" in result.output
    assert in_year(cli_json, 2019) == 1  # one person now: counted once


def test_emptied_fnr_is_a_change_too(cli, db, tmp_path):
    ok(cli("import", str(people(tmp_path / "d.csv", [["P1", A, "3301"]]))))
    emptied = people(tmp_path / "d.csv", [["P1", "", "3301"]])
    refused = cli("import", str(emptied))
    assert refused.exit_code == 1
    assert "E-FNR-CHANGED" in refused.output and "empty" in refused.output
    assert stored(db, "SELECT person_key IS NOT NULL FROM participants") == [(1,)]
    ok(cli("import", "--allow-fnr-change", str(emptied)))
    assert stored(db, "SELECT person_key FROM participants") == [(None,)]


def test_a_first_fnr_for_a_stored_participant_is_not_a_change(cli, db, tmp_path):
    ok(cli("import", str(people(tmp_path / "d.csv", [["P1", "", "3301"]]))))
    ok(cli("import", str(people(tmp_path / "d.csv", [["P1", A, "3301"]]))))
    assert stored(db, "SELECT person_key IS NOT NULL FROM participants") == [(1,)]


def test_two_files_giving_one_id_two_numbers_in_one_import_are_refused(cli, db, tmp_path):
    one = people(tmp_path / "a.csv", [["P1", A, "3301"]])
    two = people(tmp_path / "b.csv", [["P1", B, "3301"]])
    result = cli("import", str(one), str(two))
    assert result.exit_code == 1 and "E-DUPLICATE" in result.output
    assert A not in result.output and B not in result.output
    assert not exists(db)


def test_on_error_skip_rejects_the_changed_row_only(cli, db, tmp_path):
    ok(cli("import", str(people(tmp_path / "d.csv", [["P1", A, "3301"]]))))
    result = ok(
        cli(
            "import",
            "--on-error",
            "skip",
            str(people(tmp_path / "d.csv", [["P1", B, "3301"], ["P2", C, "3301"]])),
        )
    )
    assert "E-FNR-CHANGED" in (tmp_path / "d.rejected.csv").read_text("utf-8-sig")
    ids = stored(db, "SELECT participant_id FROM participants ORDER BY 1")
    assert ids == [("P1",), ("P2",)]
    assert B not in (tmp_path / "d.rejected.csv").read_text("utf-8-sig")
    del result


# ----------------------------------------------------------------------------- absent columns


def test_columns_a_file_lacks_keep_their_stored_values(cli, db, tmp_path):
    full = people(tmp_path / "d.csv", [["P1", A, "3301", "2019-06-30", "fullført"]])
    ok(cli("import", str(full)))
    # A partial export: only the id and the municipality (P1 moved to Lier, 3312).
    partial = write_csv(
        tmp_path / "flytting.csv", ["participant_id", "municipality"], [["P1", "3312"]]
    )
    result = ok(cli("import", "--kind", "participants", str(partial)))
    assert "E-FNR-CHANGED" not in result.output
    row = stored(
        db,
        "SELECT municipality, intro_end, intro_end_reason, person_key IS NOT NULL "
        "FROM participants",
    )
    assert row == [("3312", "2019-06-30", "completed", 1)]
    # An emptied cell under a column that is there is a deliberate change.
    emptied = people(tmp_path / "d.csv", [["P1", A, "3312", "", ""]])
    ok(cli("import", str(emptied)))
    assert stored(db, "SELECT intro_end, intro_end_reason FROM participants") == [(None, None)]


def test_a_partial_file_and_a_full_file_in_one_import_agree(cli, db, tmp_path):
    # Both files give P1: the partial one says nothing about the fødselsnummer or the
    # programme end, so it takes the full file's values and the two rows are one.
    full = people(tmp_path / "d.csv", [["P1", A, "3312", "2019-06-30", "fullført"]])
    partial = write_csv(tmp_path / "p.csv", ["participant_id", "municipality"], [["P1", "3312"]])
    ok(cli("import", str(full), "--kind", "participants", str(partial)))
    row = stored(db, "SELECT municipality, intro_end, person_key IS NOT NULL FROM participants")
    assert row == [("3312", "2019-06-30", 1)]
    # ... but where both have the column and differ, that is still a conflict.
    other = write_csv(tmp_path / "q.csv", ["participant_id", "municipality"], [["P1", "3301"]])
    result = cli("import", str(full), "--kind", "participants", str(other))
    assert result.exit_code == 1 and "E-DUPLICATE" in result.output


def test_undo_of_a_partial_file_restores_the_full_row(cli, db, tmp_path):
    ok(
        cli(
            "import", str(people(tmp_path / "d.csv", [["P1", A, "3301", "2019-06-30", "fullført"]]))
        )
    )
    before = content(db)
    partial = write_csv(tmp_path / "p.csv", ["participant_id", "municipality"], [["P1", "3312"]])
    ok(cli("import", "--kind", "participants", str(partial)))
    ok(cli("undo", "2", "--yes"))
    assert without_undone(content(db), db) == before


def test_a_placements_file_lacking_a_key_column_warns_of_a_second_placement(cli, db, tmp_path):
    with_ids = write_csv(
        tmp_path / "plasseringer.csv",
        ["placement_id", *JOBS],
        [["A1", "P1", "jobb", "2019-03-01", "Kiwi"], ["A2", "P2", "jobb", "2019-04-01", "Rema"]],
    )
    ok(cli("import", str(with_ids)))
    # This month's export has no placement_id column: P1's job comes back as new.
    without = jobs(tmp_path / "plasseringer.csv", [["P1", "jobb", "2019-03-01", "Kiwi"]])
    result = ok(cli("import", str(without)))
    out = " ".join(result.output.split())
    assert "W-PLACEMENT-KEY" in out and "'P1'" in out
    assert stored(db, "SELECT COUNT(*) FROM placements") == [(3,)]
    # With --replace the file is the new full list: the id-keyed rows go.
    ok(cli("import", "--replace", str(without)))
    assert stored(db, "SELECT placement_id, participant_id FROM placements") == [(None, "P1")]


# ----------------------------------------------------------------------------- look-alike ids


def test_lookalike_forms() -> None:
    assert lookalike_form("P11") == lookalike_form("p11") == lookalike_form("P011")
    assert lookalike_form("42") == lookalike_form("0042") == lookalike_form("00-42")
    assert lookalike_form("P-11") == lookalike_form("p 11")
    assert lookalike_form("P11") != lookalike_form("P12")
    assert lookalike_form("P101") != lookalike_form("P11")  # an inner zero counts
    assert lookalike_form("0") == lookalike_form("000") != lookalike_form("")


def test_lookalike_ids_warned_in_import_across_files_and_against_the_database(cli, db, tmp_path):
    ok(cli("import", str(people(tmp_path / "d.csv", [["P11", A, "3301"], ["42", B, "3301"]]))))
    placements = jobs(
        tmp_path / "plasseringer.csv",
        [
            ["P12", "jobb", "2019-01-01", "Kiwi"],  # not alike anything
            ["p11", "jobb", "2019-02-01", "Kiwi"],  # row 3: looks like stored P11
            ["0042", "jobb", "2019-03-01", "Rema"],  # row 4: looks like stored 42
        ],
    )
    result = ok(cli("import", str(placements)))
    lines = [" ".join(x.split()) for x in result.output.splitlines() if ": W-ID-LOOKALIKE " in x]
    out = " ".join(result.output.split())
    assert len(lines) == 2, result.output
    assert "'p11'" in out and "'P11'" in out and "'0042'" in out and "'42'" in out
    assert "'P12'" not in " ".join(lines)
    assert "plasseringer.csv" in out
    # both are still stored as written: a warning, not a change
    assert stored(db, "SELECT COUNT(*) FROM placements") == [(3,)]


def test_lookalike_ids_within_one_file_and_in_check(cli, db, tmp_path):
    rows = [["P11", A, "3301"], ["P011", B, "3301"], ["P7", C, "3301"]]
    result = ok(cli("import", str(people(tmp_path / "d.csv", rows))))
    assert "W-ID-LOOKALIKE" in result.output and "'P011'" in result.output
    check = ok(cli("check"))
    assert "W-ID-LOOKALIKE" in check.output and "'P011' / 'P11'" in check.output
    assert check.output.strip().splitlines()[-1].startswith("ok:")


def test_no_lookalike_warning_for_clean_ids(cli, tmp_path):
    rows = [["P1", A, "3301"], ["P10", B, "3301"], ["P100", C, "3301"]]
    result = ok(cli("import", str(people(tmp_path / "d.csv", rows))))
    assert "W-ID-LOOKALIKE" not in result.output
    assert "W-ID-LOOKALIKE" not in ok(cli("check")).output


# ----------------------------------------------------------------------------- --replace


@pytest.fixture
def corrected(cli, cli_json, tmp_path):
    """P1 lives in Lier (3312) and has one job without placement_id starting 2018-12-20;
    the office corrects the start to 2019-01-10 and exports its whole list again.
    Before: in_year 2018 = 1, 2019 = 0 (first job in 2018)."""
    ok(cli("import", str(people(tmp_path / "deltakere.csv", [["P1", A, "3312"]]))))
    ok(
        cli(
            "import",
            str(jobs(tmp_path / "plasseringer.csv", [["P1", "jobb", "2018-12-20", "Kiwi"]])),
        )
    )
    assert (in_year(cli_json, 2018), in_year(cli_json, 2019)) == (1, 0)
    return jobs(tmp_path / "plasseringer.csv", [["P1", "jobb", "2019-01-10", "Kiwi"]])


def test_corrected_start_without_replace_adds_a_second_placement(cli, cli_json, db, corrected):
    # Today's behaviour, kept: the corrected row is a new placement and the old stays,
    # so P1 still counts in 2018 (first job 2018-12-20) and not in 2019.
    ok(cli("import", str(corrected)))
    assert stored(db, "SELECT COUNT(*) FROM placements") == [(2,)]
    assert (in_year(cli_json, 2018), in_year(cli_json, 2019)) == (1, 0)


def test_corrected_start_with_replace_moves_the_person_to_the_new_year(
    cli, cli_json, db, corrected
):
    # With --replace the old auto-keyed row is gone: one placement, 2019-01-10, so
    # in_year 2018 = 0 and 2019 = 1.
    result = ok(cli("import", "--replace", str(corrected)))
    assert "Removed" in result.output and "removed 1 stored rows" in result.output
    assert stored(db, "SELECT start_date FROM placements") == [("2019-01-10",)]
    assert (in_year(cli_json, 2018), in_year(cli_json, 2019)) == (0, 1)
    latest = cli_json("imports")[-1]
    assert (latest["inserted"], latest["updated"], latest["removed"]) == (1, 0, 1)
    assert "Removed" in cli("imports").output


def test_replace_dry_run_shows_what_would_be_removed_and_writes_nothing(cli, db, corrected):
    before = snapshot(db)
    result = ok(cli("import", "--replace", "--dry-run", str(corrected)))
    assert "would remove 1 stored rows" in result.output
    assert "P1 job 2018-12-20 kiwi" in result.output
    assert snapshot(db) == before


def test_replace_then_undo_restores_the_database_exactly(cli, cli_json, db, corrected):
    before = content(db)
    ok(cli("import", "--replace", str(corrected)))
    batch = cli_json("imports")[-1]["id"]
    ok(cli("undo", str(batch), "--yes"))
    assert without_undone(content(db), db) == before
    assert (in_year(cli_json, 2018), in_year(cli_json, 2019)) == (1, 0)


def test_undo_of_the_earlier_batch_needs_the_replace_undone_first(cli, cli_json, db, corrected):
    ok(cli("import", "--replace", str(corrected)))
    first_jobs = cli_json("imports")[1]["id"]
    refused = cli("undo", str(first_jobs), "--yes")
    assert refused.exit_code == 1 and "--cascade" in refused.output
    ok(cli("undo", str(first_jobs), "--yes", "--cascade"))
    assert stored(db, "SELECT COUNT(*) FROM placements") == [(0,)]
    assert stored(db, "SELECT COUNT(*) FROM placements_versions") == [(0,)]
    assert ok(cli("check")).exit_code == 0


def test_a_row_brought_again_after_replace_removed_it_makes_undo_cascade(
    cli, cli_json, db, tmp_path, corrected
):
    ok(cli("import", "--replace", str(corrected)))
    replace_batch = cli_json("imports")[-1]["id"]
    # Another file brings the removed placement back.
    ok(cli("import", str(jobs(tmp_path / "annen.csv", [["P1", "jobb", "2018-12-20", "Kiwi"]]))))
    refused = cli("undo", str(replace_batch), "--yes")
    assert refused.exit_code == 1 and "--cascade" in refused.output
    assert "Traceback" not in refused.output
    ok(cli("undo", str(replace_batch), "--yes", "--cascade"))
    assert stored(db, "SELECT start_date FROM placements") == [("2018-12-20",)]


def test_replace_never_removes_rows_another_file_name_brought(cli, db, tmp_path):
    ok(cli("import", str(jobs(tmp_path / "a.csv", [["P1", "jobb", "2018-01-01", "Kiwi"]]))))
    ok(cli("import", str(jobs(tmp_path / "b.csv", [["P2", "jobb", "2018-02-01", "Rema"]]))))
    result = ok(
        cli(
            "import",
            "--replace",
            str(jobs(tmp_path / "a.csv", [["P3", "jobb", "2018-03-01", "Coop"]])),
        )
    )
    assert "removed 1 stored rows" in result.output
    ids = stored(db, "SELECT participant_id FROM placements ORDER BY 1")
    assert ids == [("P2",), ("P3",)]


def test_replace_does_not_remove_a_row_another_file_changed(cli, db, tmp_path):
    # P1 in deltakere.csv, then moved by flytting.csv: flytting.csv wrote it last, so a
    # deltakere.csv --replace without P1 leaves it.
    ok(
        cli(
            "import",
            str(people(tmp_path / "deltakere.csv", [["P1", A, "3301"], ["P2", B, "3301"]])),
        )
    )
    moved = write_csv(
        tmp_path / "flytting.csv", ["participant_id", "municipality"], [["P1", "3312"]]
    )
    ok(cli("import", "--kind", "participants", str(moved)))
    ok(cli("import", "--replace", str(people(tmp_path / "deltakere.csv", [["P2", B, "3301"]]))))
    assert stored(db, "SELECT participant_id FROM participants ORDER BY 1") == [("P1",), ("P2",)]


def test_replace_with_the_same_full_file_twice_changes_nothing(cli, db, corrected):
    ok(cli("import", "--replace", str(corrected)))
    before = snapshot(db)
    result = ok(cli("import", "--replace", str(corrected)))
    assert "nothing changed" in result.output
    assert snapshot(db) == before


def test_replace_with_rejected_rows_removes_nothing(cli, db, tmp_path, corrected):
    bad = jobs(
        tmp_path / "plasseringer.csv",
        [["P1", "jobb", "2019-01-10", "Kiwi"], ["P2", "jobb", "not a date", "Rema"]],
    )
    result = ok(cli("import", "--replace", "--on-error", "skip", str(bad)))
    assert "W-REPLACE-KEPT" in result.output
    starts = stored(db, "SELECT start_date FROM placements ORDER BY 1")
    assert starts == [("2018-12-20",), ("2019-01-10",)]


def test_replace_keeps_a_participant_whose_row_was_rejected_as_a_changed_fnr(cli, db, tmp_path):
    ok(cli("import", str(people(tmp_path / "d.csv", [["P1", A, "3301"], ["P2", B, "3301"]]))))
    again = people(tmp_path / "d.csv", [["P1", C, "3301"], ["P2", B, "3312"]])
    result = ok(cli("import", "--replace", "--on-error", "skip", str(again)))
    assert "W-REPLACE-KEPT" in result.output
    rows = stored(db, "SELECT participant_id, municipality FROM participants ORDER BY 1")
    assert rows == [("P1", "3301"), ("P2", "3312")]
    latest = json.loads(cli("imports", "--format", "json").stdout)[-1]
    assert (latest["skipped"], latest["updated"], latest["removed"]) == (1, 1, 0)


def test_replace_with_an_empty_export_is_refused(cli, db, corrected, tmp_path):
    before = snapshot(db)
    empty = jobs(tmp_path / "plasseringer.csv", [])
    result = cli("import", "--replace", str(empty))
    assert result.exit_code == 1 and "E-REPLACE-EMPTY" in result.output
    assert snapshot(db) == before


def test_replace_updates_changed_rows_and_keeps_unchanged_provenance(cli, cli_json, db, tmp_path):
    rows = [["P1", A, "3301"], ["P2", B, "3301"], ["P3", C, "3301"]]
    ok(cli("import", str(people(tmp_path / "deltakere.csv", rows))))
    new = [["P1", A, "3312"], ["P3", C, "3301"]]
    ok(cli("import", "--replace", str(people(tmp_path / "deltakere.csv", new))))
    latest = cli_json("imports")[-1]
    counts = (latest["inserted"], latest["updated"], latest["removed"], latest["unchanged"])
    assert counts == (0, 1, 1, 1)
    assert stored(
        db, "SELECT participant_id, municipality, batch_id FROM participants ORDER BY 1"
    ) == [
        ("P1", "3312", 2),
        ("P3", "3301", 1),
    ]


# ----------------------------------------------------------------------------- properties


def _run(db: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", str(db), *args], catch_exceptions=False)


job_rows = st.lists(
    st.tuples(
        st.sampled_from(["P1", "P2", "P3", "P4"]),
        st.sampled_from(["jobb", "kurs", "lærling"]),
        st.dates(date(2017, 1, 1), date(2020, 12, 31)).map(date.isoformat),
        st.sampled_from(["Kiwi", "Rema", ""]),
    ),
    min_size=1,
    max_size=8,
)

FAST = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FAST
@given(first=job_rows, second=job_rows)
def test_property_replace_twice_changes_nothing_and_undo_restores(first, second):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "intd.sqlite"
        file = folder / "plasseringer.csv"
        assert _run(db, "import", str(jobs(file, [list(r) for r in first]))).exit_code == 0
        before = content(db)
        full = jobs(file, [list(r) for r in second])
        assert _run(db, "import", "--replace", str(full)).exit_code == 0
        # The database now holds exactly the second file's placements.
        keys = {(r[0], r[2], r[3].casefold()) for r in second}
        got = stored(
            db, "SELECT participant_id, start_date, COALESCE(employer_name, '') FROM placements"
        )
        assert {(p, s, e.casefold()) for p, s, e in got} >= keys
        assert len(got) == len({(p, t, s, e.casefold()) for p, t, s, e in second})
        after_once = snapshot(db)
        assert _run(db, "import", "--replace", str(full)).exit_code == 0
        assert snapshot(db) == after_once
        batches = json.loads(_run(db, "imports", "--format", "json").stdout)
        if len(batches) == 2:  # the replace changed something
            assert _run(db, "undo", str(batches[-1]["id"]), "--yes").exit_code == 0
            assert without_undone(content(db), db) == before


@FAST
@given(
    numbers=st.lists(st.integers(1, 28), min_size=1, max_size=6, unique=True),
    changed=st.integers(0, 5),
    other=st.integers(1, 28),
)
def test_property_a_changed_fnr_is_refused_and_changes_nothing(numbers, changed, other):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "intd.sqlite"
        rows = [[f"P{i}", fnr(day), "3301"] for i, day in enumerate(numbers)]
        ok(_run(db, "import", str(people(folder / "d.csv", rows))))
        before = snapshot(db)
        target = changed % len(rows)
        new_day = other if other != numbers[target] else (other % 28) + 1
        rows[target][1] = fnr(new_day, 200)
        for args in (["--replace"], []):
            result = _run(db, "import", *args, str(people(folder / "d.csv", rows)))
            assert result.exit_code == 1 and "E-FNR-CHANGED" in result.output
            assert rows[target][1] not in result.output
            assert snapshot(db) == before


@FAST
@given(rows=job_rows, bad_row=st.integers(0, 7))
def test_property_a_rejected_import_changes_nothing(rows, bad_row):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "intd.sqlite"
        ok(_run(db, "import", str(jobs(folder / "a.csv", [list(r) for r in rows]))))
        before = snapshot(db)
        broken = [list(r) for r in rows]
        broken[bad_row % len(broken)][2] = "31.02.2019"
        for args in (["--replace"], []):
            result = _run(db, "import", *args, str(jobs(folder / "a.csv", broken)))
            assert result.exit_code == 1 and "E-DATE" in result.output
            assert snapshot(db) == before


@pytest.mark.sqlite_only  # writes an SQLite schema 2 by hand
def test_a_database_from_before_replace_gets_the_removed_count(cli, cli_json, db, tmp_path):
    ok(cli("import", str(jobs(tmp_path / "j.csv", [["P1", "jobb", "2019-03-01", "Kiwi"]]))))
    with sqlite3.connect(db) as conn:  # as intd wrote it before schema 3
        conn.execute("ALTER TABLE batches DROP COLUMN removed")
        conn.execute("PRAGMA user_version = 2")
    assert cli_json("imports")[0]["removed"] == 0
    assert stored(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]  # and on to the current schema
