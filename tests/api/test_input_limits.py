"""Hostile JSON through the real app: bodies too deep or too large are refused before the
decoder sees them, and request models take no boolean or text for an integer (or the reverse)."""

from __future__ import annotations

from tests.api.helpers import counts, submitted_claim


async def test_deeply_nested_json_is_a_400_everywhere_even_before_sign_in(api):
    deep = b"[" * 1000
    for url in ("/api/v1/auth/token", "/api/v1/needs", "/open311/v2/requests.json"):
        response = await api.client.post(
            url, content=deep, headers={"Content-Type": "application/json", "Accept-Language": "en"}
        )
        assert response.status_code == 400, (url, response.text)
    token = await api.client.post(
        "/api/v1/auth/token",
        content=b'{"phone": ' + b"[" * 100 + b"]" * 100 + b', "password": "x"}',
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert token.json() == {
        "code": "json_too_deep",
        "message": "The request body is nested too deeply: at most 16 levels of JSON.",
    }
    # Open311 answers in GeoReport's shape; a body without a content type is read as JSON too.
    assert (
        await api.client.post(
            "/open311/v2/requests.json", content=deep, headers={"Content-Type": "application/json"}
        )
    ).json()[0]["code"] == 400
    bare = await api.call(api.street.resident, "POST", "/api/v1/needs", content=deep)
    assert (
        bare.status_code == 400
        and bare.json()["code"] == "json_too_deep"
        and "嵌套" in bare.json()["message"]
    )


async def test_a_body_too_large_is_a_400_and_brackets_in_text_are_only_text(api):
    before = await counts(api)
    huge = await api.post(
        api.street.resident, "/api/v1/needs", {"category": "care.meals", "description": "x" * 300_000}
    )
    assert huge.status_code == 400 and huge.json()["code"] == "json_too_large"
    assert await counts(api) == before
    bracketed = await api.post(
        api.street.resident, "/api/v1/needs", {"category": "care.meals", "description": "[{" * 500 + "送餐"}
    )
    assert bracketed.status_code == 201


async def test_integers_take_no_booleans_or_text_and_booleans_take_no_numbers(api):
    s = api.street
    before = await counts(api)
    for amount in (True, "1", 1.5):
        gift = await api.post(
            s.resident, "/api/v1/gifts", {"amount": amount, "recipient_id": str(s.neighbour)}, language="en"
        )
        assert gift.status_code == 400, (amount, gift.text)
        assert gift.json()["code"] == "invalid_input" and gift.json()["fields"][0]["field"] == "amount"
    _, claim = await submitted_claim(api, minutes=30)
    for minutes in (True, "60"):
        again = await api.post(s.volunteers[0], f"/api/v1/claims/{claim['id']}/submit", {"minutes": minutes})
        assert again.status_code == 400, (minutes, again.text)
    need = await api.ok(
        s.resident, "POST", "/api/v1/needs", {"category": "care.meals", "description": "送餐"}, status=201
    )
    for escalate in (1, "true"):
        triage = await api.post(
            s.staff, f"/api/v1/needs/{need['id']}/triage", {"escalate": escalate, "reason": "太大"}
        )
        assert triage.status_code == 400, (escalate, triage.text)
    assert (await api.get(s.staff, f"/api/v1/needs/{need['id']}")).json()["status"] == "new"
    # Times are still ISO 8601 text: JSON has no time type.
    task = await api.post(
        s.staff,
        "/api/v1/tasks",
        {
            "title": "送餐",
            "area_id": str(s.community),
            "category": "care.meals",
            "deadline": "2026-12-31T18:00:00+08:00",
            "capacity": 2,
        },
    )
    assert task.status_code == 201, task.text
    assert (await counts(api))["ledger_transfer"] == before["ledger_transfer"]
