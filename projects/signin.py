"""Signing in, for the API and the pages alike: failed attempts are counted in the database
(per mobile number and per client address), so that every process refuses the same guesser;
and the site's shared secret, generated once and kept in the database, for what web signs.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from projects import errors, members
from projects.db import atomic
from projects.errors import N_
from projects.members import MemberRecord
from projects.tables import Setting, SigninAttempt

MAX_FAILURES = 5  # failed sign-ins allowed per mobile number, and per address, in WINDOW
WINDOW = timedelta(minutes=15)


class TooManyAttempts(errors.ProjectError):
    """Too many failed sign-ins lately: wait. Web answers it with 429 and Retry-After."""

    code = "too_many_attempts"
    message = N_("Too many failed sign-ins: try again in {minutes} minutes.")

    def __init__(self, *, retry_after: timedelta):
        self.retry_after = max(1, int(retry_after.total_seconds()))
        super().__init__(minutes=max(1, -(-self.retry_after // 60)))


async def sign_in(phone: str, password: str, *, address: str, now: datetime) -> MemberRecord:
    """The member for ``phone`` and ``password``, or ``BadCredentials``; ``TooManyAttempts`` when
    this number or this address failed ``MAX_FAILURES`` times in the last ``WINDOW``.

    The attempt is written before the password is checked and counts against its number at
    once, so that guesses sent at the same time count each other; against its address only
    once it failed, so that neighbours behind one address signing in together are not refused.
    """
    phone, address = phone.strip()[:32], (address or "unknown")[:64]
    since = now - WINDOW
    async with atomic():
        await SigninAttempt.delete().where(SigninAttempt.created_at < since)
        rows = await SigninAttempt.insert(
            SigninAttempt(phone=phone, address=address, failed=False, created_at=now)
        ).returning(SigninAttempt.id)
    attempt = rows[0]["id"]
    recent = (SigninAttempt.created_at >= since) & (SigninAttempt.id != attempt)
    for counted in (
        SigninAttempt.phone == phone,
        (SigninAttempt.address == address) & (SigninAttempt.failed == True),  # noqa: E712
    ):
        earlier = (
            await SigninAttempt.select(SigninAttempt.created_at)
            .where(recent & counted)
            .order_by(SigninAttempt.id, ascending=False)
            .limit(MAX_FAILURES)
        )
        if len(earlier) >= MAX_FAILURES:
            await SigninAttempt.delete().where(SigninAttempt.id == attempt)  # a refusal is no attempt
            raise TooManyAttempts(retry_after=earlier[-1]["created_at"] + WINDOW - now)
    try:
        member = await members.authenticate(phone, password)
    except errors.BadCredentials:
        await SigninAttempt.update({SigninAttempt.failed: True}).where(SigninAttempt.id == attempt)
        raise
    await SigninAttempt.delete().where(SigninAttempt.phone == phone)
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
