"""The pages through the real app (ASGI, in this process), on SQLite and PostgreSQL: each member
has a browser of their own (an httpx client with its cookie jar) and sends forms with the CSRF
token the pages gave them, as a browser would."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from ledger.verify import verify
from tests.api.conftest import running, session_idle
from tests.projects.community import PASSWORD, Clock, Street, build_street
from web.app import create_app

BASE = "http://linli.test"
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


@dataclass
class Browser:
    """One person's browser: cookies kept, forms sent with the token of the last page."""

    client: httpx.AsyncClient
    language: str = "zh-CN"

    async def get(self, url: str, **kw) -> httpx.Response:
        return await self.client.get(url, headers={"Accept-Language": self.language}, **kw)

    def csrf(self) -> str:
        token = self.client.cookies.get("linli_csrf")
        assert token, "no CSRF cookie: open a page first"
        return token

    async def post(self, url: str, data: dict | None = None, *, csrf: bool = True, **kw) -> httpx.Response:
        if self.client.cookies.get("linli_csrf") is None:
            await self.get("/login")
        form = dict(data or {})
        if csrf:
            form["_csrf_token"] = self.csrf()
        return await self.client.post(url, data=form, headers={"Accept-Language": self.language}, **kw)

    async def follow(self, response: httpx.Response) -> httpx.Response:
        assert response.status_code == 303, (response.status_code, response.text[:2000])
        return await self.get(response.headers["location"])


@dataclass
class Site:
    app: object
    street: Street
    clock: Clock
    database_url: str
    transport: httpx.ASGITransport
    browsers: list[httpx.AsyncClient] = field(default_factory=list)

    def browser(self, language: str = "zh-CN", base_url: str = BASE) -> Browser:
        client = httpx.AsyncClient(transport=self.transport, base_url=base_url)
        self.browsers.append(client)
        return Browser(client, language)

    async def signed_in(self, member_id: int, language: str = "zh-CN") -> Browser:
        browser = self.browser(language)
        await browser.get("/login")
        response = await browser.post(
            "/login", {"phone": self.street.phones[member_id], "password": PASSWORD}
        )
        assert response.status_code == 303, response.text[:2000]
        return browser


@pytest.fixture
async def site(database_url: str, request: pytest.FixtureRequest) -> AsyncIterator[Site]:
    clock = Clock()
    app = create_app(
        database_url, sweep_interval_s=0, notify_interval_s=0, session_idle=session_idle(request), clock=clock
    )
    async with running(app):
        street = await build_street(clock())
        transport = httpx.ASGITransport(app=app)
        result = Site(app, street, clock, database_url, transport)
        try:
            yield result
        finally:
            for client in result.browsers:
                await client.aclose()
        report = await verify()
    assert report.ok, report.render()


FLASH = re.compile(r'class="flash error" role="alert" data-status="(\d+)">([^<]*)<')


async def refused(browser: Browser, response: httpx.Response, status: int, *says: str) -> httpx.Response:
    """A refusal as the person sees it: back on the page the form was on (a redirect) or on an
    error page with the menu, the message in an alert that keeps the status the action answered,
    saying each of ``says``. Answers the page shown. Not the API's ``tests.api.helpers.refused``:
    a page answers with a redirect or an HTML page, not with an error's code, so this one reads
    the alert a person sees instead."""
    if response.status_code == 303:
        response = await browser.follow(response)
        assert response.status_code == 200, response.text[:2000]
    else:
        assert response.status_code == status, (response.status_code, response.text[:2000])
    shown = FLASH.search(response.text)
    assert shown, response.text[:3000]
    assert int(shown.group(1)) == status, shown.group(0)
    for text in says:
        assert text in shown.group(2), (text, shown.group(2))
    return response


async def worked(site: Site, browser: Browser, claim_id: int, minutes: int = 60, note: str = ""):
    """The volunteer checks in (unless they did), works ``minutes`` and submits them."""
    await browser.post(f"/claims/{claim_id}/check-in")
    site.clock.advance(minutes=minutes)
    return await browser.post(f"/claims/{claim_id}/submit", {"minutes": str(minutes), "note": note})
