"""Open311 GeoReport v2 (DESIGN.md, "Interfaces"): existing civic-reporting apps submit needs.

A client is registered for one community with an API key (stored as its SHA-256). Each client
files its needs through a member account of its own, which cannot sign in. A request becomes a
common need (Open311 is for public matters: a broken light, a blocked corridor) in the
community, or in the area given as ``address_id`` (a Linli area id under it), with the channel
``open311``; when the caller's phone is a resident of that community, the need is theirs. What
the client says of the place (``address_string``, ``lat``, ``long``) and its ``media_url`` are
kept in fields of their own, as sent; an image it attaches (``media``) becomes a photo.

Requests are public in GeoReport: the list shows the community's common needs (what came in
through Open311 is common), never a personal need and never who asked. Their ``address`` is what
the client said of the place, or else the names of the need's area: never the address a
resident or a leader gave Linli.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from projects import errors
from projects.access import community_path
from projects.areas import get_area, under
from projects.attachments import attach, kept_if_committed
from projects.categories import get_category
from projects.db import atomic
from projects.errors import N_
from projects.images import Photo
from projects.limits import OPEN311_CLIENT_NAME_MAX_CHARS
from projects.members import PHONE
from projects.needs import MAX_DESCRIPTION, file_need
from projects.states import text
from projects.tables import Member, Need, Open311Client
from projects.workorders import look_up_places

OPEN = ("new", "triaged", "in_progress")
MAX_REQUESTS = 1000  # what one GET answers at most, as GeoReport servers commonly do
ADDRESS_STRING_MAX_CHARS = 200
MEDIA_URL_MAX_CHARS = 1000


class BadApiKey(errors.NotAllowed):
    code = "bad_api_key"
    message = N_("This API key is not one Linli gave out.")


@dataclass(frozen=True, slots=True)
class Client:
    id: int
    name: str
    community: int
    member: int


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    """A need as GeoReport shows it: no names, no phones."""

    id: int
    status: str  # "open" or "closed"
    status_notes: str  # why it was rejected or merged; "" when there is nothing to say but its state
    state: str  # the need's own state: what the notes say when there is no reason
    service_code: str
    service_name: str
    description: str
    agency: str
    requested: datetime
    updated: datetime
    expected: datetime | None
    address_id: int
    address: str  # what the client said of the place, else the area's names (社区 · 网格 · 楼栋)
    lat: float | None
    long: float | None
    media_url: str


def _digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


async def register_client(name: str, community_id: int, *, now: datetime, api_key: str | None = None) -> str:
    """Register a client for a community; answers its API key (only now: it is kept as a hash)."""
    name = text(name, OPEN311_CLIENT_NAME_MAX_CHARS, N_("name"), required=True)
    community = await get_area(community_id)
    if community.level != "community":
        raise errors.Invalid(N_("An Open311 client reports to a community."))
    api_key = api_key or secrets.token_urlsafe(24)
    async with atomic():
        rows = await Member.insert(
            Member(
                phone=f"open311:{_digest(api_key)[:12]}",  # not a mobile number: it never signs in
                name=f"Open311: {name}"[:64],
                password_hash="!",
                active=False,
                created_at=now,
            )
        ).returning(Member.id)
        await Open311Client.insert(
            Open311Client(
                name=name,
                key_hash=_digest(api_key),
                community=community_id,
                member=rows[0]["id"],
                created_at=now,
            )
        )
    return api_key


async def client_for(api_key: str | None) -> Client:
    if not api_key or len(api_key) > 200:
        raise BadApiKey()
    row = await Open311Client.select().where(Open311Client.key_hash == _digest(api_key)).first()
    if row is None or not row["active"]:
        raise BadApiKey()
    return Client(row["id"], row["name"], row["community"], row["member"])


async def submit(
    client: Client,
    *,
    service_code: str,
    description: str,
    address_id: int | None = None,
    address_string: str = "",
    lat: float | None = None,
    long: float | None = None,
    phone: str = "",
    media_url: str = "",
    photos: list[Photo] | tuple[()] = (),
    now: datetime,
) -> ServiceRequest:
    """A request filed as a common need, with what the client said of the place, its media link
    and its attached image (re-encoded already) kept apart from the description."""
    await get_category(service_code)
    description = text(description, MAX_DESCRIPTION, N_("description"), required=True)
    address_string = text(address_string, ADDRESS_STRING_MAX_CHARS, N_("address"), field="address_string")
    media_url = _media_url(media_url)
    if (lat is None) != (long is None):
        raise errors.Invalid(N_("Give lat and long together."), field="lat" if lat is None else "long")
    community = await get_area(client.community)
    area = await get_area(address_id) if address_id is not None else community
    if not community.contains(area.path):
        raise errors.Invalid(N_("This place is not in the community this client reports to."))
    async with kept_if_committed(), atomic():
        resident = client.member
        if PHONE.fullmatch(phone.strip()):
            found = (
                await Member.select(Member.id, Member.home_area.path.as_alias("home_path"))
                .where(Member.phone == phone.strip())
                .first()
            )
            if found and found["home_path"] and community_path(found["home_path"]) == community.path:
                resident = found["id"]
        need_id = await file_need(
            resident=resident,
            reporter=client.member,
            channel="open311",
            category=service_code,
            area=area,
            scope="common",
            description=description,
            address_string=address_string,
            lat=lat,
            long=long,
            media_url=media_url,
            now=now,
        )
        await attach(list(photos), uploaded_by=client.member, need=need_id, now=now)
    return (await requests(client.community, ids=[need_id]))[0]


def _media_url(value: str) -> str:
    """A link to the client's own copy of its photo: an http(s) address, kept as sent."""
    value = value.strip()
    if value and not (
        len(value) <= MEDIA_URL_MAX_CHARS
        and value.startswith(("https://", "http://"))
        and not any(char.isspace() for char in value)
    ):
        raise errors.Invalid(
            N_("The {label} is an http or https address of at most {limit} characters."),
            field="media_url",
            label="media_url",
            limit=MEDIA_URL_MAX_CHARS,
        )
    return value


def _visible(community_path_: str):
    """What GeoReport shows of a community: its common needs (what came through Open311 is
    common), never a personal need."""
    return under(Need.area.path, community_path_) & (Need.scope == "common")


async def requests(
    community_id: int | None,
    *,
    ids: list[int] | None = None,
    service_code: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    status: str | None = None,
) -> list[ServiceRequest]:
    """The public requests of a community (None: of every community), newest first (at most
    ``MAX_REQUESTS``)."""
    root = (await get_area(community_id)).path if community_id is not None else "/"
    query = (
        Need.select(
            Need.id,
            Need.status,
            Need.reason,
            Need.category,
            Need.category.name.as_alias("category_name"),
            Need.description,
            Need.handling_area.name.as_alias("agency"),
            Need.created_at,
            Need.updated_at,
            Need.deadline,
            Need.area,
            Need.area.path.as_alias("area_path"),
            Need.address_string,
            Need.lat,
            Need.long,
            Need.media_url,
        )
        .where(_visible(root))
        .order_by(Need.id, ascending=False)
        .limit(MAX_REQUESTS)
    )
    if ids is not None:
        query = query.where(Need.id.is_in(ids or [0]))
    if service_code:
        query = query.where(Need.category == service_code)
    if start is not None:
        query = query.where(Need.created_at >= start)
    if end is not None:
        query = query.where(Need.created_at <= end)
    if status == "open":
        query = query.where(Need.status.is_in(list(OPEN)))
    elif status == "closed":
        query = query.where(Need.status.not_in(list(OPEN)))
    rows = await query
    places = await look_up_places(row["area_path"] for row in rows)
    return [
        ServiceRequest(
            id=row["id"],
            status="open" if row["status"] in OPEN else "closed",
            status_notes=row["reason"],
            state=row["status"],
            service_code=row["category"],
            service_name=row["category_name"],
            description=row["description"],
            agency=row["agency"],
            requested=row["created_at"],
            updated=row["updated_at"],
            expected=row["deadline"],
            address_id=row["area"],
            address=row["address_string"] or " · ".join(places.area_names(row["area_path"])),
            lat=row["lat"],
            long=row["long"],
            media_url=row["media_url"],
        )
        for row in rows
    ]
