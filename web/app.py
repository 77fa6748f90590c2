"""The Litestar application: its database's lifetime, its background jobs and its routes.

``create_app()`` is a factory (``uvicorn --factory web.app:create_app``): nothing touches the
database at import time. At start-up the app opens the database, applies pending migrations and
starts the reservation-expiry sweep; at shutdown it stops the sweep and closes the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import astuple, dataclass, is_dataclass
from datetime import datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from ledger.anchor import anchor, latest_anchor
from ledger.transfers import expire_all_due
from market.sweep import sweep as market_sweep
from projects import leases, media
from projects.db import utcnow
from projects.digest import write_digests
from projects.issuance_report import write_reports
from projects.sweep import sweep
from settings import NOTIFY_INTERVAL_S, Settings
from web.admin import admin_mount
from web.api import CONTROLLERS
from web.api.deps import DEPENDENCIES
from web.api.errors import EXCEPTION_HANDLERS
from web.api.health import HealthController
from web.contract import ContractJson, install, reject_unknown_query
from web.database import anchor_path, close_database, media_path, migrate, open_database
from web.delivery import DeliverySettings, deliver_due
from web.head import AnsweringHead
from web.headers import security_headers
from web.limits import check_json_body
from web.pages import ROUTER as PAGES
from web.pages import STATIC, csrf_config, startup, template_config
from web.pages.errors import for_pages_too

logger = logging.getLogger(__name__)

ANCHOR_EVERY = timedelta(days=1)
DEFAULT_NOTIFY_INTERVAL_S = NOTIFY_INTERVAL_S.default
SHUTDOWN_GRACE_S = 30.0


def linli_version() -> str:
    try:
        return version("linli")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0.0.0"


# -- background jobs -----------------------------------------------------------------------------

# A holder renews the leases of its jobs every RENEW_LEASES_S, whatever their periods (an hourly
# job's lease must not wait an hour to pass on): one that dies frees them after LEASE_TTL.
LEASE_TTL = timedelta(seconds=10)
RENEW_LEASES_S = 3.0


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """A job the app runs every ``every_s`` seconds (None: the sweep interval), in one process at
    a time across every worker: the one that holds the lease ``name`` (``projects.leases``).
    ``run`` is given the app's now and answers what it did (a count, a dataclass or a dict of
    counts), for the log."""

    name: str
    run: Callable[[datetime], Awaitable[object]]
    every_s: float | None = None


def periodic_jobs(
    interval_s: float,
    clock: Callable[[], datetime],
    *,
    anchor_file: Path | None = None,
    notify_interval_s: float = 0,
    delivery: DeliverySettings | None = None,
) -> list[PeriodicJob]:
    """The app's periodic jobs, in the order they run. Every ``interval_s`` (0: none of these):
    the expiry of due reservations (ledger), once a day the ledger's anchor in ``anchor_file``,
    the deadline sweep (needs, tasks and projects), the market's (redemptions not fulfilled in
    time, venture calls past their deadline), the staff's daily digest and each community's daily
    issuance report. Every
    ``notify_interval_s`` (0: never): the delivery of notifications beyond the site. Another job
    joins by its own lease name."""
    jobs: list[PeriodicJob] = []
    if interval_s > 0:
        jobs.append(PeriodicJob("reservation expiry", lambda now: expire_all_due(now=now)))
        if anchor_file is not None:
            jobs.append(PeriodicJob("ledger anchor", DailyAnchor(anchor_file).run))
        jobs.append(PeriodicJob("deadline sweep", lambda now: sweep(now=now)))
        jobs.append(PeriodicJob("market sweep", lambda now: market_sweep(now=now)))
        jobs.append(PeriodicJob("digest", lambda now: write_digests(now=now)))
        jobs.append(PeriodicJob("issuance report", lambda now: write_reports(now=now)))
    if notify_interval_s > 0 and delivery is not None:
        deliver = lambda now: deliver_due(delivery, clock)  # noqa: E731  (it reads the clock itself)
        jobs.append(PeriodicJob("notification delivery", deliver, notify_interval_s))
    return jobs


class DailyAnchor:
    """The ledger's anchor, once a day, in one file; remembers the last one it read or wrote."""

    def __init__(self, path: Path):
        self.path = path
        self.last: datetime | None = None

    async def run(self, now: datetime) -> None:
        self.last = await anchor_daily(self.path, now, self.last)


def _worth_logging(result: object) -> bool:
    if is_dataclass(result) and not isinstance(result, type):
        return any(astuple(result))
    if isinstance(result, dict):
        return any(result.values())
    return bool(result)


async def run_periodic_jobs(
    interval_s: float,
    clock: Callable[[], datetime],
    stop: asyncio.Event,
    *,
    notify_interval_s: float = 0,
    delivery: DeliverySettings | None = None,
    anchor_file: Path | None = None,
    jobs: list[PeriodicJob] | None = None,
    holder: str | None = None,
) -> None:
    """Run the periodic jobs (``periodic_jobs(...)`` unless ``jobs`` are given) now and then each
    every its period until ``stop`` is set, each only while this process (``holder``) holds its
    lease, so that several workers run each job once per period. The leases held are renewed
    every ``RENEW_LEASES_S`` (a dead worker's pass on after ``LEASE_TTL``) and given up on the
    way out, so that another worker takes the jobs over at once.

    A failing job is logged and tried again next time: it must never take the app down. Stopping
    waits for the jobs under way to finish: cancelling one in the middle of opening a
    transaction could strand its pooled connection, and closing the pool would then wait forever.
    """
    if jobs is None:
        jobs = periodic_jobs(
            interval_s,
            clock,
            anchor_file=anchor_file,
            notify_interval_s=notify_interval_s,
            delivery=delivery,
        )
    periods = {job.name: job.every_s or interval_s for job in jobs}
    if not jobs or not all(period > 0 for period in periods.values()):
        return
    holder = holder or leases.new_holder()
    logger.info("periodic jobs as %s: %s", holder, periods)
    held: set[str] = set()  # the jobs whose leases this process holds, renewed by keep_leases
    renewer = asyncio.create_task(_keep_leases(held, holder, clock, stop), name="linli-lease-renewal")
    loop = asyncio.get_running_loop()
    due = {job.name: loop.time() for job in jobs}
    try:
        while not stop.is_set():
            for job in jobs:
                period = periods[job.name]
                if loop.time() < due[job.name]:
                    continue
                due[job.name] = loop.time() + period
                try:
                    ran, result = await leases.run_if_held(
                        job.name, holder, lambda job=job: job.run(clock()), ttl=LEASE_TTL, now=clock()
                    )
                except Exception:
                    logger.exception("%s failed; next try in %s s", job.name, period)
                else:
                    if ran:
                        held.add(job.name)
                    else:
                        held.discard(job.name)
                    if ran and _worth_logging(result):
                        logger.info("%s: %s", job.name, result)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(min(due.values()) - loop.time(), 0))
    finally:
        stop.set()
        await renewer  # it stops at once, after a renewal under way (never cancelled mid-query)
        for job in jobs:
            try:
                await leases.release(job.name, holder)
            except Exception:  # the database is away: the lease expires by itself
                logger.warning("could not give up the lease of %s; it expires by itself", job.name)


async def _keep_leases(
    held: set[str], holder: str, clock: Callable[[], datetime], stop: asyncio.Event
) -> None:
    """Renew ``holder``'s leases in ``held`` every ``RENEW_LEASES_S`` until ``stop``, however long
    a job runs or however rarely it is due; a lease lost meanwhile leaves ``held``."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RENEW_LEASES_S)
        if stop.is_set():
            return
        for name in list(held):
            try:
                if not await leases.renew(name, holder, ttl=LEASE_TTL, now=clock()):
                    held.discard(name)
            except Exception:  # the database is away: the job's next run tries to take it again
                logger.warning("could not renew the lease of %s", name)


async def anchor_daily(path: Path, now: datetime, last: datetime | None) -> datetime:
    """Anchor the ledger in ``path`` if its latest anchor is a day old (or there is none); when
    the latest anchor was made, for the next call (``last``: None reads it from the file)."""
    if last is None:
        found = await asyncio.to_thread(latest_anchor, path)
        last = found.anchored_at if found is not None else None
    if last is not None and now - last < ANCHOR_EVERY:
        return last
    written = await anchor(path, now=now)
    logger.info("anchored the ledger at seq %d in %s: digest %s", written.seq, path, written.digest)
    return written.anchored_at


# -- the application -----------------------------------------------------------------------------


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


async def check_request(request: Request) -> None:
    """Before any handler runs: a NUL character in the address, which no column can store
    (PostgreSQL's text refuses it), is a 400; so is a body too large or too deeply nested to
    decode (``web.limits``): every body but a form's is read as JSON. Forms
    (``web.pages.forms.read_form``), JSON fields (their models) and Open311's fields are checked
    for NUL where they are read. An /api/v1 call refuses query parameters it does not declare
    (``web.contract``)."""
    if "%00" in request.url.query.lower() or "\x00" in request.url.path:
        raise ValidationException("a NUL character is not allowed")
    reject_unknown_query(request)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        content_type = request.headers.get("content-type", "").lower()
        if not content_type.startswith(FORM_TYPES):
            check_json_body(await request.body())


def create_app(
    database_url: str | None = None,
    *,
    sweep_interval_s: float | None = None,
    session_idle: timedelta | None = None,
    notify_interval_s: float | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Litestar:
    """The Linli app for ``database_url`` (default: LINLI_DATABASE_URL, else ``sqlite:///linli.sqlite``).

    ``clock`` is the app's idea of now (tests move it to reach deadlines); ``session_idle``
    overrides LINLI_SESSION_IDLE_MINUTES.
    """
    settings = Settings.from_env(database_url, sweep_interval_s, session_idle, notify_interval_s)

    @contextlib.asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        engine = await open_database(settings.database_url)
        try:
            await migrate()
            app.state.engine = engine
            media.use(media_path(engine, settings.media_dir))
            sweeper, stop = None, asyncio.Event()
            if settings.sweep_interval_s > 0 or settings.notify_interval_s > 0:
                jobs = run_periodic_jobs(
                    settings.sweep_interval_s,
                    clock,
                    stop,
                    notify_interval_s=settings.notify_interval_s,
                    delivery=DeliverySettings(settings.smtp_url, settings.base_url),
                    anchor_file=anchor_path(engine, settings.anchor_file),
                )
                sweeper = asyncio.create_task(jobs, name="linli-periodic-jobs")
            try:
                yield
            finally:
                if sweeper is not None:
                    stop.set()
                    try:
                        await asyncio.wait_for(asyncio.shield(sweeper), SHUTDOWN_GRACE_S)
                    except TimeoutError:  # a job that hangs must not hold the shutdown forever
                        logger.warning("periodic jobs still running after %s s: cancelled", SHUTDOWN_GRACE_S)
                        sweeper.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await sweeper
        finally:
            await close_database(engine)

    csrf = csrf_config(https=settings.https)
    app = AnsweringHead(
        route_handlers=[HealthController, *CONTROLLERS, PAGES, STATIC, admin_mount],
        lifespan=[database, startup(csrf)],
        before_request=check_request,
        before_send=[security_headers(https=settings.https)],
        state=State(
            {
                "clock": clock,
                "https": settings.https,
                "trusted_proxies": settings.trusted_proxies,
                "session_idle": settings.session_idle,
            }
        ),
        dependencies=DEPENDENCIES,
        exception_handlers=for_pages_too(EXCEPTION_HANDLERS),
        template_config=template_config(),
        csrf_config=csrf,
        openapi_config=OpenAPIConfig(
            title="Linli 邻里 API",
            version=linli_version(),
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), ContractJson()],
            security=[{"BearerToken": []}],
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(
                        type="http", scheme="bearer", description="From POST /api/v1/auth/token"
                    )
                }
            ),
        ),
    )
    return install(app)
