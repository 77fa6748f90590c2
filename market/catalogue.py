"""The catalogue: goods and services offered for points by merchants, organisations or the
community, each with its price, stock, per-member limit, the areas it serves and when.

An item serves an area and everything under it, so the items a member may redeem are those
serving one of the areas on the path to their home (or to where they hold a role): the path
holds the ancestors' ids, so that is one indexed ``IN`` on ``market_item_area``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from market import trace  # noqa: F401  (registers the market's subjects)
from market.tables import ITEM_KINDS, LIMIT_PERIODS, Item, ItemArea
from projects import errors, events
from projects.access import MANAGERS, Actor
from projects.areas import get_area, under
from projects.db import atomic
from projects.errors import N_
from projects.organisations import get_organisation
from projects.states import load, newest_first, text

ZONE = ZoneInfo("Asia/Shanghai")  # a per-member limit "per day" is a day in China
MAX_PRICE = 1_000_000
MAX_STOCK = 1_000_000_000
MAX_AREAS = 50
PAGE = 50
PERIODS = {"day": N_("day"), "week": N_("week"), "month": N_("month"), "year": N_("year")}


@dataclass(frozen=True, slots=True)
class ItemDraft:
    """What an item is made of (every field checked by ``_checked``)."""

    name: str
    price: int
    area_ids: list[int]
    kind: str = "goods"
    name_en: str = ""
    description: str = ""
    description_en: str = ""
    stock: int | None = None
    per_member_limit: int | None = None
    limit_period: str = "month"
    active_from: datetime | None = None
    active_until: datetime | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class ItemRecord:
    id: int
    community: int
    organisation: int | None
    provider: str
    kind: str
    name: str
    name_en: str
    description: str
    description_en: str
    price: int
    stock: int | None
    per_member_limit: int | None
    limit_period: str
    active_from: datetime | None
    active_until: datetime | None
    active: bool
    created_at: datetime
    updated_at: datetime
    area_ids: list[int] = field(default_factory=list)

    def available(self, now: datetime) -> bool:
        return (
            self.active
            and (self.active_from is None or self.active_from <= now)
            and (self.active_until is None or now < self.active_until)
        )


@dataclass(frozen=True, slots=True)
class ItemPage:
    items: list[ItemRecord]
    next_cursor: str | None


def period_start(period: str, now: datetime) -> datetime:
    """The start of the day, week (Monday), month or year that ``now`` falls in, in China."""
    local = now.astimezone(ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        local -= timedelta(days=local.weekday())
    elif period == "month":
        local = local.replace(day=1)
    elif period == "year":
        local = local.replace(month=1, day=1)
    return local


def places(actor: Actor) -> list[int]:
    """The ids of every area on the path to the actor's home and to each area they hold a role in:
    the areas whose items serve them."""
    paths = [actor.home_path, *(grant.path for grant in actor.grants)]
    return sorted({int(part) for path in paths if path for part in path.strip("/").split("/")})


def _checked(draft: ItemDraft) -> ItemDraft:
    if draft.kind not in ITEM_KINDS:
        raise errors.Invalid(N_("Unknown kind of item {kind}."), kind=draft.kind)
    if draft.limit_period not in LIMIT_PERIODS:
        raise errors.Invalid(N_("Unknown period {period}."), period=draft.limit_period)
    if isinstance(draft.price, bool) or not 1 <= draft.price <= MAX_PRICE:
        raise errors.Invalid(N_("A price is 1 to {limit} points."), limit=MAX_PRICE)
    if draft.stock is not None and not 0 <= draft.stock <= MAX_STOCK:
        raise errors.Invalid(N_("Stock is 0 to {limit}, or empty for unlimited."), limit=MAX_STOCK)
    if draft.per_member_limit is not None and not 1 <= draft.per_member_limit <= 1000:
        raise errors.Invalid(N_("A limit per member is 1 to 1000, or empty for none."))
    if draft.active_from and draft.active_until and draft.active_until <= draft.active_from:
        raise errors.Invalid(N_("An item's offer must end after it starts."))
    if not 1 <= len(set(draft.area_ids)) <= MAX_AREAS:
        raise errors.Invalid(N_("An item serves 1 to {limit} areas."), limit=MAX_AREAS)
    return replace(
        draft,
        name=text(draft.name, 100, N_("name"), required=True),
        name_en=text(draft.name_en, 100, N_("English name")),
        description=text(draft.description, 2000, N_("description")),
        description_en=text(draft.description_en, 2000, N_("English description")),
        area_ids=sorted(set(draft.area_ids)),
    )


def _columns(draft: ItemDraft) -> dict:
    """The draft's values for the item's own row (its areas are rows of their own)."""
    return {f.name: getattr(draft, f.name) for f in fields(draft) if f.name != "area_ids"}


async def _may_offer(actor: Actor, community_id: int, organisation_id: int | None) -> None:
    """Items are offered in a community by its staff (the community's own, or for one of its
    organisations) or by an organisation's representative; the organisation must belong to the
    community (its area is in it, or it covers the community: a street's social organisation)."""
    community = await get_area(community_id)
    if community.level != "community":
        raise errors.Invalid(N_("Items are offered in a community."))
    if organisation_id is not None:
        home = await get_area((await get_organisation(organisation_id)).area)
        if not (community.contains(home.path) or home.contains(community.path)):
            raise errors.Invalid(N_("This organisation does not serve this community."))
    if actor.is_staff(community.path):
        return
    if organisation_id is not None and actor.represents(organisation_id):
        return
    raise errors.NotAllowed()


async def _areas_within(community_id: int, area_ids: list[int]) -> None:
    community = await get_area(community_id)
    for area_id in area_ids:
        if not community.contains((await get_area(area_id)).path):
            raise errors.Invalid(N_("An item serves areas of its own community only."))


async def create_item(
    actor: Actor, draft: ItemDraft, *, community_id: int, organisation_id: int | None = None, now: datetime
) -> ItemRecord:
    draft = _checked(draft)
    async with atomic():
        await _may_offer(actor, community_id, organisation_id)
        await _areas_within(community_id, draft.area_ids)
        rows = await Item.insert(
            Item(
                **_columns(draft),
                community=community_id,
                organisation=organisation_id,
                created_by=actor.member_id,
                created_at=now,
                updated_at=now,
            )
        ).returning(Item.id)
        item_id = rows[0]["id"]
        await ItemArea.insert(*(ItemArea(item=item_id, area=area_id) for area_id in draft.area_ids))
        await events.record("item", item_id, "create", actor=actor.member_id, now=now)
    return await get_item(item_id)


async def update_item(actor: Actor, item_id: int, draft: ItemDraft, *, now: datetime) -> ItemRecord:
    """Change an item (its price applies to redemptions made from now on; those pending keep
    what they reserved). Not its stock: redemptions move that while a form is open, so it
    changes by ``restock`` only."""
    draft = _checked(draft)
    async with atomic():
        item = await load(Item, "item", item_id)
        await _may_offer(actor, item["community"], item["organisation"])
        await _areas_within(item["community"], draft.area_ids)
        values = {getattr(Item, key): value for key, value in _columns(draft).items() if key != "stock"}
        await Item.update({**values, Item.updated_at: now}).where(Item.id == item_id)
        await ItemArea.delete().where(ItemArea.item == item_id)
        await ItemArea.insert(*(ItemArea(item=item_id, area=area_id) for area_id in draft.area_ids))
        await events.record("item", item_id, "update", actor=actor.member_id, now=now)
    return await get_item(item_id)


async def restock(
    actor: Actor, item_id: int, *, add: int | None = None, unlimited: bool = False, now: datetime
) -> ItemRecord:
    """Add to (or, negative, take from) what is left; or make the stock unlimited. An unlimited
    item given ``add`` is counted from then on, starting at ``add``. Never below zero."""
    if unlimited == (add is not None):
        raise errors.Invalid(N_("Say how much to add to the stock, or make it unlimited."))
    if add is not None and (isinstance(add, bool) or not -MAX_STOCK <= add <= MAX_STOCK):
        raise errors.Invalid(N_("Stock is 0 to {limit}, or empty for unlimited."), limit=MAX_STOCK)
    async with atomic():
        item = await load(Item, "item", item_id)
        await _may_offer(actor, item["community"], item["organisation"])
        if unlimited:
            stock = None
        else:
            stock = (item["stock"] or 0) + add if item["stock"] is not None else add
            if not 0 <= stock <= MAX_STOCK:
                raise errors.Invalid(
                    N_("Only {stock} left: not enough for {quantity}."),
                    stock=item["stock"] or 0,
                    quantity=-add,
                )
        await Item.update({Item.stock: stock, Item.updated_at: now}).where(Item.id == item_id)
        await events.record("item", item_id, "restock", actor=actor.member_id, now=now, reason=str(add or ""))
    return await get_item(item_id)


_SELECT = (
    Item.all_columns(),
    Item.organisation.name.as_alias("provider_name"),
    Item.community.name.as_alias("community_name"),
)


def _record(row: dict, area_ids: list[int]) -> ItemRecord:
    provider = row.pop("provider_name") or row.pop("community_name")
    row.pop("community_name", None)
    for key in ("created_by",):
        row.pop(key)
    return ItemRecord(**row, provider=provider, area_ids=area_ids)


async def _with_areas(rows: list[dict]) -> list[ItemRecord]:
    ids = [row["id"] for row in rows]
    areas: dict[int, list[int]] = {item_id: [] for item_id in ids}
    if ids:
        for link in await ItemArea.select(ItemArea.item, ItemArea.area).where(ItemArea.item.is_in(ids)):
            areas[link["item"]].append(link["area"])
    return [_record(row, sorted(areas[row["id"]])) for row in rows]


async def get_item(item_id: int) -> ItemRecord:
    row = await Item.select(*_SELECT).where(Item.id == item_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("item"))
    return (await _with_areas([row]))[0]


def _visible(actor: Actor):
    """Items that serve the actor, that they provide, or whose community they manage."""
    clause = Item.id.is_in(ItemArea.select(ItemArea.item).where(ItemArea.area.is_in(places(actor) or [0])))
    represented = actor.represented
    if represented:
        clause = clause | Item.organisation.is_in(represented)
    for grant in actor.grants:
        if grant.role in MANAGERS:
            clause = clause | under(Item.community.path, grant.path)
    return clause


async def serves(actor: Actor, item_id: int) -> bool:
    """Does the item serve one of the actor's areas (may they redeem it)?"""
    return await ItemArea.exists().where(
        (ItemArea.item == item_id) & ItemArea.area.is_in(places(actor) or [0])
    )


async def view_item(actor: Actor, item_id: int) -> ItemRecord:
    query = Item.select(*_SELECT).where(Item.id == item_id)
    row = await (query if actor.is_admin else query.where(_visible(actor))).first()
    if row is None:
        raise errors.NotFound(thing=N_("item"))
    return (await _with_areas([row]))[0]


async def list_catalogue(
    actor: Actor,
    *,
    now: datetime,
    organisation_id: int | None = None,
    community_id: int | None = None,
    community_own: bool = False,
    kind: str | None = None,
    everything: bool = False,
    cursor: str | None = None,
    limit: int = PAGE,
) -> ItemPage:
    """Newest first: the items offered to me now; ``everything`` adds those paused, sold out or
    out of their window (what a provider or manager wants to see)."""
    query = Item.select(*_SELECT)
    if not actor.is_admin:
        query = query.where(_visible(actor))
    if organisation_id is not None:
        query = query.where(Item.organisation == organisation_id)
    if community_id is not None:
        query = query.where(Item.community == community_id)
    if community_own:  # the community's own items, no merchant's
        query = query.where(Item.organisation.is_null())
    if kind is not None:
        query = query.where(Item.kind == kind)
    if not everything:
        query = query.where(
            (Item.active == True)  # noqa: E712  (a column comparison, not a truth test)
            & (Item.active_from.is_null() | (Item.active_from <= now))
            & (Item.active_until.is_null() | (Item.active_until > now))
        )
    rows, next_cursor = await newest_first(query, Item.id, cursor, limit)
    return ItemPage(await _with_areas(rows), next_cursor)
