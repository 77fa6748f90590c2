"""Who may see a need and what they may do to it now (cancel, join, triage, escalate, reject,
merge, dispatch a task, report progress)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projects import errors
from projects.access import Actor, community_path
from projects.errors import N_
from projects.rules import allowed

OPEN = ("new", "triaged", "in_progress")
TRIAGEABLE = ("new", "triaged")
WORKABLE = ("triaged", "in_progress")


@dataclass(frozen=True, slots=True)
class NeedFacts:
    """What the rules look at: the need's row, where it is and who handles it, and whether the
    actor already joined it (+1)."""

    id: int
    resident: int
    reporter: int
    scope: str
    status: str
    grade: str | None
    area_path: str
    handling_path: str
    handling_level: str
    joined: bool = False

    @classmethod
    def of(cls, row: dict[str, Any], *, joined: bool = False) -> NeedFacts:
        """From a row with the need's columns and ``area_path``, ``handling_path`` and
        ``handling_level`` (``projects.needs.select_needs``)."""
        return cls(
            id=row["id"],
            resident=row["resident"],
            reporter=row["reporter"],
            scope=row["scope"],
            status=row["status"],
            grade=row["grade"],
            area_path=row["area_path"],
            handling_path=row["handling_path"],
            handling_level=row["handling_level"],
            joined=joined,
        )


def asked(actor: Actor, need: NeedFacts) -> bool:
    """The resident it is for, or whoever reported it for them."""
    return actor.member_id in (need.resident, need.reporter)


def decides(actor: Actor, need: NeedFacts) -> bool:
    """Staff where the need is handled (or above) decide about it."""
    return actor.is_staff(need.handling_path)


def manages(actor: Actor, need: NeedFacts) -> bool:
    """Leaders and staff of its area, and staff where it is handled: the desk sees it whole."""
    return actor.manages(need.area_path) or decides(actor, need)


def sees(actor: Actor, need: NeedFacts) -> bool:
    return (
        asked(actor, need) or manages(actor, need) or (need.scope == "common" and actor.near(need.area_path))
    )


def sees_whole(actor: Actor, need: NeedFacts) -> bool:
    """Who may know who asked: a neighbour sees a common need without its reporter."""
    return asked(actor, need) or manages(actor, need)


def _hidden(actor: Actor, need: NeedFacts) -> errors.ProjectError:
    """The refusal of someone who may not act: a need they may not even see does not exist."""
    return errors.NotAllowed() if sees(actor, need) else errors.NotFound(thing=N_("need"))


def _state(need: NeedFacts, states: tuple[str, ...], action: str) -> errors.ProjectError | None:
    if need.status not in states:
        return errors.WrongState(thing=N_("need"), state=need.status, action=action)
    return None


def see(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    return None if sees(actor, need) else errors.NotFound(thing=N_("need"))


def cancel(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    """The resident (or whoever reported it) withdraws a need nobody has taken up yet."""
    if not asked(actor, need):
        return _hidden(actor, need)
    return _state(need, TRIAGEABLE, N_("cancel"))


def join(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    """+1 on a neighbour's common need that is still open."""
    if not sees(actor, need):
        return errors.NotFound(thing=N_("need"))
    if need.scope != "common":
        return errors.Conflict(N_("Only common needs can be joined."))
    if not (actor.home_path and actor.home_path.startswith(community_path(need.area_path))):
        return errors.NotAllowed(N_("Only residents of its community can join a need."))
    if need.resident == actor.member_id or need.joined:
        return errors.AlreadySupported()
    return _state(need, OPEN, N_("join"))


def triage(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    if not decides(actor, need):
        return _hidden(actor, need)
    return _state(need, TRIAGEABLE, N_("triage"))


def escalate(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    refusal = triage(actor, need)
    if refusal is None and need.handling_level == "district":
        return errors.TopOfTree()
    return refusal


def reject(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    if not decides(actor, need):
        return _hidden(actor, need)
    return _state(need, TRIAGEABLE, N_("reject"))


def merge(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    """Merge this need (a duplicate) into another: the other is checked with ``merge_into``."""
    if not decides(actor, need):
        return _hidden(actor, need)
    return _state(need, TRIAGEABLE, N_("merge"))


def merge_into(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    if not decides(actor, need):
        return _hidden(actor, need)
    return _state(need, OPEN, N_("merge into"))


def dispatch(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    """A task for the need: by staff where it is handled who are staff where it is done too
    (that community pays the points)."""
    if not decides(actor, need):
        return _hidden(actor, need)
    if not actor.is_staff(need.area_path):
        return errors.NotAllowed(N_("Only staff of the need's community can dispatch its tasks."))
    return _state(need, WORKABLE, N_("dispatch"))


def progress(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    """B needs report progress until done; C needs report periodically on their plan."""
    if not manages(actor, need):
        return _hidden(actor, need)
    refusal = _state(need, WORKABLE, N_("report on"))
    if refusal is None and need.grade not in ("B", "C"):
        return errors.Conflict(N_("Progress reports are for B and C needs."))
    return refusal


RULES = {
    "cancel": cancel,
    "join": join,
    "triage": triage,
    "escalate": escalate,
    "reject": reject,
    "merge": merge,
    "dispatch": dispatch,
    "progress": progress,
}


def may(actor: Actor, need: NeedFacts) -> frozenset[str]:
    return allowed(actor, need, RULES)
