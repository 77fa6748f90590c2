"""The community fund (社区基金): money given to a community, in fen, and what it pays out.

Donations are recorded by the community's staff, with who gave (a member, an organisation, or
someone from outside, who may stay anonymous) and their evidence: a receipt number (required from
``RECEIPT_FROM_FEN`` on: below it, cash in a donation box) and, if they like, a photo of the
receipt or the handover. They come into the fund from the world account; one over the community's
four-eyes threshold waits (``awaiting_approval``, no transfer) until a second staff member
approves it. Grants (the milestones of venture projects) go from the fund to an organisation's
money account, and the ledger refuses any that would take the fund below zero. Totals, movements
and donations are public; the evidence itself (the receipt number, the photo) is for the
community's staff, and the public sees that it exists.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ledger import errors as ledger_errors
from ledger.accounts import balance, get_account
from ledger.statements import StatementPage, statement
from ledger.transfers import transfer
from market import errors as market_errors
from market import trace  # noqa: F401  (registers the market's subjects)
from market.accounts import fund_account, open_fund, open_money_account, open_world
from market.limits import DONATION_MAX_FEN, DONATION_NOTE_MAX_CHARS, DONOR_NAME_MAX_CHARS, RECEIPT_MAX_CHARS
from market.rules import allowed, refuse
from market.rules import fund as fund_rules
from market.rules.fund import FundFacts
from market.tables import DONOR_KINDS, Donation
from projects import errors, events, issuance, media
from projects.access import Actor
from projects.areas import get_area
from projects.attachments import keep, kept_if_committed
from projects.db import atomic, for_update
from projects.errors import N_
from projects.images import Photo
from projects.members import get_member
from projects.organisations import get_organisation
from projects.rules.issuance import WAITING
from projects.states import newest_first, text

RECEIPT_FROM_FEN = 10_000  # ¥100: from this on a donation needs its receipt number
PAGE = 50


def yuan(fen: int) -> str:
    """An amount of money as people read it: ¥1234.50."""
    return f"¥{fen // 100}.{fen % 100:02d}"


@dataclass(frozen=True, slots=True)
class DonationRecord:
    id: int
    community: int
    donor_kind: str
    member: int | None
    organisation: int | None
    donor_name: str
    anonymous: bool
    amount: int
    note: str
    recorded_by: int
    created_at: datetime
    status: str = "received"  # awaiting_approval: not in the fund until a second staff member approves
    receipt_number: str = ""  # "" to those who may not see the evidence (``has_receipt`` says if any)
    has_receipt: bool = False
    has_photo: bool = False
    approved_by: int | None = None
    approved_at: datetime | None = None
    may: frozenset[str] = frozenset()  # "approve", when the viewer may approve it
    sees_evidence: bool = False  # the viewer sees the receipt number and the photo

    @property
    def transfer_id(self) -> str | None:
        return f"donation:{self.id}" if self.status == "received" else None

    @property
    def photo_url(self) -> str | None:
        return f"/donations/{self.id}/photo" if self.has_photo and self.sees_evidence else None

    @property
    def thumbnail_url(self) -> str | None:
        return f"/donations/{self.id}/photo/thumbnail" if self.has_photo and self.sees_evidence else None

    @property
    def public_name(self) -> str:
        """The donor as the public page shows them ("" for an anonymous donor)."""
        return "" if self.anonymous else self.donor_name


@dataclass(frozen=True, slots=True)
class DonationPage:
    items: list[DonationRecord]
    next_cursor: str | None


async def _community(community_id: int):
    community = await get_area(community_id)
    if community.level != "community":
        raise errors.NotFound(thing=N_("community"))
    return community


async def fund_facts(community_id: int) -> FundFacts:
    return FundFacts(community_id, (await _community(community_id)).path)


async def donate(
    actor: Actor,
    community_id: int,
    amount: int,
    *,
    donor_kind: str,
    member_id: int | None = None,
    organisation_id: int | None = None,
    donor_name: str = "",
    anonymous: bool = False,
    note: str = "",
    receipt_number: str = "",
    photo: Photo | None = None,
    now: datetime,
) -> DonationRecord:
    """Record money received for the fund (staff of the community), with its evidence (``photo``
    re-encoded by ``projects.attachments.prepare``); over the community's threshold it waits for
    a second staff member's approval before the fund has it."""
    if donor_kind not in DONOR_KINDS:
        raise errors.Invalid(N_("Unknown kind of donor {kind}."), field="donor_kind", kind=donor_kind)
    if isinstance(amount, bool) or not 1 <= amount <= DONATION_MAX_FEN:
        raise errors.Invalid(N_("An amount is at least 0.01 yuan."), field="amount")
    note = text(note, DONATION_NOTE_MAX_CHARS, N_("note"), field="note")
    donor_name = text(donor_name, DONOR_NAME_MAX_CHARS, N_("donor"), field="donor_name")
    receipt_number = text(receipt_number, RECEIPT_MAX_CHARS, N_("receipt number"), field="receipt_number")
    if not receipt_number and amount >= RECEIPT_FROM_FEN:
        raise errors.Invalid(
            N_("A donation of {amount} or more needs its receipt number."),
            field="receipt_number",
            amount=yuan(RECEIPT_FROM_FEN),
        )
    if (donor_kind == "member") != (member_id is not None) or (donor_kind == "organisation") != (
        organisation_id is not None
    ):
        raise errors.Invalid(
            N_("Say who gave: a member, an organisation, or someone from outside."), field="donor_kind"
        )
    community = await _community(community_id)
    refuse(fund_rules.donate(actor, FundFacts(community_id, community.path)))
    if donor_kind == "outside" and not (donor_name or anonymous):
        raise errors.Invalid(N_("Give the donor's name, or tick anonymous."), field="donor_name")
    if member_id is not None:
        donor_name = (await get_member(member_id)).name
    elif organisation_id is not None:
        try:
            donor_name = (await get_organisation(organisation_id)).name
        except errors.NotFound:
            raise errors.NotFound(thing=N_("organisation"), field="organisation_id") from None
    waits = issuance.needs_fund_approval(await issuance.policy_for(community_id), amount)
    status = WAITING if waits else "received"
    async with kept_if_committed(), atomic():
        if receipt_number and await Donation.exists().where(
            (Donation.community == community_id) & (Donation.receipt_number == receipt_number)
        ):
            raise errors.Conflict(
                N_("The receipt {number} is already recorded for another donation."),
                field="receipt_number",
                number=receipt_number,
            )
        rows = await Donation.insert(
            Donation(
                community=community_id,
                donor_kind=donor_kind,
                member=member_id,
                organisation=organisation_id,
                donor_name=donor_name,
                anonymous=anonymous,
                amount=amount,
                note=note,
                recorded_by=actor.member_id,
                created_at=now,
                status=status,
                receipt_number=receipt_number,
                photo_key=await keep(photo) if photo is not None else None,
            )
        ).returning(Donation.id)
        donation_id = rows[0]["id"]
        if not waits:
            await _receive(donation_id, community_id, amount, memo="" if anonymous else donor_name, now=now)
        await events.record(
            "donation", donation_id, "donate", actor=actor.member_id, now=now, to_state=status
        )
    return await view_donation(actor, donation_id)


async def _receive(donation_id: int, community_id: int, amount: int, *, memo: str, now: datetime) -> None:
    await transfer(
        f"donation:{donation_id}",
        await open_world(),
        await open_fund(community_id),
        amount,
        "CNY",
        reason="donation",
        reference=f"donation:{donation_id}",
        memo=memo[:200],
        now=now,
    )


def _facts(row: dict, fund: FundFacts) -> fund_rules.DonationFacts:
    return fund_rules.DonationFacts(fund, row["status"], row["recorded_by"])


def _record(row: dict, viewer: Actor | None, fund: FundFacts) -> DonationRecord:
    """A donation as ``viewer`` sees it: the evidence itself only if they may."""
    row = dict(row)
    photo_key = row.pop("photo_key", None)
    sees = fund_rules.sees_evidence(viewer, fund)
    record = DonationRecord(
        **row,
        has_receipt=bool(row["receipt_number"]),
        has_photo=photo_key is not None,
        may=allowed(viewer, _facts(row, fund), fund_rules.DONATION_RULES) if viewer else frozenset(),
        sees_evidence=sees,
    )
    return record if sees else replace(record, receipt_number="")


async def _donation_row(donation_id: int, *, lock: bool = False) -> dict:
    query = Donation.select().where(Donation.id == donation_id)
    row = await (for_update(query) if lock else query).first()
    if row is None:
        raise errors.NotFound(thing=N_("donation"))
    return row


async def view_donation(viewer: Actor | None, donation_id: int) -> DonationRecord:
    """Public, as the fund is; its evidence for those who may see it."""
    row = await _donation_row(donation_id)
    return _record(row, viewer, await fund_facts(row["community"]))


async def approve_donation(actor: Actor, donation_id: int, *, now: datetime) -> DonationRecord:
    """A second staff member (not who recorded it) approves a donation over the threshold: the
    fund receives it now."""
    async with atomic():
        row = await _donation_row(donation_id, lock=True)
        refuse(fund_rules.approve_donation(actor, _facts(row, await fund_facts(row["community"]))))
        await Donation.update(
            {Donation.status: "received", Donation.approved_by: actor.member_id, Donation.approved_at: now}
        ).where(Donation.id == donation_id)
        await _receive(
            donation_id,
            row["community"],
            row["amount"],
            memo="" if row["anonymous"] else row["donor_name"],
            now=now,
        )
        await events.record(
            "donation",
            donation_id,
            "approve",
            actor=actor.member_id,
            now=now,
            from_state=WAITING,
            to_state="received",
        )
    return await view_donation(actor, donation_id)


async def add_photo(actor: Actor, donation_id: int, photo: Photo, *, now: datetime) -> DonationRecord:
    """The community's staff add the photo of a donation's receipt or handover (one a donation)."""
    async with kept_if_committed(), atomic():
        row = await _donation_row(donation_id, lock=True)
        refuse(fund_rules.donate(actor, await fund_facts(row["community"])))
        if row["photo_key"] is not None:
            raise errors.Conflict(N_("This donation has its photo already."))
        await Donation.update({Donation.photo_key: await keep(photo)}).where(Donation.id == donation_id)
        await events.record("donation", donation_id, "add_photo", actor=actor.member_id, now=now)
    return await view_donation(actor, donation_id)


async def donation_history(donation_id: int) -> list[events.Trace]:
    """Who recorded and who approved a donation, when (public, as the donation is)."""
    await _donation_row(donation_id)
    return await events.history("donation", donation_id)


async def donation_photo(viewer: Actor | None, donation_id: int, *, thumbnail: bool = False) -> Path:
    """Where a donation's photo is, for those who may see its evidence (anyone else: no photo)."""
    row = await _donation_row(donation_id)
    if row["photo_key"] is None or not fund_rules.sees_evidence(viewer, await fund_facts(row["community"])):
        raise errors.NotFound(thing=N_("photo"))
    path = media.path_of(row["photo_key"], "thumbnail" if thumbnail else "image")
    if not await asyncio.to_thread(path.is_file):
        raise errors.NotFound(thing=N_("photo"))
    return path


async def pay_grant(
    community_id: int,
    organisation_id: int,
    amount: int,
    *,
    transfer_id: str,
    reference: str,
    memo: str = "",
    now: datetime,
) -> None:
    """Pay ``amount`` from the community's fund to the organisation, inside the caller's
    transaction; refused, with nothing written, if the fund holds less."""
    fund = await open_fund(community_id)
    try:
        await transfer(
            transfer_id,
            fund,
            await open_money_account(organisation_id),
            amount,
            "CNY",
            reason="grant",
            reference=reference,
            memo=memo[:200],
            now=now,
        )
    except ledger_errors.Overdraft:
        available = (await balance(fund)).available
        raise market_errors.FundTooLow(available=yuan(available), amount=yuan(amount)) from None


@dataclass(frozen=True, slots=True)
class FundTotals:
    community: int
    balance: int
    donated: int
    granted: int
    donations: int
    may: frozenset[str] = frozenset()  # what the viewer may do with it (market.rules.fund)


async def fund_totals(community_id: int, viewer: Actor | None = None) -> FundTotals:
    """Public: what the fund holds, has received and has paid out (in fen); with what the
    viewer (if signed in) may do with it."""
    community = await _community(community_id)
    may = fund_rules.may(viewer, FundFacts(community_id, community.path))
    account = await get_account(fund_account(community_id))
    rows = await Donation.raw(
        "SELECT COUNT(*) AS n FROM market_donation WHERE community = {} AND status = 'received'", community_id
    )
    if account is None:
        return FundTotals(community_id, 0, 0, 0, int(rows[0]["n"]), may)
    return FundTotals(
        community=community_id,
        balance=account.credits_posted - account.debits_posted,
        donated=account.credits_posted,
        granted=account.debits_posted,
        donations=int(rows[0]["n"]),
        may=may,
    )


async def fund_movements(community_id: int, *, cursor: str | None = None, limit: int = PAGE):
    """Public: the fund's ledger statement, newest first (donations in, grants out)."""
    await _community(community_id)
    if await get_account(fund_account(community_id)) is None:
        return StatementPage(items=[], next_cursor=None)
    return await statement(fund_account(community_id), cursor=cursor, limit=limit)


async def list_donations(
    community_id: int, *, cursor: str | None = None, limit: int = PAGE, viewer: Actor | None = None
) -> DonationPage:
    """Public, newest first; an anonymous donor's name is never given out, and the evidence
    itself only to those who may see it (``viewer``, if signed in)."""
    fund = await fund_facts(community_id)
    query = Donation.select().where(Donation.community == community_id)
    rows, next_cursor = await newest_first(query, Donation.id, cursor, limit)
    return DonationPage([_record(row, viewer, fund) for row in rows], next_cursor)
