"""The indicator system (the Zhifu model): a community's score for a year, leaf by leaf, against a
hand computation; assessors of a level above score their indicators; a street's communities
side by side; nobody else sees them."""

from __future__ import annotations

from projects.tables import Assessor, Indicator
from tests.api.helpers import need, open_task, refused, triaged_need, worked


async def plant_tree() -> dict[str, int]:
    async def add(name, weight, source, parent=None, statistic="", position=0):
        rows = await Indicator.insert(
            Indicator(
                name=name, weight=weight, source=source, parent=parent, statistic=statistic, position=position
            )
        ).returning(Indicator.id)
        return rows[0]["id"]

    service = await add("服务效能", 60, "children")
    handled = await add("办结率", 50, "statistic", service, "handled_rate")
    on_time = await add("按时办结率", 50, "statistic", service, "on_time_rate", 1)
    opinion = await add("群众评价", 40, "children", position=1)
    assessed = await add("实地考核", 100, "assessment", opinion)
    return {
        "service": service,
        "handled": handled,
        "on_time": on_time,
        "opinion": opinion,
        "assessed": assessed,
    }


async def test_a_communitys_year_is_scored_leaf_by_leaf_as_by_hand(api):
    s = api.street
    tree = await plant_tree()
    # Three needs this year: one done on time, one rejected, one still open: handled 2 of 3.
    done = await triaged_need(api)
    task = await open_task(api, need_id=done["id"])
    claim = await api.ok(s.volunteers[0], "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await worked(api, s.volunteers[0], claim["id"], 30)
    await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    rejected = await need(api, description="想要一台新电视")
    await api.ok(s.staff, "POST", f"/api/v1/needs/{rejected['id']}/reject", {"reason": "不属于服务范围"})
    await need(api, description="还没处理的需求")

    url = f"/api/v1/communities/{s.community}/indicators?year=2026"
    before = await api.ok(s.staff, "GET", url)
    assert before["problems"] == [] and before["score"] == 83.33  # the assessment not made yet
    assert before["coverage"] == 0.6

    # The street's staff, made an assessor, score the assessment; the community's own may not.
    await Assessor.insert(Assessor(member=s.street_staff, area=s.street, created_at=api.clock()))
    body = {"year": 2026, "score": 70, "note": "台账齐全，走访记录完整"}
    assess = f"/api/v1/communities/{s.community}/assessments/{tree['assessed']}"
    await refused(api, s.staff, "PUT", assess, body, status=403, code="not_allowed")
    scored = await api.ok(s.street_staff, "PUT", assess, body)
    # Service: (50 × 66.67 + 50 × 100) / 100 = 83.33; the whole: (60 × 83.33 + 40 × 70) / 100 = 78.
    assert scored["score"] == 78.0 and scored["coverage"] == 1.0
    service, opinion = scored["indicators"]
    assert (service["score"], service["weight"]) == (83.33, 60)
    handled, on_time = service["children"]
    assert (handled["score"], handled["source"], handled["weight"]) == (66.67, "statistic", 50)
    assert on_time["score"] == 100.0
    assessment = opinion["children"][0]
    assert (assessment["score"], assessment["source"], assessment["note"]) == (
        70.0,
        "assessment",
        "台账齐全，走访记录完整",
    )

    # A street's communities side by side: 和平里 has nothing to score this year.
    side_by_side = await api.ok(s.street_staff, "GET", f"/api/v1/streets/{s.street}/indicators?year=2026")
    assert {row["community"]: row["score"] for row in side_by_side} == {
        "幸福里社区": 78.0,
        "和平里社区": None,
    }
    for member in (s.resident, s.volunteers[0], s.other_staff):
        await refused(api, member, "GET", url, status=404, code="not_found")
    await refused(
        api, s.staff, "GET", f"/api/v1/streets/{s.street}/indicators?year=2026", status=404, code="not_found"
    )
