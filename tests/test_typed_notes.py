"""Typed notes, row labels and explain details, worded from one translation table per
language; merger notes only where they explain something; one name for one row; the
goal's own region in explain; distinct headers; the data's date as a reader writes it.

All through real CSV files, a real SQLite database and the CLI (CliRunner)."""

from __future__ import annotations

import json
import re
import sqlite3
import string
from itertools import pairwise
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
from intdrammen.models import DetailCode, MergerKind, Outcome, PlacementType
from intdrammen.render.fmt import Fmt
from intdrammen.render.lang import LANGUAGES, en, nb, table
from intdrammen.reports.tables import DIMENSIONS

SRC = Path(__file__).parents[1] / "src" / "intdrammen"
SANDE_EN = "Holmestrand (former Sande (Vestfold), 0713)"
SANDE_NB = "Holmestrand (tidligere Sande (Vestfold), 0713)"
NEDRE_EIKER = "Nedre Eiker (0625) merged into Drammen in 2020: counted as part of today's Drammen."
SANDE_NOTE = (
    "Sande (Vestfold) (0713) merged into Holmestrand in 2020; in Drammensregionen, "
    "records coded 3802/3903 cannot be told apart from the rest of Holmestrand and are not counted."
)


def person(pid: str, code: str, end: str = "", outcome: str = "") -> list[object]:
    return participant_row(pid, code, end=end, outcome=outcome)


def placement(pid: str, start: str, kind: str = "fast jobb") -> list[object]:
    return placement_row(pid, start, kind=kind)


def load(tmp: Path, cli: Any, people: list[list[object]], jobs: list[list[object]]) -> None:
    p = write_csv(tmp / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp / "pl.csv", PLACEMENT_HEADER, jobs)
    result = cli("import", str(p), str(pl))
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------------ translation tables


def test_every_language_has_every_key_with_the_same_placeholders():
    assert set(LANGUAGES) == {"en", "nb"}
    assert set(en.TABLE) == set(nb.TABLE)
    fields = string.Formatter()
    for key, text in en.TABLE.items():
        names = {f for _, f, _, _ in fields.parse(text) if f}
        assert names == {f for _, f, _, _ in fields.parse(nb.TABLE[key]) if f}, key


def test_every_key_the_code_uses_is_in_the_tables():
    used: set[str] = set()
    for path in (SRC / "render").glob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_0-9.]+)["']""", path.read_text()))
    assert {"goal", "target", "measure", "data_as_of", "counted_what"} <= used
    used |= {f"note.{k.value}" for k in MergerKind}
    used |= {f"detail.{k.value}" for k in DetailCode}
    used |= {f"month.{m}" for m in range(1, 13)}
    used |= {f"dimension.{d}" for d in DIMENSIONS}
    used |= {"row.quarter", "row.split", "row.part", "date_long", "datetime_long", "time"}
    reasons = ["outside_region", "after_period", "outside_window", "no_job", "not_in_numerator"]
    reasons += ["moved", "no_end_reason", "no_placement", "placement", "outcome", "status_1y"]
    used |= {f"word.{c}" for c in [*reasons, *PlacementType, *Outcome]}
    missing = sorted(used - set(en.TABLE))
    assert not missing


def test_a_new_language_is_one_table_and_falls_back_to_english():
    made_up = {"goal": "Maal", "note.counted": "{old} > {new} ({year})", "month.12": "dec"}
    fmt = Fmt("xx", words=made_up)
    assert fmt.t("goal") == "Maal"
    assert fmt.t("target") == "Target"  # not in the made-up table: English
    assert table("xx") is table("en")
    nb_fmt = Fmt("nb")
    assert nb_fmt.t("goal") == "Mål" and nb_fmt.t("month.12") == "desember"


def test_no_regular_expression_reads_text_back_in_render():
    # The only `re` in render/: SVG clean-up (charts), sheet-name characters (xlsx) and
    # the split of a text into its space-separated words for wrapping (fit), which reads
    # no meaning back.
    users = {p.name for p in (SRC / "render").rglob("*.py") if "import re" in p.read_text()}
    assert users <= {"charts.py", "xlsx.py", "fit.py"}
    fit = (SRC / "render" / "fit.py").read_text()
    assert re.findall(r"re\.\w+\(", fit) == ["re.compile("]
    assert '_UNIT = re.compile(r"[^ \\n]+")' in fit
    assert "NOTE_PATTERNS" not in (SRC / "render" / "fmt.py").read_text()


# ------------------------------------------------------------------ merger notes


def test_no_merger_note_without_a_record_or_row_it_explains(tmp_path, cli, cli_json):
    load(
        tmp_path,
        cli,
        [person("D1", "0602"), person("L1", "0626")],
        [placement("D1", "2019-03-01"), placement("L1", "2019-04-01")],
    )
    progress = cli_json("progress", "--year", "2019")
    assert progress["goals"][0]["actual"] == 2  # D1 and L1
    assert progress["notes"] == [] and progress["merger_notes"] == []
    assert cli_json("report")["notes"] == []
    explained = cli_json("explain", "--goal", "id-2016-2020", "--year", "2019")
    assert explained["notes"] == []
    text = cli("progress", "--year", "2019").stdout
    assert "merged" not in text
    # The region report always shows Sande's own row: the note says why it stops in 2020.
    region = cli_json("report", "--region", "Drammensregionen")
    assert region["notes"] == [SANDE_NOTE]
    (note,) = region["merger_notes"]
    assert note["kind"] == "not_countable" and note["old_code"] == "0713"
    assert (note["old_name"], note["merged_into"], note["year"]) == (
        "Sande (Vestfold)",
        "Holmestrand",
        2020,
    )
    assert note["codes"] == ["3802", "3903"] and "0713" in note["old_codes"]


def test_a_merger_note_shows_when_a_record_carries_its_codes(tmp_path, cli, cli_json):
    # N1 in Nedre Eiker (0625) in 2019: counted as Drammen. H1 in Holmestrand (3802) in
    # 2020: read for 2020, not counted (cannot be told apart from the rest).
    load(
        tmp_path,
        cli,
        [person("D1", "0602"), person("N1", "0625"), person("H1", "3802")],
        [
            placement("D1", "2019-03-01"),
            placement("N1", "2019-05-01"),
            placement("H1", "2020-02-01"),
        ],
    )
    y2019 = cli_json("progress", "--year", "2019")
    assert y2019["goals"][0]["actual"] == 2  # D1, N1
    assert y2019["notes"] == [NEDRE_EIKER]
    assert y2019["merger_notes"][0]["kind"] == "counted"
    y2020 = cli_json("progress", "--year", "2020")
    assert y2020["goals"][0]["actual"] == 2  # H1 is not counted
    # H1 is neither counted nor listed: no record in the output carries 0713, no Sande note.
    assert y2020["notes"] == [NEDRE_EIKER]
    assert not any("Svelvik" in n for n in y2020["notes"])
    nb = cli("progress", "--year", "2020", "--lang", "nb", "--format", "markdown").stdout
    assert "- Nedre Eiker (0625) ble slått sammen med Drammen i 2020: telles som" in nb
    assert "merged into" not in nb


def test_a_whole_project_output_notes_the_mergers_its_records_carry(tmp_path, cli, cli_json):
    # No region: N1 (Nedre Eiker 0625) and R1 (Røyken 0627, now Asker, in no configured
    # region) are counted under today's municipalities; the notes say so. D1's 0602 is
    # Drammen's own old number (a continuation, not a merger): no note.
    load(
        tmp_path,
        cli,
        [person("D1", "0602"), person("N1", "0625"), person("R1", "0627")],
        [
            placement("D1", "2019-03-01"),
            placement("N1", "2019-05-01"),
            placement("R1", "2019-06-01"),
        ],
    )
    royken = "Røyken (0627) merged into Asker in 2020: counted as part of today's Asker."
    report = cli_json("report")
    assert report["notes"] == [NEDRE_EIKER, royken]
    assert [n["old_code"] for n in report["merger_notes"]] == ["0625", "0627"]
    assert {r["name"]: r["into_work"] for r in report["municipalities"]} == {
        "Asker": 1,
        "Drammen": 2,
    }
    # Restricted to Lier, neither record is in the output's rows: neither note.
    assert cli_json("report", "--region", "Lier")["notes"] == []


# ------------------------------------------------------------------ one name for one row


def test_a_2019_sande_record_is_holmestrand_in_every_output(tmp_path, cli, cli_json):
    load(
        tmp_path,
        cli,
        [person("D1", "0602"), person("S1", "0713")],
        [placement("D1", "2019-03-01"), placement("S1", "2019-05-01")],
    )
    whole = {m["name"]: m["into_work"] for m in cli_json("report")["municipalities"]}
    assert whole == {"Drammen": 1, "Holmestrand": 1}
    region = cli_json("report", "--region", "Drammensregionen")
    rows = {m["name"]: m for m in region["municipalities"]}
    assert rows[SANDE_EN]["into_work"] == 1 and rows[SANDE_EN]["code"] == "3903"
    assert rows[SANDE_EN]["label_fields"] == {
        "kind": "part",
        "name": "Sande (Vestfold)",
        "code": "0713",
        "today": "Holmestrand",
        "year": 2020,
    }
    assert rows["Drammen"]["label_fields"] is None
    # The goal counts only Drammensregionen: its rows are named as that region's report
    # names them, with or without --region (the whole-project report's Holmestrand row
    # counts all of Holmestrand, a different row).
    for args in ((), ("--region", "Drammensregionen")):
        data = cli_json("progress", "--year", "2019", "--by", "municipality", *args)
        names = [r["name"] for r in data["breakdowns"]["id-2016-2020"]["rows"]]
        assert names == ["Drammen", SANDE_EN]
        by = cli_json("report", "--by", "municipality", *args)["breakdown"]["rows"]
        assert [r["name"] for r in by if r["into_work"]] == (
            names if args else ["Drammen", "Holmestrand"]
        )
    md = cli("report", "--region", "Drammensregionen", "--lang", "nb", "--format", "markdown")
    assert f"| {SANDE_NB} | 1 |" in md.stdout
    text = " ".join(cli("report", "--region", "Drammensregionen").stdout.split())
    assert SANDE_EN in text


def test_quarter_and_split_rows_are_worded_per_language(tmp_path, cli, cli_json):
    load(
        tmp_path,
        cli,
        [person("D1", "0602"), person("A1", "1507")],
        [placement("D1", "2019-08-01"), placement("A1", "2019-02-01")],
    )
    data = cli_json("report", "--by", "quarter")
    rows = {r["name"]: r["label_fields"] for r in data["breakdown"]["rows"]}
    assert rows["2019 Q3"] == {"kind": "quarter", "year": 2019, "quarter": 3}
    md = cli("report", "--by", "quarter", "--lang", "nb", "--format", "markdown").stdout
    assert "| 2019 K1 | 1 |" in md and "| 2019 K3 | 1 |" in md and "Q3" not in md
    split = {m["name"]: m for m in cli_json("report")["municipalities"]}
    assert split["Ålesund (1507, split 2024)"]["label_fields"]["kind"] == "split"
    md = cli("report", "--lang", "nb", "--format", "markdown").stdout
    assert "| Ålesund (1507, delt 2024) | 1 |" in md


# ------------------------------------------------------------------ explain


def test_explain_states_the_goals_own_region(tmp_path, cli, cli_json):
    load(tmp_path, cli, [person("D1", "0602")], [placement("D1", "2019-03-01")])
    data = cli_json("explain", "--goal", "id-2016-2020", "--year", "2019")
    assert data["region"] is None and data["goal_region"] == "Drammensregionen"
    head = cli("explain", "--goal", "id-2016-2020", "--year", "2019").stdout.splitlines()[0]
    assert "Drammensregionen (the goal's region)" in head and "whole project" not in head
    nb = cli("explain", "--goal", "id-2016-2020", "--year", "2019", "--lang", "nb").stdout
    assert "Drammensregionen (målets region)" in nb and "hele prosjektet" not in nb
    lier = cli("explain", "--goal", "id-2016-2020", "--year", "2019", "--region", "Lier")
    assert "Lier, within the goal's region Drammensregionen" in lier.stdout
    intro = cli_json("explain", "--goal", "intro-direct-55", "--year", "2019")
    assert intro["goal_region"] is None
    text = cli("explain", "--goal", "intro-direct-55", "--year", "2019").stdout
    assert "whole project" in text.splitlines()[0]


def test_explain_details_are_typed_and_keep_todays_text(tmp_path, cli, cli_json):
    # D1 counted; O1 in Oslo (outside the region); E1 job before the window (which opens
    # 2016-02-09); C1 a course only; I1 a 2019 programme end with work.
    people = [
        person("D1", "0602"),
        person("O1", "0301"),
        person("E1", "0602"),
        person("C1", "0602"),
        person("I1", "0602", end="2019-06-30", outcome="arbeid"),
    ]
    jobs = [
        placement("D1", "2019-03-01"),
        placement("O1", "2019-04-01"),
        placement("E1", "2015-05-01"),
        placement("C1", "2019-02-01", kind="kurs"),
    ]
    load(tmp_path, cli, people, jobs)
    data = cli_json("explain", "--goal", "id-2016-2020", "--year", "2019")
    assert [c["participant_id"] for c in data["counted"]] == ["D1"]
    assert data["counted"][0]["what"] == "job" and data["counted"][0]["basis"] is None
    excluded = {e["participant_id"]: e for e in data["excluded"]}
    assert excluded["O1"]["reason"] == "outside_region"
    assert excluded["O1"]["detail"] == "municipality 0301"
    assert excluded["O1"]["detail_fields"] == {"code": "municipality", "municipality": "0301"}
    assert excluded["E1"]["reason"] == "outside_window"
    assert excluded["E1"]["detail"] == "job starts 2015-05-01"
    assert excluded["E1"]["detail_fields"] == {"code": "job_starts", "dates": ["2015-05-01"]}
    assert excluded["E1"]["date"] == "2015-05-01"
    assert (excluded["C1"]["reason"], excluded["C1"]["detail"]) == ("course", "placements: course")
    assert excluded["C1"]["detail_fields"]["placement_types"] == ["course"]
    nb = " ".join(
        cli("explain", "--goal", "id-2016-2020", "--year", "2019", "--lang", "nb").stdout.split()
    )
    assert "kommune 0301" in nb and "jobb starter 01.05.2015" in nb
    assert "plasseringer: kurs" in nb and "utenfor regionen" in nb
    intro = cli_json("explain", "--goal", "intro-direct-55", "--year", "2019")
    (counted,) = intro["counted"]
    assert (counted["participant_id"], counted["what"]) == ("I1", "outcome: work")
    assert (counted["basis"], counted["what_code"]) == ("outcome", "work")
    nb = cli("explain", "--goal", "intro-direct-55", "--year", "2019", "--lang", "nb").stdout
    assert "resultat: arbeid" in nb


# ------------------------------------------------------------------ headers and dates


def _markdown_headers(text: str) -> list[list[str]]:
    lines = text.splitlines()
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line, below in pairwise(lines)
        if line.startswith("|") and below.startswith("|---")
    ]


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_every_table_header_is_distinct(tmp_path, cli, lang):
    load(
        tmp_path,
        cli,
        [person("D1", "0602", end="2019-06-30", outcome="arbeid"), person("L1", "0626")],
        [placement("D1", "2019-03-01"), placement("L1", "2019-04-01")],
    )
    outputs = [
        cli("progress", "--year", "2019", "--lang", lang, "--format", "markdown", *extra).stdout
        for extra in ((), ("--by", "gender"))
    ]
    outputs.append(cli("report", "--by", "quarter", "--lang", lang, "--format", "markdown").stdout)
    headers = [h for out in outputs for h in _markdown_headers(out)]
    assert len(headers) >= 5
    for header in headers:
        assert len(set(header)) == len(header), header
    text = cli("progress", "--year", "2019", "--lang", lang).stdout.splitlines()
    goal = "Goal" if lang == "en" else "Mål"
    (head,) = (re.split(r"\s{2,}", t.strip()) for t in text if t.strip().startswith(goal + " "))
    assert len(head) == 7 and len(set(head)) == 7, head  # the goals table in the terminal
    page = tmp_path / f"r-{lang}.html"
    assert cli("report", "--by", "gender", "--lang", lang, "--out", str(page)).exit_code == 0
    heads = re.findall(r"<thead><tr>(.*?)</tr></thead>", page.read_text(encoding="utf-8"))
    assert len(heads) >= 3
    for head in heads:
        cells = re.findall(r"<th>(.*?)</th>", head)
        assert len(set(cells)) == len(cells), cells
    out = tmp_path / f"r-{lang}.xlsx"
    assert cli("report", "--by", "gender", "--lang", lang, "--out", str(out)).exit_code == 0
    for sheet in openpyxl.load_workbook(out).worksheets:
        first = [c.value for c in next(sheet.iter_rows(max_row=1)) if c.value is not None]
        if len(first) > 1:
            assert len(set(first)) == len(first), (sheet.title, first)


def test_data_as_of_is_written_as_a_reader_writes_a_date(tmp_path, cli, cli_json, db, monkeypatch):
    load(tmp_path, cli, [person("D1", "0602")], [placement("D1", "2019-03-01")])
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE batches SET imported_at = '2026-12-01T21:34:00+00:00'")
    monkeypatch.setenv("TZ", "Europe/Oslo")  # UTC+1 in December
    en_text = " ".join(cli("progress", "--year", "2019", "--lang", "en").stdout.split())
    assert "Data as of 1 December 2026, 22:34" in en_text and "+00:00" not in en_text
    nb_text = " ".join(cli("progress", "--year", "2019", "--lang", "nb").stdout.split())
    assert "Data per 1. desember 2026 kl. 22.34" in nb_text
    md = cli("report", "--lang", "nb", "--format", "markdown").stdout
    assert "- Data per: 1. desember 2026 kl. 22.34" in md
    html = tmp_path / "r.html"
    assert cli("report", "--lang", "nb", "--out", str(html)).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert '<time datetime="2026-12-01T21:34:00+00:00">1. desember 2026 kl. 22.34</time>' in page
    assert cli_json("progress", "--year", "2019")["provenance"]["data_as_of"] == (
        "2026-12-01T21:34:00+00:00"
    )
    monkeypatch.setenv("TZ", "UTC")
    assert "Data as of 1 December 2026, 21:34" in " ".join(
        cli("progress", "--year", "2019").stdout.split()
    )
    assert json.loads(cli("report", "--format", "json").stdout)["provenance"]["data_as_of"] == (
        "2026-12-01T21:34:00+00:00"
    )


def test_regions_show_lists_every_configured_note_typed_and_in_words(tmp_path, cli, cli_json):
    data = cli_json("regions", "show", "Drammensregionen")
    assert data["notes"][0] == NEDRE_EIKER and data["notes"][-1] == SANDE_NOTE
    kinds = [(n["kind"], n["old_code"]) for n in data["merger_notes"]]
    assert kinds == [("counted", "0625"), ("counted", "0711"), ("not_countable", "0713")]
    # A merged municipality as a region: its note explains the output's own title.
    load(tmp_path, cli, [person("D1", "0602")], [placement("D1", "2019-03-01")])
    today = cli_json("report", "--region", "0625")
    assert today["region"] == "Drammen"
    assert [n["kind"] for n in today["merger_notes"]] == ["shown_as_today"]
    assert today["notes"] == [
        "Nedre Eiker (0625) merged into Drammen in 2020; showing today's Drammen."
    ]
