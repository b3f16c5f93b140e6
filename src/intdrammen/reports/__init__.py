"""Report values: the figures of one request, computed once, ready for any renderer.

Each module reads what it needs from the store, resolves regions, calls the pure
functions in `metrics.py` and returns frozen dataclasses. Nothing here formats a number;
renderers in `render/` do that and compute nothing.
"""

from intdrammen.reports.context import Context, cohort_for
from intdrammen.reports.document import (
    CohortRate,
    Document,
    GoalSeries,
    document,
    goal_series,
    suppress_document,
)
from intdrammen.reports.explain import Counted, Excluded, Explanation, explain
from intdrammen.reports.progress import (
    GoalProgress,
    IntroProgress,
    ProgressReport,
    goal_progress,
    intro_progress,
    progress,
    suppress_progress,
)
from intdrammen.reports.tables import (
    DIMENSIONS,
    Breakdown,
    Facts,
    RegionReport,
    Row,
    region_report,
    suppress_report,
    total_row,
)

__all__ = [
    "DIMENSIONS",
    "Breakdown",
    "CohortRate",
    "Context",
    "Counted",
    "Document",
    "Excluded",
    "Explanation",
    "Facts",
    "GoalProgress",
    "GoalSeries",
    "IntroProgress",
    "ProgressReport",
    "RegionReport",
    "Row",
    "cohort_for",
    "document",
    "explain",
    "goal_progress",
    "goal_series",
    "intro_progress",
    "progress",
    "region_report",
    "suppress_document",
    "suppress_progress",
    "suppress_report",
    "total_row",
]
