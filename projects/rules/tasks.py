"""Who may see a task and what they may do to it now (claim, send a member, accept, decline,
dispatch again, cancel, record work done), and who may know where it is and whom to call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projects import errors
from projects.access import Actor
from projects.errors import N_
from projects.rules import allowed
from projects.rules.workorders import WorkOrderFacts
from projects.rules.workorders import sees_contact as sees_work_order

LIVE = ("offered", "declined", "open", "full")
PUBLIC = ("open", "full", "done")  # what neighbours see of a task; the rest is for those involved
WAITING_CLAIMS = ("submitted", "disputed", "awaiting_approval")  # work reported, not yet decided
UNFINISHED_CLAIMS = ("claimed", "checked_in", *WAITING_CLAIMS)


@dataclass(frozen=True, slots=True)
class TaskFacts:
    """What the rules look at: the task's row, where it is, whose need it serves, and what the
    actor (or an organisation they represent) has to do with it."""

    id: int
    status: str
    claimed: int
    capacity: int
    assignee_member: int | None
    assignee_organisation: int | None
    area_path: str
    need_resident: int | None = None
    need_reporter: int | None = None
    need_area_path: str | None = None  # where its need is (None: a task of no need)
    working: bool = False  # an active claim or a live assignment on a task of the same need (or this one)
    claimed_by_me: bool = False  # I hold a claim that is not withdrawn or cancelled
    involved: bool = False  # I or an organisation I represent claimed a place (ever)
    work_waiting: bool = False  # some work is submitted or disputed: confirm or settle it first
    places_held: bool = False  # someone holds a place not yet worked (claimed or checked in)

    @classmethod
    def of(cls, row: dict[str, Any], **looked_up: Any) -> TaskFacts:
        """From a task row with ``area_path``, and what the caller looked up about the actor."""
        return cls(
            id=row["id"],
            status=row["status"],
            claimed=row["claimed"],
            capacity=row["capacity"],
            assignee_member=row["assignee_member"],
            assignee_organisation=row["assignee_organisation"],
            area_path=row["area_path"],
            **looked_up,
        )

    @property
    def work_order(self) -> WorkOrderFacts:
        asked = tuple(member for member in (self.need_resident, self.need_reporter) if member is not None)
        return WorkOrderFacts(self.need_area_path or self.area_path, asked, self.working)


def for_assignee(actor: Actor, task: TaskFacts) -> bool:
    """The member or organisation the task was dispatched to (its representative answers)."""
    if task.assignee_member is not None:
        return task.assignee_member == actor.member_id
    return task.assignee_organisation is not None and actor.represents(task.assignee_organisation)


def sees(actor: Actor, task: TaskFacts) -> bool:
    """Open, full and done tasks near me; any task I manage, was dispatched or claimed."""
    return (
        actor.manages(task.area_path)
        or for_assignee(actor, task)
        or (task.status in PUBLIC and actor.near(task.area_path))
        or task.involved
    )


def sees_contact(actor: Actor, task: TaskFacts) -> bool:
    """Its need's address and contact (``projects.rules.workorders``)."""
    return sees_work_order(actor, task.work_order)


def _hidden(actor: Actor, task: TaskFacts) -> errors.ProjectError:
    return errors.NotAllowed() if sees(actor, task) else errors.NotFound(thing=N_("task"))


def _state(task: TaskFacts, states: tuple[str, ...], action: str) -> errors.ProjectError | None:
    if task.status not in states:
        return errors.WrongState(thing=N_("task"), state=task.status, action=action)
    return None


def _place(task: TaskFacts) -> errors.ProjectError | None:
    """Is there a place left to take?"""
    if task.status == "full":
        return errors.TaskFull()
    refusal = _state(task, ("open",), N_("claim"))
    if refusal is None and task.claimed >= task.capacity:
        return errors.TaskFull()
    return refusal


def see(actor: Actor, task: TaskFacts) -> errors.ProjectError | None:
    return None if sees(actor, task) else errors.NotFound(thing=N_("task"))


def claim(actor: Actor, task: TaskFacts) -> errors.ProjectError | None:
    """A volunteer takes a place for themself: where they may see the task, if it was not
    dispatched to someone else, and never for their own need."""
    if not sees(actor, task):
        return errors.NotFound(thing=N_("task"))
    if task.assignee_member is not None and task.assignee_member != actor.member_id:
        return errors.NotAllowed(N_("This task was dispatched to someone else."))
    if task.assignee_organisation is not None:
        return errors.NotAllowed(
            N_("This task was dispatched to an organisation: its representative claims it.")
        )
    if task.assignee_member is None and not any(grant.role == "volunteer" for grant in actor.grants):
        # The open pool is for registered volunteers (志愿者); organisations send their members.
        return errors.NotAllowed(N_("Only registered volunteers can claim open tasks."))
    return _mine(actor, task) or _place(task)


def _mine(actor: Actor, task: TaskFacts) -> errors.ProjectError | None:
    if task.claimed_by_me:
        return errors.AlreadyClaimed()
    if task.need_resident == actor.member_id:
        return errors.OwnWork(N_("You cannot claim a task for your own need."))
    return None


def send(actor: Actor, task: TaskFacts) -> errors.ProjectError | None:
    """An organisation's representative sends one of its members: to a task dispatched to the
    organisation, or to one of the open pool near them."""
    if not sees(actor, task):
        return errors.NotFound(thing=N_("task"))
    if not actor.represented or task.assignee_member is not None:
        return errors.NotAllowed()
    if task.assignee_organisation is not None and not actor.acts_for(task.assignee_organisation):
        return errors.NotAllowed(
            N_("This task was dispatched to an organisation: its representative claims it.")
        )
    return _place(task)


def accept(actor: Actor, task: TaskFacts) -> errors.ProjectError | None:
    if not for_assignee(actor, task):
        return _hidden(actor, task)
    return _state(task, ("offered",), N_("accept"))


def decline(actor: Actor, task: TaskFacts) -> errors.ProjectError | None:
    if not for_assignee(actor, task):
        return _hidden(actor, task)
    return _state(task, ("offered",), N_("decline"))


def dispatch(actor: Actor, task: TaskFacts) -> errors.ProjectError | None:
    """Send a declined (or not yet taken) task to someone else, or to the open pool."""
    if not actor.is_staff(task.area_path):
        return _hidden(actor, task)
    refusal = _state(task, ("offered", "declined", "open"), N_("dispatch again"))
    if refusal is None and task.claimed:
        return errors.Conflict(N_("This task already has claims: cancel it and create a new one."))
    return refusal


def cancel(actor: Actor, task: TaskFacts) -> errors.ProjectError | None:
    """Staff call a task off, once the work submitted on it is confirmed or settled."""
    if not actor.is_staff(task.area_path):
        return _hidden(actor, task)
    refusal = _state(task, LIVE, N_("cancel"))
    if refusal is None and task.work_waiting:
        return errors.Conflict(N_("Work on this task has been submitted: confirm or settle it first."))
    return refusal


def record(actor: Actor, task: TaskFacts) -> errors.ProjectError | None:
    """A leader or staff member of the task's area records work done without a check-in (an
    elder's neighbour who has no phone): for someone holding a place, or taking one."""
    if not actor.manages(task.area_path):
        return _hidden(actor, task)
    if task.status == "full" and not task.places_held:
        return errors.TaskFull()  # nobody holds a place to record work for, and none is left
    return _state(task, ("open", "full"), N_("record work on"))


RULES = {
    "claim": claim,
    "send": send,
    "accept": accept,
    "decline": decline,
    "dispatch": dispatch,
    "cancel": cancel,
    "record": record,
}


def may(actor: Actor, task: TaskFacts) -> frozenset[str]:
    return allowed(actor, task, RULES)
