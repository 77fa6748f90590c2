"""Members: registration with a hashed password, sign-in tokens, and roles granted per area."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ledger.accounts import DEBITS_MUST_NOT_EXCEED_CREDITS, open_account
from projects import errors
from projects.areas import get_area
from projects.db import atomic
from projects.limits import MEMBER_NAME_MAX_CHARS, PASSWORD_MAX_CHARS
from projects.tables import ROLES, Member, Role, Token
from settings import SESSION_IDLE_MINUTES

PHONE = re.compile(r"1[3-9][0-9]{9}")  # a mainland mobile number
MIN_PASSWORD = 8
TOKEN_LIFETIME = timedelta(days=30)
DEFAULT_IDLE = SESSION_IDLE_MINUTES.default  # a token unused this long stops working
TOUCH_EVERY = timedelta(minutes=1)  # how precisely a token's last use is kept

# Argon2id with the library's defaults (RFC 9106's low-memory profile).
_hasher = PasswordHasher()
# Verified when the phone is unknown, so that a wrong phone costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("linli: no such member")


@dataclass(frozen=True, slots=True)
class MemberRecord:
    id: int
    phone: str
    name: str
    home_area: int | None
    is_admin: bool
    active: bool
    created_at: datetime


_PUBLIC = (
    Member.id,
    Member.phone,
    Member.name,
    Member.home_area,
    Member.is_admin,
    Member.active,
    Member.created_at,
)


def member_account(member_id: int) -> str:
    return f"member:{member_id}"


def hash_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= PASSWORD_MAX_CHARS:
        raise errors.Invalid(errors.N_("A password is 8 to 128 characters."))
    return _hasher.hash(password)


def check_phone(phone: str) -> str:
    phone = phone.strip()
    if not PHONE.fullmatch(phone):
        raise errors.Invalid(
            errors.N_("{phone} is not a mobile number (11 digits starting with 1)."), phone=phone
        )
    return phone


async def create_member(
    phone: str,
    name: str,
    *,
    now: datetime,
    password: str | None = None,
    password_hash: str | None = None,
    home_area_id: int | None = None,
    is_admin: bool = False,
) -> MemberRecord:
    """Register a member and open their points account, in one transaction.

    Give ``password``, or an Argon2 ``password_hash`` made earlier (the demo hashes its one
    password once for hundreds of members).
    """
    phone = check_phone(phone)
    name = name.strip()
    if not name or len(name) > MEMBER_NAME_MAX_CHARS:
        raise errors.Invalid(errors.N_("A name is 1 to 64 characters."))
    if (password is None) == (password_hash is None):
        raise errors.Invalid(errors.N_("A password is 8 to 128 characters."))
    hashed = password_hash or await asyncio.to_thread(hash_password, password or "")
    async with atomic():
        if home_area_id is not None:
            home = await get_area(home_area_id)
            if home.level != "unit":
                raise errors.Invalid(errors.N_("A member's home is a unit."))
        if await Member.exists().where(Member.phone == phone):
            raise errors.PhoneTaken(phone=phone)
        rows = await Member.insert(
            Member(
                phone=phone,
                name=name,
                password_hash=hashed,
                home_area=home_area_id,
                is_admin=is_admin,
                active=True,
                created_at=now,
            )
        ).returning(Member.id)
        member_id = rows[0]["id"]
        await open_account(
            member_account(member_id),
            asset="PTS",
            kind="member",
            owner=f"member:{member_id}",
            name=name,
            flags=DEBITS_MUST_NOT_EXCEED_CREDITS,
        )
        if home_area_id is not None:
            await Role.insert(Role(member=member_id, area=home_area_id, role="resident", created_at=now))
    return MemberRecord(member_id, phone, name, home_area_id, is_admin, True, now)


async def get_member(member_id: int) -> MemberRecord:
    row = await Member.select(*_PUBLIC).where(Member.id == member_id).first()
    if row is None:
        raise errors.NotFound(thing=errors.N_("member"))
    return MemberRecord(**row)


async def find_by_phone(phone: str) -> MemberRecord | None:
    row = await Member.select(*_PUBLIC).where(Member.phone == phone.strip()).first()
    return MemberRecord(**row) if row else None


async def member_by_phone(phone: str, *, field: str = "phone") -> MemberRecord:
    """The active member registered with the mobile number a person typed; refused at ``field``
    (the input it was typed in) when nobody is."""
    phone = "".join((phone or "").split())
    if not phone:
        raise errors.Invalid(
            errors.N_("Please fill in the {label}."), field=field, label=errors.N_("mobile number")
        )
    member = await find_by_phone(phone) if len(phone) <= 20 else None
    if member is None or not member.active:
        raise errors.Invalid(
            errors.N_("Nobody is registered with the mobile number {phone}."), field=field, phone=phone
        )
    return member


async def grant_role(member_id: int, area_id: int, role: str, *, now: datetime) -> None:
    """Grant ``role`` in ``area`` (idempotent); an area has at most one leader."""
    if role not in ROLES:
        raise errors.Invalid(errors.N_("Unknown role {role}."), role=role)
    async with atomic():
        area = await get_area(area_id)
        await get_member(member_id)
        if role == "leader" and area.level not in ("grid", "building", "unit"):
            raise errors.Invalid(errors.N_("Leaders lead a grid, a building or a unit."))
        if await Role.exists().where(
            (Role.member == member_id) & (Role.area == area_id) & (Role.role == role)
        ):
            return
        if role == "leader" and await Role.exists().where((Role.area == area_id) & (Role.role == "leader")):
            raise errors.Conflict(errors.N_("This area already has a leader."))
        await Role.insert(Role(member=member_id, area=area_id, role=role, created_at=now))


async def authenticate(phone: str, password: str) -> MemberRecord:
    """The member with this phone and password, or ``BadCredentials`` (never which was wrong)."""
    row = (
        await Member.select(Member.id, Member.password_hash, Member.active)
        .where(Member.phone == phone.strip())
        .first()
    )
    try:
        # Argon2 takes a good part of a second by design: off the event loop, so others go on.
        await asyncio.to_thread(_hasher.verify, row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise errors.BadCredentials() from None
    if row is None or not row["active"]:
        raise errors.BadCredentials()
    return await get_member(row["id"])


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(member_id: int, *, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    await Token.insert(
        Token(
            token_hash=token_digest(token),
            member=member_id,
            created_at=now,
            expires_at=now + TOKEN_LIFETIME,
            last_used_at=now,
        )
    )
    return token


def well_formed_token(token: str) -> bool:
    return bool(token) and len(token) <= 200


async def use_token(digest: str, row: dict | None, *, now: datetime, idle: timedelta) -> None:
    """Refuse a token that is unknown (``row`` None), expired or idle; note its use otherwise.

    ``row`` holds the token's ``created_at``, ``expires_at`` and ``last_used_at``."""
    if row is None or row["expires_at"] <= now:
        raise errors.Unauthenticated()
    last_used = row["last_used_at"] or row["created_at"]
    if last_used + idle <= now:
        raise errors.Unauthenticated()
    if now - last_used >= TOUCH_EVERY:  # one write a minute per token at most, not one per request
        await Token.update({Token.last_used_at: now}).where(
            (Token.token_hash == digest) & ((Token.last_used_at < now) | Token.last_used_at.is_null())
        )


async def revoke_token(token: str) -> None:
    await Token.delete().where(Token.token_hash == token_digest(token))


async def revoke_other_tokens(member_id: int, keep: str | None) -> int:
    """Sign the member out everywhere but with ``keep`` (the token in use; None: everywhere,
    every browser and every app); how many sign-ins ended."""
    clause = Token.member == member_id
    if keep:
        clause = clause & (Token.token_hash != token_digest(keep))
    return len(await Token.delete().where(clause).returning(Token.token_hash))


async def sign_out_everywhere(member_id: int) -> int:
    return await revoke_other_tokens(member_id, None)
