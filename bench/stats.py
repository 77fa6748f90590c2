"""The statistics benchmark behind ``linli bench stats``: on the database of ``LINLI_DATABASE_URL``
(a district from ``linli demo --scale district``), through the real app in this process, as
the district's staff (13900000102) would ask:

- ``api_year``: ``GET /api/v1/stats/needs`` for the district and the last 365 days, alone and
  grouped by month and by area (DESIGN: the figures for a year answer in under a second);
- ``page``: the district's statistics page (every grouping, the hours, four charts);
- ``export``: the year's needs ledger as .xlsx and as CSV, with its size.

Each is run ``repeat`` times; the first run (cold caches) and the median are reported, in seconds.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from datetime import timedelta

import httpx

from projects.db import utcnow
from projects.figures import china_day

DISTRICT_STAFF = "13900000102"
PASSWORD = "linli-demo"
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def _timed(client: httpx.AsyncClient, url: str, repeat: int, **kw) -> tuple[dict, httpx.Response]:
    times = []
    response = None
    for _ in range(repeat):
        began = time.perf_counter()
        response = await client.get(url, **kw)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, (url, response.status_code, response.text[:500])
    return {"first_s": round(times[0], 3), "median_s": round(statistics.median(times), 3)}, response


async def measure(repeat: int = 3, phone: str = DISTRICT_STAFF) -> dict:
    from web.app import create_app

    app = create_app(sweep_interval_s=0)
    today = china_day(utcnow())
    period = f"from={today + timedelta(days=1) - timedelta(days=365)}&to={today + timedelta(days=1)}"
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://linli.bench", timeout=600
        ) as client:
            token = await client.post("/api/v1/auth/token", json={"phone": phone, "password": PASSWORD})
            assert token.status_code == 200, token.text
            bearer = {"Authorization": f"Bearer {token.json()['token']}"}
            results: dict = {"period": period}
            for name, extra in (
                ("api_year", ""),
                ("api_year_by_month", "&by=month"),
                ("api_year_by_area", "&by=area"),
            ):
                timing, response = await _timed(
                    client, f"/api/v1/stats/needs?{period}{extra}", repeat, headers=bearer
                )
                results[name] = timing
            results["needs_reported"] = response.json()["reported"]
            results["handled_rate"] = response.json()["handled_rate"]
            login = await client.get("/login")
            csrf = TOKEN.search(login.text).group(1)
            signed = await client.post(
                "/login", data={"phone": phone, "password": PASSWORD, "_csrf_token": csrf}
            )
            assert signed.status_code == 303, signed.text[:500]
            results["page"], _ = await _timed(client, f"/stats?{period}", repeat)
            for suffix in ("xlsx", "csv"):
                timing, response = await _timed(
                    client, f"/api/v1/exports/needs.{suffix}?{period}", max(1, repeat - 1), headers=bearer
                )
                results[f"export_{suffix}"] = {**timing, "bytes": len(response.content)}
    return results


def run(repeat: int = 3) -> dict:
    return asyncio.run(measure(repeat))
