"""A page: a template rendered with what every page shows (the member, their menu, the flash
message, their unread notifications, the categories' names in the page's language)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from projects.access import Actor
from projects.categories import list_categories
from projects.notifications import unread_count
from web.pages.forms import Form
from web.pages.menu import navigation
from web.pages.redirects import FLASH_COOKIE, read_flash
from web.pages.session import cleared
from web.pages.templates import lang_of


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
