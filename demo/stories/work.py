"""Work on a task: dispatched to a volunteer, claimed from the open pool or by a team; checked
in, reported, confirmed or disputed and settled; rated."""

from __future__ import annotations

from datetime import datetime

from demo.month import Month
from demo.street import Community
from demo.timeline import Steps
from demo.words import COMMENTS, DECLINES, DISPUTES, NOTES, WITHDRAWALS
from projects import claims, ratings, tasks
from projects.access import Actor
from projects.tables import Claim

MINUTES = (30, 45, 60, 60, 90, 120, 120, 180)  # what volunteers say they worked


async def dispatched(
    month: Month,
    c: Community,
    need: int,
    title: str,
    deadline: datetime,
    volunteer: int,
    confirmer: int,
    *,
    resident: int,
    decline: bool,
    dispute: bool,
    stop: str | None,
) -> Steps:
    """Staff send the task to a named volunteer, who accepts it (or declines first, and staff
    send it to another); the volunteer does the work and the resident or a leader confirms
    it, or the resident disputes it and the grid leader settles."""
    staff = await month.actor(c.staff)
    task = await tasks.create_task(
        staff,
        need_id=need,
        title=title,
        deadline=deadline,
        assignee=tasks.Assignee(member_id=volunteer),
        now=month.now,
    )
    if stop == "offered":
        return
    yield month.hours(0.2, 2)
    if decline:
        await tasks.decline_task(
            await month.actor(volunteer), task.id, reason=month.rng.choice(DECLINES), now=month.now
        )
        if stop == "declined":
            return
        yield month.hours(0.3, 2)
        volunteer = month.volunteers_for(c, 1, exclude=(resident, volunteer))[0]
        await tasks.dispatch_task(staff, task.id, assignee=tasks.Assignee(member_id=volunteer), now=month.now)
        yield month.hours(0.2, 2)
    performer = await month.actor(volunteer)
    await tasks.accept_task(performer, task.id, now=month.now)
    claim = await claim_of(month, task.id, volunteer)
    if stop == "claimed":
        return
    yield month.hours(0.5, 5)
    await claims.check_in(performer, claim, now=month.now)
    if stop == "checked_in":
        return
    yield month.hours(0.5, 3)
    submitted = await worked(month, claim)
    await claims.submit_work(performer, claim, minutes=submitted, note=month.rng.choice(NOTES), now=month.now)
    if stop == "submitted":
        return
    yield month.hours(0.5, 4)
    if not dispute:
        await claims.confirm_work(await month.actor(confirmer), claim, now=month.now)
        if month.rng.random() < 0.8:
            yield month.hours(0.5, 24)
            await rate(month, resident, claim)
        return
    reason, corrected = month.rng.choice(DISPUTES)
    if corrected is not None:
        corrected = min(corrected, submitted)  # a settlement lowers what was reported, never raises it
    await claims.dispute_work(await month.actor(resident), claim, reason=reason, now=month.now)
    if stop == "disputed":
        return
    yield month.hours(3, 20)
    leader = await month.actor(c.leaders[c.grid_of[c.home[resident]]])
    await claims.settle_dispute(
        leader,
        claim,
        accept=corrected is not None,
        minutes=corrected,
        now=month.now,
        reason="经网格长现场核实，按实际服务时长计" if corrected else "经核实未按约定提供服务",
    )


async def by_pool(
    month: Month,
    c: Community,
    need: int | None,
    title: str,
    deadline: datetime,
    confirmer: int,
    *,
    places: int,
    exclude: tuple[int, ...],
    raters: list[int],
    stop: int | None = None,
    first: int | None = None,
    check_in: bool = False,
    category: str | None = None,
    area_id: int | None = None,
    project: int | None = None,
) -> Steps:
    """An open task with ``places``: volunteers claim it one by one (the second of them
    withdraws now and then), then all do the work. ``stop``: that many claims, then no more
    (``check_in``: two check in and one submits); ``first`` claims first."""
    staff = await month.actor(c.staff)
    task = await tasks.create_task(
        staff,
        need_id=need,
        project_id=project,
        title=title,
        capacity=places,
        category=category,
        area_id=area_id,
        deadline=deadline,
        now=month.now,
    )
    claimants = month.volunteers_for(c, places + 1, exclude=(*exclude, *([first] if first else [])))
    if first:
        claimants.insert(0, first)
    withdraw = places > 1 and (stop is not None or month.rng.random() < 0.15)
    taken: list[int] = []
    for number, member in enumerate(claimants[: places + (1 if withdraw else 0)]):
        yield month.hours(0.2, 3)
        claim = (await claims.claim_task(await month.actor(member), task.id, now=month.now)).id
        if withdraw and number == 1:
            yield month.hours(0.5, 3)
            await claims.withdraw_claim(
                await month.actor(member), claim, reason=month.rng.choice(WITHDRAWALS), now=month.now
            )
            continue
        taken.append(claim)
        if stop is not None and len(taken) >= stop:
            break
    if stop is None:
        yield month.hours(2, 12)
        async for wait in finish(month, taken, confirmer, raters):
            yield wait
    elif check_in:
        for claim in taken[:2]:
            yield month.hours(0.5, 3)
            await claims.check_in(await performer(month, claim), claim, now=month.now)
        yield month.hours(0.5, 2)
        await claims.submit_work(
            await performer(month, taken[1]),
            taken[1],
            minutes=await worked(month, taken[1]),
            note=month.rng.choice(NOTES),
            now=month.now,
        )


async def by_team(
    month: Month, c: Community, need: int, title: str, deadline: datetime, confirmer: int, *, resident: int
) -> Steps:
    """Staff dispatch the task to the volunteer team; its representative accepts it and
    names two of its members, who do the work."""
    staff = await month.actor(c.staff)
    task = await tasks.create_task(
        staff,
        need_id=need,
        title=title,
        capacity=2,
        deadline=deadline,
        assignee=tasks.Assignee(organisation_id=c.team),
        now=month.now,
    )
    yield month.hours(0.3, 3)
    representative = await month.actor(month.street.representatives[c.team])
    await tasks.accept_task(representative, task.id, now=month.now)
    team = [member for member in month.street.staff_of[c.team] if member not in (resident, confirmer)]
    taken = []
    for member in month.rng.sample(team, 2):
        yield month.hours(0.1, 1)
        taken.append(
            (
                await claims.claim_task(
                    representative, task.id, member_id=member, organisation_id=c.team, now=month.now
                )
            ).id
        )
    yield month.hours(1, 8)
    async for wait in finish(month, taken, confirmer, [resident]):
        yield wait


async def finish(month: Month, taken: list[int], confirmer: int, raters: list[int]) -> Steps:
    """Everyone who took a place checks in and reports their minutes; the confirmer
    confirms each, and the residents who asked rate some of the work."""
    performers = {claim: (await claims.get_claim(claim)).member for claim in taken}
    for claim in taken:
        await claims.check_in(await month.actor(performers[claim]), claim, now=month.now)
        yield month.hours(0.1, 1)
    yield month.hours(1, 4)
    for claim in taken:
        await claims.submit_work(
            await month.actor(performers[claim]),
            claim,
            minutes=await worked(month, claim),
            note=month.rng.choice(NOTES),
            now=month.now,
        )
        yield month.hours(0.1, 1)
    yield month.hours(0.5, 4)
    for claim in taken:
        await claims.confirm_work(await month.actor(confirmer), claim, now=month.now)
        yield month.hours(0.1, 0.5)
    for rater in raters:
        mine = [claim for claim in taken if performers[claim] != rater]
        if mine and month.rng.random() < 0.7:
            yield month.hours(0.5, 12)
            await rate(month, rater, month.rng.choice(mine))


async def rate(month: Month, rater: int, claim: int) -> None:
    score = month.rng.choices((5, 4, 3, 2), (60, 28, 9, 3))[0]
    await ratings.rate_service(
        await month.actor(rater),
        claim,
        score=score,
        comment=month.rng.choice(COMMENTS[score]),
        now=month.now,
    )


async def performer(month: Month, claim_id: int) -> Actor:
    return await month.actor((await claims.get_claim(claim_id)).member)


async def worked(month: Month, claim_id: int) -> int:
    """The minutes a volunteer reports: what they say they worked, never more than have
    passed since they checked in (the rule the domain enforces)."""
    said = month.rng.choice(MINUTES)
    checked_in = (await claims.get_claim(claim_id)).checked_in_at
    return max(1, min(said, claims.minutes_since(checked_in, month.now)))


async def claim_of(month: Month, task_id: int, member_id: int) -> int:
    row = await Claim.select(Claim.id).where((Claim.task == task_id) & (Claim.member == member_id)).first()
    return row["id"]
