"""What every page shares: the Jinja2 environment in the request's language, Babel formatting,
the session cookie (a sign-in token of ``projects.members``), flash messages, forms that come
back with their errors, and the navigation for each role."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from litestar import Request
from litestar.datastructures import Cookie, UploadFile
from litestar.di import NamedDependency
from litestar.middleware.csrf import generate_csrf_token
from litestar.response import Redirect, Template

from market.fund import yuan
from projects import errors
from projects.access import Actor
from projects.areas import AreaRecord, children, get_area, subtree
from projects.categories import list_categories
from projects.errors import N_
from projects.notifications import unread_count
from web.api.deps import actor_for_token, language, open_to
from web.i18n import locale, moment, translate, translations
from web.notices import render
from web.words import STATE_NAMES

ID = re.compile(r"[1-9][0-9]{0,17}")  # an id as the pages give them out: ASCII digits, a BIGINT
WHOLE = re.compile(r"-?[0-9]{1,9}")
YUAN = re.compile(r"\d{1,12}(\.\d{1,2})?")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ZONE = ZoneInfo("Asia/Shanghai")  # times are shown as the community lives them
SESSION_COOKIE = "linli_session"
CSRF_COOKIE = "linli_csrf"
FLASH_COOKIE = "linli_flash"
LANG_COOKIE = "lang"
LANG_MAX_AGE = 365 * 24 * 3600
SESSION_MAX_AGE = 30 * 24 * 3600  # as long as the token lives (projects.members.TOKEN_LIFETIME)

Viewer = NamedDependency[Actor | None]


# -- language and formatting -----------------------------------------------------------------------


def lang_of(context_or_request) -> str:
    request = context_or_request if isinstance(context_or_request, Request) else context_or_request["request"]
    cached = request.scope.get("linli_lang")
    if cached is None:
        cached = request.scope["linli_lang"] = language(request)
    return cached


@pass_context
def _gettext(context, message: str) -> str:
    return translations(lang_of(context)).gettext(message)


@pass_context
def _ngettext(context, singular: str, plural: str, n: int) -> str:
    return translations(lang_of(context)).ngettext(singular, plural, n)


@pass_context
def _message(context, template: str, params: dict | None = None) -> str:
    """A domain message (``{name}`` placeholders) in the page's language."""
    return translate(lang_of(context), template, params)


def moment_words(value: datetime, language: str, now: datetime | None = None) -> str:
    """A moment as every page writes it (``web.i18n.moment``: 12月4日 15:07, the year when it is
    not this year's)."""
    return moment(language, value, now)


@pass_context
def _notice(context, message: str, params: dict) -> str:
    """A notification's sentence in the page's language."""
    return render(lang_of(context), message, params)


@pass_context
def _when(context, value: datetime | None) -> str:
    return "" if value is None else moment_words(value, lang_of(context))


@pass_context
def _day(context, value: date | datetime | None, form: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZONE).date()
    return format_date(value, form, locale=locale(lang_of(context)))


@pass_context
def _number(context, value) -> str:
    return "" if value is None else format_decimal(value, locale=locale(lang_of(context)))


# What happened, as the trace names it (``projects_event.action``), for notifications and histories.
ACTIONS: dict = {
    ("need", "report"): N_("reported the need"),
    "report": N_("reported"),
    "triage": N_("graded"),
    "escalate": N_("escalated"),
    "reject": N_("rejected"),
    "merge": N_("merged"),
    "cancel": N_("cancelled"),
    "join": N_("joined (+1)"),
    "progress": N_("progress reported"),
    "dispatch": N_("dispatched"),
    "complete": N_("completed"),
    "reopen": N_("reopened"),
    "create": N_("created"),
    "accept": N_("accepted"),
    "decline": N_("declined"),
    "full": N_("filled up"),
    "close": N_("closed"),
    "expire": N_("expired"),
    "claim": N_("claimed"),
    "check_in": N_("checked in"),
    "submit": N_("submitted"),
    "confirm": N_("confirmed"),
    "dispute": N_("disputed"),
    "settle": N_("settled"),
    "withdraw": N_("withdrawn"),
    "milestone": N_("milestone planned"),
    "milestone_done": N_("milestone done"),
    "overdue": N_("flagged overdue"),
    "supervise": N_("issued a supervision notice"),
    "hand_down": N_("handed it down"),
    "return": N_("returned it"),
    "take": N_("took it on in the grid"),
    "notice_overdue": N_("a supervision notice went unanswered"),
    "record": N_("recorded the work"),
    "approve": N_("approved (four eyes)"),
    "sample": N_("drew you to answer it"),
    "remove_photo": N_("removed a photo"),
}


# A member's role in an organisation (``projects_organisation_member.role``).
ORGANISATION_ROLES = {"representative": N_("representative"), "member": N_("member")}


@pass_context
def _action(context, value: str, subject: str | None = None) -> str:
    """What happened, as a trace names it: by subject first (a need reported, a milestone
    reported), then by the action alone."""
    said = ACTIONS.get((subject, value)) or ACTIONS.get(value, value)
    return translations(lang_of(context)).gettext(said)


@pass_context
def _state(context, value: str) -> str:
    """A state's name in the page's language (never its code)."""
    return translations(lang_of(context)).gettext(STATE_NAMES.get(value, value))


def local_input(value: datetime | None) -> str:
    """A moment as an ``<input type="datetime-local">`` value, in the community's time."""
    return value.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M") if value else ""


def allows(may, *actions: str) -> bool:
    """Does an item's ``may`` (what the domain lets the viewer do) hold one of ``actions``?"""
    return any(action in may for action in actions)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["message"] = _message
    env.globals["notice"] = _notice
    env.filters.update(
        when=_when,
        day=_day,
        number=_number,
        local_input=local_input,
        action=_action,
        state=_state,
        allows=allows,
    )
    return env


# -- navigation --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NavEntry:
    label: str  # a msgid
    href: str
    shows: Callable[[Actor], bool]


# The menu, in order; the first four show on a phone without opening "More", so each
# role's daily pages come first. Other parts of the site (the market) add theirs with ``NAV.append``.
NAV: list[NavEntry] = [
    NavEntry(N_("Home"), "/", lambda actor: True),
    NavEntry(N_("Order a service"), "/needs/new", lambda actor: actor.is_resident),
    NavEntry(N_("My needs"), "/needs", lambda actor: actor.is_resident),
    NavEntry(N_("Open tasks"), "/tasks", lambda actor: actor.is_volunteer),
    NavEntry(N_("Common needs"), "/needs/common", lambda actor: actor.is_resident),
    NavEntry(N_("Desk"), "/desk", lambda actor: actor.has_desk),
    NavEntry(N_("Statistics"), "/stats", lambda actor: actor.is_admin or actor.is_staff_somewhere),
    NavEntry(N_("My claims"), "/claims", lambda actor: actor.is_volunteer or bool(actor.represented)),
    NavEntry(N_("Resources"), "/resources", lambda actor: actor.has_desk),
    NavEntry(N_("Organisation"), "/organisation", lambda actor: bool(actor.represented)),
    NavEntry(N_("Points"), "/points", lambda actor: True),
    NavEntry(N_("Notifications"), "/notifications", lambda actor: True),
    NavEntry(N_("Changes made in the admin"), "/admin-edits", lambda actor: actor.is_admin),
]


async def staff_communities(actor: Actor) -> list[AreaRecord]:
    """The communities this member is staff of, there or above (an admin: every community)."""
    found: dict[int, AreaRecord] = {}
    tops = [await get_area(grant.area_id) for grant in actor.grants if grant.role == "staff"]
    if actor.is_admin:
        tops = await children(None)
    for top in tops:
        areas = [top] if top.level == "community" else await subtree(top)
        found.update((area.id, area) for area in areas if area.level == "community")
    return [found[key] for key in sorted(found)]


# -- the session --------------------------------------------------------------------------------


def is_https(request: Request) -> bool:
    """Served over HTTPS: the request says so, or LINLI_HTTPS=1 (a proxy terminates TLS)."""
    return request.url.scheme == "https" or request.app.state.https


def session_cookie(request: Request, token: str) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def fresh_csrf_cookie(request: Request) -> Cookie:
    """A new CSRF token, given at sign-in and sign-out: a token planted before either, or seen by
    whoever used the browser before, no longer sends forms."""
    return Cookie(
        key=CSRF_COOKIE,
        value=generate_csrf_token(secret=request.app.csrf_config.secret),
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def cleared(request: Request, key: str) -> Cookie:
    return Cookie(
        key=key, value="", path="/", max_age=0, httponly=True, samesite="lax", secure=is_https(request)
    )


async def provide_viewer(request: Request) -> Actor | None:
    """The signed-in member, or None."""
    try:
        actor = await actor_for_token(request, request.cookies.get(SESSION_COOKIE), request.app.state.clock())
    except errors.Unauthenticated:
        return None
    request.scope["linli_actor"] = actor  # an error page shows the same menu without the database
    return actor


async def provide_page_actor(request: Request, viewer: Viewer) -> Actor:
    """The signed-in member; a page that needs one sends everyone else to /login (and a member
    who must change their password or wait for approval to the page that says so)."""
    if viewer is None:
        raise errors.Unauthenticated()
    return open_to(request, viewer)


# -- flash messages ------------------------------------------------------------------------------


def _sign(request: Request, payload: bytes) -> str:
    key = request.app.state.secret_key.encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()[:32]


def flash_cookie(
    request: Request, message: str, params: dict | None = None, level: str = "success", status: int = 200
) -> Cookie:
    # A time is said now, in the reader's language: the cookie holds text, not objects.
    said = {
        key: moment(lang_of(request), value) if isinstance(value, datetime) else value
        for key, value in (params or {}).items()
    }
    payload = base64.urlsafe_b64encode(
        json.dumps([level, message, said, status], ensure_ascii=True).encode()
    ).decode()
    return Cookie(
        key=FLASH_COOKIE,
        value=f"{payload}.{_sign(request, payload.encode())}",
        path="/",
        max_age=300,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def read_flash(request: Request) -> dict | None:
    raw = request.cookies.get(FLASH_COOKIE, "")
    payload, _, signature = raw.rpartition(".")
    if not payload or not hmac.compare_digest(signature, _sign(request, payload.encode())):
        return None
    try:
        level, message, params, status = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return None
    return {"level": level, "text": translate(lang_of(request), message, params), "status": status}


def redirect(
    request: Request,
    to: str,
    message: str | None = None,
    params: dict | None = None,
    level: str = "success",
    status: int = 200,
) -> Redirect:
    """POST-redirect-GET, with a message to show on the next page (``status``: what the action
    answered, kept for a refusal)."""
    cookies = [flash_cookie(request, message, params, level, status)] if message else []
    return Redirect(path=to, status_code=303, cookies=cookies)


def local_path(value: str | None, default: str = "/") -> str:
    """``value`` if it is a path on this site (never another site's address), else ``default``."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(here, safe="")


# -- forms and pages ---------------------------------------------------------------------------


@dataclass
class Form:
    """What the person typed, and what is wrong with it: field -> (msgid, params); "" for the form."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, tuple[str, dict]] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)  # every value of each field
    files: dict[str, list[UploadFile]] = field(default_factory=dict)  # the files chosen in each file input

    def ids(self, name: str) -> list[int]:
        """The ids ticked in a group of checkboxes (what is not an id is left out)."""
        return [number for number in map(as_id, self.lists.get(name, [])) if number is not None]

    def id(self, name: str, *, required: bool = True, label: str = "") -> int | None:
        """An id chosen in a list: a field error if it is missing or not one of ours."""
        raw = self.text(name, required=required, label=label)
        if raw and as_id(raw) is None:
            self.error(name, N_("Choose one from the list."))
        return as_id(raw)

    def error(self, name: str, message: str, **params: Any) -> None:
        self.errors.setdefault(name, (message, params))

    def text(self, name: str, *, required: bool = False, label: str = "") -> str:
        value = str(self.values.get(name) or "").strip()
        if required and not value:
            self.error(name, N_("Please fill in the {label}."), label=label or name)
        return value

    def integer(
        self, name: str, *, low: int, high: int, required: bool = True, label: str = ""
    ) -> int | None:
        raw = self.text(name, required=required, label=label)
        if not raw:
            return None
        if not WHOLE.fullmatch(raw) or not low <= int(raw) <= high:
            self.error(name, N_("Enter a whole number from {low} to {high}."), low=low, high=high)
            return None
        return int(raw)

    def money(self, name: str, *, high: int, required: bool = True, label: str = "") -> int | None:
        """An amount typed in yuan (up to 2 decimals, "¥" and thousands commas allowed), in fen,
        from 0.01 yuan to ``high`` fen."""
        raw = self.text(name, required=required, label=label)
        if not raw:
            return None
        plain = raw.lstrip("¥￥").replace(",", "").replace("，", "").strip()
        fen = int(Decimal(plain) * 100) if YUAN.fullmatch(plain) else 0
        if not 1 <= fen <= high:
            self.error(
                name,
                N_("Enter an amount in yuan from 0.01 to {limit}, with at most 2 decimals, such as 1200.50."),
                limit=yuan(high),
            )
            return None
        return fen

    def moment(self, name: str, *, required: bool = False, label: str = "") -> datetime | None:
        raw = self.text(name, required=required, label=label)
        if not raw:
            return None
        try:
            return datetime.fromisoformat(raw).replace(tzinfo=ZONE)
        except ValueError:
            self.error(name, N_("Enter a date and time."))
            return None

    def refuse(self, error: errors.ProjectError, rename: dict[str, str] | None = None) -> None:
        """A domain refusal, shown next to the field it names (``rename``: the form's name for
        the domain's field, which the form shows: a group of inputs, such as a fieldset, too),
        or at the top of the form when the form has no such field."""
        field, rename = error.field or "", rename or {}
        shown = rename.get(field, field if field in self.values else "")
        self.errors[shown] = (error.template, error.params)

    @property
    def ok(self) -> bool:
        return not self.errors


def as_id(value: object) -> int | None:
    """A chosen id (a select's or a hidden field's value), or None if it is not one."""
    return int(value) if isinstance(value, str) and ID.fullmatch(value) else None


async def read_form(request: Request) -> Form:
    """The form's fields (the first value of each; ``Form.ids`` reads all the values of one) and
    its files (a multipart form's). A NUL character, which no column can store, refuses the whole
    form."""
    data = await request.form()
    files: dict[str, list[UploadFile]] = {}
    lists: dict[str, list[str]] = {}
    for key in data:
        for value in data.getall(key):
            if isinstance(value, UploadFile):
                files.setdefault(key, []).append(value)
            else:
                lists.setdefault(key, []).append(str(value))
    values = {key: found[0] for key, found in lists.items() if key != "_csrf_token"}
    if any("\x00" in value for values_ in lists.values() for value in values_):
        raise errors.Invalid(N_("A NUL character is not allowed."))
    return Form(values=values, lists=lists, files=files)


def navigation(actor: Actor | None) -> list[NavEntry]:
    return [entry for entry in NAV if actor is not None and entry.shows(actor)]


async def page(
    request: Request,
    template: str,
    actor: Actor | None,
    *,
    status: int = 200,
    **context: Any,
) -> Template:
    """Render ``template`` with what every page shows: the member, their menu, the flash message."""
    flash = read_flash(request)
    lang = lang_of(request)
    names = {
        category.code: (category.name_en or category.name) if lang == "en" else category.name
        for category in await list_categories()
    }
    nav = navigation(actor)
    unread = await unread_count(actor.member_id, now=request.app.state.clock()) if actor else 0
    return Template(
        template_name=template,
        context={
            "actor": actor,
            "nav": nav,
            "lang": lang,
            "flash": flash,
            "category_names": names,
            "here": request.url.path,
            "unread": unread,
            "form": context.pop("form", None) or Form(),
            **context,
        },
        status_code=status,
        cookies=[cleared(request, FLASH_COOKIE)] if FLASH_COOKIE in request.cookies else [],
    )
