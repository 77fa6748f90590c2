"""A member's points as they lived them (``GET /api/v1/me/activity``, the points page): one line
per economic event, newest first by time. The ledger's statement has a line per transfer, so a
redemption is two there (its hold, then its posting) and a hold given back looks like money
spent; here a hold and what resolved it are one line, whose state moves from ``held`` to
``posted`` (the points moved) or ``released`` (they never did). Each line names who paid or
received: the task's community for work, the provider for a redemption, the neighbour for an
exchange or a gift.

A page is one query over the member's side of the ledger (each side served by its index on
account and time, never the whole history), then a fixed handful of queries naming the
counterparties and titles of that page's lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ledger.posting import as_utc
from ledger.tables import Transfer
from market.tables import Exchange, Redemption
from projects import errors
from projects.errors import N_
from projects.members import member_account
from projects.tables import Area, Member, Organisation

PAGE = 50
MAX_PAGE = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# What the ledger's reasons mean to a member (any other reason is passed on as it is).
KINDS = {"task": "work", "redemption": "redemption", "exchange": "exchange", "gift": "gift"}


@dataclass(frozen=True, slots=True)
class ActivityLine:
    id: str  # the transfer that opened it
    kind: str  # work, redemption, exchange, gift, reversal, or the ledger's reason
    title: str
    amount: int  # posted: signed (what the balance gained or lost); held or released: what was held
    state: str  # held, posted or released
    counterparty: str
    created_at: datetime
    updated_at: datetime
    incoming: bool  # the points come to the member (not from them)


@dataclass(frozen=True, slots=True)
class ActivityPage:
    items: list[ActivityLine]
    next_cursor: str | None


# Newest first by time, then by sequence. A hold is a 'pending' transfer; what resolved it
# (a 'post', 'void' or 'expire' naming it) is found through the unique index on ``pending``.
_SIDE = """SELECT * FROM (
    SELECT seq, id, kind, debit_account, credit_account, amount, reason, reference, memo,
           reverses, created_at
    FROM ledger_transfer
    WHERE {side}_account = {{}} AND kind IN ('single', 'pending') AND (created_at, seq) < ({{}}, {{}})
    ORDER BY created_at DESC, seq DESC LIMIT {{}}
) AS {side}_side"""

_ACTIVITY = f"""
SELECT t.seq AS seq, t.id AS id, t.kind AS kind, t.debit_account AS debit_account,
       t.credit_account AS credit_account, t.amount AS amount, t.reason AS reason,
       t.reference AS reference, t.memo AS memo, t.reverses AS reverses, t.created_at AS created_at,
       r.kind AS resolved_by, r.amount AS resolved_amount, r.created_at AS resolved_at
FROM ({_SIDE.format(side="debit")} UNION ALL {_SIDE.format(side="credit")}) AS t
LEFT JOIN ledger_transfer r ON r.pending = t.id
ORDER BY t.created_at DESC, t.seq DESC
LIMIT {{}}
"""


def _cursor(line_time: datetime, seq: int) -> str:
    """Where the next page starts: the last line's time (microseconds) and sequence."""
    return f"{(as_utc(line_time) - EPOCH) // timedelta(microseconds=1)}.{seq}"


def _parse_cursor(cursor: str | None) -> tuple[datetime, int]:
    if not cursor:
        return datetime(9999, 1, 1, tzinfo=UTC), 2**62
    moment, _, seq = cursor.partition(".")
    if not (moment.isascii() and moment.isdigit() and seq.isascii() and seq.isdigit()) or len(cursor) > 40:
        raise errors.Invalid(N_("This page link is no longer valid: reload the list."), field="cursor")
    try:
        return EPOCH + timedelta(microseconds=int(moment)), int(seq)
    except OverflowError:
        raise errors.Invalid(
            N_("This page link is no longer valid: reload the list."), field="cursor"
        ) from None


async def activity(member_id: int, *, cursor: str | None = None, limit: int = PAGE) -> ActivityPage:
    """One page of the member's activity, newest first; pass ``next_cursor`` for the next."""
    limit = max(1, min(int(limit), MAX_PAGE))
    before, seq = _parse_cursor(cursor)
    account = member_account(member_id)
    side = (account, before, seq, limit + 1)
    rows = await Transfer.raw(_ACTIVITY, *side, *side, limit + 1)
    names = await _Names.of(account, rows[:limit])
    lines = [_line(account, row, names) for row in rows[:limit]]
    next_cursor = (
        _cursor(rows[limit - 1]["created_at"], rows[limit - 1]["seq"]) if len(rows) > limit else None
    )
    return ActivityPage(lines, next_cursor)


def _line(account: str, row: dict, names: _Names) -> ActivityLine:
    incoming = row["credit_account"] == account
    other = row["debit_account"] if incoming else row["credit_account"]
    created_at = as_utc(row["created_at"])
    sign = 1 if incoming else -1
    if row["kind"] == "single":
        state, amount, updated_at = "posted", sign * row["amount"], created_at
    elif row["resolved_by"] is None:
        state, amount, updated_at = "held", row["amount"], created_at
    elif row["resolved_by"] == "post":
        state, amount, updated_at = "posted", sign * row["resolved_amount"], as_utc(row["resolved_at"])
    else:  # voided or expired: the points never moved
        state, amount, updated_at = "released", row["amount"], as_utc(row["resolved_at"])
    kind = "reversal" if row["reverses"] else KINDS.get(row["reason"], row["reason"] or "transfer")
    return ActivityLine(
        id=row["id"],
        kind=kind,
        title=names.title(kind, row),
        amount=amount,
        state=state,
        counterparty=names.account(other),
        created_at=created_at,
        updated_at=updated_at,
        incoming=incoming,
    )


def _number(text: str, prefix: str) -> int | None:
    """The id in ``prefix:<id>`` (a ledger account or a transfer's reference), if it is one."""
    rest = text.removeprefix(prefix)
    return int(rest) if rest != text and rest.isascii() and rest.isdigit() and len(rest) <= 18 else None


@dataclass
class _Names:
    """The names a page of lines shows, each kind looked up once for the whole page."""

    members: dict[int, str]
    organisations: dict[int, str]
    areas: dict[int, str]
    listings: dict[int, str]  # exchange id -> its listing's title
    quantities: dict[int, int]  # redemption id -> how many

    @classmethod
    async def of(cls, account: str, rows: list[dict]) -> _Names:
        others = [
            row["debit_account"] if row["credit_account"] == account else row["credit_account"]
            for row in rows
        ]
        members = {n for other in others if (n := _number(other, "member:")) is not None}
        organisations = {n for other in others if (n := _number(other, "org:")) is not None}
        areas = {n for other in others if (n := _number(other, "issuer:")) is not None}
        areas |= {
            n
            for other in others
            if other.endswith(":pts") and (n := _number(other[:-4], "fund:")) is not None
        }
        exchanges = {n for row in rows if (n := _number(row["reference"], "exchange:")) is not None}
        redemptions = {n for row in rows if (n := _number(row["id"], "redemption:")) is not None}
        return cls(
            members=await _named(Member, members),
            organisations=await _named(Organisation, organisations),
            areas=await _named(Area, areas),
            listings={
                row["id"]: row["listing.title"]
                for row in (
                    await Exchange.select(Exchange.id, Exchange.listing.title).where(
                        Exchange.id.is_in(list(exchanges))
                    )
                    if exchanges
                    else []
                )
            },
            quantities={
                row["id"]: row["quantity"]
                for row in (
                    await Redemption.select(Redemption.id, Redemption.quantity).where(
                        Redemption.id.is_in(list(redemptions))
                    )
                    if redemptions
                    else []
                )
            },
        )

    def account(self, account: str) -> str:
        """Who is behind a ledger account: a member, an organisation, or a community (its
        issuer pays for work and takes back its own items' points; its pool receives gifts)."""
        if (number := _number(account, "member:")) is not None:
            return self.members.get(number, "")
        if (number := _number(account, "org:")) is not None:
            return self.organisations.get(number, "")
        if (number := _number(account, "issuer:")) is not None:
            return self.areas.get(number, "")
        if account.endswith(":pts") and (number := _number(account[:-4], "fund:")) is not None:
            return self.areas.get(number, "")
        return ""

    def title(self, kind: str, row: dict) -> str:
        if kind == "exchange" and (number := _number(row["reference"], "exchange:")) is not None:
            return self.listings.get(number, row["memo"])
        if kind == "redemption" and (number := _number(row["id"], "redemption:")) is not None:
            quantity = self.quantities.get(number, 1)
            return f"{row['memo']} × {quantity}" if quantity > 1 else row["memo"]
        return row["memo"]


async def _named(table, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await table.select(table.id, table.name).where(table.id.is_in(sorted(ids)))
    return {row["id"]: row["name"] for row in rows}
