"""POST-redirect-GET: the redirect, the signed message it carries to the next page, and the
places on this site a redirect may go."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import quote

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect

from web.i18n import moment, translate
from web.pages.session import is_https
from web.pages.templates import lang_of

FLASH_COOKIE = "linli_flash"


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
