"""Bids: an organisation's representative bids on an open call with a budget and a plan of
milestones, revises it or withdraws it until the deadline."""

from __future__ import annotations

from datetime import datetime

from market import errors as market_errors
from market import trace  # noqa: F401  (registers the market's subjects)
from market.fund import yuan
from market.rules import refuse
from market.rules import ventures as rules
from market.rules.ventures import BidFacts, CallFacts
from market.tables import Bid, Call, Milestone
from market.ventures.calls import view_call
from market.ventures.drafts import MilestoneDraft, checked_amount, checked_plan
from market.ventures.facts import bid_facts, facts_of_call, facts_of_call_id, milestone_facts
from market.ventures.limits import (
    BUDGET_MAX_FEN,
    CALL_MAX_BIDS,
    PROPOSAL_MAX_CHARS,
    REASON_MAX_CHARS,
    TEAM_MAX_CHARS,
)
from market.ventures.records import BidRecord, MilestoneRecord
from market.ventures.standing import standing
from projects import errors, events
from projects.access import Actor
from projects.db import atomic
from projects.errors import N_
from projects.states import load, move, text
from projects.tables import Organisation


async def get_bid(bid_id: int) -> BidRecord:
    """A bid as it is (for the domain's own use: no viewer, no actions)."""
    records = await _bids(await Bid.select().where(Bid.id == bid_id))
    if not records:
        raise errors.NotFound(thing=N_("bid"))
    return records[0]


async def load_bid_of(call: dict, bid_id: int) -> dict:
    """A bid of ``call``, locked (after the call, which the caller holds)."""
    bid = await load(Bid, "bid", bid_id)
    if bid["call"] != call["id"]:
        raise errors.NotFound(thing=N_("bid"))
    return bid


async def _ranked(actor: Actor, call: CallFacts, facts: list[BidFacts]) -> list[BidFacts]:
    """The bids' facts with their rank, looked up only when the actor could award one now."""
    if rules.award(actor, call) is not None:
        return facts
    row = await Call.select().where(Call.id == call.id).first()
    ranked = await standing(row, counted=rules.votes_counted(call))
    ranks = {entry.bid: entry.rank for entry in ranked.entries}
    return [fact.with_rank(ranks.get(fact.id), ranked.missing) for fact in facts]


async def _bids(
    rows: list[dict], actor: Actor | None = None, call: CallFacts | None = None
) -> list[BidRecord]:
    """The bids of ``rows`` with their milestones; given the ``actor`` and the ``call``'s facts,
    only those the actor may see, with what they may do to each bid and milestone."""
    ids = [row["id"] for row in rows] or [-1]
    milestones: dict[int, list[dict]] = {}
    for row in await Milestone.select().where(Milestone.bid.is_in(ids)).order_by(Milestone.position):
        milestones.setdefault(row["bid"], []).append(row)
    if actor is None or call is None:
        return [
            BidRecord(**row, milestones=tuple(MilestoneRecord(**m) for m in milestones.get(row["id"], ())))
            for row in rows
        ]
    facts = await _ranked(actor, call, [bid_facts(row, call) for row in rows])
    return [
        BidRecord(
            **row,
            milestones=tuple(
                MilestoneRecord(**m, may=rules.milestone_may(actor, milestone_facts(m, row, call)))
                for m in milestones.get(row["id"], ())
            ),
            may=rules.bid_may(actor, fact),
        )
        for row, fact in zip(rows, facts, strict=True)
        if rules.sees_bid(actor, fact)
    ]


async def view_bid(actor: Actor, bid_id: int, *, now: datetime | None = None) -> BidRecord:
    rows = await Bid.select().where(Bid.id == bid_id)
    if not rows:
        raise errors.NotFound(thing=N_("bid"))
    found = await _bids(rows, actor, await facts_of_call_id(actor, rows[0]["call"], now))
    if not found:
        raise errors.NotFound(thing=N_("bid"))
    return found[0]


async def list_bids(actor: Actor, call_id: int, *, now: datetime | None = None) -> list[BidRecord]:
    """The bids of a call that ``actor`` may see, oldest first (at most ``CALL_MAX_BIDS``), with what
    they may do to each."""
    await view_call(actor, call_id, now=now)
    rows = await Bid.select().where(Bid.call == call_id).order_by(Bid.id).limit(CALL_MAX_BIDS)
    return await _bids(rows, actor, await facts_of_call_id(actor, call_id, now))


async def submit_bid(
    actor: Actor,
    call_id: int,
    *,
    organisation_id: int | None,
    proposal: str,
    budget: int,
    milestones: list[MilestoneDraft],
    now: datetime,
    team: str = "",
) -> BidRecord:
    """An organisation's representative bids, or revises the bid (its plan replaced), until
    the deadline. A withdrawn bid can be submitted again. No ``organisation_id``: the one
    organisation the actor represents."""
    if organisation_id is None:
        represented = actor.represented
        if len(represented) != 1:
            actor.require(bool(represented))
            raise errors.Invalid(N_("Say which organisation bids."), field="organisation_id")
        organisation_id = represented[0]
    proposal = text(proposal, PROPOSAL_MAX_CHARS, N_("proposal"), field="proposal", required=True)
    team = text(team, TEAM_MAX_CHARS, N_("team"), field="team")
    checked_amount(budget, N_("A budget is ¥0.01 to {limit}."), "budget", limit=yuan(BUDGET_MAX_FEN))
    plan = checked_plan(milestones, budget, now)
    async with atomic():
        call = await load(Call, "call", call_id)
        refuse(rules.bid(actor, await facts_of_call(actor, call, now)))
        actor.require(actor.represents(organisation_id))
        if not await Organisation.exists().where(Organisation.id == organisation_id):
            raise errors.NotFound(thing=N_("organisation"), field="organisation_id")
        if budget > call["budget"]:
            raise market_errors.OverBudget(budget=yuan(budget), limit=yuan(call["budget"]), field="budget")
        found = await Bid.select(Bid.id).where((Bid.call == call_id) & (Bid.organisation == organisation_id))
        values = {"proposal": proposal, "team": team, "budget": budget, "submitted_by": actor.member_id}
        if found:
            bid = await load(Bid, "bid", found[0]["id"])
            bid = await move(
                Bid,
                "bid",
                bid,
                "submitted",
                "revise" if bid["status"] == "submitted" else "resubmit",
                actor=actor.member_id,
                now=now,
                why=f"revision {bid['revision'] + 1}",
                revision=bid["revision"] + 1,
                **values,
            )
            # The new plan replaces the old (whose milestone ids are never reused: see the schema).
            for old in (
                await Milestone.select(Milestone.id).where(Milestone.bid == bid["id"]).order_by(Milestone.id)
            ):
                await events.record(
                    "milestone", old["id"], "replace", actor=actor.member_id, now=now, from_state="planned"
                )
            await Milestone.delete().where(Milestone.bid == bid["id"])
        else:
            if await Bid.count().where((Bid.call == call_id) & (Bid.status != "withdrawn")) >= CALL_MAX_BIDS:
                raise errors.Conflict(N_("This call takes at most {limit} bids."), limit=CALL_MAX_BIDS)
            rows = await Bid.insert(
                Bid(
                    call=call_id,
                    organisation=organisation_id,
                    status="submitted",
                    revision=1,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
            ).returning(Bid.id)
            bid = {"id": rows[0]["id"]}
            await events.record(
                "bid", bid["id"], "submit", actor=actor.member_id, now=now, to_state="submitted"
            )
        rows = await Milestone.insert(
            *(
                Milestone(
                    bid=bid["id"],
                    position=position,
                    title=milestone.title,
                    amount=milestone.amount,
                    due_at=milestone.due_at,
                    status="planned",
                    updated_at=now,
                )
                for position, milestone in enumerate(plan, start=1)
            )
        ).returning(Milestone.id)
        for row in rows:
            await events.record(
                "milestone", row["id"], "plan", actor=actor.member_id, now=now, to_state="planned"
            )
    return await view_bid(actor, bid["id"], now=now)


async def withdraw_bid(actor: Actor, bid_id: int, *, now: datetime, reason: str = "") -> BidRecord:
    reason = text(reason, REASON_MAX_CHARS, N_("reason"), field="reason")
    async with atomic():
        call_id = (await get_bid(bid_id)).call
        call = await load(Call, "call", call_id)
        bid = await load(Bid, "bid", bid_id)
        refuse(rules.withdraw(actor, bid_facts(bid, await facts_of_call(actor, call, now))))
        await move(Bid, "bid", bid, "withdrawn", "withdraw", actor=actor.member_id, now=now, why=reason)
    return await view_bid(actor, bid_id, now=now)


async def bid_history(actor: Actor, bid_id: int, *, now: datetime | None = None) -> list[events.Trace]:
    await view_bid(actor, bid_id, now=now)
    return await events.history("bid", bid_id)
