"""Points redeemed in an area's catalogues in a period (projects.stats.Scope), summed in SQL.

A redemption counts where its item is offered (the item's community) and when it was fulfilled:
a fulfilled redemption never changes again, so its ``updated_at`` is the moment of fulfilment.
"""

from __future__ import annotations

from market.tables import Redemption
from projects.areas import path_range
from projects.stats import Scope


async def points_redeemed(scope: Scope) -> int:
    low, high = path_range(scope.area.path)
    rows = await Redemption.raw(
        "SELECT COALESCE(SUM(r.amount), 0) AS points FROM market_redemption r "
        "JOIN market_item i ON i.id = r.item JOIN projects_area a ON a.id = i.community "
        "WHERE r.status = 'fulfilled' AND r.updated_at >= {} AND r.updated_at < {} "
        "AND a.path >= {} AND a.path < {}",
        scope.period.start_at,
        scope.period.end_at,
        low,
        high,
    )
    return int(rows[0]["points"])
