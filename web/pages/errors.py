"""Errors as pages in the reader's language (404, 403, 409, 429, 500), while the JSON API and its
schema keep their JSON errors: one handler per kind of error, which looks at the address."""

from __future__ import annotations

import logging
import re
import sqlite3
import urllib.parse
from collections.abc import Callable

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.response import Redirect, Template

from ledger.engine import unreachable
from ledger.errors import LedgerError
from projects import errors
from projects.errors import N_
from projects.profile import PasswordChangeRequired, RegistrationPending
from projects.signin import TooManyAttempts
from web.api.errors import HTTP_MESSAGES, LEDGER_MESSAGES, RETRY_AFTER_S, STATUS, UNAVAILABLE, bad_address
from web.i18n import translate
from web.pages.menu import navigation
from web.pages.redirects import local_path, login_url, redirect
from web.pages.templates import lang_of

logger = logging.getLogger(__name__)

NOT_PAGES = ("/api/", "/schema", "/health")
CSRF_FAILED = "CSRF token verification failed"

TITLES = {
    400: N_("Please check the form"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    409: N_("Not possible now"),
    413: N_("Too large"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
    503: N_("Briefly unavailable"),
}


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


def error_page(
    request: Request, status: int, message: str, params: dict | None = None, headers=None
) -> Template:
    """The error page, with the member's menu when they were signed in (read before the error:
    it must render whatever failed, without the database) and a way back."""
    actor = request.scope.get("linli_actor")
    return Template(
        template_name="error.html",
        context={
            "actor": actor,
            "nav": navigation(actor),
            "lang": lang_of(request),
            "flash": None,
            "here": request.url.path,
            "status": status,
            "title": TITLES.get(status, TITLES[500]),
            "text": translate(lang_of(request), message, params),
            "back": came_from(request),
        },
        status_code=status,
        headers=headers or {},
    )


# A form posted to ``…/<things>/<id>/<action>`` is about the item at ``…/<things>/<id>`` (such as
# ``/provider/items/5``); the desk's forms act on needs, whose page is ``/needs/<id>``.
ITEM = re.compile(r"^(?:/desk)?((?:/[a-z-]+)+/[0-9]+)/[a-z-]+$")


def came_from(request: Request) -> str | None:
    """Where the person was: the page the form was on (Referer, on this site), else the item
    the form acts on; None when neither is known."""
    referer = urllib.parse.urlsplit(request.headers.get("referer", ""))
    if referer.path and referer.netloc in ("", request.url.netloc) and referer.path != request.url.path:
        return local_path(referer.path + (f"?{referer.query}" if referer.query else ""), "") or None
    item = ITEM.match(request.url.path)
    if request.method == "POST" and item:
        return item.group(1)
    return None


def back_with(request: Request, status: int, message: str, params: dict | None = None) -> Response:
    """A form refused: back to the page it was sent from, the refusal at its top (and its status
    kept in the message), so that the person sees the item as it is now and what they may do.
    Without a page to go back to, the error page."""
    back = came_from(request) if request.method == "POST" else None
    if back is None:
        return error_page(request, status, message, params)
    return redirect(request, back, message, params, level="error", status=status)


def status_of(error: errors.ProjectError) -> int:
    """The status a refusal answers, as in the API: a form shown again with it says the same."""
    return next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)


def page_error(request: Request, error: Exception) -> Response:
    if isinstance(error, errors.Unauthenticated) and not isinstance(error, errors.BadCredentials):
        return Redirect(path=login_url(request), status_code=303)
    if isinstance(error, PasswordChangeRequired | RegistrationPending):
        to = "/profile/password" if isinstance(error, PasswordChangeRequired) else "/pending"
        return redirect(request, to, error.template, error.params, level="error", status=403)
    if isinstance(error, TooManyAttempts):
        return error_page(request, 429, error.template, error.params, {"Retry-After": str(error.retry_after)})
    if isinstance(error, errors.NotFound) or bad_address(error):
        message, params = (
            (error.template, error.params)
            if isinstance(error, errors.NotFound)
            else (HTTP_MESSAGES[404][1], None)
        )
        return error_page(request, 404, message, params)
    if isinstance(error, errors.ProjectError):
        status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
        return back_with(request, status, error.template, error.params)
    if isinstance(error, LedgerError):
        status = 409 if error.conflict else 400
        return back_with(
            request, status, LEDGER_MESSAGES.get(error.code, N_("The points could not be transferred."))
        )
    if isinstance(error, sqlite3.IntegrityError | asyncpg.exceptions.IntegrityConstraintViolationError):
        logger.warning("database constraint on %s %s: %s", request.method, request.url.path, error)
        return back_with(
            request, 409, N_("That conflicts with a change made at the same time. Please try again.")
        )
    if isinstance(error, PermissionDeniedException) and error.detail == CSRF_FAILED:
        return back_with(
            request, 403, N_("This form has expired. Go back, reload the page and send it again.")
        )
    if isinstance(error, HTTPException):
        _, message = HTTP_MESSAGES.get(error.status_code, ("", N_("The request could not be handled.")))
        return error_page(request, error.status_code, message, headers=error.headers)
    if unreachable(error):
        logger.warning("database unavailable on %s %s: %r", request.method, request.url.path, error)
        return error_page(request, 503, UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_S)})
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return error_page(
        request, 500, N_("Something went wrong on our side. Nothing was changed; please try again.")
    )


def for_pages_too(api_handlers: dict[type, Callable]) -> dict[type, Callable]:
    """The API's exception handlers, answering with pages outside the API."""

    def handler_for(api_handler: Callable) -> Callable:
        def handle(request: Request, error: Exception) -> Response:
            return page_error(request, error) if is_page(request) else api_handler(request, error)

        return handle

    return {kind: handler_for(handler) for kind, handler in api_handlers.items()}
