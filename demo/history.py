"""A year of needs as rows: each need's life drawn at random and written as its row, its trace
and, when work was done for it, its task, claim, rating and the points to bank.

The life of a need follows the loop's rules (projects/needs.py, triage.py, tasks.py, claims.py):
reported; then cancelled by its reporter, merged, rejected, or graded A/B/C (some only after one
or two escalations); dispatched as a task to a volunteer of its community, who claims, checks in
and submits; confirmed by the resident (the need is then done), and sometimes rated. A deadline
that passes before the need is done is flagged by the sweep (an ``overdue`` event, by nobody).
Whatever would happen after ``end`` has not happened yet: the district ends with needs in every
open state.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from demo.words import COMMON, PERSONAL
from projects.points import confirmation_transfer_id, points_for
from projects.ratings import quarter

GRADE_HOURS = {"new": 24, "A": 24, "B": 168, "C": 720}  # the migration's default deadlines
MEDIAN_WORK_HOURS = {"A": 6.0, "B": 48.0, "C": 240.0}
LATE_SHARE = 0.07  # needs done after their deadline
RATED_SHARE = 0.6
MINUTES = (30, 45, 60, 60, 90, 120, 120, 180, 240)
SCORES = (5, 5, 5, 5, 4, 4, 4, 3, 2)
# channel, share (door visits and patrols are a grid leader's, consultation staff's)
CHANNELS = (
    ("online", 0.45),
    ("hotline", 0.12),
    ("door_visit", 0.2),
    ("grid_patrol", 0.1),
    ("consultation", 0.08),
    ("open311", 0.05),
)

NEED_COLUMNS = (
    "id", "resident", "reporter", "channel", "category", "area", "handling_area", "scope", "description",
    "status", "grade", "deadline", "overdue", "escalations", "merged_into", "reason", "supporters",
    "handled_by", "created_at", "updated_at",
)  # fmt: skip
TASK_COLUMNS = (
    "id", "need", "project", "title", "description", "area", "category", "capacity", "claimed",
    "points_per_hour", "status", "assignee_member", "assignee_organisation", "starts_at", "deadline",
    "overdue", "reason", "created_by", "created_at", "updated_at",
)  # fmt: skip
CLAIM_COLUMNS = (
    "id", "task", "member", "organisation", "status", "minutes", "note", "points", "transfer_id", "reason",
    "checked_in_at", "submitted_at", "decided_by", "decided_at", "created_at", "updated_at",
)  # fmt: skip
RATING_COLUMNS = (
    "id", "rater", "claim", "resource", "performer", "leader", "score", "comment", "period", "created_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "seq",
    "subject",
    "subject_id",
    "action",
    "from_state",
    "to_state",
    "actor",
    "reason",
    "created_at",
)


@dataclass(frozen=True, slots=True)
class Home:
    """Where a resident lives and who serves them there."""

    unit: int
    building: int
    grid: int
    community: int
    street: int
    district: int
    grid_leader: int
    community_staff: int
    street_staff: int
    district_staff: int
    volunteers: range  # member ids of the community's volunteers
    team: int  # the community's volunteer team
    team_members: range  # the volunteers who belong to it


@dataclass
class History:
    """The rows of a period of needs (its points are banked from the confirmed claims)."""

    needs: list[tuple] = field(default_factory=list)
    tasks: list[tuple] = field(default_factory=list)
    claims: list[tuple] = field(default_factory=list)
    ratings: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)  # without seq: (created_at, subject, ...)


def _hours(rng: random.Random, median: float, spread: float = 0.9, cap: float = 24 * 60) -> timedelta:
    """A lognormal wait with this median, in hours (at least a minute)."""
    return timedelta(hours=max(1 / 60, min(cap, rng.lognormvariate(0, spread) * median)))


def _channel(rng: random.Random) -> str:
    return rng.choices([c for c, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]


class Writer:
    """Draws each need's life and appends its rows to a ``History``."""

    def __init__(self, rng: random.Random, end: datetime, rates: dict[str, int], history: History):
        self.rng = rng
        self.end = end
        self.rates = rates  # category -> points per hour
        self.history = history
        self.next_task = 1
        self.next_claim = 1
        self.next_rating = 1
        self.last_need: dict[int, int] = {}  # community -> the last need reported there

    def event(self, when, subject, subject_id, action, from_state, to_state, actor, reason=""):
        self.history.events.append((when, subject, subject_id, action, from_state, to_state, actor, reason))

    def need(self, need_id: int, created: datetime, resident: int, home: Home) -> None:
        rng, end = self.rng, self.end
        channel = _channel(rng)
        reporter = {"door_visit": home.grid_leader, "grid_patrol": home.grid_leader}.get(channel, resident)
        if channel == "consultation":
            reporter = home.community_staff
        common = rng.random() < 0.12
        if common:
            category, text, title = rng.choice(COMMON)
            area = home.community if rng.random() < 0.25 else home.building
            text, title = text.format(building="楼栋"), title.format(building="楼栋")
        else:
            category, text, title = rng.choice(PERSONAL)
            area = home.unit
        row = {
            "status": "new",
            "grade": None,
            "deadline": created + timedelta(hours=GRADE_HOURS["new"]),
            "overdue": False,
            "escalations": 0,
            "merged_into": None,
            "reason": "",
            "handled_by": None,
            "handling_area": home.community,
            "updated_at": created,
        }
        self.event(created, "need", need_id, "report", "", "new", reporter, channel)
        holder_staff = home.community_staff

        def move(when, action, to, actor, why="", **values):
            self.event(when, "need", need_id, action, row["status"], to, actor, why)
            row.update(status=to, updated_at=when, **values)

        def flag_if_late(until: datetime) -> None:
            """The sweep flags the need once its deadline passes before ``until``."""
            if not row["overdue"] and row["deadline"] < min(until, end):
                self.event(
                    row["deadline"] + timedelta(minutes=1),
                    "need",
                    need_id,
                    "overdue",
                    row["status"],
                    row["status"],
                    None,
                )
                row["overdue"] = True

        fate = rng.random()
        when = created + _hours(rng, 3.0, cap=96)
        previous = self.last_need.get(home.community)
        self.last_need[home.community] = need_id
        if fate < 0.02:  # withdrawn by whoever reported it
            when = created + _hours(rng, 2.0, cap=20)
            if when <= end:
                move(when, "cancel", "cancelled", reporter)
        elif fate < 0.04 and previous is not None:  # a duplicate of the need reported before it
            flag_if_late(when)
            if when <= end:
                move(
                    when,
                    "merge",
                    "merged",
                    holder_staff,
                    f"#{previous}",
                    merged_into=previous,
                    handled_by=holder_staff,
                )
        elif fate < 0.07:
            flag_if_late(when)
            if when <= end:
                move(
                    when,
                    "reject",
                    "rejected",
                    holder_staff,
                    "不属于社区受理范围",
                    reason="不属于社区受理范围",
                    handled_by=holder_staff,
                )
        else:
            levels = 0 if fate < 0.93 else (1 if fate < 0.98 else 2)
            holders = ((home.street, home.street_staff), (home.district, home.district_staff))
            for level in range(levels):  # beyond the holder's authority: the level above decides
                flag_if_late(when)
                if when > end:
                    break
                area_above, staff_above = holders[level]
                move(
                    when,
                    "escalate",
                    "new",
                    holder_staff,
                    "超出职权，提请上级协调",
                    handling_area=area_above,
                    escalations=row["escalations"] + 1,
                    deadline=when + timedelta(hours=GRADE_HOURS["new"]),
                    overdue=False,
                    grade=None,
                )
                holder_staff = staff_above
                when += _hours(rng, 4.0, cap=96)
            else:
                flag_if_late(when)
                if when <= end:
                    grade = rng.choices("ABC", weights=(40, 45, 15))[0]
                    move(
                        when,
                        "triage",
                        "triaged",
                        holder_staff,
                        grade,
                        grade=grade,
                        overdue=False,
                        deadline=when + timedelta(hours=GRADE_HOURS[grade]),
                        handled_by=holder_staff,
                    )
                    self._work(need_id, row, move, flag_if_late, when, resident, home, area, category, title)
        self.history.needs.append(
            (
                need_id,
                resident,
                reporter,
                channel,
                category,
                area,
                row["handling_area"],
                "common" if common else "personal",
                text,
                row["status"],
                row["grade"],
                row["deadline"],
                row["overdue"],
                row["escalations"],
                row["merged_into"],
                row["reason"],
                0,
                row["handled_by"],
                created,
                row["updated_at"],
            )
        )

    def _work(self, need_id, row, move, flag_if_late, graded, resident, home, area, category, title) -> None:
        """A task for the need, claimed by a volunteer of its community, done and confirmed."""
        rng, end = self.rng, self.end
        grade = row["grade"]
        late = rng.random() < LATE_SHARE
        total = _hours(rng, MEDIAN_WORK_HOURS[grade], spread=0.6, cap=GRADE_HOURS[grade] * 0.9)
        if late:
            total = timedelta(hours=GRADE_HOURS[grade]) + _hours(rng, 24.0, cap=240)
        dispatched = graded + total * 0.1
        claimed_at = graded + total * 0.25
        checked_in = graded + total * 0.6
        submitted = graded + total * 0.9
        confirmed = graded + total
        if dispatched > end:
            flag_if_late(end)
            return
        task_id, self.next_task = self.next_task, self.next_task + 1
        staff = row["handled_by"]
        rate = self.rates[category]
        self.event(dispatched, "task", task_id, "create", "", "open", staff)
        move(dispatched, "dispatch", "in_progress", staff, f"#{task_id}")
        task = {"status": "open", "claimed": 0, "updated_at": dispatched}
        claim = None
        volunteer = rng.choice(home.volunteers)
        if volunteer == resident:  # nobody claims a task for their own need
            volunteer = home.volunteers[0] if volunteer != home.volunteers[0] else home.volunteers[-1]
        team = home.team if volunteer in home.team_members and rng.random() < 0.5 else None
        minutes = rng.choice(MINUTES)
        points = points_for(minutes, rate)
        steps = (
            (claimed_at, "claim", "claimed"),
            (checked_in, "check_in", "checked_in"),
            (submitted, "submit", "submitted"),
            (confirmed, "confirm", "confirmed"),
        )
        for when, action, state in steps:
            if when > end:
                break
            if claim is None:
                claim_id, self.next_claim = self.next_claim, self.next_claim + 1
                claim = {"id": claim_id, "status": "", "created_at": when}
                self.event(when, "claim", claim_id, "claim", "", "claimed", volunteer)
                self.event(when, "task", task_id, "full", "open", "full", volunteer)
                task.update(status="full", claimed=1, updated_at=when)
            else:
                actor = resident if action == "confirm" else volunteer
                self.event(when, "claim", claim["id"], action, claim["status"], state, actor)
            claim.update(status=state, updated_at=when)
        flag_if_late(confirmed)
        if claim is not None and claim["status"] == "confirmed":
            self.event(confirmed, "task", task_id, "complete", "full", "done", resident)
            task.update(status="done", updated_at=confirmed)
            move(confirmed, "complete", "done", resident, overdue=False)
            rated = confirmed + _hours(self.rng, 12.0, cap=72)
            if rng.random() < RATED_SHARE and rated <= end:
                leader = None if staff == resident else staff
                self.history.ratings.append(
                    (
                        self.next_rating,
                        resident,
                        claim["id"],
                        None,
                        volunteer,
                        leader,
                        rng.choice(SCORES),
                        "",
                        quarter(rated),
                        rated,
                    )
                )
                self.next_rating += 1
        if claim is not None:
            done = claim["status"] == "confirmed"
            self.history.claims.append(
                (
                    claim["id"],
                    task_id,
                    volunteer,
                    team,
                    claim["status"],
                    minutes if claim["status"] in ("submitted", "confirmed") else None,
                    "",
                    points if done else None,
                    (confirmation_transfer_id(task_id, volunteer) if points else None) if done else None,
                    "",
                    checked_in if checked_in <= end else None,
                    submitted if submitted <= end else None,
                    resident if done else None,
                    confirmed if done else None,
                    claim["created_at"],
                    claim["updated_at"],
                )
            )
        self.history.tasks.append(
            (
                task_id,
                need_id,
                None,
                title,
                "",
                area,
                category,
                1,
                task["claimed"],
                rate,
                task["status"],
                None,
                None,
                None,
                None,
                False,
                "",
                staff,
                dispatched,
                task["updated_at"],
            )
        )
