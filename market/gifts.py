"""Gifts of points: a member gives points from their own balance to another member or to one of
their communities' pool, posted at once and traced like the rest of the market."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ledger import errors as ledger_errors
from ledger.accounts import balance
from ledger.transfers import transfer
from market import errors as market_errors
from market import trace  # noqa: F401  (registers the market's subjects)
from market.accounts import open_pool
from market.limits import GIFT_MAX_POINTS, NOTE_MAX_CHARS
from market.rules import gifts as gift_rules
from market.rules import refuse
from market.rules.gifts import GiverFacts, PoolFacts
from market.tables import Gift
from projects import errors, events
from projects.access import Actor
from projects.areas import get_area
from projects.db import atomic
from projects.errors import N_
from projects.members import get_member, member_account
from projects.states import text


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
    refuse(gift_rules.give(actor, GiverFacts((await balance(member_account(actor.member_id))).available)))
    if isinstance(amount, bool) or not 1 <= amount <= GIFT_MAX_POINTS:
        raise errors.Invalid(N_("A gift is 1 to {limit} points."), field="amount", limit=GIFT_MAX_POINTS)
    if (recipient_id is None) == (community_id is None):
        raise errors.Invalid(N_("Give to a member or to the community."), field="to")
    note = text(note, NOTE_MAX_CHARS, N_("note"), field="note")
    if recipient_id is not None:
        refuse(gift_rules.give_to_member(actor, recipient_id))
        recipient = await get_member(recipient_id)
        if not recipient.active:
            raise errors.NotFound(thing=N_("member"), field="recipient_id")
        to = member_account(recipient_id)
    else:
        refuse(gift_rules.give_to_pool(actor, await pool_facts(community_id)))
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
        error = await market_errors.insufficient(actor.member_id, amount)
        error.field = "amount"
        raise error from None
    row = await Gift.select().where(Gift.id == gift_id).first()
    return GiftRecord(**row)


async def pool_facts(community_id: int) -> PoolFacts:
    area = await get_area(community_id)
    return PoolFacts(area.id, area.path, area.level)


async def giving(actor: Actor, community_id: int | None) -> frozenset[str]:
    """What the actor may give now: to a member (``give``), to their community's pool
    (``give_to_pool``): nothing without points."""
    available = (await balance(member_account(actor.member_id))).available
    pool = await pool_facts(community_id) if community_id is not None else None
    return gift_rules.may(actor, GiverFacts(available, pool))


async def list_gifts(actor: Actor) -> list[GiftRecord]:
    rows = (
        await Gift.select()
        .where((Gift.giver == actor.member_id) | (Gift.recipient == actor.member_id))
        .order_by(Gift.id, ascending=False)
        .limit(200)
    )
    return [GiftRecord(**row) for row in rows]
