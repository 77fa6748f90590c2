"""Residents' pages: order a service from the menu or report a need (where, whom to call, when,
photos), follow my needs with their history, cancel, join common needs of my community, add
photos. Leaders and staff report for residents (an elder's contact may be someone else)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from projects import categories, errors, needs, photos, supervision
from projects.access import Actor
from projects.area_path import AreaPath
from projects.errors import N_
from projects.members import member_by_phone
from projects.names import member_names
from projects.need_work import need_work
from projects.organisations import list_organisations
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.pages.forms import Form, read_form
from web.pages.photos import PHOTO_FORM_BYTES, chosen_photos
from web.pages.redirects import redirect
from web.pages.render import page
from web.words import CHANNELS

SCOPES = {"personal": N_("one household (personal)"), "common": N_("many neighbours (common)")}
GRADES = {"A": N_("A: handle now"), "B": N_("B: with a deadline"), "C": N_("C: periodic")}


async def category_menu() -> list[tuple[categories.CategoryRecord, list[categories.CategoryRecord]]]:
    """The top categories, each with its subcategories: the menu residents order from."""
    found = await categories.list_categories()
    tops = [category for category in found if category.parent is None]
    return [(top, [c for c in found if c.parent == top.code]) for top in tops]


async def need_page(
    request: Request, actor: Actor, need_id: int, *, form: Form | None = None, status: int = 200
):
    need = await needs.view_need(actor, need_id)
    history = await needs.need_history(actor, need)
    work = await need_work(actor, need)
    category = await categories.get_category(need.category)
    pictures = (await photos.of_needs(actor, [need_id])).get(need_id, [])
    claimed = [claim.id for item in work for claim in item.claims]
    return await page(
        request,
        "need.html",
        actor,
        status=status,
        form=form,
        need=need,
        category=category,
        history=history,
        names=await member_names([event.actor for event in history]),
        work=work,
        grades=GRADES,
        channels=CHANNELS,
        organisations=await list_organisations() if "dispatch" in need.may else [],
        handling=await supervision.handling(actor, need),
        notices=await supervision.need_notices(actor, need),
        photos=[photo for photo in pictures if photo.report is None],
        report_photos=_by_report(pictures),
        claim_photos=await photos.of_claims(actor, claimed),
    )


def _by_report(pictures: list[photos.PhotoRecord]) -> dict[int, list[photos.PhotoRecord]]:
    found: dict[int, list[photos.PhotoRecord]] = {}
    for photo in pictures:
        if photo.report is not None:
            found.setdefault(photo.report, []).append(photo)
    return found


class NeedPages(Controller):
    path = "/needs"
    include_in_schema = False

    @get(name="page:needs")
    async def mine(
        self, request: Request, actor: CurrentActor, cursor: FromQuery[str | None] = None
    ) -> Template:
        found = await needs.list_needs(actor, mine=True, cursor=cursor, limit=20)
        return await page(
            request, "needs.html", actor, items=found.items, next_cursor=found.next_cursor, common=False
        )

    @get("/common", name="page:needs-common")
    async def common(
        self, request: Request, actor: CurrentActor, cursor: FromQuery[str | None] = None
    ) -> Template:
        items, next_cursor = [], None
        if actor.home_path:
            community = AreaPath.parse(actor.home_path).community_id
            found = await needs.list_needs(actor, area_id=community, scope="common", cursor=cursor, limit=20)
            items, next_cursor = found.items, found.next_cursor
        return await page(request, "needs.html", actor, items=items, next_cursor=next_cursor, common=True)

    @get("/new", name="page:need-new")
    async def new(
        self, request: Request, actor: CurrentActor, category: FromQuery[str | None] = None
    ) -> Template:
        form = Form(values={"category": category or "", "scope": "personal", "channel": "online"})
        return await self._form(request, actor, form)

    async def _form(self, request: Request, actor: Actor, form: Form, status: int = 200) -> Template:
        menu = await category_menu()
        return await page(
            request,
            "need_new.html",
            actor,
            status=status,
            form=form,
            menu=menu,
            scopes=SCOPES,
            channels=CHANNELS,
            for_residents=actor.has_desk,
        )

    @post(name="page:need-report", request_max_body_size=PHOTO_FORM_BYTES)
    async def report(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        form = await read_form(request)
        category = form.text("category", required=True, label=N_("category"))
        description = form.text("description", required=True, label=N_("description"))
        chosen = await chosen_photos(form)
        scope = form.text("scope") or "personal"
        channel = form.text("channel") or "online"
        resident_id = None
        phone = form.text("resident_phone")
        if not actor.has_desk:
            channel = "online"  # residents report for themselves, online
        elif phone:
            try:
                resident_id = (await member_by_phone(phone, field="resident_phone")).id
            except errors.Invalid as error:
                form.refuse(error)
        if form.ok:
            try:
                need = await needs.report_need(
                    actor,
                    category=category,
                    description=description,
                    scope=scope,
                    channel=channel,
                    resident_id=resident_id,
                    address=form.text("address"),
                    contact_name=form.text("contact_name"),
                    contact_phone=form.text("contact_phone"),
                    preferred_time=form.text("preferred_time"),
                    photos=chosen,
                    now=now,
                )
            except (errors.Invalid, errors.NotFound, errors.NotAllowed) as error:
                # Kept as typed, with the refusal beside the field it concerns (or on top).
                form.refuse(error, {"resident_id": "resident_phone"})
            else:
                return redirect(
                    request, f"/needs/{need.id}", N_("Your need was sent. Community staff will see to it.")
                )
        return await self._form(request, actor, form, status=400)

    @get("/{need_id:int}", name="page:need")
    async def read(self, request: Request, actor: CurrentActor, need_id: IdPath) -> Template:
        return await need_page(request, actor, need_id)

    @post("/{need_id:int}/cancel", name="page:need-cancel")
    async def cancel(self, request: Request, actor: CurrentActor, need_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        await needs.cancel_need(actor, need_id, reason=form.text("reason"), now=now)
        return redirect(request, f"/needs/{need_id}", N_("The need was withdrawn."))

    @post("/{need_id:int}/photos", name="page:need-photos", request_max_body_size=PHOTO_FORM_BYTES)
    async def add_photos(
        self, request: Request, actor: CurrentActor, need_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        chosen = await chosen_photos(form)
        if not chosen and form.ok:
            form.error("photos", N_("Choose a photo first."))
        if form.ok:
            await photos.add_to_need(actor, need_id, chosen, now=now)
            return redirect(request, f"/needs/{need_id}", N_("The photos were added."))
        return await need_page(request, actor, need_id, form=form, status=400)

    @post("/{need_id:int}/join", name="page:need-join")
    async def join(self, request: Request, actor: CurrentActor, need_id: IdPath, now: Now) -> Redirect:
        await needs.join_need(actor, need_id, now=now)
        return redirect(request, f"/needs/{need_id}", N_("You joined this need (+1)."))
