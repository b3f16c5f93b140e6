"""The pure figure functions against hand-computed values (definitions.md definitions)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intdrammen import metrics
from intdrammen.models import Activity, IntroRecord, JobStart, Window

WINDOW = Window(date(2016, 2, 9), date(2020, 12, 31))


def job(person: str, day: date, code: str | None = "0602", pid: str | None = None) -> JobStart:
    return JobStart(pid or person, person, code, day, day.year)


def record(
    end: date,
    reason: str | None = "completed",
    outcome: str | None = None,
    status_1y: str | None = None,
    person: str = "P1",
) -> IntroRecord:
    return IntroRecord(
        person, person, "0602", end, reason, outcome, status_1y, None, None, None, "deltakere.csv:2"
    )


def activity(kind: str, start: date, end: date | None = None, person: str = "P1") -> Activity:
    return Activity(
        person,
        person,
        f"id:{kind}{start}",
        None,
        kind,
        start,
        end,
        "0602",
        None,
        None,
        "plasseringer.csv:2",
    )


def test_window_days_include_both_ends():
    # 2016-02-09..2016-12-31 = 327 days (2016 is a leap year), 2017-2019 = 1095,
    # 2020 = 366: 1788 days in all.
    assert WINDOW.days == 1788


def test_expected_to_date_hand_computed():
    # 2016: 327 days elapsed -> 1000 * 327 / 1788 = 182.88...
    assert metrics.expected_to_date(Fraction(1000), WINDOW, 2016) == Fraction(1000 * 327, 1788)
    # 2019: 327 + 365 * 3 = 1422 -> 795.30...
    assert round(float(metrics.expected_to_date(Fraction(1000), WINDOW, 2019)), 1) == 795.3
    # 2020 and later: the whole window
    assert metrics.expected_to_date(Fraction(1000), WINDOW, 2020) == 1000
    assert metrics.expected_to_date(Fraction(1000), WINDOW, 2022) == 1000


def test_first_job_in_window_counts_once_at_first_start():
    starts = [
        job("A", date(2016, 2, 8)),  # before the window: ignored
        job("A", date(2018, 5, 1)),
        job("A", date(2017, 1, 3)),
        job("B", date(2020, 12, 31)),  # last day included
        job("C", date(2021, 1, 1)),  # after the window
        job("D", date(2016, 2, 9)),  # first day included
    ]
    first = metrics.first_job_in_window(starts, WINDOW)
    assert {p: j.start for p, j in first.items()} == {
        "A": date(2017, 1, 3),
        "B": date(2020, 12, 31),
        "D": date(2016, 2, 9),
    }


def test_persons_into_work_up_to_and_membership():
    first = metrics.first_job_in_window(
        [
            job("A", date(2017, 1, 3)),
            job("B", date(2019, 6, 1), code="0403"),
            job("C", date(2020, 3, 1)),
        ],
        WINDOW,
    )
    in_drammen = lambda code, _day: code == "0602"  # noqa: E731
    counted = metrics.persons_into_work(first, up_to=date(2019, 12, 31), member=in_drammen)
    assert [j.person for j in counted] == ["A"]
    assert len(metrics.persons_into_work(first, up_to=date(2020, 12, 31))) == 3
    assert metrics.into_work_in_year(counted, 2017) == 1


@given(
    st.lists(st.tuples(st.sampled_from("ABCDEFG"), st.dates(date(2015, 1, 1), date(2021, 12, 31))))
)
def test_years_add_up_to_the_window(pairs):
    first = metrics.first_job_in_window([job(p, d) for p, d in pairs], WINDOW)
    counted = metrics.persons_into_work(first, up_to=WINDOW.end)
    total = sum(metrics.into_work_in_year(counted, y) for y in range(2016, 2021))
    assert total == len(counted) == len(first)


def test_rate_is_undefined_at_zero():
    assert metrics.rate(0, 0) is None
    assert metrics.rate(0, 4) == 0
    assert metrics.rate(7, 12) == Fraction(7, 12)


def test_cohort_membership_by_end_reason():
    assert metrics.cohort_exclusion(record(date(2019, 5, 1)), 2019) is None
    assert metrics.cohort_exclusion(record(date(2019, 5, 1), "interrupted"), 2019) is None
    assert metrics.cohort_exclusion(record(date(2019, 5, 1), "moved"), 2019) == "moved"
    assert metrics.cohort_exclusion(record(date(2019, 5, 1), None), 2019) == "no_end_reason"
    assert metrics.cohort_exclusion(record(date(2018, 12, 31)), 2019) == "other_year"


def test_direct_transition_explicit_outcome_wins():
    job_active = [activity("job", date(2019, 1, 1))]
    assert not metrics.direct_transition(
        record(date(2019, 5, 1), outcome="unknown"), job_active
    ).in_work_or_education
    assert metrics.direct_transition(
        record(date(2019, 5, 1), outcome="education"), []
    ).in_work_or_education


def test_direct_transition_derived_from_placements_30_day_rule():
    end = date(2019, 5, 1)  # + 30 days = 2019-05-31
    rec = record(end)
    assert metrics.direct_transition(rec, [activity("education", date(2019, 5, 31))]).basis == (
        "placement"
    )
    assert not metrics.direct_transition(
        rec, [activity("education", date(2019, 6, 1))]
    ).in_work_or_education
    assert metrics.direct_transition(
        rec, [activity("job", date(2019, 1, 1), date(2019, 5, 1))]
    ).in_work_or_education
    assert not metrics.direct_transition(
        rec, [activity("job", date(2019, 1, 1), date(2019, 4, 30))]
    ).in_work_or_education
    assert not metrics.direct_transition(
        rec, [activity("work_trial", date(2019, 5, 2))]
    ).in_work_or_education
    assert metrics.direct_transition(
        rec, [activity("apprenticeship", date(2019, 5, 10))], days_after=10
    ).in_work_or_education
    assert not metrics.direct_transition(
        rec, [activity("apprenticeship", date(2019, 5, 12))], days_after=10
    ).in_work_or_education


def test_one_year_after_on_15_november():
    rec = record(date(2019, 6, 30))
    on_day = [activity("job", date(2020, 11, 15))]
    day_before = [activity("job", date(2020, 1, 1), date(2020, 11, 14))]
    assert metrics.one_year_after(rec, on_day).in_work_or_education
    assert not metrics.one_year_after(rec, day_before).in_work_or_education
    explicit = record(date(2019, 6, 30), status_1y="unemployed")
    assert not metrics.one_year_after(explicit, on_day).in_work_or_education


def test_intro_cohort_counts():
    records = [
        record(date(2019, 3, 1), outcome="work", person="P1"),
        record(date(2019, 4, 1), person="P2"),  # derived: job within 30 days
        record(date(2019, 5, 1), person="P3"),  # no placement
        record(date(2019, 6, 1), "moved", outcome="work", person="P4"),
        record(date(2020, 1, 1), outcome="work", person="P5"),
    ]
    acts = metrics.group_activities([activity("job", date(2019, 4, 20), person="P2")])
    cohort = metrics.intro_cohort(records, acts, 2019)
    assert (cohort.ended, cohort.direct_work_or_education) == (3, 2)
    assert [(r.participant_id, why) for r, why in cohort.excluded] == [("P4", "moved")]
    # Built for the direct measure only, it gives the same direct figures and refuses to
    # answer for the one-year measure rather than answer 0.
    direct_only = metrics.intro_cohort(records, acts, 2019, measured_on=None)
    assert (direct_only.ended, direct_only.direct_work_or_education) == (3, 2)
    with pytest.raises(ValueError, match="without the one-year measure"):
        _ = direct_only.one_year_work_or_education


@given(
    st.lists(
        st.tuples(
            st.sampled_from("ABC"),  # person
            st.sampled_from(["a", "b", "c", "d"]),  # participant id
            st.sampled_from(["0602", "0403", None]),
            st.dates(date(2018, 1, 1), date(2018, 1, 8)),  # few days: many ties
        )
    )
)
def test_earliest_per_person_is_the_first_kept_job_in_start_order(rows):
    """The one-pass reduction equals the definition read literally: walk the jobs in
    start order (ties: smaller participant id) and keep each person's first accepted."""
    jobs = [JobStart(pid, person, code, day, day.year) for person, pid, code, day in rows]
    keep = lambda job: job.municipality == "0602" and job.start.day % 3 != 0  # noqa: E731
    literal: dict[str, JobStart] = {}
    for job in sorted(jobs, key=lambda j: (j.start, j.participant_id)):
        if job.person not in literal and keep(job):
            literal[job.person] = job
    fast = metrics.earliest_per_person(jobs, keep)
    assert {p: (j.start, j.participant_id) for p, j in fast.items()} == {
        p: (j.start, j.participant_id) for p, j in literal.items()
    }


def test_suppression_rules():
    from intdrammen import suppression

    # primary: below n hidden, zero kept
    assert [suppression.primary(v, 3) for v in (0, 1, 2, 3)] == [0, None, None, 3]
    # complement: 10 ended, 9 in work -> the 1 not in work would show: hide 9
    assert suppression.share(9, 10, 3) == (None, 10)
    # a hidden denominator hides its numerator, but never a zero
    assert suppression.share(1, 2, 3) == (None, None)
    assert suppression.share(0, 2, 3) == (0, None)
    # secondary: one hidden cell in a column with a published total -> hide the next
    # smallest non-zero cell too (the total row is the last row)
    rows = [[2, 0, 0], [5, 0, 0], [9, 0, 0], [16, 0, 0]]
    assert [r[0] for r in suppression.table(rows, 3, shares=[(1, 2)])] == [None, None, 9, 16]
    # a lone small cell whose only partner is the total hides the total
    assert [r[0] for r in suppression.table([[2, 0, 0], [0, 0, 0], [2, 0, 0]], 3)] == [
        None,
        0,
        None,
    ]


def test_secondary_suppression_when_hidden_cells_could_only_be_ones():
    from intdrammen import suppression

    # Drammen 12, Lier 1, Sande 1, total 14: hiding Lier and Sande is not enough, since
    # zero is never hidden, 14 - 12 = 2 left for two hidden cells makes each exactly 1.
    column = [12, None, None, 14]
    assert suppression.recoverable(column, [12, 1, 1, 14])
    assert suppression.secondary(column, [12, 1, 1, 14]) == [None, None, None, 14]
    # 1 and 2 hidden beside 10 of 13: 3 left for two cells could be 1+2 or 2+1: safe.
    assert not suppression.recoverable([10, None, None, 13], [10, 1, 2, 13])
    # a hidden total with every other cell hidden too: nothing to subtract from
    assert not suppression.recoverable([None, None, None], [1, 1, 2])
    rows = [[12, 0, 0], [1, 0, 0], [1, 0, 0], [14, 0, 0]]
    assert [r[0] for r in suppression.table(rows, 3)] == [None, None, None, 14]


@given(
    st.permutations(
        [
            activity("education", date(2019, 5, 1)),  # active on the end date
            activity("job", date(2019, 6, 20)),  # starts within 30 days
            activity("apprenticeship", date(2019, 5, 1)),  # same day: key decides
            activity("course", date(2019, 1, 1)),  # never decides
            activity("job", date(2019, 1, 1), date(2019, 11, 20)),  # active on both days
        ]
    )
)
def test_the_deciding_placement_does_not_depend_on_row_order(acts):
    rec = record(date(2019, 6, 1))
    direct = metrics.direct_transition(rec, acts)
    assert direct.in_work_or_education and direct.activity is not None
    assert (direct.activity.type, direct.activity.start) == ("job", date(2019, 1, 1))
    later = metrics.one_year_after(rec, acts)
    assert later.activity is not None
    # Active on 15 November 2020: the three open-ended ones; education and
    # apprenticeship start the same day, so the smaller placement key is shown.
    assert later.activity.type == "apprenticeship"
