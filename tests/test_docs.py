"""The project explains itself: every problem code a user can meet is documented, and no
document points outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

from intdrammen.errors import HINTS

ROOT = Path(__file__).resolve().parents[1]


def test_every_problem_code_is_in_the_table_of_docs_importing() -> None:
    table = (ROOT / "docs" / "importing.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([EW]-[A-Z0-9-]+)` \|", table, re.M))
    assert set(HINTS) <= documented, sorted(set(HINTS) - documented)


def test_every_code_raised_in_the_importers_has_a_hint() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "src" / "intdrammen").rglob("*.py")
    )
    raised = set(re.findall(r'"([EW]-[A-Z][A-Z0-9-]+)"', source))
    # Codes of whole-command errors (exit 1 with one message) carry their own sentence.
    command_codes = {"E-INTD", "E-IMPORT", "E-CONFIG", "E-UNKNOWN", "E-NODATA", "E-BUSY"}
    command_codes |= {"E-UNDO", "E-STORAGE", "E-DEMO-KEEP", "E-USAGE"}  # E-USAGE: api.py
    assert raised - command_codes <= set(HINTS), sorted(raised - command_codes - set(HINTS))


def test_nothing_links_outside_the_repository() -> None:
    for path in [ROOT / "README.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").glob("*.md")]:
        assert "../shared" not in path.read_text(encoding="utf-8"), path.name
    for path in (ROOT / "src").rglob("*.py"):
        assert "../shared" not in path.read_text(encoding="utf-8"), path.name
