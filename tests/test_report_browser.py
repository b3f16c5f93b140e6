"""The HTML report as a person sees it: rendered by headless Chromium with every network
lookup refused, charts drawn. Needs Debian's chromium (`make browser`)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from intdrammen.cli import app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed: run `make browser`")
def test_demo_report_renders_offline_with_charts(tmp_path, monkeypatch):
    db = tmp_path / "demo.sqlite"
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--keep", str(db)]).exit_code == 0
    html = tmp_path / "report.html"
    result = runner.invoke(
        app, ["--db", str(db), "report", "--region", "Drammensregionen", "--out", str(html)]
    )
    assert result.exit_code == 0, result.output
    dom = chromium(tmp_path, "--dump-dom", html.as_uri())
    assert dom.returncode == 0, dom.stderr
    assert dom.stdout.count("<svg") >= 3
    assert "<path" in dom.stdout and "<rect" in dom.stdout
    png = tmp_path / "report.png"
    shot = chromium(
        tmp_path,
        f"--screenshot={png}",
        "--window-size=1100,2400",
        "--hide-scrollbars",
        html.as_uri(),
    )
    assert shot.returncode == 0, shot.stderr
    assert png.stat().st_size > 20_000
