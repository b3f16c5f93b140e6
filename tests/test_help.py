"""Help that reads like a mature tool's, a kept demo database that takes imports, and
report charts that are left out (with a note) when they would show nothing.

Help is checked for every command and sub-command found by walking the real command
tree, at the widths people have: 60, 80 and 120 columns, and 200 for reflow."""

from __future__ import annotations

import inspect
import itertools
import json
import re
import shlex
import sqlite3
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, write_csv
from intdrammen.cli import app
from intdrammen.importers.tables import TEXT_EXTENSIONS, WORKBOOK_EXTENSIONS


def command_paths() -> list[tuple[list[str], Any]]:
    """Every command as (argv before --help, click command), the root included."""
    found: list[tuple[list[str], Any]] = []

    def walk(path: list[str], command: Any) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk([*path, name], sub)

    walk([], typer.main.get_command(app))
    return found


COMMANDS = command_paths()
FIGURES = (["progress"], ["report"], ["explain"])
IDS = [" ".join(path) or "intd" for path, _ in COMMANDS]


def help_of(path: list[str], columns: int) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_command_is_walked():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"import", "progress", "report", "explain", "demo", "regions", "regions show"} <= names


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_help_has_no_type_placeholders_and_fits_the_width(path, command, columns):
    text = help_of(path, columns)
    assert "<bool>" not in text
    # No Python type, no <...> at all: what to type is a word (FILE, YEAR, N).
    assert not re.search(r"<[^>\s]*>", text), re.findall(r"<[^>\s]*>", text)
    assert "list[" not in text and "{" not in text
    assert "…" not in text  # no option name or metavar cut short
    too_long = [line for line in text.splitlines() if len(line) > columns]
    assert not too_long


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_paragraphs_reflow_instead_of_keeping_the_source_line_breaks(path, command):
    """A word that ends a line of the docstring is followed by the paragraph's next word
    on the same line at 200 columns: the line breaks of the source are gone."""
    text = help_of(path, 200)
    doc = inspect.cleandoc((command.callback.__doc__ if command.callback else None) or "")
    pairs = []
    for block in doc.split("\n\n"):
        lines = block.splitlines()
        for this, following in itertools.pairwise(lines):
            if this[:1].isspace() or following[:1].isspace() or "[/]" in this:
                continue  # an example line or a heading keeps its own line
            pairs.append(f"{this.split()[-1]} {following.split()[0]}")
    for pair in pairs:
        assert pair in text, (pair, text)
    if path in (["import"], ["undo"], ["progress"], ["demo"], ["check"]):
        assert pairs  # these have paragraphs of several source lines


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
@pytest.mark.parametrize("columns", [60, 120])
def test_every_command_has_an_indented_example(path, command, columns):
    text = help_of(path, columns)
    prefix = " ".join(["intd", *path]) if path else "intd"
    assert re.search(r"Examples?:\s*\n\s{3,}" + re.escape(prefix) + r"[ \n]", text), text


def test_reflow_joins_prose_lines_and_keeps_example_lines():
    from intdrammen.cli.helptext import reflow

    doc = """Summary line.

    A paragraph wrapped
    by the editor here.

    Examples:
      intd a --x 1
      intd b
    """
    assert reflow(doc) == (
        "Summary line.\n\nA paragraph wrapped by the editor here.\n\n"
        "Examples:\n  intd a --x 1\n  intd b"
    )
    assert reflow(None) is None


def test_usage_line_and_metavars_name_what_to_type():
    text = help_of(["import"], 120)
    assert "import [OPTIONS] FILE..." in text
    assert re.search(r"--sheet\s+NAME", text) and re.search(r"--max-errors\s+N\b", text)
    assert re.search(r"--dry-run\s+Check", text)  # a flag: no placeholder at all
    progress = help_of(["progress"], 120)
    for option, metavar in [("--year", "YEAR"), ("--region", "REGION"), ("--out", "FILE")]:
        assert re.search(rf"{option}\s+(-\w\s+)?{metavar}\b", progress), (option, progress)
    assert re.search(r"--goal\s+-g\s+GOAL", help_of(["explain"], 120))
    assert "show [OPTIONS] REGION" in help_of(["regions", "show"], 120)
    assert "undo [OPTIONS] BATCH" in help_of(["undo"], 120)


def test_narrow_help_stacks_each_option_with_its_help_under_it():
    text = help_of(["import"], 60)
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "--allow-fnr-change")
    assert lines[at + 1].strip().startswith("Accept a different (or emptied)")
    assert any(line.strip() == "-q, --quiet" for line in lines)
    assert any(line.strip() == "--on-error MODE" for line in lines)
    assert "[default: fail]" in " ".join(text.split())
    # An example too long for the width wraps under its own indent.
    assert "   intd import eksport.csv --map kolonner.toml" in text


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_choice_an_option_takes_is_named_in_its_help(path, command):
    ctx = typer.Context(command)
    for param in command.get_params(ctx):
        descriptor = getattr(param, "type_descriptor", None)
        choices = descriptor.choices if descriptor is not None and descriptor.is_choice else None
        if not choices:
            continue
        words = " ".join((param.help or "").replace(",", " ").split())
        for choice in choices:
            assert str(getattr(choice, "value", choice)) in words, (path, param.name, choice)


def test_import_help_names_every_file_type_the_importers_read():
    text = " ".join(help_of(["import"], 200).split())
    for extension in sorted(TEXT_EXTENSIONS | WORKBOOK_EXTENSIONS):
        assert extension in text, extension
    assert "CSV or XLSX" not in text


def test_same_options_read_the_same_across_commands():
    def option_help(path: list[str], name: str) -> str:
        command = dict((" ".join(p), c) for p, c in COMMANDS)[" ".join(path)]
        param = next(p for p in command.params if name in p.opts)
        return str(param.help)

    for name in ("--region", "--year", "--lang"):
        assert option_help(["progress"], name) == option_help(["explain"], name)
    for name in ("--out", "--suppress", "--no-suppress", "--lang"):
        assert option_help(["progress"], name) == option_help(["report"], name)
    # The data commands take the figure commands' --lang, read the same.
    # So do the configuration listings and the demo.
    for path in (
        ["import"],
        ["imports"],
        ["undo"],
        ["check"],
        ["goals"],
        ["regions"],
        ["regions", "show"],
        ["columns"],
        ["demo"],
    ):
        assert option_help(path, "--lang") == option_help(["progress"], "--lang"), path
        assert re.search(r"--lang\s+LANG\s", help_of(path, 200)), path
    lists = (["columns"], ["goals"], ["regions"], ["regions", "show"])
    assert {option_help(path, "--format") for path in lists} == {"Output: table or json."}
    assert option_help(["imports"], "--format") == "Output: table, json or csv."
    # Root options are read the same way: a metavar and the variable that stands in.
    root = help_of([], 200)
    for option, env in (
        ("--db", "INTD_DB"),
        ("--goals", "INTD_GOALS"),
        ("--regions", "INTD_REGIONS"),
        ("--requirements", "INTD_REQUIREMENTS"),
    ):
        # --db also takes a PostgreSQL URL (issue 16).
        assert re.search(rf"{option}\s+FILE(\|URL)?\s.*\[env: {env}", root), option


# ------------------------------------------------------------------------- demo --keep


def test_a_kept_demo_database_takes_imports_by_what_intd_printed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    kept = tmp_path / "my demo.sqlite"
    runner = CliRunner()
    shown = runner.invoke(app, ["demo", "--keep", str(kept)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "made with your key" in shown.stdout
    printed = [line.strip() for line in shown.stdout.splitlines() if " import " in line]
    command = next(line for line in printed if line.startswith("intd --db"))
    argv = shlex.split(command)[1:]
    assert argv[:2] == ["--db", str(kept)]
    # One new participant settled in Drammen, with a permanent job in 2019.
    people = write_csv(
        tmp_path / "nye.csv",
        PARTICIPANT_HEADER,
        [["NY1", "", 1990, "K", "Syria", "3005", "", "", "", "", ""]],
    )
    jobs = write_csv(
        tmp_path / "nye_plasseringer.csv",
        PLACEMENT_HEADER,
        [["NYPL1", "NY1", "fast jobb", "", "Kiwi", "01.03.2019", "", "100", "NAV"]],
    )

    def counted() -> int:
        result = runner.invoke(
            app,
            [
                "--db",
                str(kept),
                "explain",
                "--goal",
                "id-2016-2020",
                "--year",
                "2019",
                "--format",
                "json",
            ],
        )
        assert result.exit_code == 0, result.output
        return len(json.loads(result.stdout)["counted"])

    before = counted()
    argv = [*argv[: argv.index("import") + 1], str(people), str(jobs)]
    imported = runner.invoke(app, argv)
    assert imported.exit_code == 0, imported.output
    assert counted() == before + 1
    progress = runner.invoke(app, ["--db", str(kept), "progress", "--year", "2019"])
    assert progress.exit_code == 0, progress.output
    assert "Traceback" not in progress.output


def test_the_demo_without_keep_leaves_the_key_alone(tmp_path):
    key = tmp_path / "config" / "key"  # where conftest points INTD_KEY_FILE
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert not key.exists()
    assert "throw-away database and key" in " ".join(result.stdout.split())


def test_the_demo_never_adds_the_sample_to_a_database_with_imports(tmp_path, cli, db):
    people = write_csv(
        tmp_path / "p.csv",
        PARTICIPANT_HEADER,
        [["D1", "", 1990, "K", "Syria", "3005", "", "", "", "", ""]],
    )
    assert cli("import", str(people)).exit_code == 0
    before = db.read_bytes()
    result = CliRunner().invoke(app, ["demo", "--keep", str(db)])
    assert result.exit_code == 1
    assert "[E-DEMO-KEEP]" in result.stderr and str(db) in result.stderr
    assert "Traceback" not in result.output
    assert db.read_bytes() == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM participants").fetchone() == (1,)


# ------------------------------------------------------------------------------ charts


def figure_after(html: str, heading: str) -> str:
    """The HTML between a section's <h2> and the next <h2>."""
    start = html.index(f"<h2>{heading}</h2>")
    end = html.find("<h2>", start + 4)
    return html[start:end]


@pytest.fixture
def drammen(tmp_path, cli):
    """Drammen: 4 people into work, 2 in 2018 and 2 in 2019; no intro data."""
    people = [[f"D{i}", "", 1990, "K", "Syria", "3005", "", "", "", "", ""] for i in range(4)]
    jobs = [
        [f"P{i}", f"D{i}", "fast jobb", "", "Kiwi", f"01.0{i + 1}.{2018 + i // 2}", "", "100", ""]
        for i in range(4)
    ]
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, jobs)
    assert cli("import", str(p), str(pl)).exit_code == 0
    return tmp_path


@pytest.mark.parametrize(
    ("lang", "heading", "note"),
    [
        ("en", "Per year", "every count it would show is too small"),
        ("nb", "Per år", "alle tallene det ville vise, er for små"),
    ],
)
def test_a_per_year_chart_of_hidden_counts_is_left_out_with_a_note(
    drammen, cli, lang, heading, note
):
    out = drammen / "r.html"
    args = ["report", "--region", "Drammen", "--from", "2018", "--to", "2019"]
    result = cli(*args, "--out", str(out), "--suppress", "3", "--lang", lang)
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    section = figure_after(html, heading)
    assert "<svg" not in section and "<figure>" not in section
    assert note in section
    assert "0.04" not in html and "\u22120" not in html  # no axis around zero anywhere


def test_a_per_year_chart_is_drawn_when_a_count_shows_and_its_axis_starts_at_zero(drammen, cli):
    out = drammen / "r.html"
    args = ["report", "--region", "Drammen", "--from", "2017", "--to", "2019"]
    assert cli(*args, "--out", str(out), "--no-suppress", "--lang", "en").exit_code == 0
    section = figure_after(out.read_text("utf-8"), "Per year")
    assert "<svg" in section
    svg = section[section.index("<svg") :]
    ticks = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    numbers = [t.replace("\u2212", "-") for t in ticks if re.fullmatch(r"[\u2212-]?[\d.]+", t)]
    assert numbers and all(float(n) >= 0 for n in numbers), ticks
    assert "2018" in ticks and "2019" in ticks
    assert all(float(n) == int(float(n)) for n in numbers), numbers  # whole persons


def test_a_per_year_chart_with_nobody_into_work_is_left_out_with_a_note(tmp_path, cli):
    """Three people end the programme in 2019 unemployed; their jobs come in 2022. The
    2019 row counts 0 into work: no bars of height 0, a note. The cohort chart still
    draws, since 0 % directly into work is a result."""
    people = [
        [
            f"D{i}",
            "",
            1990,
            "K",
            "Syria",
            "3005",
            "",
            "2017-01-01",
            "2019-06-15",
            "fullført",
            "ledig",
        ]
        for i in range(3)
    ]
    jobs = [
        [f"P{i}", f"D{i}", "fast jobb", "", "Kiwi", "01.03.2022", "", "100", ""] for i in range(3)
    ]
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, jobs)
    assert cli("import", str(p), str(pl)).exit_code == 0
    out = tmp_path / "r.html"
    args = ["report", "--region", "Drammen", "--from", "2019", "--to", "2019"]
    result = cli(*args, "--out", str(out), "--no-suppress", "--lang", "en")
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    per_year = figure_after(html, "Per year")
    assert "<svg" not in per_year and "No chart: nobody is counted in these years." in per_year
    assert "<td>2019</td>" in per_year.replace(' class="num"', "")  # the table stays
    cohorts = figure_after(html, "Introduction programme per cohort")
    assert "<svg" in cohorts
    assert "0.04" not in html and "\u22120" not in html


def test_charts_with_no_year_to_show_are_left_out_with_a_note(tmp_path, cli):
    """Jobs only in 2022, asked for 2018-2019: no year row, no cohort: notes only."""
    people = [[f"D{i}", "", 1990, "K", "Syria", "3005", "", "", "", "", ""] for i in range(3)]
    jobs = [
        [f"P{i}", f"D{i}", "fast jobb", "", "Kiwi", "01.03.2022", "", "100", ""] for i in range(3)
    ]
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, jobs)
    assert cli("import", str(p), str(pl)).exit_code == 0
    out = tmp_path / "r.html"
    args = ["report", "--region", "Drammen", "--from", "2018", "--to", "2019"]
    result = cli(*args, "--out", str(out), "--no-suppress", "--lang", "en")
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    for heading in ("Per year", "Introduction programme per cohort"):
        section = figure_after(html, heading)
        assert "<svg" not in section and '<p class="empty">' in section
    assert "0.04" not in html and "\u22120" not in html
