"""The exports: Beancount that bean-check accepts and bean-query agrees with, and a complete CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import random
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import beanquery
from beancount import loader
from beancount.core import account as beancount_account
from beancount.core import data

from ledger import accounts, errors, export, transfers
from ledger.accounts import DEBITS_MUST_NOT_EXCEED_CREDITS
from ledger.posting import (
    MAX_AMOUNT,
    TRANSFER_SELECT,
    NewTransfer,
    ResolvePending,
    Reverse,
    TransferRecord,
    transfer_hash,
)
from ledger.tables import ACCOUNT_KINDS, Transfer

BIN = Path(sys.executable).parent
NOT_BELOW_ZERO = DEBITS_MUST_NOT_EXCEED_CREDITS

# Ids Beancount could never take as they are: punctuation it forbids, other scripts, case
# differences, ids that lose the same characters, quotes and backslashes, the longest id.
AWKWARD_MEMBER_IDS = [
    "member:1", "member/1", "member_1", "member 1", "Member-1", "member-1", "MEMBER:1", "m", "M",
    "成员:张三", "成员:李四", "中文", 'q"uote\\back', "a:b:c", "1:starts-with-a-digit",
    "-starts-with-a-dash", "é:accent", "emoji 🙂", "x" * 64,
]  # fmt: skip
AWKWARD_TEXTS = [
    "", "plain", 'a "quoted" word', "back\\slash", "new\nline", "tab\there", "中文备注",
    "semi;colon", "  spaces  ", "\\n is not a newline", "ends with backslash \\",
]  # fmt: skip


@dataclass
class RandomLedger:
    """What the builder made: every account with its asset, and what it posted."""

    assets: dict[str, str] = field(default_factory=dict)
    records: list[TransferRecord] = field(default_factory=list)


async def _open(ledger: RandomLedger, account_id: str, asset: str, kind: str, flags: int = 0) -> str:
    await accounts.open_account(
        account_id,
        asset=asset,
        kind=kind,
        owner=f"owner of {account_id}"[:64],
        name=f"名 {account_id}",
        flags=flags,
    )
    ledger.assets[account_id] = asset
    return account_id


async def build_random_ledger(seed: int, steps: int) -> RandomLedger:
    """Accounts with awkward ids in PTS and CNY, and transfers of every kind, back-dated by weeks.

    Refusals (an overdraft, a reversal that would overdraw) are part of the game: they write
    nothing, and the ledger verifies at teardown whatever happened.
    """
    rng = random.Random(seed)
    ledger = RandomLedger()
    issuer = await _open(ledger, "issuer:社区/1", "PTS", "issuer")
    escrow = await _open(ledger, "escrow:redemptions", "PTS", "escrow")
    points_world = await _open(ledger, "world", "PTS", "world")
    members = [await _open(ledger, i, "PTS", "member", NOT_BELOW_ZERO) for i in AWKWARD_MEMBER_IDS]
    payees = [
        await _open(ledger, "merchant:理发店", "PTS", "merchant"),
        await _open(ledger, "merchant:rice/5kg", "PTS", "merchant"),
        await _open(ledger, "org:red-cross_1", "PTS", "organisation"),
        escrow,
    ]
    money_world = await _open(ledger, "world:捐赠", "CNY", "world")
    fund = await _open(ledger, "fund:community:7", "CNY", "fund", NOT_BELOW_ZERO)
    grantees = [
        await _open(ledger, "org:bid_winner/中文", "CNY", "organisation"),
        await _open(ledger, "merchant:cny:1", "CNY", "merchant"),
    ]
    await _open(ledger, "fund:never-used", "CNY", "fund")

    # Weeks before the accounts were opened: the export must open them early enough.
    now = datetime.now(UTC) - timedelta(days=40)
    counter = 0
    open_pendings: dict[str, tuple[TransferRecord, datetime | None]] = {}
    reversible: list[str] = []

    def next_id(prefix: str) -> str:
        nonlocal counter
        counter += 1
        return f"{prefix}:{counter}/{rng.choice(['', '中', '_', ':'])}"

    def texts() -> dict[str, str]:
        return {
            "reason": rng.choice(["issue", "redeem", "grant", "donation", "", "理由"]),
            "reference": rng.choice(["task:7", "redemption/3", "", "call:1 bid:2", "中文引用"]),
            "memo": rng.choice(AWKWARD_TEXTS),
        }

    async def run(coroutine) -> list[TransferRecord]:
        try:
            result = await coroutine
        except (errors.Overdraft, errors.AlreadyReversed):
            return []
        records = result if isinstance(result, list) else [result]
        ledger.records.extend(records)
        for record in records:
            if record.kind in ("single", "post"):
                reversible.append(record.id)
            if record.pending_id:
                open_pendings.pop(record.pending_id, None)
        return records

    async def available(account_id: str) -> int:
        return (await accounts.balance(account_id)).available

    async def reserve(debit: str, credit: str, amount: int, asset: str, timeout_s: int | None):
        records = await run(
            transfers.reserve(
                next_id("hold"), debit, credit, amount, asset, timeout_s=timeout_s, now=now, **texts()
            )
        )
        for record in records:
            expires = now + timedelta(seconds=timeout_s) if timeout_s else None
            open_pendings[record.id] = (record, expires)
        return records[0] if records else None

    # Every kind at least once, whatever the dice say: issue, spend, partial and full posts, a
    # void, an expiry, reversals of a single and of a post, a linked batch, money both ways.
    for member in members:
        await run(transfers.transfer(next_id("issue"), issuer, member, 1000, now=now, **texts()))
    await run(transfers.transfer(next_id("donate"), money_world, fund, 1_000_001, "CNY", now=now))
    partial = await reserve(members[0], payees[0], 300, "PTS", None)
    whole = await reserve(fund, grantees[0], 12_345, "CNY", 3600)
    voided = await reserve(members[1], payees[1], 50, "PTS", None)
    expiring = await reserve(members[2], escrow, 70, "PTS", 60)
    assert partial and whole and voided and expiring
    now += timedelta(minutes=5)
    posted = await run(transfers.post_pending(next_id("post"), partial.id, 123, now=now))
    await run(transfers.post_pending(next_id("post"), whole.id, now=now))
    await run(transfers.void_pending(next_id("void"), voided.id, now=now))
    await run(transfers.reverse(next_id("undo"), posted[0].id, now=now))
    untouched_issue = next(r for r in ledger.records if r.credit_account_id == members[5])
    await run(transfers.reverse(next_id("undo"), untouched_issue.id, now=now))
    now += timedelta(hours=2)
    await run(transfers.expire_due(now=now))
    batch = [NewTransfer(next_id("batch"), issuer, member, 7, "PTS", "issue") for member in members[:5]]
    await run(transfers.post_batch(batch, batch_id="batch:1/中", now=now))

    for _ in range(steps):
        now += timedelta(minutes=rng.randint(1, 9 * 60))
        dice = rng.random()
        member = rng.choice(members)
        if dice < 0.15:
            amount = rng.randint(1, 500)
            await run(transfers.transfer(next_id("issue"), issuer, member, amount, now=now, **texts()))
        elif dice < 0.30:
            if (spendable := await available(member)) > 0:
                payee = rng.choice([*payees, *members, points_world])
                if payee != member:
                    amount = rng.randint(1, spendable)
                    await run(transfers.transfer(next_id("pay"), member, payee, amount, now=now, **texts()))
        elif dice < 0.42:
            if (spendable := await available(member)) > 0:
                timeout_s = rng.choice([None, 600, 3600, 86_400])
                await reserve(member, rng.choice(payees), rng.randint(1, spendable), "PTS", timeout_s)
        elif dice < 0.57:
            live = [(r, e) for r, e in open_pendings.values() if e is None or e > now]
            if live:
                pending, _ = rng.choice(live)
                action = rng.choice(["post", "partial", "void"])
                if action == "void":
                    await run(transfers.void_pending(next_id("void"), pending.id, now=now, **texts()))
                else:
                    amount = rng.randint(1, pending.amount) if action == "partial" else None
                    await run(transfers.post_pending(next_id("post"), pending.id, amount, now=now, **texts()))
        elif dice < 0.63:
            await run(transfers.expire_due(now=now))
        elif dice < 0.70:
            if reversible:
                target = rng.choice(reversible)
                await run(transfers.reverse(next_id("undo"), target, now=now, memo=rng.choice(AWKWARD_TEXTS)))
        elif dice < 0.78:
            operations: list = [
                NewTransfer(next_id("batch"), issuer, m, rng.randint(1, 50), "PTS", "issue")
                for m in rng.sample(members, 3)
            ]
            if reversible:
                operations.append(Reverse(next_id("batch-undo"), rng.choice(reversible)))
            live = [r for r, e in open_pendings.values() if e is None or e > now]
            if live:
                operations.append(ResolvePending(next_id("batch-post"), rng.choice(live).id, "post"))
            await run(transfers.post_batch(operations, batch_id=next_id("batch"), now=now))
        elif dice < 0.86:
            amount = rng.randint(1, 200_000)  # fen: from 0.01 to 2000.00 yuan
            await run(transfers.transfer(next_id("donate"), money_world, fund, amount, "CNY", now=now))
        elif dice < 0.94:
            if (spendable := await available(fund)) > 0:
                grantee, amount = rng.choice(grantees), rng.randint(1, min(spendable, 50_000))
                if rng.random() < 0.5:
                    await run(transfers.transfer(next_id("grant"), fund, grantee, amount, "CNY", now=now))
                else:
                    await reserve(fund, grantee, amount, "CNY", rng.choice([None, 7200]))
        else:
            # A retry with the same id and fields changes nothing and answers the first result.
            if ledger.records:
                first = ledger.records[0]
                again = await transfers.transfer(
                    first.id, first.debit_account_id, first.credit_account_id, first.amount,
                    first.asset, reason=first.reason, reference=first.reference, memo=first.memo,
                )  # fmt: skip
                assert again == first
    return ledger


async def linli_balances(ledger: RandomLedger) -> dict[str, Decimal]:
    """Linli's posted balance of every account, in the unit the Beancount file uses."""
    balances = {}
    for account_id, asset in ledger.assets.items():
        posted = (await accounts.balance(account_id)).posted
        balances[account_id] = Decimal(posted).scaleb(-2) if asset == "CNY" else Decimal(posted)
    return balances


async def export_beancount(path: Path, **options) -> int:
    with path.open("w", encoding="utf-8") as out:
        return await export.write_beancount(out, **options)


def load_clean(path: Path) -> list:
    entries, problems, _ = loader.load_file(str(path))
    assert not problems, "\n".join(f"{p.source}: {p.message}" for p in problems)
    return entries


def linli_ids_by_name(entries: list) -> dict[str, str]:
    return {e.account: e.meta["linli-id"] for e in entries if isinstance(e, data.Open)}


def bean_query_balances(path: Path) -> dict[str, tuple[Decimal, str]]:
    """bean-query's own answer, through beanquery's Python API: account -> (number, currency)."""
    connection = beanquery.connect(f"beancount:{path}")
    assert not connection.errors
    balances = {}
    for account_name, inventory in connection.execute(
        "SELECT account, sum(position) GROUP BY account"
    ).fetchall():
        if not inventory.is_empty():  # an account whose movements cancel out sums to nothing
            (position,) = inventory
            assert position.cost is None
            balances[account_name] = (position.units.number, position.units.currency)
    return balances


async def all_transfers() -> list[TransferRecord]:
    rows = await Transfer.raw(f"{TRANSFER_SELECT} ORDER BY seq")
    return [TransferRecord.from_row(list(row.values())) for row in rows]


# -- Beancount -----------------------------------------------------------------------------------


async def test_a_random_ledger_exports_to_beancount_that_bean_check_accepts_and_bean_query_agrees_with(
    db, tmp_path
):
    ledger = await build_random_ledger(seed=3, steps=250)
    stored = await all_transfers()
    kinds = {record.kind for record in stored}
    assert kinds == {"single", "pending", "post", "void", "expire"}
    assert any(r.reverses_id for r in stored) and any(r.batch_id for r in stored)
    assert any(
        r.kind == "post" and r.amount < next(p for p in stored if p.id == r.pending_id).amount for r in stored
    )

    path = tmp_path / "linli.beancount"
    assert await export_beancount(path) == len(stored)
    check = await asyncio.to_thread(
        subprocess.run, [BIN / "bean-check", str(path)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    entries = load_clean(path)

    ids_by_name = linli_ids_by_name(entries)
    assert sorted(ids_by_name.values()) == sorted(ledger.assets)
    expected = await linli_balances(ledger)
    from_bean_query = await asyncio.to_thread(bean_query_balances, path)
    for name, account_id in ids_by_name.items():
        number, currency = from_bean_query.get(name, (Decimal(0), ledger.assets[account_id]))
        assert (number, currency) == (expected[account_id], ledger.assets[account_id]), account_id
    # bean-check also re-verified every balance itself: one assertion per account, all held.
    assertions = [e for e in entries if isinstance(e, data.Balance)]
    assert {ids_by_name[e.account] for e in assertions} == set(ledger.assets)
    assert all(e.amount.number == expected[ids_by_name[e.account]] for e in assertions)


async def test_only_posted_movements_become_transactions_with_their_fields_kept(db, tmp_path):
    await build_random_ledger(seed=11, steps=120)
    stored = {record.id: record for record in await all_transfers()}
    path = tmp_path / "linli.beancount"
    await export_beancount(path)
    entries = load_clean(path)
    ids_by_name = linli_ids_by_name(entries)

    transactions = [e for e in entries if isinstance(e, data.Transaction)]
    assert sorted(t.meta["linli-id"] for t in transactions) == sorted(
        record.id for record in stored.values() if record.kind in ("single", "post")
    )
    for transaction in transactions:
        record = stored[transaction.meta["linli-id"]]
        assert transaction.meta["linli-seq"] == record.seq
        assert transaction.meta.get("reference", "") == record.reference
        assert transaction.meta.get("linli-reverses") == record.reverses_id
        assert transaction.meta.get("linli-batch") == record.batch_id
        assert transaction.narration == (
            ": ".join(part for part in (record.reason, record.memo) if part) or record.kind
        )
        unit = Decimal(1) if record.asset == "PTS" else Decimal("0.01")
        moves = {ids_by_name[p.account]: p.units for p in transaction.postings}
        assert moves[record.credit_account_id].number == record.amount * unit
        assert moves[record.debit_account_id].number == -record.amount * unit
        assert {amount.currency for amount in moves.values()} == {record.asset}
    # The others are still there for a reader, as comments that Beancount ignores.
    text = path.read_text(encoding="utf-8")
    for record in stored.values():
        if record.kind in ("pending", "void", "expire"):
            assert f"; {record.created_at.date()} {record.kind} seq {record.seq} " in text


async def test_fen_become_yuan_exactly_and_points_stay_whole(db, tmp_path):
    await accounts.open_account("world", asset="CNY", kind="world")
    await accounts.open_account("fund", asset="CNY", kind="fund")
    await accounts.open_account("issuer", asset="PTS", kind="issuer")
    await accounts.open_account("member", asset="PTS", kind="member")
    for number, fen in enumerate([1, 10, 99, 100, 12_345, MAX_AMOUNT]):
        await transfers.transfer(f"cny-{number}", "world", "fund", fen, "CNY")
    await transfers.transfer("pts", "issuer", "member", 7, "PTS")
    path = tmp_path / "linli.beancount"
    await export_beancount(path)
    text = path.read_text(encoding="utf-8")
    for yuan in ["0.01", "0.10", "0.99", "1.00", "123.45", "10000000000000.00"]:
        assert f" {yuan} CNY\n" in text and f" -{yuan} CNY\n" in text
    assert " 7 PTS\n" in text and " -7 PTS\n" in text
    balances = {e.account: e.amount for e in load_clean(path) if isinstance(e, data.Balance)}
    fund = next(name for name in balances if name.startswith("Assets:Fund:"))
    assert str(balances[fund].number) == str(Decimal(1 + 10 + 99 + 100 + 12_345 + MAX_AMOUNT).scaleb(-2))


async def test_transactions_are_dated_by_the_day_in_the_zone_asked_for(db, tmp_path):
    await accounts.open_account("issuer", asset="PTS", kind="issuer")
    await accounts.open_account("member", asset="PTS", kind="member")
    evening_utc = datetime(2026, 1, 1, 17, 0, tzinfo=UTC)  # already 1 a.m. on 2 January in Beijing
    await transfers.transfer("late", "issuer", "member", 5, now=evening_utc)
    for zone, day in [(UTC, date(2026, 1, 1)), (timezone(timedelta(hours=8)), date(2026, 1, 2))]:
        path = tmp_path / f"{day}.beancount"
        await export_beancount(path, zone=zone)
        (transaction,) = [e for e in load_clean(path) if isinstance(e, data.Transaction)]
        assert transaction.date == day
        assert transaction.meta["linli-time"] == "2026-01-01T17:00:00.000000+00:00"


async def test_a_balance_one_smallest_unit_off_fails_bean_check(db, tmp_path):
    await accounts.open_account("world", asset="CNY", kind="world")
    await accounts.open_account("fund", asset="CNY", kind="fund")
    await accounts.open_account("issuer", asset="PTS", kind="issuer")
    await accounts.open_account("member", asset="PTS", kind="member")
    await transfers.transfer("cny", "world", "fund", 12_345, "CNY")
    await transfers.transfer("pts", "issuer", "member", 7, "PTS")
    path = tmp_path / "linli.beancount"
    await export_beancount(path)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    for right, wrong in [(" 123.45 ~ 0 CNY", " 123.44 ~ 0 CNY"), (" 7 ~ 0 PTS", " 8 ~ 0 PTS")]:
        assert any(" balance " in line and right in line for line in lines)
        tampered = "".join(line.replace(right, wrong) if " balance " in line else line for line in lines)
        _, problems, _ = loader.load_string(tampered)
        assert [type(p).__name__ for p in problems] == ["BalanceError"]


async def test_an_empty_ledger_exports_a_valid_beancount_file(db, tmp_path):
    path = tmp_path / "empty.beancount"
    assert await export_beancount(path) == 0
    assert {type(entry) for entry in load_clean(path)} == {data.Commodity}
    assert await export.write_csv(io.StringIO()) == 0


async def test_accounts_without_transfers_open_and_assert_a_zero_balance(db, tmp_path):
    await accounts.open_account("成员:1", asset="PTS", kind="member")
    await accounts.open_account("fund/1", asset="CNY", kind="fund")
    path = tmp_path / "accounts.beancount"
    assert await export_beancount(path) == 0
    balances = [e.amount for e in load_clean(path) if isinstance(e, data.Balance)]
    assert sorted(str(amount) for amount in balances) == ["0 PTS", "0.00 CNY"]


async def test_the_export_reads_in_pages_and_the_page_size_changes_nothing(db, tmp_path):
    await build_random_ledger(seed=5, steps=60)
    small, large = io.StringIO(), io.StringIO()
    count = await export.write_beancount(small, page_size=7)
    assert count == await export.write_beancount(large) == len(await all_transfers()) > 7
    assert small.getvalue() == large.getvalue()
    small, large = io.StringIO(newline=""), io.StringIO(newline="")
    assert await export.write_csv(small, page_size=3) == await export.write_csv(large) == count
    assert small.getvalue() == large.getvalue()


async def test_an_export_during_postings_stops_at_the_head_it_started_from(db, tmp_path):
    ledger = await build_random_ledger(seed=8, steps=40)
    issuer = next(i for i in ledger.assets if i.startswith("issuer"))
    member = AWKWARD_MEMBER_IDS[0]

    async def keep_posting() -> None:
        for number in range(60):
            await transfers.transfer(f"late:{number}", issuer, member, 1)
            await asyncio.sleep(0)

    path = tmp_path / "moving.beancount"
    with path.open("w", encoding="utf-8") as out:
        count, _ = await asyncio.gather(export.write_beancount(out, page_size=2), keep_posting())
    load_clean(path)  # the balance assertions describe exactly the transfers written
    assert count <= len(await all_transfers())


# -- account names -------------------------------------------------------------------------------


def test_every_account_kind_has_a_place_in_beancount():
    assert set(export.PARENTS) == set(ACCOUNT_KINDS)
    for parent in export.PARENTS.values():
        assert parent.split(":")[0] in ("Assets", "Liabilities", "Equity", "Income", "Expenses")


def test_account_names_are_valid_distinct_and_readable_for_awkward_ids():
    ids = [*AWKWARD_MEMBER_IDS, "issuer:社区/1"]
    names = export.account_names((i, "member") for i in ids)
    assert all(beancount_account.is_valid(name) for name in names.values())
    assert all(name.isascii() for name in names.values())
    assert len(set(names.values())) == len(ids)
    assert names["member:1"].startswith("Assets:Members:Member-1-")
    assert names["成员:张三"].startswith("Assets:Members:Id-")
    assert export.account_names([("member:1", "member")]) == {"member:1": names["member:1"]}
    assert export.account_names([("org", "organisation")])["org"].startswith("Assets:Organisations:Org-")


def test_ids_that_meet_on_one_short_name_take_the_full_hash(monkeypatch):
    monkeypatch.setattr(export, "SHORT_HASH_HEX", 1)  # sixteen short names: collisions for sure
    ids = [f"a{separator}1" for separator in ":/_ .,;|!?#@$%^&*()[]{}<>~`+="]
    names = export.account_names((i, "member") for i in ids)
    assert len(set(names.values())) == len(ids)
    assert all(beancount_account.is_valid(name) for name in names.values())
    full = [name for name in names.values() if len(name.rsplit("-", 1)[1]) == 64]
    assert len(full) >= 2


def test_strings_are_escaped_so_beancount_reads_them_back_unchanged():
    for text in AWKWARD_TEXTS:
        source = (
            "2020-01-01 open Assets:A PTS\n2020-01-01 open Equity:B PTS\n"
            f"2020-01-02 * {export.quote(text)}\n  memo: {export.quote(text)}\n"
            "  Assets:A 1 PTS\n  Equity:B -1 PTS\n"
        )
        entries, problems, _ = loader.load_string(source)
        assert not problems
        transaction = entries[-1]
        assert (transaction.narration, transaction.meta["memo"]) == (text, text)


# -- CSV -----------------------------------------------------------------------------------------


async def test_the_csv_holds_every_transfer_with_every_field_and_its_chain_recomputes(db, tmp_path):
    await build_random_ledger(seed=21, steps=150)
    stored = await all_transfers()
    path = tmp_path / "linli.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        assert await export.write_csv(out) == len(stored)
    with path.open(encoding="utf-8", newline="") as source:
        reader = csv.DictReader(source)
        assert tuple(reader.fieldnames or ()) == export.CSV_COLUMNS
        rows = list(reader)

    assert len(rows) == len(stored)
    assert sum(int(row["amount"]) for row in rows) == sum(record.amount for record in stored)
    previous = "0" * 64
    for row, record in zip(rows, stored, strict=True):
        assert int(row["seq"]) == record.seq and row["id"] == record.id and row["memo"] == record.memo
        assert datetime.fromisoformat(row["created_at"]) == record.created_at
        # Every hashed field is in the row: the hash recomputed from the CSV alone matches.
        fields = {
            **row,
            "debit_account_id": row["debit_account"],
            "credit_account_id": row["credit_account"],
            "pending_id": row["pending_id"] or None,
            "reverses_id": row["reverses_id"] or None,
            "batch_id": row["batch_id"] or None,
            "timeout_s": int(row["timeout_s"]) if row["timeout_s"] else None,
        }
        rebuilt = TransferRecord(**{name: fields[name] for name in TransferRecord._fields})
        assert row["prev_hash"] == previous and transfer_hash(rebuilt) == row["hash"] == record.hash
        previous = row["hash"]
