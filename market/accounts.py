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


async def _open(
    account: str, asset: str, kind: str, owner: str, flags: int = DEBITS_MUST_NOT_EXCEED_CREDITS
) -> str:
    await open_account(account, asset=asset, kind=kind, owner=owner, flags=flags)
    return account


async def open_fund(community_id: int) -> str:
    return await _open(fund_account(community_id), "CNY", "fund", f"community:{community_id}")


async def open_pool(community_id: int) -> str:
    return await _open(pool_account(community_id), "PTS", "fund", f"community:{community_id}")


async def open_money_account(organisation_id: int) -> str:
    return await _open(money_account(organisation_id), "CNY", "organisation", f"org:{organisation_id}")


async def open_world() -> str:
    return await _open(WORLD_CNY, "CNY", "world", "world", flags=0)
