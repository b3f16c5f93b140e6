"""Terminal tables at any width: no line longer than the terminal, no word, number,
date or id broken over two lines, a long file name shortened in its middle, a table
that cannot fit printed stacked. Through the CLI (CliRunner, COLUMNS set), in en and nb."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, write_csv
from intdrammen.cli import app
from intdrammen.render.fit import Name, Words, fit, shorten

WIDTHS = [40, 50, 60, 80, 100, 120, 200]
PEOPLE = "deltakere_internasjonale_drammen_eksport_fra_fagsystemet_2019.xlsx"
JOBS = "plasseringer_drammensregionen_eksport_2019.csv"
SHEET = "Deltakere 2019"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FRAME = set("─━│┃┏┓┗┛┡┩┣┫╇╋┳┻└┘┌┐├┤┬┴┼╺╸╹╻█·▏▕ ")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Drammen and Nedre Eiker: 8 people in a workbook with a long name (one municipality
    9999, a warning), 8 jobs 2017-2019 in a CSV with a long name; one in Lier."""
    root = tmp_path_factory.mktemp("term")
    people = [
        [
            f"D{i}", "", 1980 + i, "K" if i % 2 else "M", "Syria", "0625" if i == 3 else "0602",
            "", "2017-01-01", "2019-06-15" if i < 6 else "", "fullført" if i < 6 else "",
            "arbeid" if i < 4 else "",
        ]
        for i in range(8)
    ]  # fmt: skip
    people.append(["L1", "", 1985, "M", "Eritrea", "0626", "", "", "", "", ""])
    people.append(["U1", "", 1990, "K", "Iran", "9999", "", "", "", "", ""])
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(PARTICIPANT_HEADER)
    for row in people:
        sheet.append(row)
    book.save(root / PEOPLE)
    jobs = [
        [f"P{i}", f"D{i}", "fast jobb", "", "Kiwi", f"201{7 + i % 3}-03-01", "", "100", "NAV"]
        for i in range(8)
    ]
    jobs.append(["P9", "L1", "lærling", "", "Rema", "2018-05-01", "", "", "NAV"])
    write_csv(root / JOBS, PLACEMENT_HEADER, jobs)
    key = root / "key"
    db = root / "intd.sqlite"
    mp = pytest.MonkeyPatch()
    mp.setenv("INTD_KEY_FILE", str(key))
    result = CliRunner().invoke(
        app, ["--db", str(db), "import", str(root / PEOPLE), str(root / JOBS)]
    )
    mp.undo()
    assert result.exit_code == 0, result.output
    yield {"root": root, "db": db, "key": key}


def run(
    world: dict[str, Path], width: int, *args: str, terminal: bool = False, code: int = 0
) -> str:
    env = {"COLUMNS": str(width), "INTD_KEY_FILE": str(world["key"])}
    if terminal:
        env["TTY_COMPATIBLE"] = "1"  # tables of problems only on a terminal
    result = CliRunner().invoke(app, ["--db", str(world["db"]), *args], env=env)
    assert result.exit_code == code, result.output
    text = ANSI.sub("", result.stdout + result.stderr)
    # A progress bar a slow run draws is overwritten on the terminal (`\r`): what
    # stays on screen is what follows the last carriage return of a line.
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def tokens(text: str) -> set[str]:
    """The words of an output: split at ordinary spaces and line breaks only (a no-break
    space is part of its number, "1 000"), less the frame, a label's colon dropped."""
    found = set()
    for token in re.split(r"[ \n]+", text):
        if token and not set(token) <= FRAME and any(c.isalnum() for c in token):
            found.add(token.removesuffix(":"))
    return found


def appears(token: str, narrow: set[str]) -> bool:
    """`token` whole in `narrow`, or a file name as `start…end` of itself."""
    if token in narrow:
        return True
    for short in narrow:
        if "…" in short and short != "…":
            head, _, tail = short.partition("…")
            if head and token.startswith(head) and token.endswith(tail) and len(short) < len(token):
                return True
    return False


COMMANDS: list[tuple[str, ...]] = [
    ("progress", "--year", "2019"),
    ("progress", "--year", "2019", "--by", "municipality"),
    ("progress", "--year", "2019", "--by", "employer"),
    ("progress", "--year", "2019", "--chart"),
    ("report", "--region", "Drammensregionen", "--by", "gender", "--no-suppress"),
    ("explain", "--goal", "id-2016-2020", "--year", "2019"),
    ("explain", "--goal", "intro-direct-55", "--year", "2019"),
]
LISTINGS: list[tuple[str, ...]] = [
    ("imports",),
    ("goals",),
    ("regions",),
    ("regions", "show", "Drammensregionen"),
    ("columns",),
]


def check(wide: str, narrow: str, width: int) -> None:
    lines = narrow.splitlines()
    too_long = [line for line in lines if len(line) > width]
    assert not too_long, (width, too_long)
    seen = tokens(narrow)
    broken = sorted(t for t in tokens(wide) if not appears(t, seen))
    assert not broken, (width, broken, narrow)


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
@pytest.mark.parametrize("lang", ["en", "nb"])
def test_figures_at_every_width_keep_every_word(
    world: Any, args: tuple[str, ...], lang: str
) -> None:
    wide = run(world, 1000, *args, "--lang", lang)
    for width in WIDTHS:
        check(wide, run(world, width, *args, "--lang", lang), width)


@pytest.mark.parametrize("args", LISTINGS, ids=lambda a: " ".join(a))
def test_listings_at_every_width_keep_every_word(world: Any, args: tuple[str, ...]) -> None:
    wide = run(world, 1000, *args)
    for width in WIDTHS:
        check(wide, run(world, width, *args), width)


def test_import_summary_and_warnings_at_every_width(world: Any) -> None:
    files = (str(world["root"] / PEOPLE), str(world["root"] / JOBS))
    args = ("import", "--dry-run", *files)
    wide = run(world, 1000, *args, terminal=True)
    assert "W-MUNICIPALITY-UNKNOWN" in wide and PEOPLE in wide and JOBS in wide
    for width in WIDTHS:
        narrow = run(world, width, *args, terminal=True)
        check(wide, narrow, width)
        assert "Warnings" in narrow and "W-MUNICIPALITY-UNKNOWN" in narrow


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(width=st.integers(min_value=40, max_value=220), lang=st.sampled_from(["en", "nb"]))
def test_any_width_keeps_every_word(world: Any, width: int, lang: str) -> None:
    for args in (COMMANDS[0], COMMANDS[3], COMMANDS[4]):
        wide = run(world, 1000, *args, "--lang", lang)
        check(wide, run(world, width, *args, "--lang", lang), width)


def test_the_reported_breakage_at_50_columns_in_norwegian(world: Any) -> None:
    """ "Mål" one character wide, "5/5/ /%/d/i/r/..." down the page: now stacked."""
    text = run(world, 50, "progress", "--year", "2019", "--lang", "nb")
    lines = text.splitlines()
    assert not [line for line in lines if len(line.strip()) == 1]
    assert "Drammensregionen" in tokens(text) and "id-2016-2020" in tokens(text)
    # D0-D7 in Drammen (D3 in Nedre Eiker, now Drammen) and L1 in Lier: 9 into work by
    # 2019, 2 of them in 2019 (P2, P5); D0-D5 ended the programme in 2019.
    assert re.search(r"^Faktisk: +9$", text, re.M) and re.search(r"^I 2019: +2$", text, re.M)
    assert re.search(r"^Avsluttet: +6$", text, re.M)
    assert re.search(r"^Måltall: +1 000$", text, re.M)


def test_a_table_that_fits_stays_a_table(world: Any) -> None:
    text = run(world, 120, "progress", "--year", "2019", "--lang", "nb")
    header = next(line for line in text.splitlines() if "Faktisk" in line)
    assert "Forventet" in header and "I rute" in header  # one header line, columns side by side
    assert not re.search(r"^Faktisk:", text, re.M)


def test_imports_at_80_columns_is_stacked_not_wrapped(world: Any) -> None:
    text = run(world, 80, "imports")
    assert re.search(r"^File: +plasseringer_drammensregionen_eksport_2019\.csv$", text, re.M)
    assert re.search(r"^Rows: +10$", text, re.M) and re.search(r"^Rows: +9$", text, re.M)
    stamps = re.findall(r"^Imported: +(\S+ \S+)$", text, re.M)
    # Local time to the minute (Fmt.short_stamp), date and time on one line.
    assert len(stamps) == 2 and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", s) for s in stamps)


def test_a_long_file_name_is_shortened_in_its_middle(world: Any) -> None:
    text = run(world, 40, "imports")
    files = re.findall(r"^File: +(.+)$", text, re.M)
    assert len(files) == 2 and all(len(f) == 40 - len("File:      ") for f in files)
    for name, full in zip(files, (PEOPLE, JOBS), strict=True):
        head, tail = name.split("…")
        assert full.startswith(head) and full.endswith(tail)
        assert len(head) > len(tail) > len(full.rsplit(".", 1)[1])  # start and extension
    assert re.search(r"^ +\[Deltakere 2019\]$", text, re.M)  # the sheet on a line of its own


# --------------------------------------------------------------------------- the parts


def render(renderable: Any, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(renderable)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def test_shorten_keeps_start_and_extension() -> None:
    name = "plasseringer_drammen_region_2019.csv"
    short = shorten(name, 23)
    assert len(short) == 23 and short.startswith("plasseringer") and short.endswith("2019.csv")
    assert short.count("…") == 1
    assert shorten(name, 100) == name
    assert len(shorten("a.csv:1257", 8)) == 8  # the extension alone would not fit


def test_words_hold_no_break_spaces_and_never_fold_a_word_that_fits() -> None:
    text = "Norge 61,0\u00a0% og 1\u00a0000 i arbeid: Drammensregionen 2016-02-09–2020-12-31"
    for width in range(21, 60):
        lines = render(Words(text), width).splitlines()
        assert all(len(line) <= width for line in lines)
        assert set(" ".join(lines).split(" ")) == set(text.split(" "))


def test_words_shorten_a_name_only_when_it_does_not_fit_a_line() -> None:
    words = Words("Files: ", Name(PEOPLE), " (0123abcd)")
    assert render(words, 200).strip() == f"Files: {PEOPLE} (0123abcd)"
    lines = render(words, 30).splitlines()
    assert lines[0] == "Files:" and lines[2] == "(0123abcd)"
    assert len(lines[1]) == 30 and lines[1].startswith("deltakere_") and lines[1].endswith(".xlsx")


def test_stacked_form_has_one_block_per_row() -> None:
    table = Table(title="Import history")
    for name in ("Batch", "File", "Rows"):
        table.add_column(name, no_wrap=name != "File")
    table.add_row("1", Words(Name(PEOPLE), " [Ark 1]"), "1\u00a0500")
    table.add_row("2", Words(Name(JOBS)), "12")
    assert "┃ File" in render(fit(table), 50)  # a name shortened to 20 still fits a table
    text = render(fit(table), 26)
    assert text.splitlines() == [
        "Import history",
        "Batch: 1",
        f"File:  {shorten(PEOPLE, 19)}",
        "       [Ark 1]",
        "Rows:  1\u00a0500",
        "",
        "Batch: 2",
        f"File:  {shorten(JOBS, 19)}",
        "Rows:  12",
        "",
    ]


def test_a_rejected_import_and_its_hints_at_every_width(world: Any, tmp_path: Path) -> None:
    """The problems table of a refused file with a long name, the hints under it and
    the error paragraph: each wraps between words."""
    bad = write_csv(
        tmp_path / "deltakere_fra_fagsystemet_med_feil_i_datoene_2019.csv",
        PARTICIPANT_HEADER,
        [["D1", "", 1980, "K", "Syria", "0602", "", "31.02.2019", "", "", ""]],
    )
    args = ("import", "--dry-run", str(bad))
    wide = run(world, 1000, *args, terminal=True, code=1)
    assert "E-DATE" in wide and "Problems found" in wide
    for width in WIDTHS:
        narrow = run(world, width, *args, terminal=True, code=1)
        check(wide, narrow, width)
        assert "(31.02.2019)" not in narrow and "E-DATE" in tokens(narrow)  # a table


@pytest.mark.parametrize("width", WIDTHS)
def test_an_error_and_its_hint_wrap_between_words(world: Any, width: int) -> None:
    args = ("explain", "--goal", "no-such-goal-2016-2020", "--year", "2019")
    wide = run(world, 1000, *args, terminal=True, code=1)
    assert "intro-direct-55," in wide
    check(wide, run(world, width, *args, terminal=True, code=1), width)
