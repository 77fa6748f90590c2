"""What the market's rules refuse. Each is a kind of the community's errors (bad input, not
allowed, nothing there, a conflicting state), so ``web`` maps them to HTTP with the rest."""

from __future__ import annotations

from ledger.accounts import balance
from projects.errors import N_, Conflict, Invalid, NotAllowed
from projects.members import member_account


class OutOfStock(Conflict):
    code = "out_of_stock"
    message = N_("Only {stock} left: not enough for {quantity}.")


class SoldOut(OutOfStock):
    message = N_("This item is sold out.")


class LimitReached(Conflict):
    code = "limit_reached"
    message = N_("You may redeem this at most {limit} times per {period}; {left} left.")


class Unavailable(Conflict):
    code = "unavailable"
    message = N_("This item is not offered now.")


class InsufficientBalance(Conflict):
    code = "insufficient_balance"
    message = N_("Your available balance is {available} points: not enough for {amount}.")


class Expired(Conflict):
    code = "expired"
    message = N_("This {thing} has expired.")


class AlreadyFulfilled(Conflict):
    """A code entered again: it says when and by whom, so that an old screenshot of a code
    never passes for a new one."""

    code = "already_fulfilled"
    message = N_("This code was already fulfilled by {name} on {when}: nothing moves again.")


class ProposalDeclined(Conflict):
    """The requester's points could not be held when the performer agreed: the proposal is
    declined, and the performer is told no more than that."""

    code = "proposal_declined"
    message = N_("This proposal can no longer be agreed: it was declined.")


class DeadlinePassed(Conflict):
    code = "deadline_passed"
    message = N_("The deadline for bids has passed.")


class OverBudget(Invalid):
    code = "over_budget"
    message = N_("The budget asked for ({budget}) is above the call's budget ({limit}).")


class OwnBid(NotAllowed):
    code = "own_bid"
    message = N_("You cannot {action} a bid of your own organisation.")


class AlreadyVoted(Conflict):
    code = "already_voted"
    message = N_("You have already voted in this call.")


class VotingClosed(Conflict):
    code = "voting_closed"
    message = N_("Voting in this call has closed.")


class VotingOpen(Conflict):
    code = "voting_open"
    message = N_("Residents' votes count in this call: close voting first, then award it.")


class FundTooLow(Conflict):
    code = "insufficient_fund"
    message = N_("The community fund holds {available}: not enough to pay {amount}.")


class ScoresMissing(Conflict):
    code = "scores_missing"
    message = N_("{missing} scores are still missing: every panel member must score every bid first.")


class NotTopRanked(Conflict):
    code = "not_top_ranked"
    message = N_("Only a bid ranked first can be awarded.")


async def insufficient(member_id: int, amount: int) -> InsufficientBalance:
    """The refusal for a member whose available balance does not cover ``amount`` (the ledger
    refused the overdraft; this says by how much, in the member's words)."""
    available = (await balance(member_account(member_id))).available
    return InsufficientBalance(available=available, amount=amount)
