"""A service project (服务项目书), from the consultation that raises it to its last milestone."""

from __future__ import annotations

from datetime import timedelta

from demo.month import Month
from demo.stories.needs import report
from demo.stories.work import by_pool
from demo.street import Community
from demo.timeline import Steps
from demo.words import MILESTONES, PROGRESS, PROJECTS
from projects import service_projects
from projects.triage import triage_need


async def project(
    month: Month, c: Community, number: int, claimant: str | None, *, days: int, fate: str
) -> Steps:
    """A service project (服务项目书) drawn up from residents' common needs after a
    consultation meeting, claimed by an organisation, carried out through milestones."""
    title, content, measures, (category, description) = PROJECTS[number]
    staff = await month.actor(c.staff)
    raised = []
    for resident in month.rng.sample(c.residents, 3):
        raised.append(
            await report(
                month, c, resident, category, description, scope="common", via=c.staff, channel="consultation"
            )
        )
        yield month.hours(1, 8)
    for need in raised:
        await triage_need(staff, need, grade="C", now=month.now)
    yield month.hours(12, 48)
    project = await service_projects.create_project(
        staff,
        title=title,
        content=content.format(community=c.name),
        measures=measures,
        area_id=c.id,
        deadline=month.now + timedelta(days=days),
        need_ids=raised,
        now=month.now,
    )
    if fate == "published":
        return
    yield month.hours(12, 36)
    organisation = month.street.organisations[claimant or "social"]
    runner = await month.actor(month.street.representatives[organisation])
    await service_projects.claim_project(runner, project.id, organisation_id=organisation, now=month.now)
    for offset, milestone in enumerate(MILESTONES):
        due = month.now + timedelta(days=days * (offset + 1) // (len(MILESTONES) + 1))
        project = await service_projects.add_milestone(
            runner, project.id, title=milestone, due=due, now=month.now
        )
    yield month.hours(24, 72)
    await service_projects.publish_progress(runner, project.id, note=PROGRESS[0], now=month.now)
    await service_projects.complete_milestone(
        runner, project.id, project.milestones[0].id, report="已入户走访并公示方案", now=month.now
    )
    yield month.hours(12, 48)
    work = by_pool(
        month,
        c,
        None,
        f"{title}：志愿者招募",
        month.now + timedelta(days=3),
        c.staff,
        places=3,
        exclude=(),
        raters=[],
        category=category,
        area_id=c.id,
        project=project.id,
    )
    async for wait in work:
        yield wait
    for note in PROGRESS[1:]:
        yield month.hours(24, 72)
        await service_projects.publish_progress(runner, project.id, note=note, now=month.now)
    if fate != "completed":
        return
    for milestone in project.milestones[1:]:
        yield month.hours(12, 48)
        await service_projects.complete_milestone(
            runner, project.id, milestone.id, report="按计划完成", now=month.now
        )
    yield month.hours(12, 24)
    await service_projects.complete_project(staff, project.id, now=month.now)
