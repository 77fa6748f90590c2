"""Supervision (督办): overdue is supervised, not taken away. Staff of any level above a need's
holder issue notices (督办单) with their own answer-by; the holder's progress report answers
them; an unanswered notice falls overdue in turn. The board shows each level what is overdue,
escalated or under notice below it: who holds it, since when, and its notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from projects import errors, needs
from projects.access import Actor, area_path
from projects.area_path import AreaPath
from projects.areas import any_under, under
from projects.db import atomic
from projects.deadlines import known_years
from projects.errors import N_
from projects.needs import NeedRecord, locked, select_needs
from projects.rules import needs as need_rules
from projects.rules.needs import OPEN
from projects.states import parse_cursor, text, trace
from projects.tables import Area, Event, Need, Notice

NOTE_MAX_CHARS = 1000
ANSWER_WITHIN_MAX = timedelta(days=90)
PAGE = 20
HANDED = ("report", "escalate", "hand_down", "return", "take")  # the trace's hand-overs


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    id: int
    need: int
    area: int
    issued_by: int
    note: str
    answer_by: datetime
    answered_at: datetime | None
    answered_by: int | None
    overdue: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BoardItem:
    need: NeedRecord
    holder: str  # the name of the area holding it
    held_since: datetime  # the last hand-over (or its report)
    notices: tuple[NoticeRecord, ...]

    @property
    def notice_overdue(self) -> bool:
        return any(notice.overdue and notice.answered_at is None for notice in self.notices)


@dataclass(frozen=True, slots=True)
class BoardPage:
    items: list[BoardItem]
    next_cursor: str | None


def _issuing_area(actor: Actor, handling_path: str) -> int:
    """The level a notice comes from: the nearest area above the holder the actor is staff of."""
    above = [
        grant
        for grant in actor.grants
        if grant.role == "staff" and grant.path != handling_path and handling_path.startswith(grant.path)
    ]
    if not above:  # an admin
        return AreaPath.parse(handling_path).ids[0]
    return max(above, key=lambda grant: len(grant.path)).area_id


async def supervise(
    actor: Actor, need_id: int, *, note: str, answer_by: datetime, now: datetime
) -> NoticeRecord:
    """Issue a supervision notice: the holder must answer by ``answer_by`` with a progress
    report. The need's own deadline stays what triage or the hand-down set."""
    note = text(note, NOTE_MAX_CHARS, N_("note"), required=True)
    if not now < answer_by <= now + ANSWER_WITHIN_MAX:
        raise errors.Invalid(N_("Ask for an answer within 90 days from now."), field="answer_by")
    async with atomic():
        row, facts = await locked(actor, need_id, need_rules.supervise)
        rows = await Notice.insert(
            Notice(
                need=need_id,
                area=_issuing_area(actor, facts.handling_path),
                issued_by=actor.member_id,
                note=note,
                answer_by=answer_by,
                created_at=now,
            )
        ).returning(*Notice.all_columns())
        await trace(Need, "need", row, "supervise", actor=actor.member_id, now=now, why=note)
    return NoticeRecord(**rows[0])


async def answer_notices(need_id: int, *, actor: int, now: datetime) -> int:
    """The holder reported progress: every open notice of the need is answered (caller's
    transaction). How many were."""
    rows = (
        await Notice.update({Notice.answered_at: now, Notice.answered_by: actor})
        .where((Notice.need == need_id) & Notice.answered_at.is_null())
        .returning(Notice.id)
    )
    return len(rows)


async def notices_of(need_ids: list[int]) -> dict[int, list[NoticeRecord]]:
    if not need_ids:
        return {}
    found: dict[int, list[NoticeRecord]] = {}
    for row in await Notice.select().where(Notice.need.is_in(need_ids)).order_by(Notice.id):
        found.setdefault(row["need"], []).append(NoticeRecord(**row))
    return found


async def need_notices(actor: Actor, need: NeedRecord) -> list[NoticeRecord]:
    """The notices of a need ``actor`` was shown (``view_need``), for those who manage it (its
    holder, its area's leaders and staff above)."""
    if not (need.may & {"progress", "supervise"}):
        return []
    return (await notices_of([need.id])).get(need.id, [])


async def board(
    actor: Actor,
    *,
    area_id: int | None = None,
    category: str | None = None,
    grade: str | None = None,
    overdue: bool | None = None,
    cursor: str | None = None,
    limit: int = PAGE,
) -> BoardPage:
    """The open needs below the actor's levels that are overdue, were escalated or are under
    notice, oldest first; filtered by area, category, grade (``none``: ungraded) and overdue."""
    limit = max(1, min(limit, 100))
    staff = [grant.path for grant in actor.grants if grant.role == "staff"]
    if not staff and not actor.is_admin:
        raise errors.NotAllowed()
    noticed = Notice.select(Notice.need)
    late_notice = Notice.select(Notice.need).where((Notice.overdue == True) & Notice.answered_at.is_null())  # noqa: E712
    query = (
        select_needs()
        .where(Need.status.is_in(list(OPEN)))
        .where((Need.overdue == True) | (Need.escalations > 0) | Need.id.is_in(noticed))  # noqa: E712
        .order_by(Need.id)
        .limit(limit + 1)
    )
    if not actor.is_admin:
        # Below the actor's levels, not at them: a level supervises, it does not supervise itself.
        query = query.where(any_under(Need.handling_area.path, staff) & Need.handling_area.path.not_in(staff))
    if area_id is not None:
        path = await area_path(area_id)
        query = query.where(under(Need.area.path, path) | under(Need.handling_area.path, path))
    if category:
        query = query.where((Need.category == category) | (Need.category.parent == category))
    if grade == "none":
        query = query.where(Need.grade.is_null())
    elif grade:
        query = query.where(Need.grade == grade)
    if overdue:
        query = query.where((Need.overdue == True) | Need.id.is_in(late_notice))  # noqa: E712
    elif overdue is not None:
        query = query.where((Need.overdue == False) & Need.id.not_in(late_notice))  # noqa: E712
    after = parse_cursor(cursor)
    if after is not None:
        query = query.where(Need.id > after)
    rows = await query
    page_rows = rows[:limit]
    records = await needs.records(actor, page_rows)
    ids = [record.id for record in records]
    notices = await notices_of(ids)
    holders = {
        row["id"]: row["name"]
        for row in await Area.select(Area.id, Area.name).where(
            Area.id.is_in(sorted({record.handling_area for record in records}) or [-1])
        )
    }
    since = await _held_since(ids)
    items = [
        BoardItem(record, holders.get(record.handling_area, ""), since.get(record.id, record.created_at),
                  tuple(notices.get(record.id, ())))
        for record in records
    ]  # fmt: skip
    return BoardPage(items, str(page_rows[-1]["id"]) if len(rows) > limit else None)


async def _held_since(need_ids: list[int]) -> dict[int, datetime]:
    """When each need last changed hands (its report, or the last hand-over), from the trace."""
    if not need_ids:
        return {}
    ids = ", ".join("{}" for _ in need_ids)
    handed = ", ".join("{}" for _ in HANDED)
    rows = await Event.raw(
        "SELECT subject_id, MAX(created_at) AS since FROM projects_event "
        f"WHERE subject = 'need' AND subject_id IN ({ids}) AND action IN ({handed}) GROUP BY subject_id",
        *need_ids,
        *HANDED,
    )
    return {row["subject_id"]: _moment(row["since"]) for row in rows}


def _moment(value) -> datetime:
    """A timestamp from a raw query: SQLite answers text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class Handling:
    """Who holds a need and where it could go: for its page."""

    holder: str  # the name of the area holding it
    handed_from: str | None  # the level that handed it down, if it was
    targets: list[tuple[int, str]]  # (area id, name) it may be handed down to, when the viewer may
    known_years: set[int]  # the years of its deadline whose working days are known


async def handling(actor: Actor, need: NeedRecord) -> Handling:
    """The names of the need's holder and of where it came from, and the areas the viewer may
    hand it down to (asked of the rules, as the hand-down itself does)."""
    wanted = {need.handling_area} | ({need.handed_from} if need.handed_from else set())
    paths: list[str] = []
    if "hand_down" in need.may:
        row = await select_needs().where(Need.id == need.id).first()
        paths = need_rules.targets(need_rules.NeedFacts.of(row))
    rows = await Area.select(Area.id, Area.name, Area.path).where(
        Area.id.is_in(sorted(wanted)) | Area.path.is_in(paths or ["-"])
    )
    names = {row["id"]: row["name"] for row in rows}
    targets = [
        (row["id"], row["name"]) for row in sorted(rows, key=lambda r: r["path"]) if row["path"] in paths
    ]
    years = {need.deadline.year} if need.deadline else set()
    return Handling(
        names.get(need.handling_area, ""),
        names.get(need.handed_from) if need.handed_from else None,
        targets,
        await known_years(years),
    )
