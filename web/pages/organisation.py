"""Organisations' pages: the tasks dispatched to or claimed by the organisations I represent
(accept, decline, send a member), its service projects with milestones and progress, and the
published projects it can claim. A project's page is public to members, like its progress."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from projects import errors, service_projects
from projects.access import Actor
from projects.errors import N_
from projects.names import member_names, organisation_names
from projects.organisation_work import members_to_send, organisation_tasks
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.pages.forms import Form, as_id, read_form
from web.pages.redirects import redirect
from web.pages.render import page

TITLE = N_("title")


class OrganisationPages(Controller):
    path = "/organisation"
    include_in_schema = False

    @get(name="page:organisation")
    async def overview(self, request: Request, actor: CurrentActor) -> Template:
        ours = sorted(actor.represented)
        actor.require(bool(ours))
        names = await organisation_names(ours)
        projects = await service_projects.list_projects(actor)
        sections = [
            {
                "id": organisation,
                "name": names.get(organisation, ""),
                "tasks": await organisation_tasks(actor, organisation),
                "projects": [project for project in projects if project.organisation == organisation],
            }
            for organisation in ours
        ]
        sendable = await members_to_send(
            actor, [task.id for section in sections for task in section["tasks"]]
        )
        published = [project for project in projects if project.status == "published"]
        return await page(
            request, "organisation.html", actor, sections=sections, published=published, sendable=sendable
        )


async def project_page(
    request: Request, actor: Actor, project_id: int, form: Form | None = None, status: int = 200
):
    project = await service_projects.view_project(actor, project_id)
    names = await organisation_names([project.organisation] if project.organisation else [])
    history = await service_projects.project_history(actor, project_id)
    return await page(
        request,
        "project.html",
        actor,
        status=status,
        form=form,
        project=project,
        organisation=names.get(project.organisation or 0, ""),
        history=history,
        names=await member_names([event.actor for event in history]),
        claimable=list((await organisation_names(sorted(actor.represented))).items())
        if "claim" in project.may
        else [],
    )


class ProjectPages(Controller):
    path = "/projects"
    include_in_schema = False

    @get("/{project_id:int}", name="page:project")
    async def read(self, request: Request, actor: CurrentActor, project_id: IdPath) -> Template:
        return await project_page(request, actor, project_id)

    @post("/{project_id:int}/claim", name="page:project-claim")
    async def claim(self, request: Request, actor: CurrentActor, project_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        organisation = as_id(form.text("organisation_id"))
        if organisation is None:
            raise errors.NotAllowed()
        await service_projects.claim_project(actor, project_id, organisation_id=organisation, now=now)
        return redirect(request, f"/projects/{project_id}", N_("Your organisation claimed the project."))

    @post("/{project_id:int}/milestones", name="page:project-milestone")
    async def milestone(
        self, request: Request, actor: CurrentActor, project_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        title = form.text("title", required=True, label=TITLE)
        due = form.moment("due", required=True, label=N_("due date"))
        if form.ok and due is not None:
            await service_projects.add_milestone(actor, project_id, title=title, due=due, now=now)
            return redirect(request, f"/projects/{project_id}", N_("The milestone was planned."))
        return await project_page(request, actor, project_id, form, 400)

    @post("/{project_id:int}/milestones/{milestone_id:int}/complete", name="page:project-milestone-done")
    async def milestone_done(
        self, request: Request, actor: CurrentActor, project_id: IdPath, milestone_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        report = form.text(f"report-{milestone_id}", required=True, label=N_("report"))
        if form.ok:
            await service_projects.complete_milestone(actor, project_id, milestone_id, report=report, now=now)
            return redirect(request, f"/projects/{project_id}", N_("The milestone is done."))
        return await project_page(request, actor, project_id, form, 400)

    @post("/{project_id:int}/progress", name="page:project-progress")
    async def progress(
        self, request: Request, actor: CurrentActor, project_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        note = form.text("note", required=True, label=N_("progress report"))
        if form.ok:
            await service_projects.publish_progress(actor, project_id, note=note, now=now)
            return redirect(request, f"/projects/{project_id}", N_("The progress report was published."))
        return await project_page(request, actor, project_id, form, 400)

    @post("/{project_id:int}/complete", name="page:project-complete")
    async def complete(self, request: Request, actor: CurrentActor, project_id: IdPath, now: Now) -> Redirect:
        await service_projects.complete_project(actor, project_id, now=now)
        return redirect(request, f"/projects/{project_id}", N_("The project is completed."))
