"""Ratings (三评): residents rate each confirmed service, which rates the person who did it and
the leader who handled it, and rate resources once a quarter. Results are published per quarter
and ranked, aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from projects import errors
from projects.access import Actor
from projects.claims import locked
from projects.db import atomic, for_update
from projects.errors import N_
from projects.rules import claims as claim_rules
from projects.states import text
from projects.tables import Need, OrganisationMember, Rating, Resource

ZONE = ZoneInfo("Asia/Shanghai")  # the quarter a rating counts in is a Chinese calendar quarter


@dataclass(frozen=True, slots=True)
class RatingRecord:
    id: int
    rater: int
    claim: int | None
    resource: int | None
    performer: int | None
    leader: int | None
    score: int
    comment: str
    period: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Standing:
    """One rated member or resource in a period: how many ratings, their average (2 places)."""

    id: int
    name: str
    ratings: int
    average: Decimal


def quarter(moment: datetime) -> str:
    local = moment.astimezone(ZONE)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def _check(score: int, comment: str) -> str:
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise errors.Invalid(N_("A score is 1 to 5."), field="score")
    return text(comment, 1000, N_("comment"))


async def rate_service(
    actor: Actor, claim_id: int, *, score: int, comment: str = "", now: datetime
) -> RatingRecord:
    """The resident who asked (or a neighbour who joined the common need) rates confirmed work."""
    comment = _check(score, comment)
    async with atomic():
        # Locked: one rating per rater, even when sent twice at once.
        task, claim, _ = await locked(actor, claim_id, claim_rules.rate)
        leader = task["created_by"]
        if task["need"] is not None:
            need = await Need.select(Need.handled_by).where(Need.id == task["need"]).first()
            leader = need["handled_by"] or leader
        rows = await Rating.insert(
            Rating(
                rater=actor.member_id,
                claim=claim_id,
                performer=claim["member"],
                leader=None if leader == actor.member_id else leader,
                score=score,
                comment=comment,
                period=quarter(now),
                created_at=now,
            )
        ).returning(*Rating.all_columns())
    return RatingRecord(**rows[0])


async def rate_resource(
    actor: Actor, resource_id: int, *, score: int, comment: str = "", now: datetime
) -> RatingRecord:
    comment = _check(score, comment)
    async with atomic():
        resource = await for_update(
            Resource.select(Resource.organisation).where(Resource.id == resource_id)
        ).first()
        if resource is None:
            raise errors.NotFound(thing=N_("resource"))
        if resource["organisation"] is not None and await OrganisationMember.exists().where(
            (OrganisationMember.organisation == resource["organisation"])
            & (OrganisationMember.member == actor.member_id)
        ):
            raise errors.OwnWork(action=N_("rate"))
        period = quarter(now)
        if await Rating.exists().where(
            (Rating.resource == resource_id) & (Rating.rater == actor.member_id) & (Rating.period == period)
        ):
            raise errors.AlreadyRated()
        rows = await Rating.insert(
            Rating(
                rater=actor.member_id,
                resource=resource_id,
                score=score,
                comment=comment,
                period=period,
                created_at=now,
            )
        ).returning(*Rating.all_columns())
    return RatingRecord(**rows[0])


_STANDINGS = {
    "performer": ("performer", "projects_member"),
    "leader": ("leader", "projects_member"),
    "resource": ("resource", "projects_resource"),
}


async def standings(subject: str, *, period: str | None = None, limit: int = 50) -> list[Standing]:
    """Performers, leaders or resources ranked by average score, then by number of ratings.
    ``period`` is a quarter ("2026Q4") or a year ("2026"); None is all time."""
    if subject not in _STANDINGS:
        raise errors.Invalid(N_("Standings are for volunteers, leaders or resources."))
    if period is not None and not (
        (len(period) == 4 and period.isdigit())
        or (len(period) == 6 and period[:4].isdigit() and period[4] == "Q" and period[5] in "1234")
    ):
        raise errors.Invalid(N_("A period is a year (2026) or a quarter (2026Q4)."))
    column, table = _STANDINGS[subject]
    where = f"r.{column} IS NOT NULL"
    args: list = []
    if period is not None:
        where += " AND r.period LIKE {}"
        args.append(period + "%")
    sql = (
        f"SELECT r.{column} AS id, t.name AS name, COUNT(*) AS ratings, SUM(r.score) AS total "
        f"FROM projects_rating r JOIN {table} t ON t.id = r.{column} WHERE {where} "
        f"GROUP BY r.{column}, t.name ORDER BY SUM(r.score) * 1.0 / COUNT(*) DESC, COUNT(*) DESC, r.{column} "
        f"LIMIT {max(1, min(int(limit), 500))}"
    )
    rows = await Rating.raw(sql, *args)
    return [
        Standing(
            row["id"],
            row["name"],
            row["ratings"],
            (Decimal(int(row["total"])) / row["ratings"]).quantize(Decimal("0.01"), ROUND_HALF_UP),
        )
        for row in rows
    ]
