"""The language-training requirement counted two ways gives one answer: the store's
groups judged once each (`language_counts` + `judge_counts`, what `progress` and
`report` without `--by` use) and every cohort member judged on their own
(`language_cohorts`, what `--by` and `explain --language` use), on random data sets near
the rules' boundaries, with the shipped rules and with rules naming a level, for the
whole project and for a region, on both backends."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PARTICIPANT_HEADER, participant_row, write_csv
from intdrammen.config import db_target, load_goals, load_requirements
from intdrammen.municipalities import MunicipalityHistory, load_regions
from intdrammen.reports import Context, resolve_scope
from intdrammen.reports.language import (
    count_language,
    judge_counts,
    language_cohorts,
    row_of,
    row_of_groups,
    without_level,
    without_level_groups,
)
from intdrammen.store import open_store

pytestmark = pytest.mark.both_backends

HEADER = [
    *PARTICIPANT_HEADER,
    "Timer norsk",
    "Timer samfunnskunnskap",
    "Oppholdstillatelse",
    "Norsknivå",
]
# Days on and beside the rules' boundaries, and one far from them.
DAYS = [
    date(2011, 12, 31),
    date(2012, 1, 1),
    date(2020, 12, 31),
    date(2021, 1, 1),
    date(2021, 12, 31),
    date(2022, 1, 1),
    date(2015, 6, 15),
]
HOURS = ["", "0", "49.5", "50", "250", "300", "549", "550", "600"]
LEVELS = ["", "A1", "A2", "B1", "B2"]

person = st.tuples(
    st.sampled_from(["3301", "0301", "3005"]),  # Drammen, Oslo, Drammen before 2020
    st.sampled_from([date(2018, 3, 1), date(2019, 6, 30), date(2019, 12, 31)]),
    st.sampled_from(["fullført", "avbrutt", "flyttet", ""]),
    st.one_of(st.none(), st.sampled_from(DAYS)),  # permit
    st.one_of(st.none(), st.sampled_from(DAYS)),  # settled
    st.sampled_from(HOURS),
    st.sampled_from(HOURS),
    st.sampled_from(LEVELS),
)


def iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=st.lists(person, min_size=1, max_size=25), level=st.booleans())
def test_the_groups_count_what_the_members_count(tmp_path, db, cli, people, level):
    # One database for every example: each import replaces the participants with its own.
    folder = tmp_path
    rows = []
    for i, (code, end, reason, permit, settled, norwegian, social, lvl) in enumerate(people):
        row = participant_row(f"L{i:02d}", code, end=iso(end))
        row[6], row[9] = iso(settled), reason
        rows.append([*row, norwegian, social, iso(permit), lvl])
    result = cli("import", "--replace", str(write_csv(folder / "p.csv", HEADER, rows)))
    assert result.exit_code == 0, result.output
    mine = None
    if level:
        mine = folder / "mine.toml"
        mine.write_text(
            '[[rule]]\nid = "2021"\nminimum_level = "A2"\n\n'
            '[[rule]]\nid = "from-2022"\nminimum_level = "B1"\n',
            encoding="utf-8",
        )
    store = open_store(db_target(str(db)))
    try:
        ctx = Context(
            store,
            load_goals(),
            load_regions(),
            MunicipalityHistory.load(),
            requirements=load_requirements(mine),
        )
        rules = ctx.requirements.rules
        for name in (None, "Drammen"):
            region = resolve_scope(ctx, name).region
            members = language_cohorts(ctx, 2018, 2019, region)
            groups = judge_counts(
                count_language(ctx, date(2018, 1, 1), date(2019, 12, 31), region), rules
            )
            for year in (2018, 2019):
                each, grouped = members.get(year, ()), groups.get(year, ())
                assert row_of("total", each) == row_of_groups("total", grouped), (name, year)
                assert without_level(each, rules) == without_level_groups(grouped, rules)
                codes = {m.record.municipality for m in each}
                assert codes == {g.municipality for g in grouped}
    finally:
        store.close()


def test_the_store_groups_each_date_under_the_rule_metrics_picks(tmp_path, db, cli):
    """The rule a group is counted under is the first rule whose period holds the date,
    on every boundary day (a group mixing two rules' members would judge some of them
    by the other rule's day)."""
    days = [*DAYS, date(1999, 1, 1), date(2030, 1, 1)]
    rows = []
    for i, day in enumerate(days):
        row = participant_row(f"B{i:02d}", "3301", end="2019-06-30")
        rows.append([*row, "600", "50", iso(day), ""])
    rows.append([*participant_row("B99", "3301", end="2019-06-30"), "600", "50", "", ""])
    assert cli("import", str(write_csv(tmp_path / "p.csv", HEADER, rows))).exit_code == 0
    rules = load_requirements().rules
    expected: dict[int | None, int] = {}
    for day in days:
        index = next(i for i, r in enumerate(rules) if r.applies_on(day))
        expected[index] = expected.get(index, 0) + 1
    expected[None] = 1  # B99: no date at all
    store = open_store(db_target(str(db)))
    try:
        periods = [(r.start, r.end) for r in rules]
        counted = store.language_counts(date(2019, 1, 1), date(2019, 12, 31), periods)
    finally:
        store.close()
    assert {c.rule: c.members for c in counted} == expected
    assert len(expected) == len(rules) + 1  # every rule and no date: 4 + 1 groups
