"""QA follow-ups on typed notes: a merger note exactly where a record of that output
carries the old code (region and whole-project outputs alike); one name for a goal's
split row; region wording that is true whichever region is wider; goals left out of a
region they cannot count; one-year report titles and --from/--to messages.

The "s2" data set: one person each coded 0625 (Nedre Eiker), 0711 (Svelvik) and 0627
(Røyken) with a 2019 job, two coded 0713 (Sande (Vestfold)) with 2019 jobs, and one
coded 3802 (Holmestrand) with a 2020 job. All through real CSV files, a real SQLite
database and the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import (
    PARTICIPANT_HEADER,
    PLACEMENT_HEADER,
    participant_row,
    placement_row,
    write_csv,
)

SANDE_EN = "Holmestrand (former Sande (Vestfold), 0713)"
ASKER_LEFT_OUT = (
    "id-2016-2020 counts only Drammensregionen, which does not overlap Asker: left out."
)
ASKER_LEFT_OUT_NB = "id-2016-2020 teller bare Drammensregionen, som ikke overlapper Asker: utelatt."


person = participant_row
placement = placement_row


@pytest.fixture
def s2(tmp_path: Path, cli: Any) -> None:
    people = [
        person("N1", "0625"),
        person("V1", "0711"),
        person("S1", "0713"),
        person("S2", "0713"),
        person("H1", "3802"),
        person("R1", "0627"),
    ]
    jobs = [
        placement("N1", "2019-03-01"),
        placement("V1", "2019-04-01"),
        placement("S1", "2019-05-01"),
        placement("S2", "2019-06-01"),
        placement("H1", "2020-02-01"),
        placement("R1", "2019-07-01"),
    ]
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, jobs)
    result = cli("import", str(p), str(pl))
    assert result.exit_code == 0, result.output


def notes(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(n["old_code"], n["kind"]) for n in data["merger_notes"]]


# ------------------------------------------------------------------ item 1: merger notes


@pytest.mark.usefixtures("s2")
def test_a_region_report_notes_the_mergers_its_counted_records_carry(cli_json):
    drammen = cli_json("report", "--region", "Drammen")
    assert [(m["name"], m["into_work"]) for m in drammen["municipalities"]] == [("Drammen", 2)]
    assert notes(drammen) == [("0625", "counted"), ("0711", "counted")]
    asker = cli_json("report", "--region", "Asker")
    assert [(m["name"], m["into_work"]) for m in asker["municipalities"]] == [("Asker", 1)]
    assert notes(asker) == [("0627", "counted")]
    assert asker["notes"] == [
        "Røyken (0627) merged into Asker in 2020: counted as part of today's Asker."
    ]
    # S1, S2 (0713, 2019) and H1 (3802, 2020): 3 into work, the Sande note for 0713.
    holmestrand = cli_json("report", "--region", "Holmestrand")
    assert [(m["name"], m["into_work"]) for m in holmestrand["municipalities"]] == [
        ("Holmestrand", 3)
    ]
    assert notes(holmestrand) == [("0713", "counted")]
    # Lier counts no one: no note at all.
    assert cli_json("report", "--region", "Lier")["merger_notes"] == []


@pytest.mark.usefixtures("s2")
def test_progress_notes_only_what_its_figures_count(cli_json):
    lier = cli_json("progress", "--year", "2019", "--region", "Lier")
    assert lier["goals"][0]["actual"] == 0
    assert lier["merger_notes"] == [] and lier["notes"] == []
    # Drammen counts N1 and V1; the Sande records are outside it: no Sande note.
    drammen = cli_json("progress", "--year", "2019", "--region", "Drammen")
    assert drammen["goals"][0]["actual"] == 2
    assert notes(drammen) == [("0625", "counted"), ("0711", "counted")]
    # Whole project: the goal counts N1, V1, S1, S2 (R1's Røyken is not in its region,
    # and no introduction cohort counts R1): no Røyken note.
    whole = cli_json("progress", "--year", "2019")
    assert whole["goals"][0]["actual"] == 4
    assert notes(whole) == [("0625", "counted"), ("0711", "counted"), ("0713", "not_countable")]
    # Asker: the goal is left out and nothing else counts R1 in 2019.
    assert cli_json("progress", "--year", "2019", "--region", "Asker")["merger_notes"] == []


@pytest.mark.usefixtures("s2")
def test_a_whole_project_report_and_explain_note_every_merged_code_they_carry(cli_json):
    report = cli_json("report")
    assert {m["name"]: m["into_work"] for m in report["municipalities"]} == {
        "Asker": 1,
        "Drammen": 2,
        "Holmestrand": 3,
    }
    assert notes(report) == [(c, "counted") for c in ("0625", "0627", "0711", "0713")]
    # explain lists every person, counted (N1, V1, S1, S2) or not (R1 outside the region;
    # H1's 2020 job is after the period): each listed old code has its note.
    explained = cli_json("explain", "--goal", "id-2016-2020", "--year", "2019")
    assert len(explained["counted"]) == 4
    assert sorted(notes(explained)) == [
        ("0625", "counted"),
        ("0627", "counted"),
        ("0711", "counted"),
        ("0713", "not_countable"),
    ]
    # A region report always shows Sande's own row: the note says why it stops in 2020.
    region = cli_json("report", "--region", "Drammensregionen")
    assert notes(region) == [("0625", "counted"), ("0711", "counted"), ("0713", "not_countable")]


# ------------------------------------------------------------------ item 6: one name


@pytest.mark.usefixtures("s2")
def test_a_goals_split_row_has_the_name_its_regions_report_gives_it(cli_json):
    report = cli_json("report", "--region", "Drammensregionen")
    counted = [(m["name"], m["into_work"]) for m in report["municipalities"] if m["into_work"]]
    assert counted == [("Drammen", 2), (SANDE_EN, 2)]
    for args in ((), ("--region", "Drammensregionen")):
        data = cli_json("progress", "--year", "2019", "--by", "municipality", *args)
        rows = data["breakdowns"]["id-2016-2020"]["rows"]
        assert [(r["name"], r["into_work"]) for r in rows] == counted
        assert rows[1]["label_fields"]["kind"] == "part"


# ------------------------------------------------------------------ item 12: wording


@pytest.mark.usefixtures("s2")
def test_region_wording_is_true_whichever_region_is_wider(cli, cli_json):
    wider = cli(
        "explain", "--goal", "id-yearly-300", "--year", "2022", "--region", "Drammensregionen"
    )
    assert wider.exit_code == 0
    head = wider.stdout.splitlines()[0]
    assert "Drammensregionen, as far as it overlaps the goal's region Drammen" in head
    assert "within" not in head
    nb = cli(
        "explain",
        "--goal",
        "id-yearly-300",
        "--year",
        "2022",
        "--region",
        "Drammensregionen",
        "--lang",
        "nb",
        "--format",
        "markdown",
    ).stdout
    assert "Drammensregionen, så langt den overlapper målets region Drammen" in nb
    inside = cli("explain", "--goal", "id-2016-2020", "--year", "2019", "--region", "Lier")
    assert "Lier, within the goal's region Drammensregionen" in inside.stdout
    # Holmestrand reaches beyond the goal's region (its 3802 records): overlaps, not within.
    part = cli("explain", "--goal", "id-2016-2020", "--year", "2019", "--region", "Holmestrand")
    assert "Holmestrand, as far as it overlaps the goal's region Drammensregionen" in part.stdout


# ------------------------------------------------------------------ item 14: left out


@pytest.mark.usefixtures("s2")
def test_a_goal_is_left_out_of_a_region_it_cannot_count(tmp_path, cli, cli_json):
    data = cli_json("progress", "--year", "2019", "--region", "Asker")
    assert data["goals"] == []
    assert data["not_applicable"] == [
        {"id": "id-2016-2020", "goal_region": "Drammensregionen", "region": "Asker"}
    ]
    text = " ".join(cli("progress", "--year", "2019", "--region", "Asker").stdout.split())
    assert ASKER_LEFT_OUT in text and "On track" not in text and "795" not in text
    md = cli(
        "progress", "--year", "2019", "--region", "Asker", "--lang", "nb", "--format", "markdown"
    )
    assert f"- {ASKER_LEFT_OUT_NB}" in md.stdout
    # A region the goal covers: nothing left out, the key is there and empty.
    assert cli_json("progress", "--year", "2019", "--region", "Lier")["not_applicable"] == []
    # The shared report files say so where the headline cards are.
    html = tmp_path / "r.html"
    assert cli("report", "--region", "Asker", "--out", str(html)).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert ASKER_LEFT_OUT in page and "Expected 795" not in page
    book = tmp_path / "r.xlsx"
    assert cli("report", "--region", "Asker", "--out", str(book)).exit_code == 0
    cells = {c.value for ws in openpyxl.load_workbook(book) for row in ws.iter_rows() for c in row}
    assert ASKER_LEFT_OUT in cells


@pytest.mark.usefixtures("s2")
def test_explain_refuses_a_goal_for_a_region_it_cannot_count(cli):
    result = cli("explain", "--goal", "id-2016-2020", "--year", "2019", "--region", "Asker")
    assert result.exit_code == 1
    assert "id-2016-2020 counts only Drammensregionen, which does not overlap Asker" in (
        result.output
    )
    assert "Traceback" not in result.output
    # id-yearly-300 counts only Drammen: Lier is next door, not in it.
    lier = cli("explain", "--goal", "id-yearly-300", "--year", "2022", "--region", "Lier")
    assert lier.exit_code == 1 and "does not overlap Lier" in lier.output


# ------------------------------------------------------------------ item 16


@pytest.mark.usefixtures("s2")
def test_a_one_year_report_title_names_one_year(cli):
    text = cli("report", "--from", "2019", "--to", "2019").stdout
    assert text.splitlines()[0].strip() == "Report whole project, 2019"
    md = cli("report", "--from", "2019", "--to", "2019", "--lang", "nb", "--format", "markdown")
    assert md.stdout.startswith("# Rapport hele prosjektet, 2019\n")
    both = cli("report", "--format", "markdown").stdout  # the data: 2019 and 2020
    assert both.startswith("# Report whole project, 2019–2020\n")


@pytest.mark.usefixtures("s2")
def test_from_and_to_messages_name_what_was_given(cli):
    late = cli("report", "--from", "2030")
    assert late.exit_code == 1
    assert "--from 2030 is after the last year with data, 2020." in late.output
    assert "--to" not in late.output
    early = cli("report", "--to", "2010")
    assert early.exit_code == 1
    assert "--to 2010 is before the first year with data, 2019." in early.output
    both = cli("report", "--from", "2020", "--to", "2019")
    assert both.exit_code == 1 and "--from 2020 is after --to 2019." in both.output
