"""Short ways to get an item into a given state through the API."""

from __future__ import annotations


async def need(
    api, resident=None, *, scope="personal", category="care.meals", description="需要帮助", **extra
):
    body = {"category": category, "description": description, "scope": scope, **extra}
    return await api.ok(resident or api.street.resident, "POST", "/api/v1/needs", body, status=201)


async def triaged_need(api, grade="A", **kw):
    created = await need(api, **kw)
    return await api.ok(api.street.staff, "POST", f"/api/v1/needs/{created['id']}/triage", {"grade": grade})


async def open_task(api, capacity=1, need_id=None, **extra):
    body = {"title": "楼道清扫", "capacity": capacity, **extra}
    if need_id is None:
        body.setdefault("area_id", str(api.street.community))
        body.setdefault("category", "environment.cleaning")
    else:
        body["need_id"] = need_id
    return await api.ok(api.street.staff, "POST", "/api/v1/tasks", body, status=201)


async def worked(api, performer, claim_id, minutes=60, **body):
    """The performer checks in (unless they already did), works ``minutes`` (the clock moves on)
    and submits them: the claim, submitted."""
    checked_in = await api.post(performer, f"/api/v1/claims/{claim_id}/check-in")
    assert checked_in.status_code in (200, 409), checked_in.text
    api.clock.advance(minutes=minutes)
    return await api.ok(performer, "POST", f"/api/v1/claims/{claim_id}/submit", {"minutes": minutes, **body})


async def submitted_claim(api, volunteer=None, minutes=60, **task_kw):
    volunteer = volunteer or api.street.volunteers[0]
    task = await open_task(api, **task_kw)
    claim = await api.ok(volunteer, "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    return task, await worked(api, volunteer, claim["id"], minutes)


async def counts(api) -> dict:
    """How many rows each table of the loop holds, and the ledger's length: a refusal changes none."""
    from tests.web.test_app import fetch_value

    tables = (
        "projects_need",
        "projects_task",
        "projects_claim",
        "projects_event",
        "projects_rating",
        "projects_need_supporter",
        "projects_project",
        "projects_photo",
        "ledger_transfer",
    )
    result = {}
    for table in tables:
        result[table] = await fetch_value(api.database_url, f"SELECT COUNT(*) FROM {table}")
    result["states"] = await fetch_value(
        api.database_url,
        "SELECT COALESCE(STRING_AGG(status, ',' ORDER BY id), '') FROM projects_claim"
        if api.database_url.startswith("postgres")
        else "SELECT COALESCE(GROUP_CONCAT(status, ','), '') "
        "FROM (SELECT status FROM projects_claim ORDER BY id)",
    )
    return result


async def refused(api, member, method, url, body=None, *, status: int, code: str, unchanged=counts) -> dict:
    """``member``'s request is refused with ``status``, ``code`` and a message, and what
    ``unchanged`` measures (by default the loop's tables and the ledger's length, see ``counts``)
    is the same after it; ``unchanged=None`` measures nothing. Answers the error's body."""
    before = await unchanged(api) if unchanged else None
    response = await api.call(member, method, url, json=body)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.json()["message"]
    if unchanged:
        assert await unchanged(api) == before
    return response.json()
