"""The evaluation, survey and certificate pages through the real app, on both engines: a
resident rates a leader, staff publish the quarter and anyone reads it signed out; staff write
and draw a survey, a sampled resident finds it on their home page and in their notifications and
answers it once; a volunteer downloads their certificate and anyone checks it by its code."""

from __future__ import annotations

import re

from projects import members


async def test_a_leader_rated_and_the_quarter_published_for_everyone(site):
    s = site.street
    resident = await site.signed_in(s.resident)
    home = await resident.get("/")
    assert 'href="/leaders"' in home.text and f'href="/evaluations/{s.community}"' in home.text
    page = await resident.get("/leaders")
    assert "网格长" in page.text and f'action="/leaders/{s.grid}/rating"' in page.text
    wrong = await resident.post(f"/leaders/{s.grid}/rating", {f"score-{s.grid}": "9"})
    assert wrong.status_code == 400 and f'id="score-{s.grid}-error"' in wrong.text
    done = await resident.follow(await resident.post(f"/leaders/{s.grid}/rating", {f"score-{s.grid}": "4"}))
    assert "感谢您的评价" in done.text and "本季度（2026Q4）您打了4分" in done.text

    staff = await site.signed_in(s.staff)
    desk = await staff.get("/desk")
    assert 'href="/evaluations"' in desk.text and 'href="/surveys"' in desk.text
    early = await staff.get(f"/evaluations/{s.community}")
    assert 'value="2026Q3"' in early.text and 'value="2026Q4"' not in early.text
    site.clock.advance(days=31)
    staff = await site.signed_in(s.staff)
    published = await staff.follow(await staff.post(f"/evaluations/{s.community}", {"period": "2026Q4"}))
    assert (
        "2026Q4三评公示" in published.text and "网格长" in published.text and "评价不足5条" in published.text
    )
    again = await staff.post(f"/evaluations/{s.community}", {"period": "2026Q4"})
    assert again.status_code == 400 and "已经公示" in again.text
    public = await site.browser(language="en").get(f"/evaluations/{s.community}/2026Q4")
    assert public.status_code == 200 and "fewer than 5 ratings" in public.text and "王阿姨" not in public.text
    assert (await site.browser().get(f"/evaluations/{s.community}/2026Q2")).status_code == 404
    ranking = await site.browser().get(f"/evaluations/{s.community}/years/2026")
    assert ranking.status_code == 200 and "2026年度排名" in ranking.text


async def test_a_sampled_resident_finds_the_survey_and_answers_it_once(site):
    s = site.street
    staff = await site.signed_in(s.staff)
    form = {
        "area_id": str(s.community),
        "title": "社区满意度",
        "sample_size": "40",
        "closes_on": "2026-12-20",
    }
    empty = await staff.post("/surveys", form)
    assert empty.status_code == 400 and 'id="prompt-1-error"' in empty.text
    created = await staff.post(
        "/surveys",
        {**form, "prompt-1": "您对社区满意吗？", "kind-1": "score", "prompt-2": "建议", "kind-2": "text"},
    )
    survey_url = created.headers["location"]
    assert re.fullmatch(r"/surveys/\d+", survey_url)
    drawn = await staff.follow(await staff.post(f"{survey_url}/draw"))
    assert "已从28名居民中抽取样本" in drawn.text  # everyone living in 幸福里 is drawn (40 > 28)

    resident = await site.signed_in(s.resident)
    home = await resident.get("/")
    assert 'id="surveys"' in home.text and "社区满意度" in home.text
    notices = await resident.get("/notifications")
    assert f'href="{survey_url}"' in notices.text and "您被抽中参加调查「社区满意度" in notices.text
    page = await resident.get(survey_url)
    question = re.search(r'name="(q-\d+)" value="5"', page.text).group(1)
    missing = await resident.post(f"{survey_url}/answers", {})
    assert missing.status_code == 400
    thanks = await resident.follow(await resident.post(f"{survey_url}/answers", {question: "5"}))
    assert "答卷已记录" in thanks.text and 'id="surveys"' in thanks.text and "已作答" in thanks.text
    twice = await resident.post(f"{survey_url}/answers", {question: "1"})
    assert twice.status_code == 400 and "您已作答过本调查" in twice.text
    assert "您被抽中参加调查" not in (await resident.get("/notifications")).text
    results = await staff.get(survey_url)
    assert "作答不足5人" in results.text
    outsider = await site.signed_in(s.outsider)
    assert (await outsider.get(survey_url)).status_code == 404


async def test_a_volunteer_downloads_a_certificate_and_anyone_checks_it(site):
    s = site.street
    volunteer = s.volunteers[2]
    actor = await s.actor(s.staff)
    from projects import claims, tasks

    task = await tasks.create_task(
        actor,
        title="社区巡逻",
        area_id=s.community,
        category="volunteer.patrol",
        capacity=1,
        now=site.clock(),
    )
    claim = await claims.claim_task(await s.actor(volunteer), task.id, now=site.clock())
    await claims.check_in(await s.actor(volunteer), claim.id, now=site.clock())
    await claims.submit_work(
        await s.actor(volunteer), claim.id, minutes=150, now=site.clock.advance(minutes=150)
    )
    await claims.confirm_work(actor, claim.id, now=site.clock())
    await members.grant_role(volunteer, s.community, "volunteer", now=site.clock())

    browser = await site.signed_in(volunteer)
    assert 'href="/certificates"' in (await browser.get("/points")).text
    page = await browser.get("/certificates")
    assert 'action="/certificates/download"' in page.text
    none = await browser.get("/certificates/download?first=2025-01-01&last=2025-12-31")
    assert none.status_code == 400 and "没有已确认的志愿服务时长" in none.text
    pdf = await browser.get("/certificates/download?first=2026-01-01&last=2026-12-31")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    listed = await browser.get("/certificates")
    code = re.search(r'href="/verify/([^"]+)"', listed.text).group(1)
    check = await site.browser().get(f"/verify/{code}")
    assert check.status_code == 200 and 'id="name">志**2<' in check.text and "2.5 小时" in check.text
    assert "社区巡逻" in check.text and "志愿者2" not in check.text
    assert (await site.browser().get("/verify/not-a-code")).status_code == 404


async def test_an_admin_uploads_a_seal_that_is_re_encoded_and_staff_may_not(site):
    import io

    from PIL import Image

    from projects import certificates

    s = site.street
    upload = io.BytesIO()
    Image.new("RGB", (1200, 1200), (180, 0, 0)).save(upload, format="JPEG")
    admin = await site.signed_in(s.admin)
    page = await admin.get("/certificates/certifiers")
    assert 'enctype="multipart/form-data"' in page.text and f'value="community:{s.community}"' in page.text
    fields = {
        "target": f"community:{s.community}",
        "person_in_charge": "张主任",
        "handler": "李",
        "phone": "0431-1",
    }
    saved = await admin.post(
        "/certificates/certifiers", fields, files={"seal": ("seal.jpg", upload.getvalue(), "image/jpeg")}
    )
    assert "已上传印章" in (await admin.follow(saved)).text
    seal = Image.open(io.BytesIO(await certificates.seal_png(community_id=s.community)))
    assert (seal.format, seal.size) == ("PNG", (600, 600))
    broken = await admin.post(
        "/certificates/certifiers", fields, files={"seal": ("seal.png", b"not an image", "image/png")}
    )
    assert broken.status_code == 400 and 'id="seal-error"' in broken.text
    staff = await site.signed_in(s.staff)
    assert (await staff.get("/certificates/certifiers")).status_code == 403
    assert (await staff.post("/certificates/certifiers", fields)).status_code == 403


async def test_a_bonus_over_the_threshold_is_approved_on_the_ranking_by_a_second_staff_member(site):
    from projects import evaluation, members, ratings, recognition

    s = site.street
    await members.grant_role(s.volunteers[3], s.unit, "leader", now=site.clock())
    for rater in [s.resident, *s.volunteers[4::2][:6]]:  # residents of unit 1
        await ratings.rate_leader(await s.actor(rater), s.unit, score=5, now=site.clock())
    site.clock.advance(days=31)
    await evaluation.publish_evaluation(await s.actor(s.staff), s.community, "2026Q4", now=site.clock())
    granted = await recognition.grant_recognition(
        await s.actor(s.staff),
        s.community,
        2026,
        leader_id=s.volunteers[3],
        bonus_points=150,
        now=site.clock(),
    )
    assert (granted.status, granted.transfer_id) == ("awaiting_approval", None)
    url = f"/evaluations/{s.community}/years/2026"
    staff = await site.signed_in(s.staff)
    page = await staff.get(url)
    assert "待复核" in page.text and f'action="/recognitions/{granted.id}/approve"' not in page.text
    second = await site.signed_in(s.street_staff)
    assert f'id="approve-bonus-{granted.id}"' in (await second.get("/desk")).text
    page = await second.get(url)
    assert f'action="/recognitions/{granted.id}/approve"' in page.text
    refused = await staff.post(f"/recognitions/{granted.id}/approve")  # back where they were
    assert refused.status_code == 303 and refused.headers["location"].startswith(
        f"/recognitions/{granted.id}"
    )
    assert (await recognition.get_recognition(granted.id)).status == "awaiting_approval"
    approved = await second.follow(await second.post(f"/recognitions/{granted.id}/approve"))
    assert (
        "已发放150积分" in approved.text
        and f'action="/recognitions/{granted.id}/approve"' not in approved.text
    )
