"""How `--help` reads: paragraphs that reflow, examples kept as written, and a metavar
that says what to type (FILE..., YEAR, N) where Typer would show a Python type (`<str>`,
`<list[Path]>`) or `<bool>` after a flag.

Applied once to the whole command tree when the root group is built (`IntdGroup`), so a
command added later reads the same without anyone remembering to.
"""

from __future__ import annotations

import inspect
from enum import Enum
from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

HELP_OPTION_NAMES = ["-h", "--help"]
STACKED_BELOW = 80  # columns


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
            super().format_help(ctx, formatter)


class HelpGroup(TyperGroup):
    def format_help(self, ctx: Any, formatter: Any) -> None:
        from rich.console import Console

        console = Console(highlight=False)
        if stacked(console):
            print_stacked(self, ctx, console)
        else:
            super().format_help(ctx, formatter)


def _markup(text: str) -> Any:
    from rich.text import Text

    return Text.from_markup(" ".join(text.split()))


def _print_text(console: Any, text: str, indent: int) -> None:
    """Reflowed help: a paragraph wraps at the margin, an example line wraps under its own
    indent (every line of `reflow`'s output is one or the other)."""
    from rich.padding import Padding
    from rich.text import Text

    blank = False
    for line in inspect.cleandoc(text).split("\n"):
        if not line.strip():
            blank = True
            continue
        if blank:
            console.print()
            blank = False
        depth = len(line) - len(line.lstrip())
        console.print(Padding(Text.from_markup(line.strip()), (0, 1, 0, indent + depth)))


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


__all__ = ["HELP_OPTION_NAMES", "choices", "reflow", "tidy"]
