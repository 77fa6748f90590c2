"""Who may give points to whom: any member to another member (never to themself), and to the
points pool of a community they live or have a role in."""

from __future__ import annotations

from dataclasses import dataclass

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


def give_to_member(actor: Actor, recipient_id: int) -> errors.ProjectError | None:
    if recipient_id == actor.member_id:
        return errors.Invalid(N_("You cannot give points to yourself."), field="recipient_id")
    return None


def give_to_pool(actor: Actor, pool: PoolFacts) -> errors.ProjectError | None:
    if pool.level != "community" or not actor.near(pool.path):
        return errors.NotFound(thing=N_("community"), field="community_id")
    return None


def pool_may(actor: Actor, pool: PoolFacts) -> frozenset[str]:
    return allowed(actor, pool, {"give": give_to_pool})
