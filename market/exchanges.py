"""Exchanges between two members, as in a classic time bank: one answers another's listing
(``market.listings``) and is paid, or pays, from the requester's own balance to the performer on
confirmation. No points are issued.

An exchange is proposed by one party and accepted by the other; accepting holds the agreed
points on the requester's balance (a pending transfer), so the performer knows they will be
paid. The performer submits the minutes worked (at most those agreed); the requester confirms
(the hold is posted for the minutes worked, the rest returns) or disputes, and a leader or
staff member of the community settles. Either party can cancel before the work is submitted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from ledger import errors as ledger_errors
from ledger.accounts import balance
from ledger.transfers import post_pending, reserve, void_pending
from market import errors as market_errors
from market import trace  # noqa: F401  (registers the market's subjects)
from market.limits import EXCHANGE_MAX_MINUTES, NOTE_MAX_CHARS
from market.listings import listing_facts
from market.rules import exchange as rules
from market.rules import refuse
from market.rules.exchange import ExchangeFacts
from market.tables import Exchange, Listing
from projects import errors, events
from projects.access import Actor
from projects.db import atomic
from projects.errors import N_
from projects.members import member_account
from projects.points import points_for
from projects.states import load, move, text
from projects.tables import Member

logger = logging.getLogger(__name__)

# Work submitted and left unanswered this long is confirmed by the sweep: the performer is not
# left waiting on a requester who went silent (who had all that time to dispute it).
AUTO_CONFIRM = timedelta(days=7)


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
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (market.rules.exchange)


def _check_minutes(minutes: int) -> None:
    if isinstance(minutes, bool) or not 1 <= minutes <= EXCHANGE_MAX_MINUTES:
        raise errors.Invalid(N_("Minutes are 1 to {limit}."), field="minutes", limit=EXCHANGE_MAX_MINUTES)


async def propose(
    actor: Actor, listing_id: int, minutes: int, *, note: str = "", now: datetime
) -> ExchangeRecord:
    """Answer a listing: take up an offer (I will pay) or a request (I will do it). Who answers
    an offer must be able to pay it now: it is refused at once, not when the other agrees."""
    _check_minutes(minutes)
    note = text(note, NOTE_MAX_CHARS, N_("note"), field="note")
    async with atomic():
        listing = await load(Listing, "listing", listing_id)
        refuse(rules.propose(actor, await listing_facts(listing)))
        owner, other = listing["member"], actor.member_id
        requester, performer = (other, owner) if listing["kind"] == "offer" else (owner, other)
        amount = points_for(minutes, listing["points_per_hour"])
        if amount < 1:
            raise errors.Invalid(
                N_("That is worth less than one point: agree on more minutes."), field="minutes"
            )
        if requester == actor.member_id and (await balance(member_account(requester))).available < amount:
            error = await market_errors.insufficient(requester, amount)
            error.field = "minutes"
            raise error
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
    return await view_exchange(actor, exchange_id)


async def _locked(actor: Actor, exchange_id: int, rule) -> dict:
    """The exchange, locked, once ``rule`` lets the actor act on it."""
    exchange = await load(Exchange, "exchange", exchange_id)
    refuse(rule(actor, await _exchange_facts(exchange)))
    return exchange


async def accept(actor: Actor, exchange_id: int, *, now: datetime) -> ExchangeRecord:
    """The other party agrees: the requester's points are held until the work is confirmed.
    A requester who cannot pay learns it now (their own balance); a performer who agrees to a
    requester who no longer can is told only that the proposal was declined."""
    declined = False
    async with atomic():
        exchange = await _locked(actor, exchange_id, rules.accept)
        amount = points_for(exchange["minutes"], exchange["points_per_hour"])
        transfer_id = f"exchange:{exchange_id}"
        try:
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
        except ledger_errors.Overdraft:
            if actor.member_id == exchange["requester"]:
                error = await market_errors.insufficient(actor.member_id, amount)
                raise error from None
            # The requester's balance is theirs: the performer learns only that it is declined.
            why = N_("The exchange could not be agreed: declined by the system.")
            await move(
                Exchange, "exchange", exchange, "declined", "decline", actor=None, now=now, why=why,
                reason=why,
            )  # fmt: skip
            declined = True
        else:
            await move(
                Exchange, "exchange", exchange, "accepted", "accept", actor=actor.member_id, now=now,
                reserved=amount, transfer_id=transfer_id,
            )  # fmt: skip
    if declined:
        raise market_errors.ProposalDeclined()
    return await view_exchange(actor, exchange_id)


async def decline(actor: Actor, exchange_id: int, *, reason: str = "", now: datetime) -> ExchangeRecord:
    reason = text(reason, NOTE_MAX_CHARS, N_("reason"), field="reason")
    async with atomic():
        exchange = await _locked(actor, exchange_id, rules.decline)
        await move(
            Exchange, "exchange", exchange, "declined", "decline", actor=actor.member_id, now=now, why=reason,
            reason=reason,
        )  # fmt: skip
    return await view_exchange(actor, exchange_id)


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
    reason = text(reason, NOTE_MAX_CHARS, N_("reason"), field="reason")
    async with atomic():
        exchange = await _locked(actor, exchange_id, rules.cancel)
        if exchange["status"] == "accepted":
            await _release(exchange, "cancelled", now=now)
        await move(
            Exchange, "exchange", exchange, "cancelled", "cancel", actor=actor.member_id, now=now, why=reason,
            reason=reason,
        )  # fmt: skip
    return await view_exchange(actor, exchange_id)


async def submit(
    actor: Actor, exchange_id: int, minutes: int, *, note: str = "", now: datetime
) -> ExchangeRecord:
    _check_minutes(minutes)
    note = text(note, NOTE_MAX_CHARS, N_("note"), field="note")
    async with atomic():
        exchange = await _locked(actor, exchange_id, rules.submit)
        if minutes > exchange["minutes"]:
            raise errors.Invalid(
                N_("At most the {minutes} minutes agreed."), field="minutes", minutes=exchange["minutes"]
            )
        await move(
            Exchange, "exchange", exchange, "submitted", "submit", actor=actor.member_id, now=now,
            why=note, worked_minutes=minutes,
        )  # fmt: skip
    return await view_exchange(actor, exchange_id)


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
        facts = await _exchange_facts(exchange)
        if exchange["status"] == "confirmed" and actor.member_id == exchange["requester"]:
            refuse(rules.see(actor, facts))
        else:
            refuse(rules.confirm(actor, facts))
            await _pay(exchange, exchange["worked_minutes"], "confirm", actor=actor.member_id, now=now)
    return await view_exchange(actor, exchange_id)


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
    reason = text(reason, NOTE_MAX_CHARS, N_("reason"), field="reason", required=True)
    async with atomic():
        exchange = await _locked(actor, exchange_id, rules.dispute)
        await move(
            Exchange, "exchange", exchange, "disputed", "dispute", actor=actor.member_id, now=now, why=reason,
            reason=reason,
        )  # fmt: skip
    return await view_exchange(actor, exchange_id)


async def settle(
    actor: Actor, exchange_id: int, minutes: int, *, reason: str, now: datetime
) -> ExchangeRecord:
    """A leader or staff member over the requester's home decides a dispute: the minutes to pay
    (0: none)."""
    if isinstance(minutes, bool) or not 0 <= minutes <= EXCHANGE_MAX_MINUTES:
        raise errors.Invalid(N_("Minutes are 0 to {limit}."), field="minutes", limit=EXCHANGE_MAX_MINUTES)
    reason = text(reason, NOTE_MAX_CHARS, N_("reason"), field="reason", required=True)
    async with atomic():
        exchange = await _locked(actor, exchange_id, rules.settle)
        if minutes > exchange["minutes"]:
            raise errors.Invalid(
                N_("At most the {minutes} minutes agreed."), field="minutes", minutes=exchange["minutes"]
            )
        await _pay(exchange, minutes, "settle", actor=actor.member_id, now=now, why=reason)
    return await view_exchange(actor, exchange_id)


_EXCHANGE = (Exchange.all_columns(), Exchange.requester.home_area.path.as_alias("requester_home_path"))


async def _exchange_facts(exchange: dict) -> ExchangeFacts:
    if "requester_home_path" in exchange:
        home = exchange["requester_home_path"]
    else:
        row = await Member.select(Member.home_area.path).where(Member.id == exchange["requester"]).first()
        home = row["home_area.path"] if row else None
    return ExchangeFacts(
        id=exchange["id"],
        requester=exchange["requester"],
        performer=exchange["performer"],
        proposed_by=exchange["proposed_by"],
        status=exchange["status"],
        requester_home_path=home or "",
    )


async def _exchange_record(actor: Actor, row: dict) -> ExchangeRecord:
    values = {key: value for key, value in row.items() if key != "requester_home_path"}
    return ExchangeRecord(**values, may=rules.may(actor, await _exchange_facts(row)))


async def get_exchange(exchange_id: int) -> ExchangeRecord:
    row = await Exchange.select().where(Exchange.id == exchange_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("exchange"))
    return ExchangeRecord(**row)


async def view_exchange(actor: Actor, exchange_id: int) -> ExchangeRecord:
    row = await Exchange.select(*_EXCHANGE).where(Exchange.id == exchange_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("exchange"))
    refuse(rules.see(actor, await _exchange_facts(row)))
    return await _exchange_record(actor, row)


async def exchange_history(actor: Actor, exchange_id: int) -> list[events.Trace]:
    await view_exchange(actor, exchange_id)
    return await events.history("exchange", exchange_id)


async def list_exchanges(
    actor: Actor, *, status: str | None = None, listing_id: int | None = None
) -> list[ExchangeRecord]:
    """Mine, as requester or performer, newest first (the unfinished ones are few)."""
    query = (
        Exchange.select(*_EXCHANGE)
        .where((Exchange.requester == actor.member_id) | (Exchange.performer == actor.member_id))
        .order_by(Exchange.id, ascending=False)
        .limit(200)
    )
    if status is not None:
        query = query.where(Exchange.status == status)
    if listing_id is not None:
        query = query.where(Exchange.listing == listing_id)
    return [await _exchange_record(actor, row) for row in await query]
