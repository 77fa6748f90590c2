"""Who may see a service project and what they may do to it now: an organisation claims it and
reports its milestones; it and the staff of its area plan milestones and publish progress;
staff complete or cancel it. Its community's people follow it, as do staff above it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projects import errors
from projects.access import Actor
from projects.errors import N_
from projects.rules import allowed

LIVE = ("published", "claimed")


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    id: int
    status: str
    organisation: int | None
    area_path: str

    @classmethod
    def of(cls, row: dict[str, Any], area_path: str) -> ProjectFacts:
        return cls(row["id"], row["status"], row["organisation"], area_path)


def runs(actor: Actor, project: ProjectFacts) -> bool:
    """The representative of the organisation that claimed it."""
    return project.organisation is not None and actor.acts_for(project.organisation)


def offered_to(actor: Actor, project: ProjectFacts) -> bool:
    """A published project is offered to the organisations that serve its community: their
    representatives may see it and claim it."""
    return project.status == "published" and bool(actor.serves_for(project.area_path))


def sees(actor: Actor, project: ProjectFacts) -> bool:
    return (
        actor.near(project.area_path)
        or actor.is_staff(project.area_path)
        or runs(actor, project)
        or offered_to(actor, project)
    )


def _hidden(actor: Actor, project: ProjectFacts) -> errors.ProjectError:
    return errors.NotAllowed() if sees(actor, project) else errors.NotFound(thing=N_("project"))


def _state(project: ProjectFacts, states: tuple[str, ...], action: str) -> errors.ProjectError | None:
    if project.status not in states:
        return errors.WrongState(thing=N_("project"), state=project.status, action=action)
    return None


def see(actor: Actor, project: ProjectFacts) -> errors.ProjectError | None:
    return None if sees(actor, project) else errors.NotFound(thing=N_("project"))


def claim(actor: Actor, project: ProjectFacts) -> errors.ProjectError | None:
    """An organisation's representative takes a published project on, for an organisation that
    serves its community (which one is the use case's to check)."""
    if not (actor.is_admin or actor.serves_for(project.area_path)):
        return _hidden(actor, project)
    return _state(project, ("published",), N_("claim"))


def plan(actor: Actor, project: ProjectFacts) -> errors.ProjectError | None:
    if not (runs(actor, project) or actor.is_staff(project.area_path)):
        return _hidden(actor, project)
    return _state(project, LIVE, N_("plan"))


def report_milestone(actor: Actor, project: ProjectFacts) -> errors.ProjectError | None:
    if not runs(actor, project):
        return _hidden(actor, project)
    return _state(project, ("claimed",), N_("report on"))


def progress(actor: Actor, project: ProjectFacts) -> errors.ProjectError | None:
    if not (runs(actor, project) or actor.is_staff(project.area_path)):
        return _hidden(actor, project)
    return _state(project, LIVE, N_("report on"))


def complete(actor: Actor, project: ProjectFacts) -> errors.ProjectError | None:
    if not actor.is_staff(project.area_path):
        return _hidden(actor, project)
    return _state(project, ("claimed",), N_("complete"))


def cancel(actor: Actor, project: ProjectFacts) -> errors.ProjectError | None:
    if not actor.is_staff(project.area_path):
        return _hidden(actor, project)
    return _state(project, LIVE, N_("cancel"))


RULES = {
    "claim": claim,
    "plan": plan,
    "report_milestone": report_milestone,
    "progress": progress,
    "complete": complete,
    "cancel": cancel,
}


def may(actor: Actor, project: ProjectFacts) -> frozenset[str]:
    return allowed(actor, project, RULES)
