"""The delivery job: send each due notification through its outlet with Apprise (email through
``LINLI_SMTP_URL``; an area's WeCom, DingTalk or Feishu group robot, or a JSON webhook), in its
reader's language, and settle it in the database (``projects.delivery``: claimed before it is
sent, logged per attempt, retried with backoff, never sent again once it was)."""

from __future__ import annotations

import asyncio
import logging
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import apprise

from projects.delivery import BATCH, Job, claim_due, finish
from projects.errors import N_
from settings import BASE_URL, SMTP_URL
from settings import smtp_url as check_smtp_url
from web.i18n import translations
from web.notices import render

logger = logging.getLogger(__name__)

TITLE = N_("Linli: a notification")
CONCURRENT_SENDS = 4
MAX_BATCHES = 20  # deliveries per run: at most BATCH × MAX_BATCHES, the rest next time
DEFAULT_FROM = "linli@localhost"
ERROR_MAX_CHARS = 1000


class OutletError(ValueError):
    """An outlet's configuration that Apprise cannot use (a wrong LINLI_SMTP_URL)."""


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    smtp_url: str | None  # None: email is not sent (email deliveries wait)
    base_url: str  # what links in messages start with

    @classmethod
    def from_env(cls) -> DeliverySettings:
        try:
            return cls(SMTP_URL.read(), BASE_URL.read())
        except ValueError as error:
            raise OutletError(str(error)) from None

    @property
    def channels(self) -> tuple[str, ...]:
        return ("email", "group") if self.smtp_url else ("group",)


# -- Apprise URLs ------------------------------------------------------------------------------


def email_url(smtp_url: str, to_address: str, *, delivery: int) -> str:
    """The Apprise ``mailto`` URL for LINLI_SMTP_URL: ``smtp://[user[:password]@]host[:port][?from=]``
    (plain, as to a relay on the same network; ``?tls=starttls`` to upgrade) or ``smtps://`` (TLS)."""
    try:
        check_smtp_url(SMTP_URL.name, smtp_url)
    except ValueError as error:
        raise OutletError(str(error)) from None
    parts = urllib.parse.urlsplit(smtp_url)
    query = urllib.parse.parse_qs(parts.query)
    mode = "ssl" if parts.scheme == "smtps" else query.get("tls", ["insecure"])[0]
    port = parts.port or (465 if mode == "ssl" else 25)
    auth = ""
    if parts.username:
        auth = urllib.parse.quote(urllib.parse.unquote(parts.username), safe="")
        if parts.password:
            auth += ":" + urllib.parse.quote(urllib.parse.unquote(parts.password), safe="")
        auth += "@"
    params = {
        "smtp": parts.hostname,
        "mode": mode,
        "from": query.get("from", [DEFAULT_FROM])[0],
        "to": to_address,
        "+X-Linli-Delivery": str(delivery),
    }
    return f"mailto://{auth}{parts.hostname}:{port}/?{urllib.parse.urlencode(params)}"


def group_url(kind: str, target: str, secret: str = "", *, delivery: int = 0) -> str:
    """The Apprise URL of an area's group outlet (``projects.outlets`` checked its target)."""
    if kind == "wecom":
        return f"wecombot://{target}"
    if kind == "dingtalk":
        return f"dingtalk://{secret + '@' if secret else ''}{target}/"
    if kind == "feishu":
        return f"feishu://{target}"
    if kind == "json":
        parts = urllib.parse.urlsplit(target)
        scheme = "jsons" if parts.scheme == "https" else "json"
        query = urllib.parse.parse_qsl(parts.query) + [("+X-Linli-Delivery", str(delivery))]
        return urllib.parse.urlunsplit(
            (scheme, parts.netloc, parts.path or "/", urllib.parse.urlencode(query), "")
        )
    raise OutletError(f"unknown outlet kind {kind!r}")


# -- sending -----------------------------------------------------------------------------------


class _Warnings(logging.Handler):
    """Apprise's warnings, kept per thread: what went wrong with each send, however many run."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.by_thread: dict[int, list[str]] = {}
        self.guard = threading.Lock()  # not "lock": logging.Handler holds its own while it emits

    def emit(self, record: logging.LogRecord) -> None:
        with self.guard:
            said = self.by_thread.setdefault(record.thread or 0, [])
            if len(said) < 10:
                said.append(record.getMessage())

    def take(self) -> str:
        with self.guard:
            return "; ".join(self.by_thread.pop(threading.get_ident(), []))


_warnings = _Warnings()
logging.getLogger("apprise").addHandler(_warnings)


def send(url: str, title: str, body: str) -> tuple[bool, str, str]:
    """Send through one Apprise URL (blocking): whether it went, why not, and the outlet as the
    log may show it (no password, no key)."""
    _warnings.take()
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return False, "Apprise cannot use this outlet", ""
    shown = plugin.url(privacy=True)
    notifier = apprise.Apprise()
    notifier.add(plugin)
    ok = bool(notifier.notify(title=title, body=body))
    said = _warnings.take()
    return ok, "" if ok else (said or "not delivered")[:ERROR_MAX_CHARS], shown


def message_of(job: Job, settings: DeliverySettings) -> tuple[str, str]:
    """The title and body of a job's message in its reader's language, with the link."""
    title = translations(job.lang).gettext(TITLE)
    body = render(job.lang, job.message, job.params)
    return title, f"{body}\n{settings.base_url}{job.link}"


async def deliver(job: Job, settings: DeliverySettings, clock: Callable[[], datetime]) -> str:
    """Send one claimed job and settle it; its new status."""
    started = clock()
    if job.channel == "email":
        if not (job.wants_email and job.email):  # the reader took email away since
            return await finish(
                job, ok=False, drop=True, error="no email chosen", started_at=started, now=clock()
            )
        url = email_url(settings.smtp_url or "", job.email, delivery=job.delivery)
    else:
        if not job.outlet_active or job.outlet_kind is None:
            return await finish(
                job, ok=False, drop=True, error="outlet turned off", started_at=started, now=clock()
            )
        url = group_url(job.outlet_kind, job.outlet_target, job.outlet_secret, delivery=job.delivery)
    title, body = message_of(job, settings)
    try:
        ok, error, shown = await asyncio.to_thread(send, url, title, body)
    except Exception as failure:  # a plugin that raised instead of saying so: retried like a failure
        logger.exception("delivery %s: the outlet failed", job.delivery)
        ok, error, shown = False, repr(failure), ""
    return await finish(job, ok=ok, error=error, outlet=shown, started_at=started, now=clock())


async def deliver_due(settings: DeliverySettings, clock: Callable[[], datetime]) -> dict[str, int]:
    """Send what is due now (at most ``BATCH`` × ``MAX_BATCHES``); how many ended in each state."""
    counts = {"sent": 0, "pending": 0, "failed": 0, "dropped": 0}
    gate = asyncio.Semaphore(CONCURRENT_SENDS)

    async def one(job: Job) -> None:
        async with gate:
            try:
                status = await deliver(job, settings, clock)
            except Exception:  # the database failed: the claim runs out and it is tried again
                logger.exception("delivery %s could not be settled", job.delivery)
                return
            counts[status] = counts.get(status, 0) + 1

    for _ in range(MAX_BATCHES):
        jobs = await claim_due(now=clock(), channels=settings.channels)
        if jobs:
            await asyncio.gather(*(one(job) for job in jobs))
        if len(jobs) < BATCH:
            break
    return counts
