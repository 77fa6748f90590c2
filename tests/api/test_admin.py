"""Piccolo Admin at /admin, in Chinese: Linli's admins sign in with their phone and password;
reference data can be changed there; the ledger, the trace and the market's money are not there."""

from __future__ import annotations

import pytest

from tests.api.helpers import need
from tests.projects.community import PASSWORD

# Piccolo Admin warns that its cookies are not Secure unless LINLI_HTTPS=1: tests speak plain HTTP.
pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production")


async def _signed_in(api, member_id: int, password: str = PASSWORD):
    client = api.client
    page = await client.get("/admin/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    csrf = client.cookies.get("csrftoken")
    assert csrf
    response = await client.post(
        "/admin/public/login/",
        json={"username": api.street.phones[member_id], "password": password},
        headers={"X-CSRFToken": csrf},
    )
    return response, {"X-CSRFToken": csrf}


async def test_only_linli_admins_sign_in_with_their_linli_password(api):
    response, _ = await _signed_in(api, api.street.staff)
    assert response.status_code in (401, 403), response.text
    response, _ = await _signed_in(api, api.street.admin, password="wrong-password")
    assert response.status_code in (401, 403), response.text
    assert (await api.client.get("/admin/api/tables/")).status_code == 401
    response, _ = await _signed_in(api, api.street.admin)
    assert response.status_code in (200, 303), response.text
    tables = (await api.client.get("/admin/api/tables/")).json()
    assert {"projects_category", "market_item"} <= set(tables)
    assert not {"ledger_transfer", "ledger_account", "projects_event", "market_redemption"} & set(tables)
    assert (await api.client.get("/admin/public/meta/")).json()["site_name"] == "邻里 Linli 管理后台"
    languages = (await api.client.get("/admin/public/translations/")).json()
    assert languages["default_language_code"] == "zh-CN"
    assert "zh-CN" in {language["language_code"] for language in languages["translations"]}
    schema = (await api.client.get("/admin/api/tables/projects_category/schema/")).json()
    assert schema["extra"]["help_text"] == "服务类别 Categories"


async def test_reference_data_changes_there_but_the_ledger_is_not_there(api):
    response, headers = await _signed_in(api, api.street.admin)
    assert response.status_code in (200, 303), response.text
    client = api.client
    changed = await client.patch(
        "/admin/api/tables/projects_category/care.meals/", json={"points_per_hour": 12}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    categories = await api.ok(api.street.resident, "GET", "/api/v1/categories")
    assert next(c for c in categories if c["code"] == "care.meals")["points_per_hour"] == 12

    # A year the calendar package does not know yet: the admin enters its holidays, and a
    # deadline in working days skips them.
    added = await client.post(
        "/admin/api/tables/projects_calendar_day/",
        json={"day": "2027-01-04", "working": False, "note": "假设的元旦调休"},
        headers=headers,
    )
    assert added.status_code in (200, 201), added.text
    from datetime import UTC, datetime

    from projects.deadlines import deadline_after

    due = await deadline_after("B", datetime(2026, 12, 31, 1, 0, tzinfo=UTC))  # Thursday, 9:00 in China
    assert due == datetime(2027, 1, 8, 1, 0, tzinfo=UTC)  # 1, 5, 6, 7, 8 January: the 4th is off

    # The ledger and the trace are not tables of the admin: nothing there can write them.
    account = f"member:{api.street.resident}"
    await need(api)
    for method, url, body in (
        ("GET", "/admin/api/tables/ledger_transfer/", None),
        ("PATCH", f"/admin/api/tables/ledger_account/{account}/", {"credits_posted": 10**6}),
        ("POST", "/admin/api/tables/ledger_account/", {"id": "x", "asset": "PTS", "kind": "member"}),
        ("DELETE", "/admin/api/tables/projects_event/1/", None),
    ):
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code in (404, 405), (method, url, response.text)
    me = await api.ok(api.street.resident, "GET", "/api/v1/me")
    assert me["balance"]["posted"] == 0


async def test_failed_admin_sign_ins_from_one_address_do_not_lock_out_another(api):
    from web import admin

    admin.LinliAdmin._meta.db = admin.BaseUser._meta.db
    attacker = admin._address.set("203.0.113.9")
    try:
        for number in range(6):
            assert await admin.LinliAdmin.login(f"1390000{number:04d}", "wrong-password") is None
    finally:
        admin._address.reset(attacker)
    office = admin._address.set("198.51.100.7")
    try:
        assert await admin.LinliAdmin.login(api.street.phones[api.street.admin], PASSWORD) is not None
    finally:
        admin._address.reset(office)
