"""The synthetic data generator, the demo that uses its output, and a small run of the
benchmark (the full one is `make bench`)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
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


def load_bench():
    """bench/run.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("intd_bench", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_generator_id_prefix_gives_ids_of_their_own(tmp_path):
    generate(tmp_path / "plain", "--format", "csv", "--participants", "40", "--placements", "200")
    generate(
        tmp_path / "delta", "--format", "csv", "--participants", "40", "--placements", "200",
        "--id-prefix", "N", "--seed", "2024",
    )  # fmt: skip

    def ids(folder: str, file: str) -> set[str]:
        with (tmp_path / folder / file).open(encoding="utf-8") as handle:
            return {line.split(",", 1)[0] for line in list(handle)[1:]}

    for file, start in (("participants.csv", "ND"), ("placements.csv", "NPL")):
        plain, delta = ids("plain", file), ids("delta", file)
        assert len(delta) == (40 if file == "participants.csv" else 200)
        assert all(i.startswith(start) for i in delta)
        assert not plain & delta


def test_a_hung_or_failing_step_fails_its_line_not_the_bench():
    bench = load_bench()
    started = time.perf_counter()
    result = bench.round_robin(
        {
            "hung": bench.Program([sys.executable, "-c", "import time; time.sleep(60)"]),
            "broken": bench.Program([sys.executable, "-c", "raise SystemExit('no such file')"]),
            "fine": bench.Program([sys.executable, "-c", "x = bytearray(64 * 2**20)"]),
        },
        env=None,
        rounds=2,
        timeout=1.0,
    )
    assert time.perf_counter() - started < 10  # the hung one was killed once, then left out
    assert result["hung"].status == "timeout"
    assert result["broken"].status == "failed"
    assert "no such file" in result["broken"].message
    assert result["fine"].wall_s > 0
    assert result["fine"].peak_mib >= 64  # its own peak, not the bench's


@pytest.mark.slow
def test_benchmark_smoke(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--quick",
            "--data",
            str(tmp_path / "data"),
            "--out",
            str(out),
        ],
        timeout=300,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr  # no step failed or hung
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["placements"] == 2_000
    assert {"cpu", "cores", "ram_gib", "python", "sqlite", "date"} <= set(data["machine"])
    lines = {line["key"]: line for line in data["lines"]}
    assert list(lines) == [
        "floor",
        "import",
        "import_3n",
        "delta",
        "again",
        "xlsx",
        "progress",
        "report",
        "report_region",
        "pg_import",
        "pg_progress",
        "help",
        "command_help",
    ]
    sys.path.insert(0, str(ROOT / "scripts"))
    from pg_cluster import bindir

    no_server = bindir() is None and os.environ.get("CI", "").lower() != "true"
    for key in ("pg_import", "pg_progress"):  # PostgreSQL: where the machine has it
        if no_server:
            assert lines.pop(key)["status"] == "skipped"
    for key, line in lines.items():
        assert line["status"] == "ok", line
        assert line["wall_s"] > 0 and line["peak_mib"] > 0, line
        assert min(line["walls_s"]) == line["wall_s"], line
        assert line["what"] in done.stdout
        if key != "floor":
            assert line["targets"] and line["passed"] in (True, False)
            assert line["result"] == ("PASS" if line["passed"] else "MISS")
        if key not in ("floor", "xlsx"):
            assert line["ratio"] > 0 and line["versus"], line
    assert lines["import_3n"]["ratio"] == pytest.approx(
        lines["import_3n"]["peak_mib"] / lines["import"]["peak_mib"]
    )
    assert data["table"] in done.stdout
