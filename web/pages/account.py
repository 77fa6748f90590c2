"""Everyone's pages: sign in and out, the language, home, notifications, and points (the balance and
a line per economic event)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from ledger.accounts import balance
from market.activity import activity
from market.agenda import agenda
from projects import errors, members
from projects.admin_edits import list_edits
from projects.errors import N_
from projects.members import member_account
from projects.notifications import mark_read, notifications
from projects.signin import TooManyAttempts, sign_in
from projects.surveys import invitations
from web.api.deps import CurrentActor, Now, client_address
from web.pages.exchange import home_community
from web.pages.forms import read_form
from web.pages.redirects import local_path, redirect
from web.pages.render import page
from web.pages.session import (
    LANG_COOKIE,
    LANG_MAX_AGE,
    SESSION_COOKIE,
    Viewer,
    cleared,
    fresh_csrf_cookie,
    is_https,
    session_cookie,
)

PHONE = N_("mobile number")
# What a line of the points page is about (``market.activity``'s kinds).
KINDS = {
    "work": N_("Work"),
    "redemption": N_("Redemption"),
    "exchange": N_("Time bank"),
    "gift": N_("Gift"),
    "reversal": N_("Correction"),
}
ADMIN_ACTIONS = {"insert": N_("added"), "update": N_("changed"), "delete": N_("deleted")}
PASSWORD = N_("password")


class AccountPages(Controller):
    include_in_schema = False

    @get("/login", name="page:login")
    async def login_form(
        self, request: Request, viewer: Viewer, next: FromQuery[str | None] = None
    ) -> Template:
        return await page(request, "login.html", viewer, next=local_path(next))

    @post("/login", name="page:login-send")
    async def login(self, request: Request, now: Now) -> Template | Redirect:
        form = await read_form(request)
        phone = form.text("phone", required=True, label=PHONE)
        password = str(form.values.get("password") or "")
        if not password:
            form.error("password", N_("Please fill in the {label}."), label=PASSWORD)
        form.values.pop("password", None)  # never sent back
        next_page = local_path(form.text("next"))
        status, headers = 400, {}
        if form.ok:
            try:
                member = await sign_in(phone, password, address=client_address(request), now=now)
            except errors.BadCredentials as error:
                form.refuse(error)
            except TooManyAttempts as error:
                form.refuse(error)
                status, headers = 429, {"Retry-After": str(error.retry_after)}
            else:
                token = await members.issue_token(member.id, now=now)
                response = redirect(request, next_page, N_("Welcome, {name}."), {"name": member.name})
                response.cookies.extend([session_cookie(request, token), fresh_csrf_cookie(request)])
                return response
        response = await page(request, "login.html", None, status=status, form=form, next=next_page)
        response.headers.update(headers)
        return response

    @post("/logout", name="page:logout")
    async def logout(self, request: Request) -> Redirect:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await members.revoke_token(token)
        response = redirect(request, "/login", N_("You have signed out."))
        response.cookies.extend([cleared(request, SESSION_COOKIE), fresh_csrf_cookie(request)])
        return response

    @post("/logout/everywhere", name="page:logout-everywhere")
    async def logout_everywhere(self, request: Request, actor: CurrentActor) -> Redirect:
        await members.sign_out_everywhere(actor.member_id)
        response = redirect(request, "/login", N_("You have signed out everywhere."))
        response.cookies.extend([cleared(request, SESSION_COOKIE), fresh_csrf_cookie(request)])
        return response

    @get("/lang/{choice:str}", name="page:language")
    async def language(
        self, request: Request, choice: FromPath[str], next: FromQuery[str | None] = None
    ) -> Redirect:
        if choice not in ("zh", "en"):
            raise errors.NotFound(thing=N_("language"))
        response = Redirect(path=local_path(next), status_code=303)
        response.cookies.append(
            Cookie(
                key=LANG_COOKIE,
                value=choice,
                path="/",
                max_age=LANG_MAX_AGE,
                samesite="lax",
                secure=is_https(request),
            )
        )
        return response

    @get("/", name="page:home")
    async def home(self, request: Request, actor: CurrentActor, now: Now) -> Template:
        account = await balance(member_account(actor.member_id))
        recent = await notifications(actor, limit=3, now=now)
        return await page(
            request,
            "home.html",
            actor,
            balance=account,
            recent=recent.items,
            waiting=await agenda(actor),
            surveys=await invitations(actor, now=now),
            community=home_community(actor),
        )

    @get("/notifications", name="page:notifications")
    async def notification_list(
        self, request: Request, actor: CurrentActor, now: Now, cursor: FromQuery[str | None] = None
    ) -> Template:
        """Opening the list marks what it shows read (shown as new this once)."""
        found = await notifications(actor, cursor=cursor, now=now)
        shown = [int(item.id) for item in found.items if item.id.isdigit() and not item.read]
        await mark_read(actor, shown, now=now)
        return await page(
            request, "notifications.html", actor, items=found.items, next_cursor=found.next_cursor
        )

    @post("/notifications/read", name="page:notifications-read")
    async def notifications_read(self, request: Request, actor: CurrentActor, now: Now) -> Redirect:
        marked = await mark_read(actor, None, now=now)
        return redirect(
            request, "/notifications", N_("{count} notifications marked read."), {"count": marked}
        )

    @get("/points", name="page:points")
    async def points(
        self, request: Request, actor: CurrentActor, cursor: FromQuery[str | None] = None
    ) -> Template:
        lines = await activity(actor.member_id, cursor=cursor, limit=20)
        return await page(
            request,
            "points.html",
            actor,
            balance=await balance(member_account(actor.member_id)),
            lines=lines.items,
            next_cursor=lines.next_cursor,
            kinds=KINDS,
        )

    @get("/admin-edits", name="page:admin-edits")
    async def admin_edits(
        self, request: Request, actor: CurrentActor, cursor: FromQuery[str | None] = None
    ) -> Template:
        found = await list_edits(actor, cursor=cursor)
        return await page(request, "admin_edits.html", actor, found=found, actions=ADMIN_ACTIONS)
