"""The market's notifications: what others (or the sweep) did to my redemptions, exchanges,
listings and gifts, to the redemptions of what my organisations provide, and to their bids;
read from the market's trace, newest first. Each says where to look (``href``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from market.tables import Bid, Exchange, Gift, Item, Listing, MarketEvent, Milestone, Redemption
from projects.access import Actor

LATEST = 20


@dataclass(frozen=True, slots=True)
class MarketNotification:
    seq: int
    subject: str
    subject_id: int
    action: str
    from_state: str
    to_state: str
    actor_name: str | None  # None: the system (the sweep)
    reason: str
    created_at: datetime
    href: str


def _href(subject: str, subject_id: int, calls: dict[tuple[str, int], int]) -> str:
    if subject == "redemption":
        return f"/redemptions/{subject_id}"
    if subject == "exchange":
        return f"/exchange/{subject_id}"
    if subject == "listing":
        return f"/exchange/listings/{subject_id}"
    if subject == "gift":
        return "/gifts"
    return f"/calls/{calls.get((subject, subject_id), subject_id)}"


async def market_notifications(actor: Actor, *, limit: int = LATEST) -> list[MarketNotification]:
    me = actor.member_id
    mine = {
        "redemption": Redemption.select(Redemption.id).where(Redemption.member == me),
        "exchange": Exchange.select(Exchange.id).where(
            (Exchange.requester == me) | (Exchange.performer == me)
        ),
        "listing": Listing.select(Listing.id).where(Listing.member == me),
        "gift": Gift.select(Gift.id).where(Gift.recipient == me),
    }
    represented = actor.represented
    if represented:
        provided = Redemption.select(Redemption.id).where(
            Redemption.item.is_in(Item.select(Item.id).where(Item.organisation.is_in(represented)))
        )
        bids = Bid.select(Bid.id).where(Bid.organisation.is_in(represented))
        mine["bid"] = bids
        mine["milestone"] = Milestone.select(Milestone.id).where(Milestone.bid.is_in(bids))
        mine["provided"] = provided
    about = None
    for subject, ids in mine.items():
        clause = (MarketEvent.subject == ("redemption" if subject == "provided" else subject)) & (
            MarketEvent.subject_id.is_in(ids)
        )
        about = clause if about is None else about | clause
    rows = (
        await MarketEvent.select(
            *MarketEvent.all_columns(exclude=[MarketEvent.actor]),
            MarketEvent.actor.name.as_alias("actor_name"),
        )
        .where(about & ((MarketEvent.actor != me) | MarketEvent.actor.is_null()))
        .order_by(MarketEvent.seq, ascending=False)
        .limit(limit)
    )
    calls: dict[tuple[str, int], int] = {}
    bid_ids = [row["subject_id"] for row in rows if row["subject"] == "bid"]
    milestone_ids = [row["subject_id"] for row in rows if row["subject"] == "milestone"]
    if bid_ids:
        for row in await Bid.select(Bid.id, Bid.call).where(Bid.id.is_in(bid_ids)):
            calls[("bid", row["id"])] = row["call"]
    if milestone_ids:
        for row in await Milestone.select(Milestone.id, Milestone.bid.call).where(
            Milestone.id.is_in(milestone_ids)
        ):
            calls[("milestone", row["id"])] = row["bid.call"]
    return [MarketNotification(**row, href=_href(row["subject"], row["subject_id"], calls)) for row in rows]
