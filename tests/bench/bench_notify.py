"""How fast notifications leave through the SMTP outlet, on this machine: notifications per second
delivered to a local SMTP server (aiosmtpd), and the median delay from a state change to the
mail's arrival with the app's own delivery job running at its default interval. Prints one JSON
object. Run from the repository root:

    .venv/bin/python -m tests.bench.bench_notify [--count 100] [--database sqlite:///path]

It is a benchmark, not a test: pytest does not collect it (its name does not start with test_).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from projects.access import load_actor
from projects.db import utcnow
from projects.needs import report_need
from projects.profile import update_settings
from projects.triage import triage_need
from tests.projects.community import build_street
from tests.servers import SmtpServer
from web.app import DEFAULT_NOTIFY_INTERVAL_S, run_periodic_jobs
from web.database import close_database, migrate, open_database
from web.delivery import DeliverySettings, deliver_due


async def _needs(count: int) -> tuple[object, list[tuple[int, int]]]:
    """A street with ``count`` volunteers who chose email, each with a need waiting for triage."""
    street = await build_street(utcnow(), volunteers=count)
    waiting = []
    for volunteer in street.volunteers:
        actor = await load_actor(volunteer)
        await update_settings(actor, email=f"v{volunteer}@example.org", channels=["email"])
        need = await report_need(actor, category="care.meals", description="需要送饭", now=utcnow())
        waiting.append((volunteer, need.id))
    return street, waiting


async def run(count: int, url: str) -> dict:
    engine = await open_database(url)
    try:
        await migrate()
        street, waiting = await _needs(2 * count)
        staff = await load_actor(street.staff)
        with SmtpServer() as smtp:
            settings = DeliverySettings(smtp.url, "http://127.0.0.1:8000")
            # Throughput: ``count`` notifications waiting, sent by the job as fast as it goes.
            for _, need_id in waiting[:count]:
                await triage_need(staff, need_id, grade="A", now=utcnow())
            started = time.perf_counter()
            sent = 0
            while sent < count:
                sent += (await deliver_due(settings, utcnow))["sent"]
            await asyncio.to_thread(smtp.mailbox.wait_for, count)
            rate = count / (time.perf_counter() - started)

            # Delay: the app's periodic job runs; changes come at random moments, about four a
            # second (well below what the job sends, so that no queue builds up).
            stop = asyncio.Event()
            job = asyncio.create_task(
                run_periodic_jobs(
                    0, utcnow, stop, notify_interval_s=DEFAULT_NOTIFY_INTERVAL_S, delivery=settings
                )
            )
            changed_at: dict[str, float] = {}
            for volunteer, need_id in waiting[count:]:
                await asyncio.sleep(random.uniform(0, 0.5))
                await triage_need(staff, need_id, grade="A", now=utcnow())
                changed_at[f"v{volunteer}@example.org"] = time.time()
            await asyncio.to_thread(smtp.mailbox.wait_for, 2 * count, 60)
            stop.set()
            await job
            arrived = {
                mail["To"]: moment
                for mail, moment in zip(
                    smtp.mailbox.mails[count:], smtp.mailbox.arrived_at[count:], strict=True
                )
            }
            delays = [arrived[to] - changed for to, changed in changed_at.items()]
    finally:
        await close_database(engine)
    return {
        "engine": url.split(":")[0],
        "notifications": count,
        "delivered_per_s": round(rate, 1),
        "notify_interval_s": DEFAULT_NOTIFY_INTERVAL_S,
        "median_delay_s": round(statistics.median(delays), 3),
        "p90_delay_s": round(sorted(delays)[int(0.9 * len(delays)) - 1], 3),
        "max_delay_s": round(max(delays), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.database or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        print(json.dumps(asyncio.run(run(options.count, url))))


if __name__ == "__main__":
    main()
