"""Renderers after the second QA round of issue 14: every readable format names the
region a goal counts (markdown, HTML cards, XLSX), XLSX cells typed (years as numbers,
explain dates as date cells in the language's date form, the intro sheet's National
column), the stacked table without an unlabelled progress bar, and `undo` of an undone
batch giving the local time. Hand-made data, real SQLite, real files by the real
writers (XLSX opened with openpyxl), the CLI through CliRunner."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from rich.console import Console, Group
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from conftest import (
    PARTICIPANT_HEADER,
    PLACEMENT_HEADER,
    participant_row,
    placement_row,
    write_csv,
)
from intdrammen.render.fit import fit
from intdrammen.render.fmt import Fmt
from intdrammen.render.text import progress_text


def person(pid: str, municipality: str, end: str = "", outcome: str = "") -> list[Any]:
    return participant_row(pid, municipality, end=end, outcome=outcome)


def job(placement: str, pid: str, start: str) -> list[Any]:
    return placement_row(pid, start, placement_id=placement, fte="100")


@pytest.fixture
def small(tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """By hand, goal id-2016-2020 (its own region Drammensregionen, 2016-02-09 to
    2020-12-31): W1 Drammen 2018-03-01 and W2 Drammen 2019-04-01 counted (actual 2, in
    2019: 1); O1 in Hamar (3403) is outside the goal's region. Introduction cohort 2019
    (ended 2019-06-15, Drammen): C1 into work, C2 unemployed -> ended 2, work or
    education 1. The introduction goals have no region of their own."""
    monkeypatch.setenv("TZ", "UTC")
    people = [
        person("W1", "3005"),
        person("W2", "3005"),
        person("O1", "3403"),
        person("C1", "3005", "2019-06-15", "arbeid"),
        person("C2", "3005", "2019-06-15", "ledig"),
    ]
    jobs = [
        job("P1", "W1", "2018-03-01"),
        job("P2", "W2", "2019-04-01"),
        job("P5", "O1", "2019-05-01"),
    ]
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, jobs)
    result = cli("import", str(p), str(pl))
    assert result.exit_code == 0, result.output
    return tmp_path


def sheet_cells(path: Path, name: str | int) -> tuple[list[Any], list[list[Any]]]:
    """(header values, data rows of cells) of one sheet."""
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[name] if isinstance(name, int) else book[name]
    rows = list(ws.iter_rows())
    return [c.value for c in rows[0]], [list(r) for r in rows[1:]]


# ------------------------------------------------------- 8: the goal's own region


def test_markdown_names_each_goals_region_in_both_languages(small: Path, cli: Any) -> None:
    args = ("progress", "--year", "2019", "--region", "Drammen", "--format", "markdown")
    en = cli(*args).stdout
    assert "| 1000 into work 2016-2020 (Drammensregionen) | 2016-02-09–2020-12-31 |" in en
    # The introduction measures have no region of their own: they count the one asked.
    assert "| 55 % directly into work or education (Drammen) | 2 | 1 | 50.0% |" in en
    nb = cli(*args, "--lang", "nb").stdout
    goal_row = next(line for line in nb.splitlines() if "09.02.2016" in line)
    assert goal_row.split("|")[1].strip().endswith("(Drammensregionen)")
    assert "(Drammen) | 2 | 1 |" in nb
    whole = cli("progress", "--year", "2019", "--format", "markdown").stdout
    assert "| 55 % directly into work or education (whole project) |" in whole


def test_html_cards_name_the_goals_region(small: Path, cli: Any) -> None:
    for lang in ("en", "nb"):
        page = small / f"p-{lang}.html"
        args = ("progress", "--year", "2019", "--region", "Drammen", "--lang", lang)
        assert cli(*args, "--out", str(page)).exit_code == 0
        whats = re.findall(r'<div class="what">(.*?)</div>', page.read_text(encoding="utf-8"))
        assert len(whats) == 3  # one goal, two introduction measures
        assert "· Drammensregionen ·" in whats[0]
        assert all("· Drammen ·" in w for w in whats[1:])  # the region asked for
    report = small / "r.html"
    assert cli("report", "--region", "Drammensregionen", "--out", str(report)).exit_code == 0
    whats = re.findall(r'<div class="what">(.*?)</div>', report.read_text(encoding="utf-8"))
    assert any("· Drammensregionen ·" in w for w in whats)


def test_xlsx_goal_and_intro_sheets_have_a_region_column(small: Path, cli: Any) -> None:
    out = small / "p.xlsx"
    args = ("progress", "--year", "2019", "--no-suppress", "--lang", "nb", "--out", str(out))
    assert cli(*args).exit_code == 0
    header, rows = sheet_cells(out, 0)
    assert header[:4] == ["id", "Mål", "Region", "Periode"]
    assert [r[2].value for r in rows] == ["Drammensregionen"]
    header, rows = sheet_cells(out, 1)
    assert header[2] == "Region"
    assert {r[2].value for r in rows} == {"hele prosjektet"}
    report = small / "r.xlsx"
    assert cli("report", "--region", "Drammensregionen", "--out", str(report)).exit_code == 0
    header, rows = sheet_cells(report, 0)
    assert header[2] == "Region" and rows[0][2].value == "Drammensregionen"


# ------------------------------------------------------------------ 9: XLSX typing


def test_xlsx_per_year_labels_are_numbers_and_the_intro_sheet_has_national(
    small: Path, cli: Any
) -> None:
    report = small / "r.xlsx"
    assert cli("report", "--region", "Drammensregionen", "--out", str(report)).exit_code == 0
    header, rows = sheet_cells(report, "Per year")
    years = [r[0] for r in rows]
    assert years and all(isinstance(c.value, int) and c.number_format == "0" for c in years)
    assert [c.value for c in years] == sorted(c.value for c in years)
    # Municipality labels stay text.
    _, places = sheet_cells(report, "Per municipality")
    assert all(isinstance(r[0].value, str) for r in places)
    # The intro sheet: National as a rate (national.toml: Norge's one-year figure for
    # the 2019 cohort is 61.0 %, no national figure for direct transition that year).
    progress = small / "p.xlsx"
    assert cli("progress", "--year", "2019", "--no-suppress", "--out", str(progress)).exit_code == 0
    header, rows = sheet_cells(progress, "Intro cohort 2019")
    national = header.index("National")
    by_id = {r[0].value: r[national] for r in rows}
    assert by_id["intro-1y-70"].value == pytest.approx(0.61)
    assert by_id["intro-1y-70"].number_format == "0.0%"
    assert by_id["intro-direct-55"].value == "–"
    # The report's intro sheet has it too.
    header, _ = sheet_cells(report, 1)
    assert "National" in header


@pytest.mark.parametrize(("lang", "form"), [("en", "yyyy-mm-dd"), ("nb", "dd.mm.yyyy")])
def test_explain_xlsx_dates_are_date_cells_ids_text(
    small: Path, cli: Any, lang: str, form: str
) -> None:
    out = small / f"e-{lang}.xlsx"
    args = ("explain", "--goal", "id-2016-2020", "--year", "2019", "--lang", lang)
    assert cli(*args, "--out", str(out)).exit_code == 0
    header, rows = sheet_cells(out, 0)
    date_col = header.index("Dato" if lang == "nb" else "Date")  # participant, status, reason, date
    by_person = {r[0].value: r for r in rows}
    # W2 counted on its job start 2019-04-01; O1 left out (outside the goal's region)
    # has no date: an empty cell, not an empty text.
    w2 = by_person["W2"][date_col]
    assert w2.is_date and w2.value == datetime(2019, 4, 1)
    assert w2.number_format == form
    assert all(isinstance(r[0].value, str) for r in rows)  # ids stay text
    assert all(r[4].value is None or isinstance(r[4].value, str) for r in rows)  # placement
    assert by_person["O1"][date_col].value is None
    dated = [r[date_col] for r in rows if r[date_col].value is not None]
    assert len(dated) == 2 and all(c.is_date and c.number_format == form for c in dated)


# ------------------------------------------------ 10: stacked form, undo's time


def _render(renderable: Any, width: int) -> str:
    """The text a colour terminal of `width` columns shows (a bar draws its empty part
    only in colour)."""
    console = Console(width=width, force_terminal=True, color_system="standard", record=True)
    console.print(renderable)
    return console.export_text()


def test_the_stacked_form_leaves_the_progress_bar_out() -> None:
    table = Table(box=None)  # no frame drawn with the bar's character
    table.add_column("Goal")
    table.add_column("%", justify="right", no_wrap=True, min_width=12)
    bar = ProgressBar(total=1000.0, completed=500.0, width=12)  # half: 6 of 12 drawn
    table.add_row(Text("1000 into work 2016-2020"), Group(Text("50.0%", justify="right"), bar))
    wide = _render(fit(table), 80)
    assert "━" in wide  # drawn where it has a column
    stacked = _render(fit(table), 20)
    assert "Goal:" in stacked and "━" not in stacked
    lines = [line.rstrip() for line in stacked.splitlines() if line.strip()]
    assert any(line.startswith("%:") and line.endswith("50.0%") for line in lines)


def test_progress_at_40_columns_has_no_bar_line(small: Path, db: Path) -> None:
    import intdrammen

    with intdrammen.open(db) as opened:
        report = opened.progress(2019, region="Drammen").value
    text = _render(progress_text(report, Fmt("en")), 40)
    assert "Goal:" in text  # stacked
    assert "━" not in text
    # 2 of 1,000 into work: 0.2 %, on its own labelled line.
    assert re.search(r"^%:\s+0\.2%$", text, re.M)


def test_undo_of_an_undone_batch_gives_the_local_time(
    small: Path, cli: Any, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Oslo")
    assert cli("undo", "2", "--yes").exit_code == 0
    with sqlite3.connect(db) as conn:
        (undone_at,) = conn.execute("SELECT undone_at FROM batches WHERE id = 2").fetchone()
    local = datetime.fromisoformat(undone_at).astimezone(ZoneInfo("Europe/Oslo"))
    assert local.utcoffset() != timedelta(0)  # December in Oslo: UTC+1, not UTC
    again = cli("undo", "2", "--yes")
    assert again.exit_code == 1
    assert f"Batch 2 was already undone at {local:%Y-%m-%d %H:%M}." in again.output
    assert "+00:00" not in again.output and undone_at not in again.output
    nb = cli("undo", "2", "--yes", "--lang", "nb")
    assert nb.exit_code == 1
    assert f"Bunke 2 ble allerede angret {local:%d.%m.%Y kl. %H.%M}." in nb.output
    assert "Traceback" not in nb.output
