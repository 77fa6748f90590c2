"""Every refusal as ``{"code", "message"}`` with its 4xx status, the message in the request's
language; an unexpected failure as a 500 in the same shape, logged with its traceback."""

from __future__ import annotations

import logging
import sqlite3

import asyncpg
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from ledger.engine import unreachable
from ledger.errors import LedgerError
from projects import errors
from projects.errors import N_
from web.api.deps import language
from web.certificate_pdf import FontMissing
from web.i18n import translate

logger = logging.getLogger(__name__)

STATUS = {
    errors.Invalid: 400,
    errors.Unauthenticated: 401,
    errors.NotAllowed: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.TooLarge: 413,
}

HTTP_MESSAGES = {
    400: ("bad_request", N_("The request is not valid.")),
    401: ("unauthenticated", N_("Sign in first.")),
    403: ("not_allowed", N_("You are not allowed to do that.")),
    404: ("not_found", N_("There is nothing at this address.")),
    405: ("method_not_allowed", N_("This address does not accept that method.")),
    413: ("too_large", N_("The request is too large: a photo is at most 10 MB.")),
    429: ("too_many_requests", N_("Too many attempts: wait a moment and try again.")),
}


def _body(request: Request, status: int, code: str, message: str, params=None, **extra) -> Response:
    content = {"code": code, "message": translate(language(request), message, params), **extra}
    return Response(content, status_code=status, media_type=MediaType.JSON)


def project_error(request: Request, error: errors.ProjectError) -> Response:
    status = next(code for kind, code in STATUS.items() if isinstance(error, kind))
    extra = {}
    if error.field:
        problem = translate(language(request), error.template, error.params)
        extra["fields"] = [{"field": error.field, "problem": problem}]
    response = _body(request, status, error.code, error.template, error.params, **extra)
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def ledger_error(request: Request, error: LedgerError) -> Response:
    """Ledger refusals that reach the API (a balance too low, a hold already resolved)."""
    status = 409 if error.conflict else 400
    return _body(
        request,
        status,
        error.code,
        LEDGER_MESSAGES.get(error.code, N_("The points could not be transferred.")),
    )


LEDGER_MESSAGES = {
    "insufficient_balance": N_("The balance is too low."),
    "invalid_input": N_("This page link is no longer valid: reload the list."),  # a statement's cursor
}


def _problems(error: ValidationException) -> list[dict]:
    return [item for item in (error.extra if isinstance(error.extra, list) else []) if isinstance(item, dict)]


def bad_address(error: Exception) -> bool:
    """An id in the address that no item can have (0, -1, too long): there is nothing there."""
    problems = _problems(error) if isinstance(error, ValidationException) else []
    return bool(problems) and all(item.get("source") == "path" for item in problems)


def validation_error(request: Request, error: ValidationException) -> Response:
    items = _problems(error)
    if bad_address(error):
        return _body(request, 404, *HTTP_MESSAGES[404])
    language_ = language(request)
    fields = []
    for item in items:
        problem = translate(language_, str(item.get("message", "")))
        fields.append({"field": str(item.get("key", "")), "problem": problem})
    names = [translate(language_, field["field"]) for field in fields if field["field"]]
    if names:
        listed = ("、" if language_ == "zh" else ", ").join(dict.fromkeys(names))
        return _body(
            request, 400, "invalid_input", N_("Please check: {fields}."), {"fields": listed}, fields=fields
        )
    return _body(request, 400, "invalid_input", N_("The request is not valid."), fields=fields)


def http_error(request: Request, error: HTTPException) -> Response:
    code, message = HTTP_MESSAGES.get(error.status_code, ("error", N_("The request could not be handled.")))
    response = _body(request, error.status_code, code, message)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


def constraint_error(request: Request, error: Exception) -> Response:
    """The database refused a write the rules let through: two requests raced past a check
    (the transaction rolled back, nothing was written). Logged: each is a rule to tighten."""
    logger.warning("database constraint on %s %s: %s", request.method, request.url.path, error)
    return _body(
        request, 409, "conflict", N_("That conflicts with a change made at the same time. Please try again.")
    )


def font_missing(request: Request, error: FontMissing) -> Response:
    """The install lacks the CJK font that certificates are printed with (fonts-noto-cjk)."""
    logger.error("certificate not printed: %s", error)
    return _body(
        request, 503, "unavailable", N_("Certificates cannot be printed here yet: please try again later.")
    )


UNAVAILABLE = N_(
    "The service is briefly unavailable (its database cannot be reached). Please try again in a moment."
)
RETRY_AFTER_S = 5


def database_unavailable(request: Request, error: Exception) -> Response:
    """The database is down, restarting or out of connections: 503, never a hang or a 500."""
    logger.warning("database unavailable on %s %s: %r", request.method, request.url.path, error)
    response = _body(request, 503, "unavailable", UNAVAILABLE)
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def internal_error(request: Request, error: Exception) -> Response:
    if unreachable(error):
        return database_unavailable(request, error)
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return _body(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal_error",
        N_("Something went wrong on our side. Nothing was changed; please try again."),
    )


EXCEPTION_HANDLERS = {
    errors.ProjectError: project_error,
    LedgerError: ledger_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    FontMissing: font_missing,
    sqlite3.IntegrityError: constraint_error,
    asyncpg.exceptions.IntegrityConstraintViolationError: constraint_error,
    Exception: internal_error,
}
