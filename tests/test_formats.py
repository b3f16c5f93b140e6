"""Every format a command's help offers works for that command, and the machine formats
are complete: progress CSV carries its breakdown, explain writes CSV, Markdown, HTML and
XLSX, a cell that does not apply is never shown as hidden (':'), and every CSV follows
the same rules (one header, `\\n`, ISO dates, plain numbers, empty + `suppressed`)."""

from __future__ import annotations

import csv
import enum
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import typer

from conftest import (
    PARTICIPANT_HEADER,
    PLACEMENT_HEADER,
    participant_row,
    placement_row,
    write_csv,
)
from intdrammen.cli import app

# The progress CSV columns before this change, in their order: scripts read them.
OLD_PROGRESS_COLUMNS = [
    "section", "id", "start", "end", "cohort_year", "target", "actual", "in_year",
    "expected", "on_track", "ended", "work_or_education", "rate", "met",
]  # fmt: skip
EXPLAIN_COLUMNS = [
    "participant_id", "status", "reason", "date", "placement_id", "source", "detail",
    "what", "goal", "year", "what_code", "basis", "detail_code", "municipality",
    "placement_types",
    "goal_region",
]  # fmt: skip


def person(pid: str, gender: str, municipality: str, end: str = "", outcome: str = "") -> list[Any]:
    return participant_row(pid, municipality, gender=gender, end=end, outcome=outcome)


def job(placement: str, pid: str, start: str) -> list[Any]:
    return placement_row(pid, start, placement_id=placement, fte="100")


@pytest.fixture
def small(tmp_path: Path, cli: Any) -> Path:
    """Drammensregionen, by hand:
    into work (goal id-2016-2020, window 2016-02-09 to 2020-12-31, counted up to
    2019-12-31): W1 woman Drammen 2018-03-01, W2 woman Drammen 2019-04-01, W3 man Lier
    2019-05-01 -> actual 3, in 2019: 2; women 2, men 1. W4's first job (2020-02-01) is
    after the period: not counted, reason after_period.
    Introduction cohort 2019 (ended 2019-06-15): C1 woman into work, C2 man unemployed,
    C3 man into education -> ended 3, work or education 2; women 1 of 1, men 1 of 2."""
    people = [
        person("W1", "K", "0602"),
        person("W2", "K", "0602"),
        person("W3", "M", "0626"),
        person("W4", "M", "0602"),
        person("C1", "K", "0602", "2019-06-15", "arbeid"),
        person("C2", "M", "0602", "2019-06-15", "ledig"),
        person("C3", "M", "0602", "2019-06-15", "utdanning"),
    ]
    jobs = [
        job("P1", "W1", "2018-03-01"),
        job("P2", "W2", "2019-04-01"),
        job("P3", "W3", "2019-05-01"),
        job("P4", "W4", "2020-02-01"),
    ]
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, jobs)
    result = cli("import", str(p), str(pl))
    assert result.exit_code == 0, result.output
    return tmp_path


def parse_csv(text: str) -> list[dict[str, str]]:
    """A CSV by the rules: one header of unique names, every row as wide, `\\n` line
    ends (no `\\r`), no ':' marker anywhere."""
    assert text.endswith("\n") and "\r" not in text
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert len(set(header)) == len(header), header
    assert all(len(r) == len(header) for r in rows), "ragged CSV"
    assert not any(cell == ":" for r in rows for cell in r)
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def by(rows: list[dict[str, str]], section: str, goal: str) -> dict[str, dict[str, str]]:
    return {r["name"]: r for r in rows if r["section"] == section and r["id"] == goal}


# ------------------------------------------------------------------ progress CSV --by


def test_progress_csv_keeps_its_columns_and_adds_the_breakdown(small: Path, cli: Any) -> None:
    result = cli("progress", "--year", "2019", "--by", "gender", "--format", "csv")
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0].split(",")
    assert header[: len(OLD_PROGRESS_COLUMNS)] == OLD_PROGRESS_COLUMNS
    assert {"dimension", "name", "suppressed"} <= set(header[len(OLD_PROGRESS_COLUMNS) :])
    rows = parse_csv(result.stdout)
    goal = next(r for r in rows if r["section"] == "goal")
    assert (goal["id"], goal["actual"], goal["in_year"]) == ("id-2016-2020", "3", "2")
    assert goal["start"] == "2016-02-09" and goal["end"] == "2020-12-31"  # ISO dates
    assert goal["share_of_target"] == "0.003"  # 3 of 1000, a plain number
    work = by(rows, "by_gender", "id-2016-2020")
    assert {k: (v["actual"], v["dimension"]) for k, v in work.items()} == {
        "female": ("2", "gender"),
        "male": ("1", "gender"),
        "total": ("3", "gender"),
    }
    # a persons-into-work breakdown has no cohort: those cells are empty, not hidden
    assert all(v["ended"] == "" and v["suppressed"] == "" for v in work.values())
    direct = by(rows, "by_gender", "intro-direct-55")
    assert {k: (v["ended"], v["work_or_education"], v["rate"]) for k, v in direct.items()} == {
        "female": ("1", "1", "1.0"),
        "male": ("2", "1", "0.5"),
        "total": ("3", "2", "0.6667"),
    }
    assert all(v["actual"] == "" and v["cohort_year"] == "2019" for v in direct.values())


@pytest.mark.parametrize(
    "dimension",
    ["municipality", "county", "age_group", "channel", "employer", "gender", "country", "quarter"],
)
def test_every_breakdown_reaches_the_csv(small: Path, cli: Any, dimension: str) -> None:
    args = ("progress", "--year", "2019", "--by", dimension)
    rows = parse_csv(cli(*args, "--format", "csv").stdout)
    data = json.loads(cli(*args, "--format", "json").stdout)
    for goal_id, breakdown in data["breakdowns"].items():
        in_csv = by(rows, f"by_{dimension}", goal_id)
        assert set(in_csv) == {r["name"] for r in breakdown["rows"]} | {"total"}
        for r in [*breakdown["rows"], breakdown["total"]]:
            line = in_csv[r["name"]]
            if "into_work" in r:
                assert line["actual"] == str(r["into_work"])
            else:
                assert line["ended"] == str(r["intro_ended"])
                assert line["work_or_education"] == str(r["intro_work_or_education"])


def test_a_hidden_count_is_empty_and_named_a_missing_one_just_empty(small: Path, cli: Any) -> None:
    result = cli(
        "progress", "--year", "2019", "--by", "gender", "--suppress", "3", "--format", "csv"
    )
    rows = parse_csv(result.stdout)
    work = by(rows, "by_gender", "id-2016-2020")
    # 2 women and 1 man are below 3: hidden; the total 3 is shown
    assert (work["female"]["actual"], work["female"]["suppressed"]) == ("", "actual")
    assert (work["male"]["actual"], work["male"]["suppressed"]) == ("", "actual")
    assert (work["total"]["actual"], work["total"]["suppressed"]) == ("3", "")
    direct = by(rows, "by_gender", "intro-direct-55")
    # an intro breakdown has no persons into work: empty, never named hidden, never 0
    assert all(v["actual"] == "" and "actual" not in v["suppressed"] for v in direct.values())
    assert direct["female"]["suppressed"] == "ended work_or_education rate"


def test_suppression_does_not_give_a_breakdown_columns_it_does_not_have(
    small: Path, cli: Any
) -> None:
    args = ("progress", "--year", "2019", "--by", "gender", "--suppress", "3")
    data = json.loads(cli(*args, "--format", "json").stdout)
    direct = data["breakdowns"]["intro-direct-55"]
    # absent = does not apply; null = hidden
    assert all("into_work" not in r for r in [*direct["rows"], direct["total"]])
    assert direct["rows"][0]["intro_ended"] is None
    work = data["breakdowns"]["id-2016-2020"]
    assert all("intro_ended" not in r for r in [*work["rows"], work["total"]])
    table = cli(*args).stdout
    intro_table = table[table.index("intro-direct-55: By gender") :]
    assert "Into work" not in intro_table.split("\n\n")[0]


# ------------------------------------------------------------ markdown: ':' vs '–'


def md_cells(text: str) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|") and not line.startswith("|---")
    ]


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_markdown_shows_only_columns_that_apply_and_explains_its_marks(
    small: Path, cli: Any, lang: str
) -> None:
    text = cli(
        "progress", "--year", "2019", "--by", "gender", "--format", "markdown", "--lang", lang
    ).stdout
    cells = [c for row in md_cells(text) for c in row]
    assert ":" not in cells  # nothing is hidden without suppression
    work = text[text.index("## id-2016-2020") :].split("\n\n")[1]
    intro = text[text.index("## intro-direct-55") :].split("\n\n")[1]
    if lang == "en":
        assert work.splitlines()[0] == "| Gender | Into work |"
        assert intro.splitlines()[0] == "| Gender | Intro ended | Work/education | Rate |"
        assert "| female | 1 | 1 | 100.0% |" in intro
    else:
        assert intro.splitlines()[0] == "| Kjønn | Intro avsluttet | Arbeid/utdanning | Andel |"
    legend = "'–' = " in text
    assert legend == ("–" in cells)  # the legend says what '–' means exactly when it is used
    assert "':' = " not in text


def test_markdown_legend_for_hidden_counts(small: Path, cli: Any) -> None:
    text = cli(
        "report", "--region", "Drammensregionen", "--suppress", "3", "--format", "markdown"
    ).stdout
    cells = [c for row in md_cells(text) for c in row]
    assert ":" in cells and "':' = fewer than 3 persons" in text


# ------------------------------------------------------------------------ explain


def test_explain_csv_one_row_per_person(small: Path, cli: Any) -> None:
    result = cli("explain", "--goal", "id-2016-2020", "--year", "2019", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split(",") == EXPLAIN_COLUMNS
    rows = parse_csv(result.stdout)
    counted = [(r["participant_id"], r["date"], r["placement_id"]) for r in rows[:3]]
    assert counted == [
        ("W1", "2018-03-01", "P1"),
        ("W2", "2019-04-01", "P2"),
        ("W3", "2019-05-01", "P3"),
    ]
    assert all(r["status"] == "counted" and r["reason"] == "" for r in rows[:3])
    assert rows[0]["source"] == "pl.csv:2" and rows[0]["what"] == "job"
    (w4,) = rows[3:]
    assert (w4["participant_id"], w4["status"], w4["reason"]) == ("W4", "excluded", "after_period")
    # An excluded person's date is the first date its detail names (the job after the
    # period here), and the detail's code and fields stand in their own columns.
    assert "2020-02-01" in w4["detail"] and w4["date"] == "2020-02-01"
    assert (w4["detail_code"], w4["municipality"], w4["placement_types"]) == (
        "first_job_starts",
        "",
        "",
    )
    assert all(r["what_code"] == "job" and r["basis"] == "" for r in rows[:3])
    assert {(r["goal"], r["year"]) for r in rows} == {("id-2016-2020", "2019")}


def test_explain_csv_for_an_intro_measure(small: Path, cli: Any) -> None:
    result = cli("explain", "--goal", "intro-direct-55", "--year", "2019", "--format", "csv")
    rows = {r["participant_id"]: r for r in parse_csv(result.stdout)}
    assert {k: v["status"] for k, v in rows.items()} == {
        "C1": "counted",
        "C2": "excluded",
        "C3": "counted",
    }
    assert rows["C2"]["reason"].startswith("not_in_numerator")


def test_explain_out_extension_chooses_the_format(small: Path, cli: Any) -> None:
    for name, check in (
        ("e.csv", lambda p: parse_csv(p.read_text(encoding="utf-8"))),
        ("e.md", lambda p: p.read_text(encoding="utf-8").startswith("# id-2016-2020")),
        ("e.json", lambda p: json.loads(p.read_text(encoding="utf-8"))["goal"]),
        ("e.html", lambda p: p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")),
        ("e.xlsx", lambda p: openpyxl.load_workbook(p).worksheets[0].max_row == 5),
    ):
        out = small / name
        result = cli("explain", "--goal", "id-2016-2020", "--year", "2019", "--out", str(out))
        assert result.exit_code == 0, result.output
        assert check(out), name


def test_explain_xlsx_one_sheet_of_people(small: Path, cli: Any) -> None:
    out = small / "e.xlsx"
    args = ("explain", "--goal", "id-2016-2020", "--year", "2019", "--lang", "nb")
    assert cli(*args, "--out", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Deltaker", "Status", "Årsak"]
    assert [r[0] for r in values[1:]] == ["W1", "W2", "W3", "W4"]
    assert values[4][1] == "Ikke telt med" and values[4][2] == "etter perioden"


# ------------------------------------------------------------ progress HTML, XLSX


def test_progress_xlsx_and_html(small: Path, cli: Any) -> None:
    out = small / "p.xlsx"
    args = ("progress", "--year", "2019", "--by", "gender", "--no-suppress")
    assert cli(*args, "--out", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    sheet = next(s for s in book.worksheets if s.title.startswith("intro-direct-55"))
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Gender", "Intro ended", "Work/education", "Rate"]
    assert rows[1:] == [
        ["female", 1, 1, 1],
        ["male", 2, 1, 0.5],
        ["Total", 3, 2, 0.6667],  # rounded as CSV rounds a rate
    ]
    goal = next(s for s in book.worksheets if s.title.startswith("id-2016-2020"))
    assert [[c.value for c in row] for row in goal.iter_rows()][1:] == [
        ["female", 2],
        ["male", 1],
        ["Total", 3],
    ]
    html = small / "p.html"
    assert cli(*args, "--out", str(html)).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "<td>female</td><td>1</td><td>1</td><td>100.0%</td>" in page


def test_file_formats_need_out(small: Path, cli: Any) -> None:
    for args in (("progress", "--year", "2019"), ("explain", "-g", "id-2016-2020", "-y", "2019")):
        result = cli(*args, "--format", "xlsx")
        assert result.exit_code == 1 and "--out" in result.stderr


# ------------------------------------------- every --format choice of every command

COMMAND_ARGS = {
    "progress": ["--year", "2019", "--by", "gender"],
    "report": ["--by", "gender"],
    "explain": ["--goal", "id-2016-2020", "--year", "2019"],
    "imports": [],
    "goals": [],
    "regions": [],
    "regions show": ["Drammensregionen"],
    "columns": [],
}


# Commands of a shared PostgreSQL database: their formats are run against the real
# server in test_pg_offices.py.
POSTGRES_ONLY = {"offices list"}


def commands_with_format() -> list[tuple[str, list[str]]]:
    """(command path, the choices of its --format) for every command that has one."""
    root = typer.main.get_command(app)
    found: list[tuple[str, list[str]]] = []

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
            return
        for param in command.params:
            if "--format" in param.opts:
                choices = param.type_descriptor.annotation  # the command's format enum
                assert issubclass(choices, enum.Enum), path
                found.append((" ".join(path), [str(c.value) for c in choices]))

    walk(root, [])
    return found


def well_formed(choice: str, text: str, path: Path | None) -> None:
    if choice == "xlsx":
        assert path is not None
        book = openpyxl.load_workbook(path)
        assert book.worksheets[0].max_row >= 2
        return
    assert text.strip()
    if choice == "json":
        json.loads(text)
    elif choice == "csv":
        assert parse_csv(text)
    elif choice == "markdown":
        assert "|---" in text or text.startswith("#")
    elif choice == "html":
        assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")


def test_every_format_a_command_offers_works(small: Path, cli: Any) -> None:
    seen = commands_with_format()
    assert {"progress", "report", "explain"} <= {c for c, _ in seen}
    for command, choices in seen:
        if command in POSTGRES_ONLY:
            continue
        assert command in COMMAND_ARGS, f"add {command!r} to COMMAND_ARGS"
        args = [*command.split(), *COMMAND_ARGS[command]]
        # the help lists exactly the choices (wrapped or not)
        help_text = " ".join(cli(*command.split(), "--help").stdout.split())
        for choice in choices:
            assert re.search(rf"\b{choice}\b", help_text), (command, choice)
        for other in {"table", "json", "csv", "markdown", "html", "xlsx"} - set(choices):
            assert not re.search(rf"--format.*\b{other}\b.*--", help_text), (command, other)
        for choice in choices:
            out = small / f"out-{command.replace(' ', '-')}.{choice}"
            extra = ["--out", str(out)] if choice in ("html", "xlsx") else []
            result = cli(*args, "--format", choice, *extra)
            assert result.exit_code == 0, (command, choice, result.output)
            text = out.read_text(encoding="utf-8") if choice == "html" else result.stdout
            well_formed(choice, text, out if extra else None)
