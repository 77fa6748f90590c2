"""Venture calls: staff publish one with a budget, criteria and a panel; past its deadline it is
under review (the sweep moves it, and so does any action that finds it due); staff may cancel
it before an award."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from market import trace  # noqa: F401  (registers the market's subjects)
from market.fund import yuan
from market.rules import refuse
from market.rules import ventures as rules
from market.rules.ventures import CallFacts
from market.tables import Bid, Call, Criterion, Panelist
from market.ventures.drafts import CriterionDraft, checked_amount, checked_criteria
from market.ventures.facts import CALL_COLUMNS, area_path, call_facts, facts_of_call
from market.ventures.limits import (
    BUDGET_MAX_FEN,
    CALL_DESCRIPTION_MAX_CHARS,
    CALL_TITLE_MAX_CHARS,
    PAGE,
    PANEL_MAX_MEMBERS,
    REASON_MAX_CHARS,
)
from market.ventures.records import CallRecord, CriterionRecord
from projects import errors, events
from projects.access import Actor, community_path
from projects.areas import get_area, under
from projects.db import atomic
from projects.errors import N_
from projects.states import load, move, newest_first, text
from projects.tables import AREA_LEVELS, Member

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CallPage:
    items: list[CallRecord]
    next_cursor: str | None


async def publish_call(
    actor: Actor,
    *,
    title: str,
    area_id: int,
    budget: int,
    deadline: datetime,
    criteria: list[CriterionDraft],
    panel: list[int],
    now: datetime,
    description: str = "",
    vote_weight: int = 0,
) -> CallRecord:
    """Staff of the community publish a call for it (or for an area in it): the community's
    fund pays the grant."""
    title = text(title, CALL_TITLE_MAX_CHARS, N_("title"), field="title", required=True)
    description = text(description, CALL_DESCRIPTION_MAX_CHARS, N_("description"), field="description")
    checked_amount(budget, N_("A budget is ¥0.01 to {limit}."), "budget", limit=yuan(BUDGET_MAX_FEN))
    if deadline <= now:
        raise errors.Invalid(N_("The deadline must be in the future."), field="deadline")
    if isinstance(vote_weight, bool) or not isinstance(vote_weight, int) or not 0 <= vote_weight <= 100:
        raise errors.Invalid(N_("The weight of residents' votes is 0 to 100 percent."), field="vote_weight")
    criteria = checked_criteria(criteria)
    panel = sorted(set(panel))
    if not 1 <= len(panel) <= PANEL_MAX_MEMBERS:
        raise errors.Invalid(
            N_("A call has 1 to {limit} panel members."), field="panel", limit=PANEL_MAX_MEMBERS
        )
    async with atomic():
        area = await get_area(area_id)
        if AREA_LEVELS.index(area.level) < AREA_LEVELS.index("community"):
            raise errors.Invalid(N_("A call is for a community or an area in it."), field="area_id")
        actor.require(actor.is_staff(community_path(area.path)))
        active = Member.active == True  # noqa: E712 (a Piccolo expression)
        found = await Member.select(Member.id).where(Member.id.is_in(panel) & active)
        if len(found) != len(panel):
            raise errors.NotFound(thing=N_("member"), field="panel")
        rows = await Call.insert(
            Call(
                community=area.ancestor_ids()[2],
                area=area.id,
                title=title,
                description=description,
                budget=budget,
                deadline=deadline,
                vote_weight=vote_weight,
                status="open",
                created_by=actor.member_id,
                created_at=now,
                updated_at=now,
            )
        ).returning(Call.id)
        call_id = rows[0]["id"]
        await Criterion.insert(
            *(
                Criterion(
                    call=call_id,
                    position=position,
                    name=criterion.name,
                    name_en=criterion.name_en,
                    weight=criterion.weight,
                    max_score=criterion.max_score,
                )
                for position, criterion in enumerate(criteria, start=1)
            )
        )
        await Panelist.insert(*(Panelist(call=call_id, member=member_id) for member_id in panel))
        await events.record("call", call_id, "publish", actor=actor.member_id, now=now, to_state="open")
    return await view_call(actor, call_id, now=now)


async def get_call(call_id: int) -> CallRecord:
    """A call as it is (for the domain's own use: no viewer, no actions)."""
    rows = await Call.select(*CALL_COLUMNS).where(Call.id == call_id)
    if not rows:
        raise errors.NotFound(thing=N_("call"))
    return (await _calls(rows))[0]


async def load_call(call_id: int) -> dict:
    """A call's row, unlocked."""
    row = await Call.select().where(Call.id == call_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("call"))
    return row


async def _calls(rows: list[dict], facts: dict[int, CallFacts] | None = None, actor=None) -> list[CallRecord]:
    """The calls of ``rows``, with their criteria, panels and bid counts (three queries), and
    what ``actor`` may do to each (given their ``facts``)."""
    ids = [row["id"] for row in rows] or [-1]
    criteria: dict[int, list[CriterionRecord]] = {}
    for row in await Criterion.select().where(Criterion.call.is_in(ids)).order_by(Criterion.position):
        criteria.setdefault(row["call"], []).append(CriterionRecord(**row))
    panels: dict[int, list[int]] = {}
    for row in await Panelist.select().where(Panelist.call.is_in(ids)).order_by(Panelist.member):
        panels.setdefault(row["call"], []).append(row["member"])
    counts = {
        row["call"]: int(row["n"])
        for row in await Bid.raw(
            "SELECT call, COUNT(*) AS n FROM market_bid WHERE status <> 'withdrawn' AND call IN ("
            + ", ".join("{}" for _ in ids)
            + ") GROUP BY call",
            *ids,
        )
    }
    return [
        CallRecord(
            **{key: value for key, value in row.items() if key != "area_path"},
            criteria=tuple(criteria.get(row["id"], ())),
            panel=tuple(panels.get(row["id"], ())),
            bids=counts.get(row["id"], 0),
            may=rules.call_may(actor, facts[row["id"]]) if facts else frozenset(),
        )
        for row in rows
    ]


async def view_call(actor: Actor, call_id: int, *, now: datetime | None = None) -> CallRecord:
    """A call, with what the actor may do to it ``now`` (an open call past its deadline is
    under review)."""
    rows = await Call.select(*CALL_COLUMNS).where(Call.id == call_id)
    if not rows:
        raise errors.NotFound(thing=N_("call"))
    facts = await call_facts(actor, rows, now)
    refuse(rules.see_call(actor, facts[call_id]))
    return (await _calls(rows, facts, actor))[0]


async def list_calls(
    actor: Actor,
    *,
    now: datetime | None = None,
    status: str | None = None,
    area_id: int | None = None,
    cursor: str | None = None,
    limit: int = PAGE,
) -> CallPage:
    """Newest first: the calls near me (in my communities or the areas I manage), those I am on
    the panel of; every call for an organisation's representative or an admin."""
    query = Call.select(*CALL_COLUMNS)
    if area_id is not None:
        query = query.where(under(Call.area.path, (await get_area(area_id)).path))
    if not (actor.is_admin or actor.represented):
        panel = Panelist.select(Panelist.call).where(Panelist.member == actor.member_id)
        clause = Call.id.is_in(panel)
        for path in actor.communities():
            clause = clause | under(Call.area.path, path)
        query = query.where(clause)
    if status is not None:
        query = query.where(Call.status == status)
    rows, next_cursor = await newest_first(query, Call.id, cursor, limit)
    return CallPage(await _calls(rows, await call_facts(actor, rows, now), actor), next_cursor)


async def review_if_due(call: dict, now: datetime) -> dict:
    """An open call past its deadline is under review, whether or not the sweep came by yet."""
    if call["status"] == "open" and now >= call["deadline"]:
        return await move(
            Call,
            "call",
            call,
            "reviewing",
            "close",
            actor=None,
            now=now,
            why=N_("The deadline for bids has passed."),
        )
    return call


async def close_due_calls(*, now: datetime) -> int:
    """The sweep: open calls past their deadline go to review. Each in its own transaction,
    checked again under its lock; answers how many it closed."""
    closed, last = 0, 0
    while True:
        rows = (
            await Call.select(Call.id)
            .where((Call.status == "open") & (Call.deadline <= now) & (Call.id > last))
            .order_by(Call.id)
            .limit(PAGE)
        )
        for row in rows:
            try:
                async with atomic():
                    call = await load(Call, "call", row["id"])
                    if (await review_if_due(call, now))["status"] != call["status"]:
                        closed += 1
            except Exception:  # one call that fails must not hold up the others
                logger.exception("closing call %s failed; it is tried again next time", row["id"])
        if len(rows) < PAGE:
            return closed
        last = rows[-1]["id"]


async def cancel_call(actor: Actor, call_id: int, *, reason: str, now: datetime) -> CallRecord:
    """Staff call it off before an award; its bids stay as they were (nothing was decided)."""
    reason = text(reason, REASON_MAX_CHARS, N_("reason"), field="reason", required=True)
    async with atomic():
        call = await load(Call, "call", call_id)
        refuse(rules.cancel(actor, await facts_of_call(actor, call, None)))
        await move(Call, "call", call, "cancelled", "cancel", actor=actor.member_id, now=now, why=reason)
    return await view_call(actor, call_id, now=now)


async def call_history(actor: Actor, call_id: int) -> list[events.Trace]:
    """The call's trace: that someone voted, for everyone; who, for its staff only; for whom,
    never (``vote`` records no bid)."""
    call = await view_call(actor, call_id)
    history = await events.history("call", call_id)
    if not actor.is_staff(await area_path(call)):
        history = [
            replace(event, actor=None, hidden=True) if event.action == "vote" else event for event in history
        ]
    return history
