"""Report values: the figures of one request, computed once, ready for any renderer.

The edge (a command, an API call) resolves the regions of a request once
(`resolve_scope`) and hands the resulting `Scope` to a builder; each module reads what
it needs from the store, calls the pure functions in `metrics.py` and returns frozen
dataclasses. Nothing here formats a number; renderers in `render/` do that and compute
nothing.
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
from intdrammen.reports.explain import Counted, Excluded, Explanation, explain, goal_named
from intdrammen.reports.language import (
    LanguageCase,
    LanguageExplanation,
    LanguageProgress,
    LanguageRow,
    LanguageTable,
    explain_language,
)
from intdrammen.reports.progress import (
    GoalProgress,
    IntroProgress,
    ProgressReport,
    goal_progress,
    intro_progress,
    progress,
    suppress_progress,
)
from intdrammen.reports.scope import Scope, resolve_scope
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
    "LanguageCase",
    "LanguageExplanation",
    "LanguageProgress",
    "LanguageRow",
    "LanguageTable",
    "ProgressReport",
    "RegionReport",
    "Row",
    "Scope",
    "cohort_for",
    "document",
    "explain",
    "explain_language",
    "goal_named",
    "goal_progress",
    "goal_series",
    "intro_progress",
    "progress",
    "region_report",
    "resolve_scope",
    "suppress_document",
    "suppress_progress",
    "suppress_report",
    "total_row",
]
