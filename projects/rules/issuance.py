"""Four eyes (DESIGN "Issuance"): who may approve a bonus, a donation or a grant that waits for a
second staff member. Staff of its community (or above), never whoever recorded, granted or
accepted it; and only while it waits. A claim's approval is ``projects.rules.claims.approve``."""

from __future__ import annotations

from dataclasses import dataclass

from projects import errors
from projects.access import Actor
from projects.errors import N_

WAITING = "awaiting_approval"


@dataclass(frozen=True, slots=True)
class Waiting:
    """What the rule needs to know about an item that may wait for approval."""

    thing: str  # its msgid: "donation", "recognition", "milestone"
    community_path: str
    status: str
    involved: tuple[int | None, ...]  # who recorded, granted or accepted it: none of them approves


def approve(actor: Actor | None, item: Waiting) -> errors.ProjectError | None:
    if actor is None:
        return errors.Unauthenticated()
    if not actor.is_staff(item.community_path):
        return errors.NotAllowed(N_("Only the community's staff approve it."))
    if actor.member_id in item.involved:
        return errors.NotAllowed(
            N_("A second staff member approves it: not whoever recorded, granted or accepted it.")
        )
    if item.status != WAITING:
        return errors.WrongState(thing=item.thing, state=item.status, action=N_("approve"))
    return None
