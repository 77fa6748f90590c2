"""Redemptions: points held for an item, then fulfilled by its provider, or given back.

Redeeming holds the points (a pending ledger transfer from the member to the provider) and takes
the stock in one transaction; the member shows a short code that the provider enters or scans
to fulfil it (the hold is posted) or reject it. The member can cancel before fulfilment, and a
redemption not fulfilled in time expires. Rejected, cancelled and expired redemptions void the
hold and put the stock back. Nothing here can spend more than a member's available balance or
take stock below zero: the ledger refuses the one, the item's row lock and a CHECK the other.

Locks are taken item first, then redemption, whatever the use case.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from ledger import errors as ledger_errors
from ledger.accounts import get_account
from ledger.transfers import post_pending, reserve, void_pending
from market import errors as market_errors
from market import trace  # noqa: F401  (registers the market's subjects)
from market.catalogue import PERIODS, period_start
from market.catalogue import facts_for as item_facts
from market.limits import REASON_MAX_CHARS, REDEMPTION_CODE_MAX_CHARS, REDEMPTION_MAX_ITEMS
from market.rules import catalogue as item_rules
from market.rules import redemptions as rules
from market.rules import refuse
from market.rules.redemptions import RedemptionFacts
from market.tables import Item, Redemption
from projects import errors, events
from projects.access import Actor
from projects.areas import get_area, issuer_account
from projects.db import atomic, for_update
from projects.errors import N_
from projects.members import member_account
from projects.organisations import organisation_account
from projects.states import load, move, newest_first, text

logger = logging.getLogger(__name__)

HOLD = timedelta(days=3)  # how long a redemption waits for its provider before it expires
PAGE = 50
# Codes are read aloud and typed on a phone: no 0/O, 1/I/L.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


@dataclass(frozen=True, slots=True)
class RedemptionRecord:
    id: int
    item: int
    item_name: str
    provider: str  # the organisation (or the community) that provides the item
    member: int
    member_name: str
    quantity: int
    amount: int
    code: str  # "" for anyone but the member: the code is what proves they are there
    status: str
    took_stock: bool
    expires_at: datetime
    decided_by: int | None
    decided_by_name: str | None
    reason: str
    fulfilled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (market.rules.redemptions)

    @property
    def transfer_id(self) -> str:
        return hold_id(self.id)


@dataclass(frozen=True, slots=True)
class RedemptionPage:
    items: list[RedemptionRecord]
    next_cursor: str | None


def hold_id(redemption_id: int) -> str:
    """The ledger transfer that holds a redemption's points (derived: nothing to store)."""
    return f"redemption:{redemption_id}"


def new_code() -> str:
    """31⁸ ≈ 8.5 × 10¹¹ codes, drawn by ``secrets``: not guessable, and a clash (which the
    UNIQUE constraint would refuse) practically never happens."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(code: str) -> str:
    """What a person typed, as stored: no spaces or dashes, upper case."""
    return "".join(code.split()).replace("-", "").upper()


def provider_account(item: dict) -> str:
    """Points for a merchant's item go to the merchant; for the community's own, back to the
    community's issuer (they are no longer outstanding)."""
    if item["organisation"] is not None:
        return organisation_account(item["organisation"])
    return issuer_account(item["community"])


async def redeem(actor: Actor, item_id: int, quantity: int, *, now: datetime) -> RedemptionRecord:
    if isinstance(quantity, bool) or not 1 <= quantity <= REDEMPTION_MAX_ITEMS:
        raise errors.Invalid(N_("A quantity is 1 to {limit}."), field="quantity", limit=REDEMPTION_MAX_ITEMS)
    amount = 0
    try:
        async with atomic():
            item = await load(Item, "item", item_id)
            path = (await get_area(item["community"])).path
            facts = (await item_facts(actor, [{**item, "community_path": path}], now))[item_id]
            refuse(item_rules.redeem(actor, facts))
            if item["stock"] is not None and item["stock"] < quantity:
                raise market_errors.OutOfStock(stock=item["stock"], quantity=quantity, field="quantity")
            await _within_limit(actor.member_id, item, quantity, now)
            amount = item["price"] * quantity
            rows = await Redemption.insert(
                Redemption(
                    item=item_id,
                    member=actor.member_id,
                    quantity=quantity,
                    amount=amount,
                    code=new_code(),
                    status="pending",
                    took_stock=item["stock"] is not None,
                    expires_at=now + HOLD,
                    created_at=now,
                    updated_at=now,
                )
            ).returning(Redemption.id)
            redemption_id = rows[0]["id"]
            if item["stock"] is not None:
                await Item.update({Item.stock: Item.stock - quantity}).where(Item.id == item_id)
            await reserve(
                hold_id(redemption_id),
                member_account(actor.member_id),
                provider_account(item),
                amount,
                "PTS",
                reason="redemption",
                reference=f"item:{item_id}",
                memo=item["name"][:200],
                now=now,
            )
            await events.record(
                "redemption", redemption_id, "redeem", actor=actor.member_id, now=now, to_state="pending"
            )
    except ledger_errors.Overdraft:
        raise await market_errors.insufficient(actor.member_id, amount) from None
    return await view_redemption(actor, redemption_id, now=now)


async def _within_limit(member_id: int, item: dict, quantity: int, now: datetime) -> None:
    """The member's pending and fulfilled redemptions of the item this period, counted in SQL
    (the item's lock, held by the caller, keeps two of theirs from both fitting)."""
    limit = item["per_member_limit"]
    if limit is None:
        return
    rows = await Redemption.raw(
        "SELECT COALESCE(SUM(quantity), 0) AS taken FROM market_redemption "
        "WHERE member = {} AND item = {} AND created_at >= {} AND status IN ('pending', 'fulfilled')",
        member_id,
        item["id"],
        period_start(item["limit_period"], now),
    )
    taken = int(rows[0]["taken"])
    if taken + quantity > limit:
        raise market_errors.LimitReached(
            limit=limit, period=PERIODS[item["limit_period"]], left=max(0, limit - taken), field="quantity"
        )


async def _lock(redemption_id: int) -> tuple[dict, dict]:
    """The redemption and its item, locked item first; the item is found through the redemption
    in the same statement that locks it."""
    of_redemption = Redemption.select(Redemption.item).where(Redemption.id == redemption_id)
    item = await for_update(Item.select().where(Item.id.is_in(of_redemption))).first()
    if item is None:
        raise errors.NotFound(thing=N_("redemption"))
    return item, await load(Redemption, "redemption", redemption_id)


async def _locked(actor: Actor, redemption_id: int, rule, now: datetime) -> tuple[dict, dict, dict]:
    """The redemption's item and the redemption, locked, once ``rule`` lets the actor act; and
    the redemption as shown (with its names), to answer from once it has changed."""
    item, redemption = await _lock(redemption_id)
    row = (await Redemption.select(*_SELECT).where(Redemption.id == redemption_id).first()) or {}
    shown = {**row, **redemption}
    refuse(rule(actor, facts_of(shown, now)))
    return item, redemption, shown


def _answer(actor: Actor, shown: dict, moved: dict, now: datetime) -> RedemptionRecord:
    """The record of a redemption ``actor`` has just decided, from what was read before and the
    row ``move`` answered: no second read after the commit."""
    return _record(actor, {**shown, **moved, "decided_by_name": actor.name}, now)


async def _give_back(item: dict, redemption: dict, to: str, action: str, *, actor: int | None, now, why=""):
    """Void the hold and return the stock: the end of a rejected, cancelled or expired redemption."""
    await void_pending(
        f"{hold_id(redemption['id'])}:{to}",
        hold_id(redemption["id"]),
        reason=to,
        reference=f"redemption:{redemption['id']}",
        now=now,
    )
    if redemption["took_stock"] and item["stock"] is not None:  # what it took, to a stock still counted
        await Item.update({Item.stock: Item.stock + redemption["quantity"]}).where(Item.id == item["id"])
    return await move(
        Redemption, "redemption", redemption, to, action, actor=actor, now=now, why=why, decided_by=actor,
        reason=why,
    )  # fmt: skip


async def fulfil(actor: Actor, code: str, *, now: datetime) -> RedemptionRecord:
    """The provider enters the member's code: the points held are paid, once. A code already
    fulfilled, entered again, is refused with when and by whom (``AlreadyFulfilled``): nothing
    moves twice, and an old screenshot of a code passes for nothing. A code that is not one of
    the provider's is not there at all."""
    code = normal_code(code or "")
    if not code or len(code) > REDEMPTION_CODE_MAX_CHARS:
        raise errors.Invalid(N_("Enter the redemption code."), field="code")
    row = await Redemption.select(Redemption.id).where(Redemption.code == code).first()
    if row is None:
        raise errors.NotFound(thing=N_("redemption"), field="code")
    async with atomic():
        _, redemption, shown = await _locked(actor, row["id"], rules.fulfil, now)
        await post_pending(
            f"{hold_id(redemption['id'])}:fulfilled",
            hold_id(redemption["id"]),
            reason="redemption",
            reference=f"redemption:{redemption['id']}",
            now=now,
        )
        moved = await move(
            Redemption, "redemption", redemption, "fulfilled", "fulfil", actor=actor.member_id, now=now,
            decided_by=actor.member_id, fulfilled_at=now,
        )  # fmt: skip
    return _answer(actor, shown, moved, now)


async def reject(actor: Actor, redemption_id: int, *, reason: str, now: datetime) -> RedemptionRecord:
    reason = text(reason, REASON_MAX_CHARS, N_("reason"), field="reason", required=True)
    async with atomic():
        item, redemption, shown = await _locked(actor, redemption_id, rules.reject, now)
        moved = await _give_back(
            item, redemption, "rejected", "reject", actor=actor.member_id, now=now, why=reason
        )
    return _answer(actor, shown, moved, now)


async def cancel(actor: Actor, redemption_id: int, *, now: datetime) -> RedemptionRecord:
    async with atomic():
        item, redemption, shown = await _locked(actor, redemption_id, rules.cancel, now)
        moved = await _give_back(item, redemption, "cancelled", "cancel", actor=actor.member_id, now=now)
    return _answer(actor, shown, moved, now)


async def expire_due(*, now: datetime, page: int = 200) -> int:
    """Expire every pending redemption whose time is up: one transaction each, paged by id, so
    that one bad row cannot hold back the rest and a long backlog never sits in memory."""
    expired, after = 0, 0
    while True:
        due = (
            await Redemption.select(Redemption.id)
            .where(
                (Redemption.status == "pending") & (Redemption.expires_at <= now) & (Redemption.id > after)
            )
            .order_by(Redemption.id)
            .limit(page)
        )
        for row in due:
            after = row["id"]
            try:
                async with atomic():
                    item, redemption = await _lock(row["id"])
                    if redemption["status"] == "pending":  # a provider may have been faster
                        await _give_back(item, redemption, "expired", "expire", actor=None, now=now)
                        expired += 1
            except Exception:  # one that fails must not hold back the others: logged, tried next time
                logger.exception("redemption %s could not expire", row["id"])
        if len(due) < page:
            return expired


# -- reading -----------------------------------------------------------------------------------------

_SELECT = (
    Redemption.all_columns(),
    Redemption.item.name.as_alias("item_name"),
    Redemption.item.organisation.as_alias("item_organisation"),
    Redemption.item.organisation.name.as_alias("organisation_name"),
    Redemption.item.community.name.as_alias("community_name"),
    Redemption.item.community.path.as_alias("community_path"),
    Redemption.member.name.as_alias("member_name"),
    Redemption.decided_by.name.as_alias("decided_by_name"),
)


def facts_of(row: dict, now: datetime) -> RedemptionFacts:
    """The rules' facts of a redemption row selected with ``_SELECT``."""
    return RedemptionFacts(
        id=row["id"],
        member=row["member"],
        status=row["status"],
        organisation=row["item_organisation"],
        community_path=row["community_path"],
        expires_at=row["expires_at"],
        due=row["status"] == "pending" and now >= row["expires_at"],
        decided_at=row["fulfilled_at"] or row["updated_at"],
        decided_by_name=row["decided_by_name"] or "",
    )


RECORD_FIELDS = {f.name for f in fields(RedemptionRecord)} - {"provider", "may"}


def _record(actor: Actor, row: dict, now: datetime) -> RedemptionRecord:
    """The code only for the member who redeemed: to anyone else it would prove nothing."""
    may = rules.may(actor, facts_of(row, now))
    values = {key: value for key, value in row.items() if key in RECORD_FIELDS}
    if row["member"] != actor.member_id:
        values["code"] = ""
    provider = row["organisation_name"] or row["community_name"]
    return RedemptionRecord(**values, provider=provider, may=may)


async def _row(redemption_id: int) -> dict:
    row = await Redemption.select(*_SELECT).where(Redemption.id == redemption_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("redemption"))
    return row


async def view_redemption(actor: Actor, redemption_id: int, *, now: datetime) -> RedemptionRecord:
    """The member who redeemed and the item's provider see a redemption."""
    row = await _row(redemption_id)
    refuse(rules.see(actor, facts_of(row, now)))
    return _record(actor, row, now)


async def redemption_history(actor: Actor, redemption_id: int, *, now: datetime) -> list[events.Trace]:
    await view_redemption(actor, redemption_id, now=now)
    return await events.history("redemption", redemption_id)


async def _provided_by(actor: Actor, query, organisation_id: int | None, community_id: int | None):
    """``query`` narrowed to the redemptions of what an organisation I represent provides, or of
    the community's own items (staff): never a merchant's for the community's staff."""
    if organisation_id is not None:
        actor.require(actor.represents(organisation_id))
        return query.where(Redemption.item.organisation == organisation_id)
    actor.require(actor.is_staff((await get_area(community_id)).path))
    return query.where((Redemption.item.community == community_id) & Redemption.item.organisation.is_null())


async def list_redemptions(
    actor: Actor,
    *,
    now: datetime,
    organisation_id: int | None = None,
    community_id: int | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE,
) -> RedemptionPage:
    """Newest first: my own, or (``organisation_id``) those of the items an organisation I
    represent provides, or (``community_id``) those of a community's own items, for its staff."""
    query = Redemption.select(*_SELECT)
    if organisation_id is not None or community_id is not None:
        query = await _provided_by(actor, query, organisation_id, community_id)
    else:
        query = query.where(Redemption.member == actor.member_id)
    if status is not None:
        query = query.where(Redemption.status == status)
    rows, next_cursor = await newest_first(query, Redemption.id, cursor, limit)
    return RedemptionPage([_record(actor, row, now) for row in rows], next_cursor)


async def waiting(
    actor: Actor,
    *,
    now: datetime,
    organisation_id: int | None = None,
    community_id: int | None = None,
    limit: int = PAGE,
) -> list[RedemptionRecord]:
    """What waits for a provider, oldest first (who redeemed, and when): the first to serve."""
    query = Redemption.select(*_SELECT).where(Redemption.status == "pending")
    query = await _provided_by(actor, query, organisation_id, community_id)
    # By when they were made (ids follow it, but a history written afterwards need not).
    rows = await query.order_by(Redemption.created_at, Redemption.id).limit(max(1, min(limit, 200)))
    return [_record(actor, row, now) for row in rows]


@dataclass(frozen=True, slots=True)
class Totals:
    """Redemptions of a provider's items by state: how many, how many points."""

    count: dict[str, int]
    points: dict[str, int]


async def totals(
    actor: Actor, *, organisation_id: int | None = None, community_id: int | None = None
) -> Totals:
    """Grouped in SQL: a provider's own totals (an organisation's, or the community's own items')."""
    if organisation_id is not None:
        actor.require(actor.represents(organisation_id))
        where, value = "i.organisation = {}", organisation_id
    else:
        assert community_id is not None
        actor.require(actor.is_staff((await get_area(community_id)).path))
        where, value = "i.community = {} AND i.organisation IS NULL", community_id
    rows = await Redemption.raw(
        "SELECT r.status AS status, COUNT(*) AS n, COALESCE(SUM(r.amount), 0) AS points "
        "FROM market_redemption r JOIN market_item i ON i.id = r.item "
        f"WHERE {where} GROUP BY r.status",
        value,
    )
    count = dict.fromkeys(("pending", "fulfilled", "rejected", "cancelled", "expired"), 0)
    points = dict(count)
    for row in rows:
        count[row["status"]] = int(row["n"])
        points[row["status"]] = int(row["points"])
    return Totals(count, points)


@dataclass(frozen=True, slots=True)
class CommunityPoints:
    """Points a community has issued for work, those redeemed in its catalogue, and those still
    held by members and providers (what its issuer owes)."""

    issued: int
    returned: int
    outstanding: int
    redeemed: int
    pending_redemptions: int


async def community_points(actor: Actor, community_id: int) -> CommunityPoints:
    community = await get_area(community_id)
    if community.level != "community":
        raise errors.NotFound(thing=N_("community"))
    if not actor.near(community.path):  # published to the community: its people see it
        raise errors.NotFound(thing=N_("community"))
    issuer = await get_account(issuer_account(community_id))
    if issuer is None:
        raise errors.NotFound(thing=N_("community"))
    rows = await Redemption.raw(
        "SELECT r.status AS status, COALESCE(SUM(r.amount), 0) AS points "
        "FROM market_redemption r JOIN market_item i ON i.id = r.item "
        "WHERE i.community = {} AND r.status IN ('pending', 'fulfilled') GROUP BY r.status",
        community_id,
    )
    by_status = {row["status"]: int(row["points"]) for row in rows}
    return CommunityPoints(
        issued=issuer.debits_posted,
        returned=issuer.credits_posted,
        outstanding=issuer.debits_posted - issuer.credits_posted,
        redeemed=by_status.get("fulfilled", 0),
        pending_redemptions=by_status.get("pending", 0),
    )
