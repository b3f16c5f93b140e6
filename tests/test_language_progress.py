"""Issue 17 part 2: the language-training requirement in `intd progress`, `report` and
`explain --language`, on both backends.

Every expected number is worked out by hand below from definitions.md ("The
language-training requirement") and the shipped data/requirements.toml, never from the
code. The cohort of 2019 (programme ended in 2019, completed or interrupted):

    id   gender permit      settled     Norw. soc.  level  shipped rules            level A2
    L01  K      31.12.2011              260   50           before-2012 met (310)    met
    L02  K      01.01.2012              260   50           2012-2020 not met (Norw) not met
    L03  K      31.12.2020              550   50           2012-2020 met            met
    L04  K      01.01.2021              600   50    B1     2021 cannot (no level)   met
    L05  K      01.01.2022                    80    A1     from-2022 cannot         not met (level)
    L06  K                  31.12.2011  300                before-2012 met, settled met, settled
    L07  M      15.06.2015              600                2012-2020 cannot (soc.)  cannot
    L08  M      01.01.2022                    60    B2     from-2022 not met (soc.) not met
    L09  M                                                 cannot (no date)         cannot
    L12  M      15.06.2015              600   50           2012-2020 met (Oslo)     met
    L13  M      01.01.2021                    40    B1     2021 not met (soc.)      not met
    L14  M                  01.01.2021        50    A2     2021 cannot, settled     met, settled

    not in it: L10 moved (flyttet), L11 ended in 2018 (its 2018 cohort: met, 2016 permit)

Shipped rules, whole project: met 4 (L01 L03 L06 L12), not met 3 (L02 L08 L13), cannot
be judged 5 (L04 L05 L07 L09 L14) = 12; by the settlement date 2 (L06 L14; L09 has no
date at all); rules asking for a level none names: 2021, from-2022.
With minimum_level A2 for both: met 6, not met 4, cannot be judged 2.
--region Drammen leaves out L12 (Oslo): 3 / 3 / 5 = 11.
By gender, shipped: female met 3 not met 1 cannot 2 (settled 1), male 1 / 2 / 3 (settled 1).
"""

from __future__ import annotations

import io
import json
from csv import DictReader
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PARTICIPANT_HEADER, participant_row, write_csv

pytestmark = pytest.mark.both_backends

LANGUAGE_HEADER = [
    *PARTICIPANT_HEADER,
    "Timer norsk",
    "Timer samfunnskunnskap",
    "Oppholdstillatelse",
    "Norsknivå",
]
COHORT = "2019-06-30"
# id, gender, municipality, end, reason, permit, settled, Norwegian, social studies, level
PEOPLE = [
    ("L01", "K", "3301", COHORT, "fullført", "31.12.2011", "", "260", "50", ""),
    ("L02", "K", "3301", COHORT, "fullført", "01.01.2012", "", "260", "50", ""),
    ("L03", "K", "3301", COHORT, "avbrutt", "31.12.2020", "", "550", "50", ""),
    ("L04", "K", "3301", COHORT, "fullført", "01.01.2021", "", "600", "50", "B1"),
    ("L05", "K", "3301", COHORT, "fullført", "01.01.2022", "", "", "80", "A1"),
    ("L06", "K", "3301", COHORT, "fullført", "", "31.12.2011", "300", "", ""),
    ("L07", "M", "3301", COHORT, "fullført", "15.06.2015", "", "600", "", ""),
    ("L08", "M", "3301", COHORT, "fullført", "01.01.2022", "", "", "60", "B2"),
    ("L09", "M", "3301", COHORT, "fullført", "", "", "", "", ""),
    ("L10", "M", "3301", COHORT, "flyttet", "15.06.2015", "", "600", "50", ""),
    ("L11", "M", "3301", "2018-06-30", "fullført", "15.06.2016", "", "600", "50", ""),
    ("L12", "M", "0301", COHORT, "fullført", "15.06.2015", "", "600", "50", ""),
    ("L13", "M", "3301", COHORT, "fullført", "01.01.2021", "", "", "40", "B1"),
    ("L14", "M", "3301", COHORT, "fullført", "", "01.01.2021", "", "50", "A2"),
]
MINE = (
    '[[rule]]\nid = "2021"\nminimum_level = "A2"\n\n'
    '[[rule]]\nid = "from-2022"\nminimum_level = "A2"\n'
)


def rows() -> list[list[object]]:
    out = []
    for pid, gender, code, end, reason, permit, settled, norwegian, social, level in PEOPLE:
        row = participant_row(pid, code, gender=gender, end=end)
        row[6], row[9] = settled, reason  # settled_date, intro_end_reason
        out.append([*row, norwegian, social, permit, level])
    return out


@pytest.fixture
def imported(tmp_path, cli):
    result = cli("import", str(write_csv(tmp_path / "deltakere.csv", LANGUAGE_HEADER, rows())))
    assert result.exit_code == 0, result.output
    return tmp_path


def counts(found: dict) -> tuple:
    return tuple(found[k] for k in ("cohort", "met", "not_met", "cannot_judge", "by_settlement"))


def test_progress_counts_the_cohort_against_the_rule_that_applied(imported, cli_json):
    data = cli_json("progress", "--year", "2019")
    language = data["language"]
    assert language["cohort_year"] == 2019
    assert counts(language) == (12, 4, 3, 5, 2)
    assert language["rules_without_level"] == ["2021", "from-2022"]
    assert language["suppressed"] == [] and language["breakdown"] is None
    # The same cohort as the 55 % figure: 12 ended (L10 moved, L11 is 2018's).
    assert {i["id"]: i["ended"] for i in data["intro"]}["intro-direct-55"] == 12
    assert data["provenance"]["requirements_version"].startswith("2026.1+")
    # The cohort of 2018 is L11 alone, met by 600 + 50 hours.
    assert counts(cli_json("progress", "--year", "2018")["language"]) == (1, 1, 0, 0, 0)


def test_a_requirements_file_naming_the_level_turns_cannot_judge_into_verdicts(
    imported, cli, cli_json
):
    mine = imported / "mine.toml"
    mine.write_text(MINE, encoding="utf-8")
    result = cli("--requirements", str(mine), "progress", "--year", "2019", "--format", "json")
    assert result.exit_code == 0, result.output
    language = json.loads(result.stdout)["language"]
    assert counts(language) == (12, 6, 4, 2, 2)
    assert language["rules_without_level"] == []
    shipped = cli_json("progress", "--year", "2019")["provenance"]["requirements_version"]
    assert json.loads(result.stdout)["provenance"]["requirements_version"] != shipped


def test_the_requirements_file_comes_from_the_environment_too(imported, cli, monkeypatch):
    mine = imported / "mine.toml"
    mine.write_text(MINE, encoding="utf-8")
    monkeypatch.setenv("INTD_REQUIREMENTS", str(mine))
    result = cli("progress", "--year", "2019", "--format", "json")
    assert counts(json.loads(result.stdout)["language"]) == (12, 6, 4, 2, 2)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[[rule]]\nid = "2021"\nminimun_level = "A2"\n', "unknown key 'minimun_level'"),
        ('[[rule]]\nid = "2021"\nminimum_level = "B3"\n', "minimum_level must be one of"),
        ("rule = 5\n", "[[rule]] table"),
        ("[[rule]\n", "not valid TOML"),
        ('[[rule]]\nid = "x"\nfrom = 2019-01-01\nhours_in_all = 10\n', "overlap"),
    ],
)
def test_a_bad_requirements_file_is_e_config_not_a_traceback(imported, cli, text, words):
    mine = imported / "mine.toml"
    mine.write_text(text, encoding="utf-8")
    # catch_exceptions=False (conftest): a traceback would fail the test itself.
    result = cli("--requirements", str(mine), "progress", "--year", "2019")
    assert result.exit_code == 1
    assert words in result.stderr and "Traceback" not in result.output
    missing = cli("--requirements", str(imported / "none.toml"), "report")
    assert missing.exit_code == 1 and "Cannot read" in missing.stderr


def test_the_region_asked_for_counts_only_its_people(imported, cli_json):
    language = cli_json("progress", "--year", "2019", "--region", "Drammen")["language"]
    assert counts(language) == (11, 3, 3, 5, 2)


def test_by_gender_splits_the_counts_and_adds_up(imported, cli_json):
    language = cli_json("progress", "--year", "2019", "--by", "gender")["language"]
    split = language["breakdown"]
    assert split["by"] == "gender"
    assert {r["name"]: counts(r) for r in split["rows"]} == {
        "female": (6, 3, 1, 2, 1),
        "male": (6, 1, 2, 3, 1),
    }
    assert counts(split["total"]) == counts(language) == (12, 4, 3, 5, 2)


def test_small_counts_are_hidden_as_for_every_cohort_figure(imported, cli_json):
    # Without --by: 4 / 3 / 5 are shown (none below 3, the cohort of 12 is published),
    # by the settlement date 2 is not.
    alone = cli_json("progress", "--year", "2019", "--suppress", "3")["language"]
    assert counts(alone) == (12, 4, 3, 5, None)
    assert alone["suppressed"] == ["by_settlement"]
    # By gender (female 3/1/2, male 1/2/3, each group's 6 published beside it): the 1s
    # and 2s are hidden; then each group has a 3 left that its group's 6 less the hidden
    # two does not give back (6 - 3 = 3 over two hidden cells), but in the met column
    # female's 3 is what the total 4 less male's hidden 1 would leave, and in the cannot
    # column male's 3 is 5 less female's 2: both are hidden too. The totals stay.
    split = cli_json("progress", "--year", "2019", "--by", "gender", "--suppress", "3")
    language = split["language"]
    assert [counts(r) for r in language["breakdown"]["rows"]] == [(None,) * 5, (None,) * 5]
    assert counts(language["breakdown"]["total"]) == counts(language) == (12, 4, 3, 5, None)


def test_progress_in_every_readable_format_and_language(imported, cli):
    text = cli("progress", "--year", "2019", "--lang", "en").stdout
    assert "Language-training requirement, cohort 2019" in text
    assert "2 of the cohort have no first permit date recorded" in text
    assert "Rules 2021, from-2022 ask for a minimum level of Norwegian" in text
    nb = cli("progress", "--year", "2019", "--lang", "nb", "--format", "markdown").stdout
    assert "## Krav om opplæring i norsk og samfunnskunnskap, kull 2019" in nb
    assert "| hele prosjektet | 12 | 4 | 3 | 5 | 2 |" in nb
    assert "valgt etter bosettingsdatoen" in nb
    hidden = cli("progress", "--year", "2019", "--suppress", "3", "--lang", "en").stdout
    assert "Some of the cohort have no first permit date recorded (too few to show)" in hidden
    csv = cli("progress", "--year", "2019", "--by", "gender", "--format", "csv").stdout
    assert csv.splitlines()[0].endswith(
        ",suppressed,language_cohort,language_met,language_not_met,language_cannot_judge,"
        "language_by_settlement"
    )
    language = [r for r in DictReader(io.StringIO(csv)) if r["id"] == "language"]
    assert [(r["section"], r["name"]) for r in language] == [
        ("language", ""),
        ("by_gender", "female"),
        ("by_gender", "male"),
        ("by_gender", "total"),
    ]
    assert [
        [r[k] for k in ("cohort_year", "language_cohort", "language_met", "language_not_met")]
        + [r["language_cannot_judge"], r["language_by_settlement"]]
        for r in language
    ] == [
        ["2019", "12", "4", "3", "5", "2"],
        ["2019", "6", "3", "1", "2", "1"],
        ["2019", "6", "1", "2", "3", "1"],
        ["2019", "12", "4", "3", "5", "2"],
    ]


def test_explain_lists_who_and_why_by_participant_id_only(imported, cli_json):
    data = cli_json("explain", "--language", "--year", "2019")
    people = {p["participant_id"]: p for p in data["people"]}
    assert sorted(people) == [f"L{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14)]
    assert counts(data) == (12, 4, 3, 5, 2)
    # Met first, then not met, then cannot be judged, each by id.
    assert [p["participant_id"] for p in data["people"]][:4] == ["L01", "L03", "L06", "L12"]
    assert people["L06"] == {
        "participant_id": "L06",
        "verdict": "met",
        "rule": "before-2012",
        "reasons": [],
        "basis": "settled",
        "date": "2011-12-31",
        "by_settlement": True,
        "ended": "2019-06-30",
        "source": "deltakere.csv:7",
    }
    assert (people["L02"]["verdict"], people["L02"]["reasons"]) == ("not_met", ["norwegian_hours"])
    assert (people["L07"]["reasons"], people["L07"]["basis"]) == (
        ["missing_social_studies_hours"],
        "permit",
    )
    assert people["L04"]["reasons"] == ["rule_without_level"]
    assert (people["L08"]["verdict"], people["L08"]["reasons"]) == (
        "not_met",
        ["social_studies_hours"],
    )
    assert (people["L09"]["rule"], people["L09"]["reasons"], people["L09"]["basis"]) == (
        None,
        ["no_date"],
        None,
    )
    assert data["rules_without_level"] == ["2021", "from-2022"]


def test_explain_words_the_reasons_in_both_languages(imported, cli):
    en = cli("explain", "--language", "--year", "2019", "--format", "markdown").stdout
    assert (
        "| L07 | cannot be judged | 2012-2020 | hours of social studies not recorded | "
        "2015-06-15 (permit) | 2019-06-30 | deltakere.csv:8 |" in en
    )
    assert (
        "| L06 | met | before-2012 | every part of the rule met | 2011-12-31 (settlement date) |"
        in en
    )
    nb = cli("explain", "--language", "--year", "2019", "--lang", "nb").stdout
    assert "timer samfunnskunnskap ikke registrert" in nb and "31.12.2011 (bosettingsdato)" in nb
    csv = cli("explain", "--language", "--year", "2019", "--format", "csv").stdout.splitlines()
    assert csv[0] == (
        "participant_id,verdict,rule,reasons,basis,date,by_settlement,ended,source,year,region"
    )
    assert "L09,cannot_judge,,no_date,,,False,2019-06-30,deltakere.csv:10,2019," in csv


def test_explain_needs_a_goal_or_language_and_not_both(imported, cli):
    assert cli("explain", "--year", "2019").exit_code == 2
    assert cli("explain", "--language", "--goal", "id-2016-2020", "--year", "2019").exit_code == 2


def test_report_has_a_row_per_cohort_year(imported, cli_json):
    data = cli_json("report")
    language = data["language"]
    assert language["by"] == "year"
    assert [(r["year"], *counts(r)[1:]) for r in language["rows"]] == [
        (2018, 1, 0, 0, 0),
        (2019, 4, 3, 5, 2),
    ]
    assert counts(language["total"]) == (13, 5, 3, 5, 2)
    assert data["language_breakdown"] is None
    by = cli_json("report", "--by", "gender")
    assert {r["name"]: counts(r) for r in by["language_breakdown"]["rows"]} == {
        "female": (6, 3, 1, 2, 1),
        "male": (7, 2, 2, 3, 1),  # with L11 of 2018
    }


def test_report_and_progress_files_carry_it(imported, cli):
    import openpyxl

    for args, name in (
        (["report"], "rapport"),
        (["progress", "--year", "2019", "--by", "gender"], "fremdrift"),
    ):
        html = imported / f"{name}.html"
        assert cli(*args, "--out", str(html), "--no-suppress", "--lang", "en").exit_code == 0
        page = html.read_text(encoding="utf-8")
        assert "Language-training requirement" in page and "On settlement date" in page
        book = imported / f"{name}.xlsx"
        assert cli(*args, "--out", str(book), "--no-suppress", "--lang", "en").exit_code == 0
        sheets = openpyxl.load_workbook(book).sheetnames
        assert any(s.startswith("Language requirement") for s in sheets), sheets
    report = openpyxl.load_workbook(imported / "rapport.xlsx")["Language requirement"]
    assert [list(r) for r in report.iter_rows(values_only=True)][1:] == [
        [2018, 1, 1, 0, 0, 0],
        [2019, 12, 4, 3, 5, 2],
        ["Total", 13, 5, 3, 5, 2],
    ]
    explained = imported / "forklaring.xlsx"
    result = cli("explain", "--language", "--year", "2019", "--out", str(explained))
    assert result.exit_code == 0
    sheet = openpyxl.load_workbook(explained)["Language requirement 2019"]
    ids = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(ids) == 12 and ids[0] == "L01"


def test_the_api_gives_the_same_as_the_cli(imported, db, cli_json):
    import pandas as pd

    import intdrammen
    from intdrammen.errors import ConfigError

    mine = imported / "mine.toml"
    mine.write_text(MINE, encoding="utf-8")
    with intdrammen.open(db, requirements=mine) as api:
        progress = api.progress(2019)
        assert counts(progress.to_dict()["language"]) == (12, 6, 4, 2, 2)
        frame = progress.to_frame()
        row = frame[frame["section"] == "language"].iloc[0]
        assert (row["language_cohort"], row["language_met"], row["language_cannot_judge"]) == (
            12,
            6,
            2,
        )
        assert pd.isna(row["ended"])  # a sum of `ended` never counts the cohort twice
        explained = api.explain_language(2019, region="Drammen")
        assert len(explained.to_frame()) == 11
        assert explained.to_dict()["met"] == 5
    with intdrammen.open(db) as api:
        assert api.explain_language(2019).to_dict() == cli_json(
            "explain", "--language", "--year", "2019"
        )
    mine.write_text('[[rule]]\nid = "2021"\nminimum_level = 2\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        intdrammen.open(db, requirements=mine)
    assert caught.value.code == "E-CONFIG"


def test_a_gap_between_periods_is_no_rule_in_every_count(tmp_path, cli, cli_json):
    """Two people alike but for their permit dates, 15.06.2015 and 30.06.2016, under a
    file that ends 2012-2020 on 31.12.2015 (no rule for 2016-2020): the first met 550 +
    50, the second cannot be judged (no rule), whether counted, split or explained."""
    header = LANGUAGE_HEADER
    rows = []
    for pid, permit in (("G1", "15.06.2015"), ("G2", "30.06.2016")):
        rows.append([*participant_row(pid, "3301", end=COHORT), "600", "50", permit, ""])
    assert cli("import", str(write_csv(tmp_path / "d.csv", header, rows))).exit_code == 0
    mine = tmp_path / "gap.toml"
    mine.write_text('[[rule]]\nid = "2012-2020"\nto = 2015-12-31\n', encoding="utf-8")
    args = ("--requirements", str(mine), "progress", "--year", "2019", "--format", "json")
    counted = json.loads(cli(*args).stdout)["language"]
    split = json.loads(cli(*args, "--by", "gender").stdout)["language"]["breakdown"]["total"]
    assert counts(counted) == counts(split) == (2, 1, 0, 1, 0)
    result = cli("--requirements", str(mine), "explain", "--language", "--year", "2019")
    assert "no rule covers the date" in result.stdout


# ----------------------------------------------------------------------------- properties

DAYS = st.one_of(st.none(), st.dates(min_value=date(2005, 1, 1), max_value=date(2030, 12, 31)))
HOURS = st.one_of(st.none(), st.integers(min_value=0, max_value=800).map(float))
LEVELS = st.one_of(st.none(), st.sampled_from(["A1", "A2", "B1", "B2", "C1", "C2"]))
RECORDS = st.lists(
    st.tuples(
        st.dates(min_value=date(2018, 1, 1), max_value=date(2020, 12, 31)),
        st.sampled_from(["completed", "interrupted", "moved", None]),
        DAYS,
        DAYS,
        HOURS,
        HOURS,
        LEVELS,
        st.sampled_from(["3301", "0301", None]),
    ),
    max_size=40,
)


@pytest.mark.sqlite_only
@given(RECORDS, st.integers(min_value=2018, max_value=2020))
@settings(max_examples=200, deadline=None)
def test_met_not_met_and_cannot_judge_add_up_to_the_cohort(records, year):
    """On any data: every member of the cohort gets exactly one verdict, the three add up
    to the cohort the 55 % figure counts, and the settlement-date count is part of it."""
    from intdrammen import metrics
    from intdrammen.config import load_requirements
    from intdrammen.models import IntroRecord, LanguageRecord

    rules = load_requirements().rules
    language = [
        LanguageRecord(f"P{n}", code, end, reason, permit, settled, no, ss, level, "")
        for n, (end, reason, permit, settled, no, ss, level, code) in enumerate(records)
    ]
    intro = [
        IntroRecord(r.participant_id, r.participant_id, r.municipality, r.intro_end, r.reason,
                    None, None, None, None, None, "")
        for r in language
    ]  # fmt: skip
    drammen = {"3301"}
    member = lambda code, _day: code in drammen  # noqa: E731
    members = metrics.language_cohort(language, rules, year, member=member)
    tally = metrics.language_tally(members)
    cohort = metrics.intro_cohort(intro, {}, year, member=member, measured_on=None)
    assert tally.met + tally.not_met + tally.cannot_judge == tally.cohort == cohort.ended
    assert 0 <= tally.by_settlement <= tally.cohort
    assert tally.by_settlement == sum(
        1 for m in members if m.record.permit_date is None and m.record.settled_date is not None
    )


@pytest.mark.sqlite_only
@given(
    st.lists(st.lists(st.integers(min_value=0, max_value=9), min_size=3, max_size=3), max_size=6),
    st.integers(min_value=2, max_value=5),
)
@settings(max_examples=300, deadline=None)
def test_no_hidden_part_can_be_recovered_from_a_published_total(table, n):
    """suppression.parts_table on any table: no shown count below n, zero never hidden,
    and no row (its total published when it is n or more) nor column (its total shown)
    with a single hidden cell or hidden cells that could only be 1 each, unless every
    non-zero cell of it is hidden already (nothing more could be)."""
    from intdrammen.suppression import parts_table

    cells, totals = parts_table(table, n, 3)
    whole = [*table, [sum(r[c] for r in table) for c in range(3)]]
    shown = [*cells, totals]
    for line, values in zip(shown, whole, strict=True):
        for cell, value in zip(line, values, strict=True):
            assert cell is None or cell == value
            assert value != 0 or cell == 0
            assert cell is None or cell == 0 or cell >= n

    def safe(parts: list, values: list, total: int) -> bool:
        hidden = [v for p, v in zip(parts, values, strict=True) if p is None]
        left = total - sum(p for p in parts if p is not None)
        if not hidden or all(p is None for p, v in zip(parts, values, strict=True) if v):
            return True
        return len(hidden) > 1 and left != len(hidden)

    for line, values in zip(shown, whole, strict=True):
        if sum(values) >= n:  # a row's total (a group's cohort) is published
            assert safe(line, values, sum(values)), (table, n, shown)
    for c in range(3):
        if totals[c] is not None:
            column = [line[c] for line in cells]
            assert safe(column, [r[c] for r in table], totals[c]), (table, n, shown)


# ------------------------------------------------------------- the two ways of counting

NEAR = [
    None, date(2011, 12, 30), date(2011, 12, 31), date(2012, 1, 1), date(2015, 6, 15),
    date(2016, 6, 30), date(2016, 7, 1), date(2020, 12, 31), date(2021, 1, 1),
    date(2021, 12, 31), date(2022, 1, 1), date(2023, 5, 5),
]  # fmt: skip
SOME_HOURS = [None, 0.0, 40.0, 50.0, 74.5, 75.0, 260.0, 300.0, 549.0, 550.0, 600.0]
PERSON = st.tuples(
    st.sampled_from(["3301", "0602", "3005", "0626", "0301", "9999", ""]),
    st.dates(min_value=date(2018, 12, 20), max_value=date(2020, 1, 10)),
    st.sampled_from(["fullført", "avbrutt", "flyttet", ""]),
    st.sampled_from(NEAR),
    st.sampled_from(NEAR),
    st.sampled_from(SOME_HOURS),
    st.sampled_from(SOME_HOURS),
    st.sampled_from([None, "A1", "A2", "B1", "B2", "C1", "C2"]),
    st.sampled_from(["K", "M"]),
)
# The shipped rules; a level for 2021 on; a period cut in two in the middle of a year; a
# gap between two periods (no rule for first permits in 2016-2020).
RULES = ["", MINE, MINE + '\n[[rule]]\nid = "2012-2020"\nto = 2016-06-30\n\n[[rule]]\nid = '
         '"mid"\nfrom = 2016-07-01\nto = 2020-12-31\nnorwegian_hours = 300\n',
         '[[rule]]\nid = "2012-2020"\nto = 2015-12-31\n']  # fmt: skip


@pytest.mark.sqlite_only
@given(people=st.lists(PERSON, min_size=1, max_size=25), rules=st.sampled_from(RULES))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_store_counts_what_the_definition_judges_person_by_person(
    people, rules, tmp_path_factory
):
    """progress without --by counts the requirement set-based (the store groups the
    cohort by what the rule reads); with --by and in explain it judges each member. Both
    equal metrics.language_cohort applied here to the generated rows, on random data
    around every period boundary, in three regions and three cohort years."""
    from typer.testing import CliRunner

    import intdrammen
    from intdrammen import metrics
    from intdrammen.cli import app
    from intdrammen.config import load_requirements
    from intdrammen.models import LanguageRecord
    from intdrammen.municipalities import MunicipalityHistory, load_regions, resolve_region

    folder = tmp_path_factory.mktemp("language")
    mine = folder / "rules.toml"
    mine.write_text(rules, encoding="utf-8")
    table = []
    for n, (code, end, reason, permit, settled, no, ss, level, gender) in enumerate(people):
        row = participant_row(f"R{n:02d}", code, gender=gender, end=end.isoformat())
        row[6], row[9] = settled.isoformat() if settled else "", reason
        table.append([*row, no, ss, permit.isoformat() if permit else "", level])
    path = write_csv(folder / "deltakere.csv", LANGUAGE_HEADER, table)
    result = CliRunner().invoke(app, ["--db", str(folder / "intd.sqlite"), "import", str(path)])
    assert result.exit_code == 0, result.output
    records = [
        LanguageRecord(
            f"R{n:02d}", code or None, end,
            {"fullført": "completed", "avbrutt": "interrupted", "flyttet": "moved"}.get(reason),
            permit, settled, no, ss, level, "",
        )
        for n, (code, end, reason, permit, settled, no, ss, level, _g) in enumerate(people)
    ]  # fmt: skip
    config, history = load_regions(), MunicipalityHistory.load()
    requirements = load_requirements(mine).rules
    with intdrammen.open(folder / "intd.sqlite", requirements=mine) as db:
        for region in (None, "Drammen", "Drammensregionen"):
            member = metrics.everyone
            if region is not None:
                member = resolve_region(region, config, history).contains
            for year in (2018, 2019, 2020):
                judged = metrics.language_cohort(records, requirements, year, member=member)
                tally = metrics.language_tally(judged)
                want = (tally.cohort, tally.met, tally.not_met, tally.cannot_judge)
                want = (*want, tally.by_settlement)
                counted = db.progress(year, region).to_dict()["language"]
                split = db.progress(year, region, by="gender").to_dict()["language"]
                assert counts(counted) == counts(split["breakdown"]["total"]) == want
                assert counted["rules_without_level"] == split["rules_without_level"]
                people_of = db.explain_language(year, region).to_dict()["people"]
                assert sorted(p["participant_id"] for p in people_of) == sorted(
                    m.record.participant_id for m in judged
                )
        report = db.report().to_dict()["language"]
        for r in report["rows"]:
            judged = metrics.language_cohort(records, requirements, r["year"])
            assert r["cohort"] == len(judged)
