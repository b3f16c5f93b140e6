"""How `--help` reads: paragraphs that reflow, examples kept as written, and a metavar
that says what to type (FILE..., YEAR, N) where Typer would show a Python type (`<str>`,
`<list[Path]>`) or `<bool>` after a flag. An example command too long for the terminal
breaks as a shell user writes one: between shell words, a trailing ` \\`, the rest
indented further (`fit_example`).

Applied once to the whole command tree when the root group is built (`IntdGroup`), so a
command added later reads the same without anyone remembering to.
"""

from __future__ import annotations

import copy
import inspect
import re
import shlex
from collections.abc import Iterator
from enum import Enum
from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

HELP_OPTION_NAMES = ["-h", "--help"]
STACKED_BELOW = 80  # columns
CONTINUATION = 4  # columns a continued example line is indented past its first line


def choices(values: type[Enum]) -> str:
    """An enum's values as a sentence: "nb, en or sv", true whatever the enum holds."""
    names = [str(member.value) for member in values]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def reflow(text: str | None) -> str | None:
    """A docstring as help text whose prose reflows to any terminal width.

    Lines of a paragraph are joined with spaces (the source's line breaks are where the
    editor wrapped, not where the reader's terminal does). An indented line is an example
    or a list and stays a line of its own, as written. Paragraphs stay apart.
    """
    if not text:
        return text
    text = inspect.cleandoc(text).partition("\f")[0]
    paragraphs: list[str] = []
    for block in text.split("\n\n"):
        lines: list[str] = []
        for line in block.split("\n"):
            if lines and line and not line[0].isspace() and not lines[-1][0].isspace():
                lines[-1] = f"{lines[-1]} {line.strip()}"
            elif line.strip():
                lines.append(line.rstrip())
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _keep_indent(text: str | None, *, after_first: bool) -> str | None:
    """Typer dedents the text after the first paragraph (help) or all of it (epilog)
    once more, which would pull an example block right under its heading to the left
    margin; a leading blank line, which that dedent drops again, stops it."""
    if not text:
        return text
    if not after_first:
        return "\n" + text
    first, sep, rest = text.partition("\n\n")
    return f"{first}\n\n\n{rest}" if sep else first


def _metavar(param: TyperOption | TyperArgument) -> str:
    """What to type for a parameter that names none itself."""
    if isinstance(param, TyperOption) and (param.is_flag or param.count):
        return ""  # a flag takes no value: no placeholder after it
    descriptor = param.type_descriptor
    if descriptor.is_choice or isinstance(param, TyperArgument):
        word = (param.name or "value").upper().replace("_", "-")
    elif descriptor.is_path:
        word = "PATH"
    elif descriptor.annotation in (int, list[int]):
        word = "N"
    elif descriptor.annotation in (float, list[float]):
        word = "NUMBER"
    else:
        word = "TEXT"
    return word + ("..." if param.nargs != 1 else "")


class HelpArgument(TyperArgument):
    """An argument shown in the usage line as click and most tools show it: `FILE...`
    when required, `[FILE]...` when not (Typer's own `{FILE}...` reads as a choice)."""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        if not self.required:
            name = f"[{name.removesuffix('...')}]" + ("..." if name.endswith("...") else "")
        if self.nargs != 1 and not name.endswith("..."):
            name += "..."
        return name

    def _rich_display_name(self) -> str:
        return self.display_name_raw

    def display_type_rich(self, ctx: Any) -> str | None:
        return None  # the name column already says what to type


def stacked(console: Any) -> bool:
    """Whether `--help` on this console is drawn stacked rather than as Typer's tables:
    below 80 columns those squeeze names and metavars into "--allow-fnr-ch…"; stacked,
    every option has a line of its own with its help under it, and nothing is cut."""
    return bool(console.width < STACKED_BELOW)


class HelpCommand(TyperCommand):
    def format_help(self, ctx: Any, formatter: Any) -> None:
        from rich.console import Console

        console = Console(highlight=False)
        if stacked(console):
            print_stacked(self, ctx, console)
        else:
            super(HelpCommand, _examples_fitted(self, console)).format_help(ctx, formatter)


class HelpGroup(TyperGroup):
    def format_help(self, ctx: Any, formatter: Any) -> None:
        from rich.console import Console

        console = Console(highlight=False)
        if stacked(console):
            print_stacked(self, ctx, console)
        else:
            super(HelpGroup, _examples_fitted(self, console)).format_help(ctx, formatter)


def _examples_fitted(command: Any, console: Any) -> Any:
    """The command as Typer's tables should draw it at this width: a copy whose example
    lines are already broken (Typer pads its help and epilog by one column each side)."""
    from typer import rich_utils

    width = (rich_utils.MAX_WIDTH or console.width) - 2
    fitted = copy.copy(command)
    fitted.help = fit_examples(command.help, width)
    fitted.epilog = fit_examples(command.epilog, width)
    return fitted


def _markup(text: str) -> Any:
    from rich.text import Text

    return Text.from_markup(" ".join(text.split()))


def _print_text(console: Any, text: str, indent: int) -> None:
    """Reflowed help: a paragraph wraps at the margin, a list line under its own indent,
    an example command as `fit_example` breaks it (and a word too long for any line runs
    past the margin rather than being cut in two)."""
    from rich.padding import Padding
    from rich.text import Text

    blank = False
    width = console.width - 1 - indent  # the right margin is one column
    for line, example in _fitted_lines(inspect.cleandoc(text), width):
        if not line.strip():
            blank = True
            continue
        if blank:
            console.print()
            blank = False
        if example:
            console.print(Text.from_markup(" " * indent + line), soft_wrap=True)
            continue
        depth = len(line) - len(line.lstrip())
        console.print(Padding(Text.from_markup(line.strip()), (0, 1, 0, indent + depth)))


_EXAMPLES_HEADING = re.compile(r"examples?:", re.IGNORECASE)


def _is_example(line: str, heading: str) -> bool:
    """An indented line that is a command: under an "Examples:" heading, or one that
    starts with the program's name."""
    if not line[:1].isspace():
        return False
    return bool(_EXAMPLES_HEADING.fullmatch(heading)) or line.split()[0] == "intd"


def _fitted_lines(text: str, width: int) -> Iterator[tuple[str, bool]]:
    """Every line of help markup, an example command broken to `width` columns (its
    indent included), each with whether it belongs to an example."""
    from rich.cells import cell_len
    from rich.markup import escape
    from rich.text import Text

    heading = ""
    for line in text.split("\n"):
        if not line.strip():
            yield line, False
            continue
        plain = Text.from_markup(line).plain
        if not line[:1].isspace():
            heading = plain.strip()
        if not _is_example(plain, heading):
            yield line, False
            continue
        if cell_len(plain.rstrip()) <= width:
            yield line.rstrip(), True
            continue
        if shell_words(plain.strip()) is None:
            yield line, False  # not a command a shell reads: wrapped like a list line
            continue
        pieces = fit_example(plain, width)
        for number, piece in enumerate(pieces):
            if number < len(pieces) - 1:
                # a trailing backslash is not markup; escape() would double it
                yield escape(piece.removesuffix(" \\")) + " \\", True
            else:
                yield escape(piece), True


def fit_examples(text: str | None, width: int) -> str | None:
    """Help markup with every example command that is longer than `width` broken the way
    `fit_example` breaks it; prose and list lines are left for the renderer to wrap."""
    if not text:
        return text
    return "\n".join(line for line, _ in _fitted_lines(text, width))


def shell_words(command: str) -> list[str] | None:
    """The words of a command line as written (quotes kept), split only where a shell
    splits it: never inside "a quoted argument" or at an escaped space. None when the
    shell could not read it (an unclosed quote)."""
    try:
        whole = shlex.split(command)
    except ValueError:
        return None
    words: list[str] = []
    start = 0
    for gap in re.finditer(r"\s+", command):
        try:
            ends_here = shlex.split(command[: gap.start()]) + shlex.split(command[gap.end() :])
        except ValueError:
            continue  # this space is inside quotes or escaped
        if ends_here == whole and command[start : gap.start()]:
            words.append(command[start : gap.start()])
            start = gap.end()
    if command[start:]:
        words.append(command[start:])
    return words


def fit_example(line: str, width: int) -> list[str]:
    """An example command as lines of at most `width` columns that a shell reads as one
    command: broken between shell words, every line but the last ending in ` \\`, the
    continuation lines indented `CONTINUATION` columns past the first. An option stays on
    the line of the value after it when they fit together. A single word longer than a
    line gets a line of its own and runs past the width (cut, it would not paste), and so
    does a trailing `# comment` (a backslash in it would not continue the command)."""
    from rich.cells import cell_len

    depth = len(line) - len(line.lstrip())
    words = shell_words(line.strip())
    if words is None or depth + cell_len(line.strip()) <= width:
        return [line.rstrip()]
    comment = next((i for i, word in enumerate(words) if word.startswith("#")), len(words))
    words = words[:comment] + ([" ".join(words[comment:])] if words[comment:] else [])
    units: list[list[str]] = []
    for word in words:
        option = units and units[-1][0].startswith("-") and len(units[-1]) == 1
        if option and not word.startswith("-"):
            units[-1].append(word)  # --out FILE: kept together where they fit
            continue
        units.append([word])
    lines: list[str] = []
    current = " " * depth
    more = " " * (depth + CONTINUATION)

    def fits(start: str, piece: str, last: bool) -> bool:
        gap = 1 if start.strip() else 0
        return cell_len(start) + gap + cell_len(piece) + (0 if last else 2) <= width

    def put(piece: str) -> None:
        nonlocal current
        current = f"{current} {piece}" if current.strip() else current + piece

    def new_line() -> None:
        nonlocal current
        lines.append(current + " \\")
        current = more

    for number, unit in enumerate(units):
        last = number == len(units) - 1
        joined = " ".join(unit)
        if fits(current, joined, last):
            put(joined)
            continue
        if current.strip() and fits(more, joined, last):
            new_line()
            put(joined)
            continue
        for index, word in enumerate(unit):
            if current.strip() and not fits(current, word, last and index == len(unit) - 1):
                new_line()
            put(word)
    lines.append(current)
    return lines


def _extras(param: Any, ctx: Any) -> str:
    """[default: ...], [required] and the allowed range, as Typer's tables show them."""
    parts: list[str] = []
    if isinstance(param, TyperOption | TyperArgument):
        default_value = param._extract_default_help_str(ctx=ctx)
        is_str = isinstance(param.show_default, str)
        if is_str or (default_value is not None and (param.show_default or ctx.show_default)):
            shown = param._get_default_string(
                ctx=ctx, show_default_is_str=is_str, default_value=default_value
            )
            if shown:
                parts.append(f"[default: {shown}]")
        range_text = param._get_number_range_help_str()
        if range_text:
            parts.append(f"[{range_text}]")
    if param.required:
        parts.append("[required]")
    return " ".join(parts)


def print_stacked(command: Any, ctx: Any, console: Any) -> None:
    from rich.padding import Padding
    from rich.text import Text

    console.print()
    console.print(Padding(Text(ctx.get_usage()), (0, 1)))
    if command.help:
        console.print()
        _print_text(console, command.help, 1)
    params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
    for title, kind in (("Arguments", TyperArgument), ("Options", TyperOption)):
        shown = [p for p in params if isinstance(p, kind)]
        if not shown:
            continue
        console.print()
        console.print(Text(f" {title}:", style="bold"))
        for param in shown:
            if isinstance(param, TyperArgument):
                name = param.display_name_raw
            else:
                name = ", ".join(sorted(param.opts, key=len))
                if param.metavar:
                    name += f" {param.metavar}"
                if param.secondary_opts:
                    name += " / " + ", ".join(param.secondary_opts)
            console.print(Padding(Text(name, style="bold"), (0, 1, 0, 3)))
            body = _markup(param.help or "")
            extras = _extras(param, ctx)
            if extras:
                body.append((" " if body.plain else "") + extras, style="dim")
            if body.plain:
                console.print(Padding(body, (0, 1, 0, 7)))
    if isinstance(command, TyperGroup):
        console.print()
        console.print(Text(" Commands:", style="bold"))
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            console.print(Padding(Text(name, style="bold"), (0, 1, 0, 3)))
            summary = (sub.help or "").split("\n\n", 1)[0]
            console.print(Padding(_markup(summary), (0, 1, 0, 7)))
    if command.epilog:
        console.print()
        _print_text(console, command.epilog, 1)
    console.print()


def tidy(command: Any) -> None:
    """Reflow the help and name the metavars of a command and everything under it."""
    command.help = _keep_indent(reflow(command.help), after_first=True)
    command.epilog = _keep_indent(reflow(command.epilog), after_first=False)
    params = list(command.params)
    if getattr(command, "add_help_option", False):
        import typer

        help_option = command.get_help_option(
            typer.Context(command, help_option_names=HELP_OPTION_NAMES)
        )
        if help_option is not None:
            params.append(help_option)
    for param in params:
        if isinstance(param, TyperArgument) and type(param) is TyperArgument:
            param.__class__ = HelpArgument
        if isinstance(param, TyperOption | TyperArgument):
            if param.metavar is None:
                param.metavar = _metavar(param)
            if isinstance(param, TyperOption) and param.help:
                param.help = reflow(param.help)
    if type(command) is TyperCommand:
        command.__class__ = HelpCommand
    elif type(command) is TyperGroup:
        command.__class__ = HelpGroup
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            tidy(sub)


__all__ = [
    "HELP_OPTION_NAMES",
    "choices",
    "fit_example",
    "fit_examples",
    "reflow",
    "shell_words",
    "tidy",
]
