"""Service projects (服务项目书): drawn up by staff from common needs, often after a
consultation meeting; claimed by an organisation; carried out through milestones and tasks,
with progress published for residents to follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projects import errors, events
from projects.access import Actor, area_path, serves
from projects.areas import get_area, under
from projects.db import atomic
from projects.errors import N_
from projects.limits import (
    PROGRESS_NOTE_MAX_CHARS,
    PROJECT_CONTENT_MAX_CHARS,
    REASON_MAX_CHARS,
    TITLE_MAX_CHARS,
)
from projects.needs import facts_of
from projects.organisations import get_organisation
from projects.rules import needs as need_rules
from projects.rules import projects as project_rules
from projects.rules import refuse
from projects.rules.projects import ProjectFacts
from projects.states import load, move, text, trace
from projects.tables import Milestone, Need, Progress, Project, ProjectNeed, Task
from projects.tasks import end_task
from projects.triage import LIVE_TASKS, finish_if_done, start_work

PAGE = 50


@dataclass(frozen=True, slots=True)
class MilestoneRecord:
    id: int
    project: int
    title: str
    due: datetime
    done_at: datetime | None
    report: str


@dataclass(frozen=True, slots=True)
class ProgressRecord:
    id: int
    project: int
    author: int
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    id: int
    title: str
    content: str
    measures: str
    area: int
    deadline: datetime
    organisation: int | None
    status: str
    overdue: bool
    created_by: int
    created_at: datetime
    updated_at: datetime
    needs: tuple[int, ...] = ()
    milestones: tuple[MilestoneRecord, ...] = ()
    progress: tuple[ProgressRecord, ...] = ()
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (projects.rules.projects)


async def create_project(
    actor: Actor,
    *,
    title: str,
    area_id: int,
    deadline: datetime,
    now: datetime,
    content: str = "",
    measures: str = "",
    need_ids: list[int] | None = None,
) -> ProjectRecord:
    """Staff write up a project; the common needs it answers are now being worked on."""
    title = text(title, TITLE_MAX_CHARS, N_("title"), required=True)
    content = text(content, PROJECT_CONTENT_MAX_CHARS, N_("content"))
    measures = text(measures, PROJECT_CONTENT_MAX_CHARS, N_("measures"))
    if deadline <= now:
        raise errors.Invalid(N_("The deadline must be in the future."))
    async with atomic():
        area = await get_area(area_id)
        actor.require(actor.is_staff(area.path))
        rows = await Project.insert(
            Project(
                title=title,
                content=content,
                measures=measures,
                area=area_id,
                deadline=deadline,
                status="published",
                created_by=actor.member_id,
                created_at=now,
                updated_at=now,
            )
        ).returning(Project.id)
        project_id = rows[0]["id"]
        await events.record(
            "project", project_id, "create", actor=actor.member_id, now=now, to_state="published"
        )
        for need_id in sorted(set(need_ids or [])):
            need = await load(Need, "need", need_id)
            refuse(need_rules.dispatch(actor, await facts_of(need)))
            if need["scope"] != "common":
                raise errors.Invalid(N_("A service project answers common needs."), field="need_ids")
            await ProjectNeed.insert(ProjectNeed(project=project_id, need=need_id))
            await start_work(need_id, actor=actor.member_id, now=now, why=f"project #{project_id}")
    return await view_project(actor, project_id)


async def get_project(project_id: int) -> ProjectRecord:
    records = await _records(Project.select().where(Project.id == project_id))
    if not records:
        raise errors.NotFound(thing=N_("project"))
    return records[0]


def _select():
    return Project.select(*Project.all_columns(), Project.area.path.as_alias("area_path"))


async def _records(query, actor: Actor | None = None) -> list[ProjectRecord]:
    """The projects ``query`` selects (those ``actor`` may see, with what they may do), with
    their needs, milestones and progress: four queries."""
    rows = []
    for row in await query:
        path = row.pop("area_path", None)
        if actor is not None:
            facts = ProjectFacts.of(row, path)
            if not project_rules.sees(actor, facts):
                continue
            row["may"] = project_rules.may(actor, facts)
        rows.append(row)
    ids = [row["id"] for row in rows] or [-1]
    needs: dict[int, list[int]] = {}
    for row in await ProjectNeed.select().where(ProjectNeed.project.is_in(ids)).order_by(ProjectNeed.need):
        needs.setdefault(row["project"], []).append(row["need"])
    milestones: dict[int, list[MilestoneRecord]] = {}
    for row in await Milestone.select().where(Milestone.project.is_in(ids)).order_by(Milestone.due):
        milestones.setdefault(row["project"], []).append(MilestoneRecord(**row))
    progress: dict[int, list[ProgressRecord]] = {}
    for row in await Progress.select().where(Progress.project.is_in(ids)).order_by(Progress.id):
        progress.setdefault(row["project"], []).append(ProgressRecord(**row))
    return [
        ProjectRecord(
            **row,
            needs=tuple(needs.get(row["id"], ())),
            milestones=tuple(milestones.get(row["id"], ())),
            progress=tuple(progress.get(row["id"], ())),
        )
        for row in rows
    ]


async def view_project(actor: Actor, project_id: int) -> ProjectRecord:
    """A project as ``actor`` may see it: its community's people and staff above it follow it."""
    records = await _records(_select().where(Project.id == project_id), actor)
    if not records:
        raise errors.NotFound(thing=N_("project"))
    return records[0]


async def list_projects(
    actor: Actor, *, area_id: int | None = None, status: str | None = None
) -> list[ProjectRecord]:
    """The projects ``actor`` may follow, newest first."""
    query = _select().order_by(Project.id, ascending=False).limit(200)
    if area_id is not None:
        query = query.where(under(Project.area.path, await area_path(area_id)))
    if status is not None:
        query = query.where(Project.status == status)
    return await _records(query, actor)


async def _locked(actor: Actor, project_id: int, rule) -> dict:
    """The project's row, locked, once ``rule`` lets the actor act on it."""
    row = await load(Project, "project", project_id)
    refuse(rule(actor, ProjectFacts.of(row, await area_path(row["area"]))))
    return row


async def claim_project(
    actor: Actor, project_id: int, *, organisation_id: int, now: datetime
) -> ProjectRecord:
    async with atomic():
        row = await _locked(actor, project_id, project_rules.claim)
        actor.require(actor.represents(organisation_id))
        organisation = await get_organisation(organisation_id)
        if not serves(await area_path(organisation.area), await area_path(row["area"])):
            raise errors.NotAllowed(N_("This organisation does not serve this community."))
        await move(
            Project,
            "project",
            row,
            "claimed",
            "claim",
            actor=actor.member_id,
            now=now,
            organisation=organisation_id,
        )
    return await view_project(actor, project_id)


async def add_milestone(
    actor: Actor, project_id: int, *, title: str, due: datetime, now: datetime
) -> ProjectRecord:
    title = text(title, TITLE_MAX_CHARS, N_("title"), required=True)
    async with atomic():
        row = await _locked(actor, project_id, project_rules.plan)
        await Milestone.insert(Milestone(project=project_id, title=title, due=due))
        await trace(Project, "project", row, "milestone", actor=actor.member_id, now=now, why=title)
    return await view_project(actor, project_id)


async def complete_milestone(
    actor: Actor, project_id: int, milestone_id: int, *, report: str, now: datetime
) -> ProjectRecord:
    report = text(report, PROJECT_CONTENT_MAX_CHARS, N_("report"), required=True)
    async with atomic():
        row = await _locked(actor, project_id, project_rules.report_milestone)
        milestone = (
            await Milestone.select()
            .where((Milestone.id == milestone_id) & (Milestone.project == project_id))
            .first()
        )
        if milestone is None:
            raise errors.NotFound(thing=N_("milestone"))
        if milestone["done_at"] is not None:
            raise errors.Conflict(N_("This milestone is already done."))
        await Milestone.update({Milestone.done_at: now, Milestone.report: report}).where(
            Milestone.id == milestone_id
        )
        await trace(
            Project, "project", row, "milestone_done", actor=actor.member_id, now=now, why=milestone["title"]
        )
    return await view_project(actor, project_id)


async def publish_progress(actor: Actor, project_id: int, *, note: str, now: datetime) -> ProjectRecord:
    note = text(note, PROGRESS_NOTE_MAX_CHARS, N_("progress report"), required=True)
    async with atomic():
        row = await _locked(actor, project_id, project_rules.progress)
        await Progress.insert(Progress(project=project_id, author=actor.member_id, text=note, created_at=now))
        await trace(Project, "project", row, "progress", actor=actor.member_id, now=now, why=note)
    return await view_project(actor, project_id)


async def _close(actor: Actor, project_id: int, to: str, action: str, *, now, why="") -> None:
    async with atomic():
        rule = project_rules.complete if to == "completed" else project_rules.cancel
        row = await _locked(actor, project_id, rule)
        await move(
            Project, "project", row, to, action, actor=actor.member_id, now=now, why=why, overdue=False
        )
        # Its live tasks end with it (in id order, after the project: see states.py).
        live = Task.select(Task.id).where((Task.project == project_id) & Task.status.is_in(list(LIVE_TASKS)))
        for task in await live.order_by(Task.id):
            locked = await load(Task, "task", task["id"])
            await end_task(locked, actor=actor.member_id, now=now, why=why or f"project #{project_id} {to}")
        needs = ProjectNeed.select(ProjectNeed.need).where(ProjectNeed.project == project_id)
        for need in await needs.order_by(ProjectNeed.need):
            await finish_if_done(need["need"], actor=actor.member_id, now=now)


async def complete_project(actor: Actor, project_id: int, *, now: datetime) -> ProjectRecord:
    await _close(actor, project_id, "completed", "complete", now=now)
    return await view_project(actor, project_id)


async def cancel_project(actor: Actor, project_id: int, *, reason: str, now: datetime) -> ProjectRecord:
    reason = text(reason, REASON_MAX_CHARS, N_("reason"), required=True)
    await _close(actor, project_id, "cancelled", "cancel", now=now, why=reason)
    return await view_project(actor, project_id)


async def project_history(actor: Actor, project_id: int) -> list[events.Trace]:
    await view_project(actor, project_id)
    return await events.history("project", project_id)
