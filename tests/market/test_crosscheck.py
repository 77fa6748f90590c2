"""The domain cross-check of ``linli ledger verify``: a record that moved value without its
transfer, or a transfer naming a record that is gone, is reported (both engines)."""

from __future__ import annotations

from market.crosscheck import cross_check
from tests.api.helpers import submitted_claim
from tests.ledger.test_tamper import drop_guards, raw


async def confirmed(api, minutes: int) -> tuple[dict, dict]:
    _, claim = await submitted_claim(api, minutes=minutes)
    return claim, await api.ok(api.street.staff, "POST", f"/api/v1/claims/{claim['id']}/confirm")


async def test_a_transfer_deleted_behind_a_confirmed_claim_and_a_gift_row_removed_are_reported(api):
    s = api.street
    await confirmed(api, 60)
    gift = await api.ok(
        s.volunteers[0], "POST", "/api/v1/gifts", {"amount": 5, "recipient_id": str(s.neighbour)}, status=201
    )
    claim, last = await confirmed(api, 90)
    assert await cross_check() == []

    # Behind Linli's back: the last transfer goes, the totals it moved with it, so that the ledger
    # alone still verifies; and the gift's row goes.
    url, transfer = api.database_url, last["transfer_id"]
    await raw(
        url,
        *drop_guards(url),
        "UPDATE ledger_account SET debits_posted = debits_posted - 15 "
        f"WHERE id = (SELECT debit_account FROM ledger_transfer WHERE id = '{transfer}')",
        "UPDATE ledger_account SET credits_posted = credits_posted - 15 "
        f"WHERE id = (SELECT credit_account FROM ledger_transfer WHERE id = '{transfer}')",
        f"DELETE FROM ledger_transfer WHERE id = '{transfer}'",
        f"DELETE FROM market_gift WHERE id = {gift['id']}",
    )
    assert await cross_check() == [
        f"confirmed claim {claim['id']} (15 points) has no transfer {transfer} of that amount naming it",
        f"transfer gift:{gift['id']} names gift:{gift['id']}, but there is no such gift",
    ]
