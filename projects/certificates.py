"""Volunteer hours certificates (志愿服务记录证明): a volunteer's confirmed service for a period,
as the Ministry of Civil Affairs' rules for volunteer records ask: name and volunteer number,
the service by category with each task's title and date, the hours, who recorded and confirmed
them (the community, and the organisation the work was done through) with its person in charge,
handler and phone, a number and a date. Peer exchange (market.exchanges) is not volunteer
service: only confirmed claims count. Each certificate is frozen as issued and carries an
unguessable code; ``verify`` shows its figures to anyone holding the code, the name masked."""

from __future__ import annotations

import io
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from PIL import Image, UnidentifiedImageError

from projects import errors
from projects.access import Actor
from projects.area_path import AreaPath
from projects.db import atomic
from projects.disclosure import mask_name
from projects.errors import N_
from projects.limits import CERTIFICATE_CODE_MAX_CHARS, PHONE_MAX_CHARS, SIGNATORY_NAME_MAX_CHARS
from projects.quarters import ZONE, day_start
from projects.states import text
from projects.tables import Area, Certificate, CertificateLine, Certifier, Organisation

MAX_DAYS = 3660  # ten years
MAX_SEAL_BYTES = 2 * 1024 * 1024
SEAL_PIXELS = 600  # the seal is kept at most this wide and high
MAX_LINES = 2000


class NoHours(errors.NotFound):
    code = "no_hours"
    message = N_("There are no confirmed volunteer hours from {start} to {end}.")


def hours(minutes: int) -> Decimal:
    """Minutes as hours, to two places, half up (90 → 1.50, 100 → 1.67)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)


def hours_text(minutes: int) -> str:
    """Hours as a certificate prints them, without trailing zeros: 1.5, 1.67, 10."""
    return f"{hours(minutes):f}".rstrip("0").rstrip(".")


def volunteer_number(member_id: int) -> str:
    """The volunteer's number in Linli (LL and 8 digits): the same on every certificate."""
    return f"LL{member_id:08d}"


def number(certificate_id: int, issued_at: datetime) -> str:
    return f"LL{issued_at.astimezone(ZONE).year}-{certificate_id:06d}"


@dataclass(frozen=True, slots=True)
class Line:
    claim: int
    community: int
    organisation: int | None
    category: str  # a top category's code
    title: str
    served_on: date
    minutes: int


@dataclass(frozen=True, slots=True)
class Issuer:
    """One body that recorded and confirmed some of the hours, as it was at issue."""

    community: int
    community_name: str
    organisation: int | None
    organisation_name: str
    person_in_charge: str
    handler: str
    phone: str
    minutes: int


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    id: int
    number: str
    code: str
    member: int
    volunteer_name: str
    volunteer_number: str
    period_from: date
    period_to: date  # exclusive
    minutes: int
    issued_at: datetime
    issuers: list[Issuer]
    lines: list[Line]

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)

    @property
    def last_day(self) -> date:
        return self.period_to - timedelta(days=1)

    def by_category(self) -> list[tuple[str, int, list[Line]]]:
        """(category, minutes, lines) in the order of the categories' first service."""
        groups: dict[str, list[Line]] = {}
        for line in self.lines:
            groups.setdefault(line.category, []).append(line)
        return [(category, sum(line.minutes for line in found), found) for category, found in groups.items()]

    def masked(self) -> CertificateRecord:
        """The same certificate with the volunteer's name masked (王*兰), for the public check."""
        return CertificateRecord(**{**_fields(self), "volunteer_name": mask_name(self.volunteer_name)})


def _fields(record: CertificateRecord) -> dict:
    return {name: getattr(record, name) for name in CertificateRecord.__dataclass_fields__}


def check_period(start: date, end: date) -> None:
    """``start`` inclusive, ``end`` exclusive, as for statistics: at most ten years."""
    if not start < end:
        raise errors.Invalid(N_("The period must end after it starts."), field="from")
    if (end - start).days > MAX_DAYS:
        raise errors.Invalid(N_("A certificate covers at most {limit} days."), field="from", limit=MAX_DAYS)
    if start.year < 2000 or end.year > 2100:
        raise errors.Invalid(N_("A year is from {low} to {high}."), field="from", low=2000, high=2100)


async def service_lines(member_id: int, start: date, end: date) -> list[Line]:
    """The member's confirmed claims whose work was submitted in [start, end), China's days."""
    rows = await Area.raw(
        "SELECT cl.id AS claim, cl.minutes AS minutes, cl.submitted_at AS submitted_at, "
        "cl.organisation AS organisation, t.title AS title, a.path AS path, "
        "COALESCE(c.parent, c.code) AS category "
        "FROM projects_claim cl JOIN projects_task t ON t.id = cl.task "
        "JOIN projects_area a ON a.id = t.area JOIN projects_category c ON c.code = t.category "
        "WHERE cl.member = {} AND cl.status = 'confirmed' AND cl.submitted_at >= {} AND cl.submitted_at < {} "
        f"ORDER BY cl.submitted_at, cl.id LIMIT {MAX_LINES}",
        member_id,
        day_start(start),
        day_start(end),
    )
    return [
        Line(
            claim=row["claim"],
            community=AreaPath.parse(row["path"]).community_id,
            organisation=row["organisation"],
            category=row["category"],
            title=row["title"],
            served_on=_moment(row["submitted_at"]).astimezone(ZONE).date(),
            minutes=int(row["minutes"]),
        )
        for row in rows
    ]


def _moment(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


async def _issuers(lines: list[Line]) -> list[Issuer]:
    pairs: dict[tuple[int, int | None], int] = {}
    for line in lines:
        pairs[(line.community, line.organisation)] = (
            pairs.get((line.community, line.organisation), 0) + line.minutes
        )
    communities = sorted({community for community, _ in pairs})
    organisations = sorted({organisation for _, organisation in pairs if organisation is not None})
    names = {
        row["id"]: row["name"]
        for row in await Area.select(Area.id, Area.name).where(Area.id.is_in(communities))
    }
    organisation_names = {
        row["id"]: row["name"]
        for row in await Organisation.select(Organisation.id, Organisation.name).where(
            Organisation.id.is_in(organisations or [-1])
        )
    }
    signers = await Certifier.select(
        Certifier.community,
        Certifier.organisation,
        Certifier.person_in_charge,
        Certifier.handler,
        Certifier.phone,
    ).where(Certifier.community.is_in(communities) | Certifier.organisation.is_in(organisations or [-1]))
    of_community = {row["community"]: row for row in signers if row["community"] is not None}
    of_organisation = {row["organisation"]: row for row in signers if row["organisation"] is not None}
    found = []
    for (community, organisation), minutes in pairs.items():
        # The community signs what it recorded; the organisation co-signs the work done through it.
        signer = of_organisation.get(organisation) or of_community.get(community) or {}
        found.append(
            Issuer(
                community=community,
                community_name=names.get(community, ""),
                organisation=organisation,
                organisation_name=organisation_names.get(organisation, "") if organisation else "",
                person_in_charge=signer.get("person_in_charge", ""),
                handler=signer.get("handler", ""),
                phone=signer.get("phone", ""),
                minutes=minutes,
            )
        )
    return sorted(found, key=lambda issuer: (issuer.community, issuer.organisation or 0))


async def issue_certificate(actor: Actor, *, start: date, end: date, now: datetime) -> CertificateRecord:
    """The member's certificate for [start, end): the one already issued for the same period and
    the same work if there is one, else a new one, frozen as issued."""
    check_period(start, end)
    lines = await service_lines(actor.member_id, start, end)
    if not lines:
        raise NoHours(start=start.isoformat(), end=(end - timedelta(days=1)).isoformat())
    minutes = sum(line.minutes for line in lines)
    async with atomic():
        earlier = (
            await Certificate.select(Certificate.id)
            .where(
                (Certificate.member == actor.member_id)
                & (Certificate.period_from == start)
                & (Certificate.period_to == end)
                & (Certificate.minutes == minutes)
            )
            .order_by(Certificate.id, ascending=False)
            .first()
        )
        if earlier is not None:
            same = await CertificateLine.select(CertificateLine.claim).where(
                CertificateLine.certificate == earlier["id"]
            )
            if sorted(row["claim"] for row in same) == sorted(line.claim for line in lines):
                return await get_certificate(earlier["id"])
        issuers = await _issuers(lines)
        rows = await Certificate.insert(
            Certificate(
                code=secrets.token_urlsafe(24),
                member=actor.member_id,
                volunteer_name=actor.name,
                volunteer_number=volunteer_number(actor.member_id),
                period_from=start,
                period_to=end,
                minutes=minutes,
                issuers=json.dumps([_issuer_dict(issuer) for issuer in issuers], ensure_ascii=False),
                issued_at=now,
            )
        ).returning(Certificate.id)
        certificate_id = rows[0]["id"]
        await CertificateLine.insert(
            *[
                CertificateLine(
                    certificate=certificate_id,
                    claim=line.claim,
                    community=line.community,
                    organisation=line.organisation,
                    category=line.category,
                    title=line.title,
                    served_on=line.served_on,
                    minutes=line.minutes,
                )
                for line in lines
            ]
        )
    return await get_certificate(certificate_id)


def _issuer_dict(issuer: Issuer) -> dict:
    return {name: getattr(issuer, name) for name in Issuer.__dataclass_fields__}


async def get_certificate(certificate_id: int) -> CertificateRecord:
    row = await Certificate.select().where(Certificate.id == certificate_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("certificate"))
    return await _record(row)


async def _record(row: dict) -> CertificateRecord:
    lines = (
        await CertificateLine.select(
            CertificateLine.claim,
            CertificateLine.community,
            CertificateLine.organisation,
            CertificateLine.category,
            CertificateLine.title,
            CertificateLine.served_on,
            CertificateLine.minutes,
        )
        .where(CertificateLine.certificate == row["id"])
        .order_by(CertificateLine.served_on, CertificateLine.id)
    )
    return CertificateRecord(
        id=row["id"],
        number=number(row["id"], row["issued_at"]),
        code=row["code"],
        member=row["member"],
        volunteer_name=row["volunteer_name"],
        volunteer_number=row["volunteer_number"],
        period_from=_day(row["period_from"]),
        period_to=_day(row["period_to"]),
        minutes=row["minutes"],
        issued_at=row["issued_at"],
        issuers=[Issuer(**issuer) for issuer in json.loads(row["issuers"])],
        lines=[Line(**{**line, "served_on": _day(line["served_on"])}) for line in lines],
    )


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


async def my_certificates(actor: Actor, *, limit: int = 50) -> list[CertificateRecord]:
    """The certificates I was issued, newest first (without their lines)."""
    rows = (
        await Certificate.select()
        .where(Certificate.member == actor.member_id)
        .order_by(Certificate.id, ascending=False)
        .limit(limit)
    )
    return [
        CertificateRecord(
            id=row["id"],
            number=number(row["id"], row["issued_at"]),
            code=row["code"],
            member=row["member"],
            volunteer_name=row["volunteer_name"],
            volunteer_number=row["volunteer_number"],
            period_from=_day(row["period_from"]),
            period_to=_day(row["period_to"]),
            minutes=row["minutes"],
            issued_at=row["issued_at"],
            issuers=[],
            lines=[],
        )
        for row in rows
    ]


async def verify(code: str) -> CertificateRecord:
    """The certificate with this code, the volunteer's name masked (anyone may check it)."""
    if (
        not code
        or len(code) > CERTIFICATE_CODE_MAX_CHARS
        or not code.replace("-", "").replace("_", "").isalnum()
        or not code.isascii()
    ):
        raise errors.NotFound(thing=N_("certificate"))
    row = await Certificate.select().where(Certificate.code == code).first()
    if row is None:
        raise errors.NotFound(thing=N_("certificate"))
    return (await _record(row)).masked()


# -- who certifies --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertifierRecord:
    community: int | None
    organisation: int | None
    person_in_charge: str
    handler: str
    phone: str
    has_seal: bool
    updated_at: datetime | None


def reencode_seal(data: bytes) -> bytes:
    """The uploaded seal as a PNG of at most 600 × 600 pixels, re-encoded (nothing of the upload
    but its pixels is kept)."""
    if len(data) > MAX_SEAL_BYTES:
        raise errors.Invalid(
            N_("The seal image is at most {limit} MB."), field="seal", limit=MAX_SEAL_BYTES // (1024 * 1024)
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG", "WEBP"):
                raise errors.Invalid(N_("The seal must be a PNG, JPEG or WebP image."), field="seal")
            if image.width * image.height > 25_000_000:
                raise errors.Invalid(N_("The seal image is too large."), field="seal")
            image.load()
            pixels = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise errors.Invalid(N_("The seal must be a PNG, JPEG or WebP image."), field="seal") from None
    pixels.thumbnail((SEAL_PIXELS, SEAL_PIXELS))
    out = io.BytesIO()
    pixels.save(out, format="PNG", optimize=True)
    return out.getvalue()


async def certifier(
    *, community_id: int | None = None, organisation_id: int | None = None
) -> CertifierRecord:
    column = Certifier.community if community_id is not None else Certifier.organisation
    row = (
        await Certifier.select(
            Certifier.community,
            Certifier.organisation,
            Certifier.person_in_charge,
            Certifier.handler,
            Certifier.phone,
            Certifier.updated_at,
        )
        .where(column == (community_id if community_id is not None else organisation_id))
        .first()
    )
    seal = await seal_png(community_id=community_id, organisation_id=organisation_id)
    if row is None:
        return CertifierRecord(community_id, organisation_id, "", "", "", False, None)
    return CertifierRecord(
        row["community"],
        row["organisation"],
        row["person_in_charge"],
        row["handler"],
        row["phone"],
        seal is not None,
        row["updated_at"],
    )


async def all_certifiers() -> dict[tuple[str, int], CertifierRecord]:
    """Every certifier, by ("community", id) or ("organisation", id)."""
    rows = await Certifier.raw(
        "SELECT community, organisation, person_in_charge, handler, phone, "
        "CASE WHEN seal_png IS NULL THEN 0 ELSE 1 END AS has_seal, updated_at FROM projects_certifier"
    )
    return {
        ("community", row["community"]) if row["community"] else ("organisation", row["organisation"]): (
            CertifierRecord(**{**row, "has_seal": bool(row["has_seal"])})
        )
        for row in rows
    }


async def seal_png(*, community_id: int | None = None, organisation_id: int | None = None) -> bytes | None:
    column = Certifier.community if community_id is not None else Certifier.organisation
    row = (
        await Certifier.select(Certifier.seal_png)
        .where(column == (community_id if community_id is not None else organisation_id))
        .first()
    )
    return bytes(row["seal_png"]) if row and row["seal_png"] is not None else None


async def set_certifier(
    actor: Actor,
    *,
    community_id: int | None = None,
    organisation_id: int | None = None,
    person_in_charge: str,
    handler: str,
    phone: str,
    seal: bytes | None = None,
    now: datetime,
) -> CertifierRecord:
    """An admin says who signs a community's (or an organisation's) certificates, and uploads its
    seal (re-encoded; None keeps the one there)."""
    actor.require(actor.is_admin)
    if (community_id is None) == (organisation_id is None):
        raise errors.Invalid(N_("Choose a community or an organisation."))
    person_in_charge = text(person_in_charge, SIGNATORY_NAME_MAX_CHARS, N_("person in charge"))
    handler = text(handler, SIGNATORY_NAME_MAX_CHARS, N_("handler"))
    phone = text(phone, PHONE_MAX_CHARS, N_("contact phone"))
    png = reencode_seal(seal) if seal else None
    if community_id is not None:
        area = await Area.select(Area.level).where(Area.id == community_id).first()
        if area is None or area["level"] != "community":
            raise errors.NotFound(thing=N_("community"))
        column, key = Certifier.community, community_id
    else:
        if not await Organisation.exists().where(Organisation.id == organisation_id):
            raise errors.NotFound(thing=N_("organisation"))
        column, key = Certifier.organisation, organisation_id
    values = {
        Certifier.person_in_charge: person_in_charge,
        Certifier.handler: handler,
        Certifier.phone: phone,
        Certifier.updated_by: actor.member_id,
        Certifier.updated_at: now,
    }
    if png is not None:
        values[Certifier.seal_png] = png
    async with atomic():
        if await Certifier.exists().where(column == key):
            await Certifier.update(values).where(column == key)
        else:
            await Certifier.insert(
                Certifier(
                    community=community_id,
                    organisation=organisation_id,
                    person_in_charge=person_in_charge,
                    handler=handler,
                    phone=phone,
                    seal_png=png,
                    updated_by=actor.member_id,
                    updated_at=now,
                )
            )
    return await certifier(community_id=community_id, organisation_id=organisation_id)
