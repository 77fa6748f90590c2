"""While PostgreSQL is down the app answers 503 with a message (JSON for the API, a page for
pages), quickly, writes nothing, and serves again as soon as the server is back, without a
restart; a transaction cancelled while it begins gives its connection back (Piccolo's own
would keep it, and the pool would drain until every request waited for ever)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from bench.postgres import EmbeddedPostgres
from projects.needs import OPEN  # noqa: F401  (the domain's tables are bound through the app)
from projects.tables import Need
from tests.api.conftest import running
from tests.projects.community import PASSWORD, build_street
from web.app import create_app
from web.database import close_database, open_database

ANSWER_WITHIN_S = 12.0  # a request while the database is down answers (503) within this


@pytest.fixture(scope="module")
def own_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A server of this test's own, which it stops and starts (the session's server stays up)."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("own-postgres"))
    yield server
    server.close()


async def _timed(client: httpx.AsyncClient, method: str, url: str, **kw) -> httpx.Response:
    began = time.monotonic()
    response = await client.request(method, url, **kw)
    assert time.monotonic() - began < ANSWER_WITHIN_S, (url, "answered too slowly")
    return response


@pytest.mark.slow
async def test_requests_answer_503_while_postgresql_is_down_and_succeed_once_it_is_back(own_postgres):
    url = await asyncio.to_thread(own_postgres.create_database, "linli_unavailable")
    app = create_app(url, sweep_interval_s=0)
    async with running(app):
        street = await build_street()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://linli.test") as client:
            signed = await client.post(
                "/api/v1/auth/token", json={"phone": street.phones[street.resident], "password": PASSWORD}
            )
            bearer = {"Authorization": f"Bearer {signed.json()['token']}"}
            need = {"category": "care.meals", "description": "送餐", "scope": "personal"}
            assert (await client.get("/api/v1/me", headers=bearer)).status_code == 200
            assert (await client.post("/api/v1/needs", json=need, headers=bearer)).status_code == 201
            assert (await client.get(f"/fund/{street.community}")).status_code == 200
            needs_before = await Need.count()

            await asyncio.to_thread(own_postgres.stop)
            try:
                for method, address, kw in (
                    ("GET", "/api/v1/me", {"headers": bearer}),
                    ("POST", "/api/v1/needs", {"headers": bearer, "json": need}),
                    ("GET", "/health", {}),
                    ("POST", "/api/v1/auth/token", {"json": {"phone": "13800000009", "password": "x"}}),
                ):
                    response = await _timed(client, method, address, **kw)
                    assert response.status_code == 503, (address, response.text)
                    assert response.headers["retry-after"] == "5"
                    assert response.json() == {
                        "code": "unavailable",
                        "message": "服务暂时不可用（无法连接数据库），请稍后再试。",
                    }
                english = await _timed(
                    client, "GET", "/api/v1/me", headers={**bearer, "Accept-Language": "en"}
                )
                assert "database cannot be reached" in english.json()["message"]
                page = await _timed(client, "GET", f"/fund/{street.community}")
                assert page.status_code == 503
                assert "text/html" in page.headers["content-type"]
                assert "服务暂时不可用（无法连接数据库），请稍后再试。" in page.text
            finally:
                await asyncio.to_thread(own_postgres.start)

            # Back without a restart of the app: the pool opens new connections.
            assert (await client.get("/api/v1/me", headers=bearer)).status_code == 200
            assert (await client.get(f"/fund/{street.community}")).status_code == 200
            assert (await client.get("/health")).status_code == 200
            assert await Need.count() == needs_before  # what was refused while down left nothing
            assert (await client.post("/api/v1/needs", json=need, headers=bearer)).status_code == 201


async def test_transactions_cancelled_as_they_begin_never_drain_the_pool(postgres_databases):
    engine = await open_database(postgres_databases.new_url(migrated=False), pool_size=2)
    try:

        async def transaction() -> None:
            async with engine.transaction() as inside:
                await inside.connection.fetch("SELECT pg_sleep(0.001)")

        async def query() -> None:
            await engine._run_in_pool("SELECT pg_sleep(0.001)")

        # Cancelled after 0, 1, 2... turns of the loop: while acquiring, while BEGIN is in
        # flight, inside, while committing.
        for turns in range(60):
            task = asyncio.create_task(transaction() if turns % 3 else query())
            for _ in range(turns % 10):
                await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        # Both connections are back (or replaced): four transactions at once all finish.
        await asyncio.wait_for(asyncio.gather(*(transaction() for _ in range(4)), query()), 10)
    finally:
        try:  # a connection kept by a transaction would make closing the pool wait for ever
            await asyncio.wait_for(close_database(engine), 10)
        except TimeoutError:
            engine.pool.terminate()
            raise
