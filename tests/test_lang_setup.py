"""The configuration listings (goals, regions, regions show, columns) and the demo speak
the user's language: `--lang nb|en` (or INTD_LANG) words every heading, title and fixed
phrase from the translation tables; their JSON is the same bytes in every language; at
a narrow terminal no line is too long and no word is broken."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from intdrammen.cli import app
from test_term import check

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
NBSP = "\u00a0"


def run(*args: str, width: int = 200, terminal: bool = False, **env: str) -> str:
    """`intd ARGS` (exit 0), its stdout and stderr without colours, at `width` columns."""
    environ = {"COLUMNS": str(width), **env}
    if terminal:
        environ["TTY_COMPATIBLE"] = "1"
    result = CliRunner().invoke(app, list(args), env=environ)
    assert result.exit_code == 0, result.output
    return ANSI.sub("", result.stdout + result.stderr)


def header(text: str) -> str:
    """The table's heading line (the first line with a heavy vertical frame)."""
    return next(line for line in text.splitlines() if "┃" in line)


def panel(text: str) -> str:
    """The demo's panel as one line of text (its frame and line breaks dropped)."""
    inside = [line.strip("│ ") for line in text.splitlines() if line.startswith("│")]
    return " ".join(inside)


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"[┃│]", line) if cell.strip()]


# --- intd goals -------------------------------------------------------------------


def test_goals_in_english() -> None:
    text = run("goals", "--lang", "en")
    assert text.startswith("Goals (")
    assert cells(header(text)) == ["Id", "Goal", "Window", "Target", "Counts people of"]
    assert "│ 1000 into work 2016-2020 " in text  # the goal's title
    assert "2016-02-09 – 2020-12-31" in text  # ISO dates in English
    assert "each calendar year from 2021, no end" in text
    assert "cohort of each year" in text
    assert "│ 1,000 " in text and "│ 300 a year " in text and "│ 55% " in text
    assert "the region asked for, else all" in text
    assert "\nFrom: " in text


def test_goals_in_bokmal() -> None:
    text = run("goals", "--lang", "nb")
    assert text.startswith("Mål (")
    assert cells(header(text)) == ["Id", "Mål", "Periode", "Måltall", "Teller personer i"]
    assert "│ 1000 i arbeid 2016–2020 " in text  # title_nb from goals.toml
    assert "55 % direkte over i arbeid eller utdanning" in text
    assert "09.02.2016 – 31.12.2020" in text
    assert "hvert kalenderår fra 2021, uten sluttår" in text
    assert "kullet for hvert år" in text
    assert f"│ 1{NBSP}000 " in text and "│ 300 per år " in text and f"│ 55{NBSP}% " in text
    assert "regionen det spørres om, ellers alle" in text
    assert "\nFra: " in text
    for english in ("Window", "Target", "each calendar year", "cohort of", "From:"):
        assert english not in text, english


def test_intd_lang_sets_the_language_and_the_option_wins() -> None:
    assert run("goals", INTD_LANG="nb") == run("goals", "--lang", "nb")
    assert run("goals", "--lang", "en", INTD_LANG="nb") == run("goals", "--lang", "en")


# --- intd regions, intd regions show ----------------------------------------------


def test_regions_in_both_languages() -> None:
    en = run("regions", "--lang", "en", width=300)
    assert en.startswith("Regions (")
    assert cells(header(en)) == ["Region", "Members", "Possible members (not counted)", "About"]
    assert "Drammen, Lier, Øvre Eiker, Sande (Vestfold)" in en
    assert "Every municipality is a region too: --region Lier, --region 0625." in en
    nb = run("regions", "--lang", "nb", width=300)
    assert nb.startswith("Regioner (")
    assert cells(header(nb)) == ["Region", "Medlemmer", "Mulige medlemmer (telles ikke)", "Om"]
    assert "Drammen, Lier, Øvre Eiker, Sande (Vestfold)" in nb  # names are data
    assert "Hver kommune er også en region: --region Lier, --region 0625." in nb


def test_region_show_in_english() -> None:
    text = run("regions", "show", "Drammensregionen", "--lang", "en")
    assert text.startswith("Drammensregionen\n")
    assert cells(header(text)) == ["Member (row)", "Member from–to", "Codes that count", "Today"]
    assert "│ Drammen " in text and "│ always " in text
    assert "3301 Drammen (from 2024)" in text and "0602 Drammen (2015–2019)" in text
    assert "part of Holmestrand 3903" in text
    assert "Røyken (possible member, not counted)" in text
    assert "• Nedre Eiker (0625) merged into Drammen in 2020" in text


def test_region_show_in_bokmal_with_lang_on_either_side() -> None:
    text = run("regions", "show", "Drammensregionen", "--lang", "nb")
    assert text.startswith("Drammensregionen\n")
    assert cells(header(text)) == ["Medlem (rad)", "Medlem fra–til", "Koder som telles", "I dag"]
    assert "│ alltid " in text
    assert "3301 Drammen (fra 2024)" in text and "0602 Drammen (2015–2019)" in text
    assert "del av Holmestrand 3903" in text
    assert "Røyken (mulig medlem, telles ikke)" in text
    assert "• Nedre Eiker (0625) ble slått sammen med Drammen i 2020" in text
    for english in ("always", "part of", "possible member", "merged into", "from 2024"):
        assert english not in text, english
    # `intd regions --lang nb show R` is the same as `intd regions show R --lang nb`
    assert run("regions", "--lang", "nb", "show", "Drammensregionen") == text
    # ... and the option on `show` wins over the one on `regions`
    assert run("regions", "--lang", "nb", "show", "Drammensregionen", "--lang", "en") == run(
        "regions", "show", "Drammensregionen", "--lang", "en"
    )


def test_a_member_with_a_period_shows_its_dates_per_language(tmp_path: Path) -> None:
    regions = tmp_path / "regions.toml"
    regions.write_text(
        'version = "t"\n[[region]]\nname = "Test"\ndescription = "A test region"\n'
        "members = [\n"
        '  { municipality = "0626", from = 2018-01-01, to = 2019-12-31 },\n'
        '  { municipality = "0602", from = 2018-01-01 },\n'
        '  { municipality = "0624", to = 2018-12-31 },\n]\n',
        encoding="utf-8",
    )
    en = run("--regions", str(regions), "regions", "show", "Test", "--lang", "en")
    assert "2018-01-01 – 2019-12-31" in en
    assert "from 2018-01-01" in en and "until 2018-12-31" in en
    nb = run("--regions", str(regions), "regions", "show", "Test", "--lang", "nb")
    assert "01.01.2018 – 31.12.2019" in nb
    assert "fra 01.01.2018" in nb and "til 31.12.2018" in nb


# --- intd columns ---------------------------------------------------------------------


def test_columns_in_both_languages() -> None:
    en = run("columns", "--lang", "en")
    assert en.startswith("Accepted columns (case, spaces, '_' and æøå/aeoa do not matter)")
    assert cells(header(en)) == ["Kind", "Field", "Also accepted", "What"]
    assert "│ participants " in en and "participant_id (required)" in en
    nb = run("columns", "--lang", "nb")
    assert nb.startswith("Godtatte kolonner (store og små bokstaver, mellomrom, '_' og")
    assert cells(header(nb)) == ["Type", "Felt", "Godtas også", "Hva"]
    assert "│ deltakere " in nb and "│ plasseringer " in nb
    # field names are codes; the descriptions are English prose in importers/columns.py
    assert "participant_id (påkrevd)" in nb
    assert "the office's id of the person" in nb


# --- JSON: the same bytes in every language ------------------------------------------------

LISTINGS = [
    ("goals",),
    ("regions",),
    ("regions", "show", "Drammensregionen"),
    ("regions", "show", "0625"),
    ("columns",),
]


@pytest.mark.parametrize("args", LISTINGS, ids=lambda a: " ".join(a))
def test_json_is_the_same_in_every_language(args: tuple[str, ...]) -> None:
    english = run(*args, "--format", "json", "--lang", "en")
    assert run(*args, "--format", "json", "--lang", "nb") == english
    assert run(*args, "--format", "json", INTD_LANG="nb") == english
    assert '"participant_id"' in english or args[0] != "columns"
    assert "2016-02-09" in english or args[0] != "goals"  # ISO dates
    assert "merged into Drammen" in english or args != ("regions", "show", "0625")


# --- the demo -------------------------------------------------------------------------


def test_demo_in_english() -> None:
    text = run("demo", "--lang", "en", width=120)
    about = panel(text)
    assert about.startswith("intd demo – a synthetic sample: participants of the intro")
    assert "(1,500 people), so the 1,000-person goal stays far off" in about
    assert "Files: deltakere.xlsx, plasseringer.csv · throw-away database and key:" in about
    assert "Imported into " in text and "│ 1,500 │" in text
    assert "Progress 2019" in text and "Report Drammensregionen" in text
    assert " Try next " in text
    assert "  intd demo --keep demo.sqlite              keep the database to try more on it" in text
    assert "  intd columns                              every column name intd accepts" in text


def test_demo_in_bokmal_throughout() -> None:
    text = run("demo", "--lang", "nb", width=120)
    about = panel(text)
    assert about.startswith("intd demo – et syntetisk utvalg: deltakere i introduksjons")
    assert f"(1{NBSP}500 personer), så målet om 1{NBSP}000 personer er langt unna" in about
    assert "Filer: deltakere.xlsx, plasseringer.csv · midlertidig database og nøkkel:" in about
    assert "Importert til " in text and f"│ 1{NBSP}500 │" in text  # the import summary
    assert "Måloppnåelse 2019" in text  # progress and report in bokmål too
    assert " Prøv så " in text
    assert "  intd demo --keep demo.sqlite              behold databasen for å prøve" in text
    assert "  intd columns                              alle kolonnenavn intd godtar" in text
    for english in ("1,500", "1,000", "Try next", "synthetic", "Imported into", "Progress 2019"):
        assert english not in text, english
    # INTD_LANG does the same as --lang (the temporary folder's name aside)
    by_env = run("demo", width=120, INTD_LANG="nb")
    folder = re.compile(r"intd-demo-[^/]+")
    assert folder.sub("X", by_env) == folder.sub("X", text)


def test_kept_demo_in_bokmal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = run("demo", "--keep", "demo.sqlite", "--lang", "nb", width=120)
    assert "databasen er beholdt som demo.sqlite, laget med nøkkelen din" in panel(text)
    assert "  intd --db demo.sqlite report --region Mjøsa --by municipality\n" in text
    assert "  intd columns                              alle kolonnenavn intd godtar" in text


# --- narrow terminals ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "nb"])
@pytest.mark.parametrize("args", LISTINGS, ids=lambda a: " ".join(a))
def test_listings_at_60_columns_keep_every_word(args: tuple[str, ...], lang: str) -> None:
    wide = run(*args, "--lang", lang, width=1000)
    check(wide, run(*args, "--lang", lang, width=60), 60)


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_demo_at_60_columns_keeps_every_word(
    lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = []
    for width in (1000, 60):
        folder = tmp_path / str(width)  # the same relative name: the same words
        folder.mkdir()
        monkeypatch.chdir(folder)
        args = ("demo", "--keep", "demo.sqlite", "--lang", lang)
        outputs.append(run(*args, width=width, terminal=True))
    check(outputs[0], outputs[1], 60)
