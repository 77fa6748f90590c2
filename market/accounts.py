"""The market's ledger accounts, opened when first needed (opening is idempotent).

A community has a fund in money (``CNY``, in fen) that may never pay out more than it holds,
and a pool of points that members can give to. Money given from outside comes from the world
account, which may run negative: its balance is everything ever donated.
"""

from __future__ import annotations

from ledger.accounts import DEBITS_MUST_NOT_EXCEED_CREDITS, open_account

WORLD_CNY = "world:cny"


def fund_account(community_id: int) -> str:
    return f"fund:{community_id}"


def pool_account(community_id: int) -> str:
    return f"fund:{community_id}:pts"


def money_account(organisation_id: int) -> str:
    return f"org:{organisation_id}:cny"


async def open_fund(community_id: int) -> str:
    account = fund_account(community_id)
    await open_account(
        account,
        asset="CNY",
        kind="fund",
        owner=f"community:{community_id}",
        flags=DEBITS_MUST_NOT_EXCEED_CREDITS,
    )
    return account


async def open_pool(community_id: int) -> str:
    account = pool_account(community_id)
    await open_account(
        account,
        asset="PTS",
        kind="fund",
        owner=f"community:{community_id}",
        flags=DEBITS_MUST_NOT_EXCEED_CREDITS,
    )
    return account


async def open_money_account(organisation_id: int) -> str:
    account = money_account(organisation_id)
    await open_account(
        account,
        asset="CNY",
        kind="organisation",
        owner=f"org:{organisation_id}",
        flags=DEBITS_MUST_NOT_EXCEED_CREDITS,
    )
    return account


async def open_world() -> str:
    await open_account(WORLD_CNY, asset="CNY", kind="world", owner="world")
    return WORLD_CNY
