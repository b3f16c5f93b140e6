"""Follow-ups of the outputs issue found when its parts were put together: a hidden goal
count hides what would give it back, and `report --by municipality` prints its table
once. Hand-made data, real SQLite, the CLI through CliRunner."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    PARTICIPANT_HEADER,
    PLACEMENT_HEADER,
    participant_row,
    placement_row,
    write_csv,
)

pytestmark = pytest.mark.both_backends

person = participant_row
job = placement_row


def load(tmp: Path, cli: Any) -> None:
    # Two people into work in Drammen by 2019 (one in 2018, one in 2019): below 3, so
    # `--suppress 3` hides the goal's actual. Five in Lier, all in 2019.
    people = [person("D1", "3005"), person("D2", "3005")]
    people += [person(f"L{i}", "3049") for i in range(5)]
    jobs = [job("D1", "2018-03-01"), job("D2", "2019-04-01")]
    jobs += [job(f"L{i}", f"2019-0{i + 1}-10") for i in range(5)]
    p = write_csv(tmp / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp / "pl.csv", PLACEMENT_HEADER, jobs)
    result = cli("import", str(p), str(pl))
    assert result.exit_code == 0, result.output


def test_a_hidden_goal_count_hides_its_projection_verdict_and_chart(tmp_path, cli, cli_json):
    load(tmp_path, cli)
    shown = cli_json("progress", "--year", "2019", "--region", "Drammen")["goals"][0]
    assert (shown["actual"], shown["in_year"]) == (2, 1)
    assert shown["projected"] is not None and shown["on_track"] is False
    hidden = cli_json("progress", "--year", "2019", "--region", "Drammen", "--suppress", "3")
    goal = hidden["goals"][0]
    assert (goal["actual"], goal["in_year"]) == (None, None)
    assert (goal["projected"], goal["on_track"], goal["percent_of_target"]) == (None, None, None)
    args = ("progress", "--year", "2019", "--region", "Drammen", "--suppress", "3")
    rows = list(csv.DictReader(io.StringIO(cli(*args, "--format", "csv").stdout)))
    assert rows[0]["section"] == "goal"
    assert (rows[0]["actual"], rows[0]["on_track"], rows[0]["projected"]) == ("", "", "")
    assert rows[0]["suppressed"] == "actual in_year on_track share_of_target projected"
    markdown = cli(*args, "--format", "markdown").stdout
    goal_row = next(line for line in markdown.splitlines() if line.startswith("| 1000 into"))
    cells = [c.strip() for c in goal_row.strip("|").split("|")]
    assert cells[3:5] == [":", ":"] and cells[-1] == ":"  # actual, in 2019, on track
    chart = cli(*args, "--chart").stdout
    assert "would give a hidden count back" in chart and "2018 " not in chart
    # Whenever counts are hidden the chart is left out, also where this goal's total is
    # shown: its yearly bars are differences of cumulative counts (Lier: 5 in 2019, and
    # a bar per year would give any hidden in-year count back). Before the provenance.
    lier_chart = cli("progress", "--year", "2019", "--region", "Lier", "--suppress", "3", "--chart")
    out = lier_chart.stdout
    assert "would give a hidden count back" in out and "actual / expected" not in out
    assert out.index("would give a hidden count back") < out.index("Data as of")
    full = cli("progress", "--year", "2019", "--region", "Lier", "--chart").stdout
    assert "5 / 795" in full and full.index("5 / 795") < full.index("Data as of")
    # Lier's 5 are shown, and so is everything built on them.
    lier = cli_json("progress", "--year", "2019", "--region", "Lier", "--suppress", "3")
    assert lier["goals"][0]["actual"] == 5 and lier["goals"][0]["on_track"] is False


def test_report_by_municipality_prints_its_table_once(tmp_path, cli, cli_json):
    load(tmp_path, cli)
    args = ("report", "--region", "Drammensregionen", "--by", "municipality")
    markdown = cli(*args, "--format", "markdown").stdout
    assert markdown.count("| Drammen |") == 1 and "## By municipality" not in markdown
    assert "## Per municipality" in markdown
    assert cli(*args).stdout.count("Drammen  ") == 1
    # JSON scripts asked for the breakdown and still get it, the same rows.
    data = cli_json(*args)
    by = {r["name"]: r["into_work"] for r in data["breakdown"]["rows"]}
    assert by == {r["name"]: r["into_work"] for r in data["municipalities"]}
    assert by["Drammen"] == 2 and by["Lier"] == 5
    sections = [
        r["section"] for r in csv.DictReader(io.StringIO(cli(*args, "--format", "csv").stdout))
    ]
    # CSV: the municipality section is those rows (with codes), never twice.
    assert "by_municipality" not in sections and sections.count("municipality") > 1
    # Another dimension is still its own table.
    assert "## By gender" in cli("report", "--by", "gender", "--format", "markdown").stdout


def test_a_hidden_quarter_is_not_the_in_year_count_less_the_visible_ones(tmp_path, cli, cli_json):
    # Drammen: 2018 Q1 5, Q2 1; 2019 Q1 4, Q2 4, Q3 2. With --suppress 3 the whole split
    # hides 2018 Q2 (1) and 2019 Q3 (2), which protects the goal's actual (16) but not
    # the published in-year count of 2019 (10): 10 - 4 - 4 would give Q3 = 2 back. So a
    # second 2019 quarter is hidden too.
    starts = ["2018-01-10"] * 5 + ["2018-04-10"] + ["2019-01-10"] * 4 + ["2019-04-10"] * 4
    starts += ["2019-07-10"] * 2
    people = [person(f"Q{i}", "3005") for i in range(len(starts))]
    jobs = [job(f"Q{i}", day) for i, day in enumerate(starts)]
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, jobs)
    assert cli("import", str(p), str(pl)).exit_code == 0
    exact = cli_json("progress", "--year", "2019", "--by", "quarter")
    assert (exact["goals"][0]["actual"], exact["goals"][0]["in_year"]) == (16, 10)
    data = cli_json("progress", "--year", "2019", "--by", "quarter", "--suppress", "3")
    goal = data["goals"][0]
    assert (goal["actual"], goal["in_year"]) == (16, 10)
    rows = {r["name"]: r["into_work"] for r in data["breakdowns"]["id-2016-2020"]["rows"]}
    assert rows["2018 Q1"] == 5 and rows["2018 Q2"] is None
    quarters_2019 = [rows[f"2019 Q{q}"] for q in (1, 2, 3) if f"2019 Q{q}" in rows]
    assert rows["2019 Q3"] is None and quarters_2019.count(None) == 2
    # Both totals now leave at least two hidden cells each.
    visible = sum(v for k, v in rows.items() if k.startswith("2019") and v is not None)
    assert goal["in_year"] - visible == 6  # the sum of two hidden quarters, not one
