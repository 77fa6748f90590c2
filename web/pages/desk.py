"""The desk of leaders (三长) and community staff: the triage queue, overdue and escalated needs,
work to confirm for residents or disputes to settle; triage and dispatch a need (to a person, a
team or organisation, or the open pool); consultation that turns common needs into a service
project; the resource library."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from market import approvals
from projects import (
    areas,
    deadlines,
    desk,
    errors,
    grid,
    limits,
    organisations,
    resources,
    service_projects,
    supervision,
    tasks,
    triage,
)
from projects.access import Actor
from projects.errors import N_
from projects.members import member_by_phone
from projects.needs import reject_need
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.pages.forms import Form, read_form
from web.pages.needs import GRADES, category_menu, need_page
from web.pages.photos import PHOTO_FORM_BYTES, chosen_photos
from web.pages.redirects import redirect
from web.pages.render import page

TITLE = N_("title")
# What waits for a second staff member, as the desk names each kind (market.approvals).
APPROVAL_KINDS = {"donation": N_("Donation"), "grant": N_("Grant"), "bonus": N_("Bonus points")}
DEADLINE = N_("deadline")
ASSIGNEES = {
    "pool": N_("the open pool"),
    "member": N_("a person (mobile number)"),
    "organisation": N_("a team or organisation"),
}


async def staff_areas(actor: Actor) -> list[areas.AreaRecord]:
    return [await areas.get_area(grant.area_id) for grant in actor.grants if grant.role == "staff"]


async def served_areas(actor: Actor) -> list[areas.AreaRecord]:
    """The areas a desk can be filtered by: each area the actor serves and the two levels under
    it, down to grids (a district's streets and communities, a community's grids)."""
    return await areas.areas_below(actor.managed_paths, depth=2, lowest="grid")


class DeskPages(Controller):
    path = "/desk"
    include_in_schema = False

    @get(name="page:desk")
    async def desk(
        self,
        request: Request,
        actor: CurrentActor,
        view: FromQuery[str] = "open",
        area: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        actor.require(actor.has_desk)
        form = Form(values={"view": view, "area": area or "", "category": category or "", "q": q or ""})
        area_id = form.id("area", required=False)
        found = None
        if form.ok:
            try:
                found = await desk.desk_needs(
                    actor,
                    view=view,
                    area_id=area_id,
                    category=category or None,
                    search=q or "",
                    cursor=cursor,
                )
            except errors.Invalid as error:
                form.refuse(error, {"view": "view", "q": "q"})
        years = {need.deadline.year for need in (found.items if found else []) if need.deadline}
        return await page(
            request,
            "desk.html",
            actor,
            status=200 if form.ok else 400,
            form=form,
            found=found,
            unknown_years=years - await deadlines.known_years(years),
            views=desk.VIEWS,
            areas=await served_areas(actor),
            menu=await category_menu(),
            to_decide=await desk.claims_to_decide(actor),
            to_approve=await approvals.waiting_for(actor),
            approval_kinds=APPROVAL_KINDS,
        )

    async def _need(
        self, request: Request, actor: Actor, need_id: int, form: Form | None = None, status: int = 200
    ):
        return await need_page(request, actor, need_id, form=form, status=status)

    @post("/needs/{need_id:int}/triage", name="page:desk-triage")
    async def triage(
        self, request: Request, actor: CurrentActor, need_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        action = form.text("action")
        reason = form.text("reason")
        if action == "grade":
            grade = form.text("grade", required=True, label=N_("grade"))
            if form.ok:
                await triage.triage_need(actor, need_id, grade=grade, now=now)
                return redirect(request, f"/needs/{need_id}", N_("Graded {grade}."), {"grade": grade})
        elif action == "escalate":
            form.text("reason", required=True, label=N_("reason"))
            if form.ok:
                await triage.escalate_need(actor, need_id, reason=reason, now=now)
                return redirect(request, f"/needs/{need_id}", N_("Escalated to the next level."))
        elif action == "reject":
            form.text("reason", required=True, label=N_("reason"))
            if form.ok:
                await reject_need(actor, need_id, reason=reason, now=now)
                return redirect(request, f"/needs/{need_id}", N_("The need was rejected."))
        else:
            form.error("action", N_("Choose what to do."))
        return await self._need(request, actor, need_id, form, 400)

    @post("/needs/{need_id:int}/supervise", name="page:desk-supervise")
    async def supervise(
        self, request: Request, actor: CurrentActor, need_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        note = form.text("supervise_note", required=True, label=N_("note"))
        answer_by = form.moment("answer_by", required=True, label=N_("answer by"))
        if form.ok:
            try:
                await supervision.supervise(actor, need_id, note=note, answer_by=answer_by, now=now)
            except errors.Invalid as error:
                form.refuse(error, {"note": "supervise_note"})
            else:
                return redirect(request, f"/needs/{need_id}", N_("The supervision notice was issued."))
        return await self._need(request, actor, need_id, form, 400)

    @post("/needs/{need_id:int}/hand-down", name="page:desk-hand-down")
    async def hand_down(
        self, request: Request, actor: CurrentActor, need_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        area = form.id("area_id", label=N_("area"))
        note = form.text("hand_note", required=True, label=N_("instructions"))
        deadline = form.moment("hand_deadline", required=True, label=DEADLINE)
        if form.ok:
            try:
                await triage.hand_down(actor, need_id, area_id=area, note=note, deadline=deadline, now=now)
            except errors.Invalid as error:
                form.refuse(error, {"note": "hand_note", "deadline": "hand_deadline"})
            else:
                return redirect(request, f"/needs/{need_id}", N_("The need was handed down."))
        return await self._need(request, actor, need_id, form, 400)

    @post("/needs/{need_id:int}/return", name="page:desk-return")
    async def return_(
        self, request: Request, actor: CurrentActor, need_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        reason = form.text("return_reason", required=True, label=N_("reason"))
        if form.ok:
            await triage.return_need(actor, need_id, reason=reason, now=now)
            return redirect(
                request, f"/needs/{need_id}", N_("The need was returned to the level that handed it down.")
            )
        return await self._need(request, actor, need_id, form, 400)

    @post("/needs/{need_id:int}/take", name="page:desk-take")
    async def take(self, request: Request, actor: CurrentActor, need_id: IdPath, now: Now) -> Redirect:
        await grid.take_need(actor, need_id, now=now)
        return redirect(
            request,
            f"/needs/{need_id}",
            N_("You took this need on: check in when you start, then report what was done."),
        )

    @get("/supervision", name="page:desk-supervision")
    async def board(
        self,
        request: Request,
        actor: CurrentActor,
        area: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        grade: FromQuery[str | None] = None,
        overdue: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        actor.require(actor.has_desk)
        form = Form(
            values={
                "area": area or "",
                "category": category or "",
                "grade": grade or "",
                "overdue": overdue or "",
            }
        )
        area_id = form.id("area", required=False)
        found = await supervision.board(
            actor,
            area_id=area_id,
            category=category or None,
            grade=grade or None,
            overdue={"yes": True, "no": False}.get(overdue or ""),
            cursor=cursor,
        )
        years = {item.need.deadline.year for item in found.items if item.need.deadline}
        return await page(
            request,
            "supervision.html",
            actor,
            form=form,
            found=found,
            areas=await served_areas(actor),
            menu=await category_menu(),
            grades=GRADES,
            unknown_years=years - await deadlines.known_years(years),
        )

    @post("/needs/{need_id:int}/progress", name="page:desk-progress", request_max_body_size=PHOTO_FORM_BYTES)
    async def progress(
        self, request: Request, actor: CurrentActor, need_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        note = form.text("note", required=True, label=N_("progress report"))
        chosen = await chosen_photos(form)
        if form.ok:
            await triage.report_progress(actor, need_id, note=note, photos=chosen, now=now)
            return redirect(request, f"/needs/{need_id}", N_("The progress report was published."))
        return await self._need(request, actor, need_id, form, 400)

    @post("/needs/{need_id:int}/dispatch", name="page:desk-dispatch")
    async def dispatch(
        self, request: Request, actor: CurrentActor, need_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        title = form.text("title", required=True, label=TITLE)
        description = form.text("description")
        capacity = form.integer("capacity", low=1, high=limits.TASK_MAX_PEOPLE, label=N_("capacity"))
        rate = form.integer(
            "points_per_hour",
            low=0,
            high=limits.TASK_MAX_POINTS_PER_HOUR,
            required=False,
            label=N_("points per hour"),
        )
        starts_at = form.moment("starts_at")
        deadline = form.moment("deadline")
        kind = form.text("assignee") or "pool"
        assignee = None
        if kind == "member":
            try:
                member = await member_by_phone(form.text("member_phone"), field="member_phone")
            except errors.Invalid as error:
                form.refuse(error)
            else:
                assignee = tasks.Assignee(member_id=member.id)
        elif kind == "organisation":
            organisation = form.id("organisation_id", label=N_("organisation"))
            if organisation is not None:
                assignee = tasks.Assignee(organisation_id=organisation)
        elif kind != "pool":
            form.error("assignee", N_("Choose who does the task."))
        if form.ok:
            try:
                task = await tasks.create_task(
                    actor,
                    title=title,
                    description=description,
                    need_id=need_id,
                    capacity=capacity or 1,
                    points_per_hour=rate,
                    assignee=assignee,
                    starts_at=starts_at,
                    deadline=deadline,
                    now=now,
                )
            except (errors.Invalid, errors.NotFound) as error:
                if error.field is None:
                    raise
                form.refuse(error, {"assignee": "member_phone" if kind == "member" else "organisation_id"})
            else:
                message = (
                    N_("The task was published to the open pool.")
                    if assignee is None
                    else N_("The task was dispatched.")
                )
                return redirect(request, f"/tasks/{task.id}", message)
        return await self._need(request, actor, need_id, form, 400)

    @get("/consultation", name="page:desk-consultation")
    async def consultation(self, request: Request, actor: CurrentActor) -> Template:
        actor.require(actor.has_desk)
        return await self._consultation(request, actor)

    async def _consultation(
        self, request: Request, actor: Actor, form: Form | None = None, status: int = 200
    ):
        return await page(
            request,
            "consultation.html",
            actor,
            status=status,
            form=form,
            common=(await desk.desk_needs(actor, view="common", limit=desk.QUEUE)).items,
            areas=await staff_areas(actor),
            chosen=set(form.ids("need_ids")) if form else set(),
        )

    @post("/projects", name="page:desk-project")
    async def project(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        actor.require(actor.has_desk)
        form = await read_form(request)
        chosen = form.ids("need_ids")
        title = form.text("title", required=True, label=TITLE)
        deadline = form.moment("deadline", required=True, label=DEADLINE)
        area = form.id("area_id", label=N_("area"))
        if form.ok and deadline is not None and area is not None:
            try:
                project = await service_projects.create_project(
                    actor,
                    title=title,
                    area_id=area,
                    deadline=deadline,
                    content=form.text("content"),
                    measures=form.text("measures"),
                    need_ids=chosen,
                    now=now,
                )
            except errors.Invalid as error:
                form.refuse(error)
            else:
                return redirect(request, f"/projects/{project.id}", N_("The service project was published."))
        return await self._consultation(request, actor, form, 400)


class ResourcePages(Controller):
    path = "/resources"
    include_in_schema = False

    @get(name="page:resources")
    async def library(
        self, request: Request, actor: CurrentActor, category: FromQuery[str | None] = None
    ) -> Template:
        actor.require(actor.has_desk)
        found = await resources.find_resources(category=category or None)
        names = {org.id: org.name for org in await organisations.list_organisations()}
        return await page(
            request,
            "resources.html",
            actor,
            items=found,
            organisations=names,
            menu=await category_menu(),
            form=Form(values={"category": category or ""}),
        )
