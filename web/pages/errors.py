"""Errors as pages in the reader's language (404, 403, 409, 429, 500), while the JSON API and its
schema keep their JSON errors: one handler per kind of error, which looks at the address."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.response import Redirect, Template

from ledger.errors import LedgerError
from projects import errors
from projects.errors import N_
from projects.signin import TooManyAttempts
from web.api.errors import HTTP_MESSAGES, LEDGER_MESSAGES, STATUS
from web.i18n import translate
from web.pages.core import lang_of, login_url

logger = logging.getLogger(__name__)

NOT_PAGES = ("/api/", "/schema", "/health")
CSRF_FAILED = "CSRF token verification failed"

TITLES = {
    400: N_("Please check the form"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    409: N_("Not possible now"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
}


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


def error_page(
    request: Request, status: int, message: str, params: dict | None = None, headers=None
) -> Template:
    """The error page; it shows no member menu (it must render whatever failed, without the database)."""
    return Template(
        template_name="error.html",
        context={
            "actor": None,
            "nav": [],
            "lang": lang_of(request),
            "flash": None,
            "here": request.url.path,
            "status": status,
            "title": TITLES.get(status, TITLES[500]),
            "text": translate(lang_of(request), message, params),
        },
        status_code=status,
        headers=headers or {},
    )


def page_error(request: Request, error: Exception) -> Response:
    if isinstance(error, errors.Unauthenticated) and not isinstance(error, errors.BadCredentials):
        return Redirect(path=login_url(request), status_code=303)
    if isinstance(error, TooManyAttempts):
        return error_page(request, 429, error.template, error.params, {"Retry-After": str(error.retry_after)})
    if isinstance(error, errors.ProjectError):
        status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
        return error_page(request, status, error.template, error.params)
    if isinstance(error, LedgerError):
        status = 409 if error.conflict else 400
        return error_page(
            request, status, LEDGER_MESSAGES.get(error.code, N_("The points could not be transferred."))
        )
    if isinstance(error, sqlite3.IntegrityError | asyncpg.exceptions.IntegrityConstraintViolationError):
        logger.warning("database constraint on %s %s: %s", request.method, request.url.path, error)
        return error_page(
            request, 409, N_("That conflicts with a change made at the same time. Please try again.")
        )
    if isinstance(error, PermissionDeniedException) and error.detail == CSRF_FAILED:
        return error_page(
            request, 403, N_("This form has expired. Go back, reload the page and send it again.")
        )
    if isinstance(error, HTTPException):
        _, message = HTTP_MESSAGES.get(error.status_code, ("", N_("The request could not be handled.")))
        return error_page(request, error.status_code, message, headers=error.headers)
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
