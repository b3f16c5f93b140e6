"""`intd report --out FILE.html|.xlsx`: self-contained HTML, and a workbook read back with
openpyxl (values, number formats, no formulas), with and without suppression."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, write_csv

pytestmark = pytest.mark.both_backends

TRICKY = ['=HYPERLINK("http://x","y")', "+47 999 99 999", "-1", "@SUM(A1)"]


@pytest.fixture
def loaded(tmp_path, cli):
    """Drammen: 7 people, 5 with jobs in 2017-2019, 4 cohort members in 2019."""
    people = [
        [
            f"D{i}",
            "",
            1990,
            "K" if i % 2 else "M",
            "Syria",
            "0602",
            "",
            "2017-01-01",
            "2019-06-15" if i < 4 else "",
            "fullført" if i < 4 else "",
            "arbeid" if i < 3 else "",
        ]
        for i in range(7)
    ]
    people.append(["L1", "", 1985, "M", "Eritrea", "0626", "", "", "", "", ""])
    jobs = [
        [
            f"P{i}",
            f"D{i}",
            "fast jobb",
            "",
            TRICKY[i % 4] if i < 4 else "Kiwi",
            f"201{7 + i % 3}-03-01",
            "",
            "100",
            TRICKY[(i + 1) % 4],
        ]
        for i in range(5)
    ]
    jobs.append(["P9", "L1", "lærling", "", "Rema", "2018-05-01", "", "", "NAV"])
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, jobs)
    assert cli("import", str(p), str(pl)).exit_code == 0
    return tmp_path


def test_html_is_self_contained_and_complete(loaded, cli):
    out = loaded / "r.html"
    result = cli("report", "--region", "Drammensregionen", "--out", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"https?://", html.replace('"http://x"', ""))  # only data, escaped
    assert not re.search(r'(src|href)="(?!#)', html)
    assert html.count("<svg") >= 2
    assert "Chart left out" in html  # the cumulative chart would reveal yearly small counts
    full = loaded / "full.html"
    assert (
        cli("report", "--region", "Drammensregionen", "--out", str(full), "--no-suppress").exit_code
        == 0
    )
    assert full.read_text(encoding="utf-8").count("<svg") >= 3
    for text in ("1000 into work 2016-2020", "Drammen", "Lier", "Definitions", "@page"):
        assert text in html
    assert "&quot;http://x&quot;" not in html  # employer names are not in the default report
    assert "= fewer than 3 persons" in html  # files hide small cells by default


def test_html_in_norwegian(loaded, cli):
    out = loaded / "r.html"
    assert (
        cli(
            "report", "--region", "Drammen", "--out", str(out), "--lang", "nb", "--no-suppress"
        ).exit_code
        == 0
    )
    html = out.read_text(encoding="utf-8")
    assert 'lang="nb"' in html and "Definisjoner" in html
    assert re.search(r"\d+,\d\u00a0%", html)  # 66,7 % with a decimal comma


def test_xlsx_numbers_formats_and_no_formulas(loaded, cli, cli_json):
    out = loaded / "r.xlsx"
    result = cli(
        "report",
        "--region",
        "Drammensregionen",
        "--out",
        str(out),
        "--no-suppress",
        "--by",
        "employer",
    )
    assert result.exit_code == 0, result.output
    exact = cli_json("report", "--region", "Drammensregionen", "--by", "employer")
    book = openpyxl.load_workbook(out)
    assert {"Per year", "Per municipality", "By employer", "Definitions"} <= set(book.sheetnames)
    municipality = book["Per municipality"]
    assert municipality.freeze_panes == "A2"
    rows = {r[0].value: r for r in municipality.iter_rows(min_row=2)}
    drammen = next(m for m in exact["municipalities"] if m["name"] == "Drammen")
    assert rows["Drammen"][1].value == drammen["into_work"]
    assert rows["Drammen"][2].value == drammen["intro_ended"]
    assert rows["Drammen"][4].number_format == "0.0%"
    assert rows["Drammen"][4].value == pytest.approx(drammen["intro_rate"], abs=1e-4)
    employers = {r[0].value for r in book["By employer"].iter_rows(min_row=2)}
    assert set(TRICKY) <= employers  # written back exactly, as text
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_xlsx_suppressed_cells_are_marked(loaded, cli):
    out = loaded / "s.xlsx"
    assert cli("report", "--region", "Drammensregionen", "--out", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    values = [c.value for row in book["Per municipality"].iter_rows(min_row=2) for c in row]
    assert ":" in values
    notes = [c.value for row in book["Definitions"].iter_rows() for c in row]
    assert any(isinstance(v, str) and "fewer than 3" in v for v in notes)


def test_html_and_xlsx_need_a_file(loaded, cli):
    result = cli("report", "--format", "html")
    assert result.exit_code == 1 and "--out" in result.stderr


def test_csv_export_protects_against_formulas(loaded, cli):
    out = loaded / "r.csv"
    assert cli("report", "--by", "employer", "--out", str(out), "--no-suppress").exit_code == 0
    text = Path(out).read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'+47 999" in text and "'@SUM" in text


@pytest.fixture
def small_cohorts(tmp_path, cli):
    """Cohort 2019: Drammen 5 ended (3 into work), Lier 1 ended (into work); Øvre Eiker
    and Sande none (an undefined rate, not a hidden one)."""
    people = [
        [f"D{i}", "", 1990, "K", "Syria", "0602", "", "", "2019-06-15", "fullført", outcome]
        for i, outcome in enumerate(["arbeid", "arbeid", "utdanning", "ledig", "ledig"])
    ]
    people.append(
        ["L1", "", 1985, "M", "Eritrea", "0626", "", "", "2019-05-01", "fullført", "arbeid"]
    )
    jobs = [["P1", "D0", "fast jobb", "", "Kiwi", "2019-08-01", "", "", "NAV"]]
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, jobs)
    assert cli("import", str(p), str(pl)).exit_code == 0
    return tmp_path


def test_csv_marks_a_hidden_rate_and_leaves_an_undefined_one_empty(small_cohorts, cli):
    # A hidden count is an empty cell named in the row's `suppressed` column; an
    # undefined rate is empty and not named there (docs/cli-contract.md, CSV rules).
    out = small_cohorts / "r.csv"
    assert cli("report", "--region", "Drammensregionen", "--out", str(out)).exit_code == 0
    counts = ["into_work", "intro_ended", "intro_work_or_education", "intro_rate", "suppressed"]
    rows = {
        (r["section"], r["name"]): [r[c] for c in counts]
        for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    }
    # Lier: 1 ended is hidden, and so is the rate built on it
    assert rows[("municipality", "Lier")] == [
        "0", "", "", "", "intro_ended intro_work_or_education intro_rate"
    ]  # fmt: skip
    # Drammen 5 ended is hidden too (else total - Drammen gives Lier); 3 of 5 likewise;
    # its 1 person into work is a small cell, and the total would reveal it
    assert rows[("municipality", "Drammen")] == [
        "", "", "", "", "into_work intro_ended intro_work_or_education intro_rate"
    ]  # fmt: skip
    # nobody ended in Øvre Eiker: no rate, and nothing hidden
    assert rows[("municipality", "Øvre Eiker")] == ["0", "0", "0", "", ""]
    # 6 ended, 4 into work or education: the 2 who are not would show, so 4 is hidden
    assert rows[("municipality", "total")] == [
        "", "6", "", "", "into_work intro_work_or_education intro_rate"
    ]  # fmt: skip
    assert ":" not in out.read_text(encoding="utf-8")


def test_progress_csv_marks_hidden_intro_cells(small_cohorts, cli):
    out = small_cohorts / "p.csv"
    result = cli("progress", "--year", "2019", "--region", "Lier", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    direct = next(r for r in rows if r["section"] == "intro" and r["id"] == "intro-direct-55")
    # ended, work_or_education, rate and met: all hidden (empty and named), none merely empty
    assert [direct[c] for c in ("ended", "work_or_education", "rate", "met")] == ["", "", "", ""]
    assert direct["suppressed"] == "ended work_or_education rate met"


def test_xlsx_undefined_rate_is_a_dash_not_the_suppression_marker(small_cohorts, cli):
    out = small_cohorts / "r.xlsx"
    result = cli(
        "report", "--region", "Drammensregionen", "--from", "2019", "--to", "2020",
        "--out", str(out), "--no-suppress",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    values = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert ":" not in values  # nothing is suppressed
    per_municipality = {r[0].value: r for r in book["Per municipality"].iter_rows(min_row=2)}
    assert per_municipality["Øvre Eiker"][4].value == "–"
    assert per_municipality["Lier"][4].value == 1
