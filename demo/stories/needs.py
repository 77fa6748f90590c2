"""A resident's needs: reported, then answered by work, or cancelled, rejected, taken on by
the grid's leader; and the common needs neighbours join."""

from __future__ import annotations

from datetime import timedelta

from demo.month import Month
from demo.stories.work import by_pool, by_team, dispatched, worked
from demo.street import Community
from demo.timeline import Steps
from demo.words import CANCELLATIONS, COMMON, LANDMARKS, NEED_PROGRESS, PERSONAL, PREFERRED_TIMES, REJECTIONS
from projects import claims, needs
from projects.grid import take_need
from projects.tables import Claim
from projects.triage import report_progress, triage_need


async def report(
    month: Month,
    c: Community,
    resident: int,
    category: str,
    description: str,
    *,
    scope: str = "personal",
    via: int | None = None,
    channel: str | None = None,
) -> int:
    """The resident reports online, or a leader (door visit) or staff (hotline) for them."""
    if via is None and channel is None and month.rng.random() < 0.4:
        via = month.rng.choice((month.manager_of(c, c.home[resident]), c.staff))
    channel = channel or ("online" if via is None else ("hotline" if via == c.staff else "door_visit"))
    reporter = await month.actor(via if via is not None else resident)
    need = await needs.report_need(
        reporter,
        category=category,
        description=description,
        scope=scope,
        channel=channel,
        resident_id=None if via is None else resident,
        address=address_of(c, resident, scope),
        preferred_time=PREFERRED_TIMES[resident % len(PREFERRED_TIMES)],
        now=month.now,
    )
    return need.id


def address_of(c: Community, resident: int, scope: str) -> str:
    """Where the work is: the resident's room (3号楼2单元501), or a landmark for a common need
    (from the member's id, not the random stream: the demo stays the same as before)."""
    if scope == "common":
        return LANDMARKS[resident % len(LANDMARKS)]
    unit = c.home[resident]
    building = c.building_of[unit]
    number = [u for u in c.units if c.building_of[u] == building].index(unit) + 1
    return f"{c.building_names[building]}{number}单元{1 + resident % 6}0{1 + resident % 2}"


async def personal(
    month: Month,
    c: Community,
    *,
    kind: str,
    resident: int | None = None,
    grade: str | None = None,
    stop: str | None = None,
    via: int | None = None,
    volunteer: int | None = None,
) -> Steps:
    """A resident's own need, from report to rated work (or wherever ``stop`` says)."""
    rng = month.rng
    resident = resident or month.resident_of(c)
    category, description, title = rng.choice(PERSONAL)
    need = await report(month, c, resident, category, description, via=via)
    if stop == "new":
        return
    yield month.hours(0.3, 6)
    staff = await month.actor(c.staff)
    if kind == "cancel":
        await needs.cancel_need(
            await month.actor(resident), need, reason=rng.choice(CANCELLATIONS), now=month.now
        )
        return
    if kind == "reject":
        await needs.reject_need(staff, need, reason=rng.choice(REJECTIONS), now=month.now)
        return
    grade = grade or ("C" if kind == "progress" else rng.choice("AAB"))
    await triage_need(staff, need, grade=grade, now=month.now)
    if stop == "triaged":
        return
    if kind == "progress":  # a periodic need: a plan, then reports on it
        for note in NEED_PROGRESS:
            yield month.hours(24, 24 * 4)
            await report_progress(staff, need, note=note, now=month.now)
        return
    yield month.hours(0.2, 1.5) if grade == "A" else month.hours(1, 20)
    if kind == "cancel_triaged":
        await needs.cancel_need(
            await month.actor(resident), need, reason=rng.choice(CANCELLATIONS), now=month.now
        )
        return
    deadline = month.now + (timedelta(hours=20) if grade == "A" else timedelta(days=4))
    unit = c.home[resident]
    confirmer = rng.choice((resident, resident, month.manager_of(c, unit)))
    if kind == "team":
        work = by_team(month, c, need, title, deadline, confirmer, resident=resident)
    elif kind == "pool":
        work = by_pool(
            month,
            c,
            need,
            title,
            deadline,
            confirmer,
            places=rng.choice((1, 2)),
            exclude=(resident,),
            raters=[resident],
        )
    else:
        volunteer = volunteer or month.volunteers_for(c, 1, exclude=(resident,))[0]
        work = dispatched(
            month,
            c,
            need,
            title,
            deadline,
            volunteer,
            confirmer,
            resident=resident,
            decline=kind == "decline",
            dispute=kind == "dispute",
            stop=stop,
        )
    async for wait in work:
        yield wait


async def common(
    month: Month,
    c: Community,
    *,
    places: int | None = None,
    stop: int | None = None,
    first: int | None = None,
    check_in: bool = False,
) -> Steps:
    """A common need: neighbours join it (+1), a duplicate is merged into it, then an open
    task with a few places answers it and its supporters rate the work. Now and then a grid
    leader finds it on patrol."""
    rng = month.rng
    category, description, title = rng.choice(COMMON)
    patrol = rng.random() < 0.2
    resident = c.leaders[rng.choice(c.grids)] if patrol else month.resident_of(c)
    building = c.building_names[c.building_of[c.home[resident]]]
    description, title = description.format(building=building), title.format(building=building)
    channel = "grid_patrol" if patrol else None
    need = await report(month, c, resident, category, description, scope="common", channel=channel)
    supporters: list[int] = []
    for member in rng.sample(c.residents, rng.randint(2, 7)):
        if member == resident:
            continue
        yield month.hours(0.2, 2)
        await needs.join_need(await month.actor(member), need, now=month.now)
        supporters.append(member)
    staff = await month.actor(c.staff)
    if rng.random() < 0.4:
        again = month.resident_of(c, exclude=(resident, *supporters))
        yield month.hours(0.2, 2)
        duplicate = await report(month, c, again, category, description, scope="common")
        yield month.hours(0.2, 2)
        await needs.merge_need(staff, duplicate, into=need, now=month.now)
        supporters.append(again)
    yield month.hours(0.2, 2)
    await triage_need(staff, need, grade="B", now=month.now)
    yield month.hours(1, 12)
    confirmer = c.leaders[c.grid_of[c.home[resident]]]
    work = by_pool(
        month,
        c,
        need,
        title,
        month.now + timedelta(days=4),
        confirmer,
        places=places or rng.randint(2, 4),
        exclude=(resident, confirmer),
        raters=[resident, *supporters[:3]],
        stop=stop,
        first=first,
        check_in=check_in,
    )
    async for wait in work:
        yield wait


async def taken(month: Month, c: Community) -> Steps:
    """A small thing stays in the grid: the grid's leader takes it on, does it, and the
    resident confirms."""
    grid = c.grids[0]
    resident = month.rng.choice(
        [m for m in c.residents if c.grid_of[c.home[m]] == grid and m not in c.leaders.values()]
    )
    category, description, _ = month.rng.choice(PERSONAL)
    need = await report(month, c, resident, category, description)
    yield month.hours(0.5, 3)
    leader = await month.actor(c.leaders[grid])
    await take_need(leader, need, now=month.now)
    claim = (
        await Claim.select(Claim.id)
        .where(Claim.member == leader.member_id)
        .order_by(Claim.id, ascending=False)
        .first()
    )["id"]
    yield month.hours(0.5, 4)
    await claims.check_in(leader, claim, now=month.now)
    yield month.hours(0.5, 2)
    await claims.submit_work(
        leader, claim, minutes=await worked(month, claim), note="已上门处理好", now=month.now
    )
    yield month.hours(1, 12)
    await claims.confirm_work(await month.actor(resident), claim, now=month.now)
