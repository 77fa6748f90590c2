"""Who may move a community fund's money: its community's staff record donations into it and
pay grants out of it (a venture project's milestone accepted); over the community's threshold
a second staff member approves either (``projects.rules.issuance``). Reading it is public; a
donation's evidence (its receipt number and photo) is its community's staff's to see."""

from __future__ import annotations

from dataclasses import dataclass

from projects import errors
from projects.access import Actor
from projects.errors import N_
from projects.rules import allowed
from projects.rules import issuance as four_eyes


@dataclass(frozen=True, slots=True)
class FundFacts:
    community: int
    community_path: str


def _staff(actor: Actor | None, fund: FundFacts) -> errors.ProjectError | None:
    if actor is None:
        return errors.Unauthenticated()
    if not actor.is_staff(fund.community_path):
        return errors.NotAllowed(N_("Only the community's staff move its fund's money."))
    return None


def donate(actor: Actor | None, fund: FundFacts) -> errors.ProjectError | None:
    """Record money received for the fund."""
    return _staff(actor, fund)


def grant(actor: Actor | None, fund: FundFacts) -> errors.ProjectError | None:
    """Pay a grant out of the fund."""
    return _staff(actor, fund)


def sees_evidence(actor: Actor | None, fund: FundFacts) -> bool:
    """A donation's receipt number and photo: what a receipt shows of a donor (an anonymous one
    too) is for the staff who keep the fund's books; anyone else sees that the evidence exists."""
    return actor is not None and actor.is_staff(fund.community_path)


@dataclass(frozen=True, slots=True)
class DonationFacts:
    fund: FundFacts
    status: str
    recorded_by: int


def approve_donation(actor: Actor | None, donation: DonationFacts) -> errors.ProjectError | None:
    """A second staff member approves a donation over the threshold: it is received then."""
    return four_eyes.approve(
        actor,
        four_eyes.Waiting(
            N_("donation"), donation.fund.community_path, donation.status, (donation.recorded_by,)
        ),
    )


DONATION_RULES = {"approve": approve_donation}
RULES = {"donate": donate, "grant": grant}


def may(actor: Actor | None, fund: FundFacts) -> frozenset[str]:
    return allowed(actor, fund, RULES)
