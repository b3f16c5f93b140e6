"""Issue 17: the language-training requirement, judged by metrics.language_requirement
under the rules of data/requirements.toml, by hand across the period boundaries
(31 Dec 2011 / 1 Jan 2012, 31 Dec 2020 / 1 Jan 2021, 31 Dec 2021 / 1 Jan 2022)."""

from __future__ import annotations

from datetime import date

import pytest

from intdrammen.config import load_requirements
from intdrammen.errors import ConfigError
from intdrammen.metrics import language_requirement
from intdrammen.models import LanguageVerdict

MET, NOT_MET, UNKNOWN = LanguageVerdict.MET, LanguageVerdict.NOT_MET, LanguageVerdict.CANNOT_JUDGE


def judge(rules, permit, no=None, ss=None, level=None, settled=None):
    return language_requirement(
        rules,
        permit_date=permit,
        settled_date=settled,
        norwegian_hours=no,
        social_studies_hours=ss,
        norwegian_level=level,
    )


@pytest.fixture
def shipped():
    return load_requirements().rules


def test_the_shipped_rules_are_the_seed_facts(shipped):
    by_id = {r.id: r for r in shipped}
    assert list(by_id) == ["before-2012", "2012-2020", "2021", "from-2022"]
    assert by_id["before-2012"].hours_in_all == 300 and by_id["before-2012"].end == date(
        2011, 12, 31
    )
    assert (by_id["2012-2020"].norwegian_hours, by_id["2012-2020"].social_studies_hours) == (
        550,
        50,
    )
    assert by_id["2021"].social_studies_hours == 50 and by_id["2021"].level_required
    assert by_id["from-2022"].social_studies_hours == 75 and by_id["from-2022"].end is None


def test_across_31_december_2011_and_1_january_2012(shipped):
    # 260 h of Norwegian + 50 h social studies = 310 h in all: enough before 2012 only.
    before = judge(shipped, date(2011, 12, 31), no=260, ss=50)
    after = judge(shipped, date(2012, 1, 1), no=260, ss=50)
    assert (before.verdict, before.rule) == (MET, "before-2012")
    assert (after.verdict, after.rule, after.reasons) == (
        NOT_MET,
        "2012-2020",
        ("norwegian_hours",),
    )
    # 550 + 50 meets 2012-2020 exactly; 549 does not.
    assert judge(shipped, date(2012, 1, 1), no=550, ss=50).verdict is MET
    assert judge(shipped, date(2012, 1, 1), no=549, ss=50).verdict is NOT_MET
    # Before 2012 300 h of Norwegian alone is enough, whatever the missing social studies;
    # 200 h with no social studies recorded cannot be judged (it is not taken as 0).
    assert judge(shipped, date(2011, 12, 31), no=300).verdict is MET
    unknown = judge(shipped, date(2011, 12, 31), no=200)
    assert (unknown.verdict, unknown.reasons) == (UNKNOWN, ("missing_hours",))


def test_across_31_december_2020_and_1_january_2021(shipped):
    # 600 h + 50 h and a B1: met in 2020 by hours; from 2021 the shipped rule asks for a
    # level it does not name, so it cannot be judged (never guessed).
    last = judge(shipped, date(2020, 12, 31), no=600, ss=50, level="B1")
    first = judge(shipped, date(2021, 1, 1), no=600, ss=50, level="B1")
    assert (last.verdict, last.rule) == (MET, "2012-2020")
    assert (first.verdict, first.rule, first.reasons) == (
        UNKNOWN,
        "2021",
        ("rule_without_level",),
    )
    # Too few social-studies hours is decisive even while the level is unknown.
    short = judge(shipped, date(2021, 1, 1), no=600, ss=40, level="B1")
    assert (short.verdict, short.reasons) == (NOT_MET, ("social_studies_hours",))


def test_across_1_january_2022_with_a_configured_level(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[rule]]\nid = "2021"\nminimum_level = "A2"\n\n'
        '[[rule]]\nid = "from-2022"\nminimum_level = "A2"\n',
        encoding="utf-8",
    )
    rules = load_requirements(mine).rules
    # 60 h of social studies and A2: enough for a 2021 permit (50 h), not for 2022 (75 h).
    assert judge(rules, date(2021, 12, 31), ss=60, level="A2").verdict is MET
    late = judge(rules, date(2022, 1, 1), ss=60, level="A2")
    assert (late.verdict, late.rule, late.reasons) == (
        NOT_MET,
        "from-2022",
        ("social_studies_hours",),
    )
    assert judge(rules, date(2022, 1, 1), ss=75, level="B1").verdict is MET
    below = judge(rules, date(2022, 1, 1), ss=75, level="A1")
    assert (below.verdict, below.reasons) == (NOT_MET, ("level",))
    missing = judge(rules, date(2022, 1, 1), ss=75)
    assert (missing.verdict, missing.reasons) == (UNKNOWN, ("missing_level",))


def test_the_settlement_date_stands_in_for_a_missing_permit_date_and_says_so(shipped):
    by_settlement = judge(shipped, None, no=260, ss=50, settled=date(2011, 12, 31))
    assert (by_settlement.verdict, by_settlement.basis) == (MET, "settled")
    by_permit = judge(shipped, date(2012, 1, 1), no=260, ss=50, settled=date(2011, 12, 31))
    assert (by_permit.verdict, by_permit.basis) == (NOT_MET, "permit")
    neither = judge(shipped, None, no=600, ss=80)
    assert (neither.verdict, neither.reasons, neither.rule) == (UNKNOWN, ("no_date",), None)


def test_a_users_file_replaces_disables_and_is_checked(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text('[[rule]]\nid = "before-2012"\ndisabled = true\n', encoding="utf-8")
    rules = load_requirements(mine).rules
    assert judge(rules, date(2011, 12, 31), no=300, ss=50).reasons == ("no_rule",)
    for text, words in (
        ('[[rule]]\nid = "x"\nfrom = 2015-01-01\nhours_in_all = 1\n', "overlap"),
        ('[[rule]]\nid = "2021"\nminimum_level = "D1"\n', "minimum_level"),
        ('[[rule]]\nid = "2021"\nsocial_studies_hours = -1\n', "social_studies_hours"),
        ("[[rule]]\nfrom = 2030-01-01\n", "needs an id"),
    ):
        mine.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_requirements(mine)
        assert words in str(caught.value), text
