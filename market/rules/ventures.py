"""Who may see a venture call, a bid or a milestone and what they may do to it now: staff of the
call's community cancel it, close its voting and award it; organisations' representatives bid,
revise and withdraw until the deadline; the panel scores the bids (never their own
organisation's) once bidding has closed; residents of the call's area vote once, until staff
close voting; the awarded organisation reports each milestone and staff accept it (paying it
from the fund) or return it.

An open call whose deadline has passed is under review, whether or not the sweep came by yet:
its facts carry the state it is in now (``CallFacts.of``). Votes are secret: until voting has
closed nobody, staff included, sees how many each bid has (``votes_counted``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from market import errors as market_errors
from market.rules import fund as fund_rules
from projects import errors
from projects.access import Actor, community_path
from projects.errors import N_
from projects.rules import allowed
from projects.rules import issuance as four_eyes

DECIDED = ("awarded", "completed")


@dataclass(frozen=True, slots=True)
class CallFacts:
    id: int
    status: str  # as it is now: "reviewing" for an open call past its deadline
    deadline_passed: bool
    area_path: str
    community: int
    vote_weight: int = 0  # percent of the ranking that residents' votes decide
    voting_closed_at: datetime | None = None  # when staff closed voting (or the award did)
    on_panel: bool = False  # the actor is on its panel
    voted: bool = False  # the actor voted in it

    @classmethod
    def of(cls, row: dict[str, Any], area_path: str, now: datetime | None, **looked_up: Any) -> CallFacts:
        """From a call's row, where it is and the time (``None``: as stored)."""
        passed = now is not None and now >= row["deadline"]
        status = "reviewing" if row["status"] == "open" and passed else row["status"]
        return cls(
            row["id"],
            status,
            passed,
            area_path,
            row["community"],
            vote_weight=row.get("vote_weight", 0),
            voting_closed_at=row.get("voting_closed_at"),
            **looked_up,
        )

    @property
    def community_path(self) -> str:
        return community_path(self.area_path)

    @property
    def bidding_closed(self) -> bool:
        """Bids are in: under review or decided. A call cancelled while open never closes."""
        return self.status in ("reviewing", *DECIDED)

    @property
    def voting_closed(self) -> bool:
        """No vote can come any more: staff closed voting, or the call was decided or cancelled
        (a call decided before voting had its own close counts as closed)."""
        return self.voting_closed_at is not None or self.status in (*DECIDED, "cancelled")


def _represents_any(actor: Actor) -> bool:
    return any(role == "representative" for role in actor.organisations.values())


def sees_call(actor: Actor, call: CallFacts) -> bool:
    """Public to those near it and to organisations (who bid from anywhere); its staff and panel."""
    return (
        actor.is_staff(call.area_path)
        or actor.near(call.area_path)
        or _represents_any(actor)
        or call.on_panel
    )


def _state(status: str, states: tuple[str, ...], thing: str, action: str) -> errors.ProjectError | None:
    if status not in states:
        return errors.WrongState(thing=thing, state=status, action=action)
    return None


def _staff(actor: Actor, call: CallFacts) -> errors.ProjectError | None:
    if actor.is_staff(call.community_path):
        return None
    return errors.NotAllowed() if sees_call(actor, call) else errors.NotFound(thing=N_("call"))


def see_call(actor: Actor, call: CallFacts) -> errors.ProjectError | None:
    return None if sees_call(actor, call) else errors.NotFound(thing=N_("call"))


def bid(actor: Actor, call: CallFacts) -> errors.ProjectError | None:
    """An organisation's representative bids (or revises its bid) until the deadline."""
    if not sees_call(actor, call):
        return errors.NotFound(thing=N_("call"))
    if not actor.represented:
        return errors.NotAllowed(N_("Organisations bid, through their representative."))
    if call.status != "cancelled" and call.deadline_passed:
        return market_errors.DeadlinePassed()
    return _state(call.status, ("open",), N_("call"), N_("bid on"))


def cancel(actor: Actor, call: CallFacts) -> errors.ProjectError | None:
    return _staff(actor, call) or _state(call.status, ("open", "reviewing"), N_("call"), N_("cancel"))


def vote(actor: Actor, call: CallFacts) -> errors.ProjectError | None:
    """Residents of the call's area vote once, while the bids are reviewed."""
    if not (actor.home_path and actor.home_path.startswith(call.area_path)):
        if not sees_call(actor, call):
            return errors.NotFound(thing=N_("call"))
        return errors.NotAllowed(N_("Only residents of the call's area can vote."))
    if call.status == "open":
        return errors.Conflict(N_("Voting opens after the deadline for bids."))
    refusal = _state(call.status, ("reviewing",), N_("call"), N_("vote in"))
    if refusal is None and call.voting_closed:
        return market_errors.VotingClosed()
    if refusal is None and call.voted:
        return market_errors.AlreadyVoted()
    return refusal


def close_voting(actor: Actor, call: CallFacts) -> errors.ProjectError | None:
    """Staff close the residents' vote while the bids are reviewed: the counts are shown from
    then on, and no vote comes after."""
    refusal = _staff(actor, call) or _state(call.status, ("reviewing",), N_("call"), N_("close voting in"))
    if refusal is None and call.voting_closed:
        return market_errors.VotingClosed()
    return refusal


def award(actor: Actor, call: CallFacts) -> errors.ProjectError | None:
    """Staff award a call under review; where votes weigh, once voting has closed (the award of a
    call whose votes do not weigh closes voting itself)."""
    refusal = _staff(actor, call) or _state(call.status, ("reviewing",), N_("call"), N_("award"))
    if refusal is None and call.vote_weight and not call.voting_closed:
        return market_errors.VotingOpen()
    return refusal


def votes_counted(call: CallFacts) -> bool:
    """Whether a ranking of the call may show its votes (counts, shares and the scores they
    weigh in): only once voting has closed, so that nobody, staff included, learns a resident's
    choice by reading the ranking before and after a vote. Until then the bids rank by the
    panel's part alone; where votes do not weigh (``vote_weight`` 0) that part is the whole
    score, so only the counts are held back."""
    return call.voting_closed


def see_ranking(actor: Actor, call: CallFacts) -> errors.ProjectError | None:
    """For the call's staff at any time, its panel once bidding has closed, everyone who sees
    the call once it is awarded (the published result)."""
    if not sees_call(actor, call):
        return errors.NotFound(thing=N_("call"))
    if actor.is_staff(call.area_path) or (call.bidding_closed and call.on_panel) or call.status in DECIDED:
        return None
    return errors.NotAllowed(N_("The ranking is published when the call is awarded."))


CALL_RULES = {
    "bid": bid,
    "cancel": cancel,
    "vote": vote,
    "close_voting": close_voting,
    "award": award,
    "rank": see_ranking,
}


def call_may(actor: Actor, call: CallFacts) -> frozenset[str]:
    return allowed(actor, call, CALL_RULES)


@dataclass(frozen=True, slots=True)
class BidFacts:
    id: int
    organisation: int
    status: str
    call: CallFacts
    rank: int | None = None  # in the call's ranking (None: not ranked, or not looked up)
    missing: int = 0  # panel member × criterion scores still missing in the whole call

    def with_rank(self, rank: int | None, missing: int) -> BidFacts:
        return replace(self, rank=rank, missing=missing)


def sees_bid(actor: Actor, bid_: BidFacts) -> bool:
    """Its call's staff and the bidding organisation's members at any time. Once bidding has
    closed, the panel, and everyone who sees the call sees the bids still in the running
    (residents vote on them). Before that no rival sees a bid; nor anyone, ever, the bids of
    a call cancelled while open."""
    if bid_.organisation in actor.organisations or actor.is_staff(bid_.call.area_path):
        return True
    if not bid_.call.bidding_closed:
        return False
    return bid_.call.on_panel or (bid_.status != "withdrawn" and sees_call(actor, bid_.call))


def see_bid(actor: Actor, bid_: BidFacts) -> errors.ProjectError | None:
    return None if sees_bid(actor, bid_) else errors.NotFound(thing=N_("bid"))


def _bid_hidden(actor: Actor, bid_: BidFacts) -> errors.ProjectError:
    return errors.NotAllowed() if sees_bid(actor, bid_) else errors.NotFound(thing=N_("bid"))


def withdraw(actor: Actor, bid_: BidFacts) -> errors.ProjectError | None:
    if not actor.represents(bid_.organisation):
        return _bid_hidden(actor, bid_)
    if bid_.call.deadline_passed:
        return market_errors.DeadlinePassed()
    return _state(bid_.call.status, ("open",), N_("call"), N_("withdraw from")) or _state(
        bid_.status, ("submitted",), N_("bid"), N_("withdraw")
    )


def score(actor: Actor, bid_: BidFacts) -> errors.ProjectError | None:
    """A panel member scores a bid once bidding has closed, never their own organisation's."""
    if not bid_.call.on_panel:
        if not sees_bid(actor, bid_):
            return errors.NotFound(thing=N_("bid"))
        return errors.NotAllowed(N_("Only the call's panel members score its bids."))
    if bid_.organisation in actor.organisations:
        return market_errors.OwnBid(action=N_("score"))
    if bid_.call.status == "open":
        return errors.Conflict(N_("Bids are scored after the deadline."))
    return _state(bid_.call.status, ("reviewing",), N_("call"), N_("score the bids of")) or _state(
        bid_.status, ("submitted",), N_("bid"), N_("score")
    )


def vote_for(actor: Actor, bid_: BidFacts) -> errors.ProjectError | None:
    refusal = vote(actor, bid_.call) or _state(bid_.status, ("submitted",), N_("bid"), N_("vote for"))
    if refusal is None and bid_.organisation in actor.organisations:
        return market_errors.OwnBid(action=N_("vote for"))
    return refusal


def award_bid(actor: Actor, bid_: BidFacts) -> errors.ProjectError | None:
    """Staff award a bid ranked first, once every panel member has scored every bid."""
    refusal = award(actor, bid_.call)
    if refusal is None and bid_.status == "withdrawn":
        return errors.WrongState(thing=N_("bid"), state="withdrawn", action=N_("award"))
    if refusal is None and bid_.missing:
        return market_errors.ScoresMissing(missing=bid_.missing)
    if refusal is None and bid_.rank != 1:
        return market_errors.NotTopRanked()
    return refusal


BID_RULES = {"withdraw": withdraw, "score": score, "vote": vote_for, "award": award_bid}


def bid_may(actor: Actor, bid_: BidFacts) -> frozenset[str]:
    return allowed(actor, bid_, BID_RULES)


@dataclass(frozen=True, slots=True)
class MilestoneFacts:
    id: int
    status: str
    bid_organisation: int
    bid_status: str
    call_status: str
    call_community: int
    call_area_path: str
    decided_by: int | None = None  # who accepted it (a grant waiting for approval)

    @property
    def fund(self) -> fund_rules.FundFacts:
        return fund_rules.FundFacts(self.call_community, community_path(self.call_area_path))


def report(actor: Actor, milestone: MilestoneFacts) -> errors.ProjectError | None:
    """The awarded organisation reports a milestone done."""
    if not actor.represents(milestone.bid_organisation):
        return errors.NotAllowed()
    return _state(milestone.bid_status, ("awarded",), N_("bid"), N_("report on")) or _state(
        milestone.status, ("planned",), N_("milestone"), N_("report on")
    )


def _decide(
    actor: Actor, milestone: MilestoneFacts, action: str, paying: str, states: tuple[str, ...] = ("reported",)
) -> errors.ProjectError | None:
    return (
        fund_rules.grant(actor, milestone.fund)
        or _state(milestone.call_status, ("awarded",), N_("call"), paying)
        or _state(milestone.status, states, N_("milestone"), action)
    )


def accept(actor: Actor, milestone: MilestoneFacts) -> errors.ProjectError | None:
    """Staff accept a reported milestone: it is paid from the community fund (a grant), or,
    over the community's threshold, waits for a second staff member's approval."""
    return _decide(actor, milestone, N_("accept"), N_("pay a grant of"))


def approve(actor: Actor, milestone: MilestoneFacts) -> errors.ProjectError | None:
    """A second staff member (not who accepted it) approves a grant waiting: it is paid then."""
    return fund_rules.grant(actor, milestone.fund) or four_eyes.approve(
        actor,
        four_eyes.Waiting(
            N_("milestone"), milestone.fund.community_path, milestone.status, (milestone.decided_by,)
        ),
    )


def send_back(actor: Actor, milestone: MilestoneFacts) -> errors.ProjectError | None:
    """Staff return a report (with why), or a grant waiting for approval: the milestone is
    planned again, and nothing is paid."""
    return _decide(actor, milestone, N_("return"), N_("return"), ("reported", four_eyes.WAITING))


MILESTONE_RULES = {"report": report, "accept": accept, "approve": approve, "return": send_back}


def milestone_may(actor: Actor, milestone: MilestoneFacts) -> frozenset[str]:
    return allowed(actor, milestone, MILESTONE_RULES)
