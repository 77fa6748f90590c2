"""Each main page asks the database for at most its budget of statements (see
tests/api/test_statement_budgets.py for how they are counted and why). The pages render lists:
a budget that grows with the rows shown is an N+1 loop, so each page is measured with several
rows in it."""

from __future__ import annotations

import httpx
import pytest

import piccolo_conf
from tests.projects.community import PASSWORD
from tests.statements import StatementCounter

# page -> (SQLite, PostgreSQL): the most statements it may issue
BUDGETS = {
    "resident /": (9, 9),
    "volunteer /": (9, 9),
    "staff /": (11, 11),
    "volunteer /tasks": (7, 7),
    "staff /desk": (12, 12),
    "volunteer /points": (6, 6),
    "resident /needs/{id}": (17, 17),  # 23 before the need was read once for the whole page
    "volunteer /claims/{id}": (13, 13),
    "volunteer /claims": (9, 9),
}
ROWS = 4  # of each kind on the pages: enough for a loop to show


async def _api(site, member: int) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=site.transport, base_url="http://linli.test")
    site.browsers.append(client)
    response = await client.post(
        "/api/v1/auth/token", json={"phone": site.street.phones[member], "password": PASSWORD}
    )
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return client


async def _ok(client: httpx.AsyncClient, method: str, url: str, json=None) -> dict:
    response = await client.request(method, url, json=json)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_the_main_pages_stay_within_their_statement_budgets(site, request: pytest.FixtureRequest):
    s = site.street
    volunteer = s.volunteers[0]
    resident, staff, worker = (
        await _api(site, s.resident),
        await _api(site, s.staff),
        await _api(site, volunteer),
    )
    needs, claims = [], []
    for n in range(ROWS):
        need = await _ok(
            resident,
            "POST",
            "/api/v1/needs",
            {"category": "care.meals", "description": f"需要送午餐{n}", "scope": "personal"},
        )
        await _ok(staff, "POST", f"/api/v1/needs/{need['id']}/triage", {"grade": "B"})
        task = await _ok(
            staff, "POST", "/api/v1/tasks", {"need_id": need["id"], "title": f"送餐{n}", "capacity": 2}
        )
        claim = await _ok(worker, "POST", f"/api/v1/tasks/{task['id']}/claims")
        needs.append(need)
        claims.append(claim)
    await _ok(worker, "POST", f"/api/v1/claims/{claims[0]['id']}/check-in")
    site.clock.advance(minutes=30)
    await _ok(worker, "POST", f"/api/v1/claims/{claims[0]['id']}/submit", {"minutes": 30})
    await _ok(resident, "POST", f"/api/v1/claims/{claims[0]['id']}/confirm")
    for n in range(ROWS):  # more needs waiting on the desk
        await _ok(
            resident,
            "POST",
            "/api/v1/needs",
            {"category": "care.meals", "description": f"还需要帮助{n}", "scope": "personal"},
        )

    browsers = {
        "resident": await site.signed_in(s.resident),
        "volunteer": await site.signed_in(volunteer),
        "staff": await site.signed_in(s.staff),
    }
    pages = {
        "resident /": "/",
        "volunteer /": "/",
        "staff /": "/",
        "volunteer /tasks": "/tasks",
        "staff /desk": "/desk",
        "volunteer /points": "/points",
        "resident /needs/{id}": f"/needs/{needs[0]['id']}",
        "volunteer /claims/{id}": f"/claims/{claims[0]['id']}",
        "volunteer /claims": "/claims",
    }
    counter = await StatementCounter.install(piccolo_conf.DB)
    engine = 0 if request.node.callspec.params["databases"] == "sqlite" else 1
    spent = {}
    for name, url in pages.items():
        browser = browsers[name.split()[0]]
        result = {}

        async def show(browser=browser, url=url, result=result) -> None:
            result["response"] = await browser.get(url)

        spent[name] = len(await counter.run(show()))
        assert result["response"].status_code == 200, (name, result["response"].text[:500])

    over = {
        name: (spent[name], budget[engine])
        for name, budget in BUDGETS.items()
        if spent[name] > budget[engine]
    }
    assert not over, f"over budget (spent, budget): {over}"
