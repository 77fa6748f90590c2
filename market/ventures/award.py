"""The award: staff give the grant to a bid ranked first; the other bids lose."""

from __future__ import annotations

from datetime import datetime

from market import trace  # noqa: F401  (registers the market's subjects)
from market.rules import refuse
from market.rules import ventures as rules
from market.tables import Bid, Call
from market.ventures.bids import load_bid_of
from market.ventures.calls import review_if_due, view_call
from market.ventures.facts import bid_facts, facts_of_call
from market.ventures.ranking import shown
from market.ventures.records import CallRecord
from market.ventures.standing import standing
from projects.access import Actor
from projects.db import atomic
from projects.states import load, move


async def award_call(actor: Actor, call_id: int, bid_id: int, *, now: datetime) -> CallRecord:
    """Staff award the grant to a bid ranked first, once every panel member has scored every
    bid (and, where votes weigh, once voting has closed; otherwise the award closes it); of
    bids tied first, staff choose one. The others lose."""
    async with atomic():
        call = await load(Call, "call", call_id)
        facts = await facts_of_call(actor, call, now)
        refuse(rules.award(actor, facts))
        call = await review_if_due(call, now)
        call = {**call, "voting_closed_at": call["voting_closed_at"] or now}
        bid = await load_bid_of(call, bid_id)
        ranking = await standing(call, counted=True)
        entry = next((entry for entry in ranking.entries if entry.bid == bid_id), None)
        ranked = bid_facts(bid, facts).with_rank(entry.rank if entry else None, ranking.missing)
        refuse(rules.award_bid(actor, ranked))
        for other in sorted(ranking.entries, key=lambda entry: entry.bid):  # bids locked in id order
            bid = await load(Bid, "bid", other.bid)
            if other.bid == bid_id:
                await move(
                    Bid,
                    "bid",
                    bid,
                    "awarded",
                    "award",
                    actor=actor.member_id,
                    now=now,
                    why=shown(other.score),
                )
            else:
                await move(
                    Bid, "bid", bid, "lost", "lose", actor=actor.member_id, now=now, why=shown(other.score)
                )
        await move(
            Call,
            "call",
            call,
            "awarded",
            "award",
            actor=actor.member_id,
            now=now,
            why=entry.organisation_name,
            awarded_bid=bid_id,
            voting_closed_at=call["voting_closed_at"],
        )
    return await view_call(actor, call_id, now=now)
