"""Every ledger operation, on both engines: what it moves, what it answers, what it keeps."""

from __future__ import annotations

import pytest

from ledger import accounts, errors, transfers
from ledger.accounts import Balance
from ledger.posting import GENESIS_HASH, NewTransfer, ResolvePending, Reverse, transfer_hash
from ledger.statements import statement
from ledger.tables import Account, Reservation, Transfer
from tests.ledger.street import T0, at, ledger_state, open_street


async def issue(member: str, amount: int, id: str | None = None) -> None:
    await transfers.transfer(id or f"issue-{member}-{amount}", "issuer", member, amount, reason="issue")


# -- single transfers ----------------------------------------------------------------------------


async def test_a_transfer_moves_the_amount_from_the_debit_account_to_the_credit_account(db):
    await open_street()

    record = await transfers.transfer(
        "t1", "issuer", "alice", 120, reason="task", reference="task:7", memo="2 hours", now=T0
    )

    assert (record.kind, record.debit_account_id, record.credit_account_id) == ("single", "issuer", "alice")
    assert (record.amount, record.asset, record.reason, record.reference, record.memo) == (
        120,
        "PTS",
        "task",
        "task:7",
        "2 hours",
    )
    assert (record.debit_balance_after, record.credit_balance_after) == (-120, 120)
    assert record.created_at == T0
    assert (record.pending_id, record.reverses_id, record.batch_id, record.timeout_s) == (None,) * 4
    assert await accounts.balance("alice") == Balance(posted=120, pending=0, available=120)
    assert await accounts.balance("issuer") == Balance(posted=-120, pending=0, available=-120)
    assert await transfers.get_transfer("t1") == record


async def test_an_issuer_may_run_negative_and_its_balance_is_the_outstanding_liability(db):
    await open_street()
    await issue("alice", 100)
    await issue("bob", 50)
    await transfers.transfer("spend", "alice", "shop", 30)

    assert (await accounts.balance("issuer")).posted == -150
    assert (await accounts.balance("alice")).posted + (await accounts.balance("bob")).posted + (
        await accounts.balance("shop")
    ).posted == 150


async def test_a_transfer_in_fen_moves_between_accounts_that_hold_cny(db):
    await open_street()

    record = await transfers.transfer("donation", "world", "fund", 5000, "CNY", reason="donation")

    assert record.asset == "CNY"
    assert (await accounts.balance("fund")).posted == 5000
    assert (await accounts.balance("world")).posted == -5000


async def test_each_transfer_takes_the_next_sequence_number_and_chains_to_the_one_before(db):
    await open_street()

    first = await transfers.transfer("t1", "issuer", "alice", 10)
    second = await transfers.transfer("t2", "issuer", "bob", 20)
    third = await transfers.transfer("t3", "alice", "bob", 5)

    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert all(record.hash == transfer_hash(record) for record in (first, second, third))
    assert len({first.hash, second.hash, third.hash}) == 3


async def test_get_transfer_answers_none_for_an_id_never_used(db):
    await open_street()

    assert await transfers.get_transfer("nobody-used-this") is None


# -- idempotency ---------------------------------------------------------------------------------


async def test_retrying_a_transfer_with_the_same_id_and_fields_returns_the_first_result_and_writes_nothing(
    db,
):
    await open_street()
    first = await transfers.transfer("t1", "issuer", "alice", 100, reason="task", memo="m", now=T0)
    before = await ledger_state()

    retried = await transfers.transfer("t1", "issuer", "alice", 100, reason="task", memo="m", now=at(3600))

    assert retried == first
    assert retried.created_at == T0
    assert await ledger_state() == before
    assert (await accounts.balance("alice")).posted == 100


async def test_a_retry_is_answered_even_when_the_debit_account_could_no_longer_pay(db):
    await open_street()
    await issue("alice", 100)
    first = await transfers.transfer("pay", "alice", "bob", 100)

    assert await transfers.transfer("pay", "alice", "bob", 100) == first
    assert (await accounts.balance("alice")).posted == 0


@pytest.mark.parametrize(
    "changed",
    [
        {"amount": 101},
        {"credit_account_id": "bob"},
        {"debit_account_id": "shop"},
        {"reason": "other"},
        {"reference": "task:8"},
        {"memo": "another memo"},
    ],
)
async def test_the_same_id_with_other_fields_is_a_transfer_conflict_and_writes_nothing(db, changed):
    await open_street()
    await transfers.transfer("t1", "issuer", "alice", 100, reason="task", reference="task:7", memo="m")
    before = await ledger_state()
    fields = {
        "id": "t1",
        "debit_account_id": "issuer",
        "credit_account_id": "alice",
        "amount": 100,
        "reason": "task",
        "reference": "task:7",
        "memo": "m",
        **changed,
    }

    with pytest.raises(errors.TransferConflict):
        await transfers.transfer(**fields)

    assert await ledger_state() == before


async def test_a_reservation_cannot_reuse_the_id_of_a_transfer(db):
    await open_street()
    await transfers.transfer("t1", "issuer", "alice", 100)

    with pytest.raises(errors.TransferConflict):
        await transfers.reserve("t1", "issuer", "alice", 100)


async def test_retrying_a_post_a_void_and_a_reversal_returns_the_first_results(db):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 30)
    await transfers.reserve("r2", "alice", "shop", 40)
    posted = await transfers.post_pending("p1", "r1", 20)
    voided = await transfers.void_pending("v2", "r2")
    reversed_ = await transfers.reverse("x1", "p1")
    before = await ledger_state()

    assert await transfers.post_pending("p1", "r1", 20) == posted
    assert await transfers.void_pending("v2", "r2") == voided
    assert await transfers.reverse("x1", "p1") == reversed_
    with pytest.raises(errors.TransferConflict):  # no amount asks for all 30 held, not the 20 posted
        await transfers.post_pending("p1", "r1")
    assert await ledger_state() == before


async def test_retrying_a_post_for_another_amount_is_a_transfer_conflict(db):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 30)
    await transfers.post_pending("p1", "r1", 20)

    with pytest.raises(errors.TransferConflict):
        await transfers.post_pending("p1", "r1", 25)
    with pytest.raises(errors.TransferConflict):
        await transfers.void_pending("p1", "r1")


# -- two-phase transfers -------------------------------------------------------------------------


async def test_a_reservation_holds_the_amount_until_it_is_posted(db):
    await open_street()
    await issue("alice", 100)

    pending = await transfers.reserve("r1", "alice", "shop", 30, reason="redeem", reference="item:3")

    assert pending.kind == "pending"
    assert await accounts.balance("alice") == Balance(posted=100, pending=-30, available=70)
    assert await accounts.balance("shop") == Balance(posted=0, pending=30, available=0)

    posted = await transfers.post_pending("p1", "r1", reason="fulfilled")

    assert (posted.kind, posted.pending_id, posted.amount) == ("post", "r1", 30)
    assert (posted.debit_account_id, posted.credit_account_id, posted.asset) == ("alice", "shop", "PTS")
    assert await accounts.balance("alice") == Balance(posted=70, pending=0, available=70)
    assert await accounts.balance("shop") == Balance(posted=30, pending=0, available=30)
    assert await Reservation.count() == 0


async def test_posting_part_of_a_reservation_returns_the_rest_to_the_debit_account(db):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 30)

    posted = await transfers.post_pending("p1", "r1", 20)

    assert posted.amount == 20
    assert await accounts.balance("alice") == Balance(posted=80, pending=0, available=80)
    assert await accounts.balance("shop") == Balance(posted=20, pending=0, available=20)


async def test_voiding_a_reservation_releases_it_and_moves_nothing(db):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 30)

    voided = await transfers.void_pending("v1", "r1", reason="cancelled")

    assert (voided.kind, voided.pending_id, voided.amount) == ("void", "r1", 30)
    assert await accounts.balance("alice") == Balance(posted=100, pending=0, available=100)
    assert await accounts.balance("shop") == Balance(posted=0, pending=0, available=0)
    assert await Reservation.count() == 0


async def test_a_reserved_amount_cannot_be_spent_twice(db):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 80)

    with pytest.raises(errors.Overdraft):
        await transfers.transfer("t1", "alice", "bob", 30)
    with pytest.raises(errors.Overdraft):
        await transfers.reserve("r2", "alice", "bob", 30)

    await transfers.transfer("t2", "alice", "bob", 20)
    assert await accounts.balance("alice") == Balance(posted=80, pending=-80, available=0)


async def test_a_resolved_reservation_cannot_be_resolved_again(db):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 30)
    await transfers.post_pending("p1", "r1")

    with pytest.raises(errors.PendingAlreadyPosted):
        await transfers.post_pending("p2", "r1")
    with pytest.raises(errors.PendingAlreadyPosted):
        await transfers.void_pending("v1", "r1")
    assert (await accounts.balance("shop")).posted == 30


async def test_balance_nets_the_reservations_an_account_made_and_the_ones_made_to_it(db):
    await open_street()
    await issue("alice", 100)
    await issue("bob", 100)
    await transfers.reserve("alice-pays", "alice", "bob", 30)
    await transfers.reserve("bob-pays", "bob", "alice", 20)

    assert await accounts.balance("alice") == Balance(posted=100, pending=-10, available=70)
    assert await accounts.balance("bob") == Balance(posted=100, pending=10, available=80)


# -- expiry --------------------------------------------------------------------------------------


async def test_a_reservation_expires_when_the_sweep_runs_after_its_timeout(db):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 30, timeout_s=60, now=T0)

    assert await transfers.expire_due(now=at(59)) == []
    assert (await accounts.balance("alice")).available == 70

    expired = await transfers.expire_due(now=at(60))

    assert [(r.id, r.kind, r.pending_id, r.amount, r.reason) for r in expired] == [
        (transfers.expiry_id("r1"), "expire", "r1", 30, "expired")
    ]
    assert expired[0].created_at == at(60)
    assert await accounts.balance("alice") == Balance(posted=100, pending=0, available=100)
    assert await accounts.balance("shop") == Balance(posted=0, pending=0, available=0)
    assert await Reservation.count() == 0


async def test_posting_a_reservation_past_its_timeout_is_refused_before_the_sweep_runs(db):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 30, timeout_s=60, now=T0)

    with pytest.raises(errors.PendingExpired):
        await transfers.post_pending("p1", "r1", now=at(61))
    with pytest.raises(errors.PendingExpired):
        await transfers.void_pending("v1", "r1", now=at(61))
    assert (await accounts.balance("alice")).available == 70

    assert len(await transfers.expire_due(now=at(61))) == 1
    with pytest.raises(errors.PendingExpired):
        await transfers.post_pending("p1", "r1", now=at(62))


async def test_a_reservation_can_be_posted_until_its_timeout(db):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 30, timeout_s=60, now=T0)

    await transfers.post_pending("p1", "r1", now=at(59))

    assert await transfers.expire_due(now=at(3600)) == []
    assert (await accounts.balance("shop")).posted == 30


async def test_expire_due_is_idempotent(db):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 30, timeout_s=60, now=T0)
    await transfers.expire_due(now=at(120))
    before = await ledger_state()

    assert await transfers.expire_due(now=at(120)) == []
    assert await transfers.expire_due(now=at(86_400)) == []
    assert await ledger_state() == before


async def test_a_reservation_without_a_timeout_never_expires(db):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 30, now=T0)

    assert await transfers.expire_due(now=at(10 * 365 * 86_400)) == []
    assert (await accounts.balance("alice")).pending == -30


async def test_expire_due_expires_at_most_its_limit_per_call(db):
    await open_street()
    await issue("alice", 100)
    for number in range(3):
        await transfers.reserve(f"r{number}", "alice", "shop", 10, timeout_s=60 + number, now=T0)

    first = await transfers.expire_due(now=at(600), limit=2)
    second = await transfers.expire_due(now=at(600), limit=2)

    assert [r.pending_id for r in first] == ["r0", "r1"]  # the longest overdue first
    assert [r.pending_id for r in second] == ["r2"]
    assert (await accounts.balance("alice")).available == 100


async def test_long_pending_ids_that_share_a_beginning_expire_under_ids_of_their_own(db):
    await open_street()
    await issue("alice", 100)
    long_ids = ["redemption-" + "x" * 52 + end for end in "12"]
    for long_id in long_ids:
        await transfers.reserve(long_id, "alice", "shop", 10, timeout_s=60, now=T0)

    expired = await transfers.expire_due(now=at(600))

    assert sorted(record.pending_id for record in expired) == long_ids
    assert len({record.id for record in expired}) == 2
    assert all(len(record.id) <= 64 and record.id.startswith("expire:") for record in expired)


async def test_one_reservation_that_cannot_expire_does_not_hold_up_the_others(db, monkeypatch, caplog):
    await open_street()
    await issue("alice", 100)
    for number in range(3):
        await transfers.reserve(f"r{number}", "alice", "shop", 10, timeout_s=60, now=T0)
    # A fault in the sweep itself: every expiry would take the same id, so only one can land.
    monkeypatch.setattr(transfers, "expiry_id", lambda pending_id: "expire:clash")

    expired = await transfers.expire_due(now=at(600))

    assert [record.pending_id for record in expired] == ["r0"]
    assert "pending transfer r1 could not expire" in caplog.text
    assert await Reservation.count() == 2


async def test_expire_all_due_sweeps_in_bounded_rounds_until_nothing_is_due(db, monkeypatch):
    monkeypatch.setattr(transfers, "MAX_EXPIRE_PER_SWEEP", 2)
    await open_street()
    await issue("alice", 100)
    for number in range(5):
        await transfers.reserve(f"r{number}", "alice", "shop", 10, timeout_s=60, now=T0)
    await transfers.reserve("later", "alice", "shop", 10, timeout_s=6000, now=T0)

    assert await transfers.expire_all_due(now=at(600)) == 5
    assert await transfers.expire_all_due(now=at(600)) == 0
    assert await Reservation.count() == 1
    assert (await accounts.balance("alice")).available == 90


# -- reversals -----------------------------------------------------------------------------------


async def test_a_reversal_moves_the_amount_back_and_names_the_transfer_it_reverses(db):
    await open_street()
    await issue("alice", 100, id="t1")

    reversal = await transfers.reverse("x1", "t1", memo="issued to the wrong member")

    assert (reversal.kind, reversal.reverses_id, reversal.reason) == ("single", "t1", "reversal")
    assert (reversal.debit_account_id, reversal.credit_account_id, reversal.amount) == (
        "alice",
        "issuer",
        100,
    )
    assert await accounts.balance("alice") == Balance(posted=0, pending=0, available=0)
    assert (await accounts.balance("issuer")).posted == 0
    assert (await transfers.get_transfer("t1")).amount == 100  # the original stays as it was


async def test_a_transfer_is_reversed_at_most_once(db):
    await open_street()
    await issue("alice", 100, id="t1")
    await transfers.reverse("x1", "t1")

    with pytest.raises(errors.AlreadyReversed):
        await transfers.reverse("x2", "t1")
    assert (await accounts.balance("alice")).posted == 0


async def test_a_posted_part_of_a_reservation_can_be_reversed(db):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 30)
    await transfers.post_pending("p1", "r1", 25)

    reversal = await transfers.reverse("refund", "p1")

    assert (reversal.debit_account_id, reversal.credit_account_id, reversal.amount) == ("shop", "alice", 25)
    assert (await accounts.balance("alice")).posted == 100
    assert (await accounts.balance("shop")).posted == 0


@pytest.mark.parametrize("resolve", ["none", "void"])
async def test_a_pending_transfer_or_its_void_cannot_be_reversed(db, resolve):
    await open_street()
    await issue("alice", 100)
    await transfers.reserve("r1", "alice", "shop", 30)
    target = "r1"
    if resolve == "void":
        await transfers.void_pending("v1", "r1")
        target = "v1"

    with pytest.raises(errors.NotReversible):
        await transfers.reverse("x1", target)


async def test_a_reversal_that_would_overdraw_a_member_is_refused(db):
    await open_street()
    await issue("alice", 100, id="t1")
    await transfers.transfer("spent", "alice", "shop", 100)

    with pytest.raises(errors.Overdraft):
        await transfers.reverse("x1", "t1")
    assert await transfers.get_transfer("x1") is None


# -- linked batches ------------------------------------------------------------------------------


async def test_a_linked_batch_posts_every_transfer_and_records_its_batch_id(db):
    await open_street()

    records = await transfers.post_batch(
        [
            NewTransfer("b1", "issuer", "alice", 50, "PTS"),
            NewTransfer("b2", "issuer", "bob", 60, "PTS"),
            NewTransfer("b3", "world", "fund", 700, "CNY"),
        ],
        batch_id="grant-1",
    )

    assert [r.id for r in records] == ["b1", "b2", "b3"]
    assert [r.batch_id for r in records] == ["grant-1"] * 3
    assert [r.seq for r in records] == [1, 2, 3]
    assert (await transfers.get_transfer("b2")).batch_id == "grant-1"
    assert (await accounts.balance("fund")).posted == 700


async def test_a_linked_batch_posts_nothing_when_its_third_transfer_fails(db):
    await open_street()
    await issue("alice", 10)
    before = await ledger_state()

    with pytest.raises(errors.Overdraft):
        await transfers.post_batch(
            [
                NewTransfer("b1", "issuer", "bob", 50, "PTS"),
                NewTransfer("b2", "alice", "shop", 10, "PTS"),
                NewTransfer("b3", "alice", "shop", 1, "PTS"),
            ],
            batch_id="batch-1",
        )

    assert await ledger_state() == before
    for id in ("b1", "b2", "b3"):
        assert await transfers.get_transfer(id) is None
    # Nothing of the batch is left behind: the same ids post afresh.
    await transfers.post_batch([NewTransfer("b1", "issuer", "bob", 5, "PTS")], batch_id="batch-2")
    assert (await transfers.get_transfer("b1")).batch_id == "batch-2"


async def test_a_later_transfer_in_a_batch_can_spend_what_an_earlier_one_brought(db):
    await open_street()

    records = await transfers.post_batch(
        [
            NewTransfer("earn", "issuer", "alice", 50, "PTS"),
            NewTransfer("spend", "alice", "bob", 50, "PTS"),
        ]
    )

    assert [(r.debit_balance_after, r.credit_balance_after) for r in records] == [(-50, 50), (0, 50)]
    assert (await accounts.balance("alice")).posted == 0


async def test_a_batch_can_reserve_post_and_reverse_in_one_go(db):
    await open_street()
    await issue("alice", 100, id="t1")

    records = await transfers.post_batch(
        [
            NewTransfer("r1", "alice", "shop", 40, "PTS", pending=True),
            ResolvePending("p1", "r1", "post", 30),
            Reverse("x1", "p1"),
        ],
        batch_id="mixed",
    )

    assert [r.kind for r in records] == ["pending", "post", "single"]
    assert await accounts.balance("alice") == Balance(posted=100, pending=0, available=100)
    assert await Reservation.count() == 0


async def test_retrying_a_whole_batch_returns_the_first_results_and_writes_nothing(db):
    await open_street()
    batch = [NewTransfer("b1", "issuer", "alice", 50, "PTS"), NewTransfer("b2", "alice", "bob", 20, "PTS")]
    first = await transfers.post_batch(batch, batch_id="batch-1")
    before = await ledger_state()

    assert await transfers.post_batch(batch, batch_id="batch-1") == first
    assert await ledger_state() == before


async def test_a_batch_that_also_retries_a_reservation_still_sees_its_state(db):
    # Found by the stateful test: a batch naming a stored pending transfer twice (a retry of it
    # and a resolution of it) must still read whether it is due or already resolved.
    await open_street()
    await issue("alice", 100)
    hold = NewTransfer("hold", "alice", "shop", 10, "PTS", pending=True, timeout_s=60)
    posted = NewTransfer("posted", "alice", "shop", 10, "PTS", pending=True, timeout_s=6000)
    await transfers.post_batch([hold, posted], now=T0)
    await transfers.post_pending("post-1", "posted", now=at(1))
    before = await ledger_state()

    with pytest.raises(errors.PendingExpired):
        await transfers.post_batch([hold, ResolvePending("void-1", "hold", "void")], now=at(600))
    with pytest.raises(errors.PendingAlreadyPosted):
        await transfers.post_batch([ResolvePending("post-2", "posted", "post"), posted], now=at(2))
    assert await ledger_state() == before


async def test_an_empty_batch_posts_nothing(db):
    await open_street()

    assert await transfers.post_batch([]) == []
    assert await Transfer.count() == 0


# -- accounts and balances -----------------------------------------------------------------------


async def test_opening_an_account_again_with_the_same_fields_returns_it(db):
    first = await accounts.open_account("carol", asset="PTS", kind="member", owner="member:3", flags=1)

    again = await accounts.open_account("carol", asset="PTS", kind="member", owner="member:3", flags=1)

    assert again == first
    assert await Account.count() == 1


async def test_opening_an_account_again_with_other_fields_is_an_account_conflict(db):
    await accounts.open_account("carol", asset="PTS", kind="member")

    with pytest.raises(errors.AccountConflict):
        await accounts.open_account("carol", asset="CNY", kind="member")
    assert (await accounts.get_account("carol")).asset == "PTS"


async def test_the_balance_of_an_unknown_account_is_refused(db):
    with pytest.raises(errors.AccountNotFound):
        await accounts.balance("nobody")
    assert await accounts.get_account("nobody") is None


# -- statements ----------------------------------------------------------------------------------


async def test_a_statement_lists_an_accounts_transfers_newest_first_with_the_balance_after_each(db):
    await open_street()
    await transfers.transfer("t1", "issuer", "alice", 100, reason="task", reference="task:1", now=at(1))
    await transfers.transfer("t2", "issuer", "bob", 999, now=at(2))  # not alice's
    await transfers.transfer("t3", "alice", "bob", 30, reason="help", now=at(3))
    await transfers.reserve("r4", "alice", "shop", 20, now=at(4))
    await transfers.post_pending("p5", "r4", 15, now=at(5))

    page = await statement("alice")

    assert [(line.id, line.kind, line.direction, line.amount, line.balance_after) for line in page.items] == [
        ("p5", "post", "debit", 15, 55),
        ("r4", "pending", "debit", 20, 70),
        ("t3", "single", "debit", 30, 70),
        ("t1", "single", "credit", 100, 100),
    ]
    assert [line.counterparty for line in page.items] == ["shop", "shop", "bob", "issuer"]
    assert (page.items[-1].reason, page.items[-1].reference, page.items[-1].created_at) == (
        "task",
        "task:1",
        at(1),
    )
    assert page.next_cursor is None


async def test_a_statement_pages_by_cursor_until_there_is_no_next_cursor(db):
    await open_street()
    for number in range(1, 8):
        await transfers.transfer(f"t{number}", "issuer", "alice", number)

    pages = []
    cursor = None
    while True:
        page = await statement("alice", cursor=cursor, limit=3)
        pages.append([line.id for line in page.items])
        cursor = page.next_cursor
        if cursor is None:
            break

    assert pages == [["t7", "t6", "t5"], ["t4", "t3", "t2"], ["t1"]]
    balances = [line.balance_after for line in (await statement("alice", limit=10)).items]
    assert balances == [28, 21, 15, 10, 6, 3, 1]


async def test_a_statement_page_that_ends_at_the_oldest_line_has_no_next_cursor(db):
    await open_street()
    for number in range(1, 7):
        await transfers.transfer(f"t{number}", "issuer", "alice", 1)

    first = await statement("alice", limit=3)
    second = await statement("alice", cursor=first.next_cursor, limit=3)

    assert first.next_cursor is not None
    assert [line.id for line in second.items] == ["t3", "t2", "t1"]
    assert second.next_cursor is None


async def test_a_statement_of_an_account_without_transfers_is_empty(db):
    await open_street()

    page = await statement("bob")

    assert page.items == []
    assert page.next_cursor is None


async def test_a_statement_refuses_a_cursor_it_did_not_give_out(db):
    await open_street()

    with pytest.raises(errors.InvalidCursor):
        await statement("alice", cursor="1; DROP TABLE ledger_transfer")


# -- inside the caller's transaction -------------------------------------------------------------


async def test_a_transfer_inside_the_callers_transaction_commits_with_it(db):
    await open_street()

    async with Transfer._meta.db.transaction():
        await issue("alice", 100, id="t1")
        await accounts.open_account("carol", asset="PTS", kind="member")
        await transfers.transfer("t2", "alice", "carol", 40)
        assert (await accounts.balance("alice")).posted == 60  # the transaction sees its own writes

    assert (await accounts.balance("alice")).posted == 60
    assert (await accounts.balance("carol")).posted == 40
    assert await Transfer.count() == 2


async def test_a_transfer_inside_the_callers_transaction_rolls_back_with_it(db):
    await open_street()
    await issue("alice", 100, id="t1")
    before = await ledger_state()

    with pytest.raises(RuntimeError, match="the use case failed"):
        async with Transfer._meta.db.transaction():
            await transfers.transfer("t2", "alice", "bob", 40)
            await transfers.reserve("r3", "alice", "shop", 10, timeout_s=60)
            await accounts.open_account("carol", asset="PTS", kind="member")
            raise RuntimeError("the use case failed")

    assert await ledger_state() == before
    assert await accounts.get_account("carol") is None
    assert await transfers.get_transfer("t2") is None
    # The id is free again, for other fields too.
    await transfers.transfer("t2", "alice", "bob", 5)
    assert (await accounts.balance("bob")).posted == 5


async def test_a_refused_transfer_inside_the_callers_transaction_undoes_only_itself(db):
    await open_street()
    await issue("alice", 100, id="t1")

    async with Transfer._meta.db.transaction():
        await transfers.transfer("t2", "alice", "bob", 60)
        with pytest.raises(errors.Overdraft):
            await transfers.post_batch(
                [NewTransfer("t3", "issuer", "alice", 1, "PTS"), NewTransfer("t4", "alice", "bob", 50, "PTS")]
            )
        await transfers.transfer("t5", "alice", "bob", 40)

    assert [line.id for line in (await statement("bob")).items] == ["t5", "t2"]
    assert await transfers.get_transfer("t3") is None
    assert (await accounts.balance("alice")).posted == 0
