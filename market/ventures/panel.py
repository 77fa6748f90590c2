"""The panel's scores and the residents' votes: panel members score the bids once bidding has
closed; residents of the call's area vote once, in secret, until staff close voting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from market import trace  # noqa: F401  (registers the market's subjects)
from market.rules import refuse
from market.rules import ventures as rules
from market.tables import Call, Criterion, Score, Vote
from market.ventures.bids import get_bid, load_bid_of
from market.ventures.calls import review_if_due, view_call
from market.ventures.facts import bid_facts, facts_of_call
from market.ventures.limits import CALL_MAX_CRITERIA
from market.ventures.records import CallRecord
from projects import errors, events
from projects.access import Actor
from projects.db import atomic
from projects.errors import N_
from projects.states import load, move


@dataclass(frozen=True, slots=True)
class ScoreSheet:
    """One panel member's scores of one bid, by criterion id."""

    bid: int
    panelist: int
    scores: dict[int, int]


@dataclass(frozen=True, slots=True)
class VoteRecord:
    id: int
    call: int
    bid: int
    member: int
    created_at: datetime


async def score_bid(actor: Actor, bid_id: int, scores: dict[int, int], *, now: datetime) -> ScoreSheet:
    """A panel member scores a bid on some or all criteria (0 to each one's highest score) once
    bidding has closed; scoring again replaces the earlier scores."""
    if not 1 <= len(scores) <= CALL_MAX_CRITERIA:
        raise errors.Invalid(N_("Give 1 to {limit} scores."), field="scores", limit=CALL_MAX_CRITERIA)
    async with atomic():
        call_id = (await get_bid(bid_id)).call
        call = await load(Call, "call", call_id)
        bid = await load_bid_of(call, bid_id)
        refuse(rules.score(actor, bid_facts(bid, await facts_of_call(actor, call, now))))
        call = await review_if_due(call, now)
        criteria = {
            row["id"]: row["max_score"]
            for row in await Criterion.select(Criterion.id, Criterion.max_score).where(
                Criterion.call == call_id
            )
        }
        for criterion_id, value in scores.items():
            if criterion_id not in criteria:
                raise errors.NotFound(thing=N_("criterion"), field="scores")
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= criteria[criterion_id]
            ):
                raise errors.Invalid(
                    N_("A score is 0 to {limit}."), field="scores", limit=criteria[criterion_id]
                )
        mine = (Score.bid == bid_id) & (Score.panelist == actor.member_id)
        given = {
            row["criterion"]: row["id"] for row in await Score.select(Score.id, Score.criterion).where(mine)
        }
        for criterion_id, value in sorted(scores.items()):
            if criterion_id in given:
                await Score.update({Score.score: value, Score.updated_at: now}).where(
                    Score.id == given[criterion_id]
                )
            else:
                await Score.insert(
                    Score(
                        bid=bid_id,
                        criterion=criterion_id,
                        panelist=actor.member_id,
                        score=value,
                        created_at=now,
                        updated_at=now,
                    )
                )
        await events.record(
            "bid",
            bid_id,
            "rescore" if given.keys() & scores.keys() else "score",
            actor=actor.member_id,
            now=now,
            from_state=bid["status"],
            to_state=bid["status"],
        )
        rows = await Score.select(Score.criterion, Score.score).where(mine)
    return ScoreSheet(bid_id, actor.member_id, {row["criterion"]: row["score"] for row in rows})


async def vote(actor: Actor, call_id: int, bid_id: int, *, now: datetime) -> VoteRecord:
    """A resident of the call's area votes for one bid, once per call, while it is reviewed
    and until staff close voting. The call's trace says that they voted, never for whom."""
    async with atomic():
        call = await load(Call, "call", call_id)
        facts = await facts_of_call(actor, call, now)
        refuse(rules.vote(actor, facts))
        call = await review_if_due(call, now)
        bid = await load_bid_of(call, bid_id)
        refuse(rules.vote_for(actor, bid_facts(bid, facts)))
        rows = await Vote.insert(
            Vote(call=call_id, bid=bid_id, member=actor.member_id, created_at=now)
        ).returning(Vote.id)
        await events.record(
            "call",
            call_id,
            "vote",
            actor=actor.member_id,
            now=now,
            from_state="reviewing",
            to_state="reviewing",
        )
    return VoteRecord(rows[0]["id"], call_id, bid_id, actor.member_id, now)


async def close_voting(actor: Actor, call_id: int, *, now: datetime) -> CallRecord:
    """Staff close the residents' vote on a call under review: no vote comes after, and its
    ranking shows the votes from now on (to those who may read it)."""
    async with atomic():
        call = await load(Call, "call", call_id)
        refuse(rules.close_voting(actor, await facts_of_call(actor, call, now)))
        call = await review_if_due(call, now)
        await move(
            Call,
            "call",
            call,
            "reviewing",
            "close_voting",
            actor=actor.member_id,
            now=now,
            voting_closed_at=now,
        )
    return await view_call(actor, call_id, now=now)


async def my_scores(actor: Actor, call_id: int) -> dict[int, dict[int, int]]:
    """The scores I gave the bids of a call, by bid and criterion: my own sheet, shown back."""
    rows = await Score.select(Score.bid, Score.criterion, Score.score).where(
        (Score.panelist == actor.member_id) & (Score.bid.call == call_id)
    )
    sheets: dict[int, dict[int, int]] = {}
    for row in rows:
        sheets.setdefault(row["bid"], {})[row["criterion"]] = row["score"]
    return sheets


async def my_vote(actor: Actor, call_id: int) -> int | None:
    """The bid I voted for in a call, if I voted (only I am told for whom)."""
    row = await Vote.select(Vote.bid).where((Vote.call == call_id) & (Vote.member == actor.member_id)).first()
    return row["bid"] if row else None
