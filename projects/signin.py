"""Signing in, for the API, the pages and the admin alike, and the site's shared secret.

Failed sign-ins are counted in the database, so that every process refuses the same guesser.
Each attempt is reserved (written) before its password is checked, under a lock on its mobile
number and its address, and counts as a failure until it succeeds: guesses sent at the same time
count each other. The policy (see README "Signing in"):

- one mobile number from one address: ``MAX_PAIR_FAILURES`` in ``WINDOW``, then locked;
- one mobile number from anywhere: after ``SLOWDOWN_AFTER`` failures each try waits longer, up to
  ``MAX_DELAY_S``, so that nobody can lock someone else out, yet guessing stays slow;
- one address, whatever the numbers: ``MAX_ADDRESS_FAILURES``, high enough for a community
  centre's shared network.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from projects import errors, members
from projects.db import atomic, postgres
from projects.errors import N_
from projects.members import MemberRecord
from projects.tables import Setting, SigninAttempt

WINDOW = timedelta(minutes=15)  # how long a failure counts
MAX_PAIR_FAILURES = 5  # per mobile number from one address, in WINDOW
MAX_ADDRESS_FAILURES = 100  # per address, whatever the numbers, in WINDOW
SLOWDOWN_AFTER = 5  # failures of one number from anywhere, in WINDOW, before each try must wait
FIRST_DELAY_S = 2  # the wait after SLOWDOWN_AFTER failures; it doubles with each further one
MAX_DELAY_S = 120
# Failures past SLOWDOWN_AFTER that still lengthen the wait (2 s doubled 6 times passes 120 s).
_DOUBLINGS = (MAX_DELAY_S // FIRST_DELAY_S).bit_length()


class TooManyAttempts(errors.ProjectError):
    """Too many failed sign-ins lately: wait. Web answers it with 429 and Retry-After."""

    code = "too_many_attempts"
    message = N_("Too many failed sign-ins: try again in {minutes} minutes.")

    def __init__(self, *, retry_after: timedelta):
        self.retry_after = max(1, -(-int(retry_after.total_seconds() * 1000) // 1000))  # whole s, up
        super().__init__(**self.params_for(self.retry_after))

    @staticmethod
    def params_for(seconds: int) -> dict:
        return {"minutes": max(1, -(-seconds // 60))}


class SlowedDown(TooManyAttempts):
    """This number failed several times lately, from wherever: each try must wait a little longer."""

    code = "slowed_down"
    message = N_("Several failed sign-ins for this number: try again in {seconds} seconds.")

    @staticmethod
    def params_for(seconds: int) -> dict:
        return {"seconds": seconds}


def slowdown(failures: int) -> timedelta:
    """How long a number that failed ``failures`` times in the window waits between tries."""
    if failures < SLOWDOWN_AFTER:
        return timedelta(0)
    return timedelta(seconds=min(FIRST_DELAY_S * 2 ** (failures - SLOWDOWN_AFTER), MAX_DELAY_S))


def refusal(
    *, pair: Sequence[datetime], phone: Sequence[datetime], address: Sequence[datetime], now: datetime
) -> TooManyAttempts | None:
    """Why a new attempt must wait, if it must: given the times of the attempts that count (failed,
    or under way) in the window, newest first, for this number from this address, for this number
    from anywhere and for this address."""
    if len(address) >= MAX_ADDRESS_FAILURES:
        return TooManyAttempts(retry_after=address[MAX_ADDRESS_FAILURES - 1] + WINDOW - now)
    if len(pair) >= MAX_PAIR_FAILURES:
        return TooManyAttempts(retry_after=pair[MAX_PAIR_FAILURES - 1] + WINDOW - now)
    wait = slowdown(len(phone))
    if wait and now - phone[0] < wait:
        return SlowedDown(retry_after=phone[0] + wait - now)
    return None


async def _recent(where, since: datetime, limit: int) -> list[datetime]:
    rows = (
        await SigninAttempt.select(SigninAttempt.created_at)
        .where(where & (SigninAttempt.created_at >= since))
        .order_by(SigninAttempt.created_at, ascending=False)
        .limit(limit)
    )
    return [row["created_at"] for row in rows]


async def _reserve(phone: str, address: str, now: datetime) -> int:
    """Count, decide and write the attempt in one transaction that no other attempt for this
    number or from this address can interleave with; its id, or ``TooManyAttempts``."""
    since = now - WINDOW
    async with atomic():
        if postgres():
            # SQLite's write transaction already excludes every other writer. Always the address
            # first, then the number: two attempts never wait for each other in a circle.
            for key in (f"signin:address:{address}", f"signin:phone:{phone}"):
                await Setting.raw("SELECT pg_advisory_xact_lock(hashtext({}))", key)
        found = refusal(
            pair=await _recent(
                (SigninAttempt.phone == phone) & (SigninAttempt.address == address), since, MAX_PAIR_FAILURES
            ),
            phone=await _recent(SigninAttempt.phone == phone, since, SLOWDOWN_AFTER + _DOUBLINGS),
            address=await _recent(SigninAttempt.address == address, since, MAX_ADDRESS_FAILURES),
            now=now,
        )
        if found is not None:
            raise found
        rows = await SigninAttempt.insert(
            SigninAttempt(phone=phone, address=address, failed=False, created_at=now)
        ).returning(SigninAttempt.id)
    return rows[0]["id"]


async def sign_in(phone: str, password: str, *, address: str, now: datetime) -> MemberRecord:
    """The member for ``phone`` and ``password``, or ``BadCredentials``; ``TooManyAttempts``
    (``SlowedDown`` for a number that failed from several places) when the policy says wait.

    ``address`` is the client's, as web determined it (``web.client``).
    """
    phone, address = phone.strip()[:32], (address or "unknown")[:64]
    attempt = await _reserve(phone, address, now)
    try:
        member = await members.authenticate(phone, password)
    except errors.BadCredentials:
        await SigninAttempt.update({SigninAttempt.failed: True}).where(SigninAttempt.id == attempt)
        raise
    except Exception:  # the check itself failed: no guess was judged, so none is counted
        await SigninAttempt.delete().where(SigninAttempt.id == attempt)
        raise
    # The member's own failures from here are forgiven; those from elsewhere still count.
    await SigninAttempt.delete().where((SigninAttempt.phone == phone) & (SigninAttempt.address == address))
    await SigninAttempt.delete().where(SigninAttempt.created_at < now - WINDOW)
    return member


async def shared_secret(name: str = "secret_key") -> str:
    """A random secret made once for the whole site and kept in the database, the same for
    every process (the first to ask writes it; the others read the one that won)."""
    row = await Setting.select(Setting.value).where(Setting.key == name).first()
    if row is not None:
        return row["value"]
    candidate = secrets.token_urlsafe(48)
    await Setting.raw(
        "INSERT INTO projects_setting (key, value) VALUES ({}, {}) ON CONFLICT DO NOTHING", name, candidate
    )
    row = await Setting.select(Setting.value).where(Setting.key == name).first()
    return row["value"]
