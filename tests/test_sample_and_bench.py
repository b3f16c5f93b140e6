"""The synthetic data generator, the demo that uses its output, and a small run of the
benchmark (the full one is `make bench`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from intdrammen.cli import app

ROOT = Path(__file__).resolve().parent.parent


def generate(out: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_sample.py"), "--out", str(out), *args],
        check=True,
        timeout=120,
    )


def test_generator_is_deterministic_and_valid(tmp_path, cli, cli_json):
    for name in ("a", "b"):
        generate(tmp_path / name, "--format", "csv", "--participants", "300", "--placements", "500")
    for file in ("participants.csv", "placements.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    result = cli(
        "import", str(tmp_path / "a" / "participants.csv"), str(tmp_path / "a" / "placements.csv")
    )
    assert result.exit_code == 0, result.output
    history = cli_json("imports")
    assert [(b["kind"], b["rows"], b["inserted"]) for b in history] == [
        ("participants", 300, 300),
        ("placements", 500, 500),
    ]


def test_shipped_sample_matches_the_generator(tmp_path):
    generate(tmp_path)
    shipped = ROOT / "src" / "intdrammen" / "data" / "sample" / "plasseringer.csv"
    assert (tmp_path / "plasseringer.csv").read_bytes() == shipped.read_bytes()


def test_demo_shows_every_goal_and_the_55_percent_target(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    for text in (
        "1000 into work 2016-2020",
        "55 % directly into work or education",
        "70 % in work or education one year after",
        "Report Drammensregionen",
        "Sande (Vestfold)",
    ):
        assert text in result.stdout
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_benchmark_smoke(tmp_path):
    out = tmp_path / "results.json"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--placements",
            "10000",
            "--data",
            str(tmp_path / "data"),
            "--out",
            str(out),
        ],
        check=True,
        timeout=600,
        capture_output=True,
    )
    data = json.loads(out.read_text())
    assert data["placements"] == 10_000
    assert set(data["ratios"]) == {
        "import_vs_floor",
        "progress_1m_vs_1k",
        "report_1m_vs_1k",
        "help_vs_bare_typer",
        "command_help_vs_bare_typer",
    }
    assert all(v > 0 for v in data["ratios"].values())
    assert data["results"]["intd_import"]["peak_mib"] > 0
    assert data["results"]["progress_sql_only_1m"]["wall_s"] > 0
    assert data["results"]["import_writer_only"]["wall_s"] > 0
