"""A request's regions are resolved once, at the edge (reports.resolve_scope), and the
report builders take the resolved Scope: they never look a region name up again."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, write_csv
from intdrammen import municipalities
from intdrammen.reports import context as report_context

pytestmark = pytest.mark.both_backends


def load(tmp_path: Path, cli: Any) -> None:
    p = write_csv(
        tmp_path / "p.csv",
        PARTICIPANT_HEADER,
        [["D1", "", 1990, "K", "", "0625", "", "", "2019-06-01", "fullført", ""]],
    )
    pl = write_csv(
        tmp_path / "pl.csv",
        PLACEMENT_HEADER,
        [["P1", "D1", "jobb", "", "", "2019-07-01", "", "", ""]],
    )
    assert cli("import", str(p), str(pl)).exit_code == 0


@pytest.fixture
def resolved(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every region resolution, by the name asked for."""
    seen: Counter[str] = Counter()
    original = municipalities.resolve_region

    def counting(query: str, *args: Any) -> municipalities.Region:
        seen[query] += 1
        return original(query, *args)

    monkeypatch.setattr(report_context, "resolve_region", counting)
    return seen


def test_a_shared_report_resolves_each_region_once(tmp_path, cli, resolved):
    load(tmp_path, cli)
    out = tmp_path / "r.html"
    assert cli("report", "--region", "Drammensregionen", "--out", str(out)).exit_code == 0
    # The region asked for, then each goal's own (goals.toml: Drammensregionen, Drammen).
    assert resolved == Counter({"Drammensregionen": 2, "Drammen": 1})


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("report",), {}),
        (("report", "--region", "Lier"), {"Lier": 1}),
        (("explain", "--goal", "intro-direct-55", "--year", "2019"), {}),
        (("explain", "--goal", "id-2016-2020", "--year", "2019"), {"Drammensregionen": 1}),
        (
            ("progress", "--year", "2019", "--by", "municipality"),
            {"Drammensregionen": 1, "Drammen": 1},
        ),
    ],
)
def test_a_command_resolves_only_the_regions_it_uses(tmp_path, cli, resolved, args, names):
    load(tmp_path, cli)
    assert cli(*args).exit_code == 0
    assert resolved == Counter(names)


def test_a_goal_region_that_cannot_be_resolved_fails_only_where_the_goal_counts(tmp_path, cli):
    load(tmp_path, cli)
    mine = tmp_path / "goals.toml"
    mine.write_text(
        '[[goal]]\nid = "id-2016-2020"\ntitle = "x"\nkind = "persons_into_work"\n'
        'start = 2016-02-09\nend = 2020-12-31\ntarget = 10\nregion = "Atlantis"\n',
        encoding="utf-8",
    )
    assert cli("--goals", str(mine), "report").exit_code == 0
    assert cli("--goals", str(mine), "progress", "--year", "2022").exit_code == 0
    failed = cli("--goals", str(mine), "progress", "--year", "2019")
    assert failed.exit_code == 1
    assert "No region, municipality or county called 'Atlantis'" in failed.output
