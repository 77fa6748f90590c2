"""A member's own settings: name, email, the outlets notifications reach them through, the
language they are written in; their password (the old one required; every other session signed
out); and staff resetting a member's password (a new one chosen at the next sign-in)."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email

from projects import errors, events
from projects.access import Actor
from projects.db import atomic
from projects.errors import N_
from projects.limits import EMAIL_MAX_CHARS, MEMBER_NAME_MAX_CHARS
from projects.members import authenticate, hash_password, revoke_other_tokens
from projects.outbox import CHANNELS
from projects.tables import Member

LANGUAGES = ("zh", "en")
TEMPORARY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"  # nothing to misread
TEMPORARY_CHARS = 10


class PasswordChangeRequired(errors.NotAllowed):
    """Staff reset the password: the member chooses a new one before anything else."""

    code = "password_change_required"
    message = N_("Choose a new password first: yours was reset.")


class RegistrationPending(errors.NotAllowed):
    """A resident who registered themself waits for approval."""

    code = "registration_pending"
    message = N_("Your registration is not approved yet: your registration page says where it stands.")


def require_settled(actor: Actor) -> None:
    """Refuse a member who must first change their password or be approved."""
    if actor.must_change_password:
        raise PasswordChangeRequired()
    if actor.pending:
        raise RegistrationPending()


@dataclass(frozen=True, slots=True)
class Settings:
    name: str
    email: str
    channels: list[str]
    lang: str
    pending: bool
    must_change_password: bool


async def settings_of(member_id: int) -> Settings:
    row = (
        await Member.select(
            Member.name,
            Member.email,
            Member.channels,
            Member.lang,
            Member.pending,
            Member.must_change_password,
        )
        .where(Member.id == member_id)
        .first()
    )
    if row is None:
        raise errors.NotFound(thing=N_("member"))
    return Settings(**{**row, "channels": [c for c in row["channels"].split(",") if c]})


def check_email(email: str) -> str:
    """An address mail can be sent to, normalised; "" clears it."""
    email = email.strip()
    if not email:
        return ""
    if len(email) > EMAIL_MAX_CHARS:
        raise errors.Invalid(N_("{value} is not an email address."), field="email", value=email[:40])
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise errors.Invalid(N_("{value} is not an email address."), field="email", value=email) from None


async def update_settings(
    actor: Actor,
    *,
    name: str | None = None,
    email: str | None = None,
    channels: list[str] | None = None,
    lang: str | None = None,
) -> Settings:
    """Change what is given; email as a channel needs an email address."""
    changes: dict = {}
    if name is not None:
        name = " ".join(name.split())
        if not 1 <= len(name) <= MEMBER_NAME_MAX_CHARS:
            raise errors.Invalid(N_("A name is 1 to 64 characters."), field="name")
        changes[Member.name] = name
    if email is not None:
        changes[Member.email] = check_email(email)
    if channels is not None:
        unknown = [channel for channel in channels if channel not in CHANNELS]
        if unknown:
            raise errors.Invalid(
                N_("Unknown channel {channel}."), field="channels", channel=str(unknown[0])[:20]
            )
        changes[Member.channels] = ",".join(channel for channel in CHANNELS if channel in channels)
    if lang is not None:
        if lang not in LANGUAGES:
            raise errors.Invalid(N_("The language is zh or en."), field="lang")
        changes[Member.lang] = lang
    async with atomic():
        current = await settings_of(actor.member_id)
        email_after = changes.get(Member.email, current.email)
        channels_after = changes.get(Member.channels, ",".join(current.channels))
        if "email" in channels_after.split(",") and not email_after:
            raise errors.Invalid(N_("Give an email address to be told by email."), field="email")
        if changes:
            await Member.update(changes).where(Member.id == actor.member_id)
    return await settings_of(actor.member_id)


async def change_password(actor: Actor, *, old: str, new: str, keep_token: str | None, now: datetime) -> None:
    """The member's new password, once the old one is right; every other session signs out."""
    try:
        await authenticate(actor.phone, old or "")
    except errors.BadCredentials:
        raise errors.Invalid(N_("The current password is wrong."), field="old_password") from None
    if new == old:
        raise errors.Invalid(N_("Choose a password other than the current one."), field="new_password")
    try:
        hashed = await asyncio.to_thread(hash_password, new or "")
    except errors.Invalid as error:
        raise errors.Invalid(error.template, field="new_password", **error.params) from None
    async with atomic():
        await Member.update({Member.password_hash: hashed, Member.must_change_password: False}).where(
            Member.id == actor.member_id
        )
        await revoke_other_tokens(actor.member_id, keep_token)
        await events.record("member", actor.member_id, "change_password", actor=actor.member_id, now=now)


async def reset_password(actor: Actor, member_id: int, *, now: datetime) -> str:
    """Staff over the member's home (or an admin) give them a temporary password, answered once;
    every session of theirs signs out and they choose a new one at their next sign-in."""
    row = (
        await Member.select(Member.id, Member.home_area.path.as_alias("home_path"))
        .where(Member.id == member_id)
        .first()
    )
    if row is None:
        raise errors.NotFound(thing=N_("member"))
    if not (actor.is_admin or (row["home_path"] and actor.is_staff(row["home_path"]))):
        raise errors.NotFound(thing=N_("member"))  # a member one does not serve is nobody
    if member_id == actor.member_id:
        raise errors.Invalid(N_("Change your own password on your profile."))
    temporary = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(TEMPORARY_CHARS))
    hashed = await asyncio.to_thread(hash_password, temporary)
    async with atomic():
        await Member.update({Member.password_hash: hashed, Member.must_change_password: True}).where(
            Member.id == member_id
        )
        await revoke_other_tokens(member_id, None)
        await events.record("member", member_id, "reset_password", actor=actor.member_id, now=now)
    return temporary
