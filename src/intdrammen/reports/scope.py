"""The regions of one request, resolved once at the edge: `Scope` and `resolve_scope`.

A `--region` string (and each goal's `region` in goals.toml) is turned into a
`municipalities.Region` exactly once, by the command or API call that received it, and
the report builders take the resulting `Scope`: they never resolve a name again. A
`Region` is the typed value everything downstream needs: its members with the codes
each counts and the period it counts them (`RegionMember.start`/`end`), the membership
test (`Region.member_for`/`contains`), the row labels (`RegionMember.label`/`merged`)
and the merger notes. The seam is here because a second way to compute figures (the
set-based queries of issue 15, a PostgreSQL backend in issue 16) needs the same
members per period as data to put into its queries, not names to look up again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from intdrammen.errors import IntdError
from intdrammen.models import Goal
from intdrammen.municipalities import Region

if TYPE_CHECKING:  # context.py takes a Scope: no import cycle at run time
    from intdrammen.reports.context import Context


@dataclass(frozen=True)
class Scope:
    """The region asked for (None: the whole project) and the own region of every
    configured goal, keyed by its goals.toml `region` text.

    A goal region that cannot be resolved (a name no region or municipality has, a
    region whose members contradict each other) is kept as its error and raised where
    the goal is used, as before resolution moved to the edge: goals.toml is not checked
    against regions.toml when it is loaded, so a command that never uses that goal
    (a year outside its window, `intd report` to the terminal) must not fail on it."""

    region: Region | None
    # The goals the request may use (resolve_scope's `goals`): of() knows only these.
    goal_regions: Mapping[str, Region | IntdError] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def of(self, goal: Goal) -> Region | None:
        """The goal's own region (None: it counts the whole project)."""
        if goal.region is None:
            return None
        found = self.goal_regions.get(goal.region)
        if found is None:  # a caller's mistake, not a user's: resolve_scope with this goal
            raise LookupError(f"goal {goal.id} is not in this request's scope")
        if isinstance(found, IntdError):
            raise found
        return found


def resolve_scope(ctx: Context, query: str | None, goals: Iterable[Goal] | None = None) -> Scope:
    """The one resolution of a request's regions: `query` (a region or municipality
    name or code; None: the whole project), then each distinct region of `goals` (None:
    every configured goal; `intd report` to the terminal uses none, `intd explain` one,
    so they resolve no more than they use)."""
    region = ctx.region(query)
    goal_regions: dict[str, Region | IntdError] = {}
    for goal in ctx.goals.goals if goals is None else goals:
        if goal.region is None or goal.region in goal_regions:
            continue
        try:
            own = ctx.region(goal.region)
        except IntdError as exc:
            goal_regions[goal.region] = exc
        else:
            assert own is not None
            goal_regions[goal.region] = own
    return Scope(region, MappingProxyType(goal_regions))
