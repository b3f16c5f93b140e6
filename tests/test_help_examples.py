"""An example in `--help` that does not fit the terminal breaks the way a shell user
reads as one command: between shell words only, ` \\` at the end of every line but the
last, the rest indented deeper than the example's first line, never inside a quoted
argument. Checked for every command at 40, 60, 80 and 120 columns (stacked below 80,
Typer's tables from 80), and by a real shell reading what the help shows."""

from __future__ import annotations

import inspect
import itertools
import re
import shlex
import shutil
import subprocess

import pytest

from intdrammen.cli.helptext import fit_example, fit_examples, shell_words
from test_help import COMMANDS, IDS, help_of

WIDTHS = [40, 60, 80, 120]
CONTINUED = re.compile(r" \\ *\n *")  # the line break a shell reader skips (and padding)


def source_examples(command) -> list[str]:
    """The example commands as the source writes them: indented `intd ...` lines of the
    docstring and of the epilog (which `reflow` keeps as written)."""
    doc = inspect.cleandoc((command.callback.__doc__ if command.callback else None) or "")
    lines = [*doc.splitlines(), *(command.epilog or "").splitlines()]
    return [line.strip() for line in lines if line[:1].isspace() and line.split()[0] == "intd"]


def indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def test_every_command_has_source_examples():
    assert all(source_examples(command) for _, command in COMMANDS)


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_examples_read_as_one_command_at_every_width(path, command, columns):
    text = help_of(path, columns)
    joined = {line.strip() for line in CONTINUED.sub(" ", text).splitlines()}
    for example in source_examples(command):
        assert example in joined, (example, text)
    lines = text.splitlines()
    for line in lines:
        if len(line) > columns:  # only a single word too long for any line may run over
            assert len(shell_words(line.strip().removesuffix(" \\")) or []) == 1, (line, text)
    first = None  # the first line of the example being continued
    for line, following in itertools.pairwise(lines):
        if not line.rstrip().endswith(" \\"):
            first = None
            continue
        first = line if first is None else first
        assert indent(following) > indent(first), (line, following)
        assert following.strip(), line  # a continuation is never a blank line


def test_the_qa_example_breaks_before_an_option_and_keeps_its_value():
    """QA item 11: at 60 columns `--out` was left at the end of a line and
    `fremdrift.csv` started the next at the same indent, like a command of its own."""
    lines = help_of(["progress"], 60).splitlines()
    at = lines.index("   intd progress --year 2019 --format csv \\")
    assert lines[at + 1] == "       --out fremdrift.csv"
    import_help = help_of(["import"], 60)
    assert "   intd import eksport.csv --map kolonner.toml \\\n       --on-error skip\n" in (
        import_help
    )
    assert '\n       --map "Deltakernr=participant_id"\n' in import_help


@pytest.mark.parametrize("columns", [80, 120])
def test_examples_that_fit_are_left_alone(columns):
    text = help_of(["report"], columns)
    assert "\\" not in text
    assert "   intd report --region Mjøsa --from 2016 --to 2017 --format markdown" in text


def test_a_quoted_argument_is_one_word_even_with_spaces_inside():
    command = """intd import a.csv --map "Født dato=birth_date" --sheet 'Ark 1' b\\ c.csv"""
    assert shell_words(command) == [
        "intd",
        "import",
        "a.csv",
        "--map",
        '"Født dato=birth_date"',
        "--sheet",
        "'Ark 1'",
        "b\\ c.csv",
    ]
    assert shell_words('intd import "unclosed') is None
    for width in range(12, 60):
        lines = fit_example("  " + command, width)
        assert "\n".join(lines).count('"') == 2
        assert any('"Født dato=birth_date"' in line for line in lines)
        assert any("'Ark 1'" in line for line in lines)
        assert any("b\\ c.csv" in line for line in lines)


def test_fit_example_breaks_greedily_and_indents_four_deeper():
    line = "  intd progress --year 2019 --format csv --out fremdrift.csv"  # 60 columns
    assert fit_example(line, 60) == [line]
    assert fit_example(line, 59) == [
        "  intd progress --year 2019 --format csv \\",
        "      --out fremdrift.csv",
    ]
    assert fit_example(line, 30) == [
        "  intd progress --year 2019 \\",
        "      --format csv \\",
        "      --out fremdrift.csv",
    ]
    # A word longer than any line gets a line of its own and runs over, never cut.
    long = "  intd import " + "x" * 50 + ".csv --dry-run"
    assert fit_example(long, 30) == [
        "  intd import \\",
        "      " + "x" * 50 + ".csv \\",
        "      --dry-run",
    ]
    # A trailing comment is never continued with a backslash (the shell would not).
    assert fit_example("  intd imports --format json # the batches", 30) == [
        "  intd imports --format json \\",
        "      # the batches",
    ]


def test_fit_examples_breaks_only_example_lines_and_keeps_markup_escaped():
    text = (
        "A paragraph of prose that is much longer than twenty columns.\n\n"
        "[dim]Examples:[/]\n"
        "  intd import a.csv --map kolonner.toml\n"
        "  intd import \\[columns].toml --dry-run"
    )
    fitted = fit_examples(text, 26)
    assert fitted is not None
    assert fitted.splitlines() == [
        "A paragraph of prose that is much longer than twenty columns.",
        "",
        "[dim]Examples:[/]",
        "  intd import a.csv \\",
        "      --map kolonner.toml",
        "  intd import \\",
        "      \\[columns].toml \\",
        "      --dry-run",
    ]
    assert fit_examples(None, 40) is None


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
@pytest.mark.parametrize("columns", [40, 60])
@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_a_shell_reads_each_shown_example_as_the_source_command(path, command, columns, tmp_path):
    """Paste what the help shows into sh: the same words as the source's example (an
    example that redirects its output, `> file`, writes the words to that file)."""
    text = help_of(path, columns)
    lines = text.splitlines()
    shown: list[str] = []
    for number, line in enumerate(lines):
        starts = line.lstrip().startswith("intd ")
        if starts and not (number and lines[number - 1].rstrip().endswith(" \\")):
            block = [line]
            while block[-1].rstrip().endswith(" \\"):
                block.append(lines[number + len(block)])
            shown.append("\n".join(part.rstrip() for part in block))
    sources = source_examples(command)
    assert len(shown) >= len(sources)
    for example in sources:
        pasted = next(s for s in shown if CONTINUED.sub(" ", s).strip() == example)
        script = "printf '%s\\0' " + pasted.strip().removeprefix("intd ")
        run = subprocess.run(["sh", "-c", script], capture_output=True, check=True, cwd=tmp_path)
        words = shlex.split(example)[1:]
        argv = run.stdout
        if ">" in words:  # the shell sends the words to the file named after `>`
            at = words.index(">")
            argv, words = (tmp_path / words[at + 1]).read_bytes(), words[:at]
        assert argv.decode().split("\0")[:-1] == words, pasted


@pytest.mark.parametrize("columns", WIDTHS)
def test_a_command_added_later_gets_the_same_breaks_in_both_layouts(columns):
    """Typer's own tables (80 columns and up) draw the help too: an example longer than
    any of intd's today breaks there the same way."""
    import typer
    from typer.testing import CliRunner

    from intdrammen.cli.app import IntdGroup

    example = (
        "intd fetch --from 2016 --to 2024 --region Drammensregionen --format csv "
        '--out "figures 2016-2024.csv" --no-suppress --lang nb'
    )
    extra = typer.Typer(cls=IntdGroup, rich_markup_mode="rich", add_completion=False)
    extra.callback()(lambda: None)  # a group, as intd is, not a lone command

    def fetch() -> None:  # pragma: no cover - only its help is shown
        pass

    fetch.__doc__ = f"Fetch figures.\n\n[dim]Examples:[/]\n  {example}\n  intd fetch\n"
    extra.command()(fetch)
    result = CliRunner().invoke(extra, ["fetch", "--help"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert example in {line.strip() for line in CONTINUED.sub(" ", text).splitlines()}
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("intd fetch --"))
    assert lines[at].rstrip().endswith(" \\")  # 123 columns: broken at every width here
    assert indent(lines[at + 1]) == indent(lines[at]) + 4
    assert '"figures 2016-2024.csv"' in text
    assert all(len(line) <= columns for line in lines)
