"""Offers and requests between members, as in a classic time bank: a member publishes what they
can do ("I can teach piano") or need ("I need a ride to hospital"), neighbours of their community
answer it with an exchange (``market.exchanges``), and its owner closes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from market import trace  # noqa: F401  (registers the market's subjects)
from market.limits import LISTING_DESCRIPTION_MAX_CHARS, LISTING_TITLE_MAX_CHARS, RATE_MAX_POINTS_PER_HOUR
from market.rules import exchange as rules
from market.rules import refuse
from market.rules.exchange import ListingFacts
from market.tables import LISTING_KINDS, Listing
from projects import errors, events
from projects.access import Actor, community_path
from projects.area_path import COMMUNITY_DEPTH, AreaPath
from projects.areas import get_area
from projects.categories import get_category
from projects.db import atomic
from projects.errors import N_
from projects.states import load, move, newest_first, text

PAGE = 50


@dataclass(frozen=True, slots=True)
class ListingRecord:
    id: int
    member: int
    member_name: str
    kind: str
    category: str
    community: int
    title: str
    description: str
    points_per_hour: int
    status: str
    created_at: datetime
    updated_at: datetime
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (market.rules.exchange)


@dataclass(frozen=True, slots=True)
class ListingPage:
    items: list[ListingRecord]
    next_cursor: str | None


async def _home_community(actor: Actor) -> int:
    if not actor.home_path:
        raise errors.Invalid(N_("Only a member with a home in the community can do this."))
    return AreaPath.parse(community_path(actor.home_path)).area_id


async def create_listing(
    actor: Actor,
    kind: str,
    category: str,
    title: str,
    *,
    description: str = "",
    points_per_hour: int | None = None,
    now: datetime,
) -> ListingRecord:
    if kind not in LISTING_KINDS:
        raise errors.Invalid(N_("A listing is an offer or a request."), field="kind")
    title = text(title, LISTING_TITLE_MAX_CHARS, N_("title"), field="title", required=True)
    description = text(description, LISTING_DESCRIPTION_MAX_CHARS, N_("description"), field="description")
    try:
        known = await get_category(category)
    except errors.NotFound as error:
        error.field = "category"
        raise
    rate = points_per_hour if points_per_hour is not None else known.points_per_hour
    if isinstance(rate, bool) or not 1 <= rate <= RATE_MAX_POINTS_PER_HOUR:
        raise errors.Invalid(
            N_("Points per hour are 1 to {limit}."), field="points_per_hour", limit=RATE_MAX_POINTS_PER_HOUR
        )
    community = await _home_community(actor)
    async with atomic():
        rows = await Listing.insert(
            Listing(
                member=actor.member_id,
                kind=kind,
                category=category,
                community=community,
                title=title,
                description=description,
                points_per_hour=rate,
                status="open",
                created_at=now,
                updated_at=now,
            )
        ).returning(Listing.id)
        listing_id = rows[0]["id"]
        await events.record("listing", listing_id, "publish", actor=actor.member_id, now=now, to_state="open")
    return await get_listing(listing_id)


async def close_listing(actor: Actor, listing_id: int, *, now: datetime) -> ListingRecord:
    async with atomic():
        listing = await load(Listing, "listing", listing_id)
        refuse(rules.close(actor, await listing_facts(listing)))
        await move(Listing, "listing", listing, "closed", "close", actor=actor.member_id, now=now)
    return await view_listing(actor, listing_id)


_LISTING = (
    Listing.all_columns(),
    Listing.member.name.as_alias("member_name"),
    Listing.community.path.as_alias("community_path"),
)


async def listing_facts(listing: dict) -> ListingFacts:
    """What the rules know of a listing row; a row loaded without its community's path (a locked
    one) has it read here."""
    path = listing.get("community_path") or (await get_area(listing["community"])).path
    return ListingFacts(listing["id"], listing["member"], listing["status"], path)


async def _listing_record(actor: Actor, row: dict) -> ListingRecord:
    facts = await listing_facts(row)
    values = {key: value for key, value in row.items() if key != "community_path"}
    return ListingRecord(**values, may=rules.listing_may(actor, facts))


async def get_listing(listing_id: int) -> ListingRecord:
    row = await Listing.select(*_LISTING).where(Listing.id == listing_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("listing"))
    return ListingRecord(**{key: value for key, value in row.items() if key != "community_path"})


async def listing_titles(listing_ids) -> dict[int, str]:
    """The titles of these listings (for lists of exchanges whose parties may already see them)."""
    wanted = sorted({listing_id for listing_id in listing_ids if listing_id is not None})[:500]
    if not wanted:
        return {}
    rows = await Listing.select(Listing.id, Listing.title).where(Listing.id.is_in(wanted))
    return {row["id"]: row["title"] for row in rows}


def _my_communities(actor: Actor) -> list[int]:
    return [
        parsed.area_id
        for parsed in map(AreaPath.parse, actor.communities())
        if parsed.level_index == COMMUNITY_DEPTH - 1
    ]


async def view_listing(actor: Actor, listing_id: int) -> ListingRecord:
    row = await Listing.select(*_LISTING).where(Listing.id == listing_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("listing"))
    refuse(rules.see_listing(actor, await listing_facts(row)))
    return await _listing_record(actor, row)


async def list_listings(
    actor: Actor,
    *,
    kind: str | None = None,
    category: str | None = None,
    mine: bool = False,
    cursor: str | None = None,
    limit: int = PAGE,
) -> ListingPage:
    """Newest first: the open offers and requests of my communities, or (``mine``) all of mine."""
    query = Listing.select(*_LISTING)
    if mine:
        query = query.where(Listing.member == actor.member_id)
    else:
        communities = _my_communities(actor) or [0]
        query = query.where(Listing.community.is_in(communities) & (Listing.status == "open"))
    if kind is not None:
        query = query.where(Listing.kind == kind)
    if category is not None:
        query = query.where((Listing.category == category) | (Listing.category.parent == category))
    rows, next_cursor = await newest_first(query, Listing.id, cursor, limit)
    return ListingPage([await _listing_record(actor, row) for row in rows], next_cursor)
