"""Leases in the database: which process runs a named periodic job now, so that several workers
(or several machines) run each job once per period instead of once per process.

A lease is one row per job name: its holder and when it expires. ``take`` wins it when it is
free, expired or already the caller's (then it is a renewal), in one statement that the database
settles (an upsert whose update only happens under that condition): of processes racing for it,
exactly one gets the row. A holder that dies stops renewing and the lease passes to another
process once it expires; ``release`` gives it up at once (a clean shutdown).

Correctness never rests on a lease: every job is safe to run twice at once (conditional updates,
row locks). The lease makes it run once per period, which is what the period means.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from piccolo.querystring import QueryString

from projects.tables import Lease

T = TypeVar("T")

MAX_NAME_LENGTH = 64
MAX_HOLDER_LENGTH = 128


def new_holder() -> str:
    """A name for this process as a holder: its host, its process id and a random part, so that
    a restarted process (which may get the same id) never inherits its predecessor's leases."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"[:MAX_HOLDER_LENGTH]


def _check(name: str, holder: str, ttl: timedelta | None = None) -> None:
    if not 0 < len(name) <= MAX_NAME_LENGTH:
        raise ValueError(f"a lease's name has 1 to {MAX_NAME_LENGTH} characters: {name!r}")
    if not 0 < len(holder) <= MAX_HOLDER_LENGTH:
        raise ValueError(f"a lease's holder has 1 to {MAX_HOLDER_LENGTH} characters")
    if ttl is not None and ttl <= timedelta(0):
        raise ValueError("a lease lasts a positive time")


async def take(name: str, holder: str, *, ttl: timedelta, now: datetime) -> bool:
    """Take or renew the lease ``name`` for ``holder`` until ``now + ttl``; False if another
    holder has it and it has not expired (then nothing changes)."""
    _check(name, holder, ttl)
    rows = (
        await Lease.insert(
            Lease(name=name, holder=holder, taken_at=now, renewed_at=now, expires_at=now + ttl)
        )
        .on_conflict(
            target=Lease.name,
            action="DO UPDATE",
            values=[
                Lease.holder,
                Lease.renewed_at,
                Lease.expires_at,
                # A new holder takes it from now; the same holder keeps when it first took it.
                (Lease.taken_at, _taken_at_sql(holder, now)),
            ],
            where=(Lease.expires_at <= now) | (Lease.holder == holder),
        )
        .returning(Lease.holder)
    )
    return bool(rows) and rows[0]["holder"] == holder


def _taken_at_sql(holder: str, now: datetime) -> QueryString:
    return QueryString(
        "CASE WHEN projects_lease.holder = {} THEN projects_lease.taken_at ELSE {} END", holder, now
    )


async def renew(name: str, holder: str, *, ttl: timedelta, now: datetime) -> bool:
    """Extend ``holder``'s own lease to ``now + ttl``; False if it is no longer theirs (it
    expired and another process took it)."""
    _check(name, holder, ttl)
    rows = (
        await Lease.update({Lease.renewed_at: now, Lease.expires_at: now + ttl})
        .where((Lease.name == name) & (Lease.holder == holder))
        .returning(Lease.name)
    )
    return bool(rows)


async def release(name: str, holder: str) -> bool:
    """Give the lease up now if ``holder`` has it (another process may take it at once)."""
    _check(name, holder)
    rows = await Lease.delete().where((Lease.name == name) & (Lease.holder == holder)).returning(Lease.name)
    return bool(rows)


async def holder_of(name: str, *, now: datetime) -> str | None:
    """Who holds ``name`` now (None: nobody, or a lease that has expired)."""
    row = await Lease.select(Lease.holder).where((Lease.name == name) & (Lease.expires_at > now)).first()
    return row["holder"] if row else None


async def run_if_held(
    name: str, holder: str, work: Callable[[], Awaitable[T]], *, ttl: timedelta, now: datetime
) -> tuple[bool, T | None]:
    """Run ``work`` if ``holder`` takes (or still has) the lease ``name``; whether it ran, and
    what it returned. The lease is kept after the work (renewed on the next period), so that the
    same process keeps the job while it lives and the others stay idle."""
    if not await take(name, holder, ttl=ttl, now=now):
        return False, None
    return True, await work()
