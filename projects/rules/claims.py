"""Who may see a claim and what they may do to it now: its performer checks in, submits,
withdraws and adds photos of the work (so may whoever recorded it for them); those who received the
work confirm, dispute and rate it; a leader settles disputes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projects import errors
from projects.access import Actor
from projects.errors import N_
from projects.rules import allowed


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """The claim's row, where its task is done and whose need it serves, and whether the actor
    joined that need (+1) or rated this work."""

    id: int
    member: int
    organisation: int | None
    status: str
    decided_by: int | None
    task_area_path: str
    need: int | None = None
    need_resident: int | None = None
    task_created_by: int | None = None
    recorded_by: int | None = None  # who recorded the work, if it was recorded for the performer
    joined: bool = False
    rated: bool = False

    @classmethod
    def of(cls, row: dict[str, Any], **looked_up: Any) -> ClaimFacts:
        """From a claim row with ``task_area_path`` (and ``need``, ``need_resident`` when known)."""
        return cls(
            id=row["id"],
            member=row["member"],
            organisation=row["organisation"],
            status=row["status"],
            decided_by=row["decided_by"],
            task_area_path=row["task_area_path"],
            need=row.get("need"),
            need_resident=row.get("need_resident"),
            task_created_by=row.get("task_created_by"),
            recorded_by=row.get("recorded_by"),
            **looked_up,
        )


def performs(actor: Actor, claim: ClaimFacts) -> bool:
    """The performer, or the representative of the organisation that claimed for them: the
    work is theirs (to report, and never to confirm, settle or rate)."""
    return claim.member == actor.member_id or actor.acts_for(claim.organisation)


def receives(actor: Actor, claim: ClaimFacts) -> bool:
    """The resident the work was for, or a leader or staff of the task's area."""
    return actor.manages(claim.task_area_path) or (
        claim.need_resident is not None and claim.need_resident == actor.member_id
    )


def sees(actor: Actor, claim: ClaimFacts) -> bool:
    return performs(actor, claim) or receives(actor, claim)


def _hidden(actor: Actor, claim: ClaimFacts) -> errors.ProjectError:
    return errors.NotAllowed() if sees(actor, claim) else errors.NotFound(thing=N_("claim"))


def _state(claim: ClaimFacts, states: tuple[str, ...], action: str) -> errors.ProjectError | None:
    if claim.status not in states:
        return errors.WrongState(thing=N_("claim"), state=claim.status, action=action)
    return None


def see(actor: Actor, claim: ClaimFacts) -> errors.ProjectError | None:
    return None if sees(actor, claim) else errors.NotFound(thing=N_("claim"))


def check_in(actor: Actor, claim: ClaimFacts) -> errors.ProjectError | None:
    if not performs(actor, claim):
        return _hidden(actor, claim)
    return _state(claim, ("claimed",), N_("check in"))


def submit(actor: Actor, claim: ClaimFacts) -> errors.ProjectError | None:
    """Minutes are reported after checking in: the time since then bounds them."""
    if not performs(actor, claim):
        return _hidden(actor, claim)
    if claim.status == "claimed":
        return errors.Conflict(N_("Check in when you start the work, then submit the minutes worked."))
    return _state(claim, ("checked_in",), N_("submit"))


def withdraw(actor: Actor, claim: ClaimFacts) -> errors.ProjectError | None:
    if not performs(actor, claim):
        return _hidden(actor, claim)
    return _state(claim, ("claimed", "checked_in"), N_("withdraw"))


def _received(actor: Actor, claim: ClaimFacts, action: str) -> errors.ProjectError | None:
    """Those who received the work decide about it; never its performer. To anyone else the
    claim does not exist."""
    if performs(actor, claim):
        return errors.OwnWork(action=action)
    if not receives(actor, claim):
        return errors.NotFound(thing=N_("claim"))
    return None


def add_photo(actor: Actor, claim: ClaimFacts) -> errors.ProjectError | None:
    """Photos of the work (the proof, 拍照存档): by the performer from checking in until the work
    is decided, or by the leader who recorded it for them."""
    if claim.recorded_by is not None and claim.recorded_by == actor.member_id:
        return _state(claim, ("submitted", "disputed"), N_("add a photo to"))
    if not performs(actor, claim):
        return _hidden(actor, claim)
    return _state(claim, ("checked_in", "submitted", "disputed"), N_("add a photo to"))


def confirm(actor: Actor, claim: ClaimFacts) -> errors.ProjectError | None:
    return _received(actor, claim, N_("confirm")) or _state(claim, ("submitted",), N_("confirm"))


def dispute(actor: Actor, claim: ClaimFacts) -> errors.ProjectError | None:
    return _received(actor, claim, N_("dispute")) or _state(claim, ("submitted",), N_("dispute"))


def settle(actor: Actor, claim: ClaimFacts) -> errors.ProjectError | None:
    """A leader (or staff) of the task's area decides a dispute."""
    if performs(actor, claim):
        return errors.OwnWork(action=N_("settle"))
    if not actor.manages(claim.task_area_path):
        return _hidden(actor, claim)
    return _state(claim, ("disputed",), N_("settle"))


def approve(actor: Actor, claim: ClaimFacts) -> errors.ProjectError | None:
    """Four eyes: a second staff member of the task's community (or above) issues points over
    the threshold; never who created the task, confirmed the work or recorded it."""
    if performs(actor, claim):
        return errors.OwnWork(action=N_("approve"))
    if not actor.is_staff(claim.task_area_path):
        return _hidden(actor, claim)
    if actor.member_id in (claim.task_created_by, claim.decided_by, claim.recorded_by):
        return errors.NotAllowed(
            N_("A second staff member approves it: not who created the task, confirmed or recorded the work.")
        )
    return _state(claim, ("awaiting_approval",), N_("approve"))


def rate(actor: Actor, claim: ClaimFacts) -> errors.ProjectError | None:
    """The resident who asked (or a neighbour who joined the common need) rates confirmed work
    once; work for no need is rated by whoever confirmed it."""
    if performs(actor, claim):
        return errors.OwnWork(action=N_("rate"))
    if claim.need is not None:
        if not (claim.need_resident == actor.member_id or claim.joined):
            return errors.NotFound(thing=N_("claim"))
    elif claim.decided_by != actor.member_id:
        return errors.NotFound(thing=N_("claim"))
    if claim.status != "confirmed":
        return errors.Conflict(N_("Only confirmed work can be rated."))
    if claim.rated:
        return errors.AlreadyRated()
    return None


RULES = {
    "check_in": check_in,
    "submit": submit,
    "withdraw": withdraw,
    "add_photo": add_photo,
    "confirm": confirm,
    "dispute": dispute,
    "settle": settle,
    "approve": approve,
    "rate": rate,
}


def may(actor: Actor, claim: ClaimFacts) -> frozenset[str]:
    return allowed(actor, claim, RULES)
