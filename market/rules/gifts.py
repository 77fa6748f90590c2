"""Who may give points to whom: a member with points to give, to another member (never to
themself), and to the points pool of a community they live or have a role in."""

from __future__ import annotations

from dataclasses import dataclass

from market import errors as market_errors
from projects import errors
from projects.access import Actor
from projects.errors import N_
from projects.rules import allowed


@dataclass(frozen=True, slots=True)
class PoolFacts:
    """A community's points pool: where it is."""

    community: int
    path: str
    level: str


@dataclass(frozen=True, slots=True)
class GiverFacts:
    """What the giver has to give, and the pool of their community (if they have one)."""

    available: int
    pool: PoolFacts | None = None


def give(actor: Actor, giver: GiverFacts) -> errors.ProjectError | None:
    """Something to give (how much they may give is the ledger's: never more than they have)."""
    if giver.available < 1:
        return market_errors.InsufficientBalance(available=giver.available, amount=1, field="amount")
    return None


def give_pool(actor: Actor, giver: GiverFacts) -> errors.ProjectError | None:
    if giver.pool is None:
        return errors.Invalid(N_("Only a member with a home in the community can do this."), field="to")
    return give(actor, giver) or give_to_pool(actor, giver.pool)


def give_to_member(actor: Actor, recipient_id: int) -> errors.ProjectError | None:
    if recipient_id == actor.member_id:
        return errors.Invalid(N_("You cannot give points to yourself."), field="recipient_id")
    return None


def give_to_pool(actor: Actor, pool: PoolFacts) -> errors.ProjectError | None:
    if pool.level != "community" or not actor.near(pool.path):
        return errors.NotFound(thing=N_("community"), field="community_id")
    return None


RULES = {"give": give, "give_to_pool": give_pool}


def may(actor: Actor, giver: GiverFacts) -> frozenset[str]:
    return allowed(actor, giver, RULES)
