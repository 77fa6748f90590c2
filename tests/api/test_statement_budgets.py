"""Each hot use case and read asks the database for at most its budget of statements.

The budgets are what each one issues today, on each engine: a change that adds a query to a hot
path fails here, and whoever makes one cheaper lowers its budget. Transaction control is not
counted (tests/statements.py). The cost of the signed-in member is inside every figure.

Before, on PostgreSQL (December 2026): GET /me 12, claim 25, submit 26, confirm 44, redeem 29.
The member, their roles and organisations now come in one statement (projects/signed_in.py),
and PostgreSQL's pool no longer sends a reset statement after every read (ledger/engine.py).
"""

from __future__ import annotations

import piccolo_conf
from tests.api.helpers import open_task, triaged_need
from tests.market.market_helpers import give_points, item
from tests.statements import StatementCounter

# use case -> (SQLite, PostgreSQL): the most statements it may issue
BUDGETS = {
    "GET /api/v1/me": (3, 3),
    "GET /api/v1/tasks?status=open": (4, 4),
    "POST /api/v1/needs": (12, 12),
    "GET /api/v1/needs/{id}": (3, 3),
    "claim": (15, 15),
    "check in": (9, 9),
    "submit": (12, 12),
    "confirm": (30, 30),
    "GET /api/v1/claims/{id}": (3, 3),
    "redeem": (20, 20),
    "fulfil": (20, 20),
    "cancel a redemption": (20, 20),
    "gift": (15, 15),
}


async def test_the_hot_use_cases_stay_within_their_statement_budgets(api, request):
    s = api.street
    volunteer = s.volunteers[0]
    for member in (s.resident, s.staff, volunteer, s.representative):
        await api.token(member)  # signing in is not what is measured
    counter = await StatementCounter.install(piccolo_conf.DB)
    spent: dict[str, int] = {}

    async def measure(name: str, member: int, method: str, url: str, json=None, status: int = 200):
        result = {}

        async def call() -> None:
            result["body"] = await api.ok(member, method, url, json, status=status)

        spent[name] = len(await counter.run(call()))
        return result["body"]

    await measure("GET /api/v1/me", volunteer, "GET", "/api/v1/me")
    need = await measure(
        "POST /api/v1/needs",
        s.resident,
        "POST",
        "/api/v1/needs",
        {"category": "care.meals", "description": "需要送午餐", "scope": "personal"},
        status=201,
    )
    await measure("GET /api/v1/needs/{id}", s.resident, "GET", f"/api/v1/needs/{need['id']}")
    triaged = await triaged_need(api)
    task = await open_task(api, need_id=triaged["id"])
    await measure("GET /api/v1/tasks?status=open", volunteer, "GET", "/api/v1/tasks?status=open")
    claim = await measure("claim", volunteer, "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await measure("check in", volunteer, "POST", f"/api/v1/claims/{claim['id']}/check-in")
    api.clock.advance(minutes=60)
    await measure("submit", volunteer, "POST", f"/api/v1/claims/{claim['id']}/submit", {"minutes": 60})
    await measure("confirm", s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    await measure("GET /api/v1/claims/{id}", volunteer, "GET", f"/api/v1/claims/{claim['id']}")

    await give_points(api, s.resident, 100)
    offered = await item(api, price=10, stock=5)
    body = {"item_id": offered["id"], "quantity": 1}
    first = await measure("redeem", s.resident, "POST", "/api/v1/redemptions", body, status=201)
    second = await api.ok(s.resident, "POST", "/api/v1/redemptions", body, status=201)
    await measure("fulfil", s.representative, "POST", "/api/v1/redemptions/fulfil", {"code": first["code"]})
    await measure("cancel a redemption", s.resident, "POST", f"/api/v1/redemptions/{second['id']}/cancel")
    await measure(
        "gift",
        s.resident,
        "POST",
        "/api/v1/gifts",
        {"amount": 5, "recipient_id": str(volunteer)},
        status=201,
    )

    engine = 0 if request.node.callspec.params["databases"] == "sqlite" else 1
    over = {
        name: (spent[name], budget[engine])
        for name, budget in BUDGETS.items()
        if spent[name] > budget[engine]
    }
    assert not over, f"over budget (spent, budget): {over}"
