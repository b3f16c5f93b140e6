"""Reports in bokmål (goal titles, merger notes, --by tables), machine formats that stay
English, XLSX sheet names, and terminal tables on narrow terminals — through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, write_csv
from intdrammen.models import SplitLabel
from intdrammen.municipalities import (
    MunicipalityHistory,
    build_region,
    load_regions,
    resolve_region,
)
from intdrammen.render.fmt import Fmt

SAMPLE = Path(__file__).parents[1] / "src" / "intdrammen" / "data" / "sample"

NOTE_NB = (
    "Nedre Eiker (0625) ble slått sammen med Drammen i 2020: telles som en del av dagens Drammen."
)
NOTE_EN = "Nedre Eiker (0625) merged into Drammen in 2020: counted as part of today's Drammen."


def flat(text: str) -> str:
    """Terminal output with line wrapping undone: words separated by one space."""
    return " ".join(text.split())


@pytest.fixture
def loaded(tmp_path, cli):
    """Drammen: 8 people (K and M), jobs 2017-2019, 6 in the 2019 cohort; one in Lier; one
    woman coded Nedre Eiker (0625), so that the Nedre Eiker merger note explains her."""
    people = [
        [
            f"D{i}", "", 1980 + i, "K" if i % 2 else "M", "Syria", "0602", "", "2017-01-01",
            "2019-06-15" if i < 6 else "", "fullført" if i < 6 else "", "arbeid" if i < 4 else "",
        ]
        for i in range(8)
    ]  # fmt: skip
    people.append(["L1", "", 1985, "M", "Eritrea", "0626", "", "", "", "", ""])
    people.append(["N1", "", 1986, "K", "Eritrea", "0625", "", "", "", "", ""])
    jobs = [
        [f"P{i}", f"D{i}", "fast jobb", "", "Kiwi", f"201{7 + i % 3}-03-01", "", "100", "NAV"]
        for i in range(8)
    ]
    jobs.append(["P9", "L1", "lærling", "", "Rema", "2018-05-01", "", "", "NAV"])
    jobs.append(["P10", "N1", "fast jobb", "", "Kiwi", "2018-06-01", "", "", "NAV"])
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, jobs)
    result = cli("import", str(p), str(pl))
    assert result.exit_code == 0, result.output
    return tmp_path


# --------------------------------------------------------------------------- bokmål


def test_markdown_report_in_norwegian(loaded, cli):
    result = cli(
        "report", "--region", "Drammensregionen", "--lang", "nb", "--by", "gender",
        "--format", "markdown", "--no-suppress",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "## Etter kjønn" in text
    assert "| Kjønn | I arbeid |" in text
    assert re.search(r"^\| kvinne \| 5 \|", text, re.M)
    assert re.search(r"^\| mann \| 5 \|", text, re.M)
    assert "| Totalt |" in text
    assert f"- {NOTE_NB}" in text
    assert (
        "i Drammensregionen kan registreringer med kode 3802/3903 ikke skilles fra resten "
        "av Holmestrand" in text
    )
    for english in ("merged into", "female", "| gender", "By gender", "Etter gender"):
        assert english not in text


def test_progress_markdown_uses_norwegian_goal_titles(loaded, cli):
    result = cli("progress", "--year", "2019", "--lang", "nb", "--format", "markdown")
    assert result.exit_code == 0, result.output
    text = result.stdout
    # Each title with the region the goal counts (issue 14, round 2).
    assert "| 1000 i arbeid 2016–2020 (Drammensregionen) |" in text
    assert "| 55 % direkte over i arbeid eller utdanning (hele prosjektet) |" in text
    assert "| 70 % i arbeid eller utdanning ett år etter (hele prosjektet) |" in text
    assert "1000 into work" not in text and "directly into work" not in text
    assert NOTE_NB in text and "merged into" not in text


def test_progress_breakdown_by_gender_in_norwegian(loaded, cli):
    result = cli("progress", "--year", "2019", "--lang", "nb", "--by", "gender", "--no-suppress")
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    assert "id-2016-2020: Etter kjønn" in text
    assert "Kjønn" in text and "kvinne" in text and "mann" in text
    assert "female" not in text and "gender" not in text


def test_terminal_report_in_norwegian(loaded, cli):
    result = cli("report", "--region", "Drammensregionen", "--lang", "nb", "--by", "gender")
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    assert "Etter kjønn" in text and "Kjønn" in text
    assert NOTE_NB in text
    assert "merged into" not in text and "Etter gender" not in text


def test_terminal_progress_in_norwegian(loaded, cli):
    text = flat(cli("progress", "--year", "2019", "--lang", "nb").stdout)
    assert "1000 i arbeid 2016–2020" in text and "1000 into work" not in text
    assert NOTE_NB in text and "merged into" not in text


def test_english_stays_english(loaded, cli):
    result = cli(
        "report", "--region", "Drammensregionen", "--lang", "en", "--by", "gender",
        "--format", "markdown", "--no-suppress",
    )  # fmt: skip
    text = result.stdout
    assert "## By gender" in text and "| Gender | Into work |" in text
    assert re.search(r"^\| female \| 5 \|", text, re.M)
    assert f"- {NOTE_EN}" in text
    progress = cli("progress", "--year", "2019", "--lang", "en", "--format", "markdown").stdout
    assert "| 1000 into work 2016-2020 (Drammensregionen) |" in progress


@pytest.mark.parametrize(
    ("by", "en", "nb"),
    [
        ("municipality", "Municipality", "Kommune"),
        ("country", "Country background", "Landbakgrunn"),
        ("county", "County", "Fylke"),
        ("age_group", "Age group", "Aldersgruppe"),
        ("channel", "Channel", "Kanal"),
        ("quarter", "Quarter", "Kvartal"),
        ("employer", "Employer", "Arbeidsgiver"),
    ],
)
def test_every_dimension_has_a_label_in_both_languages(loaded, cli, by, en, nb):
    args = ("report", "--region", "Drammen", "--by", by, "--format", "markdown", "--no-suppress")
    assert f"| {en} | Into work |" in cli(*args, "--lang", "en").stdout
    norwegian = cli(*args, "--lang", "nb").stdout
    assert f"| {nb} | I arbeid |" in norwegian
    if by == "quarter":
        assert "| 2019 K1 |" in norwegian and "Q1" not in norwegian


def test_json_and_csv_keep_english_keys(loaded, cli):
    args = ("report", "--region", "Drammensregionen", "--by", "gender", "--lang", "nb")
    data = json.loads(cli(*args, "--format", "json", "--no-suppress").stdout)
    assert data["breakdown"]["by"] == "gender"
    assert {r["name"] for r in data["breakdown"]["rows"]} == {"female", "male"}
    assert NOTE_EN in data["notes"]
    csv = cli(*args, "--format", "csv", "--no-suppress").stdout
    assert "by_gender,female," in csv and "municipality,total," in csv


# --------------------------------------------------------------------------- merger notes


def test_every_merger_note_has_a_bokmal_version():
    history = MunicipalityHistory.load()
    regions = load_regions()
    notes = [*build_region("Drammensregionen", regions, history).notes]
    notes += resolve_region("0625", regions, history).notes
    assert len(notes) == 4  # both kinds of region note and the municipality-as-region note
    nb, en = Fmt("nb"), Fmt("en")
    for note in notes:  # typed values, worded per language from the tables
        assert "merged into" in en.note(note)
        assert "merged into" not in nb.note(note)
        assert "ble slått sammen med" in nb.note(note)
    assert nb.note(notes[0]) == NOTE_NB
    assert nb.note(notes[-1]) == (
        "Nedre Eiker (0625) ble slått sammen med Drammen i 2020; viser dagens Drammen."
    )
    assert nb.note("Something else entirely.") == "Something else entirely."


def test_row_labels_in_both_languages():
    nb, en = Fmt("nb"), Fmt("en")
    assert [nb.row_label("gender", g) for g in ("female", "male", "other")] == [
        "kvinne",
        "mann",
        "annet",
    ]
    assert en.row_label("gender", "female") == "female"
    assert (nb.row_label("x", "unknown"), nb.row_label("x", "total")) == ("ukjent", "Totalt")
    # A split row is a typed value, worded per language; a text label is never parsed.
    split = SplitLabel("Ålesund", "1507", 2024)
    assert nb.row_label("municipality", split) == "Ålesund (1507, delt 2024)"
    assert en.row_label("municipality", split) == "Ålesund (1507, split 2024)" == split.key
    assert nb.row_label("municipality", split.key) == split.key
    assert nb.row_label("country", "Syria") == "Syria"


# --------------------------------------------------------------------------- files


def test_html_in_norwegian_has_titles_and_notes(loaded, cli):
    out = loaded / "r.html"
    result = cli(
        "report", "--region", "Drammensregionen", "--lang", "nb", "--by", "gender",
        "--out", str(out), "--no-suppress",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "1000 i arbeid 2016–2020" in html and "1000 into work" not in html
    assert NOTE_NB in html and "merged into" not in html
    assert "<h2>Etter kjønn</h2>" in html and "<th>Kjønn</th>" in html
    assert "<td>kvinne</td>" in html


@pytest.mark.parametrize(
    ("lang", "intro", "rates"), [("en", "Intro cohort 2019", "Intro per cohort"),
                                 ("nb", "Introkull 2019", "Intro per kull")]
)  # fmt: skip
def test_xlsx_sheet_names_keep_the_year_and_fit(loaded, cli, lang, intro, rates):
    out = loaded / f"r-{lang}.xlsx"
    result = cli(
        "report", "--region", "Drammensregionen", "--by", "country", "--lang", lang,
        "--out", str(out), "--no-suppress",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    names = book.sheetnames
    assert intro in names and rates in names
    assert all(len(name) <= 31 for name in names)
    assert len({n.casefold() for n in names}) == len(names)
    goals = book[names[0]]
    header = [c.value for c in next(goals.iter_rows(max_row=1))]
    first = {h: c.value for h, c in zip(header, next(goals.iter_rows(min_row=2, max_row=2)))}
    year, target = ("Year", "Target") if lang == "en" else ("År", "Måltall")
    assert first[year] == 2019 and first["id"] == "id-2016-2020"  # headers over their values
    assert first[target] == 1000
    if lang == "nb":
        assert "1000 i arbeid 2016–2020" in [c.value for c in goals["B"]]
        assert "Etter landbakgrunn" in names
        definitions = [c.value for row in book["Definisjoner"].iter_rows() for c in row]
        assert NOTE_NB in definitions
        assert not any(isinstance(v, str) and "merged into" in v for v in definitions)
    else:
        assert "By country background" in names


# --------------------------------------------------------------------------- narrow terminals


def widest_line(text: str) -> int:
    return max(len(line.rstrip()) for line in text.splitlines())


def test_progress_on_a_60_column_terminal_keeps_every_column(loaded, cli, monkeypatch):
    # Too narrow for either table with every word whole ("2016-02-09–2020-12-31" in
    # the goal column): each row is a block of "Label: value" lines (tests/test_term.py).
    monkeypatch.setenv("COLUMNS", "60")
    result = cli("progress", "--year", "2019")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert widest_line(text) <= 60
    for name in ("Goal", "Target", "Actual", "In 2019", "%", "Expected", "On track"):
        assert re.search(rf"^{re.escape(name)}: ", text, re.M), name
    for name in ("Measure", "Ended", "Work/education", "Rate", "Target", "Met", "National"):
        assert re.search(rf"^{re.escape(name)}: ", text, re.M), name
    assert re.search(r"\s795\.3\s", text)  # 1000 × 1056/1788 days, not cut to "795."
    assert re.search(r"\s1,000\s", text)
    assert re.search(r"\s100\.0%\s", text)
    assert re.search(r"Norge\s+61\.0%", text)


def test_progress_in_norwegian_on_a_60_column_terminal(loaded, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    text = cli("progress", "--year", "2019", "--lang", "nb").stdout
    assert widest_line(text) <= 60
    assert "795,3" in text and "1\u00a0000" in text
    assert re.search(r"Norge\s+61,0\u00a0%", text)
    for name in ("Faktisk", "I 2019", "Forventet", "I rute", "Avsluttet", "Andel", "Nådd"):
        assert name in text


def test_progress_chart_on_a_60_column_terminal(loaded, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    text = cli("progress", "--year", "2019", "--chart").stdout
    assert widest_line(text) <= 60
    assert re.search(r"^\s*2019\s+\S+\s+\d+ / 795\s*$", text, re.M)


def test_report_on_a_60_column_terminal(loaded, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    for lang in ("en", "nb"):
        text = cli("report", "--region", "Drammensregionen", "--by", "country", "--lang", lang)
        assert widest_line(text.stdout) <= 60
        assert re.search(r"^\s*2019\s+\d+\s+\d+\s+\d+\s+\d", text.stdout, re.M)  # whole years
    text = cli("report", "--region", "Drammensregionen").stdout
    for name in ("Year", "Into work", "Intro ended", "Work/education", "Rate", "Municipality"):
        assert name in text


def test_explain_on_a_60_column_terminal(loaded, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    text = cli("explain", "--goal", "id-2016-2020", "--year", "2019").stdout
    assert widest_line(text) <= 60
    for name in ("Participant", "Date", "Placement", "Source"):
        assert name in text
    assert "Not counted: 0" in text and "Reason" not in text  # a heading, no empty table
    assert "2019-03-01" in text and "…" not in text


@pytest.mark.parametrize("columns", [60, 80])
def test_import_summary_on_a_narrow_terminal(tmp_path, cli, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # a terminal: off one the table is full width
    result = cli("import", str(SAMPLE / "deltakere.xlsx"), str(SAMPLE / "plasseringer.csv"))
    assert result.exit_code == 0, result.output
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stdout)
    assert widest_line(text) <= columns
    for name in ("File", "Kind", "Rows", "New", "Updated", "Unchanged", "Skipped", "Batch"):
        assert name in text
    assert "deltakere.xlsx" in text and "plasseringer.csv" in text  # whole
    if columns == 80:  # a table
        assert re.search(r"\s1,500\s+1,500\s", text) and re.search(r"\s2,000\s+2,000\s", text)
    else:  # too narrow for "participants" beside the counts: one block per file
        assert re.findall(r"^(?:Rows|New): +(\S+)$", text, re.M) == ["1,500"] * 2 + ["2,000"] * 2


def test_explain_in_norwegian_translates_reasons_but_json_keeps_codes(loaded, cli):
    text = flat(cli("explain", "--goal", "id-2016-2020", "--year", "2017", "--lang", "nb").stdout)
    assert "etter perioden" in text and "første jobb i perioden starter" in text
    assert "after_period" not in text
    cohort = flat(
        cli("explain", "--goal", "intro-direct-55", "--year", "2019", "--lang", "nb").stdout
    )
    assert "resultat: arbeid" in cohort and "outcome" not in cohort
    data = cli("explain", "--goal", "id-2016-2020", "--year", "2017", "--format", "json").stdout
    assert '"after_period"' in data
