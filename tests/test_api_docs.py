"""The output docs/api.md and the README show for the demo data is what the API gives:
each documented call is run on a database kept by `intd demo --keep` and printed as the
docs print it, then compared with the docs' text block for block."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import intdrammen
from intdrammen.cli import app

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("demo")
    kept = where / "demo.sqlite"
    env = {"INTD_KEY_FILE": str(where / "key"), "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["demo", "--keep", str(kept)], env=env)
    assert result.exit_code == 0, result.output
    return kept


def blocks(text: str) -> list[str]:
    """The output blocks of the docs' `>>>` session: what follows each call."""
    session = text.split("## Real output", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    out: list[str] = []
    for chunk in re.split(r"\n(?=>>> )", session.strip()):
        lines = chunk.splitlines()
        shown = [line for line in lines if not line.startswith(">>> ")]
        if shown and any(line.strip() for line in shown):
            out.append("\n".join(shown).strip("\n"))
    return out


def test_docs_api_md_shows_what_the_api_gives(demo_db: Path) -> None:
    with (
        intdrammen.open(demo_db) as db,
        pd.option_context("display.width", 200, "display.max_columns", 20),
    ):
        f = db.progress(2019, region="Drammensregionen").to_frame()
        r = db.report(region="Mjøsa", by="municipality").to_frame()
        e = db.explain("id-2016-2020", 2019).to_frame()
        s = db.progress(2019, region="Lier", by="gender", suppress=3).to_frame()
        got = shown(f, r, e, s)
    assert blocks((ROOT / "docs" / "api.md").read_text(encoding="utf-8")) == got
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert got[0] in readme  # the README's example is the same call


def shown(f: pd.DataFrame, r: pd.DataFrame, e: pd.DataFrame, s: pd.DataFrame) -> list[str]:
    """The frames as the docs print them (with the display options in force)."""
    progress_cols = ["section", "id", "actual", "expected", "on_track"]
    progress_cols += ["ended", "work_or_education", "rate", "met"]
    report_cols = ["name", "code", "into_work", "intro_ended", "intro_work_or_education"]
    explain_cols = ["participant_id", "status", "reason", "date", "placement_id", "source"]
    by_cols = ["id", "name", "actual", "ended", "work_or_education", "rate", "suppressed"]
    language_cols = ["cohort_year", "language_cohort", "language_met", "language_not_met"]
    language_cols += ["language_cannot_judge", "language_by_settlement"]
    return [
        f[progress_cols].to_string(),
        r[r.section == "municipality"][[*report_cols, "intro_rate"]].to_string(),
        e[explain_cols].head(3).to_string(),
        str(e["status"].value_counts().to_dict()),
        s[s.section == "by_gender"][by_cols].to_string(),
        f[f.section == "language"][language_cols].to_string(),
    ]
