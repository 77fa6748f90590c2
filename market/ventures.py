"""Venture projects (公益创投): staff publish a call with a budget, criteria and a panel;
organisations bid until the deadline; the panel scores, residents vote; the top-ranked bid is
awarded a grant, paid from the community fund milestone by milestone as each report is accepted.

Every write to a call, its bids, scores, votes or milestones locks the call first, then the bid,
then the milestone: what an award or a payment checks cannot change under it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ledger.accounts import get_account
from market import errors as market_errors
from market import trace  # noqa: F401  (registers the market's subjects)
from market.accounts import money_account
from market.fund import pay_grant, yuan
from market.rules import refuse
from market.rules import ventures as rules
from market.rules.ventures import BidFacts, CallFacts, MilestoneFacts
from market.tables import Bid, Call, Criterion, Milestone, Panelist, Score, Vote
from projects import errors, events, issuance
from projects.access import Actor, community_path
from projects.areas import get_area, under
from projects.db import atomic
from projects.errors import N_
from projects.states import load, move, newest_first, text
from projects.tables import AREA_LEVELS, Member, Organisation

logger = logging.getLogger(__name__)

MAX_BUDGET = 10**11  # fen: a billion yuan
MAX_CRITERIA = 20
MAX_PANEL = 50
MAX_MILESTONES = 20
MAX_BIDS = 200  # per call: a ranking is computed over all of them at once
PAGE = 50

# The states, marked for translation: errors name them (``This call is reviewing: ...``).
STATES = {
    "call": {
        "open": N_("open"),
        "reviewing": N_("reviewing"),
        "awarded": N_("awarded"),
        "completed": N_("completed"),
        "cancelled": N_("cancelled"),
    },
    "bid": {
        "submitted": N_("submitted"),
        "withdrawn": N_("withdrawn"),
        "awarded": N_("awarded"),
        "lost": N_("lost"),
    },
    "milestone": {
        "planned": N_("planned"),
        "reported": N_("reported"),
        "awaiting_approval": N_("awaiting approval"),
        "paid": N_("paid"),
    },
}
RANKED = ("submitted", "awarded", "lost")  # every bid but a withdrawn one


@dataclass(frozen=True, slots=True)
class CriterionDraft:
    name: str
    weight: int
    max_score: int = 10
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class MilestoneDraft:
    title: str
    amount: int
    due_at: datetime


@dataclass(frozen=True, slots=True)
class CriterionRecord:
    id: int
    call: int
    position: int
    name: str
    name_en: str
    weight: int
    max_score: int


@dataclass(frozen=True, slots=True)
class CallRecord:
    id: int
    community: int
    area: int
    title: str
    description: str
    budget: int
    deadline: datetime
    vote_weight: int
    status: str
    awarded_bid: int | None
    voting_closed_at: datetime | None  # None: residents may still vote (unless it is decided)
    created_by: int
    created_at: datetime
    updated_at: datetime
    criteria: tuple[CriterionRecord, ...] = ()
    panel: tuple[int, ...] = ()
    bids: int = 0  # not withdrawn
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (market.rules.ventures)


@dataclass(frozen=True, slots=True)
class CallPage:
    items: list[CallRecord]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class MilestoneRecord:
    id: int
    bid: int
    position: int
    title: str
    amount: int
    due_at: datetime | None
    status: str
    report: str
    reported_at: datetime | None
    decided_by: int | None
    transfer_id: str | None
    updated_at: datetime
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (market.rules.ventures)


@dataclass(frozen=True, slots=True)
class BidRecord:
    id: int
    call: int
    organisation: int
    proposal: str
    team: str
    budget: int
    status: str
    revision: int
    submitted_by: int
    created_at: datetime
    updated_at: datetime
    milestones: tuple[MilestoneRecord, ...] = ()
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (market.rules.ventures)


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


@dataclass(frozen=True, slots=True)
class RankingEntry:
    bid: int
    organisation: int
    organisation_name: str
    budget: int
    status: str
    panel_score: Fraction  # 0–100: Σ weight × mean score / highest score
    votes: int | None  # None (and the share) until voting has closed: votes are secret
    vote_score: Fraction | None  # 0–100: the bid's share of the votes
    score: Fraction | None  # the panel's and the votes' parts, weighted by the call (None: votes
    # weigh and are not counted yet)
    rank: int  # 1 + how many bids score strictly more (the panel's part until voting has closed):
    # ties share a rank (1, 1, 3)
    tied: bool
    missing: int  # panel member × criterion scores not yet given


@dataclass(frozen=True, slots=True)
class Ranking:
    call: int
    status: str
    vote_weight: int
    voting_closed: bool  # the votes are counted in (else every vote-derived figure is None)
    votes: int | None
    missing: int
    entries: tuple[RankingEntry, ...]

    @property
    def complete(self) -> bool:
        return self.missing == 0


def shown(value: Fraction, places: int = 2) -> str:
    """An exact score shown to ``places`` decimals, rounded half up."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _amount(value: int, message: str, field: str, **params) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_BUDGET:
        raise errors.Invalid(message, field=field, **params)
    return value


def _checked_criteria(criteria: list[CriterionDraft]) -> list[CriterionDraft]:
    if not 1 <= len(criteria) <= MAX_CRITERIA:
        raise errors.Invalid(
            N_("A call has 1 to {limit} scoring criteria."), field="criteria", limit=MAX_CRITERIA
        )
    checked = []
    for criterion in criteria:
        for value in (criterion.weight, criterion.max_score):
            if isinstance(value, bool) or not isinstance(value, int):
                raise errors.Invalid(
                    N_("A criterion's weight and highest score are whole numbers."), field="criteria"
                )
        if not 1 <= criterion.weight <= 100:
            raise errors.Invalid(N_("A criterion's weight is 1 to 100."), field="criteria")
        if not 1 <= criterion.max_score <= 100:
            raise errors.Invalid(N_("A criterion's highest score is 1 to 100."), field="criteria")
        checked.append(
            replace(
                criterion,
                name=text(criterion.name, 100, N_("criterion"), field="criteria", required=True),
                name_en=text(criterion.name_en, 100, N_("English name"), field="criteria"),
            )
        )
    total = sum(criterion.weight for criterion in checked)
    if total != 100:
        raise errors.Invalid(
            N_("The criteria's weights add up to {total}: they must add up to 100."),
            field="criteria",
            total=total,
        )
    return checked


def _checked_plan(milestones: list[MilestoneDraft], budget: int, now: datetime) -> list[MilestoneDraft]:
    if not 1 <= len(milestones) <= MAX_MILESTONES:
        raise errors.Invalid(
            N_("A plan has 1 to {limit} milestones."), field="milestones", limit=MAX_MILESTONES
        )
    checked = []
    for milestone in milestones:
        _amount(milestone.amount, N_("A milestone's amount is at least ¥0.01."), "milestones")
        if milestone.due_at <= now:
            raise errors.Invalid(N_("A milestone's due date must be in the future."), field="milestones")
        title = text(milestone.title, 128, N_("title"), field="milestones", required=True)
        checked.append(replace(milestone, title=title))
    total = sum(milestone.amount for milestone in checked)
    if total != budget:
        raise errors.Invalid(
            N_("The milestones add up to {total}: they must add up to the budget asked for ({budget})."),
            field="milestones",
            total=yuan(total),
            budget=yuan(budget),
        )
    return checked


# -- calls -------------------------------------------------------------------------------------------


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
    title = text(title, 128, N_("title"), field="title", required=True)
    description = text(description, 5000, N_("description"), field="description")
    _amount(budget, N_("A budget is ¥0.01 to {limit}."), "budget", limit=yuan(MAX_BUDGET))
    if deadline <= now:
        raise errors.Invalid(N_("The deadline must be in the future."), field="deadline")
    if isinstance(vote_weight, bool) or not isinstance(vote_weight, int) or not 0 <= vote_weight <= 100:
        raise errors.Invalid(N_("The weight of residents' votes is 0 to 100 percent."), field="vote_weight")
    criteria = _checked_criteria(criteria)
    panel = sorted(set(panel))
    if not 1 <= len(panel) <= MAX_PANEL:
        raise errors.Invalid(N_("A call has 1 to {limit} panel members."), field="panel", limit=MAX_PANEL)
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


_CALL = (Call.all_columns(), Call.area.path.as_alias("area_path"))


async def get_call(call_id: int) -> CallRecord:
    """A call as it is (for the domain's own use: no viewer, no actions)."""
    rows = await Call.select(*_CALL).where(Call.id == call_id)
    if not rows:
        raise errors.NotFound(thing=N_("call"))
    return (await _calls(rows))[0]


async def _call_facts(actor: Actor, rows: list[dict], now: datetime | None) -> dict[int, CallFacts]:
    """The rules' facts of each call row (with ``area_path``): whether the actor is on its panel
    and has voted in it, two queries for the whole list."""
    ids = [row["id"] for row in rows] or [-1]
    panel = {
        row["call"]
        for row in await Panelist.select(Panelist.call).where(
            Panelist.call.is_in(ids) & (Panelist.member == actor.member_id)
        )
    }
    voted = {
        row["call"]
        for row in await Vote.select(Vote.call).where(Vote.call.is_in(ids) & (Vote.member == actor.member_id))
    }
    return {
        row["id"]: CallFacts.of(
            row, row["area_path"], now, on_panel=row["id"] in panel, voted=row["id"] in voted
        )
        for row in rows
    }


async def _facts_of_call(actor: Actor, call: dict, now: datetime | None) -> CallFacts:
    """The facts of one call row (locked, without its area's path)."""
    return (await _call_facts(actor, [{**call, "area_path": await _path(call)}], now))[call["id"]]


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


async def _path(call: dict | CallRecord) -> str:
    area = call["area"] if isinstance(call, dict) else call.area
    return (await get_area(area)).path


async def view_call(actor: Actor, call_id: int, *, now: datetime | None = None) -> CallRecord:
    """A call, with what the actor may do to it ``now`` (an open call past its deadline is
    under review)."""
    rows = await Call.select(*_CALL).where(Call.id == call_id)
    if not rows:
        raise errors.NotFound(thing=N_("call"))
    facts = await _call_facts(actor, rows, now)
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
    query = Call.select(*_CALL)
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
    return CallPage(await _calls(rows, await _call_facts(actor, rows, now), actor), next_cursor)


async def _review_if_due(call: dict, now: datetime) -> dict:
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
                    if (await _review_if_due(call, now))["status"] != call["status"]:
                        closed += 1
            except Exception:  # one call that fails must not hold up the others
                logger.exception("closing call %s failed; it is tried again next time", row["id"])
        if len(rows) < PAGE:
            return closed
        last = rows[-1]["id"]


async def cancel_call(actor: Actor, call_id: int, *, reason: str, now: datetime) -> CallRecord:
    """Staff call it off before an award; its bids stay as they were (nothing was decided)."""
    reason = text(reason, 500, N_("reason"), field="reason", required=True)
    async with atomic():
        call = await load(Call, "call", call_id)
        refuse(rules.cancel(actor, await _facts_of_call(actor, call, None)))
        await move(Call, "call", call, "cancelled", "cancel", actor=actor.member_id, now=now, why=reason)
    return await view_call(actor, call_id, now=now)


async def call_history(actor: Actor, call_id: int) -> list[events.Trace]:
    """The call's trace: that someone voted, for everyone; who, for its staff only; for whom,
    never (``vote`` records no bid)."""
    call = await view_call(actor, call_id)
    history = await events.history("call", call_id)
    if not actor.is_staff(await _path(call)):
        history = [
            replace(event, actor=None, hidden=True) if event.action == "vote" else event for event in history
        ]
    return history


# -- bids --------------------------------------------------------------------------------------------


async def get_bid(bid_id: int) -> BidRecord:
    """A bid as it is (for the domain's own use: no viewer, no actions)."""
    records = await _bids(await Bid.select().where(Bid.id == bid_id))
    if not records:
        raise errors.NotFound(thing=N_("bid"))
    return records[0]


def _bid_facts(bid: dict, call: CallFacts) -> BidFacts:
    return BidFacts(bid["id"], bid["organisation"], bid["status"], call)


async def _ranked(actor: Actor, call: CallFacts, facts: list[BidFacts]) -> list[BidFacts]:
    """The bids' facts with their rank, looked up only when the actor could award one now."""
    if rules.award(actor, call) is not None:
        return facts
    row = await Call.select().where(Call.id == call.id).first()
    standing = await _rank(row, counted=rules.votes_counted(call))
    ranks = {entry.bid: entry.rank for entry in standing.entries}
    return [fact.with_rank(ranks.get(fact.id), standing.missing) for fact in facts]


def _milestone_facts(milestone: dict, bid: dict, call: CallFacts) -> MilestoneFacts:
    return MilestoneFacts(
        id=milestone["id"],
        status=milestone["status"],
        bid_organisation=bid["organisation"],
        bid_status=bid["status"],
        call_status=call.status,
        call_community=call.community,
        call_area_path=call.area_path,
        decided_by=milestone["decided_by"],
    )


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
    facts = await _ranked(actor, call, [_bid_facts(row, call) for row in rows])
    return [
        BidRecord(
            **row,
            milestones=tuple(
                MilestoneRecord(**m, may=rules.milestone_may(actor, _milestone_facts(m, row, call)))
                for m in milestones.get(row["id"], ())
            ),
            may=rules.bid_may(actor, fact),
        )
        for row, fact in zip(rows, facts, strict=True)
        if rules.sees_bid(actor, fact)
    ]


async def _facts_of_bid_call(actor: Actor, call_id: int, now: datetime | None) -> CallFacts:
    rows = await Call.select(*_CALL).where(Call.id == call_id)
    return (await _call_facts(actor, rows, now))[call_id]


async def view_bid(actor: Actor, bid_id: int, *, now: datetime | None = None) -> BidRecord:
    rows = await Bid.select().where(Bid.id == bid_id)
    if not rows:
        raise errors.NotFound(thing=N_("bid"))
    found = await _bids(rows, actor, await _facts_of_bid_call(actor, rows[0]["call"], now))
    if not found:
        raise errors.NotFound(thing=N_("bid"))
    return found[0]


async def list_bids(actor: Actor, call_id: int, *, now: datetime | None = None) -> list[BidRecord]:
    """The bids of a call that ``actor`` may see, oldest first (at most ``MAX_BIDS``), with what
    they may do to each."""
    await view_call(actor, call_id, now=now)
    rows = await Bid.select().where(Bid.call == call_id).order_by(Bid.id).limit(MAX_BIDS)
    return await _bids(rows, actor, await _facts_of_bid_call(actor, call_id, now))


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
    proposal = text(proposal, 10_000, N_("proposal"), field="proposal", required=True)
    team = text(team, 2000, N_("team"), field="team")
    _amount(budget, N_("A budget is ¥0.01 to {limit}."), "budget", limit=yuan(MAX_BUDGET))
    plan = _checked_plan(milestones, budget, now)
    async with atomic():
        call = await load(Call, "call", call_id)
        refuse(rules.bid(actor, await _facts_of_call(actor, call, now)))
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
            if await Bid.count().where((Bid.call == call_id) & (Bid.status != "withdrawn")) >= MAX_BIDS:
                raise errors.Conflict(N_("This call takes at most {limit} bids."), limit=MAX_BIDS)
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
    reason = text(reason, 500, N_("reason"), field="reason")
    async with atomic():
        call_id = (await get_bid(bid_id)).call
        call = await load(Call, "call", call_id)
        bid = await load(Bid, "bid", bid_id)
        refuse(rules.withdraw(actor, _bid_facts(bid, await _facts_of_call(actor, call, now))))
        await move(Bid, "bid", bid, "withdrawn", "withdraw", actor=actor.member_id, now=now, why=reason)
    return await view_bid(actor, bid_id, now=now)


async def bid_history(actor: Actor, bid_id: int, *, now: datetime | None = None) -> list[events.Trace]:
    await view_bid(actor, bid_id, now=now)
    return await events.history("bid", bid_id)


# -- scores and votes --------------------------------------------------------------------------------


async def _bid_of(call: dict, bid_id: int) -> dict:
    bid = await load(Bid, "bid", bid_id)
    if bid["call"] != call["id"]:
        raise errors.NotFound(thing=N_("bid"))
    return bid


async def score_bid(actor: Actor, bid_id: int, scores: dict[int, int], *, now: datetime) -> ScoreSheet:
    """A panel member scores a bid on some or all criteria (0 to each one's highest score) once
    bidding has closed; scoring again replaces the earlier scores."""
    if not 1 <= len(scores) <= MAX_CRITERIA:
        raise errors.Invalid(N_("Give 1 to {limit} scores."), field="scores", limit=MAX_CRITERIA)
    async with atomic():
        call_id = (await get_bid(bid_id)).call
        call = await load(Call, "call", call_id)
        bid = await _bid_of(call, bid_id)
        refuse(rules.score(actor, _bid_facts(bid, await _facts_of_call(actor, call, now))))
        call = await _review_if_due(call, now)
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
        facts = await _facts_of_call(actor, call, now)
        refuse(rules.vote(actor, facts))
        call = await _review_if_due(call, now)
        bid = await _bid_of(call, bid_id)
        refuse(rules.vote_for(actor, _bid_facts(bid, facts)))
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


# -- ranking and award -------------------------------------------------------------------------------

_SCORES = """
SELECT s.bid AS bid, s.criterion AS criterion, SUM(s.score) AS total, COUNT(*) AS n
FROM market_score s
JOIN market_bid b ON b.id = s.bid
JOIN market_panelist p ON p.call = b.call AND p.member = s.panelist
WHERE b.call = {} AND b.status <> 'withdrawn'
  AND NOT EXISTS (SELECT 1 FROM projects_organisation_member m
                  WHERE m.organisation = b.organisation AND m.member = s.panelist)
GROUP BY s.bid, s.criterion
"""

# How many panel members may score each bid: all but the bidding organisation's own members.
_SCORERS = """
SELECT b.id AS bid, COUNT(*) AS n
FROM market_bid b
JOIN market_panelist p ON p.call = b.call
WHERE b.call = {} AND b.status <> 'withdrawn'
  AND NOT EXISTS (SELECT 1 FROM projects_organisation_member m
                  WHERE m.organisation = b.organisation AND m.member = p.member)
GROUP BY b.id
"""

_VOTES = "SELECT bid, COUNT(*) AS n FROM market_vote WHERE call = {} GROUP BY bid"


async def _rank(call: dict, *, counted: bool) -> Ranking:
    """Each bid's panel score is Σ over criteria of weight × (mean of its scores / highest
    score), 0–100; a criterion nobody scored yet counts 0 and is reported ``missing``. With
    votes and a vote weight, the score is panel × (100 − w)/100 + vote share × w. Exact.

    Not ``counted`` (voting still open: ``rules.votes_counted``), the votes are not read at all:
    the bids rank by the panel's part, and the counts, shares and, where votes weigh, the
    weighted scores are None."""
    criteria = await Criterion.select().where(Criterion.call == call["id"]).order_by(Criterion.position)
    bids = (
        await Bid.select(
            Bid.id,
            Bid.organisation,
            Bid.organisation.name.as_alias("organisation_name"),
            Bid.budget,
            Bid.status,
        )
        .where((Bid.call == call["id"]) & Bid.status.is_in(list(RANKED)))
        .order_by(Bid.id)
    )
    sums = {
        (row["bid"], row["criterion"]): (int(row["total"]), int(row["n"]))
        for row in await Bid.raw(_SCORES, call["id"])
    }
    scorers = {row["bid"]: int(row["n"]) for row in await Bid.raw(_SCORERS, call["id"])}
    votes = {row["bid"]: int(row["n"]) for row in await Bid.raw(_VOTES, call["id"])} if counted else {}
    all_votes = sum(votes.get(bid["id"], 0) for bid in bids)
    weight = Fraction(call["vote_weight"], 100) if all_votes else Fraction(0)
    weighed = counted or not call["vote_weight"]  # the score is known: votes counted or weightless
    drafts = []
    for bid in bids:
        panel = Fraction(0)
        given = 0
        for criterion in criteria:
            total, count = sums.get((bid["id"], criterion["id"]), (0, 0))
            given += count
            if count:
                panel += criterion["weight"] * Fraction(total, count * criterion["max_score"])
        share = Fraction(100 * votes.get(bid["id"], 0), all_votes) if all_votes else Fraction(0)
        missing = scorers.get(bid["id"], 0) * len(criteria) - given
        drafts.append((bid, panel, share, panel * (1 - weight) + share * weight, missing))
    scores = [draft[3] for draft in drafts]  # the panel's part alone while votes are not counted
    entries = [
        RankingEntry(
            bid=bid["id"],
            organisation=bid["organisation"],
            organisation_name=bid["organisation_name"],
            budget=bid["budget"],
            status=bid["status"],
            panel_score=panel,
            votes=votes.get(bid["id"], 0) if counted else None,
            vote_score=share if counted else None,
            score=score if weighed else None,
            rank=1 + sum(other > score for other in scores),
            tied=scores.count(score) > 1,
            missing=missing,
        )
        for bid, panel, share, score, missing in drafts
    ]
    entries.sort(key=lambda entry: (entry.rank, entry.bid))
    return Ranking(
        call=call["id"],
        status=call["status"],
        vote_weight=call["vote_weight"],
        voting_closed=counted,
        votes=all_votes if counted else None,
        missing=sum(entry.missing for entry in entries),
        entries=tuple(entries),
    )


async def ranking(actor: Actor, call_id: int, *, now: datetime | None = None) -> Ranking:
    """The standing of the bids: for the call's staff at any time, its panel once bidding has
    closed, everyone who sees the call once it is awarded (the published result). The votes
    are in it only once voting has closed, for everyone alike."""
    call = await load_call(call_id)
    facts = await _facts_of_call(actor, call, now)
    refuse(rules.see_ranking(actor, facts))
    return await _rank(call, counted=rules.votes_counted(facts))


async def load_call(call_id: int) -> dict:
    row = await Call.select().where(Call.id == call_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("call"))
    return row


async def close_voting(actor: Actor, call_id: int, *, now: datetime) -> CallRecord:
    """Staff close the residents' vote on a call under review: no vote comes after, and its
    ranking shows the votes from now on (to those who may read it)."""
    async with atomic():
        call = await load(Call, "call", call_id)
        refuse(rules.close_voting(actor, await _facts_of_call(actor, call, now)))
        call = await _review_if_due(call, now)
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


async def award_call(actor: Actor, call_id: int, bid_id: int, *, now: datetime) -> CallRecord:
    """Staff award the grant to a bid ranked first, once every panel member has scored every
    bid (and, where votes weigh, once voting has closed; otherwise the award closes it); of
    bids tied first, staff choose one. The others lose."""
    async with atomic():
        call = await load(Call, "call", call_id)
        facts = await _facts_of_call(actor, call, now)
        refuse(rules.award(actor, facts))
        call = await _review_if_due(call, now)
        call = {**call, "voting_closed_at": call["voting_closed_at"] or now}
        bid = await _bid_of(call, bid_id)
        standing = await _rank(call, counted=True)
        entry = next((entry for entry in standing.entries if entry.bid == bid_id), None)
        ranked = _bid_facts(bid, facts).with_rank(entry.rank if entry else None, standing.missing)
        refuse(rules.award_bid(actor, ranked))
        for other in sorted(standing.entries, key=lambda entry: entry.bid):  # bids locked in id order
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


# -- milestones --------------------------------------------------------------------------------------


async def get_milestone(milestone_id: int) -> MilestoneRecord:
    row = await Milestone.select().where(Milestone.id == milestone_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("milestone"))
    return MilestoneRecord(**row)


async def view_milestone(actor: Actor, milestone_id: int, *, now: datetime | None = None) -> MilestoneRecord:
    """A milestone, seen as its bid is, with what the actor may do to it."""
    bid = await view_bid(actor, (await get_milestone(milestone_id)).bid, now=now)
    return next(milestone for milestone in bid.milestones if milestone.id == milestone_id)


async def _locked_milestone(actor: Actor, milestone_id: int, rule) -> tuple[dict, dict, dict]:
    """Call, bid and milestone, locked in that order, once ``rule`` lets the actor act."""
    bid_id = (await get_milestone(milestone_id)).bid
    call = await load(Call, "call", (await get_bid(bid_id)).call)
    bid = await load(Bid, "bid", bid_id)
    milestone = await load(Milestone, "milestone", milestone_id)
    refuse(rule(actor, _milestone_facts(milestone, bid, await _facts_of_call(actor, call, None))))
    return call, bid, milestone


async def report_milestone(actor: Actor, milestone_id: int, *, report: str, now: datetime) -> MilestoneRecord:
    """The awarded organisation reports a milestone done; staff then accept or return it."""
    report = text(report, 5000, N_("report"), field="report", required=True)
    async with atomic():
        _, _, milestone = await _locked_milestone(actor, milestone_id, rules.report)
        await move(
            Milestone,
            "milestone",
            milestone,
            "reported",
            "report",
            actor=actor.member_id,
            now=now,
            why=report,
            report=report,
            reported_at=now,
        )
    return await view_milestone(actor, milestone_id, now=now)


async def accept_milestone(actor: Actor, milestone_id: int, *, now: datetime) -> MilestoneRecord:
    """Staff accept a reported milestone: its money goes from the community fund to the
    organisation, exactly once, or not at all if the fund holds less (``FundTooLow``, nothing
    written); over the community's threshold it waits for a second staff member's approval
    (``awaiting_approval``, nothing paid). The last milestone paid completes the call."""
    async with atomic():
        call, bid, milestone = await _locked_milestone(actor, milestone_id, rules.accept)
        policy = await issuance.policy_for(call["community"])
        if issuance.needs_fund_approval(policy, milestone["amount"]):
            await move(
                Milestone,
                "milestone",
                milestone,
                "awaiting_approval",
                "accept",
                actor=actor.member_id,
                now=now,
                decided_by=actor.member_id,
            )
        else:
            await _pay(actor, call, bid, milestone, action="accept", now=now)
    return await view_milestone(actor, milestone_id, now=now)


async def approve_milestone(actor: Actor, milestone_id: int, *, now: datetime) -> MilestoneRecord:
    """A second staff member approves a grant waiting for approval: it is paid now (or not at all,
    ``FundTooLow``, if the fund holds less)."""
    async with atomic():
        call, bid, milestone = await _locked_milestone(actor, milestone_id, rules.approve)
        await _pay(actor, call, bid, milestone, action="approve", now=now)
    return await view_milestone(actor, milestone_id, now=now)


async def _pay(actor: Actor, call: dict, bid: dict, milestone: dict, *, action: str, now: datetime) -> None:
    """Pay the milestone's grant from the fund, in the caller's transaction; the last milestone
    paid completes the call. Who accepted it stays its ``decided_by``."""
    transfer_id = f"grant:bid:{bid['id']}:milestone:{milestone['id']}"
    await pay_grant(
        call["community"],
        bid["organisation"],
        milestone["amount"],
        transfer_id=transfer_id,
        reference=f"call:{call['id']}",
        memo=f"{call['title']} · {milestone['title']}",
        now=now,
    )
    await move(
        Milestone,
        "milestone",
        milestone,
        "paid",
        action,
        actor=actor.member_id,
        now=now,
        why=transfer_id,
        decided_by=milestone["decided_by"] if action == "approve" else actor.member_id,
        transfer_id=transfer_id,
    )
    if not await Milestone.exists().where((Milestone.bid == bid["id"]) & (Milestone.status != "paid")):
        await move(Call, "call", call, "completed", "complete", actor=actor.member_id, now=now)


async def return_milestone(actor: Actor, milestone_id: int, *, reason: str, now: datetime) -> MilestoneRecord:
    """Staff send a report back (with why): the milestone is planned again."""
    reason = text(reason, 500, N_("reason"), field="reason", required=True)
    async with atomic():
        _, _, milestone = await _locked_milestone(actor, milestone_id, rules.send_back)
        await move(
            Milestone,
            "milestone",
            milestone,
            "planned",
            "return",
            actor=actor.member_id,
            now=now,
            why=reason,
            decided_by=actor.member_id,
        )
    return await view_milestone(actor, milestone_id, now=now)


async def milestone_history(
    actor: Actor, milestone_id: int, *, now: datetime | None = None
) -> list[events.Trace]:
    await view_bid(actor, (await get_milestone(milestone_id)).bid, now=now)
    return await events.history("milestone", milestone_id)


# -- what the pages show back ------------------------------------------------------------------------


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


async def organisation_money(actor: Actor, organisation_id: int) -> int:
    """What an organisation's money account holds, in fen (grants received): for its members."""
    actor.require(actor.is_admin or organisation_id in actor.organisations)
    account = await get_account(money_account(organisation_id))
    return 0 if account is None else account.credits_posted - account.debits_posted
