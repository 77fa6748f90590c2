"""Piccolo Admin at /admin: Linli's admins sign in with their phone and password; reference data
can be changed there; the ledger, the trace and the market's money are read-only."""

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
    assert {"projects_category", "market_item", "ledger_transfer"} <= set(tables)


async def test_reference_data_changes_there_but_the_ledger_is_read_only(api):
    response, headers = await _signed_in(api, api.street.admin)
    assert response.status_code in (200, 303), response.text
    client = api.client
    changed = await client.patch(
        "/admin/api/tables/projects_category/care.meals/", json={"points_per_hour": 12}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    categories = await api.ok(api.street.resident, "GET", "/api/v1/categories")
    assert next(c for c in categories if c["code"] == "care.meals")["points_per_hour"] == 12

    transfers = await client.get("/admin/api/tables/ledger_transfer/")
    assert transfers.status_code == 200
    account = f"member:{api.street.resident}"
    await need(api)
    event = (await client.get("/admin/api/tables/projects_event/")).json()["rows"][0]["seq"]
    for method, url, body in (
        ("PATCH", f"/admin/api/tables/ledger_account/{account}/", {"credits_posted": 10**6}),
        ("DELETE", f"/admin/api/tables/ledger_account/{account}/", None),
        ("POST", "/admin/api/tables/ledger_account/", {"id": "x", "asset": "PTS", "kind": "member"}),
        ("DELETE", f"/admin/api/tables/projects_event/{event}/", None),
        ("PATCH", f"/admin/api/tables/projects_event/{event}/", {"reason": "edited"}),
    ):
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code == 405, (method, url, response.text)
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
    # Refused edits leave nothing: the ledger is read-only, and an area in use cannot go.
    account = f"member:{s.resident}"
    refused = await client.patch(
        f"/admin/api/tables/ledger_account/{account}/", json={"credits_posted": 10**6}, headers=headers
    )
    assert refused.status_code == 405
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
    assert '"name": "李阿姨"' in renamed.after and "password" not in renamed.before + renamed.after

    # Admins read the trace in the admin; nobody changes it, there or in the database.
    rows = (await client.get("/admin/api/tables/projects_admin_edit/")).json()["rows"]
    assert len(rows) == 4
    edit = rows[0]["id"]
    for method, body in (("PATCH", {"after": ""}), ("DELETE", None)):
        response = await client.request(
            method, f"/admin/api/tables/projects_admin_edit/{edit}/", json=body, headers=headers
        )
        assert response.status_code == 405
    for statement in ("UPDATE projects_admin_edit SET after = ''", "DELETE FROM projects_admin_edit"):
        with pytest.raises(Exception, match="append-only"):
            await raw(api.database_url, statement)
