"""Verify the ledger from scratch: trust no stored total, recompute everything from the transfers.

Checks, in one pass over the transfers in sequence order:
- the sequence has no gaps and the hash chain is unbroken (each hash recomputed from the fields);
- every transfer names two existing, different accounts of its asset, with a positive amount;
- each pending transfer is resolved at most once, by a post of at most its amount or a void or
  expiry of exactly its amount; each reversal mirrors the posted transfer it names;
- the balance recorded after each transfer equals the replayed balance;
- no flagged account is ever overdrawn, at any point of the history;
then, for every account, the stored totals equal the replayed ones; per asset, total debits equal
total credits; and the open reservations are exactly the unresolved pending transfers. Given the
latest anchor (``ledger.anchor``), the chain must still reach it and pass through its hash: a tail
cut off, totals and all, or a chain rewritten since, is reported.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from ledger.accounts import snapshot
from ledger.anchor import Anchor
from ledger.posting import (
    CREDITS_MUST_NOT_EXCEED_DEBITS,
    DEBITS_MUST_NOT_EXCEED_CREDITS,
    GENESIS_HASH,
    TransferRecord,
    canonical_time,
    transfer_hash,
)
from ledger.tables import Account, Transfer
from ledger.transfers import HISTORY_PAGE_SIZE, history

MAX_PROBLEMS_SHOWN = 50


@dataclass
class VerifyReport:
    transfers: int = 0
    accounts: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[str] = field(default_factory=list)
    anchor: Anchor | None = None  # the anchor checked against, if any

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        if self.ok:
            anchored = ""
            if self.anchor is not None:
                when = canonical_time(self.anchor.anchored_at)
                anchored = f"; it reaches the anchor of {when} (seq {self.anchor.seq})"
            return (
                f"ledger verified: {self.transfers} transfers, {self.accounts} accounts, "
                f"chain head {self.head_hash}{anchored}"
            )
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        more = len(self.problems) - len(shown)
        lines = [f"ledger verification FAILED: {len(self.problems)} problem(s)"]
        lines += [f"  - {problem}" for problem in shown]
        if more:
            lines.append(f"  ... and {more} more")
        lines.append(f"({self.transfers} transfers, {self.accounts} accounts checked)")
        return "\n".join(lines)


@dataclass
class _Replay:
    asset: str
    flags: int
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    @property
    def balance(self) -> int:
        return self.credits_posted - self.debits_posted

    def totals(self) -> tuple[int, int, int, int]:
        return (self.debits_posted, self.credits_posted, self.debits_pending, self.credits_pending)


async def verify(page_size: int = HISTORY_PAGE_SIZE, *, anchor: Anchor | None = None) -> VerifyReport:
    report = VerifyReport(anchor=anchor)
    problems = report.problems
    # The accounts and the last sequence number of one moment: the check is exact while
    # postings go on, because it replays the transfers up to that moment and no further.
    accounts, head = await snapshot()
    report.accounts = len(accounts)
    replay = {account.id: _Replay(account.asset, account.flags) for account in accounts}
    open_pendings: dict[str, TransferRecord] = {}

    expected_seq = 1
    chain = GENESIS_HASH
    try:
        async for record in history(up_to_seq=head, page_size=page_size):
            report.transfers += 1
            where = f"transfer {record.id} (seq {record.seq})"
            if record.seq != expected_seq:
                problems.append(f"{where}: expected sequence number {expected_seq}")
            expected_seq = record.seq + 1
            if record.prev_hash != chain:
                problems.append(f"{where}: previous hash does not match the chain")
            if transfer_hash(record) != record.hash:
                problems.append(f"{where}: hash does not match its fields (altered?)")
            chain = record.hash
            if anchor is not None and record.seq == anchor.seq and record.hash != anchor.hash:
                problems.append(
                    f"{where}: hash {record.hash} is not the {anchor.hash} anchored at "
                    f"{canonical_time(anchor.anchored_at)}: the chain was rewritten since"
                )
            _replay_one(record, where, replay, open_pendings, problems)
    except (ValueError, TypeError, OverflowError) as error:
        # A row Linli could not have written (a time that is not a time, text in a number
        # column): the table was changed behind Linli's back. Report where; do not crash.
        readable = expected_seq - 1
        with contextlib.suppress(ValueError, TypeError, OverflowError):
            async for record in history(after_seq=readable, up_to_seq=head, page_size=1):
                readable = record.seq
        problems.append(f"the transfer after seq {readable} cannot be read ({error}): altered outside Linli?")
        report.head_hash = chain
        return report
    report.head_hash = chain

    if report.transfers != head:
        problems.append(f"the last sequence number is {head} but {report.transfers} transfers were read")
    if anchor is not None and anchor.seq > head:
        problems.append(
            f"missing tail: the ledger ends at seq {head}, but seq {anchor.seq} (hash {anchor.hash}) was "
            f"anchored at {canonical_time(anchor.anchored_at)}: transfers {head + 1} to {anchor.seq} are gone"
        )
    for account in accounts:
        got = replay[account.id].totals()
        want = (
            account.debits_posted,
            account.credits_posted,
            account.debits_pending,
            account.credits_pending,
        )
        if got != want:
            problems.append(
                f"account {account.id}: stored totals (debits/credits posted, pending) {want} "
                f"but its transfers give {got}"
            )

    for row in await Account.raw(
        "SELECT asset, SUM(debits_posted) AS d, SUM(credits_posted) AS c, "
        "SUM(debits_pending) AS dp, SUM(credits_pending) AS cp FROM ledger_account GROUP BY asset"
    ):
        if (row["d"], row["dp"]) != (row["c"], row["cp"]):
            problems.append(f"asset {row['asset']}: stored debit and credit totals differ")

    reserved = {
        row["transfer_id"]
        for row in await Transfer.raw(
            "SELECT r.transfer_id AS transfer_id FROM ledger_reservation r "
            "JOIN ledger_transfer t ON t.id = r.transfer_id WHERE t.seq <= {}",
            head,
        )
    }
    missing = set(open_pendings) - reserved
    if missing:  # a reservation resolved after our moment has rightly gone since
        missing -= await _resolved_after(head, missing)
    for pending_id in sorted(missing):
        problems.append(f"pending transfer {pending_id} is open but has no reservation row")
    for extra in sorted(reserved - set(open_pendings)):
        problems.append(f"reservation {extra} names no open pending transfer")

    for row in await Transfer.raw(
        "SELECT r.id AS id, o.kind AS kind FROM ledger_transfer r "
        "JOIN ledger_transfer o ON o.id = r.reverses "
        "WHERE o.kind NOT IN ('single', 'post') OR o.amount <> r.amount OR o.asset <> r.asset "
        "OR o.debit_account <> r.credit_account OR o.credit_account <> r.debit_account OR o.seq >= r.seq"
    ):
        problems.append(f"reversal {row['id']} does not mirror the {row['kind']} transfer it names")
    return report


async def _resolved_after(head: int, pending_ids: set[str]) -> set[str]:
    found: set[str] = set()
    ids = sorted(pending_ids)
    for start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[start : start + 500]
        marks = ", ".join("{}" for _ in chunk)
        rows = await Transfer.raw(
            f"SELECT pending FROM ledger_transfer WHERE seq > {{}} AND pending IN ({marks})", head, *chunk
        )
        found.update(row["pending"] for row in rows)
    return found


def _replay_one(
    record: TransferRecord,
    where: str,
    replay: dict[str, _Replay],
    open_pendings: dict[str, TransferRecord],
    problems: list[str],
) -> None:
    debit = replay.get(record.debit_account_id)
    credit = replay.get(record.credit_account_id)
    if debit is None or credit is None:
        problems.append(f"{where}: names an account that does not exist")
        return
    if debit is credit:
        problems.append(f"{where}: debits and credits the same account")
    if debit.asset != record.asset or credit.asset != record.asset:
        problems.append(f"{where}: asset {record.asset} differs from its accounts'")
    if record.amount <= 0:
        problems.append(f"{where}: amount {record.amount} is not positive")

    if record.kind == "single":
        debit.debits_posted += record.amount
        credit.credits_posted += record.amount
    elif record.kind == "pending":
        debit.debits_pending += record.amount
        credit.credits_pending += record.amount
        open_pendings[record.id] = record
    elif record.kind in ("post", "void", "expire"):
        pending = open_pendings.pop(record.pending_id or "", None)
        if pending is None:
            problems.append(f"{where}: resolves {record.pending_id}, which is not an open pending transfer")
            return
        if (pending.debit_account_id, pending.credit_account_id) != (
            record.debit_account_id,
            record.credit_account_id,
        ):
            problems.append(f"{where}: resolves {pending.id} between other accounts")
        debit.debits_pending -= pending.amount
        credit.credits_pending -= pending.amount
        if record.kind == "post":
            if record.amount > pending.amount:
                problems.append(f"{where}: posts {record.amount}, more than the {pending.amount} reserved")
            debit.debits_posted += record.amount
            credit.credits_posted += record.amount
        elif record.amount != pending.amount:
            problems.append(f"{where}: releases {record.amount}, not the {pending.amount} reserved")
    else:
        problems.append(f"{where}: unknown kind {record.kind!r}")
        return

    if record.debit_balance_after != debit.balance or record.credit_balance_after != credit.balance:
        problems.append(f"{where}: recorded balances after it differ from the replay")
    for account_id, account in (
        (record.debit_account_id, debit),
        (record.credit_account_id, credit),
    ):
        if account.flags & DEBITS_MUST_NOT_EXCEED_CREDITS and (
            account.debits_posted + account.debits_pending > account.credits_posted
        ):
            problems.append(f"{where}: overdraws account {account_id}, which may not go below zero")
        if account.flags & CREDITS_MUST_NOT_EXCEED_DEBITS and (
            account.credits_posted + account.credits_pending > account.debits_posted
        ):
            problems.append(f"{where}: takes account {account_id} over its credit limit")
