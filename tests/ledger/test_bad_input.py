"""Every refusal of the ledger: its own error class, and nothing written."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from decimal import Decimal

import pytest

from ledger import accounts, errors, posting, statements, transfers
from ledger.posting import MAX_AMOUNT, MAX_BATCH, MAX_ID_LENGTH, NewTransfer, ResolvePending
from tests.ledger import street
from tests.ledger.street import T0, ledger_state


async def open_street() -> None:
    """The street, with 100 points issued to alice."""
    await street.open_street()
    await transfers.transfer("issue-alice", "issuer", "alice", 100, now=T0)


async def assert_refused(error_class: type[errors.LedgerError], attempt: Awaitable) -> errors.LedgerError:
    """``attempt`` raises exactly ``error_class`` (not a relative of it) and changes nothing."""
    before = await ledger_state()
    with pytest.raises(errors.LedgerError) as refused:
        await attempt
    assert type(refused.value) is error_class, f"refused with {type(refused.value).__name__}"
    assert await ledger_state() == before
    return refused.value


def test_every_refusal_has_its_own_code():
    classes = [errors.LedgerError]
    for cls in classes:
        classes.extend(cls.__subclasses__())

    codes = [cls.code for cls in classes]

    assert len(classes) > 15
    assert len(set(codes)) == len(codes)


# -- amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [0, -1, -100])
async def test_a_zero_or_negative_amount_is_refused(db, amount):
    await open_street()

    await assert_refused(errors.InvalidAmount, transfers.transfer("t1", "issuer", "alice", amount))
    await assert_refused(errors.InvalidAmount, transfers.reserve("r1", "issuer", "alice", amount))


@pytest.mark.parametrize("amount", [1.5, 10.0, "10", Decimal("10"), True, None])
async def test_an_amount_that_is_not_a_whole_number_is_refused(db, amount):
    await open_street()

    await assert_refused(errors.InvalidAmount, transfers.transfer("t1", "issuer", "alice", amount))


async def test_an_amount_beyond_the_ledgers_limit_is_refused(db):
    await open_street()

    await assert_refused(errors.InvalidAmount, transfers.transfer("t1", "issuer", "alice", MAX_AMOUNT + 1))


@pytest.mark.parametrize("amount", [0, -5, 2.5])
async def test_posting_a_zero_negative_or_fractional_part_of_a_reservation_is_refused(db, amount):
    await open_street()
    await transfers.reserve("r1", "alice", "shop", 30)

    await assert_refused(errors.InvalidAmount, transfers.post_pending("p1", "r1", amount))


async def test_totals_that_would_overflow_a_bigint_are_refused_not_crashed_on(db, monkeypatch):
    await open_street()
    await transfers.transfer("t1", "issuer", "bob", MAX_AMOUNT)
    monkeypatch.setattr(posting, "MAX_TOTAL", MAX_AMOUNT + 10)

    await assert_refused(errors.InvalidAmount, transfers.transfer("t2", "issuer", "bob", 11))


# -- text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"reference": "task:1\x1fpaid"},  # the hash's own separator: text could shift between fields
        {"reason": "task\n"},
        {"memo": "bell\x07"},
        {"memo": "x" * (posting.MAX_MEMO_LENGTH + 1)},
        {"reason": "r" * (posting.MAX_REASON_LENGTH + 1)},
    ],
)
async def test_text_with_control_characters_or_beyond_its_length_is_refused(db, fields):
    await open_street()

    await assert_refused(errors.InvalidTransfer, transfers.transfer("t1", "issuer", "alice", 10, **fields))


async def test_a_memo_may_run_over_several_lines(db):
    await open_street()

    record = await transfers.transfer("t1", "issuer", "alice", 10, memo="2 hours\n\tstairwell A")

    assert record.memo == "2 hours\n\tstairwell A"


async def test_the_expiry_sweeps_ids_are_its_own(db):
    await open_street()

    await assert_refused(errors.InvalidTransfer, transfers.transfer("expire:r1", "issuer", "alice", 10))


@pytest.mark.parametrize("cursor", ["abc", "-1", "²", "9" * 19, " 12"])
async def test_a_statement_cursor_it_never_gave_out_is_refused(db, cursor):
    await open_street()

    with pytest.raises(errors.InvalidCursor):
        await statements.statement("alice", cursor=cursor)


# -- accounts and assets -------------------------------------------------------------------------


@pytest.mark.parametrize(("debit", "credit"), [("ghost", "alice"), ("issuer", "ghost")])
async def test_a_transfer_naming_an_unknown_account_is_refused(db, debit, credit):
    await open_street()

    await assert_refused(errors.AccountNotFound, transfers.transfer("t1", debit, credit, 10))
    await assert_refused(errors.AccountNotFound, transfers.reserve("r1", debit, credit, 10))


@pytest.mark.parametrize("asset", ["PTS", "CNY"])
async def test_a_transfer_between_accounts_of_different_assets_is_refused(db, asset):
    await open_street()

    await assert_refused(errors.AssetMismatch, transfers.transfer("t1", "alice", "fund", 10, asset))
    await assert_refused(errors.AssetMismatch, transfers.transfer("t2", "world", "alice", 10, asset))


async def test_a_transfer_in_an_asset_neither_account_holds_is_refused(db):
    await open_street()

    await assert_refused(errors.AssetMismatch, transfers.transfer("t1", "world", "fund", 10, "PTS"))
    await assert_refused(errors.AssetMismatch, transfers.transfer("t2", "issuer", "alice", 10, "USD"))


async def test_a_transfer_from_an_account_to_itself_is_refused(db):
    await open_street()

    await assert_refused(errors.SameAccount, transfers.transfer("t1", "alice", "alice", 10))


@pytest.mark.parametrize(
    ("fields", "error_class"),
    [
        ({"asset": "USD", "kind": "member"}, errors.InvalidAccount),
        ({"asset": "PTS", "kind": "landlord"}, errors.InvalidAccount),
        ({"asset": "PTS", "kind": "member", "flags": 3}, errors.InvalidAccount),
        ({"asset": "PTS", "kind": "member", "flags": 8}, errors.InvalidAccount),
        ({"asset": "PTS", "kind": "member", "owner": "o" * 65}, errors.InvalidAccount),
    ],
)
async def test_an_account_of_an_unknown_asset_or_kind_or_with_both_limits_is_refused(db, fields, error_class):
    await open_street()

    await assert_refused(error_class, accounts.open_account("carol", **fields))


@pytest.mark.parametrize("account_id", ["", "x" * 65, "tab\there", "nul\x00"])
async def test_an_account_id_that_is_empty_too_long_or_holds_control_characters_is_refused(db, account_id):
    await open_street()

    await assert_refused(errors.InvalidAccount, accounts.open_account(account_id, asset="PTS", kind="member"))


async def test_reopening_an_account_with_other_fields_is_an_account_conflict(db):
    await open_street()

    await assert_refused(errors.AccountConflict, accounts.open_account("alice", asset="PTS", kind="member"))


# -- overdraft -----------------------------------------------------------------------------------


async def test_a_member_cannot_pay_more_than_they_have(db):
    await open_street()

    error = await assert_refused(errors.Overdraft, transfers.transfer("t1", "alice", "shop", 101))
    await assert_refused(errors.Overdraft, transfers.transfer("t2", "bob", "shop", 1))

    assert error.code == "insufficient_balance"
    assert error.conflict
    assert error.details["account"] == "alice"


async def test_a_member_cannot_reserve_more_than_they_have(db):
    await open_street()

    await assert_refused(errors.Overdraft, transfers.reserve("r1", "alice", "shop", 101))


async def test_a_fund_in_fen_cannot_pay_out_more_than_it_holds(db):
    await open_street()

    await assert_refused(errors.Overdraft, transfers.transfer("t1", "fund", "world", 1, "CNY"))


# -- pending transfers ---------------------------------------------------------------------------


async def test_posting_a_voided_reservation_is_refused(db):
    await open_street()
    await transfers.reserve("r1", "alice", "shop", 30)
    await transfers.void_pending("v1", "r1")

    await assert_refused(errors.PendingAlreadyVoided, transfers.post_pending("p1", "r1"))
    await assert_refused(errors.PendingAlreadyVoided, transfers.void_pending("v2", "r1"))


async def test_posting_an_expired_reservation_is_refused_before_and_after_the_sweep(db):
    await open_street()
    await transfers.reserve("r1", "alice", "shop", 30, timeout_s=60, now=T0)
    late = T0 + timedelta(seconds=61)

    await assert_refused(errors.PendingExpired, transfers.post_pending("p1", "r1", now=late))
    await transfers.expire_due(now=late)
    await assert_refused(errors.PendingExpired, transfers.post_pending("p1", "r1", now=late))
    await assert_refused(errors.PendingExpired, transfers.void_pending("v1", "r1", now=late))


async def test_posting_a_reservation_twice_is_refused(db):
    await open_street()
    await transfers.reserve("r1", "alice", "shop", 30)
    await transfers.post_pending("p1", "r1")

    await assert_refused(errors.PendingAlreadyPosted, transfers.post_pending("p2", "r1"))


async def test_posting_more_than_was_reserved_is_refused(db):
    await open_street()
    await transfers.reserve("r1", "alice", "shop", 30)

    await assert_refused(errors.AmountExceedsPending, transfers.post_pending("p1", "r1", 31))


@pytest.mark.parametrize("pending_id", ["never-reserved", "issue-alice"])
async def test_posting_or_voiding_what_is_not_a_pending_transfer_is_refused(db, pending_id):
    await open_street()

    await assert_refused(errors.PendingNotFound, transfers.post_pending("p1", pending_id))
    await assert_refused(errors.PendingNotFound, transfers.void_pending("v1", pending_id))


@pytest.mark.parametrize("timeout_s", [0, -60, 1.5, posting.MAX_TIMEOUT_S + 1, 10**12])
async def test_a_reservation_with_a_timeout_that_is_not_a_positive_whole_number_is_refused(db, timeout_s):
    await open_street()

    await assert_refused(
        errors.InvalidTransfer, transfers.reserve("r1", "alice", "shop", 10, timeout_s=timeout_s)
    )


async def test_a_timeout_on_a_transfer_that_is_not_pending_is_refused(db):
    await open_street()

    await assert_refused(
        errors.InvalidTransfer,
        transfers.post_batch([NewTransfer("t1", "issuer", "alice", 10, "PTS", timeout_s=60)]),
    )


async def test_expiring_a_reservation_before_its_timeout_is_refused(db):
    await open_street()
    await transfers.reserve("r1", "alice", "shop", 10, timeout_s=60, now=T0)

    await assert_refused(
        errors.InvalidTransfer,
        transfers.post_batch([ResolvePending("x", "r1", "expire")], now=T0 + timedelta(seconds=59)),
    )


# -- reversals -----------------------------------------------------------------------------------


async def test_reversing_an_unknown_transfer_is_refused(db):
    await open_street()

    await assert_refused(errors.TransferNotFound, transfers.reverse("x1", "never-posted"))


async def test_reversing_a_pending_transfer_is_refused(db):
    await open_street()
    await transfers.reserve("r1", "alice", "shop", 30)

    await assert_refused(errors.NotReversible, transfers.reverse("x1", "r1"))


async def test_reversing_a_transfer_twice_is_refused(db):
    await open_street()
    await transfers.reverse("x1", "issue-alice")

    await assert_refused(errors.AlreadyReversed, transfers.reverse("x2", "issue-alice"))


# -- ids and batches -----------------------------------------------------------------------------


async def test_the_same_id_with_other_fields_is_refused(db):
    await open_street()

    await assert_refused(errors.TransferConflict, transfers.transfer("issue-alice", "issuer", "alice", 99))
    await assert_refused(errors.TransferConflict, transfers.reserve("issue-alice", "issuer", "alice", 100))
    await assert_refused(errors.TransferConflict, transfers.reverse("issue-alice", "issue-alice"))


@pytest.mark.parametrize("id", ["", "x" * (MAX_ID_LENGTH + 1), 42])
async def test_a_transfer_id_that_is_empty_too_long_or_not_a_string_is_refused(db, id):
    await open_street()

    await assert_refused(errors.InvalidTransfer, transfers.transfer(id, "issuer", "alice", 10))


async def test_a_reason_or_reference_beyond_its_length_is_refused(db):
    await open_street()

    await assert_refused(
        errors.InvalidTransfer, transfers.transfer("t1", "issuer", "alice", 1, reason="r" * 33)
    )
    await assert_refused(
        errors.InvalidTransfer, transfers.transfer("t2", "issuer", "alice", 1, reference="r" * 129)
    )


async def test_a_batch_beyond_the_limit_is_refused(db):
    await open_street()
    batch = [NewTransfer(f"b{number}", "issuer", "bob", 1, "PTS") for number in range(MAX_BATCH + 1)]

    await assert_refused(errors.BatchTooLarge, transfers.post_batch(batch))


async def test_a_batch_at_the_limit_posts(db):
    await open_street()
    batch = [NewTransfer(f"b{number}", "issuer", "bob", 1, "PTS") for number in range(MAX_BATCH)]

    await transfers.post_batch(batch, batch_id="full")

    assert (await accounts.balance("bob")).posted == MAX_BATCH


async def test_a_batch_naming_the_same_id_twice_is_refused(db):
    await open_street()
    batch = [
        NewTransfer("b1", "issuer", "bob", 10, "PTS"),
        NewTransfer("b2", "issuer", "bob", 20, "PTS"),
        NewTransfer("b1", "issuer", "bob", 10, "PTS"),
    ]

    await assert_refused(errors.InvalidTransfer, transfers.post_batch(batch))


async def test_one_refused_transfer_refuses_its_whole_batch(db):
    await open_street()
    batch = [
        NewTransfer("b1", "issuer", "bob", 10, "PTS"),
        NewTransfer("b2", "bob", "shop", 10, "PTS"),
        NewTransfer("b3", "alice", "fund", 10, "PTS"),
    ]

    await assert_refused(errors.AssetMismatch, transfers.post_batch(batch, batch_id="mixed"))
