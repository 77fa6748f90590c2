"""Peer exchange, as in a classic time bank: members publish offers ("I can teach piano") and
requests ("I need a ride to hospital"); an exchange agreed between two members is paid from the
requester's own balance to the performer on confirmation. No points are issued.

An exchange is proposed by one party and accepted by the other; accepting holds the agreed
points on the requester's balance (a pending transfer), so the performer knows they will be
paid. The performer submits the minutes worked (at most those agreed); the requester confirms
(the hold is posted for the minutes worked, the rest returns) or disputes, and a leader or
staff member of the community settles. Either party can cancel before the work is submitted.
Gifts move points to another member or to the community's pool, traced like the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from ledger import errors as ledger_errors
from ledger.transfers import post_pending, reserve, transfer, void_pending
from market import errors as market_errors
from market import trace  # noqa: F401  (registers the market's subjects)
from market.accounts import open_pool
from market.tables import LISTING_KINDS, Exchange, Gift, Listing
from projects import errors, events
from projects.access import Actor, community_path
from projects.areas import get_area
from projects.categories import get_category
from projects.db import atomic
from projects.errors import N_
from projects.members import get_member, member_account
from projects.points import points_for
from projects.states import load, move, newest_first, require_state, text
from projects.tables import Member

logger = logging.getLogger(__name__)

PAGE = 50
MAX_MINUTES = 1440
MAX_GIFT = 1_000_000
# Work submitted and left unanswered this long is confirmed by the sweep: the performer is not
# left waiting on a requester who went silent (who had all that time to dispute it).
AUTO_CONFIRM = timedelta(days=7)


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


@dataclass(frozen=True, slots=True)
class ListingPage:
    items: list[ListingRecord]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class ExchangeRecord:
    id: int
    listing: int
    requester: int
    performer: int
    proposed_by: int
    minutes: int
    points_per_hour: int
    reserved: int
    worked_minutes: int | None
    points: int | None
    transfer_id: str | None
    status: str
    note: str
    reason: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class GiftRecord:
    id: int
    giver: int
    recipient: int | None
    community: int | None
    amount: int
    note: str
    created_at: datetime

    @property
    def transfer_id(self) -> str:
        return f"gift:{self.id}"


async def _home_community(actor: Actor) -> int:
    if not actor.home_path:
        raise errors.Invalid(N_("Only a member with a home in the community can do this."))
    return int(community_path(actor.home_path).strip("/").split("/")[-1])


# -- listings ----------------------------------------------------------------------------------------


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
        raise errors.Invalid(N_("A listing is an offer or a request."))
    title = text(title, 100, N_("title"), required=True)
    description = text(description, 2000, N_("description"))
    rate = points_per_hour if points_per_hour is not None else (await get_category(category)).points_per_hour
    if isinstance(rate, bool) or not 1 <= rate <= 1000:
        raise errors.Invalid(N_("Points per hour are 1 to 1000."))
    await get_category(category)
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
        if listing["member"] != actor.member_id:
            raise errors.NotFound(thing=N_("listing"))
        require_state(listing, "listing", ("open",), N_("close"))
        await move(Listing, "listing", listing, "closed", "close", actor=actor.member_id, now=now)
    return await get_listing(listing_id)


_LISTING = (Listing.all_columns(), Listing.member.name.as_alias("member_name"))


async def get_listing(listing_id: int) -> ListingRecord:
    row = await Listing.select(*_LISTING).where(Listing.id == listing_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("listing"))
    return ListingRecord(**row)


async def listing_titles(listing_ids) -> dict[int, str]:
    """The titles of these listings (for lists of exchanges whose parties may already see them)."""
    wanted = sorted({listing_id for listing_id in listing_ids if listing_id is not None})[:500]
    if not wanted:
        return {}
    rows = await Listing.select(Listing.id, Listing.title).where(Listing.id.is_in(wanted))
    return {row["id"]: row["title"] for row in rows}


def _my_communities(actor: Actor) -> list[int]:
    return [int(path.strip("/").split("/")[-1]) for path in actor.communities() if path.count("/") == 4]


async def view_listing(actor: Actor, listing_id: int) -> ListingRecord:
    listing = await get_listing(listing_id)
    if listing.member != actor.member_id and not actor.near((await get_area(listing.community)).path):
        raise errors.NotFound(thing=N_("listing"))
    return listing


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
    return ListingPage([ListingRecord(**row) for row in rows], next_cursor)


# -- exchanges ---------------------------------------------------------------------------------------


def _check_minutes(minutes: int) -> None:
    if isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise errors.Invalid(N_("Minutes are 1 to {limit}."), limit=MAX_MINUTES)


async def propose(
    actor: Actor, listing_id: int, minutes: int, *, note: str = "", now: datetime
) -> ExchangeRecord:
    """Answer a listing: take up an offer (I will pay) or a request (I will do it)."""
    _check_minutes(minutes)
    note = text(note, 500, N_("note"))
    async with atomic():
        listing = await load(Listing, "listing", listing_id)
        if not actor.near((await get_area(listing["community"])).path):
            raise errors.NotFound(thing=N_("listing"))
        if listing["member"] == actor.member_id:
            raise errors.NotAllowed(N_("You cannot answer your own listing."))
        require_state(listing, "listing", ("open",), N_("answer"))
        owner, other = listing["member"], actor.member_id
        requester, performer = (other, owner) if listing["kind"] == "offer" else (owner, other)
        if points_for(minutes, listing["points_per_hour"]) < 1:
            raise errors.Invalid(N_("That is worth less than one point: agree on more minutes."))
        rows = await Exchange.insert(
            Exchange(
                listing=listing_id,
                requester=requester,
                performer=performer,
                proposed_by=actor.member_id,
                minutes=minutes,
                points_per_hour=listing["points_per_hour"],
                status="proposed",
                note=note,
                created_at=now,
                updated_at=now,
            )
        ).returning(Exchange.id)
        exchange_id = rows[0]["id"]
        await events.record(
            "exchange", exchange_id, "propose", actor=actor.member_id, now=now, to_state="proposed"
        )
    return await get_exchange(exchange_id)


def _party(actor: Actor, exchange: dict) -> None:
    if actor.member_id not in (exchange["requester"], exchange["performer"]):
        raise errors.NotFound(thing=N_("exchange"))


async def accept(actor: Actor, exchange_id: int, *, now: datetime) -> ExchangeRecord:
    """The other party agrees: the requester's points are held until the work is confirmed."""
    amount = 0
    try:
        async with atomic():
            exchange = await load(Exchange, "exchange", exchange_id)
            _party(actor, exchange)
            if exchange["proposed_by"] == actor.member_id:
                raise errors.NotAllowed(N_("The other party accepts what you proposed."))
            require_state(exchange, "exchange", ("proposed",), N_("accept"))
            amount = points_for(exchange["minutes"], exchange["points_per_hour"])
            transfer_id = f"exchange:{exchange_id}"
            await reserve(
                transfer_id,
                member_account(exchange["requester"]),
                member_account(exchange["performer"]),
                amount,
                "PTS",
                reason="exchange",
                reference=f"exchange:{exchange_id}",
                now=now,
            )
            await move(
                Exchange, "exchange", exchange, "accepted", "accept", actor=actor.member_id, now=now,
                reserved=amount, transfer_id=transfer_id,
            )  # fmt: skip
    except ledger_errors.Overdraft:
        if actor.member_id == exchange["requester"]:
            raise await market_errors.insufficient(actor.member_id, amount) from None
        raise market_errors.RequesterShort(amount=amount) from None
    return await get_exchange(exchange_id)


async def decline(actor: Actor, exchange_id: int, *, reason: str = "", now: datetime) -> ExchangeRecord:
    reason = text(reason, 500, N_("reason"))
    async with atomic():
        exchange = await load(Exchange, "exchange", exchange_id)
        _party(actor, exchange)
        if exchange["proposed_by"] == actor.member_id:
            raise errors.NotAllowed(N_("The other party accepts what you proposed."))
        require_state(exchange, "exchange", ("proposed",), N_("decline"))
        await move(
            Exchange, "exchange", exchange, "declined", "decline", actor=actor.member_id, now=now, why=reason,
            reason=reason,
        )  # fmt: skip
    return await get_exchange(exchange_id)


async def _release(exchange: dict, suffix: str, *, now: datetime) -> None:
    await void_pending(
        f"{exchange['transfer_id']}:{suffix}",
        exchange["transfer_id"],
        reason="exchange",
        reference=f"exchange:{exchange['id']}",
        now=now,
    )


async def cancel(actor: Actor, exchange_id: int, *, reason: str = "", now: datetime) -> ExchangeRecord:
    """Either party, before the work is submitted; a hold is released."""
    reason = text(reason, 500, N_("reason"))
    async with atomic():
        exchange = await load(Exchange, "exchange", exchange_id)
        _party(actor, exchange)
        require_state(exchange, "exchange", ("proposed", "accepted"), N_("cancel"))
        if exchange["status"] == "accepted":
            await _release(exchange, "cancelled", now=now)
        await move(
            Exchange, "exchange", exchange, "cancelled", "cancel", actor=actor.member_id, now=now, why=reason,
            reason=reason,
        )  # fmt: skip
    return await get_exchange(exchange_id)


async def submit(
    actor: Actor, exchange_id: int, minutes: int, *, note: str = "", now: datetime
) -> ExchangeRecord:
    _check_minutes(minutes)
    note = text(note, 500, N_("note"))
    async with atomic():
        exchange = await load(Exchange, "exchange", exchange_id)
        _party(actor, exchange)
        if actor.member_id != exchange["performer"]:
            raise errors.NotAllowed(N_("Only who did the work submits it."))
        require_state(exchange, "exchange", ("accepted",), N_("submit"))
        if minutes > exchange["minutes"]:
            raise errors.Invalid(N_("At most the {minutes} minutes agreed."), minutes=exchange["minutes"])
        await move(
            Exchange, "exchange", exchange, "submitted", "submit", actor=actor.member_id, now=now,
            why=note, worked_minutes=minutes,
        )  # fmt: skip
    return await get_exchange(exchange_id)


async def _pay(
    exchange: dict, minutes: int, action: str, *, actor: int, now: datetime, why: str = ""
) -> None:
    """Post the hold for ``minutes`` worked (the rest goes back to the requester)."""
    points = points_for(minutes, exchange["points_per_hour"])
    if points:
        await post_pending(
            f"{exchange['transfer_id']}:confirmed",
            exchange["transfer_id"],
            points,
            reason="exchange",
            reference=f"exchange:{exchange['id']}",
            now=now,
        )
    else:
        await _release(exchange, "confirmed", now=now)
    await move(
        Exchange, "exchange", exchange, "confirmed", action, actor=actor, now=now, why=why,
        worked_minutes=minutes, points=points,
    )  # fmt: skip


async def confirm(actor: Actor, exchange_id: int, *, now: datetime) -> ExchangeRecord:
    """The requester confirms: the performer is paid once, however often this is called."""
    async with atomic():
        exchange = await load(Exchange, "exchange", exchange_id)
        _party(actor, exchange)
        if actor.member_id != exchange["requester"]:
            raise errors.NotAllowed(N_("Only who received the work confirms it."))
        if exchange["status"] != "confirmed":
            require_state(exchange, "exchange", ("submitted",), N_("confirm"))
            await _pay(exchange, exchange["worked_minutes"], "confirm", actor=actor.member_id, now=now)
    return await get_exchange(exchange_id)


async def confirm_overdue(*, now: datetime, page: int = 200) -> int:
    """The sweep: confirm every exchange submitted more than ``AUTO_CONFIRM`` ago and neither
    confirmed nor disputed since; one transaction each, paged by id."""
    confirmed, after = 0, 0
    while True:
        due = (
            await Exchange.select(Exchange.id)
            .where(
                (Exchange.status == "submitted")
                & (Exchange.updated_at <= now - AUTO_CONFIRM)
                & (Exchange.id > after)
            )
            .order_by(Exchange.id)
            .limit(page)
        )
        for row in due:
            after = row["id"]
            try:
                async with atomic():
                    exchange = await load(Exchange, "exchange", row["id"])
                    if exchange["status"] == "submitted":  # the requester may have been faster
                        why = N_("No answer within 7 days: confirmed by the system.")
                        await _pay(
                            exchange, exchange["worked_minutes"], "confirm", actor=None, now=now, why=why
                        )
                        confirmed += 1
            except Exception:  # one that fails must not hold back the others: logged, tried next time
                logger.exception("exchange %s could not be confirmed", row["id"])
        if len(due) < page:
            return confirmed


async def dispute(actor: Actor, exchange_id: int, *, reason: str, now: datetime) -> ExchangeRecord:
    reason = text(reason, 500, N_("reason"), required=True)
    async with atomic():
        exchange = await load(Exchange, "exchange", exchange_id)
        _party(actor, exchange)
        if actor.member_id != exchange["requester"]:
            raise errors.NotAllowed(N_("Only who received the work disputes it."))
        require_state(exchange, "exchange", ("submitted",), N_("dispute"))
        await move(
            Exchange, "exchange", exchange, "disputed", "dispute", actor=actor.member_id, now=now, why=reason,
            reason=reason,
        )  # fmt: skip
    return await get_exchange(exchange_id)


async def _overseen_at(exchange: dict) -> str:
    """Where the exchange is overseen: the requester's home (its leaders, and the staff above them)."""
    row = await Member.select(Member.home_area.path).where(Member.id == exchange["requester"]).first()
    return row["home_area.path"] or "/none/"


async def settle(
    actor: Actor, exchange_id: int, minutes: int, *, reason: str, now: datetime
) -> ExchangeRecord:
    """A leader or staff member over the requester's home decides a dispute: the minutes to pay
    (0: none)."""
    if isinstance(minutes, bool) or not 0 <= minutes <= MAX_MINUTES:
        raise errors.Invalid(N_("Minutes are 0 to {limit}."), limit=MAX_MINUTES)
    reason = text(reason, 500, N_("reason"), required=True)
    async with atomic():
        exchange = await load(Exchange, "exchange", exchange_id)
        if actor.member_id in (exchange["requester"], exchange["performer"]):
            raise errors.NotAllowed(N_("A party to an exchange cannot settle it."))
        if not actor.manages(await _overseen_at(exchange)):
            raise errors.NotFound(thing=N_("exchange"))
        require_state(exchange, "exchange", ("disputed",), N_("settle"))
        if minutes > exchange["minutes"]:
            raise errors.Invalid(N_("At most the {minutes} minutes agreed."), minutes=exchange["minutes"])
        await _pay(exchange, minutes, "settle", actor=actor.member_id, now=now, why=reason)
    return await get_exchange(exchange_id)


async def get_exchange(exchange_id: int) -> ExchangeRecord:
    row = await Exchange.select().where(Exchange.id == exchange_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("exchange"))
    return ExchangeRecord(**row)


async def view_exchange(actor: Actor, exchange_id: int) -> ExchangeRecord:
    record = await get_exchange(exchange_id)
    parties = (record.requester, record.performer)
    if actor.member_id not in parties and not actor.manages(
        await _overseen_at({"requester": record.requester})
    ):
        raise errors.NotFound(thing=N_("exchange"))
    return record


async def exchange_history(actor: Actor, exchange_id: int) -> list[events.Trace]:
    await view_exchange(actor, exchange_id)
    return await events.history("exchange", exchange_id)


async def list_exchanges(actor: Actor, *, status: str | None = None) -> list[ExchangeRecord]:
    """Mine, as requester or performer, newest first (the unfinished ones are few)."""
    query = (
        Exchange.select()
        .where((Exchange.requester == actor.member_id) | (Exchange.performer == actor.member_id))
        .order_by(Exchange.id, ascending=False)
        .limit(200)
    )
    if status is not None:
        query = query.where(Exchange.status == status)
    return [ExchangeRecord(**row) for row in await query]


# -- gifts -------------------------------------------------------------------------------------------


async def give(
    actor: Actor,
    amount: int,
    *,
    recipient_id: int | None = None,
    community_id: int | None = None,
    note: str = "",
    now: datetime,
) -> GiftRecord:
    """Give points to another member, or to one of my communities' pool."""
    if isinstance(amount, bool) or not 1 <= amount <= MAX_GIFT:
        raise errors.Invalid(N_("A gift is 1 to {limit} points."), limit=MAX_GIFT)
    if (recipient_id is None) == (community_id is None):
        raise errors.Invalid(N_("Give to a member or to the community."))
    if recipient_id == actor.member_id:
        raise errors.Invalid(N_("You cannot give points to yourself."))
    note = text(note, 500, N_("note"))
    if recipient_id is not None:
        await get_member(recipient_id)
        to = member_account(recipient_id)
    else:
        community = await get_area(community_id)
        if community.level != "community" or not actor.near(community.path):
            raise errors.NotFound(thing=N_("community"))
        to = await open_pool(community_id)
    try:
        async with atomic():
            rows = await Gift.insert(
                Gift(
                    giver=actor.member_id,
                    recipient=recipient_id,
                    community=community_id,
                    amount=amount,
                    note=note,
                    created_at=now,
                )
            ).returning(Gift.id)
            gift_id = rows[0]["id"]
            await transfer(
                f"gift:{gift_id}",
                member_account(actor.member_id),
                to,
                amount,
                "PTS",
                reason="gift",
                reference=f"gift:{gift_id}",
                memo=note[:200],
                now=now,
            )
            await events.record("gift", gift_id, "give", actor=actor.member_id, now=now, reason=note)
    except ledger_errors.Overdraft:
        raise await market_errors.insufficient(actor.member_id, amount) from None
    row = await Gift.select().where(Gift.id == gift_id).first()
    return GiftRecord(**row)


async def list_gifts(actor: Actor) -> list[GiftRecord]:
    rows = (
        await Gift.select()
        .where((Gift.giver == actor.member_id) | (Gift.recipient == actor.member_id))
        .order_by(Gift.id, ascending=False)
        .limit(200)
    )
    return [GiftRecord(**row) for row in rows]
