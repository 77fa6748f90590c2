"""Who may know where a work order is and whom to call: a need's address and contact, shown on the
need, its tasks and their claims. Everyone else sees only the names of its area."""

from __future__ import annotations

from dataclasses import dataclass

from projects.access import Actor

# A claim whose holder is still on the job, or whose work is not yet decided.
ACTIVE_CLAIMS = ("claimed", "checked_in", "submitted", "disputed")
# A task still dispatched to its assignee (declined, done or cancelled: not any more).
LIVE_ASSIGNMENTS = ("offered", "open", "full")


@dataclass(frozen=True, slots=True)
class WorkOrderFacts:
    """What the rule looks at: where the need is (the task's area for a task of no need), who asked
    for it, and whether the actor works on it now."""

    area_path: str
    asked: tuple[int, ...]  # the resident and whoever reported the need for them
    working: bool  # the actor (or an organisation they represent) holds an active claim or a live
    # assignment on a task of the need


def sees_contact(actor: Actor, order: WorkOrderFacts) -> bool:
    """The address and the contact: for staff and leaders of the area (and above), for whoever
    asked, and for those who work on it now; not for neighbours, volunteers browsing the pool or
    Open311 readers, who see only the area's names."""
    return actor.manages(order.area_path) or actor.member_id in order.asked or order.working
