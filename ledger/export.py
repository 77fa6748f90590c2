"""Exporting the ledger: a Beancount file that bean-check accepts and that agrees with Linli, and a CSV.

Both exports stream the transfers in sequence order, a page at a time (keyset paging on ``seq``,
as verify does), so a ledger of millions of transfers never sits in memory; only the accounts do.

Both stop at the head of the ledger as it was when the export began: the accounts, their posted
totals and the last sequence number are read in one statement (one snapshot on either engine), so
the Beancount balance assertions, taken from Linli's stored totals, describe exactly the
transfers written, however many postings land during the export.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, TextIO

from ledger.accounts import snapshot
from ledger.posting import TransferRecord, as_utc, canonical_time
from ledger.tables import Transfer
from ledger.transfers import HISTORY_PAGE_SIZE, history, last_seq

SHORT_HASH_HEX = 8  # hex digits of SHA-256(id) that make an account name unique
MAX_SLUG = 40  # characters of the readable part of an account name

# Where each kind of account sits in Beancount's five roots. The issuer's balance is the points
# outstanding (negative, as Equity is); the outside world is where money and points come from.
PARENTS = {
    "member": "Assets:Members",
    "organisation": "Assets:Organisations",
    "merchant": "Assets:Merchants",
    "fund": "Assets:Fund",
    "escrow": "Assets:Escrow",
    "issuer": "Equity:Issued",
    "world": "Equity:World",
}
COMMODITIES = {"PTS": "Linli points", "CNY": "Chinese yuan (counted in fen by Linli)"}
# Linli counts each asset in its smallest unit; Beancount gets the customary unit, exactly.
DECIMAL_PLACES = {"PTS": 0, "CNY": 2}
POSTED_KINDS = ("single", "post")  # a reversal is a single; the other kinds move no posted balance

CSV_COLUMNS = (
    "seq", "id", "kind", "debit_account", "credit_account", "amount", "asset", "pending_id",
    "reverses_id", "batch_id", "timeout_s", "reason", "reference", "memo", "created_at",
    "debit_balance_after", "credit_balance_after", "prev_hash", "hash",
)  # fmt: skip

_FIRST_MOVES = """SELECT account, MIN(created_at) AS first_at FROM (
    SELECT debit_account AS account, created_at FROM ledger_transfer WHERE seq <= {}
    UNION ALL
    SELECT credit_account AS account, created_at FROM ledger_transfer WHERE seq <= {}
) AS moves GROUP BY account"""


# -- names and numbers ---------------------------------------------------------------------------


def _slug(account_id: str) -> str:
    """The id in Beancount's alphabet (ASCII letters, digits, dashes), capitalised: for people."""
    letters = unicodedata.normalize("NFKD", account_id)
    kept = "".join(
        char if char.isascii() and char.isalnum() else "-"
        for char in letters
        if not unicodedata.combining(char)  # é -> e, not e-
    )
    slug = re.sub("-+", "-", kept).strip("-")[:MAX_SLUG].rstrip("-")
    return slug[:1].upper() + slug[1:] if slug else "Id"


def _digest(account_id: str) -> str:
    return hashlib.sha256(account_id.encode()).hexdigest()


def account_names(accounts: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Beancount names for ``(id, kind)`` pairs: ``Parent:Slug-hash``, one distinct name per id.

    The slug keeps the id readable but loses information (``m:1``, ``m/1`` and ``中文`` lose their
    punctuation or script), so the first hex digits of the id's SHA-256 follow it. Should two
    ids still meet on one name, both take the full 64-digit hash instead: such a name ends in 64
    hex digits with no dash, which no short name does, so the mapping stays one-to-one.
    """
    wanted: dict[str, str] = {}
    holders: dict[str, list[str]] = {}
    for account_id, kind in accounts:
        name = f"{PARENTS[kind]}:{_slug(account_id)}-{_digest(account_id)[:SHORT_HASH_HEX]}"
        wanted[account_id] = name
        holders.setdefault(name, []).append(account_id)
    for name, ids in holders.items():
        if len(ids) > 1:
            for account_id in ids:
                wanted[account_id] = name.rsplit("-", 1)[0] + "-" + _digest(account_id)
    assert len(set(wanted.values())) == len(wanted), "account names must be unique"
    return wanted


def beancount_amount(amount: int, asset: str) -> Decimal:
    """Smallest units to the customary unit, exactly: 12345 fen is 123.45 CNY."""
    return Decimal(amount).scaleb(-DECIMAL_PLACES[asset])


def _number(amount: int, asset: str) -> str:
    return format(beancount_amount(amount, asset), "f")


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def quote(text: str) -> str:
    """A Beancount string literal (its lexer unescapes exactly these), always on one line."""
    return '"' + text.translate(_ESCAPES) + '"'


# -- Beancount -----------------------------------------------------------------------------------


async def write_beancount(out: TextIO, *, page_size: int = HISTORY_PAGE_SIZE, zone: tzinfo = UTC) -> int:
    """Write the ledger as a Beancount file (UTF-8); answer how many transfers it covers.

    Single transfers, reversals and posts become transactions that credit +amount and debit
    -amount, so Beancount's balance of each account is Linli's (credits - debits). Pending,
    void and expire transfers move no posted balance: they appear as comments. Each account
    ends with a ``balance`` assertion of its stored total, so bean-check re-verifies Linli.
    Dates are calendar days in ``zone``.
    """
    accounts, head = await snapshot()
    names = account_names((account.id, account.kind) for account in accounts)

    def day(moment: datetime | str) -> date:
        return as_utc(moment).astimezone(zone).date()

    # An account opens on the day it was created, or earlier if a transfer was back-dated to
    # before it: Beancount refuses postings to an account that is not open yet.
    opened = {account.id: day(account.created_at) for account in accounts}
    if head:
        for row in await Transfer.raw(_FIRST_MOVES, head, head):
            opened[row["account"]] = min(opened[row["account"]], day(row["first_at"]))
    first_day = min(opened.values(), default=datetime.now(zone).date())

    out.write(f"; Linli ledger: {len(accounts)} accounts and {head} transfers, in sequence order.\n")
    out.write("; Amounts in CNY are yuan (Linli counts fen); dates are days in " + str(zone) + ".\n")
    out.write('option "title" "Linli ledger"\n')
    for asset in COMMODITIES:
        out.write(f'option "operating_currency" "{asset}"\n')
    out.write("\n")
    for asset, description in COMMODITIES.items():
        out.write(f"{first_day} commodity {asset}\n  name: {quote(description)}\n")
    out.write("\n")
    for account in sorted(accounts, key=lambda account: names[account.id]):
        out.write(f"{opened[account.id]} open {names[account.id]} {account.asset}\n")
        out.write(f"  linli-id: {quote(account.id)}\n  linli-kind: {quote(account.kind)}\n")
        if account.owner:
            out.write(f"  owner: {quote(account.owner)}\n")
        if account.name:
            out.write(f"  name: {quote(account.name)}\n")
    out.write("\n")

    count = 0
    last_day = first_day
    chain_head = None
    async for record in history(up_to_seq=head, page_size=page_size):
        count += 1
        chain_head = record.hash
        when = day(record.created_at)
        last_day = max(last_day, when)
        debit, credit = names[record.debit_account_id], names[record.credit_account_id]
        number = _number(record.amount, record.asset)
        if record.kind in POSTED_KINDS:
            _write_transaction(out, record, when, debit, credit, number)
        else:
            effect = "reserves" if record.kind == "pending" else "releases"
            of = f" of {quote(record.pending_id)}" if record.pending_id else ""
            out.write(
                f"; {when} {record.kind} seq {record.seq} {quote(record.id)}{of} {effect} "
                f"{number} {record.asset} from {debit} to {credit}: no posted balance moves\n\n"
            )

    # A balance assertion holds at the start of its day: the day after everything else. Its
    # tolerance is zero ("~ 0"): by default Beancount lets 123.44 CNY pass for 123.45.
    checked = max([last_day, *opened.values()]) + timedelta(days=1)
    for account in sorted(accounts, key=lambda account: names[account.id]):
        balance = _number(account.balance.posted, account.asset)
        out.write(f"{checked} balance {names[account.id]} {balance} ~ 0 {account.asset}\n")
    if chain_head:
        out.write(f"\n; chain head: seq {head} hash {chain_head}\n")
    return count


def _write_transaction(
    out: TextIO, record: TransferRecord, when: date, debit: str, credit: str, number: str
) -> None:
    narration = ": ".join(part for part in (record.reason, record.memo) if part) or record.kind
    lines = [
        f"{when} * {quote(narration)}",
        f"  linli-seq: {record.seq}",
        f"  linli-id: {quote(record.id)}",
        f"  linli-kind: {quote(record.kind)}",
        f"  linli-time: {quote(canonical_time(record.created_at))}",
    ]
    if record.reference:
        lines.append(f"  reference: {quote(record.reference)}")
    if record.pending_id:
        lines.append(f"  linli-pending: {quote(record.pending_id)}")
    if record.reverses_id:
        lines.append(f"  linli-reverses: {quote(record.reverses_id)}")
    if record.batch_id:
        lines.append(f"  linli-batch: {quote(record.batch_id)}")
    lines.append(f"  {credit}  {number} {record.asset}")
    lines.append(f"  {debit}  -{number} {record.asset}")
    out.write("\n".join(lines) + "\n\n")


# -- CSV -----------------------------------------------------------------------------------------


def _csv_row(record: TransferRecord) -> list[Any]:
    return [
        record.seq, record.id, record.kind, record.debit_account_id, record.credit_account_id,
        record.amount, record.asset, record.pending_id or "", record.reverses_id or "",
        record.batch_id or "", "" if record.timeout_s is None else record.timeout_s, record.reason,
        record.reference, record.memo, canonical_time(record.created_at),
        record.debit_balance_after, record.credit_balance_after, record.prev_hash, record.hash,
    ]  # fmt: skip


async def write_csv(out: TextIO, *, page_size: int = HISTORY_PAGE_SIZE) -> int:
    """Write every transfer, every field, one row each (amounts in the smallest unit, as stored).

    Open ``out`` with ``newline=""``, as the csv module asks. Empty cells are absent values.
    """
    head = await last_seq()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    async for record in history(up_to_seq=head, page_size=page_size):
        writer.writerow(_csv_row(record))
        count += 1
    return count
