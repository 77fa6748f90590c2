"""Who may see an item of the catalogue and what they may do to it now: members it serves
redeem it; its provider (the organisation's representative, or the community's staff for the
community's own items) edits it, restocks it, writes stock off, turns it off and on, and
withdraws it."""

from __future__ import annotations

from dataclasses import dataclass

from market import errors as market_errors
from projects import errors
from projects.access import Actor
from projects.errors import N_
from projects.rules import allowed

# A period's name, for messages (``market.tables.LIMIT_PERIODS``).
PERIODS = {"day": N_("day"), "week": N_("week"), "month": N_("month"), "year": N_("year")}


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """The item's row as the rules see it, where it is offered, and whether it serves the actor."""

    id: int
    organisation: int | None  # None: the community's own item
    community_path: str
    active: bool
    withdrawn: bool
    stock: int | None  # None: unlimited
    on_offer: bool  # active, not withdrawn and inside its window now
    serves_actor: bool = False  # it serves one of the areas the actor lives or has a role in
    price: int = 0
    available_points: int | None = None  # the actor's available balance (None: not looked up)
    per_member_limit: int | None = None
    limit_period: str = "month"
    taken: int = 0  # what the actor redeemed of it this period (pending or fulfilled)


def provides(actor: Actor, item: ItemFacts) -> bool:
    """An organisation's item is its representative's to run; the community's own, its staff's."""
    if item.organisation is not None:
        return actor.represents(item.organisation)
    return actor.is_staff(item.community_path)


def sees(actor: Actor, item: ItemFacts) -> bool:
    """Members it serves, its provider, and the leaders and staff of its community."""
    return item.serves_actor or provides(actor, item) or actor.manages(item.community_path)


def hidden(actor: Actor, item: ItemFacts) -> errors.ProjectError:
    return errors.NotAllowed() if sees(actor, item) else errors.NotFound(thing=N_("item"))


def see(actor: Actor, item: ItemFacts) -> errors.ProjectError | None:
    return None if sees(actor, item) else errors.NotFound(thing=N_("item"))


def redeem(actor: Actor, item: ItemFacts) -> errors.ProjectError | None:
    """Members it serves redeem it while it is on offer and not sold out, within their limit
    for the period, if their available points pay for one (how many they ask for is checked by
    the redemption itself: the stock, the limit and the balance for that quantity)."""
    if not item.serves_actor:
        return errors.NotFound(thing=N_("item"))
    if not item.on_offer:
        return market_errors.Unavailable()
    if item.stock == 0:
        return market_errors.SoldOut()
    if item.per_member_limit is not None and item.taken >= item.per_member_limit:
        return market_errors.LimitReached(
            limit=item.per_member_limit, period=PERIODS[item.limit_period], left=0, field="quantity"
        )
    if item.available_points is not None and item.available_points < item.price:
        return market_errors.InsufficientBalance(available=item.available_points, amount=item.price)
    return None


def _provided(actor: Actor, item: ItemFacts, action: str) -> errors.ProjectError | None:
    if not provides(actor, item):
        return hidden(actor, item)
    if item.withdrawn:
        return errors.WrongState(thing=N_("item"), state=N_("withdrawn"), action=action)
    return None


def edit(actor: Actor, item: ItemFacts) -> errors.ProjectError | None:
    return _provided(actor, item, N_("change"))


def restock(actor: Actor, item: ItemFacts) -> errors.ProjectError | None:
    """Add to a counted stock; an unlimited item has none to add to."""
    refusal = _provided(actor, item, N_("restock"))
    if refusal is None and item.stock is None:
        return errors.Conflict(N_("This item is unlimited: it has no stock to change."), field="add")
    return refusal


def write_off(actor: Actor, item: ItemFacts) -> errors.ProjectError | None:
    """Take broken or expired goods out of a counted stock."""
    refusal = _provided(actor, item, N_("write off"))
    if refusal is None and item.stock is None:
        return errors.Conflict(N_("This item is unlimited: it has no stock to change."), field="quantity")
    if refusal is None and item.stock == 0:
        return errors.Conflict(N_("Nothing is left to write off."), field="quantity")
    return refusal


def count_stock(actor: Actor, item: ItemFacts) -> errors.ProjectError | None:
    """Start counting the stock of an unlimited item."""
    refusal = _provided(actor, item, N_("change"))
    if refusal is None and item.stock is not None:
        return errors.Conflict(
            N_("The stock of this item is already counted: add to it or write some off."), field="count"
        )
    return refusal


def unlimit_stock(actor: Actor, item: ItemFacts) -> errors.ProjectError | None:
    """Stop counting the stock: the item becomes unlimited."""
    refusal = _provided(actor, item, N_("change"))
    if refusal is None and item.stock is None:
        return errors.Conflict(N_("This item is already unlimited."))
    return refusal


def turn_off(actor: Actor, item: ItemFacts) -> errors.ProjectError | None:
    """Take the item off offer for a while (a holiday); it can be turned on again."""
    refusal = _provided(actor, item, N_("turn off"))
    if refusal is None and not item.active:
        return errors.Conflict(N_("This item is already turned off."))
    return refusal


def turn_on(actor: Actor, item: ItemFacts) -> errors.ProjectError | None:
    refusal = _provided(actor, item, N_("turn on"))
    if refusal is None and item.active:
        return errors.Conflict(N_("This item is already turned on."))
    return refusal


def withdraw(actor: Actor, item: ItemFacts) -> errors.ProjectError | None:
    """Take the item out of the catalogue for good (its pending redemptions are still served)."""
    return _provided(actor, item, N_("withdraw"))


RULES = {
    "redeem": redeem,
    "edit": edit,
    "restock": restock,
    "write_off": write_off,
    "count_stock": count_stock,
    "unlimit_stock": unlimit_stock,
    "turn_off": turn_off,
    "turn_on": turn_on,
    "withdraw": withdraw,
}


def may(actor: Actor, item: ItemFacts) -> frozenset[str]:
    return allowed(actor, item, RULES)
