"""Office files as real spreadsheet programs write them (tests/fixtures/office/).

Every trap holds the base data set written awkwardly. The rule under test: each sheet,
row, column and cell is either read as a person sees it, or refused / passed over with a
message naming it. So an import of a trap either exits 1 and leaves nothing behind, or
exits 0 with exactly the figures and rows of the base data.
"""

from __future__ import annotations

import json
import sqlite3
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from intdrammen.cli import app

OFFICE = Path(__file__).parent / "fixtures" / "office"
TRAPS: list[dict[str, Any]] = tomllib.loads((OFFICE / "traps.toml").read_text("utf-8"))["trap"]
BASE = {
    "participants": OFFICE / "base_participants.csv",
    "placements": OFFICE / "base_placements.csv",
}
OTHER = {"participants": "placements", "placements": "participants"}
PROVENANCE_COLUMNS = {"batch_id", "sheet", "source_row"}


def run(db: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", str(db), *args], catch_exceptions=False)


def _strip(value: Any) -> Any:
    """A JSON value without what names files, rows or times (provenance, sources)."""
    if isinstance(value, dict):
        return {
            k: _strip(v)
            for k, v in value.items()
            if k not in {"provenance", "source", "data_as_of", "files"}
        }
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def figures(db: Path) -> dict[str, Any]:
    """Every figure intd gives on the base data, and the rows stored (less provenance)."""
    out: dict[str, Any] = {}
    commands = [
        ("report",),
        ("report", "--region", "Drammensregionen"),
        *(("progress", "--year", str(y)) for y in range(2016, 2022)),
        ("explain", "--goal", "id-2016-2020", "--year", "2019"),
        ("explain", "--goal", "intro-direct-55", "--year", "2019"),
    ]
    for command in commands:
        result = run(db, *command, "--format", "json")
        assert result.exit_code == 0, (command, result.output)
        out[" ".join(command)] = _strip(json.loads(result.stdout))
    with sqlite3.connect(db) as conn:
        for table in ("participants", "placements"):
            names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            keep = [n for n in names if n not in PROVENANCE_COLUMNS]
            rows = conn.execute(f"SELECT {', '.join(keep)} FROM {table} ORDER BY 1").fetchall()
            out[table] = [_unkeyed(dict(zip(keep, row, strict=True))) for row in rows]
    return out


def _unkeyed(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row with its keyed hash replaced by whether it is there: each test has
    its own key, so hashes differ between databases; which ids share one person is
    compared through the figures."""
    if row.get("person_key") is not None:
        row["person_key"] = "hashed"
    return row


@pytest.fixture(scope="module")
def base_figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("base") / "base.sqlite"
    result = run(db, "import", str(BASE["participants"]), str(BASE["placements"]))
    assert result.exit_code == 0, result.output
    return figures(db)


def _import_trap(db: Path, trap: dict[str, Any]) -> Any:
    other = BASE[OTHER[trap["kind"]]]
    return run(db, "import", str(other), str(OFFICE / trap["file"]), *trap.get("args", []))


@pytest.mark.parametrize("trap", TRAPS, ids=[t["file"] for t in TRAPS])
def test_trap_is_read_as_a_person_sees_it_or_refused(
    trap: dict[str, Any], tmp_path: Path, base_figures: dict[str, Any]
) -> None:
    db = tmp_path / "intd.sqlite"
    result = _import_trap(db, trap)
    output = result.output
    assert "Traceback" not in output
    if trap["expect"] == "refused":
        assert result.exit_code == 1, output
        assert not db.exists()
    else:
        assert result.exit_code == 0, output
        assert figures(db) == base_figures
    if "code" in trap:
        assert trap["code"] in output, output


def test_every_trap_file_is_there_and_listed_once() -> None:
    names = [t["file"] for t in TRAPS]
    assert len(names) == len(set(names))
    for trap in TRAPS:
        assert (OFFICE / trap["file"]).is_file(), trap["file"]
        assert trap["expect"] in {"same", "refused"}
        assert (OFFICE / trap["made_by"]).is_file(), trap["made_by"]
    listed = set(names) | {"traps.toml", "README.md"}
    for path in OFFICE.iterdir():
        if path.is_file() and not path.name.startswith("make_") and path.suffix != ".py":
            assert path.name in listed or path.name.endswith(".rejected.csv"), path.name


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(TRAPS), min_size=1, max_size=3))
def test_traps_on_a_full_database_change_nothing_or_are_rejected_untouched(
    tmp_path_factory: pytest.TempPathFactory, sequence: list[dict[str, Any]]
) -> None:
    """On a database holding the base data, importing any traps one after another either
    is rejected with the file byte for byte as it was, or leaves every figure as it is:
    a trap holds exactly the base data as a person sees it."""
    db = tmp_path_factory.mktemp("full") / "intd.sqlite"
    assert run(db, "import", str(BASE["participants"]), str(BASE["placements"])).exit_code == 0
    expected = figures(db)
    for trap in sequence:
        before = db.read_bytes()
        result = run(db, "import", str(OFFICE / trap["file"]), *trap.get("args", []))
        assert "Traceback" not in result.output
        if result.exit_code == 1:
            assert db.read_bytes() == before, trap["file"]
        else:
            assert result.exit_code == 0, result.output
            assert figures(db) == expected, trap["file"]
