"""Tasks (派单): staff dispatch work to a named volunteer or organisation, who accepts or
declines, or publish it to the open pool with a capacity and a points rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from projects import errors, events, issuance
from projects.access import MANAGERS, Actor, area_path
from projects.areas import AreaRecord, any_under, get_area, under
from projects.categories import get_category
from projects.db import atomic
from projects.errors import N_
from projects.limits import (
    DESCRIPTION_MAX_CHARS,
    REASON_MAX_CHARS,
    TASK_MAX_PEOPLE,
    TASK_MAX_POINTS_PER_HOUR,
    TITLE_MAX_CHARS,
)
from projects.needs import facts_of
from projects.rules import needs as need_rules
from projects.rules import refuse
from projects.rules import tasks as task_rules
from projects.rules.tasks import PUBLIC, UNFINISHED_CLAIMS, WAITING_CLAIMS, TaskFacts
from projects.rules.workorders import ACTIVE_CLAIMS, LIVE_ASSIGNMENTS
from projects.states import load, move, parse_cursor, text
from projects.tables import AREA_LEVELS, Area, Claim, Member, Need, Organisation, Project, Task
from projects.triage import finish_if_done, start_work
from projects.workorders import Contact, Places, Where, look_up_places

ZONE = ZoneInfo("Asia/Shanghai")  # a task's day is a day in China
PAGE = 50


@dataclass(frozen=True, slots=True)
class TaskRecord:
    id: int
    need: int | None
    project: int | None
    title: str
    description: str
    area: int
    category: str
    capacity: int
    claimed: int
    points_per_hour: int
    status: str
    assignee_member: int | None
    assignee_organisation: int | None
    starts_at: datetime | None
    deadline: datetime | None
    overdue: bool
    reason: str
    created_by: int
    created_at: datetime
    updated_at: datetime
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (projects.rules.tasks)
    # Its need's work order (projects.workorders): the address and contact for those who may know
    # them, the area's names and the preferred time for everyone who sees the task.
    where: Where | None = None
    contact: Contact | None = None
    preferred_time: str = ""


@dataclass(frozen=True, slots=True)
class TaskPage:
    items: list[TaskRecord]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Assignee:
    """Who a task is dispatched to: a member, or an organisation (a volunteer team is one)."""

    member_id: int | None = None
    organisation_id: int | None = None


async def _check_assignee(assignee: Assignee | None, capacity: int) -> dict:
    if assignee is None or (assignee.member_id is None and assignee.organisation_id is None):
        return {"assignee_member": None, "assignee_organisation": None, "status": "open"}
    if assignee.member_id is not None and assignee.organisation_id is not None:
        raise errors.Invalid(N_("Dispatch to a member or to an organisation, not both."), field="assignee")
    if assignee.member_id is not None:
        if not await Member.exists().where((Member.id == assignee.member_id) & (Member.active == True)):  # noqa: E712
            raise errors.NotFound(thing=N_("member"), field="assignee")
        if capacity != 1:
            raise errors.Invalid(N_("A task dispatched to one person has one place."), field="capacity")
    elif not await Organisation.exists().where(Organisation.id == assignee.organisation_id):
        raise errors.NotFound(thing=N_("organisation"), field="assignee")
    return {
        "assignee_member": assignee.member_id,
        "assignee_organisation": assignee.organisation_id,
        "status": "offered",
    }


async def create_task(
    actor: Actor,
    *,
    title: str,
    now: datetime,
    description: str = "",
    need_id: int | None = None,
    project_id: int | None = None,
    area_id: int | None = None,
    category: str | None = None,
    capacity: int = 1,
    points_per_hour: int | None = None,
    assignee: Assignee | None = None,
    starts_at: datetime | None = None,
    deadline: datetime | None = None,
) -> TaskRecord:
    """A task for a need, a service project, or on its own; to the open pool without assignee.
    Without a need, project or area it is placed in the one area its creator is staff of."""
    title = text(title, TITLE_MAX_CHARS, N_("title"), required=True)
    description = text(description, DESCRIPTION_MAX_CHARS, N_("description"))
    if not 1 <= capacity <= TASK_MAX_PEOPLE:
        raise errors.Invalid(
            N_("The capacity is 1 to {limit} people."), field="capacity", limit=TASK_MAX_PEOPLE
        )
    if points_per_hour is not None and not 0 <= points_per_hour <= TASK_MAX_POINTS_PER_HOUR:
        raise errors.Invalid(
            N_("Points per hour are 0 to {limit}."), field="points_per_hour", limit=TASK_MAX_POINTS_PER_HOUR
        )
    if deadline is not None and deadline <= now:
        raise errors.Invalid(N_("The deadline must be in the future."), field="deadline")
    if starts_at is not None and deadline is not None and starts_at > deadline:
        raise errors.Invalid(N_("A task cannot start after its deadline."), field="starts_at")
    async with atomic():
        project = await load(Project, "project", project_id) if project_id is not None else None
        need = await load(Need, "need", need_id) if need_id is not None else None
        if need is not None:
            refuse(need_rules.dispatch(actor, await facts_of(need)))
        if project is not None and project["status"] not in ("published", "claimed"):
            raise errors.WrongState(thing=N_("project"), state=project["status"], action=N_("give tasks to"))
        area_id = area_id or (need and need["area"]) or (project and project["area"])
        area = await get_area(area_id) if area_id is not None else await _only_staff_area(actor)
        if AREA_LEVELS.index(area.level) < AREA_LEVELS.index("community"):
            raise errors.Invalid(N_("A task is done in a community or below it."), field="area_id")
        # Staff of the task's area, and of the project it belongs to: the area's community pays.
        paths = [area.path] + ([await area_path(project["area"])] if project else [])
        actor.require(all(actor.is_staff(path) for path in paths))
        category_code = category or (need and need["category"])
        if category_code is None:
            raise errors.Invalid(N_("Say which category the task is in."), field="category")
        rate = (await get_category(category_code)).points_per_hour
        issuance.check_task(
            await issuance.policy_for(issuance.community_of(area.path)),
            points_per_hour=rate if points_per_hour is None else points_per_hour,
            capacity=capacity,
        )
        dispatch = await _check_assignee(assignee, capacity)
        rows = await Task.insert(
            Task(
                need=need_id,
                project=project_id,
                title=title,
                description=description,
                area=area.id,
                category=category_code,
                capacity=capacity,
                claimed=0,
                points_per_hour=rate if points_per_hour is None else points_per_hour,
                starts_at=starts_at,
                deadline=deadline,
                created_by=actor.member_id,
                created_at=now,
                updated_at=now,
                **dispatch,
            )
        ).returning(Task.id)
        task_id = rows[0]["id"]
        await events.record(
            "task", task_id, "create", actor=actor.member_id, now=now, to_state=dispatch["status"]
        )
        if need_id is not None:
            await start_work(need_id, actor=actor.member_id, now=now, why=f"#{task_id}")
    return await view_task(actor, task_id)


async def _only_staff_area(actor: Actor) -> AreaRecord:
    """Where a task with no need, project or area goes: the one area its creator is staff of."""
    staff = [grant for grant in actor.grants if grant.role == "staff"]
    if len(staff) == 1:
        return await get_area(staff[0].area_id)
    names = [
        row["name"]
        for row in await Area.select(Area.name).where(Area.id.is_in([g.area_id for g in staff] or [-1]))
    ]
    if not names:
        raise errors.Invalid(N_("Say in which area the task is."), field="area_id")
    return _raise_choose(names)


def _raise_choose(names: list[str]):
    raise errors.Invalid(
        N_("Say in which area the task is: one of {areas}."), field="area_id", areas="、".join(names)
    )


async def get_task(task_id: int) -> TaskRecord:
    row = await Task.select().where(Task.id == task_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("task"))
    return TaskRecord(**row)


# Everything the rules need to know about tasks beyond their rows, for one actor, and their needs'
# work orders, in one query.
_ACTIVE = ", ".join(f"'{state}'" for state in ACTIVE_CLAIMS)
_LIVE = ", ".join(f"'{state}'" for state in LIVE_ASSIGNMENTS)
_REPRESENTED = (
    "(SELECT o.organisation FROM projects_organisation_member o "
    "WHERE o.member = {} AND o.role = 'representative')"
)
_FACTS = f"""
SELECT t.id AS id, a.path AS area_path, n.resident AS need_resident, n.reporter AS need_reporter,
    na.path AS need_area_path, n.scope AS need_scope, n.address AS address,
    n.address_string AS address_string, n.contact_name AS contact_name,
    n.contact_phone AS contact_phone, n.preferred_time AS preferred_time,
    r.name AS resident_name, r.phone AS resident_phone,
    EXISTS (SELECT 1 FROM projects_claim c WHERE c.task = t.id AND c.member = {{}}
            AND c.status NOT IN ('withdrawn', 'cancelled')) AS claimed_by_me,
    EXISTS (SELECT 1 FROM projects_claim c WHERE c.task = t.id AND (c.member = {{}} OR c.organisation IN
            {_REPRESENTED})) AS involved,
    EXISTS (SELECT 1 FROM projects_claim c WHERE c.task = t.id
            AND c.status IN ('submitted', 'disputed', 'awaiting_approval')) AS work_waiting,
    EXISTS (SELECT 1 FROM projects_claim c WHERE c.task = t.id
            AND c.status IN ('claimed', 'checked_in')) AS places_held,
    (EXISTS (SELECT 1 FROM projects_task w JOIN projects_claim c ON c.task = w.id
             WHERE (w.id = t.id OR w.need = t.need) AND c.status IN ({_ACTIVE})
             AND (c.member = {{}} OR c.organisation IN {_REPRESENTED}))
     OR EXISTS (SELECT 1 FROM projects_task w WHERE (w.id = t.id OR w.need = t.need)
                AND w.status IN ({_LIVE})
                AND (w.assignee_member = {{}} OR w.assignee_organisation IN {_REPRESENTED}))) AS working
FROM projects_task t
JOIN projects_area a ON a.id = t.area
LEFT JOIN projects_need n ON n.id = t.need
LEFT JOIN projects_area na ON na.id = n.area
LEFT JOIN projects_member r ON r.id = n.resident
WHERE t.id IN ({{ids}})
"""
_FACT_PARAMS = 7  # the actor's id, as many times as _FACTS asks for it
_WORK_ORDER = (
    "need_scope",
    "address",
    "address_string",
    "contact_name",
    "contact_phone",
    "preferred_time",
    "resident_name",
    "resident_phone",
)


async def _looked_up(actor: Actor, rows: list[dict]) -> dict[int, dict]:
    if not rows:
        return {}
    query = _FACTS.replace("{ids}", ", ".join("{}" for _ in rows))
    found = await Task.raw(query, *[actor.member_id] * _FACT_PARAMS, *(row["id"] for row in rows))
    return {row["id"]: row for row in found}


def _facts(row: dict, extra: dict) -> TaskFacts:
    return TaskFacts.of(
        {**row, "area_path": extra["area_path"]},
        need_resident=extra["need_resident"],
        need_reporter=extra["need_reporter"],
        need_area_path=extra["need_area_path"],
        working=bool(extra["working"]),
        claimed_by_me=bool(extra["claimed_by_me"]),
        involved=bool(extra["involved"]),
        work_waiting=bool(extra["work_waiting"]),
        places_held=bool(extra["places_held"]),
    )


async def facts_for(actor: Actor, rows: list[dict]) -> dict[int, TaskFacts]:
    """The facts of each task row, by id: one query for a whole page of tasks."""
    looked_up = await _looked_up(actor, rows)
    return {row["id"]: _facts(row, looked_up[row["id"]]) for row in rows}


async def locked(actor: Actor, task_id: int, rule) -> tuple[dict, TaskFacts]:
    """The task's row, locked, and its facts, once ``rule`` lets the actor act on it."""
    row = await load(Task, "task", task_id)
    facts = (await facts_for(actor, [row]))[task_id]
    refuse(rule(actor, facts))
    return row, facts


async def accept_task(actor: Actor, task_id: int, *, now: datetime) -> TaskRecord:
    """The named member or organisation takes the task: a member's claim is made at once; an
    organisation then claims places for its members."""
    from projects.claims import add_claim

    async with atomic():
        row, _ = await locked(actor, task_id, task_rules.accept)
        row = await move(Task, "task", row, "open", "accept", actor=actor.member_id, now=now)
        if row["assignee_member"] is not None:
            await add_claim(
                row, member_id=row["assignee_member"], organisation_id=None, actor=actor.member_id, now=now
            )
    return await view_task(actor, task_id)


async def decline_task(actor: Actor, task_id: int, *, reason: str = "", now: datetime) -> TaskRecord:
    reason = text(reason, REASON_MAX_CHARS, N_("reason"))
    async with atomic():
        row, _ = await locked(actor, task_id, task_rules.decline)
        await move(
            Task,
            "task",
            row,
            "declined",
            "decline",
            actor=actor.member_id,
            now=now,
            why=reason,
            reason=reason,
        )
    return await view_task(actor, task_id)


async def dispatch_task(
    actor: Actor, task_id: int, *, assignee: Assignee | None, now: datetime
) -> TaskRecord:
    """Send a declined (or not yet taken) task to someone else, or to the open pool."""
    async with atomic():
        row, _ = await locked(actor, task_id, task_rules.dispatch)
        dispatch = await _check_assignee(assignee, row["capacity"])
        await move(
            Task, "task", row, dispatch.pop("status"), "dispatch", actor=actor.member_id, now=now, **dispatch
        )
    return await view_task(actor, task_id)


async def cancel_task(actor: Actor, task_id: int, *, reason: str, now: datetime) -> TaskRecord:
    """Staff call a task off; places taken but not yet worked are released. Work already
    submitted must be confirmed or settled first: nobody loses hours they reported. A task with
    confirmed work is closed as done instead."""
    reason = text(reason, REASON_MAX_CHARS, N_("reason"), required=True)
    async with atomic():
        row, _ = await locked(actor, task_id, task_rules.cancel)
        await end_task(row, actor=actor.member_id, now=now, why=reason)
    return await view_task(actor, task_id)


async def end_task(task: dict, *, actor: int | None, now: datetime, why: str) -> None:
    """Stop a live task (locked by the caller): cancelled, or done if some work on it was
    confirmed. Refused while work waits for confirmation or a decision."""
    if await Claim.exists().where((Claim.task == task["id"]) & Claim.status.is_in(list(WAITING_CLAIMS))):
        raise errors.Conflict(N_("Work on this task has been submitted: confirm or settle it first."))
    await _release_claims(task["id"], actor=actor, now=now, why=why)
    worked = await Claim.exists().where((Claim.task == task["id"]) & (Claim.status == "confirmed"))
    to, action = ("done", "close") if worked else ("cancelled", "cancel")
    task = await move(Task, "task", task, to, action, actor=actor, now=now, why=why, reason=why)
    await after_task(task, actor=actor, now=now)


async def _release_claims(task_id: int, *, actor: int | None, now: datetime, why: str) -> None:
    released = (
        await Claim.select()
        .where((Claim.task == task_id) & Claim.status.is_in(["claimed", "checked_in"]))
        .order_by(Claim.id)
    )
    for claim in released:
        await move(Claim, "claim", claim, "cancelled", "cancel", actor=actor, now=now, why=why)
    if released:
        await Task.update({Task.claimed: Task.claimed - len(released)}).where(Task.id == task_id)


async def take_place(task: dict, *, actor: int, now: datetime) -> None:
    """A claim took a place (the caller checked there was one): the last one fills the task."""
    claimed = task["claimed"] + 1
    if claimed >= task["capacity"]:
        await move(Task, "task", task, "full", "full", actor=actor, now=now, claimed=claimed)
    else:
        await Task.update({Task.claimed: claimed, Task.updated_at: now}).where(Task.id == task["id"])


async def release_place(task: dict, *, actor: int, now: datetime) -> None:
    """A claim gave its place back (withdrawn, or its work rejected): a full task opens again."""
    if task["status"] == "full":
        await move(Task, "task", task, "open", "reopen", actor=actor, now=now, claimed=task["claimed"] - 1)
    else:
        await Task.update({Task.claimed: task["claimed"] - 1, Task.updated_at: now}).where(
            Task.id == task["id"]
        )


async def close_if_finished(
    task: dict, *, actor: int | None, now: datetime, deadline_passed: bool = False
) -> dict:
    """A full task whose every claim is decided, with some work confirmed, is done; so is an open
    one past its deadline (caller's transaction, task locked)."""
    if task["status"] != "full" and not (deadline_passed and task["status"] == "open"):
        return task
    if await Claim.exists().where((Claim.task == task["id"]) & Claim.status.is_in(list(UNFINISHED_CLAIMS))):
        return task
    if not await Claim.exists().where((Claim.task == task["id"]) & (Claim.status == "confirmed")):
        return task
    task = await move(Task, "task", task, "done", "complete", actor=actor, now=now, overdue=False)
    await after_task(task, actor=actor, now=now)
    return task


async def after_task(task: dict, *, actor: int | None, now: datetime) -> None:
    """When a task ends, its need may be done (no other task or project still working on it)."""
    if task["need"] is not None:
        await finish_if_done(task["need"], actor=actor, now=now)


def _task_select():
    return Task.select(*Task.all_columns())


def _contact(extra: dict, facts: TaskFacts, places: Places) -> Contact | None:
    """Whom to call about the task: its personal need's contact (or resident), else the grid
    leader or duty phone where it is done (``projects.needs.contact_of``'s rule)."""
    if extra["need_scope"] == "personal":
        return Contact(
            extra["contact_name"] or extra["resident_name"], extra["contact_phone"] or extra["resident_phone"]
        )
    return places.common_contact(facts.need_area_path or facts.area_path)


async def as_records(actor: Actor, rows: list[dict]) -> list[TaskRecord]:
    """The rows as records with what ``actor`` may do and their work orders as far as ``actor`` may
    know them, whether or not they may see the task itself (the caller has decided that: a claim's
    page shows its task)."""
    looked_up = await _looked_up(actor, rows)
    return await _records(
        actor, rows, looked_up, {row["id"]: _facts(row, looked_up[row["id"]]) for row in rows}
    )


async def _records(
    actor: Actor, rows: list[dict], looked_up: dict[int, dict], facts: dict[int, TaskFacts]
) -> list[TaskRecord]:
    shown = {row["id"] for row in rows if task_rules.sees_contact(actor, facts[row["id"]])}
    places = await look_up_places(
        [facts[row["id"]].area_path for row in rows],
        contacts_for=[
            facts[task].need_area_path or facts[task].area_path
            for task in shown
            if looked_up[task]["need_scope"] != "personal"
        ],
    )
    found = []
    for row in rows:
        extra, fact = looked_up[row["id"]], facts[row["id"]]
        address = (extra["address"] or extra["address_string"]) if row["id"] in shown else None
        found.append(
            TaskRecord(
                **row,
                may=task_rules.may(actor, fact),
                where=places.where(row["area"], fact.area_path, address),
                contact=_contact(extra, fact, places) if row["id"] in shown else None,
                preferred_time=extra["preferred_time"] or "",
            )
        )
    return found


async def records(actor: Actor, rows: list[dict]) -> list[TaskRecord]:
    """The rows ``actor`` may see, as records with what they may do and their work orders, in
    order: two or three queries for a whole page."""
    looked_up = await _looked_up(actor, rows)
    facts = {row["id"]: _facts(row, looked_up[row["id"]]) for row in rows}
    return await _records(
        actor, [row for row in rows if task_rules.sees(actor, facts[row["id"]])], looked_up, facts
    )


async def view_task(actor: Actor, task_id: int) -> TaskRecord:
    """A task as ``actor`` may see it: open, full and done tasks near them; any task they manage,
    were dispatched or claimed; otherwise it does not exist for them."""
    row = await _task_select().where(Task.id == task_id).first()
    found = await records(actor, [row]) if row else []
    if not found:
        raise errors.NotFound(thing=N_("task"))
    return found[0]


async def list_tasks(
    actor: Actor,
    *,
    status: str | None = "open",
    area_id: int | None = None,
    category: str | None = None,
    mine: bool = False,
    on_day: date | None = None,
    cursor: str | None = None,
    limit: int = PAGE,
) -> TaskPage:
    """Newest first. By default the tasks near me (my communities, or the areas I manage), or in
    ``area_id``; neighbours see open, full and done tasks, managers all of their areas'.
    ``mine``: the tasks dispatched to me or my organisations, or that I claimed. ``on_day``:
    those that start that day, or have no start and are still open then (China's days)."""
    limit = max(1, min(limit, 200))
    query = _task_select().order_by(Task.id, ascending=False).limit(limit + 1)
    if mine:
        claimed = Claim.select(Claim.task).where(Claim.member == actor.member_id)
        clause = (Task.assignee_member == actor.member_id) | Task.id.is_in(claimed)
        represented = actor.represented
        if represented:
            clause = clause | Task.assignee_organisation.is_in(represented)
        query = query.where(clause)
    else:
        if area_id is not None:
            query = query.where(under(Task.area.path, await area_path(area_id)))
        if not actor.is_admin:
            query = query.where(_task_area_under(actor.communities()))
            managed = [grant.path for grant in actor.grants if grant.role in MANAGERS]
            seen = Task.status.is_in(list(PUBLIC))
            query = query.where(seen | _task_area_under(managed) if managed else seen)
    if status is not None:
        query = query.where(Task.status == status)
    if category is not None:
        query = query.where((Task.category == category) | (Task.category.parent == category))
    if on_day is not None:
        start = datetime.combine(on_day, time(), ZONE)
        end = start + timedelta(days=1)
        query = query.where(
            ((Task.starts_at >= start) & (Task.starts_at < end))
            | (Task.starts_at.is_null() & (Task.deadline.is_null() | (Task.deadline >= start)))
        )
    before = parse_cursor(cursor)
    if before is not None:
        query = query.where(Task.id < before)
    rows = await query
    return TaskPage(
        await records(actor, rows[:limit]), str(rows[limit - 1]["id"]) if len(rows) > limit else None
    )


def _task_area_under(paths: list[str]):
    """A ``where`` clause: the task's area is under one of ``paths`` (none: no task)."""
    return any_under(Task.area.path, paths) if paths else Task.id < 0


async def task_history(actor: Actor, task_id: int) -> list[events.Trace]:
    await view_task(actor, task_id)
    return await events.history("task", task_id)
