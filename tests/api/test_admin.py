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


async def test_only_the_database_limits_admin_sign_ins_not_a_worker_s_memory(api):
    """Piccolo Admin's own limit (20 sign-ins in 5 minutes, per process) would refuse the 21st;
    Linli counts in the database, where a success forgives, so that every worker agrees."""
    for _ in range(21):
        response, _ = await _signed_in(api, api.street.admin)
        assert response.status_code in (200, 303), response.text


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


async def test_every_edit_made_in_the_admin_is_traced_with_who_when_before_and_after(api):
    from projects.admin_edits import edits_of
    from tests.ledger.test_tamper import raw

    s = api.street
    response, headers = await _signed_in(api, s.admin)
    assert response.status_code in (200, 303), response.text
    client, admin_phone = api.client, s.phones[s.admin]
    base = "/admin/api/tables/projects_organisation/"

    added = await client.post(
        base,
        json={
            "name": "洗衣社",
            "kind": "social_organisation",
            "area": s.community,
            "description": "",
            "created_at": "2026-12-09T09:00:00+08:00",
        },
        headers=headers,
    )
    assert added.status_code == 201, added.text
    key = str(added.json()[0]["id"])
    changed = await client.patch(f"{base}{key}/", json={"name": "邻里洗衣社"}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert (await client.delete(f"{base}{key}/", headers=headers)).status_code == 204
    # Refused edits leave nothing: the ledger is not in the admin, and an area in use cannot go.
    account = f"member:{s.resident}"
    refused = await client.patch(
        f"/admin/api/tables/ledger_account/{account}/", json={"credits_posted": 10**6}, headers=headers
    )
    assert refused.status_code in (404, 405)
    in_use = await client.delete(f"/admin/api/tables/projects_area/{s.community}/", headers=headers)
    assert in_use.status_code >= 400

    inserted, updated, deleted = await edits_of("projects_organisation", key)
    assert [e.action for e in (inserted, updated, deleted)] == ["insert", "update", "delete"]
    assert {e.member for e in (inserted, updated, deleted)} == {s.admin}
    assert {e.username for e in (inserted, updated, deleted)} == {admin_phone}
    assert inserted.before == "" and '"name": "洗衣社"' in inserted.after
    assert '"name": "洗衣社"' in updated.before and '"name": "邻里洗衣社"' in updated.after
    assert '"name": "邻里洗衣社"' in deleted.before and deleted.after == ""
    assert inserted.created_at <= updated.created_at <= deleted.created_at
    assert await edits_of("ledger_account", account) == []
    assert await edits_of("projects_area", str(s.community)) == []

    # A member's row is traced without its password hash.
    member = await client.patch(
        f"/admin/api/tables/projects_member/{s.neighbour}/", json={"name": "李阿姨"}, headers=headers
    )
    assert member.status_code == 200, member.text
    (renamed,) = await edits_of("projects_member", str(s.neighbour))
    assert '"name": "李阿姨"' in renamed.after and "password_hash" not in renamed.before + renamed.after

    # Admins read the trace on a page of Linli's (the admin would offer to add rows to it);
    # nobody changes it, in the admin or in the database.
    from tests.pages.conftest import Browser

    browser = Browser(api.client)
    await browser.get("/login")
    signed = await browser.post("/login", {"phone": admin_phone, "password": PASSWORD})
    assert signed.status_code == 303
    page = await browser.get("/admin-edits")
    assert page.status_code == 200 and page.text.count("projects_organisation") == 3
    assert "邻里洗衣社" in page.text and "password_hash" not in page.text
    for method, body in (("PATCH", {"after": ""}), ("DELETE", None)):
        response = await client.request(
            method, "/admin/api/tables/projects_admin_edit/1/", json=body, headers=headers
        )
        assert response.status_code in (404, 405)
    for statement in ("UPDATE projects_admin_edit SET after = ''", "DELETE FROM projects_admin_edit"):
        with pytest.raises(Exception, match="append-only"):
            await raw(api.database_url, statement)
