"""One translation table per language: `render/lang/<code>.py` holds `TABLE`, a dict from
every label and template key to its text. English (`en`) is the reference; `Fmt` looks a
key up in its language's table and falls back to English. A new language is one new
module here with the same keys, and its code in `LANGUAGES`.

Templates are `str.format` strings over typed fields ({year}, {old}, {dates}, ...); no
text is ever parsed back.
"""

from __future__ import annotations

from importlib import import_module

LANGUAGES = ("en", "nb")


def table(lang: str) -> dict[str, str]:
    """The table of `lang` (its module's TABLE); English for a language intd lacks."""
    name = lang if lang in LANGUAGES else "en"
    found: dict[str, str] = import_module(f"intdrammen.render.lang.{name}").TABLE
    return found
