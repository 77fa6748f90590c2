"""Work orders and photos through the pages, on both engines: the need form takes where, whom
to call, when and photos (a multipart form with its CSRF token); the need, the desk, the task,
the claim and "my claims" show where to go, a tel: link and when; photos are added with the
progress report and the submitted work, shown as thumbnails to those who may see their item and
to nobody else, and removed."""

from __future__ import annotations

import re

from tests.pages.test_page_loop import new_id
from tests.photo_samples import jpeg_with_gps, opened, webp

THUMBNAIL = re.compile(r'<img src="(/photos/(\d+)/thumbnail)"')


def photo(data: bytes | None = None, name: str = "IMG_0001.JPG") -> dict:
    return {"photos": (name, data or jpeg_with_gps(), "image/jpeg")}


async def test_a_need_reported_with_where_when_and_a_photo_shows_them_to_those_who_serve_it(site):
    s = site.street
    resident = await site.signed_in(s.resident)
    form = await resident.get("/needs/new?category=care.meals")
    assert 'enctype="multipart/form-data"' in form.text
    assert 'type="file" id="photos" name="photos" accept="image/*" capture="environment"' in form.text
    reported = await resident.post(
        "/needs",
        {
            "category": "care.meals",
            "description": "每天中午需要送餐",
            "scope": "personal",
            "address": "1号楼1单元301",
            "preferred_time": "工作日中午",
        },
        files=photo(),
    )
    need = new_id(reported, "needs")
    page = (await resident.follow(reported)).text
    assert '幸福里社区 · 第一网格 · 1号楼 · 1单元 · <strong class="address">1号楼1单元301</strong>' in page
    assert f'href="tel:{s.phones[s.resident]}"' in page and "工作日中午" in page
    thumbnail = THUMBNAIL.search(page).group(1)
    shown = await resident.get(thumbnail)
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert "default-src 'self'" in shown.headers["content-security-policy"]
    assert not opened(shown.content).getexif()
    neighbour = await site.signed_in(s.neighbour)
    assert (await neighbour.get(thumbnail)).status_code == 404
    assert (await neighbour.get(thumbnail.removesuffix("/thumbnail"))).status_code == 404

    # The desk lists it with where and whom to call.
    staff = await site.signed_in(s.staff)
    desk = (await staff.get("/desk")).text
    assert "1号楼1单元301" in desk and f'href="tel:{s.phones[s.resident]}"' in desk
    # Staff report progress with a photo: it shows under the report in the history.
    await staff.post(f"/desk/needs/{need}/triage", {"action": "grade", "grade": "B"})
    reported = await staff.post(
        f"/desk/needs/{need}/progress", {"note": "已联系助餐点"}, files=photo(webp(), "p.webp")
    )
    history = (await staff.follow(reported)).text
    assert len(THUMBNAIL.findall(history)) == 2
    # The resident removes their own photo.
    photo_id = THUMBNAIL.search(page).group(2)
    removed = await resident.post(f"/photos/{photo_id}/remove", {"next": f"/needs/{need}"})
    after = (await resident.follow(removed)).text
    assert (
        "照片已删除" in after and f"/photos/{photo_id}/thumbnail" not in after and "删除了一张照片" in after
    )


async def test_a_form_with_what_is_not_a_photo_comes_back_and_nothing_is_reported(site):
    resident = await site.signed_in(site.street.resident)
    response = await resident.post(
        "/needs",
        {"category": "care.meals", "description": "需要送餐", "scope": "personal", "address": "301"},
        files={"photos": ("scan.jpg", b"%PDF-1.4", "image/jpeg")},
    )
    assert response.status_code == 400
    assert "请上传JPEG、PNG或WebP格式的图片" in response.text and 'value="301"' in response.text
    assert "需要送餐" not in (await resident.get("/needs")).text


async def test_a_volunteer_sees_where_to_go_and_whom_to_call_and_sends_proof_with_the_minutes(site):
    s = site.street
    leader = await site.signed_in(s.leader)
    reported = await leader.post(
        "/needs",
        {
            "category": "care.meals",
            "description": "老人需要陪同就医",
            "scope": "personal",
            "resident_phone": s.phones[s.resident],
            "channel": "door_visit",
            "address": "1号楼1单元301",
            "contact_name": "王阿姨的女儿",
            "contact_phone": "13912345678",
            "preferred_time": "周六上午",
        },
    )
    need = new_id(reported, "needs")
    staff = await site.signed_in(s.staff)
    await staff.post(f"/desk/needs/{need}/triage", {"action": "grade", "grade": "A"})
    dispatched = await staff.post(
        f"/desk/needs/{need}/dispatch",
        {"title": "陪同就医", "assignee": "pool", "capacity": "1", "starts_at": "2026-12-02T09:00"},
    )
    task = new_id(dispatched, "tasks")

    volunteer = await site.signed_in(s.volunteers[2])
    before = (await volunteer.get(f"/tasks/{task}")).text
    assert "幸福里社区 · 第一网格 · 1号楼 · 1单元" in before and "1号楼1单元301" not in before
    assert "tel:13912345678" not in before and "周六上午" in before
    claim = new_id(await volunteer.post(f"/tasks/{task}/claim"), "claims")
    mine = (await volunteer.get("/claims")).text
    assert "明天" in mine and "1号楼1单元301" in mine and 'href="tel:13912345678"' in mine
    page = (await volunteer.get(f"/claims/{claim}")).text
    assert "王阿姨的女儿" in page and 'href="tel:13912345678"' in page and "1号楼1单元301" in page

    await volunteer.post(f"/claims/{claim}/check-in")
    site.clock.advance(minutes=90)
    submitted = await volunteer.post(
        f"/claims/{claim}/submit", {"minutes": "90", "note": "已陪同就医"}, files=photo()
    )
    shown = (await volunteer.follow(submitted)).text
    assert len(THUMBNAIL.findall(shown)) == 1 and 'action="/claims/' in shown
    resident = await site.signed_in(s.resident)
    need_page = (await resident.get(f"/needs/{need}")).text
    proof = THUMBNAIL.search(need_page).group(1)
    assert (await resident.get(proof)).status_code == 200
    assert (await (await site.signed_in(s.volunteers[5])).get(proof)).status_code == 404
