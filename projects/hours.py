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
from projects.tables import AREA_LEVELS, Claim, Member, Organisation

TOP = 10  # how many volunteers, teams and organisations are ranked
TEAMS, OTHERS = "= 'volunteer_team'", "<> 'volunteer_team'"


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


def _confirmed(scope: Scope) -> tuple[str, list[Any]]:
    """The claims confirmed in the period for tasks under the area: their performer, the
    organisation that claimed for them, minutes, points and month."""
    low, high = path_range(scope.area.path)
    return (
        f"SELECT c.member AS member, c.organisation AS organisation, c.minutes AS minutes, "
        f"c.points AS points, {month_sql('c.decided_at')} AS month "
        "FROM projects_claim c JOIN projects_task t ON t.id = c.task JOIN projects_area a ON a.id = t.area "
        "WHERE c.status = 'confirmed' AND c.decided_at >= {} AND c.decided_at < {} "
        "AND a.path >= {} AND a.path < {}",
        [scope.period.start_at, scope.period.end_at, low, high],
    )


def _top(kind: str, key: str, source: str) -> str:
    return (
        f"SELECT * FROM (SELECT '{kind}' AS kind, CAST({key} AS TEXT) AS id, SUM(minutes) AS minutes, "
        f"COUNT(*) AS claims, 0 AS extra FROM {source} GROUP BY {key} "
        f"ORDER BY SUM(minutes) DESC, {key} LIMIT {TOP}) {kind}"
    )


async def hours_stats(scope: Scope) -> HoursStats:
    """Every figure from one pass over the period's confirmed claims."""
    confirmed, params = _confirmed(scope)

    # Work a team or organisation claimed for its members counts for it.
    def claimed_for(kinds: str) -> str:
        return (
            "(SELECT f.organisation AS organisation, f.minutes AS minutes FROM confirmed f "
            f"JOIN projects_organisation o ON o.id = f.organisation WHERE o.kind {kinds}) g"
        )

    rows = await Claim.raw(
        f"WITH confirmed AS MATERIALIZED ({confirmed}) "
        "SELECT 'total' AS kind, CAST(NULL AS TEXT) AS id, COALESCE(SUM(minutes), 0) AS minutes, "
        "COALESCE(SUM(points), 0) AS claims, COUNT(DISTINCT member) AS extra FROM confirmed "
        "UNION ALL SELECT 'month', month, SUM(minutes), COUNT(*), 0 FROM confirmed GROUP BY month "
        f"UNION ALL {_top('volunteer', 'member', 'confirmed')} "
        f"UNION ALL {_top('team', 'organisation', claimed_for(TEAMS))} "
        f"UNION ALL {_top('organisation', 'organisation', claimed_for(OTHERS))}",
        *params,
    )
    total = next(row for row in rows if row["kind"] == "total")
    by_month = {row["id"]: int(row["minutes"]) for row in rows if row["kind"] == "month"}
    names = await _names(rows)

    def ranked(kind: str) -> list[Ranked]:
        found = [row for row in rows if row["kind"] == kind]
        return [
            Ranked(
                int(row["id"]),
                names[(kind == "volunteer", int(row["id"]))],
                int(row["minutes"]),
                int(row["claims"]),
            )
            for row in sorted(found, key=lambda row: (-int(row["minutes"]), int(row["id"])))
        ]

    return HoursStats(
        minutes=int(total["minutes"]),
        points_issued=int(total["claims"]),
        active_volunteers=int(total["extra"]),
        points_outstanding=await _outstanding(scope),
        minutes_by_month={key: by_month.get(key, 0) for key in scope.period.months()},
        top_volunteers=ranked("volunteer"),
        top_teams=ranked("team"),
        top_organisations=ranked("organisation"),
    )


async def _names(rows: list[dict]) -> dict[tuple[bool, int], str]:
    """The names of the ranked members and organisations: (is a member, id) -> name."""
    members = [int(row["id"]) for row in rows if row["kind"] == "volunteer"]
    groups = [int(row["id"]) for row in rows if row["kind"] in ("team", "organisation")]
    names: dict[tuple[bool, int], str] = {}
    if members:
        for row in await Member.select(Member.id, Member.name).where(Member.id.is_in(members)):
            names[(True, row["id"])] = row["name"]
    if groups:
        for row in await Organisation.select(Organisation.id, Organisation.name).where(
            Organisation.id.is_in(groups)
        ):
            names[(False, row["id"])] = row["name"]
    return names


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
