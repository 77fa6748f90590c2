"""Volunteer hours and points of an area and a period, computed in SQL: confirmed minutes and
the points they issued, active volunteers, hours by month, the top volunteers, teams and
organisations, and the points the area's communities still owe (their issuers' balances).

Work counts where it was done (the task's area) and when it was confirmed (the claim's
``decided_at``, written once when it is confirmed or a dispute settled for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projects.areas import path_range
from projects.stats import Scope, month_sql
from projects.tables import AREA_LEVELS, Claim

TOP = 10  # how many volunteers, teams and organisations are ranked


@dataclass(frozen=True, slots=True)
class Ranked:
    id: int
    name: str
    minutes: int
    claims: int


@dataclass(frozen=True, slots=True)
class HoursStats:
    minutes: int  # confirmed
    points_issued: int
    active_volunteers: int  # members with at least one confirmed claim in the period
    points_outstanding: int | None  # now; None below a community (its issuer is the community's)
    minutes_by_month: dict[str, int]
    top_volunteers: list[Ranked]
    top_teams: list[Ranked]
    top_organisations: list[Ranked]


def _confirmed(scope: Scope, join: str = "") -> tuple[str, list[Any]]:
    """The claims confirmed in the period for tasks under the area (``c``, its task ``t``)."""
    low, high = path_range(scope.area.path)
    return (
        f"FROM projects_claim c {join} JOIN projects_task t ON t.id = c.task "
        "JOIN projects_area a ON a.id = t.area "
        "WHERE c.status = 'confirmed' AND c.decided_at >= {} AND c.decided_at < {} "
        "AND a.path >= {} AND a.path < {}",
        [scope.period.start_at, scope.period.end_at, low, high],
    )


async def hours_stats(scope: Scope) -> HoursStats:
    source, params = _confirmed(scope)
    totals = (
        await Claim.raw(
            "SELECT COALESCE(SUM(c.minutes), 0) AS minutes, COALESCE(SUM(c.points), 0) AS points, "
            f"COUNT(DISTINCT c.member) AS volunteers {source}",
            *params,
        )
    )[0]
    month = month_sql("c.decided_at")
    by_month = {
        row["month"]: int(row["minutes"])
        for row in await Claim.raw(
            f"SELECT {month} AS month, SUM(c.minutes) AS minutes {source} GROUP BY {month}", *params
        )
    }
    volunteers = await Claim.raw(
        "SELECT m.id AS id, m.name AS name, r.minutes AS minutes, r.claims AS claims FROM "
        f"(SELECT c.member AS member, SUM(c.minutes) AS minutes, COUNT(*) AS claims {source} "
        f"GROUP BY c.member ORDER BY SUM(c.minutes) DESC, c.member LIMIT {TOP}) r "
        "JOIN projects_member m ON m.id = r.member ORDER BY r.minutes DESC, m.id",
        *params,
    )

    async def organisations(teams: bool) -> list[Ranked]:
        # Work a team or organisation claimed for its members counts for it.
        kind = "o.kind = 'volunteer_team'" if teams else "o.kind <> 'volunteer_team'"
        joined, joined_params = _confirmed(scope, "JOIN projects_organisation o ON o.id = c.organisation")
        rows = await Claim.raw(
            "SELECT o.id AS id, o.name AS name, SUM(c.minutes) AS minutes, COUNT(*) AS claims "
            f"{joined} AND {kind} GROUP BY o.id, o.name ORDER BY SUM(c.minutes) DESC, o.id LIMIT {TOP}",
            *joined_params,
        )
        return [_ranked(row) for row in rows]

    return HoursStats(
        minutes=int(totals["minutes"]),
        points_issued=int(totals["points"]),
        active_volunteers=int(totals["volunteers"]),
        points_outstanding=await _outstanding(scope),
        minutes_by_month={key: by_month.get(key, 0) for key in scope.period.months()},
        top_volunteers=[_ranked(row) for row in volunteers],
        top_teams=await organisations(teams=True),
        top_organisations=await organisations(teams=False),
    )


def _ranked(row: dict) -> Ranked:
    return Ranked(int(row["id"]), row["name"], int(row["minutes"]), int(row["claims"]))


async def _outstanding(scope: Scope) -> int | None:
    """What the communities under the area owe in points now: their issuers' debits less credits."""
    if AREA_LEVELS.index(scope.area.level) > AREA_LEVELS.index("community"):
        return None
    low, high = path_range(scope.area.path)
    rows = await Claim.raw(
        "SELECT COALESCE(SUM(l.debits_posted - l.credits_posted), 0) AS owed FROM projects_area a "
        "JOIN ledger_account l ON l.id = 'issuer:' || CAST(a.id AS TEXT) "
        "WHERE a.level = 'community' AND a.path >= {} AND a.path < {}",
        low,
        high,
    )
    return int(rows[0]["owed"])
