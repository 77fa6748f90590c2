"""The ledgers of work (台账) beside the needs': every claim on a task under an area made in a
period, and the hours each volunteer gave there, filtered as the statistics are (a ``Scope``).

Like ``needs_ledger``, rows are plain values read a page at a time; ``web`` names and writes them.
Neither carries a phone or an address: the least a district needs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from ledger.posting import as_utc
from projects.area_path import AreaPath
from projects.areas import path_range
from projects.errors import N_
from projects.figures import hours
from projects.needs_ledger import PAGE_ROWS, Column, places
from projects.stats import Scope
from projects.tables import Area, Claim

CLAIM_COLUMNS = (
    Column("id", N_("No."), "integer", 9),
    Column("task", N_("Task No."), "integer", 9),
    Column("need", N_("Need No."), "integer", 9),
    Column("title", N_("Task"), "text", 24),
    Column("area", N_("Area path"), "text", 36),
    Column("category", N_("Category"), "category", 14),
    Column("volunteer", N_("Volunteer"), "text", 12),
    Column("organisation", N_("Claimed for"), "text", 18),
    Column("claim_status", N_("Status"), "word", 10),
    Column("claimed_at", N_("Claimed at"), "moment", 17),
    Column("submitted_at", N_("Submitted at"), "moment", 17),
    Column("confirmed_at", N_("Confirmed at"), "moment", 17),
    Column("minutes", N_("Minutes served"), "integer", 9),
    Column("points", N_("Points"), "integer", 9),
)
VOLUNTEER_COLUMNS = (
    Column("id", N_("Member No."), "integer", 10),
    Column("name", N_("Volunteer"), "text", 12),
    Column("home", N_("Home community"), "text", 14),
    Column("claims", N_("Services done"), "integer", 9),
    Column("minutes", N_("Minutes served"), "integer", 9),
    Column("hours", N_("Hours"), "decimal", 9),
    Column("points", N_("Points"), "integer", 9),
)


HOME = "LEFT JOIN projects_area h ON h.id = m.home_area WHERE"


def _where(scope: Scope) -> tuple[str, list[Any]]:
    low, high = path_range(scope.area.path)
    return (
        "FROM projects_claim c JOIN projects_task k ON k.id = c.task JOIN projects_area a ON a.id = k.area "
        "JOIN projects_member m ON m.id = c.member "
        "LEFT JOIN projects_organisation o ON o.id = c.organisation WHERE a.path >= {} AND a.path < {}",
        [low, high],
    )


async def claims_ledger(scope: Scope) -> AsyncIterator[dict]:
    """Every claim made in the period on a task under the area, oldest first, a page at a time."""
    names = await places(scope)
    source, params = _where(scope)
    after = 0
    while True:
        rows = await Claim.raw(
            "SELECT c.id AS id, c.task AS task, k.need AS need, k.title AS title, k.area AS area, "
            "k.category AS category, m.name AS volunteer, o.name AS organisation, c.status AS claim_status, "
            "c.created_at AS claimed_at, c.submitted_at AS submitted_at, "
            "CASE WHEN c.status = 'confirmed' THEN c.decided_at END AS confirmed_at, c.minutes AS minutes, "
            f"c.points AS points {source} AND c.created_at >= {{}} AND c.created_at < {{}} AND c.id > {{}} "
            f"ORDER BY c.id LIMIT {PAGE_ROWS}",
            *params,
            scope.period.start_at,
            scope.period.end_at,
            after,
        )
        for row in rows:
            yield {
                **row,
                "area": names.get(int(row["area"]), ""),
                "claimed_at": _moment(row["claimed_at"]),
                "submitted_at": _moment(row["submitted_at"]),
                "confirmed_at": _moment(row["confirmed_at"]),
            }
        if len(rows) < PAGE_ROWS:
            return
        after = rows[-1]["id"]


async def volunteers_ledger(scope: Scope) -> AsyncIterator[dict]:
    """Each volunteer's confirmed work in the period on tasks under the area, summed in SQL, most
    hours first (one row per volunteer: a district's are some tens of thousands of short rows).
    Where they live is said by their community only."""
    source, params = _where(scope)
    rows = await Claim.raw(
        "SELECT c.member AS id, MIN(m.name) AS name, MIN(h.path) AS home, COUNT(*) AS claims, "
        f"SUM(c.minutes) AS minutes, SUM(c.points) AS points {source.replace('WHERE', HOME)} "
        "AND c.status = 'confirmed' AND c.decided_at >= {} AND c.decided_at < {} "
        "GROUP BY c.member ORDER BY SUM(c.minutes) DESC, c.member",
        *params,
        scope.period.start_at,
        scope.period.end_at,
    )
    communities = {
        row["id"]: row["name"]
        for row in await Area.select(Area.id, Area.name).where(Area.level == "community")
    }
    for row in rows:
        minutes = int(row["minutes"])
        home = AreaPath.parse(row["home"] or "").community_id
        yield {
            **row,
            "home": communities.get(home, "") if home is not None else "",
            "claims": int(row["claims"]),
            "minutes": minutes,
            "hours": hours(minutes * 60),
            "points": int(row["points"] or 0),
        }


def _moment(value):
    return None if value is None else as_utc(value)
