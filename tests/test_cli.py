"""The command-line contract: help, exit codes, JSON shapes, and a few runs as a real
subprocess (`intd` and `python -m intdrammen`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, exists, is_postgres, write_csv
from intdrammen import __version__
from intdrammen.cli import app

pytestmark = pytest.mark.both_backends

COMMANDS = [
    "import",
    "imports",
    "undo",
    "check",
    "columns",
    "progress",
    "report",
    "explain",
    "goals",
    "regions",
    "demo",
]


def small_files(tmp: Path) -> list[Path]:
    p = write_csv(
        tmp / "deltakere.csv",
        PARTICIPANT_HEADER,
        [
            ["D1", "", 1990, "K", "Syria", "0602", "", "2017-01-01", "2019-06-15", "fullført", ""],
            ["D2", "", 1985, "M", "Eritrea", "0403", "", "", "2019-08-20", "avbrutt", "arbeid"],
        ],
    )
    pl = write_csv(
        tmp / "plasseringer.csv",
        PLACEMENT_HEADER,
        [
            ["PL1", "D1", "fast jobb", "", "Kiwi", "15.07.2019", "", "100", "mentor"],
            ["PL2", "D2", "lærling", "", "Rema", "01.09.2019", "", "100", "NAV"],
        ],
    )
    return [p, pl]


def test_help_lists_every_command_with_examples():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.stdout
    assert "intd import deltakere.xlsx plasseringer.csv" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.stdout


def test_usage_error_is_exit_2(cli):
    assert cli("progress").exit_code == 2  # --year missing
    assert cli("progress", "--year", "2019", "--format", "pdf").exit_code == 2


@pytest.mark.parametrize(
    "args",
    [
        ["progress", "--year", "0"],
        ["progress", "--year", "10000"],
        ["report", "--to", "10000"],
        ["explain", "--goal", "intro-direct-55", "--year", "0"],
    ],
)
def test_impossible_years_are_usage_errors_without_traceback(tmp_path, cli, args):
    cli("import", *map(str, small_files(tmp_path)))
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Invalid value" in result.output


def test_read_commands_never_create_the_database(cli, db):
    for args in (["progress", "--year", "2019"], ["report"], ["imports"], ["check"]):
        result = cli(*args)
        assert result.exit_code == 1
        # An empty PostgreSQL database is there, without intd's tables.
        assert ("is empty" if is_postgres(db) else "No database") in result.stderr
    assert not exists(db)


def test_progress_json_follows_the_contract(tmp_path, cli, cli_json):
    assert cli("import", *map(str, small_files(tmp_path))).exit_code == 0
    data = cli_json("progress", "--year", "2019")
    assert data["year"] == 2019 and data["region"] is None
    goal = data["goals"][0]
    assert set(goal) >= {
        "id",
        "title",
        "kind",
        "start",
        "end",
        "target",
        "actual",
        "in_year",
        "expected",
        "on_track",
    }
    assert (goal["id"], goal["start"], goal["end"], goal["target"]) == (
        "id-2016-2020",
        "2016-02-09",
        "2020-12-31",
        1000,
    )
    assert (goal["actual"], goal["in_year"], goal["expected"], goal["on_track"]) == (
        1,
        1,
        795.3,
        False,
    )
    assert [g["id"] for g in data["goals"]] == ["id-2016-2020"]
    intro = {i["id"]: i for i in data["intro"]}
    direct = intro["intro-direct-55"]
    assert set(direct) >= {
        "id",
        "cohort_year",
        "ended",
        "work_or_education",
        "rate",
        "target",
        "met",
    }
    # D1: no outcome, job starts 30 days after 2019-06-15 -> counts; D2: explicit arbeid.
    assert (direct["ended"], direct["work_or_education"], direct["rate"], direct["met"]) == (
        2,
        2,
        1.0,
        True,
    )
    assert direct["target"] == 0.55 and intro["intro-1y-70"]["target"] == 0.7


def test_progress_region_and_yearly_goal(tmp_path, cli, cli_json):
    cli("import", *map(str, small_files(tmp_path)))
    data = cli_json("progress", "--year", "2022", "--region", "Mjøsa")
    assert data["region"] == "Mjøsa"
    # id-yearly-300 counts only Drammen, which Mjøsa does not overlap: left out.
    assert data["goals"] == []
    assert data["not_applicable"] == [
        {"id": "id-yearly-300", "goal_region": "Drammen", "region": "Mjøsa"}
    ]
    assert data["intro"][0]["ended"] == 0 and data["intro"][0]["rate"] is None
    assert data["intro"][0]["met"] is None


def test_report_json_follows_the_contract(tmp_path, cli, cli_json):
    cli("import", *map(str, small_files(tmp_path)))
    data = cli_json("report", "--region", "Drammensregionen")
    assert data["region"] == "Drammensregionen"
    assert data["years"] == [
        {
            "year": 2019,
            "into_work": 1,
            "intro_ended": 1,
            "intro_work_or_education": 1,
            "intro_rate": 1.0,
            "suppressed": [],
        }
    ]
    names = [m["name"] for m in data["municipalities"]]
    assert names == ["Drammen", "Lier", "Øvre Eiker", "Holmestrand (former Sande (Vestfold), 0713)"]
    whole = cli_json("report")
    assert whole["region"] is None
    assert {m["name"] for m in whole["municipalities"]} == {"Drammen", "Hamar"}


def test_unknown_region_is_a_clean_error(tmp_path, cli):
    cli("import", *map(str, small_files(tmp_path)))
    result = cli("progress", "--year", "2019", "--region", "Atlantis")
    assert result.exit_code == 1
    assert "Atlantis" in result.stderr and "Traceback" not in result.output


def test_explain_lists_the_counted(tmp_path, cli, cli_json):
    cli("import", *map(str, small_files(tmp_path)))
    data = cli_json("explain", "--goal", "id-2016-2020", "--year", "2019")
    assert [(c["participant_id"], c["source"]) for c in data["counted"]] == [
        ("D1", "plasseringer.csv:2")
    ]
    assert [(e["participant_id"], e["reason"]) for e in data["excluded"]] == [
        ("D2", "outside_region")
    ]


def test_explain_says_outside_region_before_after_period(tmp_path, cli, cli_json):
    # In 2016 neither has started yet, but D2 (Hamar) could never count for the
    # Drammensregionen goal: that is the reason given.
    cli("import", *map(str, small_files(tmp_path)))
    data = cli_json("explain", "--goal", "id-2016-2020", "--year", "2016")
    assert data["counted"] == []
    assert [(e["participant_id"], e["reason"]) for e in data["excluded"]] == [
        ("D1", "after_period"),
        ("D2", "outside_region"),
    ]


def test_report_years_are_those_of_the_people_counted(tmp_path, cli, cli_json):
    # A course in 2021 and a programme that ended in 2014 by moving count for nobody:
    # they do not stretch the report's years (definitions.md, "A report's years").
    cli("import", *map(str, small_files(tmp_path)))
    extra_people = write_csv(
        tmp_path / "flyttet.csv",
        PARTICIPANT_HEADER,
        [["D3", "", 1990, "K", "Syria", "0602", "", "", "2014-03-01", "flyttet", ""]],
    )
    course = write_csv(
        tmp_path / "kurs.csv",
        PLACEMENT_HEADER,
        [["PL3", "D1", "kurs", "", "", "2021-02-01", "", "", ""]],
    )
    assert cli("import", str(extra_people), str(course)).exit_code == 0
    data = cli_json("report")
    assert (data["from"], data["to"]) == (2019, 2019)
    assert [y["year"] for y in data["years"]] == [2019]
    asked = cli_json("report", "--from", "2014", "--to", "2021")
    assert (asked["from"], asked["to"]) == (2014, 2021)  # what was asked for stands


def test_text_outputs_render(tmp_path, cli):
    cli("import", *map(str, small_files(tmp_path)))
    for args in (
        ["progress", "--year", "2019"],
        ["report"],
        ["imports"],
        ["goals"],
        ["regions"],
        ["regions", "show", "Drammensregionen"],
        ["columns"],
        ["explain", "--goal", "intro-direct-55", "--year", "2019"],
        ["progress", "--year", "2019", "--format", "markdown", "--lang", "nb"],
        ["report", "--format", "csv"],
    ):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
        assert result.stdout.strip()


def run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


@pytest.mark.slow
def test_end_to_end_subprocess(tmp_path):
    files = small_files(tmp_path)
    env = {
        **os.environ,
        "INTD_DB": str(tmp_path / "e2e.sqlite"),
        "INTD_KEY_FILE": str(tmp_path / "k" / "key"),
    }
    intd = str(Path(sys.executable).with_name("intd"))
    imported = run(intd, "import", *map(str, files), env=env, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    progress = run(
        sys.executable,
        "-m",
        "intdrammen",
        "progress",
        "--year",
        "2019",
        "--format",
        "json",
        env=env,
        cwd=tmp_path,
    )
    assert progress.returncode == 0, progress.stderr
    data = json.loads(progress.stdout)
    assert data["goals"][0]["actual"] == 1
    bad = run(intd, "progress", "--year", "2019", "--region", "Nowhere", env=env, cwd=tmp_path)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and bad.stdout == ""


@pytest.mark.slow
@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=["intd", *COMMANDS])
def test_startup_imports_nothing_heavy(tmp_path, command):
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "intdrammen", *command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    loaded = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()}
    heavy = {
        "pandas",
        "numpy",
        "pyarrow",
        "openpyxl",
        "matplotlib",
        "sqlite_utils",
        "xlsxwriter",
        "python_calamine",
    }
    assert loaded & heavy == set()


def test_out_txt_writes_the_table_as_plain_text(tmp_path, cli):
    cli("import", *map(str, small_files(tmp_path)))
    out = tmp_path / "rapport.txt"
    result = cli("report", "--region", "Drammensregionen", "--out", str(out), "--no-suppress")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "Drammen" in text and "Øvre Eiker" in text and "\x1b[" not in text
    chart = tmp_path / "fremdrift.txt"
    assert cli("progress", "--year", "2019", "--chart", "--out", str(chart)).exit_code == 0
    assert "id-2016-2020" in chart.read_text(encoding="utf-8")


def test_help_shows_bracketed_text_instead_of_eating_it_as_markup():
    # Rich reads "[env: ...]" as a style tag unless escaped: the text vanished.
    root = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "160"}).stdout
    assert "[env: INTD_DB" in root and "[env: INTD_GOALS]" in root
    assert "[columns]" in CliRunner().invoke(app, ["import", "--help"]).stdout
    assert "INTD_LANG" in CliRunner().invoke(app, ["report", "--help"]).stdout
