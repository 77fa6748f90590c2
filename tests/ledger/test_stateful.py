"""Random walks through the ledger, on both engines, checked step by step against a model in plain Python.

The model predicts every answer, refusals included (which error class, and that nothing is written);
after every step the stored accounts must equal the model, debits must equal credits per asset, no
member may be overdrawn, and ``verify()`` must pass (recomputed totals and the hash chain).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ledger import accounts, errors, transfers
from ledger.accounts import DEBITS_MUST_NOT_EXCEED_CREDITS, Balance
from ledger.posting import NewTransfer, Operation, ResolvePending, Reverse, TransferRecord
from ledger.tables import Account, Reservation, Transfer
from ledger.verify import verify
from settings import STATEFUL_EXAMPLES
from web.database import close_database, open_database

T0 = datetime(2027, 1, 1, tzinfo=UTC)
MAX_ACCOUNTS = 8
TIMEOUTS_S = (30, 300, 3600, None)
RUNS = settings(
    max_examples=STATEFUL_EXAMPLES.read(),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    # CI replays the same examples every run, so a red build always means a change broke
    # something; explore new ones on your machine, e.g. LINLI_STATEFUL_EXAMPLES=300.
    derandomize=bool(os.environ.get("CI")),
)


# -- the model -----------------------------------------------------------------------------------


@dataclass
class ModelAccount:
    asset: str
    kind: str
    flags: int
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    def totals(self) -> tuple[int, int, int, int]:
        return (self.debits_posted, self.credits_posted, self.debits_pending, self.credits_pending)

    @property
    def balance(self) -> Balance:
        posted = self.credits_posted - self.debits_posted
        return Balance(posted, self.credits_pending - self.debits_pending, posted - self.debits_pending)


@dataclass
class ModelTransfer:
    operation: Operation  # what was first asked for: a retry replays it
    kind: str
    debit: str
    credit: str
    amount: int
    asset: str
    reason: str
    reference: str
    memo: str
    pending_id: str | None = None
    reverses_id: str | None = None
    timeout_s: int | None = None
    expires_at: datetime | None = None
    resolved_by: str | None = None  # a pending transfer: "post", "void" or "expire"
    reversed: bool = False


class Model:
    """The ledger's rules restated as simply as possible, to predict its every answer."""

    def __init__(self) -> None:
        self.accounts: dict[str, ModelAccount] = {}
        self.transfers: dict[str, ModelTransfer] = {}

    def copy(self) -> Model:
        twin = Model()
        twin.accounts = {id: replace(account) for id, account in self.accounts.items()}
        twin.transfers = {id: replace(transfer) for id, transfer in self.transfers.items()}
        return twin

    def apply(self, operations: list[Operation], now: datetime) -> None:
        """Apply in order; raise the refusal the ledger must give (the caller drops this copy)."""
        ids = [operation.id for operation in operations]
        if len(set(ids)) != len(ids):
            raise errors.InvalidTransfer("model: the same id twice in one batch")
        for operation in operations:
            self._apply_one(operation, now)

    def _apply_one(self, operation: Operation, now: datetime) -> None:
        existing = self.transfers.get(operation.id)
        if existing is not None:
            if not _same(operation, existing, self.transfers):
                raise errors.TransferConflict("model")
            return
        texts = {"reason": operation.reason, "reference": operation.reference, "memo": operation.memo}
        if isinstance(operation, NewTransfer):
            debit = self._account(operation.debit_account_id)
            credit = self._account(operation.credit_account_id)
            if operation.asset != debit.asset or operation.asset != credit.asset:
                raise errors.AssetMismatch("model")
            kind = "pending" if operation.pending else "single"
            self._move(kind, debit, credit, operation.amount, operation.amount)
            expires_at = now + timedelta(seconds=operation.timeout_s) if operation.timeout_s else None
            self.transfers[operation.id] = ModelTransfer(
                operation, kind, operation.debit_account_id, operation.credit_account_id,
                operation.amount, operation.asset, **texts, timeout_s=operation.timeout_s,
                expires_at=expires_at,
            )  # fmt: skip
        elif isinstance(operation, ResolvePending):
            pending = self.transfers.get(operation.pending_id)
            if pending is None or pending.kind != "pending":
                raise errors.PendingNotFound("model")
            if pending.resolved_by is not None:
                raise {
                    "post": errors.PendingAlreadyPosted,
                    "void": errors.PendingAlreadyVoided,
                    "expire": errors.PendingExpired,
                }[pending.resolved_by]("model")
            due = pending.expires_at is not None and pending.expires_at <= now
            if operation.action == "expire" and not due:
                raise errors.InvalidTransfer("model: not due")
            if operation.action != "expire" and due:
                raise errors.PendingExpired("model")
            amount = pending.amount
            if operation.action == "post" and operation.amount is not None:
                if operation.amount > pending.amount:
                    raise errors.AmountExceedsPending("model")
                amount = operation.amount
            debit, credit = self.accounts[pending.debit], self.accounts[pending.credit]
            self._move(operation.action, debit, credit, amount, pending.amount)
            pending.resolved_by = operation.action
            self.transfers[operation.id] = ModelTransfer(
                operation, operation.action, pending.debit, pending.credit, amount, pending.asset,
                **texts, pending_id=operation.pending_id,
            )  # fmt: skip
        else:
            original = self.transfers.get(operation.transfer_id)
            if original is None:
                raise errors.TransferNotFound("model")
            if original.kind not in ("single", "post"):
                raise errors.NotReversible("model")
            if original.reversed:
                raise errors.AlreadyReversed("model")
            debit, credit = self.accounts[original.credit], self.accounts[original.debit]
            self._move("single", debit, credit, original.amount, original.amount)
            original.reversed = True
            self.transfers[operation.id] = ModelTransfer(
                operation, "single", original.credit, original.debit, original.amount, original.asset,
                **texts, reverses_id=operation.transfer_id,
            )  # fmt: skip

    def _account(self, account_id: str) -> ModelAccount:
        if account_id not in self.accounts:
            raise errors.AccountNotFound("model")
        return self.accounts[account_id]

    @staticmethod
    def _move(kind: str, debit: ModelAccount, credit: ModelAccount, amount: int, held: int) -> None:
        if kind == "single":
            debit.debits_posted += amount
            credit.credits_posted += amount
        elif kind == "pending":
            debit.debits_pending += amount
            credit.credits_pending += amount
        else:  # post, void, expire: release what was held; a post then moves ``amount``
            debit.debits_pending -= held
            credit.credits_pending -= held
            if kind == "post":
                debit.debits_posted += amount
                credit.credits_posted += amount
        if debit.flags & DEBITS_MUST_NOT_EXCEED_CREDITS and (
            debit.debits_posted + debit.debits_pending > debit.credits_posted
        ):
            raise errors.Overdraft("model")

    def due_pendings(self, now: datetime) -> list[str]:
        return [
            id
            for id, transfer in self.transfers.items()
            if transfer.kind == "pending"
            and transfer.resolved_by is None
            and transfer.expires_at is not None
            and transfer.expires_at <= now
        ]


def _same(operation: Operation, existing: ModelTransfer, transfers: dict[str, ModelTransfer]) -> bool:
    """Whether a retry asks for exactly what the stored transfer did (then it is answered, not refused)."""
    texts = (operation.reason, operation.reference, operation.memo)
    same_texts = texts == (existing.reason, existing.reference, existing.memo)
    if isinstance(operation, NewTransfer):
        return (
            same_texts
            and existing.kind == ("pending" if operation.pending else "single")
            and existing.reverses_id is None
            and existing.timeout_s == operation.timeout_s
            and (operation.debit_account_id, operation.credit_account_id, operation.amount, operation.asset)
            == (existing.debit, existing.credit, existing.amount, existing.asset)
        )
    if isinstance(operation, ResolvePending):
        return (
            same_texts
            and existing.kind == operation.action
            and existing.pending_id == operation.pending_id
            # No amount asks for all that was held: the same post only if all of it was posted.
            and (operation.amount or transfers[operation.pending_id].amount) == existing.amount
        )
    return same_texts and existing.reverses_id == operation.transfer_id


# -- the machine ---------------------------------------------------------------------------------


class LedgerMachine(RuleBasedStateMachine):
    """Drives the real ledger (through a private event loop) and the model side by side."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.runner = asyncio.Runner(loop_factory=asyncio.new_event_loop)
        self.engine = self.run(open_database(database_url, pool_size=2))
        self.model = Model()
        self.records: dict[str, TransferRecord] = {}  # what the ledger answered for each transfer id
        self.now = T0
        self.numbers = itertools.count(1)

    def run(self, coroutine):
        return self.runner.run(coroutine)

    def teardown(self) -> None:
        try:
            self.run(close_database(self.engine))
        finally:
            self.runner.close()

    def new_id(self, prefix: str = "t") -> str:
        return f"{prefix}{next(self.numbers)}"

    # -- submitting, and comparing with the model ---------------------------------------------------

    def submit(self, operations: list[Operation], batch_id: str | None = None) -> None:
        """Post through the ledger; the answer, refusal or records, must be the model's."""
        trial = self.model.copy()
        try:
            trial.apply(operations, self.now)
            expected = None
        except errors.LedgerError as refusal:
            expected = type(refusal)
        try:
            records = self.run(transfers.post_batch(operations, now=self.now, batch_id=batch_id))
        except errors.LedgerError as refusal:
            assert type(refusal) is expected, (
                f"the ledger refused with {refusal!r}; the model expected {expected}"
            )
            event(f"{'batch' if batch_id else 'single'} refused: {type(refusal).__name__}")
            return
        assert expected is None, f"the ledger accepted what the model refuses with {expected.__name__}"
        event(f"{'batch' if batch_id else 'single'} accepted")
        self.check_records(operations, records, batch_id, trial)

    def check_records(
        self, operations: list[Operation], records: list[TransferRecord], batch_id: str | None, trial: Model
    ) -> None:
        assert [record.id for record in records] == [operation.id for operation in operations]
        for record in records:
            if record.id in self.records:  # a retry: the first answer, unchanged
                assert record == self.records[record.id]
                continue
            wanted = trial.transfers[record.id]
            assert (record.kind, record.debit_account_id, record.credit_account_id) == (
                wanted.kind,
                wanted.debit,
                wanted.credit,
            )
            assert (record.amount, record.asset, record.batch_id, record.created_at) == (
                wanted.amount,
                wanted.asset,
                batch_id,
                self.now,
            )
            assert (record.pending_id, record.reverses_id) == (wanted.pending_id, wanted.reverses_id)
            self.records[record.id] = record
        self.model = trial

    # -- drawing operations from the current state -------------------------------------------------

    def draw_new_transfer(self, data, *, pending: bool) -> NewTransfer:
        ids = sorted(self.model.accounts)
        debit = data.draw(st.sampled_from(ids), label="debit")
        asset = self.model.accounts[debit].asset
        same_asset = [i for i in ids if i != debit and self.model.accounts[i].asset == asset]
        wild = data.draw(st.integers(0, 14), label="wild") == 14  # now and then: any account, or none
        if wild or not same_asset:
            credit = data.draw(st.sampled_from([i for i in ids if i != debit] + ["ghost"]), label="credit")
        else:
            credit = data.draw(st.sampled_from(same_asset), label="credit")
        account = self.model.accounts[debit]
        greedy = data.draw(st.integers(0, 7), label="greedy") == 7  # now and then: more than it has
        most = 150 if greedy or not account.flags else max(1, account.balance.available)
        amount = data.draw(st.integers(1, most), label="amount")
        timeout_s = data.draw(st.sampled_from(TIMEOUTS_S), label="timeout_s") if pending else None
        return NewTransfer(
            self.new_id("r" if pending else "t"), debit, credit, amount, asset,
            reason="test", memo=data.draw(st.sampled_from(["", "memo"]), label="memo"),
            pending=pending, timeout_s=timeout_s,
        )  # fmt: skip

    def draw_resolution(self, data, pendings: list[str]) -> ResolvePending:
        wild = data.draw(st.integers(0, 14), label="wild") == 14
        if wild or not pendings:
            target = data.draw(st.sampled_from(sorted(self.model.transfers) + ["never-reserved"]))
        else:
            target = data.draw(st.sampled_from(pendings), label="pending")
        action = data.draw(st.sampled_from(["post", "void"]), label="action")
        amount = None
        if action == "post" and data.draw(st.booleans(), label="partial"):
            held = self.model.transfers[target].amount if target in self.model.transfers else 10
            amount = data.draw(st.integers(1, held + 5), label="amount")
        return ResolvePending(self.new_id("p" if action == "post" else "v"), target, action, amount)

    def draw_reversal(self, data, reversible: list[str]) -> Reverse:
        wild = data.draw(st.integers(0, 9), label="wild") == 9  # now and then: any id at all
        if wild or not reversible:
            target = data.draw(st.sampled_from(sorted(self.model.transfers) + ["never-posted"]))
        else:
            target = data.draw(st.sampled_from(reversible), label="reversed")
        return Reverse(self.new_id("x"), target)

    def draw_retry(self, data) -> Operation:
        id = data.draw(st.sampled_from(sorted(self.model.transfers)), label="retried")
        first = self.model.transfers[id].operation
        variant = data.draw(st.sampled_from(["same", "memo", "amount"]), label="variant")
        if variant == "memo":
            return replace(first, memo=first.memo + " (changed)")
        if variant == "amount" and isinstance(first, NewTransfer):
            return replace(first, amount=first.amount + 1)
        if variant == "amount" and isinstance(first, ResolvePending) and first.action == "post":
            # Naming the amount that was posted is the same post; any other amount, or none (all
            # that was held) after a partial post, is not.
            posted = self.model.transfers[id].amount
            choice = st.sampled_from([posted, posted + 1, None])
            return replace(first, amount=data.draw(choice, label="posted"))
        return first

    def open_pendings(self) -> list[str]:
        return sorted(
            id for id, t in self.model.transfers.items() if t.kind == "pending" and t.resolved_by is None
        )

    def reversible(self) -> list[str]:
        return sorted(
            id for id, t in self.model.transfers.items() if t.kind in ("single", "post") and not t.reversed
        )

    def any_pendings(self) -> list[str]:
        return sorted(id for id, t in self.model.transfers.items() if t.kind == "pending")

    # -- rules -------------------------------------------------------------------------------------

    @initialize()
    def open_a_street_with_points_and_a_fund(self) -> None:
        for asset, kind in [
            ("PTS", "issuer"),
            ("PTS", "member"),
            ("PTS", "member"),
            ("CNY", "world"),
            ("CNY", "fund"),
        ]:
            self.open(asset, kind)
        self.submit(
            [
                NewTransfer("start-1", "issuer-pts-0", "member-pts-1", 500, "PTS"),
                NewTransfer("start-2", "issuer-pts-0", "member-pts-2", 500, "PTS"),
                NewTransfer("start-3", "world-cny-3", "fund-cny-4", 5000, "CNY"),
            ],
            batch_id="start",
        )
        assert set(self.records) == {"start-1", "start-2", "start-3"}

    def open(self, asset: str, kind: str) -> None:
        id = f"{kind}-{asset}-{len(self.model.accounts)}".lower()
        flags = DEBITS_MUST_NOT_EXCEED_CREDITS if kind in ("member", "fund") else 0
        record = self.run(accounts.open_account(id, asset=asset, kind=kind, flags=flags))
        assert (record.asset, record.kind, record.flags) == (asset, kind, flags)
        self.model.accounts[id] = ModelAccount(asset, kind, flags)

    @precondition(lambda self: len(self.model.accounts) < MAX_ACCOUNTS)
    @rule(asset=st.sampled_from(["PTS", "CNY"]), kind=st.sampled_from(["member", "issuer", "world", "fund"]))
    def open_account(self, asset: str, kind: str) -> None:
        self.open(asset, kind)

    @rule(data=st.data())
    def reopen_an_account(self, data) -> None:
        id = data.draw(st.sampled_from(sorted(self.model.accounts)), label="account")
        account = self.model.accounts[id]
        if data.draw(st.booleans(), label="same fields"):
            again = self.run(
                accounts.open_account(id, asset=account.asset, kind=account.kind, flags=account.flags)
            )
            assert again.balance == account.balance
        else:
            try:
                other_flags = 0 if account.flags else DEBITS_MUST_NOT_EXCEED_CREDITS
                self.run(accounts.open_account(id, asset=account.asset, kind=account.kind, flags=other_flags))
            except errors.AccountConflict:
                return
            raise AssertionError("reopening an account with other flags was not refused")

    @rule(data=st.data())
    def transfer(self, data) -> None:
        self.submit([self.draw_new_transfer(data, pending=False)])

    @rule(data=st.data())
    def reserve(self, data) -> None:
        self.submit([self.draw_new_transfer(data, pending=True)])

    @precondition(lambda self: self.any_pendings())
    @rule(data=st.data())
    def post_or_void(self, data) -> None:
        self.submit([self.draw_resolution(data, self.any_pendings())])

    @precondition(lambda self: self.model.transfers)
    @rule(data=st.data())
    def reverse(self, data) -> None:
        self.submit([self.draw_reversal(data, self.reversible())])

    @precondition(lambda self: self.model.transfers)
    @rule(data=st.data())
    def retry_with_the_same_id(self, data) -> None:
        self.submit([self.draw_retry(data)])

    @rule(data=st.data())
    def linked_batch(self, data) -> None:
        operations: list[Operation] = []
        planned_pendings: list[str] = []
        planned_movements: list[str] = []
        for _ in range(data.draw(st.integers(2, 5), label="size")):
            choices = ["transfer", "reserve"]
            if self.any_pendings() or planned_pendings:
                choices.append("resolve")
            if self.model.transfers or planned_movements:
                choices.append("reverse")
            if self.model.transfers:
                choices.append("retry")
            choice = data.draw(st.sampled_from(choices), label="operation")
            if choice in ("transfer", "reserve"):
                operation = self.draw_new_transfer(data, pending=choice == "reserve")
                (planned_pendings if operation.pending else planned_movements).append(operation.id)
            elif choice == "resolve":
                operation = self.draw_resolution(data, self.any_pendings() + planned_pendings)
            elif choice == "reverse":
                operation = self.draw_reversal(data, self.reversible() + planned_movements)
            else:
                operation = self.draw_retry(data)
            operations.append(operation)
        self.submit(operations, batch_id=self.new_id("batch"))

    @rule(seconds=st.integers(1, 4000), sweep=st.booleans())
    def let_time_pass(self, seconds: int, sweep: bool) -> None:
        """The clock moves on; the expiry sweep may or may not run (then posts can meet a due pending)."""
        self.now += timedelta(seconds=seconds)
        if sweep:
            self.expire_due()

    def expire_due(self) -> None:
        due = self.model.due_pendings(self.now)
        trial = self.model.copy()
        operations = [ResolvePending(transfers.expiry_id(id), id, "expire", reason="expired") for id in due]
        trial.apply(operations, self.now)

        expired = self.run(transfers.expire_due(now=self.now))

        assert sorted(record.pending_id for record in expired) == sorted(due)
        event(f"expired {'some' if due else 'none'}")
        by_pending = {operation.pending_id: operation for operation in operations}
        self.check_records([by_pending[record.pending_id] for record in expired], expired, None, trial)

    # -- invariants --------------------------------------------------------------------------------

    @invariant()
    def the_ledger_equals_the_model_and_verifies(self) -> None:
        stored, balances, transfer_count, reservation_count, report = self.run(self.read_everything())

        assert set(stored) == set(self.model.accounts)
        for id, account in self.model.accounts.items():
            row = stored[id]
            assert (
                row["debits_posted"],
                row["credits_posted"],
                row["debits_pending"],
                row["credits_pending"],
            ) == account.totals(), id
            assert balances[id] == account.balance, id
            if row["flags"] & DEBITS_MUST_NOT_EXCEED_CREDITS:
                assert balances[id].available >= 0, f"{id} is overdrawn"
        for asset in ("PTS", "CNY"):
            rows = [row for row in stored.values() if row["asset"] == asset]
            assert sum(r["debits_posted"] for r in rows) == sum(r["credits_posted"] for r in rows)
            assert sum(r["debits_pending"] for r in rows) == sum(r["credits_pending"] for r in rows)
        assert transfer_count == len(self.model.transfers)
        assert reservation_count == len(self.open_pendings())
        assert report.ok, report.render()

    async def read_everything(self):
        stored = {row["id"]: row for row in await Account.select()}
        balances = {id: await accounts.balance(id) for id in stored}
        return stored, balances, await Transfer.count(), await Reservation.count(), await verify()


def test_random_sequences_of_postings_keep_every_invariant(databases):
    run_state_machine_as_test(lambda: LedgerMachine(databases.new_url()), settings=RUNS)
