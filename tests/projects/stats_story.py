"""A month of needs in the test street whose statistics are worked out by hand (in ``EXPECTED``).

Times are offsets from T0 (2026-12-01 09:00 UTC, 17:00 in China). Every step goes through the
domain's use cases, as people would take it; the deadline sweep runs once, at T0 + 30 h.

In 幸福里 (community A), period [2026-12-01, 2027-01-01):

| need | who, what                                                          | counted | state now       |
|------|--------------------------------------------------------------------|---------|-----------------|
| n1   | resident; graded A at 2 h (deadline 26 h); done at 10 h           | yes     | done, on time   |
| n2   | neighbour; rejected at 4 h (1 h → 4 h: 3 h to respond)           | yes     | rejected        |
| n3   | neighbour; merged into n1 at 2.5 h                                 | no      | merged          |
| n4   | resident; cancelled by herself (its reporter) at 3 h               | no      | cancelled       |
| n5   | staff reports for the resident at 3 h; graded B by staff at 5 h    | yes     | triaged         |
| n6   | grid leader reports for the neighbour; the leader cancels          | no      | cancelled       |
| n7   | grid leader reports for the resident; the resident cancels         | yes     | cancelled       |
| n8   | resident; escalated by staff at 6 h, by the street at 8 h; the     | yes     | triaged (C)     |
|      | district grades it C at 20 h                                       |         |                 |
| n9   | neighbour at 5 h; nobody answers; the sweep escalates it, overdue | yes     | new, overdue    |
| n10  | resident at 6 h; graded A at 7 h (deadline 31 h); done at 40 h    | yes     | done, late      |
| n11  | a resident of 和平里 (community B)                                  | street  | triaged         |
| n12  | resident, two days before the period                               | no      | new (escalated) |
| n13  | staff files a common need at the community itself, grades it       | yes     | triaged         |
|      | themself (no first response: they are its resident)                |         |                 |
| n14  | resident, 2026-12-31 23:59:59.999999 in China                      | yes     | new             |
| n15  | resident, 2027-01-01 00:00 in China                                | no      | new             |

Work confirmed in December: 60 minutes for n1 (15 points), 90 for n10 (15 points), and 120 for
the volunteer team's stairwell cleaning (20 points), by three volunteers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from projects import claims, needs, ratings, tasks, triage
from projects.sweep import sweep
from tests.projects.community import T0, Street

DECEMBER = (date(2026, 12, 1), date(2027, 1, 1))
AUTUMN = (date(2026, 10, 1), date(2026, 11, 1))  # nothing happened then
THREE_MONTHS = (date(2026, 11, 1), date(2027, 2, 1))


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@dataclass
class Story:
    street: Street
    needs: dict[str, int]


async def tell(s: Street) -> Story:
    staff, resident, neighbour = await s.actor(s.staff), await s.actor(s.resident), await s.actor(s.neighbour)
    leader, street_staff = await s.actor(s.leader), await s.actor(s.street_staff)
    district_staff, other_staff = await s.actor(s.district_staff), await s.actor(s.other_staff)
    outsider = await s.actor(s.outsider)
    volunteers = [await s.actor(v) for v in s.volunteers[:2]]
    made: dict[str, int] = {}

    async def report(name, actor, category, when, **kw):
        kw.setdefault("channel", "online")
        made[name] = (await needs.report_need(actor, category=category, description=name, now=when, **kw)).id
        return made[name]

    # Before the period: n12 is graded, then escalated as overdue by the sweep at 30 h.
    n12 = await report("n12", resident, "care.elderly", T0 - timedelta(days=2))
    await triage.triage_need(staff, n12, grade="A", now=T0 - timedelta(days=2) + timedelta(hours=1))

    n1 = await report("n1", resident, "care.meals", at(0))
    n2 = await report("n2", neighbour, "environment.cleaning", at(1), channel="door_visit")
    await triage.triage_need(staff, n1, grade="A", now=at(2))
    n3 = await report("n3", neighbour, "care.meals", at(2))
    await needs.merge_need(staff, n3, into=n1, now=at(2.5))
    n4 = await report("n4", resident, "convenience.errands", at(2.5))
    await needs.cancel_need(resident, n4, now=at(3))
    n5 = await report("n5", staff, "care.elderly", at(3), channel="door_visit", resident_id=s.resident)
    n6 = await report(
        "n6", leader, "construction.lighting", at(3), channel="grid_patrol", resident_id=s.neighbour
    )
    n7 = await report(
        "n7", leader, "construction.facilities", at(3), channel="grid_patrol", resident_id=s.resident
    )
    task = await tasks.create_task(staff, title="送午餐", need_id=n1, now=at(3))
    first_claim = (await claims.claim_task(volunteers[0], task.id, now=at(3))).id
    await claims.check_in(volunteers[0], first_claim, now=at(3))
    await claims.submit_work(volunteers[0], first_claim, minutes=60, now=at(4))
    await needs.reject_need(staff, n2, reason="不属于社区职责", now=at(4))
    n8 = await report("n8", resident, "mediation.neighbours", at(4), channel="hotline")
    await needs.cancel_need(leader, n6, now=at(4))
    await needs.cancel_need(resident, n7, now=at(4))
    await triage.triage_need(staff, n5, grade="B", now=at(5))
    n9 = await report("n9", neighbour, "environment.greening", at(5))
    made["n10"] = n10 = await report("n10", resident, "convenience.appliances", at(6))
    await triage.escalate_need(staff, n8, reason="超出社区职权", now=at(6))
    await report("n11", outsider, "care.meals", at(6))
    await triage.triage_need(staff, n10, grade="A", now=at(7))
    task = await tasks.create_task(staff, title="修冰箱", need_id=n10, now=at(7))
    late_claim = await claims.claim_task(volunteers[1], task.id, now=at(7))
    await claims.check_in(volunteers[1], late_claim.id, now=at(7))
    await triage.triage_need(other_staff, made["n11"], grade="A", now=at(8))
    await triage.escalate_need(street_staff, n8, reason="需要区里协调", now=at(8))
    n13 = await report(
        "n13", staff, "volunteer.events", at(9), channel="consultation", scope="common", area_id=s.community
    )
    await triage.triage_need(staff, n13, grade="A", now=at(10))
    await claims.confirm_work(resident, first_claim, now=at(10))
    await ratings.rate_service(resident, first_claim, score=5, now=at(11))
    # The volunteer team sends a member to clean a stairwell (no need behind it): 120 minutes.
    team_task = await tasks.create_task(
        staff, title="楼道清扫", area_id=s.grid, category="environment.cleaning", now=at(12)
    )
    team_claim = await claims.claim_task(
        volunteers[0], team_task.id, member_id=s.volunteers[2], organisation_id=s.team, now=at(12)
    )
    await claims.check_in(await s.actor(s.volunteers[2]), team_claim.id, now=at(12))
    await claims.submit_work(await s.actor(s.volunteers[2]), team_claim.id, minutes=120, now=at(14))
    await claims.confirm_work(staff, team_claim.id, now=at(14))
    await triage.triage_need(district_staff, n8, grade="C", now=at(20))
    await sweep(now=at(30))
    await claims.submit_work(volunteers[1], late_claim.id, minutes=90, now=at(39))
    await claims.confirm_work(resident, late_claim.id, now=at(40))
    await ratings.rate_service(resident, late_claim.id, score=2, now=at(41))
    await report("n14", resident, "culture.tutoring", datetime(2026, 12, 31, 15, 59, 59, 999999, tzinfo=UTC))
    await report("n15", resident, "culture.tutoring", datetime(2026, 12, 31, 16, tzinfo=UTC))
    assert {n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n12, n13} <= set(made.values())
    return Story(s, made)


NONE = {"median": None, "p90": None}


def figures(
    reported=0, handled=0, done=0, on_time=0, timed=0, open=0, overdue=0, response=NONE, completion=NONE
) -> dict:
    """The figures as the API gives them (rates worked out here from the counts)."""

    def rate(part, whole):
        return None if whole == 0 else round(part / whole, 4)

    return {
        "reported": reported,
        "handled": handled,
        "handled_rate": rate(handled, reported),
        "done": done,
        "on_time": on_time,
        "on_time_rate": rate(on_time, timed),
        "first_response_hours": response,
        "completion_hours": completion,
        "open": open,
        "overdue": overdue,
    }


# Community A, December. First responses (s): n1 7200, n2 10800, n5 7200, n8 7200, n10 3600;
# nearest rank of 5 values: median the 3rd (7200 s), p90 the 5th (10800 s). Completions: n1
# 36000, n10 122400: median the 1st, p90 the 2nd.
COMMUNITY_DECEMBER = figures(
    reported=9,
    handled=3,
    done=2,
    on_time=1,
    timed=2,
    open=5,
    overdue=1,
    response={"median": 2.0, "p90": 3.0},
    completion={"median": 10.0, "p90": 34.0},
)
