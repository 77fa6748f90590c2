"""The real app over HTTP (ASGI, in this process and event loop), on SQLite and PostgreSQL.

The app runs its real lifespan (database, migrations) on the test's event loop, so a test can
build its street through the domain and then speak to the app as each member would. The ledger
must verify after every test.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from litestar import Litestar

from ledger.verify import verify
from projects.members import TOKEN_LIFETIME
from tests.projects.community import PASSWORD, Clock, Street, build_street
from web.app import create_app


@dataclass
class Api:
    client: httpx.AsyncClient
    street: Street
    clock: Clock
    database_url: str
    tokens: dict[int, str]

    async def token(self, member_id: int) -> str:
        if member_id not in self.tokens:
            response = await self.client.post(
                "/api/v1/auth/token", json={"phone": self.street.phones[member_id], "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            self.tokens[member_id] = response.json()["token"]
        return self.tokens[member_id]

    async def call(
        self, member_id: int | None, method: str, url: str, json=None, language: str = "zh-CN", **kw
    ):
        headers = {"Accept-Language": language}
        if member_id is not None:
            headers["Authorization"] = f"Bearer {await self.token(member_id)}"
        return await self.client.request(method, url, json=json, headers=headers, **kw)

    async def get(self, member_id, url, **kw):
        return await self.call(member_id, "GET", url, **kw)

    async def post(self, member_id, url, json=None, **kw):
        return await self.call(member_id, "POST", url, json=json, **kw)

    async def ok(self, member_id, method, url, json=None, status: int = 200):
        response = await self.call(member_id, method, url, json=json)
        assert response.status_code == status, response.text
        return response.json()


def session_idle(request: pytest.FixtureRequest) -> timedelta:
    """How long the app keeps an unused session: as long as a token lives (these tests move the
    clock by hours and days while the same members stay signed in), unless the test is marked
    ``session_idle(minutes=...)`` to see the idle timeout at work."""
    marker = request.node.get_closest_marker("session_idle")
    return timedelta(minutes=marker.kwargs["minutes"]) if marker else TOKEN_LIFETIME


@contextlib.asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """The app's lifespan, entered and left in one task of its own (its task group must be:
    a fixture's setup and teardown run in different tasks)."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def serve() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(serve())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        await task  # start-up failed: raise its error
    try:
        yield
    finally:
        stop.set()
        await task


@pytest.fixture
async def api(database_url: str, request: pytest.FixtureRequest) -> AsyncIterator[Api]:
    clock = Clock()
    app = create_app(
        database_url, sweep_interval_s=0, notify_interval_s=0, session_idle=session_idle(request), clock=clock
    )
    async with running(app):
        street = await build_street(clock())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://linli.test") as client:
            yield Api(client, street, clock, database_url, {})
        report = await verify()
    assert report.ok, report.render()
