"""Accounts' pages: my profile (name, email, channels, language, password), registering as a
resident and waiting for approval, leaders and staff deciding registrations and resetting a
member's password, and admins setting areas' group outlets."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from projects import errors, members, outlets, registration
from projects.errors import N_
from projects.outbox import CHANNELS
from projects.profile import change_password, reset_password, settings_of, update_settings
from web.api.deps import CurrentActor, Now
from web.pages.forms import Form, as_id, read_form
from web.pages.menu import NAV, NavEntry
from web.pages.redirects import redirect
from web.pages.render import page
from web.pages.session import LANG_COOKIE, LANG_MAX_AGE, SESSION_COOKIE, Viewer, is_https, session_cookie

OPEN = {"open_to_pending": True}  # pages a member may open before they may open the rest
NAV.extend(
    [
        NavEntry(N_("Registrations"), "/registrations", lambda actor: actor.has_desk),
        NavEntry(N_("Group outlets"), "/outlets", lambda actor: actor.is_admin),
    ]
)


def _language_cookie(request: Request, lang: str) -> Cookie:
    return Cookie(
        key=LANG_COOKIE, value=lang, path="/", max_age=LANG_MAX_AGE, samesite="lax", secure=is_https(request)
    )


class ProfilePages(Controller):
    include_in_schema = False

    @get("/profile", name="page:profile", opt=OPEN)
    async def profile(self, request: Request, actor: CurrentActor) -> Template:
        settings = await settings_of(actor.member_id)
        return await page(request, "profile.html", actor, settings=settings, channels=CHANNELS)

    @post("/profile", name="page:profile-send", opt=OPEN)
    async def save(self, request: Request, actor: CurrentActor) -> Template | Redirect:
        form = await read_form(request)
        chosen = [channel for channel in form.lists.get("channels", []) if channel]
        try:
            settings = await update_settings(
                actor,
                name=form.text("name"),
                email=form.text("email"),
                channels=chosen,
                lang=form.text("lang") or None,
            )
        except errors.Invalid as error:
            form.refuse(error)
            settings = await settings_of(actor.member_id)
            return await page(
                request, "profile.html", actor, status=400, form=form, settings=settings, channels=CHANNELS
            )
        response = redirect(request, "/profile", N_("Your profile is saved."))
        response.cookies.append(_language_cookie(request, settings.lang))
        return response

    @get("/profile/password", name="page:password", opt=OPEN)
    async def password_form(self, request: Request, actor: CurrentActor) -> Template:
        return await page(request, "password.html", actor)

    @post("/profile/password", name="page:password-send", opt=OPEN)
    async def password(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        form = await read_form(request)
        old, new = (
            str(form.values.pop("old_password", "") or ""),
            str(form.values.pop("new_password", "") or ""),
        )
        form.values.update(old_password="", new_password="")  # never sent back
        try:
            await change_password(
                actor, old=old, new=new, keep_token=request.cookies.get(SESSION_COOKIE), now=now
            )
        except errors.Invalid as error:
            form.refuse(error)
            return await page(request, "password.html", actor, status=400, form=form)
        return redirect(
            request, "/profile", N_("Your password is changed: your other sessions are signed out.")
        )

    @get("/pending", name="page:pending", opt=OPEN)
    async def pending(self, request: Request, actor: CurrentActor) -> Template:
        return await _pending_page(request, actor)

    @post("/pending", name="page:pending-again", opt=OPEN)
    async def again(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        form = await read_form(request)
        unit_id = form.id("unit_id", label=N_("unit"))
        if form.ok and unit_id is not None:
            try:
                await registration.reapply(actor, unit_id, now=now)
            except (errors.Invalid, errors.NotFound) as error:
                if error.field is None:
                    raise
                form.refuse(error, {"unit_id": "unit_id"})
            else:
                return redirect(request, "/pending", N_("Sent again: it waits for approval."))
        return await _pending_page(request, actor, form)


async def _pending_page(request: Request, actor, form: Form | None = None) -> Template:
    try:
        found = await registration.registration_of(actor.member_id)
    except errors.NotFound:
        found = None
    # Not approved: the member may choose their unit again (registration.reapply).
    units = await registration.units_to_choose(found) if found and found.status == "refused" else []
    return await page(
        request,
        "pending.html",
        actor,
        status=400 if form else 200,
        registration=found,
        units=units,
        form=form or Form(values={"unit_id": str(found.unit) if found else ""}),
    )


class RegistrationPages(Controller):
    include_in_schema = False

    @get("/register", name="page:register")
    async def register_form(
        self, request: Request, viewer: Viewer, community: FromQuery[str | None] = None
    ) -> Template:
        return await self._form(request, viewer, as_id(community))

    async def _form(self, request: Request, viewer, community: int | None, *, form=None, status: int = 200):
        units = await registration.units_of(community) if community else []
        return await page(
            request,
            "register.html",
            viewer,
            status=status,
            form=form,
            communities=await registration.communities(),
            community=community,
            units=units,
        )

    @post("/register", name="page:register-send")
    async def register(self, request: Request, now: Now) -> Template | Redirect:
        form = await read_form(request)
        community = form.id("community", label=N_("community"))
        phone = form.text("phone", required=True, label=N_("mobile number"))
        name = form.text("name", required=True, label=N_("name"))
        password = str(form.values.pop("password", "") or "")
        form.values["password"] = ""
        unit = form.id("unit_id", label=N_("unit"))
        if form.ok and unit is not None:
            try:
                record = await registration.register_resident(
                    phone=phone, name=name, password=password, unit_id=unit, now=now
                )
            except errors.ProjectError as error:
                form.refuse(error, {"unit_id": "unit_id"})
            else:
                token = await members.issue_token(record.member, now=now)
                response = redirect(
                    request, "/pending", N_("Thank you, {name}: your registration is sent."), {"name": name}
                )
                response.cookies.append(session_cookie(request, token))
                return response
        return await self._form(request, None, community, form=form, status=400)

    @get("/registrations", name="page:registrations")
    async def waiting(self, request: Request, actor: CurrentActor) -> Template:
        return await page(request, "registrations.html", actor, items=await registration.waiting(actor))

    @post("/registrations/{registration_id:int}/approve", name="page:registration-approve")
    async def approve(
        self, request: Request, actor: CurrentActor, registration_id: FromPath[int], now: Now
    ) -> Redirect:
        found = await registration.approve(actor, registration_id, now=now)
        return redirect(request, "/registrations", N_("{name} is approved as a resident of {unit}."),
                        {"name": found.name, "unit": found.place})  # fmt: skip

    @post("/registrations/{registration_id:int}/refuse", name="page:registration-refuse")
    async def refuse(
        self, request: Request, actor: CurrentActor, registration_id: FromPath[int], now: Now
    ) -> Redirect:
        form = await read_form(request)
        found = await registration.refuse(actor, registration_id, reason=form.text("reason"), now=now)
        return redirect(
            request, "/registrations", N_("The registration of {name} is refused."), {"name": found.name}
        )

    @post("/registrations/password-reset", name="page:password-reset")
    async def reset(self, request: Request, actor: CurrentActor, now: Now) -> Template:
        form = await read_form(request)
        items = await registration.waiting(actor)
        try:
            member = await members.member_by_phone(form.text("phone"), field="phone")
            temporary = await reset_password(actor, member.id, now=now)
        except errors.ProjectError as error:
            form.refuse(error)
            return await page(request, "registrations.html", actor, status=400, form=form, items=items)
        return await page(
            request,
            "registrations.html",
            actor,
            items=items,
            reset={"name": member.name, "password": temporary},
        )


class OutletPages(Controller):
    include_in_schema = False

    @get("/outlets", name="page:outlets")
    async def list(self, request: Request, actor: CurrentActor) -> Template:
        return await self._page(request, actor)

    async def _page(self, request: Request, actor, *, form=None, status: int = 200) -> Template:
        return await page(
            request,
            "outlets.html",
            actor,
            status=status,
            form=form,
            items=await outlets.list_outlets(actor),
            areas=await outlets.outlet_areas(),
            kinds=outlets.KIND_NAMES,
        )

    @post("/outlets", name="page:outlet-set")
    async def set(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        form = await read_form(request)
        area = form.id("area_id", label=N_("area"))
        if form.ok and area is not None:
            try:
                await outlets.set_outlet(
                    actor,
                    area,
                    kind=form.text("kind"),
                    target=form.text("target"),
                    secret=form.text("secret"),
                    lang=form.text("lang") or "zh",
                    active=True,
                    now=now,
                )
            except errors.ProjectError as error:
                form.refuse(error)
            else:
                return redirect(request, "/outlets", N_("The group outlet is saved."))
        return await self._page(request, actor, form=form, status=400)

    @post("/outlets/{area_id:int}/remove", name="page:outlet-remove")
    async def remove(self, request: Request, actor: CurrentActor, area_id: FromPath[int]) -> Redirect:
        await outlets.remove_outlet(actor, area_id)
        return redirect(request, "/outlets", N_("The group outlet is removed."))
