"""The Jinja2 environment the pages render with: gettext and Babel formatting in the request's
language, and the filters that name a trace's action or a state and check an item's ``may``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from litestar import Request

from projects.errors import N_
from web.api.deps import language
from web.i18n import CHINA, locale, moment, translate, translations
from web.notices import render
from web.words import STATE_NAMES

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def lang_of(context_or_request) -> str:
    """The request's language (``web.api.deps.language``), decided once per request."""
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
        value = value.astimezone(CHINA).date()
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
    return value.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M") if value else ""


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
