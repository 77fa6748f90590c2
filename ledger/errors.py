"""The ledger's refusals. Each has a stable ``code`` that the web layer maps to HTTP once.

A refusal always means nothing was written.
"""


class LedgerError(Exception):
    """Base class: ``code`` is stable and machine-readable; the message is for people."""

    code = "ledger_error"
    conflict = False  # True: the request was valid but the ledger's state refuses it (HTTP 409)

    def __init__(self, message: str, **details: object):
        super().__init__(message)
        self.details = details


class InvalidTransfer(LedgerError):
    code = "invalid_transfer"


class InvalidCursor(LedgerError):
    """A statement's cursor that the statement never gave out: bad input, not a bad transfer."""

    code = "invalid_input"


class InvalidAccount(LedgerError):
    """An account cannot be opened as asked (its id, asset, kind or flags)."""

    code = "invalid_account"


class InvalidAmount(InvalidTransfer):
    code = "invalid_amount"


class AccountNotFound(LedgerError):
    code = "account_not_found"


class TransferNotFound(LedgerError):
    code = "transfer_not_found"


class AccountConflict(LedgerError):
    """An account with this id exists with other fields."""

    code = "account_conflict"
    conflict = True


class AssetMismatch(InvalidTransfer):
    code = "asset_mismatch"


class SameAccount(InvalidTransfer):
    code = "same_account"


class Overdraft(LedgerError):
    """The debit account may not go below zero (or a credit-limited account above it)."""

    code = "insufficient_balance"
    conflict = True


class TransferConflict(LedgerError):
    """The transfer id is taken by a transfer with other fields: an idempotency key was reused."""

    code = "transfer_conflict"
    conflict = True


class PendingNotFound(LedgerError):
    """The named transfer is not a pending transfer."""

    code = "pending_not_found"


class PendingAlreadyPosted(LedgerError):
    code = "pending_already_posted"
    conflict = True


class PendingAlreadyVoided(LedgerError):
    code = "pending_already_voided"
    conflict = True


class PendingExpired(LedgerError):
    code = "pending_expired"
    conflict = True


class AmountExceedsPending(InvalidTransfer):
    code = "amount_exceeds_pending"


class NotReversible(LedgerError):
    """Only posted movements (single transfers and posts of pending ones) can be reversed."""

    code = "not_reversible"
    conflict = True


class AlreadyReversed(LedgerError):
    code = "already_reversed"
    conflict = True


class BatchTooLarge(InvalidTransfer):
    code = "batch_too_large"
