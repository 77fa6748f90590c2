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

from ledger.accounts import get_account
from market import trace  # noqa: F401  (registers the market's subjects)
from market.limits import (
    ITEM_DESCRIPTION_MAX_CHARS,
    ITEM_MAX_AREAS,
    ITEM_NAME_MAX_CHARS,
    PER_MEMBER_MAX_REDEMPTIONS,
    PRICE_MAX_POINTS,
    REASON_MAX_CHARS,
    STOCK_MAX_ITEMS,
)
from market.rules import catalogue as item_rules
from market.rules import refuse
from market.rules.catalogue import ItemFacts
from market.tables import ITEM_KINDS, LIMIT_PERIODS, Item, ItemArea, Redemption
from projects import errors, events
from projects.access import MANAGERS, Actor
from projects.area_path import AreaPath
from projects.areas import get_area, under
from projects.db import atomic
from projects.errors import N_
from projects.members import member_account
from projects.organisations import get_organisation
from projects.states import load, newest_first, text
from projects.tables import Area

ZONE = ZoneInfo("Asia/Shanghai")  # a per-member limit "per day" is a day in China
PAGE = 50
PERIODS = item_rules.PERIODS


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
    withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime
    area_ids: list[int] = field(default_factory=list)
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (market.rules.catalogue)
    # Why a member it serves may not redeem it now (the refusal's msgid and params), if so.
    redeem_refusal: tuple[str, dict] | None = None

    def available(self, now: datetime) -> bool:
        return on_offer(self.active, self.withdrawn_at, self.active_from, self.active_until, now)


def on_offer(
    active: bool,
    withdrawn_at: datetime | None,
    active_from: datetime | None,
    active_until: datetime | None,
    now: datetime,
) -> bool:
    """Turned on, not withdrawn, and inside its window (if it has one)."""
    return (
        active
        and withdrawn_at is None
        and (active_from is None or active_from <= now)
        and (active_until is None or now < active_until)
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
    return sorted({area_id for path in paths if path for area_id in AreaPath.parse(path).ids})


def _checked(draft: ItemDraft) -> ItemDraft:
    if draft.kind not in ITEM_KINDS:
        raise errors.Invalid(N_("Unknown kind of item {kind}."), field="kind", kind=draft.kind)
    if draft.limit_period not in LIMIT_PERIODS:
        raise errors.Invalid(N_("Unknown period {period}."), field="limit_period", period=draft.limit_period)
    if isinstance(draft.price, bool) or not 1 <= draft.price <= PRICE_MAX_POINTS:
        raise errors.Invalid(N_("A price is 1 to {limit} points."), field="price", limit=PRICE_MAX_POINTS)
    if draft.stock is not None and not 0 <= draft.stock <= STOCK_MAX_ITEMS:
        raise errors.Invalid(
            N_("Stock is 0 to {limit}, or empty for unlimited."), field="stock", limit=STOCK_MAX_ITEMS
        )
    if draft.per_member_limit is not None and not 1 <= draft.per_member_limit <= PER_MEMBER_MAX_REDEMPTIONS:
        raise errors.Invalid(
            N_("A limit per member is 1 to {limit}, or empty for none."),
            field="per_member_limit",
            limit=PER_MEMBER_MAX_REDEMPTIONS,
        )
    if draft.active_from and draft.active_until and draft.active_until <= draft.active_from:
        raise errors.Invalid(N_("An item's offer must end after it starts."), field="active_until")
    if not 1 <= len(set(draft.area_ids)) <= ITEM_MAX_AREAS:
        raise errors.Invalid(N_("An item serves 1 to {limit} areas."), field="area_ids", limit=ITEM_MAX_AREAS)
    return replace(
        draft,
        name=text(draft.name, ITEM_NAME_MAX_CHARS, N_("name"), field="name", required=True),
        name_en=text(draft.name_en, ITEM_NAME_MAX_CHARS, N_("English name"), field="name_en"),
        description=text(
            draft.description, ITEM_DESCRIPTION_MAX_CHARS, N_("description"), field="description"
        ),
        description_en=text(
            draft.description_en,
            ITEM_DESCRIPTION_MAX_CHARS,
            N_("English description"),
            field="description_en",
        ),
        area_ids=sorted(set(draft.area_ids)),
    )


def _columns(draft: ItemDraft) -> dict:
    """The draft's values for the item's own row (its areas are rows of their own)."""
    return {f.name: getattr(draft, f.name) for f in fields(draft) if f.name != "area_ids"}


async def _may_offer(actor: Actor, community_id: int, organisation_id: int | None) -> None:
    """Items are offered in a community, by an organisation that belongs to it (its area is in
    it, or it covers the community: a street's social organisation) or by the community itself;
    and by whoever provides them: the organisation's representative, or the community's staff
    for the community's own (``market.rules.catalogue.provides``)."""
    community = await get_area(community_id)
    if community.level != "community":
        raise errors.Invalid(N_("Items are offered in a community."), field="community_id")
    if organisation_id is not None:
        home = await get_area((await get_organisation(organisation_id)).area)
        if not (community.contains(home.path) or home.contains(community.path)):
            raise errors.Invalid(
                N_("This organisation does not serve this community."), field="organisation_id"
            )
    facts = ItemFacts(0, organisation_id, community.path, True, False, None, False)
    actor.require(item_rules.provides(actor, facts))


async def _areas_within(community_id: int, area_ids: list[int]) -> None:
    """Every area an item serves exists and lies in its community: one query for them all."""
    community = await get_area(community_id)
    wanted = set(area_ids)
    rows = await Area.select(Area.id, Area.path).where(Area.id.is_in(sorted(wanted))) if wanted else []
    if len(rows) < len(wanted):
        raise errors.NotFound(thing=N_("area"))
    if not all(community.contains(row["path"]) for row in rows):
        raise errors.Invalid(N_("An item serves areas of its own community only."), field="area_ids")


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
    return await view_item(actor, item_id, now=now)


async def _locked(actor: Actor, item_id: int, rule, now: datetime) -> dict:
    """The item's row, locked, once ``rule`` lets the actor act on it."""
    item = await load(Item, "item", item_id)
    facts = (await facts_for(actor, [{**item, "community_path": await _community_path(item)}], now))[item_id]
    refuse(rule(actor, facts))
    return item


async def _community_path(item: dict) -> str:
    return (await get_area(item["community"])).path


async def update_item(actor: Actor, item_id: int, draft: ItemDraft, *, now: datetime) -> ItemRecord:
    """Change an item (its price applies to redemptions made from now on; those pending keep
    what they reserved). Not its stock: redemptions move that while a form is open, so it
    changes by restocking and writing off only; nor whether it is on offer (``turn_off``)."""
    draft = _checked(draft)
    async with atomic():
        item = await _locked(actor, item_id, item_rules.edit, now)
        await _areas_within(item["community"], draft.area_ids)
        kept = ("stock", "active")
        values = {getattr(Item, key): value for key, value in _columns(draft).items() if key not in kept}
        await Item.update({**values, Item.updated_at: now}).where(Item.id == item_id)
        await ItemArea.delete().where(ItemArea.item == item_id)
        await ItemArea.insert(*(ItemArea(item=item_id, area=area_id) for area_id in draft.area_ids))
        await events.record("item", item_id, "update", actor=actor.member_id, now=now)
    return await view_item(actor, item_id, now=now)


def _quantity(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= STOCK_MAX_ITEMS:
        raise errors.Invalid(
            N_("Enter a whole number from {low} to {high}."), field=field, low=1, high=STOCK_MAX_ITEMS
        )
    return value


async def _set_stock(
    actor: Actor, item_id: int, rule, stock, action: str, *, now: datetime, why: str = ""
) -> ItemRecord:
    """Change the stock (``stock``: the new value, or a function of the old one), traced."""
    async with atomic():
        item = await _locked(actor, item_id, rule, now)
        new = stock(item["stock"]) if callable(stock) else stock
        if new is not None and new > STOCK_MAX_ITEMS:
            raise errors.Invalid(
                N_("Stock is 0 to {limit}, or empty for unlimited."), field="add", limit=STOCK_MAX_ITEMS
            )
        await Item.update({Item.stock: new, Item.updated_at: now}).where(Item.id == item_id)
        await events.record("item", item_id, action, actor=actor.member_id, now=now, reason=why)
    return await view_item(actor, item_id, now=now)


async def restock(actor: Actor, item_id: int, add: int, *, now: datetime) -> ItemRecord:
    """Add ``add`` (at least 1) to a counted stock. An unlimited item has no stock to add to."""
    add = _quantity(add, "add")
    return await _set_stock(
        actor, item_id, item_rules.restock, lambda stock: stock + add, "restock", now=now, why=f"+{add}"
    )


async def write_off(actor: Actor, item_id: int, quantity: int, *, reason: str, now: datetime) -> ItemRecord:
    """Take ``quantity`` broken or expired goods out of the stock, saying why (traced)."""
    quantity = _quantity(quantity, "quantity")
    reason = text(reason, REASON_MAX_CHARS, N_("reason"), field="reason", required=True)

    def lowered(stock: int) -> int:
        if quantity > stock:
            raise errors.Invalid(
                N_("Only {stock} left: you cannot write off {quantity}."),
                field="quantity",
                stock=stock,
                quantity=quantity,
            )
        return stock - quantity

    return await _set_stock(
        actor, item_id, item_rules.write_off, lowered, "write_off", now=now, why=f"-{quantity} {reason}"
    )


async def count_stock(actor: Actor, item_id: int, count: int, *, now: datetime) -> ItemRecord:
    """Start counting an unlimited item's stock, from ``count`` (0: sold out)."""
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= STOCK_MAX_ITEMS:
        raise errors.Invalid(
            N_("Enter a whole number from {low} to {high}."), field="count", low=0, high=STOCK_MAX_ITEMS
        )
    return await _set_stock(
        actor, item_id, item_rules.count_stock, count, "count_stock", now=now, why=str(count)
    )


async def unlimit_stock(actor: Actor, item_id: int, *, now: datetime) -> ItemRecord:
    """Stop counting the stock: the item is unlimited from now on."""
    return await _set_stock(actor, item_id, item_rules.unlimit_stock, None, "unlimit_stock", now=now)


async def _switch(
    actor: Actor, item_id: int, rule, action: str, values: dict, *, now: datetime
) -> ItemRecord:
    async with atomic():
        await _locked(actor, item_id, rule, now)
        await Item.update({**values, Item.updated_at: now}).where(Item.id == item_id)
        await events.record("item", item_id, action, actor=actor.member_id, now=now)
    return await view_item(actor, item_id, now=now)


async def turn_off(actor: Actor, item_id: int, *, now: datetime) -> ItemRecord:
    """Off offer for a while (nobody can redeem it); pending redemptions are still served."""
    return await _switch(actor, item_id, item_rules.turn_off, "turn_off", {Item.active: False}, now=now)


async def turn_on(actor: Actor, item_id: int, *, now: datetime) -> ItemRecord:
    return await _switch(actor, item_id, item_rules.turn_on, "turn_on", {Item.active: True}, now=now)


async def withdraw(actor: Actor, item_id: int, *, now: datetime) -> ItemRecord:
    """Out of the catalogue for good; pending redemptions are still fulfilled or rejected."""
    values = {Item.withdrawn_at: now, Item.active: False}
    return await _switch(actor, item_id, item_rules.withdraw, "withdraw", values, now=now)


# -- reading -----------------------------------------------------------------------------------------

_SELECT = (
    Item.all_columns(exclude=[Item.created_by]),
    Item.organisation.name.as_alias("provider_name"),
    Item.community.name.as_alias("community_name"),
    Item.community.path.as_alias("community_path"),
)


# What the actor redeemed of each limited item in its period (pending or fulfilled), in one query.
_TAKEN = """
SELECT r.item AS item, COALESCE(SUM(r.quantity), 0) AS taken
FROM market_redemption r JOIN market_item i ON i.id = r.item
WHERE r.member = {} AND r.status IN ('pending', 'fulfilled') AND i.per_member_limit IS NOT NULL
  AND ((i.limit_period = 'day' AND r.created_at >= {})
       OR (i.limit_period = 'week' AND r.created_at >= {})
       OR (i.limit_period = 'month' AND r.created_at >= {})
       OR (i.limit_period = 'year' AND r.created_at >= {}))
  AND r.item IN ({ids})
GROUP BY r.item
"""


async def facts_for(actor: Actor, rows: list[dict], now: datetime) -> dict[int, ItemFacts]:
    """The rules' facts of each item row (with ``community_path``), by id, for the whole list at
    once: which serve the actor (one query), their available balance (one), and what they
    redeemed this period of those with a per-member limit (one)."""
    ids = [row["id"] for row in rows]
    served: set[int] = set()
    if ids and places(actor):
        found = await ItemArea.select(ItemArea.item).where(
            ItemArea.item.is_in(ids) & ItemArea.area.is_in(places(actor))
        )
        served = {row["item"] for row in found}
    available = None
    if served:
        account = await get_account(member_account(actor.member_id))
        available = account.balance.available if account else 0
    limited = [row["id"] for row in rows if row["id"] in served and row["per_member_limit"] is not None]
    taken: dict[int, int] = {}
    if limited:
        starts = [period_start(period, now) for period in ("day", "week", "month", "year")]
        query = _TAKEN.replace("{ids}", ", ".join("{}" for _ in limited))
        for found in await Redemption.raw(query, actor.member_id, *starts, *limited):
            taken[found["item"]] = int(found["taken"])
    return {
        row["id"]: ItemFacts(
            id=row["id"],
            organisation=row["organisation"],
            community_path=row["community_path"],
            active=row["active"],
            withdrawn=row["withdrawn_at"] is not None,
            stock=row["stock"],
            on_offer=on_offer(
                row["active"], row["withdrawn_at"], row["active_from"], row["active_until"], now
            ),
            serves_actor=row["id"] in served,
            price=row["price"],
            available_points=available,
            per_member_limit=row["per_member_limit"],
            limit_period=row["limit_period"],
            taken=taken.get(row["id"], 0),
        )
        for row in rows
    }


def _record(
    row: dict, area_ids: list[int], actor: Actor | None = None, facts: ItemFacts | None = None
) -> ItemRecord:
    row = dict(row)
    provider = row.pop("provider_name") or row["community_name"]
    for key in ("community_name", "community_path"):
        row.pop(key, None)
    if actor is None or facts is None:
        return ItemRecord(**row, provider=provider, area_ids=area_ids)
    refusal = item_rules.redeem(actor, facts) if facts.serves_actor else None
    return ItemRecord(
        **row,
        provider=provider,
        area_ids=area_ids,
        may=item_rules.may(actor, facts),
        redeem_refusal=(refusal.template, refusal.params) if refusal else None,
    )


async def _areas_of(rows: list[dict]) -> dict[int, list[int]]:
    ids = [row["id"] for row in rows]
    areas: dict[int, list[int]] = {item_id: [] for item_id in ids}
    if ids:
        for link in await ItemArea.select(ItemArea.item, ItemArea.area).where(ItemArea.item.is_in(ids)):
            areas[link["item"]].append(link["area"])
    return {item_id: sorted(found) for item_id, found in areas.items()}


async def records(actor: Actor, rows: list[dict], now: datetime) -> list[ItemRecord]:
    """The item rows ``actor`` may see, as records with what they may do now, in order."""
    facts = await facts_for(actor, rows, now)
    areas = await _areas_of(rows)
    return [
        _record(row, areas[row["id"]], actor, facts[row["id"]])
        for row in rows
        if item_rules.sees(actor, facts[row["id"]])
    ]


async def get_item(item_id: int) -> ItemRecord:
    """An item as it is (for the domain's own use: no viewer, no actions)."""
    row = await Item.select(*_SELECT).where(Item.id == item_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("item"))
    return _record(row, (await _areas_of([row]))[item_id])


def _visible(actor: Actor):
    """Items that serve the actor, that they provide, or whose community they manage (what
    ``market.rules.catalogue.sees`` allows, as a query)."""
    clause = Item.id.is_in(ItemArea.select(ItemArea.item).where(ItemArea.area.is_in(places(actor) or [0])))
    represented = actor.represented
    if represented:
        clause = clause | Item.organisation.is_in(represented)
    for grant in actor.grants:
        if grant.role in MANAGERS:
            clause = clause | under(Item.community.path, grant.path)
    return clause


async def view_item(actor: Actor, item_id: int, *, now: datetime) -> ItemRecord:
    row = await Item.select(*_SELECT).where(Item.id == item_id).first()
    found = await records(actor, [row], now) if row else []
    if not found:
        raise errors.NotFound(thing=N_("item"))
    return found[0]


async def provided_item(actor: Actor, item_id: int, *, now: datetime) -> ItemRecord:
    """An item as its provider runs it (anyone else: not allowed, or not there)."""
    row = await Item.select(*_SELECT).where(Item.id == item_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("item"))
    facts = (await facts_for(actor, [row], now))[item_id]
    if not item_rules.provides(actor, facts):
        raise item_rules.hidden(actor, facts)
    return (await records(actor, [row], now))[0]


async def item_history(actor: Actor, item_id: int, *, now: datetime) -> list[events.Trace]:
    await provided_item(actor, item_id, now=now)
    return await events.history("item", item_id)


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
    """Newest first: the items offered to me now; ``everything`` adds those turned off, sold out
    or out of their window (what a provider or manager wants to see). Withdrawn items are gone."""
    query = Item.select(*_SELECT).where(Item.withdrawn_at.is_null())
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
    return ItemPage(await records(actor, rows, now), next_cursor)
