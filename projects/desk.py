"""The desk of leaders (三长) and staff: the needs of the areas they serve, each once, filtered by
what waits (to triage, open, overdue, escalated, common needs for a consultation), area and
category, searched by number, the resident's mobile number or words; and the work waiting for
them to confirm or settle."""

from __future__ import annotations

import re
from dataclasses import dataclass

from projects import claims, errors, needs
from projects.access import Actor, area_path
from projects.areas import any_under, under
from projects.claims import ClaimRecord
from projects.errors import N_
from projects.needs import NeedRecord, select_needs
from projects.rules.needs import OPEN
from projects.states import parse_cursor
from projects.tables import Claim, Member, Need

PAGE = 20
QUEUE = 100
SEARCH_MAX_CHARS = 100
NUMBER = re.compile(r"#?([1-9][0-9]{0,9})")
PHONE = re.compile(r"1[3-9][0-9]{9}")

# What a desk list can show; "open" is everything still to be done.
VIEWS = {
    "new": N_("to triage"),
    "open": N_("open"),
    "overdue": N_("overdue"),
    "escalated": N_("escalated"),
    "common": N_("common needs"),
    "all": N_("all"),
}


@dataclass(frozen=True, slots=True)
class DeskPage:
    items: list[NeedRecord]  # each with its work order as the viewer may know it
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class ClaimToDecide:
    claim: ClaimRecord
    task_title: str
    performer: str
    need: int | None


def _clause(view: str):
    clauses = {
        "new": Need.status == "new",
        "open": Need.status.is_in(list(OPEN)),
        "overdue": Need.status.is_in(list(OPEN)) & (Need.overdue == True),  # noqa: E712
        "escalated": Need.status.is_in(list(OPEN)) & (Need.escalations > 0),
        "common": Need.status.is_in(["new", "triaged", "in_progress"]) & (Need.scope == "common"),
        "all": None,
    }
    if view not in clauses:
        raise errors.Invalid(N_("Unknown list {name}."), field="view", name=view)
    return clauses[view]


def _served(actor: Actor):
    """The needs of the areas the actor leads or is staff of, or handled there."""
    paths = actor.managed_paths
    if not paths:
        raise errors.NotAllowed()
    return any_under(Need.area.path, paths) | any_under(Need.handling_area.path, paths)


def _search(query, words: str):
    """A need's number (#12), its resident's mobile number, or words of its description."""
    words = words.strip()
    if len(words) > SEARCH_MAX_CHARS:
        raise errors.Invalid(
            N_("The {label} is at most {limit} characters."),
            field="q",
            label=N_("search"),
            limit=SEARCH_MAX_CHARS,
        )
    if number := NUMBER.fullmatch(words):
        return query.where(Need.id == int(number.group(1)))
    if PHONE.fullmatch(words):
        return query.where(Need.resident.is_in(Member.select(Member.id).where(Member.phone == words)))
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return query.where(Need.description.ilike(f"%{escaped}%"))


async def desk_needs(
    actor: Actor,
    *,
    view: str = "open",
    area_id: int | None = None,
    category: str | None = None,
    search: str = "",
    cursor: str | None = None,
    limit: int = PAGE,
) -> DeskPage:
    """One page of the needs on the actor's desk, oldest first (the longest waiting on top),
    each need once, with what the actor may do to it."""
    limit = max(1, min(limit, QUEUE))
    query = select_needs().order_by(Need.id).limit(limit + 1)
    if not actor.is_admin:
        query = query.where(_served(actor))
    clause = _clause(view)
    if clause is not None:
        query = query.where(clause)
    if area_id is not None:
        path = await area_path(area_id)
        query = query.where(under(Need.area.path, path) | under(Need.handling_area.path, path))
    if category:
        query = query.where((Need.category == category) | (Need.category.parent == category))
    if search.strip():
        query = _search(query, search)
    after = parse_cursor(cursor)
    if after is not None:
        query = query.where(Need.id > after)
    rows = await query
    items = await needs.records(actor, rows[:limit])
    return DeskPage(items, str(rows[limit - 1]["id"]) if len(rows) > limit else None)


async def claims_to_decide(actor: Actor, *, limit: int = QUEUE) -> list[ClaimToDecide]:
    """Work submitted (to confirm on a resident's behalf), disputed (to settle) or waiting for a
    second staff member's approval in the areas the actor manages, oldest first: only what they
    may decide (never their own work)."""
    query = (
        Claim.select(
            *Claim.all_columns(),
            Claim.task.title.as_alias("task_title"),
            Claim.task.need.as_alias("task_need"),
            Claim.member.name.as_alias("member_name"),
        )
        .where(Claim.status.is_in(["submitted", "disputed", "awaiting_approval"]))
        .order_by(Claim.id)
        .limit(max(1, min(limit, 500)))
    )
    if not actor.is_admin:
        paths = actor.managed_paths
        if not paths:
            raise errors.NotAllowed()
        query = query.where(any_under(Claim.task.area.path, paths))
    rows = await query
    extra = {
        row["id"]: {
            "task_title": row.pop("task_title"),
            "need": row.pop("task_need"),
            "performer": row.pop("member_name"),
        }
        for row in rows
    }
    return [
        ClaimToDecide(claim, **extra[claim.id])
        for claim in await claims.records(actor, rows)
        if claim.may & {"confirm", "settle", "approve"}
    ]
