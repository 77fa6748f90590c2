"""Issuance controls: points are created only by a community's issuer, so issuing is governed per
community (DESIGN "Issuance"): caps on the rate, the minutes of a claim and of a member's day,
a task's capacity; and four eyes over large issues (a confirmation or bonus over a threshold in
points, a grant or donation over one in fen waits for a second staff member). The defaults are
DESIGN's; staff above a community (or an admin) set its own."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from projects import errors
from projects.access import Actor
from projects.area_path import COMMUNITY_DEPTH, AreaPath
from projects.areas import get_area
from projects.errors import N_
from projects.limits import (
    APPROVAL_OVER_MAX_FEN,
    APPROVAL_OVER_MAX_POINTS,
    CLAIM_MAX_MINUTES,
    DAY_MAX_MINUTES,
    TASK_MAX_PEOPLE,
    TASK_MAX_POINTS_PER_HOUR,
)
from projects.tables import IssuancePolicy

ZONE = ZoneInfo("Asia/Shanghai")  # a member's day is a day in China


@dataclass(frozen=True, slots=True)
class Policy:
    max_points_per_hour: int = 50
    max_minutes_per_claim: int = 600
    max_minutes_per_day: int = 720
    max_capacity: int = 200
    approval_over_points: int = 100
    approval_over_fen: int = 1_000_000  # ¥10,000


DEFAULT = Policy()
# What each setting may be: the database's CHECKs, said once for the forms and the API.
LIMITS = {
    "max_points_per_hour": (0, TASK_MAX_POINTS_PER_HOUR),
    "max_minutes_per_claim": (1, CLAIM_MAX_MINUTES),
    "max_minutes_per_day": (1, DAY_MAX_MINUTES),
    "max_capacity": (1, TASK_MAX_PEOPLE),
    "approval_over_points": (0, APPROVAL_OVER_MAX_POINTS),
    "approval_over_fen": (0, APPROVAL_OVER_MAX_FEN),
}


async def policy_for(community_id: int) -> Policy:
    row = (
        await IssuancePolicy.select(*(getattr(IssuancePolicy, f.name) for f in fields(Policy)))
        .where(IssuancePolicy.community == community_id)
        .first()
    )
    return Policy(**row) if row else DEFAULT


def community_of(path: str) -> int:
    """The community an area with ``path`` belongs to (its issuer pays)."""
    return AreaPath.parse(path).ids[COMMUNITY_DEPTH - 1]


async def read_policy(actor: Actor, community_id: int) -> Policy:
    """A community's caps and thresholds, for its staff and staff above it (and admins): to
    anyone else of the community it is refused, and elsewhere it is not there."""
    community = await get_area(community_id)
    if community.level != "community" or not (actor.is_staff(community.path) or actor.near(community.path)):
        raise errors.NotFound(thing=N_("community"))
    actor.require(actor.is_staff(community.path))
    return await policy_for(community_id)


async def set_policy(actor: Actor, community_id: int, *, now: datetime, **values: int) -> Policy:
    """Staff of a level above the community, or an admin, set its caps and thresholds: a
    community does not set its own."""
    community = await get_area(community_id)
    if community.level != "community":
        raise errors.NotFound(thing=N_("community"))
    above = any(
        grant.role == "staff" and grant.path != community.path and community.path.startswith(grant.path)
        for grant in actor.grants
    )
    actor.require(actor.is_admin or above)
    policy = replace(await policy_for(community_id), **values)
    for name, value in asdict(policy).items():
        low, high = LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise errors.Invalid(
                N_("Enter a whole number from {low} to {high}."), field=name, low=low, high=high
            )
    columns = {getattr(IssuancePolicy, name): value for name, value in asdict(policy).items()}
    stamp = {IssuancePolicy.updated_by: actor.member_id, IssuancePolicy.updated_at: now}
    if await IssuancePolicy.exists().where(IssuancePolicy.community == community_id):
        await IssuancePolicy.update({**columns, **stamp}).where(IssuancePolicy.community == community_id)
    else:
        await IssuancePolicy.insert(
            IssuancePolicy(
                community=community_id, updated_by=actor.member_id, updated_at=now, **asdict(policy)
            )
        )
    return policy


def check_task(policy: Policy, *, points_per_hour: int, capacity: int) -> None:
    if points_per_hour > policy.max_points_per_hour:
        raise errors.Invalid(
            N_("This community issues at most {limit} points per hour."),
            field="points_per_hour",
            limit=policy.max_points_per_hour,
        )
    if capacity > policy.max_capacity:
        raise errors.Invalid(
            N_("A task of this community has at most {limit} places."),
            field="capacity",
            limit=policy.max_capacity,
        )


def check_minutes(policy: Policy, minutes: int, *, that_day: int) -> None:
    """A claim's minutes, and the member's minutes of that day with them (``that_day``: those
    already reported)."""
    if minutes > policy.max_minutes_per_claim:
        raise errors.Invalid(
            N_("One claim counts at most {limit} minutes."),
            field="minutes",
            limit=policy.max_minutes_per_claim,
        )
    if that_day + minutes > policy.max_minutes_per_day:
        raise errors.Invalid(
            N_("At most {limit} minutes a day count for one member: {left} are left today."),
            field="minutes",
            limit=policy.max_minutes_per_day,
            left=max(0, policy.max_minutes_per_day - that_day),
        )


def day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The day in China that ``moment`` falls in."""
    start = moment.astimezone(ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def needs_approval(policy: Policy, points: int) -> bool:
    """Four eyes: does issuing ``points`` at once wait for a second staff member?"""
    return points > policy.approval_over_points


def needs_fund_approval(policy: Policy, amount_fen: int) -> bool:
    """Four eyes on the community fund: does a donation or a grant of ``amount_fen`` wait for a
    second staff member?"""
    return amount_fen > policy.approval_over_fen
