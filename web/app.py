"""The Litestar application: its database's lifetime, its background jobs and its routes.

``create_app()`` is a factory (``uvicorn --factory web.app:create_app``): nothing touches the
database at import time. At start-up the app opens the database, applies pending migrations and
starts the reservation-expiry sweep; at shutdown it stops the sweep and closes the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import astuple, dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version

from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from ledger.transfers import expire_all_due
from market.sweep import sweep as market_sweep
from projects.db import utcnow
from projects.digest import write_digests
from projects.sweep import sweep
from web.admin import admin_mount
from web.api import CONTROLLERS
from web.api.deps import DEPENDENCIES
from web.api.errors import EXCEPTION_HANDLERS
from web.api.health import HealthController
from web.database import close_database, migrate, open_database
from web.delivery import DeliverySettings, deliver_due
from web.head import head_as_get
from web.pages import ROUTER as PAGES
from web.pages import STATIC, csrf_config, startup, template_config
from web.pages.errors import for_pages_too

logger = logging.getLogger(__name__)

DEFAULT_SWEEP_INTERVAL_S = 30.0
DEFAULT_NOTIFY_INTERVAL_S = 2.0
SHUTDOWN_GRACE_S = 30.0


@dataclass(frozen=True, slots=True)
class Settings:
    """What the app reads from the environment (arguments to ``create_app`` take precedence)."""

    database_url: str | None  # None: LINLI_DATABASE_URL, else the SQLite default
    sweep_interval_s: float  # 0 turns the expiry sweep off
    notify_interval_s: float  # 0 turns the delivery of notifications off
    delivery: DeliverySettings

    @classmethod
    def from_env(
        cls,
        database_url: str | None = None,
        sweep_interval_s: float | None = None,
        notify_interval_s: float | None = None,
    ) -> Settings:
        sweep_interval_s = _seconds("LINLI_SWEEP_INTERVAL_S", sweep_interval_s, DEFAULT_SWEEP_INTERVAL_S)
        notify_interval_s = _seconds("LINLI_NOTIFY_INTERVAL_S", notify_interval_s, DEFAULT_NOTIFY_INTERVAL_S)
        return cls(
            database_url=database_url or os.environ.get("LINLI_DATABASE_URL"),
            sweep_interval_s=sweep_interval_s,
            notify_interval_s=notify_interval_s,
            delivery=DeliverySettings.from_env(),
        )


def _seconds(variable: str, given: float | None, default: float) -> float:
    """An interval from the argument, else the environment, else the default; 0 is off."""
    if given is None:
        raw = os.environ.get(variable, "").strip()
        try:
            given = float(raw) if raw else default
        except ValueError:
            raise ValueError(f"{variable} must be a number of seconds, not {raw!r}") from None
    if not given >= 0:  # also refuses NaN
        raise ValueError(f"{variable}: the interval must be zero (off) or a positive number of seconds")
    return given


def linli_version() -> str:
    try:
        return version("linli")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0.0.0"


# -- background jobs -----------------------------------------------------------------------------


async def run_periodic_jobs(
    interval_s: float,
    clock: Callable[[], datetime],
    stop: asyncio.Event,
    *,
    notify_interval_s: float = 0,
    delivery: DeliverySettings | None = None,
) -> None:
    """Run the periodic jobs now and then every ``interval_s`` until ``stop`` is set: the expiry
    of due reservations (ledger), the deadline sweep (needs, tasks and projects), the market's
    (redemptions not fulfilled in time, venture calls past their deadline) and the staff's daily
    digest; and, every ``notify_interval_s`` (0: never), the delivery of notifications beyond
    the site. ``interval_s`` 0 runs the delivery alone.

    A failing job is logged and tried again next time: it must never take the app down. Stopping
    waits for the jobs under way to finish: cancelling one in the middle of opening a
    transaction could strand its pooled connection, and closing the pool would then wait forever.
    """
    logger.info("periodic jobs every %s s, deliveries every %s s", interval_s, notify_interval_s)
    loop = asyncio.get_running_loop()
    next_sweep = loop.time()
    while not stop.is_set():
        if interval_s > 0 and loop.time() >= next_sweep:
            next_sweep = loop.time() + interval_s
            await _sweep_once(clock, interval_s)
        if notify_interval_s > 0 and delivery is not None:
            try:
                delivered = await deliver_due(delivery, clock)
            except Exception:
                logger.exception("delivery failed; next try in %s s", notify_interval_s)
            else:
                if any(delivered.values()):
                    logger.info("notifications: %s", delivered)
        waits = [max(next_sweep - loop.time(), 0)] if interval_s > 0 else []
        if notify_interval_s > 0 and delivery is not None:
            waits.append(notify_interval_s)
        if not waits:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), min(waits))


async def _sweep_once(clock: Callable[[], datetime], interval_s: float) -> None:
    try:
        expired = await expire_all_due(now=clock())
    except Exception:
        logger.exception("reservation expiry failed; next try in %s s", interval_s)
    else:
        if expired:
            logger.info("expired %d pending transfer(s)", expired)
    for name, job in (("deadline sweep", sweep), ("market sweep", market_sweep), ("digest", write_digests)):
        try:
            swept = await job(now=clock())
        except Exception:
            logger.exception("%s failed; next try in %s s", name, interval_s)
        else:
            if swept if isinstance(swept, int) else any(astuple(swept)):
                logger.info("%s: %s", name, swept)


# -- the application -----------------------------------------------------------------------------


async def refuse_nul(request: Request) -> None:
    """A NUL character cannot be stored (PostgreSQL's text refuses it): in the address it is
    refused with a 400 before any handler runs. Forms (``web.pages.core.read_form``), JSON bodies
    (their models) and Open311's fields are checked where they are read."""
    if "%00" in request.url.query.lower() or "\x00" in request.url.path:
        raise ValidationException("a NUL character is not allowed")


def create_app(
    database_url: str | None = None,
    *,
    sweep_interval_s: float | None = None,
    notify_interval_s: float | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Litestar:
    """The Linli app for ``database_url`` (default: LINLI_DATABASE_URL, else ``sqlite:///linli.sqlite``).

    ``clock`` is the app's idea of now (tests move it to reach deadlines).
    """
    settings = Settings.from_env(database_url, sweep_interval_s, notify_interval_s)

    @contextlib.asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        engine = await open_database(settings.database_url)
        try:
            await migrate()
            app.state.engine = engine
            sweeper, stop = None, asyncio.Event()
            if settings.sweep_interval_s > 0 or settings.notify_interval_s > 0:
                jobs = run_periodic_jobs(
                    settings.sweep_interval_s,
                    clock,
                    stop,
                    notify_interval_s=settings.notify_interval_s,
                    delivery=settings.delivery,
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

    csrf = csrf_config()
    return Litestar(
        route_handlers=[HealthController, *CONTROLLERS, PAGES, STATIC, admin_mount],
        lifespan=[database, startup(csrf)],
        before_request=refuse_nul,
        middleware=[head_as_get],
        state=State({"clock": clock}),
        dependencies=DEPENDENCIES,
        exception_handlers=for_pages_too(EXCEPTION_HANDLERS),
        template_config=template_config(),
        csrf_config=csrf,
        openapi_config=OpenAPIConfig(
            title="Linli 邻里 API",
            version=linli_version(),
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
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
