"""The year's ranking of a community's leaders and resources, from its published quarters, and
the honours its staff grant for the year (最美楼栋长, 优秀服务资源), with bonus points if they like."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from ledger.transfers import transfer
from projects import errors, events, issuance
from projects.access import Actor
from projects.areas import issuer_account, path_range
from projects.db import atomic, for_update
from projects.disclosure import disclosed
from projects.errors import N_
from projects.evaluation import Figure, community_area
from projects.limits import RECOGNITION_NOTE_MAX_CHARS
from projects.members import member_account
from projects.organisations import organisation_account
from projects.outbox import MAX_READERS, Change, Notice, register, to
from projects.quarters import check_year, quarters_of, year_bounds
from projects.rules import allowed, refuse
from projects.rules import issuance as four_eyes
from projects.states import register_subjects, text
from projects.tables import Evaluation, Recognition, RecognitionEvent, Resource, Role

register_subjects({"recognition": N_("recognition")}, RecognitionEvent)
WAITS = N_("{actor} granted {name} {points} bonus points: a second staff member approves them.")
ISSUED = N_("{actor} approved your {points} bonus points for {year}.")

MAX_BONUS_POINTS = 1000
TITLES = {
    "grid": "best_grid_leader",
    "building": "best_building_leader",
    "unit": "best_unit_leader",
    "resource": "excellent_resource",
}


@dataclass(frozen=True, slots=True)
class Ranked:
    """A leader or a resource over the year: its summed quarterly figures and its rank (None:
    fewer than 5 ratings, not ranked). Ranks are shared by equal averages."""

    rank: int | None
    figure: Figure
    services: Figure | None  # a leader's: the services they handled
    quarters: int  # how many published quarters it appears in


@dataclass(frozen=True, slots=True)
class YearRanking:
    community: int
    community_name: str
    year: int
    quarters: list[str]  # the quarters of the year published so far
    leaders: list[Ranked]
    resources: list[Ranked]
    # What each grid leader did themself (小事不出网格): needs taken on in the year, and done.
    taken: dict[int, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class RecognitionRecord:
    id: int
    community: int
    year: int
    title: str
    leader: int | None
    resource: int | None
    name: str
    note: str
    bonus_points: int
    transfer_id: str | None
    granted_by: int
    granted_at: datetime
    status: str = "granted"  # awaiting_approval: its bonus waits for a second staff member
    approved_by: int | None = None
    approved_at: datetime | None = None
    may: frozenset[str] = frozenset()  # "approve", when the viewer may approve its bonus


def _rank(entries: list[tuple[Figure, Figure | None, int]]) -> list[Ranked]:
    """Disclosed figures by average (exact fractions), then by number of ratings; the rest after."""
    shown = [entry for entry in entries if disclosed(entry[0].ratings)]
    hidden = [entry for entry in entries if not disclosed(entry[0].ratings)]

    def key(entry):
        return (Fraction(entry[0].score_total, entry[0].ratings), entry[0].ratings)

    shown.sort(key=key, reverse=True)
    ranked: list[Ranked] = []
    for position, entry in enumerate(shown, start=1):
        tied = ranked and key(shown[position - 2]) == key(entry)
        ranked.append(Ranked(ranked[-1].rank if tied else position, entry[0], entry[1], entry[2]))
    hidden.sort(key=lambda entry: entry[0].name)
    return ranked + [Ranked(None, *entry) for entry in hidden]


async def year_ranking(community_id: int, year: int) -> YearRanking:
    """Leaders and resources ranked over the published quarters of ``year`` (public)."""
    check_year(year)
    community = await community_area(community_id)
    rows = await Evaluation.raw(
        "SELECT f.kind AS kind, f.subject AS subject, MAX(f.name) AS name, MAX(f.level) AS level, "
        "MAX(f.area_name) AS area_name, SUM(f.ratings) AS ratings, SUM(f.score_total) AS score_total, "
        "SUM(f.satisfied) AS satisfied, COUNT(DISTINCT e.period) AS quarters "
        "FROM projects_evaluation_figure f JOIN projects_evaluation e ON e.id = f.evaluation "
        "WHERE e.community = {} AND e.period >= {} AND e.period <= {} "
        "AND f.kind IN ('leader', 'leader_services', 'resource') "
        "GROUP BY f.kind, f.subject",
        community_id,
        f"{year}Q1",
        f"{year}Q4",
    )
    published = await Evaluation.select(Evaluation.period).where(
        (Evaluation.community == community_id) & Evaluation.period.is_in(quarters_of(year))
    )
    figures = {
        (row["kind"], row["subject"]): (
            Figure(
                kind=row["kind"],
                category="",
                subject=row["subject"],
                name=row["name"],
                level=row["level"],
                area_name=row["area_name"],
                ratings=int(row["ratings"]),
                score_total=int(row["score_total"]),
                satisfied=int(row["satisfied"]),
            ),
            int(row["quarters"]),
        )
        for row in rows
    }
    leaders = [
        (figure, figures.get(("leader_services", subject), (None, 0))[0], quarters)
        for (kind, subject), (figure, quarters) in figures.items()
        if kind == "leader"
    ]
    resources = [
        (figure, None, quarters) for (kind, _), (figure, quarters) in figures.items() if kind == "resource"
    ]
    return YearRanking(
        community_id,
        community.name,
        year,
        sorted(row["period"] for row in published),
        _rank(leaders),
        _rank(resources),
        await taken_on(community.path, year),
    )


async def taken_on(community_path: str, year: int) -> dict[int, tuple[int, int]]:
    """Each leader's needs of the community taken on themself in ``year`` (the trace's "take"),
    and how many of them are done: their own record, beside what residents say of them."""
    start, end = year_bounds(year)
    rows = await Evaluation.raw(
        "SELECT e.actor AS leader, COUNT(*) AS taken, "
        "SUM(CASE WHEN n.status = 'done' THEN 1 ELSE 0 END) AS done "
        "FROM projects_event e JOIN projects_need n ON n.id = e.subject_id "
        "JOIN projects_area a ON a.id = n.area "
        "WHERE e.subject = 'need' AND e.action = 'take' AND e.created_at >= {} AND e.created_at < {} "
        "AND a.path >= {} AND a.path < {} GROUP BY e.actor",
        start,
        end,
        *path_range(community_path),
    )
    return {row["leader"]: (int(row["taken"]), int(row["done"] or 0)) for row in rows}


async def issue_bonus(
    community_id: int, transfer_id: str, account: str, points: int, *, memo: str, now: datetime
) -> str:
    """Bonus points for an honour, from the community's issuer: the one place recognition issues
    points (where issuance controls such as a second approver belong)."""
    await transfer(
        transfer_id,
        issuer_account(community_id),
        account,
        points,
        "PTS",
        reason="recognition",
        reference=transfer_id,
        memo=memo[:200],
        now=now,
    )
    return transfer_id


async def grant_recognition(
    actor: Actor,
    community_id: int,
    year: int,
    *,
    leader_id: int | None = None,
    resource_id: int | None = None,
    note: str = "",
    bonus_points: int = 0,
    now: datetime,
) -> RecognitionRecord:
    """Honour a leader or a resource ranked for the year (5 ratings or more), once a year, after
    the year has ended; with ``bonus_points`` to the leader or the resource's organisation."""
    note = text(note, RECOGNITION_NOTE_MAX_CHARS, N_("note"))
    if (leader_id is None) == (resource_id is None):
        raise errors.Invalid(N_("Choose a leader or a resource to honour."))
    if not 0 <= bonus_points <= MAX_BONUS_POINTS:
        raise errors.Invalid(N_("Bonus points are 0 to {limit}."), limit=MAX_BONUS_POINTS)
    community = await community_area(community_id)
    actor.require(actor.is_staff(community.path))
    if now < year_bounds(year)[1]:
        raise errors.Conflict(N_("The year {year} has not ended yet."), year=year)
    ranking = await year_ranking(community_id, year)
    entries = ranking.leaders if leader_id is not None else ranking.resources
    subject = leader_id if leader_id is not None else resource_id
    entry = next((item for item in entries if item.figure.subject == subject and item.rank), None)
    if entry is None:
        raise errors.Conflict(
            N_("Only a leader or resource ranked for the year (5 ratings or more) can be honoured.")
        )
    if leader_id is not None:
        title, account = TITLES[entry.figure.level], member_account(leader_id)
        kind = "leader"
    else:
        title, kind = TITLES["resource"], "resource"
        resource = await Resource.select(Resource.organisation).where(Resource.id == resource_id).first()
        account = organisation_account(resource["organisation"]) if resource["organisation"] else None
        if bonus_points and account is None:
            raise errors.Invalid(N_("This resource has no organisation to receive the bonus points."))
    transfer_id = f"recognition:{community_id}:{year}:{kind}:{subject}" if bonus_points else None
    waits = bool(bonus_points) and issuance.needs_approval(
        await issuance.policy_for(community_id), bonus_points
    )
    async with atomic():
        column = Recognition.leader if leader_id is not None else Recognition.resource
        if await Recognition.exists().where(
            (Recognition.community == community_id) & (Recognition.year == year) & (column == subject)
        ):
            raise errors.Conflict(N_("This has already been honoured for {year}."), year=year)
        rows = await Recognition.insert(
            Recognition(
                community=community_id,
                year=year,
                title=title,
                leader=leader_id,
                resource=resource_id,
                note=note,
                bonus_points=bonus_points,
                transfer_id=None if waits else transfer_id,
                granted_by=actor.member_id,
                granted_at=now,
                status=four_eyes.WAITING if waits else "granted",
            )
        ).returning(Recognition.id)
        state = four_eyes.WAITING if waits else "granted"
        await events.record(
            "recognition", rows[0]["id"], "grant", actor=actor.member_id, now=now, to_state=state
        )
        if transfer_id is not None and account is not None and not waits:
            await issue_bonus(
                community_id, transfer_id, account, bonus_points, memo=f"{year} {entry.figure.name}", now=now
            )
    return (await recognitions(community_id, year=year, only=rows[0]["id"], viewer=actor))[0]


def _waiting(row: dict, community_path: str) -> four_eyes.Waiting:
    return four_eyes.Waiting(N_("recognition"), community_path, row["status"], (row["granted_by"],))


async def approve_recognition(actor: Actor, recognition_id: int, *, now: datetime) -> RecognitionRecord:
    """A second staff member approves a bonus over the threshold: its points are issued now."""
    async with atomic():
        row = await for_update(Recognition.select().where(Recognition.id == recognition_id)).first()
        if row is None:
            raise errors.NotFound(thing=N_("recognition"))
        community = await community_area(row["community"])
        refuse(four_eyes.approve(actor, _waiting(row, community.path)))
        kind, subject = (
            ("leader", row["leader"]) if row["leader"] is not None else ("resource", row["resource"])
        )
        if kind == "leader":
            account = member_account(subject)
        else:
            found = await Resource.select(Resource.organisation).where(Resource.id == subject).first()
            account = organisation_account(found["organisation"])
        name = (await recognitions(row["community"], only=recognition_id))[0].name
        transfer_id = f"recognition:{row['community']}:{row['year']}:{kind}:{subject}"
        await issue_bonus(
            row["community"], transfer_id, account, row["bonus_points"], memo=f"{row['year']} {name}", now=now
        )
        await Recognition.update(
            {
                Recognition.status: "granted",
                Recognition.transfer_id: transfer_id,
                Recognition.approved_by: actor.member_id,
                Recognition.approved_at: now,
            }
        ).where(Recognition.id == recognition_id)
        await events.record(
            "recognition",
            recognition_id,
            "approve",
            actor=actor.member_id,
            now=now,
            from_state=four_eyes.WAITING,
            to_state="granted",
        )
    return (await recognitions(row["community"], only=recognition_id, viewer=actor))[0]


async def get_recognition(recognition_id: int, viewer: Actor | None = None) -> RecognitionRecord:
    """One honour (public), with what ``viewer`` may do to it."""
    row = await Recognition.select(Recognition.community).where(Recognition.id == recognition_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("recognition"))
    return (await recognitions(row["community"], only=recognition_id, viewer=viewer))[0]


async def recognition_history(recognition_id: int) -> list[events.Trace]:
    """A recognition's trace (public, as the recognition is)."""
    if not await Recognition.exists().where(Recognition.id == recognition_id):
        raise errors.NotFound(thing=N_("recognition"))
    return await events.history("recognition", recognition_id)


async def recognitions(
    community_id: int, *, year: int | None = None, only: int | None = None, viewer: Actor | None = None
) -> list[RecognitionRecord]:
    """The honours granted in the community (public), newest first; with what ``viewer`` (if
    signed in) may do to each."""
    community = await community_area(community_id)
    query = (
        Recognition.select(
            *Recognition.all_columns(),
            Recognition.leader.name.as_alias("leader_name"),
            Recognition.resource.name.as_alias("resource_name"),
        )
        .where(Recognition.community == community_id)
        .order_by(Recognition.id, ascending=False)
        .limit(200)
    )
    if year is not None:
        query = query.where(Recognition.year == check_year(year))
    if only is not None:
        query = query.where(Recognition.id == only)
    found = []
    for row in await query:
        name = row.pop("leader_name") or row.pop("resource_name") or ""
        row.pop("resource_name", None)
        may = (
            allowed(viewer, _waiting(row, community.path), {"approve": four_eyes.approve})
            if viewer
            else frozenset()
        )
        found.append(RecognitionRecord(**{**row, "name": name, "may": may}))
    return found


async def recognition_concern(change: Change) -> list[Notice]:
    """A bonus waiting: the staff of its community and above, who may approve it; approved: the
    honoured leader (a resource's organisation reads it on the ranking)."""
    row = (
        await Recognition.select(
            *Recognition.all_columns(),
            Recognition.community.path.as_alias("path"),
            Recognition.leader.name.as_alias("leader_name"),
            Recognition.resource.name.as_alias("resource_name"),
        )
        .where(Recognition.id == change.subject_id)
        .first()
    )
    if row is None:
        return []
    link = f"/evaluations/{row['community']}/years/{row['year']}"
    if change.to_state == four_eyes.WAITING:
        ids = [int(part) for part in row["path"].strip("/").split("/") if part.isdigit()]
        staff = (
            await Role.select(Role.member)
            .where(Role.area.is_in(ids) & (Role.role == "staff"))
            .limit(MAX_READERS)
        )
        name = row["leader_name"] or row["resource_name"] or ""
        return to([person["member"] for person in staff], WAITS, link, name=name, points=row["bonus_points"])
    if change.action == "approve":
        return to([row["leader"]], ISSUED, link, points=row["bonus_points"], year=row["year"])
    return []


register(("recognition",), recognition_concern)
