"""Who may see a listing or an exchange and what they may do to it now. Neighbours of the
listing's community answer it; its owner closes it. Of an exchange, the party who did not
propose it accepts or declines it; either party cancels it before the work is submitted; the
performer submits the minutes worked; the requester confirms or disputes them; a leader or staff
member over the requester's home, never a party, settles a dispute."""

from __future__ import annotations

from dataclasses import dataclass

from projects import errors
from projects.access import Actor
from projects.errors import N_
from projects.rules import allowed


@dataclass(frozen=True, slots=True)
class ListingFacts:
    id: int
    member: int
    status: str
    community_path: str


def listing_sees(actor: Actor, listing: ListingFacts) -> bool:
    return listing.member == actor.member_id or actor.near(listing.community_path)


def see_listing(actor: Actor, listing: ListingFacts) -> errors.ProjectError | None:
    return None if listing_sees(actor, listing) else errors.NotFound(thing=N_("listing"))


def close(actor: Actor, listing: ListingFacts) -> errors.ProjectError | None:
    if listing.member != actor.member_id:
        return errors.NotFound(thing=N_("listing"))
    return _state(listing.status, ("open",), N_("listing"), N_("close"))


def propose(actor: Actor, listing: ListingFacts) -> errors.ProjectError | None:
    """Take up an offer (and pay for it) or a request (and do it): a neighbour, not its owner."""
    if not listing_sees(actor, listing):
        return errors.NotFound(thing=N_("listing"))
    if listing.member == actor.member_id:
        return errors.NotAllowed(N_("You cannot answer your own listing."))
    return _state(listing.status, ("open",), N_("listing"), N_("answer"))


LISTING_RULES = {"close": close, "propose": propose}


def listing_may(actor: Actor, listing: ListingFacts) -> frozenset[str]:
    return allowed(actor, listing, LISTING_RULES)


@dataclass(frozen=True, slots=True)
class ExchangeFacts:
    id: int
    requester: int
    performer: int
    proposed_by: int
    status: str
    requester_home_path: str  # where it is overseen: the requester's home ("" if none)


def party(actor: Actor, exchange: ExchangeFacts) -> bool:
    return actor.member_id in (exchange.requester, exchange.performer)


def oversees(actor: Actor, exchange: ExchangeFacts) -> bool:
    """A leader or staff member over the requester's home."""
    return bool(exchange.requester_home_path) and actor.manages(exchange.requester_home_path)


def sees(actor: Actor, exchange: ExchangeFacts) -> bool:
    return party(actor, exchange) or oversees(actor, exchange)


def _hidden(actor: Actor, exchange: ExchangeFacts) -> errors.ProjectError:
    return errors.NotAllowed() if sees(actor, exchange) else errors.NotFound(thing=N_("exchange"))


def _state(status: str, states: tuple[str, ...], thing: str, action: str) -> errors.ProjectError | None:
    if status not in states:
        return errors.WrongState(thing=thing, state=status, action=action)
    return None


def see(actor: Actor, exchange: ExchangeFacts) -> errors.ProjectError | None:
    return None if sees(actor, exchange) else errors.NotFound(thing=N_("exchange"))


def _answer(actor: Actor, exchange: ExchangeFacts, action: str) -> errors.ProjectError | None:
    if not party(actor, exchange):
        return _hidden(actor, exchange)
    if exchange.proposed_by == actor.member_id:
        return errors.NotAllowed(N_("The other party accepts what you proposed."))
    return _state(exchange.status, ("proposed",), N_("exchange"), action)


def accept(actor: Actor, exchange: ExchangeFacts) -> errors.ProjectError | None:
    return _answer(actor, exchange, N_("accept"))


def decline(actor: Actor, exchange: ExchangeFacts) -> errors.ProjectError | None:
    return _answer(actor, exchange, N_("decline"))


def cancel(actor: Actor, exchange: ExchangeFacts) -> errors.ProjectError | None:
    """Either party, before the work is submitted (a hold is released)."""
    if not party(actor, exchange):
        return _hidden(actor, exchange)
    return _state(exchange.status, ("proposed", "accepted"), N_("exchange"), N_("cancel"))


def submit(actor: Actor, exchange: ExchangeFacts) -> errors.ProjectError | None:
    if not party(actor, exchange):
        return _hidden(actor, exchange)
    if actor.member_id != exchange.performer:
        return errors.NotAllowed(N_("Only who did the work submits it."))
    return _state(exchange.status, ("accepted",), N_("exchange"), N_("submit"))


def confirm(actor: Actor, exchange: ExchangeFacts) -> errors.ProjectError | None:
    if not party(actor, exchange):
        return _hidden(actor, exchange)
    if actor.member_id != exchange.requester:
        return errors.NotAllowed(N_("Only who received the work confirms it."))
    return _state(exchange.status, ("submitted",), N_("exchange"), N_("confirm"))


def dispute(actor: Actor, exchange: ExchangeFacts) -> errors.ProjectError | None:
    if not party(actor, exchange):
        return _hidden(actor, exchange)
    if actor.member_id != exchange.requester:
        return errors.NotAllowed(N_("Only who received the work disputes it."))
    return _state(exchange.status, ("submitted",), N_("exchange"), N_("dispute"))


def settle(actor: Actor, exchange: ExchangeFacts) -> errors.ProjectError | None:
    if party(actor, exchange):
        return errors.NotAllowed(N_("A party to an exchange cannot settle it."))
    if not oversees(actor, exchange):
        return errors.NotFound(thing=N_("exchange"))
    return _state(exchange.status, ("disputed",), N_("exchange"), N_("settle"))


RULES = {
    "accept": accept,
    "decline": decline,
    "cancel": cancel,
    "submit": submit,
    "confirm": confirm,
    "dispute": dispute,
    "settle": settle,
}


def may(actor: Actor, exchange: ExchangeFacts) -> frozenset[str]:
    return allowed(actor, exchange, RULES)
