"""Needs (需求): reported by residents or collected for them by leaders and staff, with where,
whom to call, when and photos (the work order); joined by neighbours when common; merged,
rejected or cancelled. Triage lives in ``triage.py``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from projects import errors, events
from projects.access import Actor, area_path, community_path
from projects.areas import AreaRecord, get_area, under
from projects.attachments import attach, kept_if_committed
from projects.categories import get_category
from projects.db import atomic
from projects.deadlines import deadline_after
from projects.errors import N_
from projects.images import Photo
from projects.limits import REASON_MAX_CHARS
from projects.rules import needs as need_rules
from projects.rules import refuse
from projects.rules.needs import OPEN, NeedFacts
from projects.rules.workorders import ACTIVE_CLAIMS, LIVE_ASSIGNMENTS
from projects.states import load, move, parse_cursor, text, trace
from projects.tables import AREA_LEVELS, CHANNELS, SCOPES, Area, Member, Need, NeedSupporter, Task
from projects.workorders import Asked, Contact, Places, Where, check_asked, look_up_places

__all__ = ["OPEN"]
MAX_DESCRIPTION = 2000
PAGE = 50


@dataclass(frozen=True, slots=True)
class NeedRecord:
    id: int
    resident: int | None  # None when the viewer may not know who asked (a neighbour's common need)
    reporter: int | None
    channel: str
    category: str
    area: int
    handling_area: int
    scope: str
    description: str
    status: str
    grade: str | None
    deadline: datetime | None
    overdue: bool
    overdue_since: datetime | None
    escalations: int
    handed_from: int | None
    merged_into: int | None
    reason: str
    supporters: int
    handled_by: int | None
    # The work order, for those who may know it (projects.rules.workorders); None for others.
    address: str | None  # the room or landmark
    contact_name: str | None  # whom to call: its own contact, its resident, or for a common need
    contact_phone: str | None  # its grid's leader or the community's duty phone
    preferred_time: str  # when suits them (free text: 周六上午)
    address_string: str | None  # what an Open311 client said of the place, as it said it
    lat: float | None
    long: float | None
    media_url: str | None  # the Open311 client's link to its own photo
    created_at: datetime
    updated_at: datetime
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (projects.rules.needs)
    where: Where | None = None  # the area's names, and the address for those who may know it
    contact: Contact | None = None


@dataclass(frozen=True, slots=True)
class NeedPage:
    items: list[NeedRecord]
    next_cursor: str | None


async def report_need(
    actor: Actor,
    *,
    category: str,
    description: str,
    scope: str = "personal",
    channel: str = "online",
    area_id: int | None = None,
    resident_id: int | None = None,
    address: str | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    preferred_time: str | None = None,
    photos: list[Photo] | tuple[()] = (),
    now: datetime,
) -> NeedRecord:
    """A resident reports for themself, or a leader or staff member for ``resident_id``, with
    where inside its area, a contact (the resident by default), a preferred time and ``photos``
    (re-encoded already: ``projects.attachments.prepare``).

    The area defaults to the resident's unit; a need belongs to a community, so it is in one
    or below one. The community handles it first; it has a deadline for triage.
    """
    description = text(description, MAX_DESCRIPTION, N_("description"), required=True)
    if scope not in SCOPES:
        raise errors.Invalid(N_("The scope is personal or common."), field="scope")
    asked = check_asked(
        scope=scope,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        preferred_time=preferred_time,
    )
    if channel not in CHANNELS:
        raise errors.Invalid(N_("Unknown channel {channel}."), field="channel", channel=channel)
    await get_category(category)
    async with kept_if_committed(), atomic():
        resident = actor.member_id if resident_id is None else resident_id
        home = (
            await Member.select(Member.home_area, Member.home_area.path.as_alias("home_path"))
            .where(Member.id == resident)
            .first()
        )
        if home is None:
            raise errors.NotFound(thing=N_("member"))
        area = await get_area(area_id if area_id is not None else _require_home(home["home_area"]))
        if AREA_LEVELS.index(area.level) < AREA_LEVELS.index("community"):
            raise errors.Invalid(N_("A need is reported in a community or below it."), field="area_id")
        if resident != actor.member_id:
            # A leader or staff member collects needs of residents where they serve.
            if not actor.manages(area.path):
                raise errors.NotAllowed(
                    N_("You collect the needs of residents of the areas you serve only."), field="resident_id"
                )
            if home["home_path"] and community_path(home["home_path"]) != community_path(area.path):
                raise errors.Invalid(
                    N_("This resident does not live in that community."), field="resident_id"
                )
        elif area_id is not None and not (actor.manages(area.path) or actor.near(area.path)):
            raise errors.Invalid(N_("You can report needs where you live."), field="area_id")
        need_id = await file_need(
            resident=resident,
            reporter=actor.member_id,
            channel=channel,
            category=category,
            area=area,
            scope=scope,
            description=description,
            asked=asked,
            now=now,
        )
        await attach(list(photos), uploaded_by=actor.member_id, need=need_id, now=now)
    return await view_need(actor, need_id)


async def file_need(
    *,
    resident: int,
    reporter: int,
    channel: str,
    category: str,
    area: AreaRecord,
    scope: str,
    description: str,
    asked: Asked = Asked(),
    address_string: str = "",
    lat: float | None = None,
    long: float | None = None,
    media_url: str = "",
    now: datetime,
) -> int:
    """Write a checked need and its first event (inside the caller's transaction); its id.
    Its community handles it first, with the deadline allowed for triage. ``address_string``,
    ``lat``, ``long`` and ``media_url`` are what an Open311 client sent."""
    rows = await Need.insert(
        Need(
            resident=resident,
            reporter=reporter,
            channel=channel,
            category=category,
            area=area.id,
            handling_area=area.ancestor_ids()[2],
            scope=scope,
            description=description,
            status="new",
            deadline=await deadline_after("new", now),
            address=asked.address,
            contact_name=asked.contact_name,
            contact_phone=asked.contact_phone,
            preferred_time=asked.preferred_time,
            address_string=address_string,
            lat=lat,
            long=long,
            media_url=media_url,
            created_at=now,
            updated_at=now,
        )
    ).returning(Need.id)
    need_id = rows[0]["id"]
    await events.record("need", need_id, "report", actor=reporter, now=now, to_state="new", reason=channel)
    return need_id


def _require_home(home_area: int | None) -> int:
    if home_area is None:
        raise errors.Invalid(
            N_("Say in which area the need is: this member has no home unit."), field="area_id"
        )
    return home_area


def select_needs():
    """Needs with where they are, who handles them and their resident's name and phone (the
    contact unless the need names another), to decide who sees what in one query."""
    return Need.select(
        *Need.all_columns(),
        Need.area.path.as_alias("area_path"),
        Need.handling_area.path.as_alias("handling_path"),
        Need.handling_area.level.as_alias("handling_level"),
        Need.resident.name.as_alias("resident_name"),
        Need.resident.phone.as_alias("resident_phone"),
    )


FACT_COLUMNS = ("area_path", "handling_path", "handling_level", "resident_name", "resident_phone")
HIDDEN = {  # what of the work order a viewer who may not know it gets
    "address": None,
    "contact_name": None,
    "contact_phone": None,
    "address_string": None,
    "lat": None,
    "long": None,
    "media_url": None,
}


def contact_of(row: dict, places: Places) -> Contact | None:
    """Whom to call: a personal need's own contact, else its resident; a common need's grid
    leader or its community's duty phone (never a neighbour who reported or joined it)."""
    if row["scope"] == "common":
        return places.common_contact(row["area_path"])
    return Contact(row["contact_name"] or row["resident_name"], row["contact_phone"] or row["resident_phone"])


def as_record(actor: Actor, row: dict, facts: NeedFacts, places: Places) -> NeedRecord | None:
    """The need as ``actor`` may see it, with what they may do to it and the work order as far as
    they may know it; None if they may not see it (``row`` from ``select_needs``)."""
    if not need_rules.sees(actor, facts):
        return None
    record = NeedRecord(
        **{key: value for key, value in row.items() if key not in FACT_COLUMNS},
        may=need_rules.may(actor, facts),
    )
    if not need_rules.sees_whole(actor, facts):
        record = replace(record, resident=None, reporter=None)
    if not need_rules.sees_contact(actor, facts):
        return replace(record, **HIDDEN, where=places.where(row["area"], row["area_path"]))
    contact = contact_of(row, places)
    return replace(
        record,
        where=places.where(row["area"], row["area_path"], row["address"] or row["address_string"]),
        contact=contact,
        contact_name=contact.name if contact else None,
        contact_phone=contact.phone if contact else None,
    )


async def joined_by(actor: Actor, rows: list[dict]) -> set[int]:
    """Which of these common needs the actor joined (+1): one query for a whole page."""
    common = [row["id"] for row in rows if row["scope"] == "common" and row["resident"] != actor.member_id]
    if not common:
        return set()
    found = await NeedSupporter.select(NeedSupporter.need).where(
        NeedSupporter.need.is_in(common) & (NeedSupporter.member == actor.member_id)
    )
    return {row["need"] for row in found}


async def working_on(actor: Actor, need_ids: list[int]) -> set[int]:
    """Which of these needs the actor (or an organisation they represent) works on now: an
    active claim, or a live assignment, on one of its tasks. One query for a whole page."""
    if not need_ids:
        return set()
    me, ids = actor.member_id, ", ".join("{}" for _ in need_ids)
    represented = ", ".join(str(int(organisation)) for organisation in actor.represented) or "NULL"
    active = ", ".join(f"'{state}'" for state in ACTIVE_CLAIMS)
    live = ", ".join(f"'{state}'" for state in LIVE_ASSIGNMENTS)
    rows = await Task.raw(
        f"SELECT DISTINCT w.need AS need FROM projects_task w WHERE w.need IN ({ids}) AND ("
        f"(w.status IN ({live}) "
        f"AND (w.assignee_member = {{}} OR w.assignee_organisation IN ({represented}))) "
        f"OR EXISTS (SELECT 1 FROM projects_claim c WHERE c.task = w.id AND c.status IN ({active}) "
        f"AND (c.member = {{}} OR c.organisation IN ({represented}))))",
        *need_ids,
        me,
        me,
    )
    return {row["need"] for row in rows}


async def records(actor: Actor, rows: list[dict]) -> list[NeedRecord]:
    """The rows ``actor`` may see, as records with their actions and work orders, in order: a
    few queries for a whole page (who joined, who works on them, their areas' names and contacts)."""
    joined = await joined_by(actor, rows)
    facts = {row["id"]: NeedFacts.of(row, joined=row["id"] in joined) for row in rows}
    # Who works on a need sees it (what the work is for) and its work order: asked only about
    # the needs the actor would not otherwise see whole.
    working = await working_on(
        actor, [row["id"] for row in rows if not need_rules.sees_contact(actor, facts[row["id"]])]
    )
    for need_id in working:
        facts[need_id] = replace(facts[need_id], working=True)
    seen = [row for row in rows if need_rules.sees(actor, facts[row["id"]])]
    places = await look_up_places(
        [row["area_path"] for row in seen],
        contacts_for=[
            row["area_path"]
            for row in seen
            if row["scope"] == "common" and need_rules.sees_contact(actor, facts[row["id"]])
        ],
    )
    return [record for row in rows if (record := as_record(actor, row, facts[row["id"]], places)) is not None]


async def view_need(actor: Actor, need_id: int) -> NeedRecord:
    row = await select_needs().where(Need.id == need_id).first()
    found = await records(actor, [row]) if row else []
    if not found:  # another resident's private need does not exist, as far as you know
        raise errors.NotFound(thing=N_("need"))
    return found[0]


async def facts_of(row: dict, actor: Actor | None = None) -> NeedFacts:
    """The facts of a need row loaded (and locked) by a use case: the paths of its areas, and
    whether ``actor`` joined it."""
    ids = {row["area"], row["handling_area"]}
    areas = {
        area["id"]: area
        for area in await Area.select(Area.id, Area.path, Area.level).where(Area.id.is_in(sorted(ids)))
    }
    joined = False
    if actor is not None and row["scope"] == "common":
        joined = await NeedSupporter.exists().where(
            (NeedSupporter.need == row["id"]) & (NeedSupporter.member == actor.member_id)
        )
    facts = NeedFacts.of(
        {
            **row,
            "area_path": areas[row["area"]]["path"],
            "handling_path": areas[row["handling_area"]]["path"],
            "handling_level": areas[row["handling_area"]]["level"],
        },
        joined=joined,
    )
    if (
        actor is not None
        and not need_rules.sees_contact(actor, facts)
        and row["id"] in await working_on(actor, [row["id"]])
    ):
        facts = replace(facts, working=True)
    return facts


async def locked(actor: Actor, need_id: int, rule) -> tuple[dict, NeedFacts]:
    """The need's row, locked, and its facts, once ``rule`` lets the actor act on it."""
    row = await load(Need, "need", need_id)
    facts = await facts_of(row, actor)
    refuse(rule(actor, facts))
    return row, facts


async def records_by_id(actor: Actor, need_ids: list[int]) -> list[NeedRecord]:
    """These needs as ``actor`` may see them, in the order given (those they may not see left out)."""
    if not need_ids:
        return []
    rows = {row["id"]: row for row in await select_needs().where(Need.id.is_in(need_ids))}
    return await records(actor, [rows[need_id] for need_id in need_ids if need_id in rows])


async def list_needs(
    actor: Actor,
    *,
    mine: bool = False,
    area_id: int | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    scope: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE,
) -> NeedPage:
    """Newest first. ``mine``: what I reported or asked for. Otherwise the needs of an area I
    manage (``area_id``, or all of mine), plus the common needs of my community."""
    limit = max(1, min(limit, 200))
    query = select_needs().order_by(Need.id, ascending=False).limit(limit + 1)
    if mine:
        query = query.where((Need.resident == actor.member_id) | (Need.reporter == actor.member_id))
    elif area_id is not None:
        path = await area_path(area_id)
        if actor.manages(path):
            query = query.where(under(Need.area.path, path) | under(Need.handling_area.path, path))
        elif actor.near(path):
            query = query.where(under(Need.area.path, path) & (Need.scope == "common"))
        else:
            raise errors.NotAllowed()
    elif not actor.is_admin:
        clause = (Need.resident == actor.member_id) | (Need.reporter == actor.member_id)
        for grant in actor.grants:
            if grant.role in ("leader", "staff"):
                clause = (
                    clause | under(Need.area.path, grant.path) | under(Need.handling_area.path, grant.path)
                )
        for community in actor.communities():
            clause = clause | (under(Need.area.path, community) & (Need.scope == "common"))
        query = query.where(clause)
    if status is not None:
        query = query.where(Need.status == status)
    if overdue is not None:
        query = query.where(Need.overdue == overdue)
    if scope is not None:
        if scope not in SCOPES:
            raise errors.Invalid(N_("The scope is personal or common."), field="scope")
        query = query.where(Need.scope == scope)
    before = parse_cursor(cursor)
    if before is not None:
        query = query.where(Need.id < before)
    rows = await query
    items = await records(actor, rows[:limit])
    return NeedPage(items, str(rows[limit - 1]["id"]) if len(rows) > limit else None)


async def join_need(actor: Actor, need_id: int, *, now: datetime) -> NeedRecord:
    """+1 on a neighbour's common need."""
    async with atomic():
        row, _ = await locked(actor, need_id, need_rules.join)
        await NeedSupporter.insert(NeedSupporter(need=need_id, member=actor.member_id, created_at=now))
        await trace(Need, "need", row, "join", actor=actor.member_id, now=now, supporters=Need.supporters + 1)
    return await view_need(actor, need_id)


async def reject_need(actor: Actor, need_id: int, *, reason: str, now: datetime) -> NeedRecord:
    reason = text(reason, REASON_MAX_CHARS, N_("reason"), required=True)
    async with atomic():
        row, _ = await locked(actor, need_id, need_rules.reject)
        await move(
            Need,
            "need",
            row,
            "rejected",
            "reject",
            actor=actor.member_id,
            now=now,
            why=reason,
            reason=reason,
            handled_by=actor.member_id,
        )
    return await view_need(actor, need_id)


async def merge_need(actor: Actor, need_id: int, *, into: int, now: datetime) -> NeedRecord:
    """A duplicate joins the need it repeats: its resident and supporters support that one."""
    if need_id == into:
        raise errors.Invalid(N_("A need cannot be merged into itself."), field="into")
    async with atomic():
        first, second = sorted((need_id, into))  # lock in id order: two merges never wait on each other
        rows = {first: await load(Need, "need", first), second: await load(Need, "need", second)}
        row, target = rows[need_id], rows[into]
        refuse(need_rules.merge(actor, await facts_of(row)))
        refuse(need_rules.merge_into(actor, await facts_of(target)))
        supporters = {row["resident"]} | {
            supporter["member"]
            for supporter in await NeedSupporter.select(NeedSupporter.member).where(
                NeedSupporter.need == need_id
            )
        }
        existing = {
            supporter["member"]
            for supporter in await NeedSupporter.select(NeedSupporter.member).where(
                NeedSupporter.need == into
            )
        }
        added = sorted(supporters - existing - {target["resident"]})
        if added:
            await NeedSupporter.insert(
                *(NeedSupporter(need=into, member=member, created_at=now) for member in added)
            )
            await Need.update({Need.supporters: Need.supporters + len(added)}).where(Need.id == into)
        await move(
            Need,
            "need",
            row,
            "merged",
            "merge",
            actor=actor.member_id,
            now=now,
            why=f"#{into}",
            merged_into=into,
            handled_by=actor.member_id,
        )
    return await view_need(actor, need_id)


async def cancel_need(actor: Actor, need_id: int, *, reason: str = "", now: datetime) -> NeedRecord:
    """The resident (or whoever reported it) withdraws a need nobody has taken up yet."""
    reason = text(reason, REASON_MAX_CHARS, N_("reason"))
    async with atomic():
        row, _ = await locked(actor, need_id, need_rules.cancel)
        await move(Need, "need", row, "cancelled", "cancel", actor=actor.member_id, now=now, why=reason)
    return await view_need(actor, need_id)


# What residents do to a need (its reporter, its supporters): the rest is done by leaders and staff.
RESIDENTS_ACTIONS = frozenset({"report", "join", "cancel", "remove_photo"})


async def need_history(actor: Actor, need: NeedRecord) -> list[events.Trace]:
    """The trace of a need ``actor`` was shown (``view_need``); a neighbour who sees a common
    need without its reporter sees what residents did to it without who did it (reporter,
    supporters); leaders and staff are named."""
    history = await events.history("need", need.id)
    if need.resident is None:
        history = [
            replace(event, actor=None, hidden=True)
            if event.actor is not None and event.action in RESIDENTS_ACTIONS
            else event
            for event in history
        ]
    return history
