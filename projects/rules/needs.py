"""Who may see a need and what they may do to it now (cancel, join, triage, escalate, reject,
merge, dispatch a task, report progress, add a photo), and who may know its address and contact."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projects import errors
from projects.access import Actor, community_path
from projects.area_path import GRID_DEPTH, AreaPath
from projects.errors import N_
from projects.rules import allowed
from projects.rules.workorders import WorkOrderFacts
from projects.rules.workorders import sees_contact as sees_work_order

OPEN = ("new", "triaged", "in_progress")
TRIAGEABLE = ("new", "triaged")
WORKABLE = ("triaged", "in_progress")


@dataclass(frozen=True, slots=True)
class NeedFacts:
    """What the rules look at: the need's row, where it is and who handles it, whether the actor
    already joined it (+1) and whether they work on one of its tasks now."""

    id: int
    resident: int
    reporter: int
    scope: str
    status: str
    grade: str | None
    area_path: str
    handling_path: str
    handling_level: str
    handed_from: int | None = None
    joined: bool = False
    working: bool = False  # an active claim or a live assignment on one of its tasks

    @classmethod
    def of(cls, row: dict[str, Any], *, joined: bool = False, working: bool = False) -> NeedFacts:
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
            handed_from=row.get("handed_from"),
            joined=joined,
            working=working,
        )

    @property
    def work_order(self) -> WorkOrderFacts:
        return WorkOrderFacts(self.area_path, (self.resident, self.reporter), self.working)

    @property
    def grid_path(self) -> str | None:
        """The grid the need is in, if it is in one (a community's common need may not be)."""
        grid = AreaPath.parse(self.area_path).at(GRID_DEPTH)
        return None if grid is None else str(grid)


def asked(actor: Actor, need: NeedFacts) -> bool:
    """The resident it is for, or whoever reported it for them."""
    return actor.member_id in (need.resident, need.reporter)


def holds(actor: Actor, need: NeedFacts) -> bool:
    """The holder: staff of the community, street or district handling the need, or the leader
    of the grid it was handed down to (or an admin). The holder keeps every action."""
    role = "leader" if need.handling_level == "grid" else "staff"
    return actor.is_admin or actor.holds_exactly(role, need.handling_path)


def decides(actor: Actor, need: NeedFacts) -> bool:
    """A holder at a level with staff (community, street, district): grades, dispatches, rejects."""
    return holds(actor, need) and need.handling_level != "grid"


def above(actor: Actor, need: NeedFacts) -> bool:
    """Staff of a level above the holder: they supervise (督办), they do not take over."""
    return any(
        grant.role == "staff"
        and grant.path != need.handling_path
        and need.handling_path.startswith(grant.path)
        for grant in actor.grants
    )


def manages(actor: Actor, need: NeedFacts) -> bool:
    """Leaders and staff of its area, its holder and staff above: the desk sees it whole."""
    return actor.manages(need.area_path) or holds(actor, need) or actor.is_staff(need.handling_path)


def sees(actor: Actor, need: NeedFacts) -> bool:
    return (
        asked(actor, need) or manages(actor, need) or (need.scope == "common" and actor.near(need.area_path))
    )


def sees_whole(actor: Actor, need: NeedFacts) -> bool:
    """Who may know who asked: a neighbour sees a common need without its reporter."""
    return asked(actor, need) or manages(actor, need)


def sees_contact(actor: Actor, need: NeedFacts) -> bool:
    """Its address and contact (``projects.rules.workorders``)."""
    return sees_work_order(actor, need.work_order)


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
    """The holder sends it up a level (上报): a grid's leader to the community, a community to
    the street, a street to the district."""
    if not holds(actor, need):
        return _hidden(actor, need)
    refusal = _state(need, TRIAGEABLE, N_("escalate"))
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
    """Progress is reported to the resident on any open need by its holder (which answers the
    supervision notices) and by the community, whoever holds it."""
    if not manages(actor, need):
        return _hidden(actor, need)
    return _state(need, OPEN, N_("report on"))


def add_photo(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    """Whoever asked, and the leaders and staff who handle it, add photos while it is open (a
    progress report's photos come with the report)."""
    if not (asked(actor, need) or manages(actor, need)):
        return _hidden(actor, need)
    return _state(need, OPEN, N_("add a photo to"))


def supervise(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    """Staff of any level above the holder push it with a notice (督办单)."""
    if not above(actor, need):
        return _hidden(actor, need)
    return _state(need, OPEN, N_("supervise"))


def hand_down(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    """The holder hands the need down (交办) to a community or grid below it, on the need's own
    way down: there must be one."""
    if not decides(actor, need):
        return _hidden(actor, need)
    refusal = _state(need, TRIAGEABLE, N_("hand down"))
    if refusal is None and not targets(need):
        return errors.Conflict(N_("There is no community or grid below to hand this need down to."))
    return refusal


def targets(need: NeedFacts) -> list[str]:
    """The paths a need may be handed down to: its community and its grid, below the holder."""
    below = [community_path(need.area_path), need.grid_path]
    return [
        path for path in below if path and path != need.handling_path and path.startswith(need.handling_path)
    ]


def return_(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    """The level it was handed down to gives it back (退回), with a reason, before work starts."""
    if not holds(actor, need):
        return _hidden(actor, need)
    if need.handed_from is None:
        return errors.Conflict(N_("This need was not handed down: escalate it instead."))
    return _state(need, TRIAGEABLE, N_("return"))


def take(actor: Actor, need: NeedFacts) -> errors.ProjectError | None:
    """A grid's leader handles a small thing of their grid themself (小事不出网格): while its
    community still holds it (or the grid, handed down), before anyone works on it."""
    grid = need.grid_path
    if grid is None or not actor.holds_exactly("leader", grid):
        return _hidden(actor, need)
    if need.handling_path not in (grid, community_path(need.area_path)):
        return errors.Conflict(N_("This need is handled above the community now."))
    if need.resident == actor.member_id:
        return errors.OwnWork(N_("You cannot claim a task for your own need."))
    return _state(need, TRIAGEABLE, N_("take on"))


RULES = {
    "cancel": cancel,
    "join": join,
    "triage": triage,
    "escalate": escalate,
    "reject": reject,
    "merge": merge,
    "dispatch": dispatch,
    "progress": progress,
    "add_photo": add_photo,
    "supervise": supervise,
    "hand_down": hand_down,
    "return": return_,
    "take": take,
}


def may(actor: Actor, need: NeedFacts) -> frozenset[str]:
    return allowed(actor, need, RULES)
