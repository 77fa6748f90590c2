"""What a person (or a script) can type that no handler expects: malformed and huge numbers,
ids that are not ours, nothing ticked, a NUL character, a body that is not what it says. Each is
a 4xx with a message, never a 500, and writes nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from projects.open311 import register_client
from tests.pages.test_page_loop import report

MALFORMED = ("--5", "²", "9" * 5000, "1e3", " ", "0x10")


@pytest.mark.parametrize("value", MALFORMED)
async def test_malformed_whole_numbers_are_field_errors(site, value):
    s = site.street
    resident = await site.signed_in(s.resident, language="en")
    need = await report(site, resident)
    staff = await site.signed_in(s.staff, language="en")
    await staff.post(f"/desk/needs/{need}/triage", {"action": "grade", "grade": "A"})
    response = await staff.post(
        f"/desk/needs/{need}/dispatch", {"title": "送餐", "assignee": "pool", "capacity": value}
    )
    assert response.status_code == 400, response.text[:500]
    if value.strip():
        assert 'id="capacity-error">Enter a whole number from 1 to 1000.' in response.text


async def test_ids_that_are_not_ours_and_nothing_ticked_are_4xx(site):
    s = site.street
    resident = await site.signed_in(s.resident, language="en")
    need = await report(site, resident, scope="common")
    staff = await site.signed_in(s.staff, language="en")
    await staff.post(f"/desk/needs/{need}/triage", {"action": "grade", "grade": "A"})
    for organisation in ("9" * 30, "abc", "²"):
        response = await staff.post(
            f"/desk/needs/{need}/dispatch",
            {"title": "送餐", "assignee": "organisation", "organisation_id": organisation, "capacity": "1"},
        )
        assert response.status_code == 400 and 'id="organisation_id-error"' in response.text, organisation
    for area in ("9" * 30, "abc"):
        response = await staff.post(
            "/desk/projects",
            {"title": "项目", "deadline": "2027-01-01T09:00", "area_id": area, "need_ids": "x"},
        )
        assert response.status_code == 400, area
    nothing_ticked = await staff.post(
        "/desk/projects", {"title": "项目", "deadline": "2027-01-01T09:00", "area_id": str(s.community)}
    )
    assert nothing_ticked.status_code == 303  # a project needs no need ticked: it is published
    donation = await staff.post(
        f"/fund/{s.community}/donations",
        {"amount": "10", "donor_kind": "organisation", "organisation_id": "9" * 30},
    )
    assert donation.status_code == 400
    provider = await site.signed_in(s.representative, language="en")
    owner = await provider.post(
        "/provider/items", {"owner": "community-" + "9" * 30, "name": "x", "price": "1"}
    )
    assert owner.status_code == 404  # no such owner can exist


async def test_a_nul_character_is_refused_whatever_the_encoding(site):
    s = site.street
    resident = await site.signed_in(s.resident, language="en")
    token = {"_csrf_token": resident.csrf()}
    body = {"category": "care.meals", "description": "a\x00b", "scope": "personal", **token}
    as_form = await resident.client.post("/needs", data=body)
    assert as_form.status_code == 400
    as_multipart = await resident.client.post(
        "/needs", data=body, files={"attachment": ("x.txt", b"x", "text/plain")}
    )
    assert as_multipart.status_code == 400
    mine = await resident.get("/needs")
    assert "a\x00b" not in mine.text and "a b" not in mine.text


async def test_open311_answers_a_broken_body_in_its_own_shape(site):
    key = await register_client("随手拍", site.street.community, now=site.clock(), api_key="k-bad-input")
    browser = site.browser()
    broken = await browser.client.post(
        "/open311/v2/requests.json", content=b"[1,2", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400 and broken.json()[0]["code"] == 400
    nul = await browser.client.post(
        "/open311/v2/requests.xml",
        json={"api_key": key, "service_code": "care.meals", "description": "a\u0000b"},
    )
    assert nul.status_code == 400 and ElementTree.fromstring(nul.text).find("error/code").text == "400"


async def test_field_attributes_reach_the_browser_unescaped(site):
    from tests.market.market_helpers import give_points

    await give_points(site, site.street.resident, 10)  # the gift form is for one with points to give
    resident = await site.signed_in(site.street.resident)
    page = await resident.get("/gifts")
    assert 'inputmode="numeric"' in page.text and "&#34;" not in page.text
