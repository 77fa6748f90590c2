"""Who a change of a need, task, claim, service project or account concerns, and the sentence
each is told (``projects.outbox``): the resident and reporter of a need and its supporters, the
assignee of a task and whoever dispatched it, the performer of a claim and the resident it was
for, the organisations' representatives, the approvers of a registration; and the area's work
groups for what waits for staff. Never the actor: the outbox leaves them out.

Sentences name who did what to which item (``{actor}``: a person's name, or the system), with the
item's words quoted; a reason, where there is one, follows the sentence.
"""

from __future__ import annotations

from projects.access import community_path
from projects.area_path import AreaPath
from projects.errors import N_
from projects.notification_tables import Registration
from projects.outbox import MAX_READERS, Change, Notice, group, register, short, to
from projects.tables import (
    Area,
    Claim,
    Need,
    NeedSupporter,
    OrganisationMember,
    Project,
    ProjectNeed,
    Role,
    Task,
)

SUBJECTS = ("need", "task", "claim", "project", "member")
OPEN_POOL = N_("the volunteers of the open pool")


async def representatives(organisation_ids: list[int | None]) -> list[int]:
    """The representatives of these organisations (at most ``MAX_READERS``)."""
    ids = sorted({org for org in organisation_ids if org is not None})
    if not ids:
        return []
    rows = (
        await OrganisationMember.select(OrganisationMember.member)
        .where(OrganisationMember.organisation.is_in(ids) & (OrganisationMember.role == "representative"))
        .order_by(OrganisationMember.id)
        .limit(MAX_READERS)
    )
    return [row["member"] for row in rows]


async def supporters(need_id: int) -> list[int]:
    rows = (
        await NeedSupporter.select(NeedSupporter.member)
        .where(NeedSupporter.need == need_id)
        .order_by(NeedSupporter.id)
        .limit(MAX_READERS)
    )
    return [row["member"] for row in rows]


async def holders(area_path: str, roles: tuple[str, ...] = ("staff", "leader")) -> list[int]:
    """Who holds work in the area with ``area_path`` itself: its staff and its leader (a grid's
    leader holds a need handed down to the grid)."""
    rows = (
        await Role.select(Role.member)
        .where((Role.area.path == area_path) & Role.role.is_in(list(roles)))
        .order_by(Role.id)
        .limit(MAX_READERS)
    )
    return [row["member"] for row in rows]


# -- needs -------------------------------------------------------------------------------------


async def need_concern(change: Change) -> list[Notice]:
    need = (
        await Need.select(
            Need.id,
            Need.resident,
            Need.reporter,
            Need.description,
            Need.scope,
            Need.area.path.as_alias("area_path"),
            Need.handling_area.name.as_alias("handling_name"),
            Need.handling_area.path.as_alias("handling_path"),
        )
        .where(Need.id == change.subject_id)
        .first()
    )
    if need is None:
        return []
    title, link, action = short(need["description"]), f"/needs/{need['id']}", change.action
    owners = [need["resident"], need["reporter"]]
    everyone = owners + (await supporters(need["id"]) if need["scope"] == "common" else [])
    why = change.reason
    if action == "report":
        told = [] if need["reporter"] == need["resident"] else owners
        return to(told, N_('{actor} reported a need for you: "{title}".'), link, title=title) + group(
            need["area_path"],
            N_('{actor} reported a need: "{title}". It waits for triage.'),
            link,
            title=title,
        )
    if action == "triage":
        return to(owners, N_('{actor} accepted your need "{title}" and will see to it.'), link, title=title)
    if action == "escalate":
        area = need["handling_name"]
        if change.actor is None:
            message = N_('The deadline for your need "{title}" passed, so the system passed it to {area}.')
            staff = N_('The deadline for the need "{title}" passed, so the system passed it to {area}.')
            return to(owners, message, link, title=title, area=area) + group(
                need["area_path"], staff, link, title=title, area=area
            )
        return to(
            owners,
            N_('{actor} passed your need "{title}" to {area}.'),
            link,
            title=title,
            area=area,
            reason=why,
        )
    if action == "reject":
        return to(everyone, N_('{actor} declined your need "{title}".'), link, title=title, reason=why)
    if action == "merge":
        into = why.lstrip("#")
        merged = N_('{actor} merged your need "{title}" into need #{number}, where you count too.')
        return to(everyone, merged, f"/needs/{into}" if into.isdigit() else link, title=title, number=into)
    if action == "cancel":
        return to(everyone, N_('{actor} withdrew the need "{title}".'), link, title=title, reason=why)
    if action == "join":  # the neighbour stays unnamed
        return to([need["resident"]], N_('A neighbour joined your need "{title}" (+1).'), link, title=title)
    if action == "progress":
        return to(
            everyone, N_('{actor} reported progress on your need "{title}".'), link, title=title, reason=why
        )
    if action == "dispatch":
        return await _dispatched(everyone, title, link, why)
    if action == "complete":
        return to(everyone, N_('Your need "{title}" is done. Please rate the service.'), link, title=title)
    if action == "reopen":
        message = N_('The work planned for your need "{title}" was called off: it will be planned again.')
        return to(owners, message, link, title=title)
    if action == "overdue":
        message = N_('The need "{title}" is past its deadline: the system flagged it for supervision.')
        return group(need["area_path"], message, link, title=title)
    area, holding = need["handling_name"], need["handling_path"]
    if action == "hand_down":
        yours = N_('{actor} handed the need "{title}" down to {area}: it is yours to handle.')
        return to(await holders(holding), yours, link, title=title, area=area, reason=why) + to(
            owners, N_('{actor} handed your need "{title}" to {area}.'), link, title=title, area=area
        )
    if action == "return":
        returned = N_('{actor} returned the need "{title}" to {area}.')
        return to(await holders(holding), returned, link, title=title, area=area, reason=why)
    if action == "take":
        return to(owners, N_('{actor} took on your need "{title}".'), link, title=title)
    if action == "supervise":  # 督办: a push on whoever holds it, not news for the resident
        asked = N_('{actor} asked about the need "{title}" (supervision): please report progress.')
        return to(await holders(holding), asked, link, title=title, reason=why) + group(
            holding, asked, link, title=title, reason=why
        )
    return to(owners, N_('{actor} updated your need "{title}".'), link, title=title, reason=why)


async def _dispatched(readers: list[int], title: str, link: str, why: str) -> list[Notice]:
    """A task (``#12``) or a service project (``project #3``) now works on the need."""
    number = why.rpartition("#")[2]
    if not number.isdigit():
        return []
    if why.startswith("project"):
        project = await Project.select(Project.title).where(Project.id == int(number)).first()
        message = N_('Your need "{title}" is now part of the service project "{project}".')
        return to(readers, message, link, title=title, project=short(project["title"] if project else ""))
    task = (
        await Task.select(
            Task.assignee_member.name.as_alias("member_name"),
            Task.assignee_organisation.name.as_alias("organisation_name"),
        )
        .where(Task.id == int(number))
        .first()
    )
    if task is None:
        return []
    assignee = task["member_name"] or task["organisation_name"]
    message = N_('Your need "{title}" has been dispatched to {assignee}.')
    if assignee:
        return to(readers, message, link, title=title, assignee=assignee)
    return to(readers, message, link, title=title, assignee=OPEN_POOL, words=("assignee",))


# -- tasks -------------------------------------------------------------------------------------


async def task_concern(change: Change) -> list[Notice]:
    task = (
        await Task.select(
            Task.id,
            Task.title,
            Task.created_by,
            Task.assignee_member,
            Task.assignee_organisation,
            Task.assignee_organisation.name.as_alias("organisation_name"),
            Task.area.path.as_alias("area_path"),
        )
        .where(Task.id == change.subject_id)
        .first()
    )
    if task is None:
        return []
    title, link, action, why = short(task["title"]), f"/tasks/{task['id']}", change.action, change.reason
    reps = await representatives([task["assignee_organisation"]])
    assignees = [task["assignee_member"], *reps]
    if action in ("create", "dispatch"):
        message = N_('{actor} dispatched the task "{title}" to you: please accept or decline it.')
        told = to([task["assignee_member"]], message, link, title=title)
        for_organisation = N_(
            '{actor} dispatched the task "{title}" to {organisation}: please accept or decline it.'
        )
        organisation = task["organisation_name"] or ""
        return told + to(reps, for_organisation, "/organisation", title=title, organisation=organisation)
    if action == "accept":
        return to([task["created_by"]], N_('{actor} accepted the task "{title}".'), link, title=title)
    if action == "decline":
        waits = N_('{actor} declined the task "{title}": it waits to be dispatched again.')
        return to(
            [task["created_by"]], N_('{actor} declined the task "{title}".'), link, title=title, reason=why
        ) + (group(task["area_path"], waits, link, title=title, reason=why))
    if action in ("cancel", "close"):
        message = N_('{actor} called off the task "{title}".')
        if action == "close":
            message = N_('{actor} closed the task "{title}".')
        return to(assignees, message, link, title=title, reason=why)
    if action == "expire":
        message = N_('Nobody took the task "{title}" before its deadline, so the system closed it.')
        return to([task["created_by"], *assignees], message, link, title=title) + group(
            task["area_path"], message, link, title=title
        )
    if action == "overdue":
        message = N_('The task "{title}" is past its deadline: the system flagged it for supervision.')
        return to(assignees, message, link, title=title) + group(
            task["area_path"], message, link, title=title
        )
    if action in ("full", "reopen", "complete"):
        return []  # the claims and the need tell those they concern
    return to(assignees, N_('{actor} updated the task "{title}".'), link, title=title, reason=why)


# -- claims ------------------------------------------------------------------------------------


async def claim_concern(change: Change) -> list[Notice]:
    claim = (
        await Claim.select(
            Claim.id,
            Claim.member,
            Claim.member.name.as_alias("performer"),
            Claim.minutes,
            Claim.points,
            Claim.task,
            Claim.task.title.as_alias("title"),
            Claim.task.need.as_alias("need"),
            Claim.task.need.resident.as_alias("resident"),
            Claim.task.created_by.as_alias("created_by"),
            Claim.task.area.path.as_alias("area_path"),
        )
        .where(Claim.id == change.subject_id)
        .first()
    )
    if claim is None:
        return []
    title, action, why = short(claim["title"]), change.action, change.reason
    mine = f"/claims/{claim['id']}"
    # Who confirms the work: the resident on their need's page, else staff on the task's.
    if claim["need"] is not None:
        confirmer, theirs = claim["resident"], f"/needs/{claim['need']}"
    else:
        confirmer, theirs = claim["created_by"], f"/tasks/{claim['task']}"
    performer, name = claim["member"], claim["performer"]
    if action == "claim":
        sent = N_('{actor} sent you to do "{title}".')
        told = to([performer], sent, mine, title=title) if change.actor != performer else []
        return told + to(
            [confirmer], N_('{performer} will do "{title}" for you.'), theirs, title=title, performer=name
        )
    if action == "check_in":
        return to([confirmer], N_('{actor} has started on "{title}".'), theirs, title=title)
    if action == "submit":
        return to([confirmer], N_('{actor} has finished "{title}": please confirm.'), theirs, title=title)
    if action == "record":
        recorded = N_('{actor} recorded {minutes} minutes of your work on "{title}".')
        confirm = N_('{actor} recorded the work of {performer} on "{title}": please confirm.')
        return to([performer], recorded, mine, title=title, minutes=claim["minutes"] or 0) + to(
            [confirmer], confirm, theirs, title=title, performer=name
        )
    if change.to_state == "awaiting_approval":  # confirmed, or settled, over the four-eyes threshold
        waits = N_('{actor} confirmed your work on "{title}": the points wait for a second staff member.')
        approve = N_(
            '{actor} confirmed the work of {performer} on "{title}": a second staff member approves it.'
        )
        staff = await holders(community_path(claim["area_path"]), ("staff",))
        return to([performer], waits, mine, title=title) + to(
            staff, approve, f"/claims/{claim['id']}", title=title, performer=name
        )
    if action == "approve":
        approved = N_('{actor} approved your work on "{title}": {points} points banked.')
        return to([performer], approved, mine, title=title, points=claim["points"] or 0)
    if action == "confirm":
        if claim["points"]:
            banked = N_('{actor} confirmed your work on "{title}": {points} points banked.')
            return to([performer], banked, mine, title=title, points=claim["points"])
        return to([performer], N_('{actor} confirmed your work on "{title}".'), mine, title=title)
    if action == "settle":
        if change.to_state == "confirmed":
            performer_told = N_(
                '{actor} settled the dispute over "{title}": your work is confirmed, {points} points banked.'
            )
            resident_told = N_('{actor} settled the dispute over "{title}": the work is confirmed.')
        else:
            performer_told = N_('{actor} settled the dispute over "{title}": your work was not confirmed.')
            resident_told = N_('{actor} settled the dispute over "{title}": the work was not confirmed.')
        points = claim["points"] or 0
        return to([performer], performer_told, mine, title=title, points=points, reason=why) + to(
            [confirmer], resident_told, theirs, title=title, reason=why
        )
    if action == "dispute":
        waits = N_('{actor} disputed the work on "{title}": a leader decides.')
        return to(
            [performer], N_('{actor} disputed your work on "{title}".'), mine, title=title, reason=why
        ) + (group(claim["area_path"], waits, f"/tasks/{claim['task']}", title=title, reason=why))
    if action == "withdraw":
        return to([confirmer], N_('{actor} withdrew from "{title}".'), theirs, title=title, reason=why)
    if action == "cancel":
        return to(
            [performer], N_('{actor} called off your place on "{title}".'), mine, title=title, reason=why
        )
    return to([performer], N_('{actor} updated your claim on "{title}".'), mine, title=title, reason=why)


# -- service projects --------------------------------------------------------------------------


async def project_concern(change: Change) -> list[Notice]:
    project = (
        await Project.select(
            Project.id,
            Project.title,
            Project.organisation,
            Project.organisation.name.as_alias("organisation_name"),
            Project.created_by,
            Project.area.path.as_alias("area_path"),
        )
        .where(Project.id == change.subject_id)
        .first()
    )
    if project is None:
        return []
    title, link, action, why = (
        short(project["title"]),
        f"/projects/{project['id']}",
        change.action,
        change.reason,
    )
    reps = await representatives([project["organisation"]])
    linked = ProjectNeed.select(ProjectNeed.need).where(ProjectNeed.project == project["id"])
    residents = [
        row["resident"]
        for row in await Need.select(Need.resident)
        .where(Need.id.is_in(linked))
        .order_by(Need.id)
        .limit(MAX_READERS)
    ]
    if action == "claim":
        message = N_('{actor} claimed the service project "{title}" for {organisation}.')
        return to(
            [project["created_by"]],
            message,
            link,
            title=title,
            organisation=project["organisation_name"] or "",
        )
    if action == "milestone_done":
        message = N_('{actor} finished the milestone "{milestone}" of the service project "{title}".')
        return to([project["created_by"], *residents], message, link, title=title, milestone=short(why))
    if action == "progress":
        message = N_('{actor} reported progress on the service project "{title}".')
        return to([project["created_by"], *residents], message, link, title=title, reason=why)
    if action == "complete":
        message = N_('{actor} completed the service project "{title}".')
        return to([*reps, *residents], message, link, title=title)
    if action == "cancel":
        message = N_('{actor} cancelled the service project "{title}".')
        return to([*reps, *residents], message, link, title=title, reason=why)
    if action == "overdue":
        message = N_(
            'The service project "{title}" is past its deadline: the system flagged it for supervision.'
        )
        return to(reps, message, link, title=title) + group(project["area_path"], message, link, title=title)
    if action in ("create", "milestone"):
        return []
    return to(reps, N_('{actor} updated the service project "{title}".'), link, title=title, reason=why)


# -- accounts ----------------------------------------------------------------------------------


async def approvers(unit_id: int) -> list[int]:
    """Who may approve a registration in this unit: its leader, its grid's leader, and the
    staff of its community and above (at most ``MAX_READERS``)."""
    unit = await Area.select(Area.path).where(Area.id == unit_id).first()
    if unit is None:
        return []
    ids = list(AreaPath.parse(unit["path"]).ids)
    grid_and_unit = ids[3:4] + ids[-1:]  # district, street, community, grid, building, unit
    rows = (
        await Role.select(Role.member)
        .where(
            (Role.area.is_in(grid_and_unit) & (Role.role == "leader"))
            | (Role.area.is_in(ids[:3]) & (Role.role == "staff"))
        )
        .order_by(Role.id)
        .limit(MAX_READERS)
    )
    return [row["member"] for row in rows]


async def member_concern(change: Change) -> list[Notice]:
    action, member = change.action, change.subject_id
    if action == "register":
        registration = (
            await Registration.select(Registration.unit, Registration.unit.name.as_alias("unit_name"))
            .where(Registration.member == member)
            .first()
        )
        if registration is None:
            return []
        message = N_("{actor} registered as a resident of {unit} and waits for your approval.")
        return to(
            await approvers(registration["unit"]), message, "/registrations", unit=registration["unit_name"]
        )
    if action == "approve":
        return to([member], N_("{actor} approved your registration: welcome!"), "/")
    if action == "refuse":
        return to(
            [member], N_("{actor} did not approve your registration."), "/pending", reason=change.reason
        )
    if action == "reset_password":
        message = N_(
            "{actor} reset your password: sign in with the temporary password they gave you "
            "and choose a new one."
        )
        return to([member], message, "/profile")
    return []


register(("need",), need_concern)
register(("task",), task_concern)
register(("claim",), claim_concern)
register(("project",), project_concern)
register(("member",), member_concern)
