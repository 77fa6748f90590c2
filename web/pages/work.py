"""Volunteers' pages: open tasks near me (by category and day), a task, claiming it, my claims
(what is coming, by day, with where to go and whom to call), checking in and submitting minutes
with photos of the work; my teams and my ratings. The claim page also carries what the resident
(confirm, dispute, rate) and leaders (settle) do with submitted work."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from projects import claims, errors, photos, ratings, tasks
from projects.access import Actor
from projects.errors import N_
from projects.limits import CLAIM_MAX_MINUTES
from projects.members import member_by_phone
from projects.names import member_names
from projects.organisation_work import members_to_send
from projects.tables import Task
from projects.volunteer import memberships, my_claims, my_work, ratings_received
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.i18n import CHINA
from web.pages.forms import Form, as_id, read_form
from web.pages.needs import category_menu
from web.pages.photos import PHOTO_FORM_BYTES, chosen_photos
from web.pages.redirects import local_path, redirect
from web.pages.render import page

MINUTES = N_("minutes")
REASON = N_("reason")
SCORE = N_("score")


async def claim_page(
    request: Request, actor: Actor, claim_id: int, *, form: Form | None = None, status: int = 200
):
    claim = await claims.view_claim(actor, claim_id)
    # The claim's task with its work order as far as the viewer may know it (whoever may see the
    # claim sees its task's title, whatever the task's own state).
    task = (await tasks.as_records(actor, await Task.select().where(Task.id == claim.task)))[0]
    history = await claims.claim_history(actor, claim_id)
    now = request.app.state.clock()
    elapsed = claims.minutes_since(claim.checked_in_at, now) if claim.checked_in_at else 0
    return await page(
        request,
        "claim.html",
        actor,
        status=status,
        form=form,
        claim=claim,
        task=task,
        history=history,
        names=await member_names([event.actor for event in history] + [claim.member]),
        elapsed=min(elapsed, CLAIM_MAX_MINUTES),
        photos=(await photos.of_claims(actor, [claim_id])).get(claim_id, []),
    )


class TaskPages(Controller):
    path = "/tasks"
    include_in_schema = False

    @get(name="page:tasks")
    async def browse(
        self,
        request: Request,
        actor: CurrentActor,
        category: FromQuery[str | None] = None,
        day: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        form = Form(values={"category": category or "", "day": day or ""})
        chosen_day = None
        if day:
            try:
                chosen_day = date.fromisoformat(day)
            except ValueError:
                form.error("day", N_("Enter a date."))
        found = await tasks.list_tasks(
            actor, status="open", category=category or None, on_day=chosen_day, cursor=cursor, limit=50
        )
        return await page(
            request,
            "tasks.html",
            actor,
            status=400 if form.errors else 200,
            form=form,
            items=found.items,
            next_cursor=found.next_cursor,
            menu=await category_menu(),
        )

    @get("/{task_id:int}", name="page:task")
    async def read(self, request: Request, actor: CurrentActor, task_id: IdPath) -> Template:
        task = await tasks.view_task(actor, task_id)
        history = await tasks.task_history(actor, task_id)
        visible = await claims.list_claims(actor, task_id=task_id)
        return await page(
            request,
            "task.html",
            actor,
            task=task,
            history=history,
            names=await member_names([event.actor for event in history] + [c.member for c in visible]),
            claims=visible,
            mine=[claim for claim in visible if claim.member == actor.member_id],
            sendable=(await members_to_send(actor, [task.id])).get(task.id, []) if "send" in task.may else [],
        )

    @post("/{task_id:int}/claim", name="page:task-claim")
    async def claim(self, request: Request, actor: CurrentActor, task_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        # A representative sends a member: "organisation:member", as the pages offer them.
        organisation, _, member = form.text("send").partition(":")
        claim = await claims.claim_task(
            actor, task_id, member_id=as_id(member), organisation_id=as_id(organisation), now=now
        )
        if claim.member != actor.member_id:
            return redirect(
                request, local_path(form.text("next"), f"/tasks/{task_id}"), N_("The place was taken.")
            )
        return redirect(request, f"/claims/{claim.id}", N_("You claimed this task. Check in when you start."))

    @post("/{task_id:int}/accept", name="page:task-accept")
    async def accept(self, request: Request, actor: CurrentActor, task_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        await tasks.accept_task(actor, task_id, now=now)
        return redirect(
            request, local_path(form.text("next"), f"/tasks/{task_id}"), N_("You accepted the task.")
        )

    @post("/{task_id:int}/decline", name="page:task-decline")
    async def decline(self, request: Request, actor: CurrentActor, task_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        await tasks.decline_task(actor, task_id, reason=form.text("reason"), now=now)
        return redirect(
            request, local_path(form.text("next"), f"/tasks/{task_id}"), N_("You declined the task.")
        )

    @post("/{task_id:int}/record", name="page:task-record", request_max_body_size=PHOTO_FORM_BYTES)
    async def record(
        self, request: Request, actor: CurrentActor, task_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        pictures = await chosen_photos(form)
        chosen = form.id("member_id", required=False)  # one who holds a place, on a full task
        phone = "" if chosen else form.text("phone", required=True, label=N_("mobile number"))
        minutes = form.integer("minutes", low=1, high=CLAIM_MAX_MINUTES, label=MINUTES)
        note = form.text("note", required=True, label=N_("note"))
        if form.ok:
            try:
                member = chosen or (await member_by_phone(phone)).id
                claim = await claims.record_work(
                    actor, task_id, member_id=member, minutes=minutes, note=note, photos=pictures, now=now
                )
            except errors.ProjectError as error:
                if error.field is None:
                    raise
                form.refuse(error, {"member_id": "member_id" if chosen else "phone"})
            else:
                return redirect(
                    request, f"/claims/{claim.id}", N_("The work was recorded: it waits for confirmation.")
                )
        return await self._task(request, actor, task_id, form)

    async def _task(self, request: Request, actor: Actor, task_id: int, form: Form) -> Template:
        task = await tasks.view_task(actor, task_id)
        history = await tasks.task_history(actor, task_id)
        visible = await claims.list_claims(actor, task_id=task_id)
        return await page(
            request,
            "task.html",
            actor,
            status=400,
            form=form,
            task=task,
            history=history,
            names=await member_names([event.actor for event in history] + [c.member for c in visible]),
            claims=visible,
            mine=[claim for claim in visible if claim.member == actor.member_id],
            sendable=[],
        )


class ClaimPages(Controller):
    path = "/claims"
    include_in_schema = False

    @get(name="page:claims")
    async def mine(self, request: Request, actor: CurrentActor) -> Template:
        return await page(
            request,
            "claims.html",
            actor,
            coming=await my_work(actor),
            today=request.app.state.clock().astimezone(CHINA).date(),
            items=await my_claims(actor),
        )

    @get("/{claim_id:int}", name="page:claim")
    async def read(self, request: Request, actor: CurrentActor, claim_id: IdPath) -> Template:
        return await claim_page(request, actor, claim_id)

    @post("/{claim_id:int}/check-in", name="page:claim-check-in")
    async def check_in(self, request: Request, actor: CurrentActor, claim_id: IdPath, now: Now) -> Redirect:
        await claims.check_in(actor, claim_id, now=now)
        return redirect(
            request, f"/claims/{claim_id}", N_("Checked in. Submit your minutes when you are done.")
        )

    @post("/{claim_id:int}/submit", name="page:claim-submit", request_max_body_size=PHOTO_FORM_BYTES)
    async def submit(
        self, request: Request, actor: CurrentActor, claim_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        minutes = form.integer("minutes", low=1, high=CLAIM_MAX_MINUTES, label=MINUTES)
        note = form.text("note")
        chosen = await chosen_photos(form)
        if form.ok and minutes is not None:
            try:
                await claims.submit_work(actor, claim_id, minutes=minutes, note=note, photos=chosen, now=now)
            except errors.Invalid as error:
                form.refuse(error)
            else:
                return redirect(
                    request, f"/claims/{claim_id}", N_("Your minutes were sent for confirmation.")
                )
        return await claim_page(request, actor, claim_id, form=form, status=400)

    @post("/{claim_id:int}/photos", name="page:claim-photos", request_max_body_size=PHOTO_FORM_BYTES)
    async def add_photos(
        self, request: Request, actor: CurrentActor, claim_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        chosen = await chosen_photos(form)
        if not chosen and form.ok:
            form.error("photos", N_("Choose a photo first."))
        if form.ok:
            await photos.add_to_claim(actor, claim_id, chosen, now=now)
            return redirect(request, f"/claims/{claim_id}", N_("The photos were added."))
        return await claim_page(request, actor, claim_id, form=form, status=400)

    @post("/{claim_id:int}/withdraw", name="page:claim-withdraw")
    async def withdraw(self, request: Request, actor: CurrentActor, claim_id: IdPath, now: Now) -> Redirect:
        await claims.withdraw_claim(actor, claim_id, now=now)
        return redirect(request, "/claims", N_("You gave your place back."))

    @post("/{claim_id:int}/confirm", name="page:claim-confirm")
    async def confirm(self, request: Request, actor: CurrentActor, claim_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        claim = await claims.confirm_work(actor, claim_id, now=now)
        performer = (await member_names([claim.member])).get(claim.member, "")
        if claim.status == "awaiting_approval":
            return redirect(
                request,
                local_path(form.text("next"), f"/claims/{claim_id}"),
                N_("Confirmed: the points wait for a second staff member's approval."),
            )
        return redirect(
            request,
            local_path(form.text("next"), f"/claims/{claim_id}"),
            N_("Confirmed: {points} points were banked for {name}."),
            {"points": claim.points or 0, "name": performer},
        )

    @post("/{claim_id:int}/approve", name="page:claim-approve")
    async def approve(self, request: Request, actor: CurrentActor, claim_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        claim = await claims.approve_work(actor, claim_id, now=now)
        performer = (await member_names([claim.member])).get(claim.member, "")
        return redirect(
            request,
            local_path(form.text("next"), f"/claims/{claim_id}"),
            N_("Approved: {points} points were banked for {name}."),
            {"points": claim.points or 0, "name": performer},
        )

    @post("/{claim_id:int}/dispute", name="page:claim-dispute")
    async def dispute(
        self, request: Request, actor: CurrentActor, claim_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        reason = form.text("reason", required=True, label=REASON)
        if form.ok:
            await claims.dispute_work(actor, claim_id, reason=reason, now=now)
            return redirect(request, f"/claims/{claim_id}", N_("Disputed: a leader will decide."))
        return await claim_page(request, actor, claim_id, form=form, status=400)

    @post("/{claim_id:int}/settle", name="page:claim-settle")
    async def settle(
        self, request: Request, actor: CurrentActor, claim_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        decision = form.text("decision", required=True, label=N_("decision"))
        minutes = form.integer("minutes", low=1, high=CLAIM_MAX_MINUTES, required=False, label=MINUTES)
        reason = form.text("reason", required=True, label=REASON)
        if decision and decision not in ("accept", "reject"):
            form.error("decision", N_("Choose to confirm or to reject the work."))
        if form.ok:
            await claims.settle_dispute(
                actor, claim_id, accept=decision == "accept", minutes=minutes, reason=reason, now=now
            )
            return redirect(
                request, local_path(form.text("next"), f"/claims/{claim_id}"), N_("The dispute is settled.")
            )
        return await claim_page(request, actor, claim_id, form=form, status=400)

    @post("/{claim_id:int}/rate", name="page:claim-rate")
    async def rate(
        self, request: Request, actor: CurrentActor, claim_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        score = form.integer("score", low=1, high=5, label=SCORE)
        comment = form.text("comment")
        if form.ok and score is not None:
            try:
                await ratings.rate_service(actor, claim_id, score=score, comment=comment, now=now)
            except errors.Invalid as error:
                form.refuse(error)
            else:
                return redirect(
                    request,
                    local_path(form.text("next"), f"/claims/{claim_id}"),
                    N_("Thank you for your rating."),
                )
        return await claim_page(request, actor, claim_id, form=form, status=400)


class VolunteerPages(Controller):
    include_in_schema = False

    @get("/teams", name="page:teams")
    async def teams(self, request: Request, actor: CurrentActor) -> Template:
        return await page(request, "teams.html", actor, items=await memberships(actor))

    @get("/ratings", name="page:ratings")
    async def ratings(self, request: Request, actor: CurrentActor) -> Template:
        return await page(request, "ratings.html", actor, items=await ratings_received(actor))
