"""三评 and certificates in a real browser on a phone: the published evaluation of a quarter
(public), and a volunteer's certificate page and its public check, photographed at 375 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from projects import claims, evaluation, members, ratings, resources, tasks
from tests.browser.conftest import populated, serve
from tests.browser.test_browser_story import PHONE, person, shoot
from tests.projects.community import build_street

SUMMER = datetime(2026, 8, 3, 2, 0, tzinfo=UTC)  # 2026Q3
AUTUMN = datetime(2026, 10, 8, 2, 0, tzinfo=UTC)  # Q3 has ended


async def _quarter():
    """The street, with a quarter of ratings (leaders, a resource, a service) published, and a
    volunteer with confirmed hours."""
    s = await build_street(SUMMER)
    await members.grant_role(s.volunteers[1], s.building, "leader", now=SUMMER)
    staff = await s.actor(s.staff)
    library = await resources.add_resource(
        staff,
        name="爱心理发店",
        kind="merchant",
        level="unit",
        area_id=s.community,
        categories=["convenience.haircut"],
        now=SUMMER,
    )
    raters = [s.resident, s.neighbour, *s.volunteers[4:12]]
    for number, rater in enumerate(raters):
        actor = await s.actor(rater)
        await ratings.rate_leader(actor, s.grid, score=5 - number % 3, now=SUMMER)
        await ratings.rate_resource(actor, library.id, score=4 + number % 2, now=SUMMER)
        if number < 3:
            await ratings.rate_leader(actor, s.building, score=4, now=SUMMER)
    task = await tasks.create_task(
        staff, title="社区巡逻", area_id=s.community, category="volunteer.patrol", capacity=1, now=SUMMER
    )
    volunteer = await s.actor(s.volunteers[2])
    claim = await claims.claim_task(volunteer, task.id, now=SUMMER)
    await claims.check_in(volunteer, claim.id, now=SUMMER)
    done = SUMMER + timedelta(minutes=150)
    await claims.submit_work(volunteer, claim.id, minutes=150, now=done)
    await claims.confirm_work(staff, claim.id, now=done)
    await evaluation.publish_evaluation(staff, s.community, "2026Q3", now=AUTUMN)
    return s


@pytest.fixture(scope="module")
def published(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory):
    url, street = populated(sqlite_template, tmp_path_factory.mktemp("evaluation"), _quarter)
    with serve(url) as base:
        yield base, street


def test_the_published_evaluation_and_a_certificate_on_a_phone(published, browser, artefacts):
    base, street = published
    public = browser.new_context(base_url=base, viewport=PHONE, locale="zh-CN").new_page()
    public.goto(f"/evaluations/{street.community}/2026Q3")
    assert "2026Q3三评公示" in public.content() and "爱心理发店" in public.content()
    assert "评价不足5条" in public.content()  # the building leader: 3 ratings
    assert public.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(public, artefacts, "evaluation")
    public.context.close()

    context, volunteer = person(browser, base, street.phones[street.volunteers[2]])
    volunteer.goto("/certificates")
    shoot(volunteer, artefacts, "certificates")
    with volunteer.expect_download() as download:
        volunteer.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.download = 'c.pdf'; "
            "document.body.appendChild(a); a.click(); }",
            "/certificates/download?first=2026-01-01&last=2026-12-31",
        )
    assert download.value.suggested_filename.endswith(".pdf")
    volunteer.goto("/certificates")
    link = volunteer.get_by_role("link", name="公开查验").first
    code = re.search(r"/verify/(.+)$", link.get_attribute("href")).group(1)
    check = browser.new_context(base_url=base, viewport=PHONE, locale="zh-CN").new_page()
    check.goto(f"/verify/{code}")
    assert (
        check.locator("#name").inner_text() == "志**2" and "2.5 小时" in check.locator("#hours").inner_text()
    )
    assert check.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(check, artefacts, "certificate-check")
    check.context.close()
    context.close()
