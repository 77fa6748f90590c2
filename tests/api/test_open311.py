"""Open311 GeoReport v2 at /open311/v2 through the real app, on both engines: the service list
and definitions, a client submitting a request (a need) with its API key, reading requests in
JSON and XML, and the errors in GeoReport's shape."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from projects.open311 import register_client
from tests.photo_samples import jpeg_with_gps, opened

BASE = "/open311/v2"


async def _client(api):
    return await register_client("随手拍", api.street.community, now=api.clock(), api_key="test-open311-key")


async def test_services_are_the_categories_in_json_and_xml(api):
    services = (await api.client.get(f"{BASE}/services.json")).json()
    meals = next(s for s in services if s["service_code"] == "care.meals")
    assert meals["type"] == "realtime" and meals["metadata"] is False and meals["group"]
    english = await api.client.get(f"{BASE}/services.json", headers={"Accept-Language": "en"})
    assert meals["service_name"] == "助餐送餐"
    assert (
        next(s for s in english.json() if s["service_code"] == "care.meals")["service_name"]
        == "Meals and delivery"
    )
    root = ElementTree.fromstring((await api.client.get(f"{BASE}/services.xml")).text)
    assert root.tag == "services" and len(root.findall("service")) == len(services)
    definition = (await api.client.get(f"{BASE}/services/care.meals.json")).json()
    assert definition == {"service_code": "care.meals", "attributes": []}
    missing = await api.client.get(f"{BASE}/services/no.such.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


async def test_a_client_submits_a_request_that_becomes_a_common_need(api):
    street = api.street
    key = await _client(api)
    response = await api.client.post(
        f"{BASE}/requests.json",
        data={
            "api_key": key,
            "service_code": "construction.lighting",
            "description": "1号楼门前路灯不亮",
            "address_string": "幸福里1号楼",
            "lat": "31.2304",
            "long": "121.4737",
            "phone": street.phones[street.resident],
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()[0]
    request_id = created["service_request_id"]
    assert created["service_notice"]
    # It is a need of the community, from the resident whose phone it gave, through channel open311.
    need = await api.ok(street.resident, "GET", f"/api/v1/needs/{request_id}")
    assert (need["channel"], need["scope"], need["status"]) == ("open311", "common", "new")
    # What the client said of the place is kept in fields of its own, not in the description.
    assert need["description"] == "1号楼门前路灯不亮"
    assert (need["address_string"], need["lat"], need["long"]) == ("幸福里1号楼", 31.2304, 121.4737)

    listed = (await api.client.get(f"{BASE}/requests.json?jurisdiction_id={street.community}")).json()
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert listed[0]["status"] == "open" and "phone" not in listed[0]
    assert (listed[0]["address"], listed[0]["lat"], listed[0]["long"]) == ("幸福里1号楼", 31.2304, 121.4737)
    one = (await api.client.get(f"{BASE}/requests/{request_id}.json")).json()[0]
    assert one["service_code"] == "construction.lighting"
    xml = ElementTree.fromstring((await api.client.get(f"{BASE}/requests/{request_id}.xml")).text)
    assert xml.find("request/service_request_id").text == request_id

    # Staff reject it: GeoReport calls that closed, with the reason as its notes.
    await api.ok(street.staff, "POST", f"/api/v1/needs/{request_id}/reject", {"reason": "已转物业处理"})
    closed = (await api.client.get(f"{BASE}/requests.json?status=closed&api_key={key}")).json()
    assert [(r["service_request_id"], r["status_notes"]) for r in closed] == [(request_id, "已转物业处理")]
    assert (await api.client.get(f"{BASE}/requests.json?status=open&api_key={key}")).json() == []


async def test_refusals_come_in_georeport_shape_and_write_nothing(api):
    from tests.api.helpers import counts

    street = api.street
    key = await _client(api)
    before = await counts(api)
    for data, status in (
        ({"service_code": "care.meals", "description": "x"}, 403),  # no key
        ({"api_key": "wrong", "service_code": "care.meals", "description": "x"}, 403),
        ({"api_key": key, "service_code": "no.such", "description": "x"}, 404),
        ({"api_key": key, "service_code": "care.meals", "description": ""}, 400),
        ({"api_key": key, "service_code": "care.meals", "description": "x", "lat": "91", "long": "0"}, 400),
        (
            {
                "api_key": key,
                "service_code": "care.meals",
                "description": "x",
                "address_id": str(street.other_unit),
            },
            400,
        ),
    ):
        response = await api.client.post(
            f"{BASE}/requests.json", data=data, headers={"Accept-Language": "en"}
        )
        assert response.status_code == status, (data, response.text)
        error = response.json()[0]
        assert error["code"] == status and error["description"]
    xml = await api.client.post(f"{BASE}/requests.xml", data={"api_key": "wrong"})
    assert xml.status_code == 403 and ElementTree.fromstring(xml.text).find("error/code").text == "403"
    bad_date = await api.client.get(f"{BASE}/requests.json?start_date=yesterday")
    assert bad_date.status_code == 400
    assert await counts(api) == before
    # A personal need reported in the app is not published through Open311.
    await api.ok(
        street.resident,
        "POST",
        "/api/v1/needs",
        {"category": "care.meals", "description": "送餐", "scope": "personal"},
        status=201,
    )
    assert (await api.client.get(f"{BASE}/requests.json")).json() == []


FORM = {"Content-Type": "application/x-www-form-urlencoded"}  # no charset, as curl -d sends it


async def test_a_form_of_raw_utf8_bytes_is_read_as_utf8_whatever_the_client_declares(api):
    key = await _client(api)
    # What `curl -d description=路灯不亮` sends: the characters' UTF-8 bytes, not percent-encoded.
    raw = f"api_key={key}&service_code=construction.lighting&description=路灯不亮&address_string=东门岗亭旁"
    for headers in (FORM, {"Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"}):
        response = await api.client.post(
            f"{BASE}/requests.json", content=raw.encode("utf-8"), headers=headers
        )
        assert response.status_code == 201, response.text
        made = (
            await api.client.get(f"{BASE}/requests/{response.json()[0]['service_request_id']}.json")
        ).json()
        assert (made[0]["description"], made[0]["address"]) == ("路灯不亮", "东门岗亭旁")
    # Percent-encoded, as a browser or httpx sends it, reads the same.
    encoded = await api.client.post(
        f"{BASE}/requests.json",
        data={"api_key": key, "service_code": "construction.lighting", "description": "路灯不亮"},
    )
    assert (await api.client.get(f"{BASE}/requests/{encoded.json()[0]['service_request_id']}.json")).json()[
        0
    ]["description"] == "路灯不亮"
    # Bytes that are not UTF-8 (GBK here) are refused in GeoReport's shape, never stored as mojibake.
    gbk = f"api_key={key}&service_code=construction.lighting&description=".encode() + "路灯不亮".encode("gbk")
    refused = await api.client.post(f"{BASE}/requests.json", content=gbk, headers=FORM)
    assert refused.status_code == 400 and refused.json()[0]["code"] == 400


async def test_a_requests_place_coordinates_media_url_and_image_are_kept_and_returned_as_sent(api):
    street = api.street
    key = await _client(api)
    response = await api.client.post(
        f"{BASE}/requests.json",
        data={
            "api_key": key,
            "service_code": "construction.lighting",
            "description": "路灯杆倾斜",
            "lat": "43.88",
            "long": "125.32",
            "media_url": "https://photos.example.com/p/123.jpg",
        },
        files={"media": ("IMG_0001.JPG", jpeg_with_gps(), "image/jpeg")},
    )
    assert response.status_code == 201, response.text
    request_id = response.json()[0]["service_request_id"]
    row = (await api.client.get(f"{BASE}/requests/{request_id}.json")).json()[0]
    assert (row["lat"], row["long"], row["media_url"]) == (
        43.88,
        125.32,
        "https://photos.example.com/p/123.jpg",
    )
    assert (
        row["address"] == "幸福里社区" and row["description"] == "路灯杆倾斜"
    )  # no place given: the area's name
    xml = ElementTree.fromstring((await api.client.get(f"{BASE}/requests/{request_id}.xml")).text)
    assert (xml.find("request/lat").text, xml.find("request/media_url").text) == (
        "43.88",
        "https://photos.example.com/p/123.jpg",
    )
    # The attached image is a photo of the need, re-encoded, for those who may see the need.
    photos = await api.ok(street.staff, "GET", f"/api/v1/needs/{request_id}/photos")
    assert len(photos) == 1
    image = await api.get(street.staff, photos[0]["url"])
    assert image.status_code == 200 and not opened(image.content).getexif()
    # A media_url that is no web address, or lat without long: refused, nothing kept.
    for extra in ({"media_url": "javascript:alert(1)"}, {"lat": "43.1"}):
        refused = await api.client.post(
            f"{BASE}/requests.json",
            data={"api_key": key, "service_code": "construction.lighting", "description": "x", **extra},
        )
        assert refused.status_code == 400, refused.text
    assert len((await api.client.get(f"{BASE}/requests.json?api_key={key}")).json()) == 1
