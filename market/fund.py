"""The community fund (社区基金): money given to a community, in fen, and what it pays out.

Donations are recorded by the community's staff, with who gave (a member, an organisation, or
someone from outside, who may stay anonymous); they come into the fund from the world account.
Grants (the milestones of venture projects) go from the fund to an organisation's money account,
and the ledger refuses any that would take the fund below zero. Totals and movements are public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ledger import errors as ledger_errors
from ledger.accounts import balance, get_account
from ledger.statements import StatementPage, statement
from ledger.transfers import transfer
from market import errors as market_errors
from market import trace  # noqa: F401  (registers the market's subjects)
from market.accounts import fund_account, open_fund, open_money_account, open_world
from market.rules import fund as fund_rules
from market.rules import refuse
from market.rules.fund import FundFacts
from market.tables import DONOR_KINDS, Donation
from projects import errors, events
from projects.access import Actor
from projects.areas import get_area
from projects.db import atomic
from projects.errors import N_
from projects.members import get_member
from projects.organisations import get_organisation
from projects.states import newest_first, text

MAX_DONATION = 10**11  # a billion yuan, in fen
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

    @property
    def transfer_id(self) -> str:
        return f"donation:{self.id}"

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
    now: datetime,
) -> DonationRecord:
    """Record money received for the fund (staff of the community)."""
    if donor_kind not in DONOR_KINDS:
        raise errors.Invalid(N_("Unknown kind of donor {kind}."), field="donor_kind", kind=donor_kind)
    if isinstance(amount, bool) or not 1 <= amount <= MAX_DONATION:
        raise errors.Invalid(N_("An amount is at least 0.01 yuan."), field="amount")
    note = text(note, 500, N_("note"), field="note")
    donor_name = text(donor_name, 100, N_("donor"), field="donor_name")
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
    async with atomic():
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
            )
        ).returning(Donation.id)
        donation_id = rows[0]["id"]
        await transfer(
            f"donation:{donation_id}",
            await open_world(),
            await open_fund(community_id),
            amount,
            "CNY",
            reason="donation",
            reference=f"donation:{donation_id}",
            memo=("" if anonymous else donor_name)[:200],
            now=now,
        )
        await events.record("donation", donation_id, "donate", actor=actor.member_id, now=now)
    row = await Donation.select().where(Donation.id == donation_id).first()
    return DonationRecord(**row)


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
    rows = await Donation.raw("SELECT COUNT(*) AS n FROM market_donation WHERE community = {}", community_id)
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


async def list_donations(community_id: int, *, cursor: str | None = None, limit: int = PAGE) -> DonationPage:
    """Public, newest first; an anonymous donor's name is never given out."""
    await _community(community_id)
    query = Donation.select().where(Donation.community == community_id)
    rows, next_cursor = await newest_first(query, Donation.id, cursor, limit)
    return DonationPage([DonationRecord(**row) for row in rows], next_cursor)
