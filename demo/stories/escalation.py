"""Needs that leave the community: escalated to the street and handled there, supervised when
overdue (督办), handed down (交办) and done or returned."""

from __future__ import annotations

from datetime import timedelta

from demo.month import Month
from demo.stories.needs import report
from demo.stories.work import finish
from demo.street import Community
from demo.timeline import Steps
from demo.words import BEYOND_COMMUNITY, NEED_PROGRESS, PERSONAL
from projects import claims, tasks
from projects.supervision import supervise
from projects.triage import escalate_need, hand_down, report_progress, return_need, triage_need


async def beyond(month: Month, c: Community, *, handled: bool) -> Steps:
    """A need beyond the community's authority: escalated to the street, whose staff dispatch
    it to the property company (or have not yet, today)."""
    category, description, title = month.rng.choice(BEYOND_COMMUNITY)
    resident = month.resident_of(c)
    need = await report(month, c, resident, category, description, scope="common")
    yield month.hours(0.5, 4)
    await escalate_need(
        await month.actor(c.staff), need, reason="超出社区职权范围，需街道协调", now=month.now
    )
    if not handled:
        return
    yield month.hours(1, 8)
    street = await month.actor(month.street.street_staff)
    await triage_need(street, need, grade="B", now=month.now)
    yield month.hours(2, 24)
    await report_progress(street, need, note=NEED_PROGRESS[0], now=month.now)
    enterprise = month.street.organisations["enterprise"]
    task = await tasks.create_task(
        street,
        need_id=need,
        title=title,
        capacity=1,
        deadline=month.now + timedelta(days=5),
        assignee=tasks.Assignee(organisation_id=enterprise),
        now=month.now,
    )
    yield month.hours(1, 6)
    representative = await month.actor(month.street.representatives[enterprise])
    await tasks.accept_task(representative, task.id, now=month.now)
    worker = month.street.staff_of[enterprise][0]
    claim = await claims.claim_task(
        representative, task.id, member_id=worker, organisation_id=enterprise, now=month.now
    )
    yield month.hours(12, 48)
    async for wait in finish(month, [claim.id], c.leaders[c.grid_of[c.home[resident]]], [resident]):
        yield wait


async def supervised(month: Month, c: Community, *, answered: bool) -> Steps:
    """A need nobody triaged in time: the sweep flags it, the street issues a notice (督办单)
    and the community answers it with a progress report, or has not yet, past its answer-by."""
    category, description, _ = month.rng.choice(PERSONAL)
    resident = month.resident_of(c)
    need = await report(month, c, resident, category, description)
    yield timedelta(hours=26)  # past the day allowed for triage: the hourly sweep flags it
    street = await month.actor(month.street.street_staff)
    await supervise(
        street,
        need,
        note="该需求已逾期未分流，请社区一日内答复处理进展",
        answer_by=month.now + timedelta(days=1),
        now=month.now,
    )
    if not answered:
        return  # the sweep flags the notice too, once its answer-by has passed
    yield month.hours(2, 12)
    staff = await month.actor(c.staff)
    await report_progress(staff, need, note="已安排网格员上门了解，今天内分流派单", now=month.now)
    yield month.hours(0.5, 2)
    await triage_need(staff, need, grade="A", now=month.now)


async def handed_down(month: Month, c: Community, *, returned: bool) -> Steps:
    """The community escalates a need (上报) with a reason; the street hands it back down
    (交办) with instructions and a deadline; the community does it, or returns it (退回)."""
    category, description, _ = month.rng.choice(PERSONAL)
    need = await report(month, c, month.resident_of(c), category, description)
    yield month.hours(1, 6)
    await escalate_need(await month.actor(c.staff), need, reason="涉及房屋产权，社区无权处理", now=month.now)
    yield month.hours(2, 10)
    street = await month.actor(month.street.street_staff)
    await hand_down(
        street, need, area_id=c.id, note="已与房管所沟通，请社区牵头上门核实后派单",
        deadline=month.now + timedelta(days=3), now=month.now,
    )  # fmt: skip
    yield month.hours(1, 8)
    staff = await month.actor(c.staff)
    if returned:
        await return_need(staff, need, reason="房管所要求街道出具协调函，社区无法独立办理", now=month.now)
    else:
        await triage_need(staff, need, grade="B", now=month.now)
