"""Ratings (三评): residents rate each confirmed service, which rates the person who did it and
the leader who handled it, and rate resources once a quarter. Results are published per quarter
and ranked, aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from projects import errors
from projects.access import Actor, area_path
from projects.area_path import AreaPath
from projects.areas import path_range
from projects.claims import locked
from projects.db import atomic, for_update
from projects.errors import N_
from projects.limits import COMMENT_MAX_CHARS
from projects.quarters import quarter_of
from projects.rules import claims as claim_rules
from projects.states import text
from projects.tables import (
    Area,
    LeaderRating,
    Need,
    OrganisationMember,
    Rating,
    Resource,
    Role,
)

LEADER_LEVELS = ("unit", "building", "grid")  # the "three leaders" (三长) a resident rates


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


@dataclass(frozen=True, slots=True)
class LeaderRatingRecord:
    id: int
    rater: int
    leader: int
    area: int
    score: int
    comment: str
    period: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MyLeader:
    """One of my three leaders (三长), and my score of them this quarter (None: not yet)."""

    area: int
    level: str
    area_name: str
    leader: int | None  # None: the area has no leader now
    leader_name: str
    score: int | None
    period: str


def quarter(moment: datetime) -> str:
    """The quarter a rating made at ``moment`` belongs to, in China's time."""
    return quarter_of(moment)


def _check(score: int, comment: str) -> str:
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise errors.Invalid(N_("A score is 1 to 5."), field="score")
    return text(comment, COMMENT_MAX_CHARS, N_("comment"))


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
            Resource.select(Resource.organisation, Resource.area).where(Resource.id == resource_id)
        ).first()
        if resource is None:
            raise errors.NotFound(thing=N_("resource"))
        if not actor.served_by(await area_path(resource["area"])):  # its people rate it, for its evaluation
            raise errors.NotAllowed(N_("Only the people of the community a resource serves rate it."))
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


async def standings(
    actor: Actor, subject: str, *, period: str | None = None, limit: int = 50
) -> list[Standing]:
    """Performers, leaders or resources ranked by average score, then by number of ratings, from
    the ratings of the residents of the actor's communities (or the areas they manage), as needs
    are seen: live standings name people, so they stay among neighbours until a quarter is
    published. ``period`` is a quarter ("2026Q4") or a year ("2026"); None is all time."""
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
    if not actor.is_admin:
        places = actor.communities()
        if not places:
            return []
        where += " AND (" + " OR ".join("(a.path >= {} AND a.path < {})" for _ in places) + ")"
        args.extend(bound for place in places for bound in path_range(place))
    if period is not None:
        where += " AND r.period LIKE {}"
        args.append(period + "%")
    sql = (
        f"SELECT r.{column} AS id, t.name AS name, COUNT(*) AS ratings, SUM(r.score) AS total "
        f"FROM projects_rating r JOIN {table} t ON t.id = r.{column} "
        "JOIN projects_member m ON m.id = r.rater JOIN projects_area a ON a.id = m.home_area "
        f"WHERE {where} "
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


async def my_leaders(actor: Actor, *, now: datetime) -> list[MyLeader]:
    """The leaders of my unit, building and grid, with my score of each this quarter."""
    if not actor.home_path:
        return []
    area_ids = list(AreaPath.parse(actor.home_path).ids[-3:][::-1])
    period = quarter(now)
    areas = await Area.select(Area.id, Area.level, Area.name).where(Area.id.is_in(area_ids))
    leaders = await Role.select(Role.area, Role.member, Role.member.name.as_alias("name")).where(
        Role.area.is_in(area_ids) & (Role.role == "leader")
    )
    mine = await LeaderRating.select(LeaderRating.area, LeaderRating.score).where(
        (LeaderRating.rater == actor.member_id)
        & (LeaderRating.period == period)
        & LeaderRating.area.is_in(area_ids)
    )
    leader_of = {row["area"]: row for row in leaders}
    score_of = {row["area"]: row["score"] for row in mine}
    by_id = {row["id"]: row for row in areas}
    found = []
    for area_id in area_ids:
        area = by_id.get(area_id)
        if area is None or area["level"] not in LEADER_LEVELS:
            continue
        leader = leader_of.get(area_id)
        found.append(
            MyLeader(
                area_id,
                area["level"],
                area["name"],
                leader["member"] if leader else None,
                leader["name"] if leader else "",
                score_of.get(area_id),
                period,
            )
        )
    return found


async def rate_leader(
    actor: Actor, area_id: int, *, score: int, comment: str = "", now: datetime
) -> LeaderRatingRecord:
    """评三长: a resident scores the leader of their own unit, building or grid, once a quarter."""
    comment = _check(score, comment)
    period = quarter(now)
    async with atomic():
        mine = {leader.area: leader for leader in await my_leaders(actor, now=now)}
        if area_id not in mine:
            raise errors.NotFound(thing=N_("leader"))
        leader = mine[area_id]
        if leader.leader is None:
            raise errors.Conflict(N_("This {level} has no leader to rate."), level=leader.level)
        if leader.leader == actor.member_id:
            raise errors.OwnWork(action=N_("rate"))
        if leader.score is not None:
            raise errors.AlreadyRated(N_("You have already rated this leader this quarter."))
        rows = await LeaderRating.insert(
            LeaderRating(
                rater=actor.member_id,
                leader=leader.leader,
                area=area_id,
                score=score,
                comment=comment,
                period=period,
                created_at=now,
            )
        ).returning(*LeaderRating.all_columns())
    return LeaderRatingRecord(**rows[0])
