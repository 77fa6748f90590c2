"""Photos through the real app on both engines: on a need, on a progress report and on a claim's
work; JPEG, PNG or WebP by content whatever the name, at most 10 MB (413) and six to an item
(409); re-encoded without EXIF; served only to those who may see their item (a guessed address
answers 404); removed by whoever added them or by staff, traced, their files gone."""

from __future__ import annotations

from projects import media
from tests.api.helpers import counts, need, triaged_need, worked
from tests.photo_samples import GPS_IFD, gif, jpeg_with_gps, opened, png_with_alpha, webp


def _file(data: bytes, name: str = "photo.jpg", kind: str = "image/jpeg") -> dict:
    return {"file": (name, data, kind)}


async def _upload(api, member, url: str, data: bytes, **kw):
    return await api.call(member, "POST", url, files=_file(data, **kw))


def _files_kept() -> int:
    return len(media.files())


async def test_a_photo_of_a_need_is_reencoded_and_served_only_to_those_who_may_see_the_need(api):
    s = api.street
    created = await need(api)
    url = f"/api/v1/needs/{created['id']}/photos"
    # Its name and type say text: its content says JPEG, and that is what counts.
    response = await _upload(api, s.resident, url, jpeg_with_gps(), name="notes.txt", kind="text/plain")
    assert response.status_code == 201, response.text
    photo = response.json()
    assert set(photo) == {"id", "url", "thumbnail_url"}

    image = await api.get(s.resident, photo["url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert (
        image.headers["x-content-type-options"] == "nosniff"
        and "img-src 'self'" in image.headers["content-security-policy"]
    )
    kept = opened(image.content)
    assert kept.format == "JPEG" and GPS_IFD not in kept.getexif() and not kept.getexif()
    assert opened((await api.get(s.resident, photo["thumbnail_url"])).content).size == (64, 48)
    for member in (s.staff, s.leader):  # those who serve the area see it
        assert (await api.get(member, photo["url"])).status_code == 200
    for member in (s.neighbour, s.outsider, s.volunteers[0]):  # a guessed address: nothing there
        for address in (photo["url"], photo["thumbnail_url"]):
            assert (await api.get(member, address)).status_code == 404
    assert (await api.client.get(photo["url"])).status_code in (303, 401)  # signed out

    listed = await api.ok(s.resident, "GET", url)
    assert [(item["id"], item["may_remove"]) for item in listed] == [(photo["id"], True)]
    for data, name in ((png_with_alpha(), "a.png"), (webp(), "b.webp")):
        assert (await _upload(api, s.resident, url, data, name=name)).status_code == 201
    # Not a JPEG, PNG or WebP, whatever its name says: refused, nothing kept.
    before, files = await counts(api), _files_kept()
    for data, name in ((gif(), "c.jpg"), (b"not an image", "d.png")):
        refused = await _upload(api, s.resident, url, data, name=name)
        assert (refused.status_code, refused.json()["code"]) == (400, "not_a_photo"), refused.text
    assert (await api.get(s.neighbour, url)).status_code == 404
    assert await counts(api) == before and _files_kept() == files


async def test_a_seventh_photo_is_409_and_a_photo_over_10_megabytes_is_413_in_the_error_shape(api):
    s = api.street
    created = await need(api)
    url = f"/api/v1/needs/{created['id']}/photos"
    for _ in range(6):
        assert (await _upload(api, s.resident, url, webp())).status_code == 201
    before, files = await counts(api), _files_kept()
    seventh = await _upload(api, s.resident, url, webp())
    assert (seventh.status_code, seventh.json()["code"]) == (409, "too_many_photos")
    assert seventh.json()["message"] == "此处最多6张照片。"
    other = await need(api)
    large = await _upload(
        api, s.resident, f"/api/v1/needs/{other['id']}/photos", b"\xff" * (10 * 1024 * 1024 + 1)
    )
    assert large.status_code == 413 and set(large.json()) == {"code", "message"}, large.text
    huge = await _upload(api, s.resident, f"/api/v1/needs/{other['id']}/photos", b"\xff" * (12 * 1024 * 1024))
    assert huge.status_code == 413 and huge.json()["code"] == "too_large", huge.text
    missing = await api.call(s.resident, "POST", url, files={"other": ("a.jpg", webp(), "image/jpeg")})
    assert missing.status_code == 400
    assert (await counts(api))["projects_photo"] == before["projects_photo"] + 0 and _files_kept() == files


async def test_the_performer_adds_proof_of_the_work_that_the_resident_sees_and_strangers_do_not(api):
    s = api.street
    created = await triaged_need(api)
    task = await api.ok(
        s.staff,
        "POST",
        "/api/v1/tasks",
        {"need_id": created["id"], "title": "送餐", "capacity": 1},
        status=201,
    )
    volunteer = s.volunteers[3]
    claim = await api.ok(volunteer, "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    url = f"/api/v1/claims/{claim['id']}/photos"
    early = await _upload(api, volunteer, url, webp())
    assert (early.status_code, early.json()["code"]) == (409, "wrong_state")  # check in first
    await worked(api, volunteer, claim["id"], 40)
    proof = (await _upload(api, volunteer, url, jpeg_with_gps())).json()
    assert (await api.get(s.resident, proof["url"])).status_code == 200  # whoever received the work
    assert [item["id"] for item in await api.ok(s.resident, "GET", url)] == [proof["id"]]
    assert (await _upload(api, s.resident, url, webp())).status_code == 403  # theirs to see, not to add
    for member in (s.volunteers[4], s.neighbour):
        assert (await api.get(member, proof["url"])).status_code == 404
    await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    late = await _upload(api, volunteer, url, webp())
    assert (late.status_code, late.json()["code"]) == (409, "wrong_state")  # decided: no more


async def test_a_progress_reports_photos_hang_on_it_for_whoever_sees_the_need(api):
    s = api.street
    common = await need(api, s.neighbour, scope="common", description="垃圾站满了")
    await api.ok(s.staff, "POST", f"/api/v1/needs/{common['id']}/progress", {"note": "已联系环卫"})
    history = await api.ok(s.staff, "GET", f"/api/v1/needs/{common['id']}/history")
    report = next(event["seq"] for event in history if event["action"] == "progress")
    url = f"/api/v1/needs/{common['id']}/photos"
    response = await api.call(s.staff, "POST", url, files=_file(webp()), data={"report": str(report)})
    assert response.status_code == 201, response.text
    listed = await api.ok(s.resident, "GET", url)  # a neighbour sees a common need, and its photos
    assert [item["report_id"] for item in listed] == [str(report)]
    assert (await api.get(s.resident, listed[0]["url"])).status_code == 200
    assert (await api.get(s.outsider, listed[0]["url"])).status_code == 404
    # Only its author hangs photos on a report.
    other = await api.call(s.leader, "POST", url, files=_file(webp()), data={"report": str(report)})
    assert other.status_code == 404


async def test_a_photo_is_removed_by_whoever_added_it_or_by_staff_traced_and_its_files_go(api):
    s = api.street
    created = await need(api)
    url = f"/api/v1/needs/{created['id']}/photos"
    first = (await _upload(api, s.resident, url, webp())).json()
    second = (await _upload(api, s.resident, url, webp())).json()
    files = _files_kept()
    for member, status in ((s.neighbour, 404), (s.leader, 403)):
        refused = await api.call(member, "DELETE", f"/api/v1/photos/{first['id']}")
        assert refused.status_code == status, refused.text
    assert (await api.call(s.resident, "DELETE", f"/api/v1/photos/{first['id']}")).status_code == 204
    assert _files_kept() == files - 2  # the image and its thumbnail
    assert (await api.get(s.resident, first["url"])).status_code == 404
    await api.ok(s.resident, "POST", f"/api/v1/needs/{created['id']}/cancel")
    closed = await api.call(s.resident, "DELETE", f"/api/v1/photos/{second['id']}")
    assert (closed.status_code, closed.json()["code"]) == (409, "conflict")  # the need is closed
    assert (await api.call(s.staff, "DELETE", f"/api/v1/photos/{second['id']}")).status_code == 204
    history = await api.ok(s.resident, "GET", f"/api/v1/needs/{created['id']}/history")
    removed = [(e["action"], e["actor_id"], e["reason"]) for e in history if e["action"] == "remove_photo"]
    assert removed == [
        ("remove_photo", str(s.resident), f"#{first['id']}"),
        ("remove_photo", str(s.staff), f"#{second['id']}"),
    ]
    assert await api.ok(s.resident, "GET", url) == []
