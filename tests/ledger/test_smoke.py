from ledger import accounts, transfers


async def test_a_transfer_moves_points_and_the_ledger_verifies(db):
    await accounts.open_account("issuer", asset="PTS", kind="issuer")
    await accounts.open_account(
        "m1", asset="PTS", kind="member", flags=accounts.DEBITS_MUST_NOT_EXCEED_CREDITS
    )
    await transfers.transfer("t1", "issuer", "m1", 100)
    assert (await accounts.balance("m1")).posted == 100
