"""Who may move a community fund's money: its community's staff record donations into it and
pay grants out of it (a venture project's milestone accepted). Reading it is public."""

from __future__ import annotations

from dataclasses import dataclass

from projects import errors
from projects.access import Actor
from projects.errors import N_
from projects.rules import allowed


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


RULES = {"donate": donate, "grant": grant}


def may(actor: Actor | None, fund: FundFacts) -> frozenset[str]:
    return allowed(actor, fund, RULES)
