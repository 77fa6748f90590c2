"""Milestones of the awarded bid: its organisation reports each one done; staff accept it (the
grant paid from the community fund, after a second staff member's approval over the
community's threshold) or return it. The last milestone paid completes the call."""

from __future__ import annotations

from datetime import datetime

from ledger.accounts import get_account
from market import trace  # noqa: F401  (registers the market's subjects)
from market.accounts import money_account
from market.fund import pay_grant
from market.rules import refuse
from market.rules import ventures as rules
from market.tables import Bid, Call, Milestone
from market.ventures.bids import get_bid, view_bid
from market.ventures.facts import facts_of_call, milestone_facts
from market.ventures.limits import REASON_MAX_CHARS, REPORT_MAX_CHARS
from market.ventures.records import MilestoneRecord
from projects import errors, events, issuance
from projects.access import Actor
from projects.db import atomic
from projects.errors import N_
from projects.states import load, move, text


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
    refuse(rule(actor, milestone_facts(milestone, bid, await facts_of_call(actor, call, None))))
    return call, bid, milestone


async def report_milestone(actor: Actor, milestone_id: int, *, report: str, now: datetime) -> MilestoneRecord:
    """The awarded organisation reports a milestone done; staff then accept or return it."""
    report = text(report, REPORT_MAX_CHARS, N_("report"), field="report", required=True)
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
    reason = text(reason, REASON_MAX_CHARS, N_("reason"), field="reason", required=True)
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


async def organisation_money(actor: Actor, organisation_id: int) -> int:
    """What an organisation's money account holds, in fen (the grants its milestones were paid):
    for its members."""
    actor.require(actor.is_admin or organisation_id in actor.organisations)
    account = await get_account(money_account(organisation_id))
    return 0 if account is None else account.credits_posted - account.debits_posted
