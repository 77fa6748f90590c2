"""Short ways to set up the market through the API (and points through the ledger)."""

from __future__ import annotations

from ledger.transfers import transfer
from projects.areas import issuer_account
from projects.members import member_account

_funded = iter(range(10**9))


async def give_points(api, member_id: int, amount: int) -> None:
    """Bank ``amount`` points for ``member_id`` as if for confirmed work."""
    await transfer(
        f"test-points:{next(_funded)}",
        issuer_account(api.street.community),
        member_account(member_id),
        amount,
        "PTS",
        reason="task",
        now=api.clock(),
    )


async def item(api, *, by=None, price=10, stock=None, limit=None, area=None, **extra) -> dict:
    """An item of the street's organisation (its representative offers it) serving community A."""
    street = api.street
    body = {
        "community_id": str(street.community),
        "organisation_id": str(street.organisation),
        "name": "理发一次",
        "price": price,
        "stock": stock,
        "per_member_limit": limit,
        "area_ids": [str(area or street.community)],
        **extra,
    }
    return await api.ok(by or street.representative, "POST", "/api/v1/catalogue", body, status=201)


async def balance(api, member_id: int) -> dict:
    return (await api.ok(member_id, "GET", "/api/v1/me"))["balance"]


async def market_counts(api) -> dict:
    """Rows of the market's tables, the ledger's length and the items' stock: a refusal changes none."""
    from tests.web.test_app import fetch_value

    result = {}
    for table in ("market_redemption", "market_exchange", "market_gift", "market_event", "ledger_transfer"):
        result[table] = await fetch_value(api.database_url, f"SELECT COUNT(*) FROM {table}")
    result["stock"] = await fetch_value(api.database_url, "SELECT COALESCE(SUM(stock), -1) FROM market_item")
    return result
