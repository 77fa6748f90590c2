"""Open311 GeoReport v2 at /open311/v2 (DESIGN.md, "Interfaces"): the service list and
definitions (Linli's categories), creating requests (needs, with a client's API key; the place,
coordinates and media link kept as sent, an attached ``media`` image kept as a photo) and reading
them, in JSON or XML as the address's suffix says. Errors follow GeoReport's shape,
``[{"code": 400, "description": "..."}]``, in the request's language.

A form-encoded body is read as UTF-8 whatever the client declares: ``curl -d description=路灯不亮``
sends the characters' bytes as they are, with no charset, and they mean 路灯不亮."""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.params import FromPath

from projects import attachments, errors, open311
from projects.categories import list_categories
from projects.errors import N_
from web.api.deps import Now, language
from web.api.errors import STATUS
from web.api.photos import ONE_PHOTO_BYTES, read_upload
from web.i18n import translate
from web.words import STATE_NAMES

FORMATS = {"json": MediaType.JSON, "xml": MediaType.XML}
MAX_FIELDS = 50  # a request has about fifteen


def _split(name: str) -> tuple[str, str]:
    """``care.meals.json`` → (``care.meals``, ``json``); an unknown format is a 404."""
    stem, _, suffix = name.rpartition(".")
    if suffix not in FORMATS or not stem:
        raise errors.NotFound(N_("There is nothing at this address."))
    return stem, suffix


def _xml(root: str, item: str, rows: list[dict[str, Any]]) -> str:
    top = ElementTree.Element(root)
    for row in rows:
        element = ElementTree.SubElement(top, item)
        for key, value in row.items():
            child = ElementTree.SubElement(element, key)
            if isinstance(value, list):
                for entry in value:
                    ElementTree.SubElement(child, "attribute").text = str(entry)
            elif value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)
    return '<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(top, encoding="unicode")


def _answer(fmt: str, root: str, item: str, rows: list[dict[str, Any]], status: int = 200) -> Response:
    if fmt == "xml":
        return Response(_xml(root, item, rows), media_type=MediaType.XML, status_code=status)
    return Response(rows, media_type=MediaType.JSON, status_code=status)


def _fmt_of(request: Request) -> str:
    return "xml" if request.url.path.endswith(".xml") else "json"


def open311_error(request: Request, error: Exception) -> Response:
    """GeoReport's error shape, the message in the request's language."""
    if isinstance(error, errors.ProjectError):
        status = next(code for kind, code in STATUS.items() if isinstance(error, kind))
        text = translate(language(request), error.template, error.params)
    elif isinstance(error, HTTPException):
        status, text = error.status_code, translate(language(request), N_("The request is not valid."))
    else:
        raise error
    return _answer(_fmt_of(request), "errors", "error", [{"code": status, "description": text}], status)


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _request_row(found: open311.ServiceRequest, lang: str) -> dict[str, Any]:
    return {
        "service_request_id": str(found.id),
        "status": found.status,
        # The need's state in words, in the client's language, when there is no reason to give.
        "status_notes": found.status_notes or translate(lang, STATE_NAMES.get(found.state, found.state)),
        "service_name": found.service_name,
        "service_code": found.service_code,
        "description": found.description,
        "agency_responsible": found.agency,
        "service_notice": "",
        "requested_datetime": _when(found.requested),
        "updated_datetime": _when(found.updated),
        "expected_datetime": _when(found.expected),
        "address": found.address,
        "address_id": str(found.address_id),
        "zipcode": "",
        "lat": found.lat,
        "long": found.long,
        "media_url": found.media_url,
    }


def _moment(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not 2000 <= moment.year <= 2100:
        raise errors.Invalid(N_("{label} is a time in ISO 8601 with its zone."), field=name, label=name)
    return moment


def _number(value: str | None, name: str, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise errors.Invalid(
            N_("{label} is a number from {low} to {high}."), field=name, label=name, low=low, high=high
        )
    return number


def _id(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise errors.Invalid(
            N_("{label} is a number from {low} to {high}."), field=name, label=name, low=1, high=10**18 - 1
        )
    return int(value)


async def _fields(request: Request) -> tuple[dict[str, str], UploadFile | None]:
    """A request's fields (JSON, a form, or a multipart form with its ``media`` image), and the
    image. A form-encoded body is decoded as UTF-8 here, whatever its charset says: Litestar's
    own decoding takes unescaped bytes for Latin-1."""
    content_type = request.content_type[0]
    try:
        if content_type == MediaType.JSON:
            body = await request.json()
            return {key: str(value) for key, value in (body if isinstance(body, dict) else {}).items()}, None
        if content_type == "application/x-www-form-urlencoded":
            text = (await request.body()).decode("utf-8")
            pairs = urllib.parse.parse_qsl(
                text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS
            )
            return dict(reversed(pairs)), None  # the first of a field given twice, as forms read
        form = await request.form()
    except (UnicodeDecodeError, ValueError, SerializationException):  # not UTF-8, not the JSON it says
        raise errors.Invalid(N_("The request is not valid.")) from None
    media = form.get("media")
    fields = {key: str(form.get(key)) for key in form if key != "media"}
    return fields, media if isinstance(media, UploadFile) else None


class Open311Controller(Controller):
    path = "/open311/v2"
    tags = ["open311"]
    exception_handlers = {
        errors.ProjectError: open311_error,
        HTTPException: open311_error,
        ValidationException: open311_error,  # the app's own would answer a page, not GeoReport's shape
    }

    @get(
        ["/services.json", "/services.xml"],
        name="open311:services",
        summary="Service list: Linli's categories",
    )
    async def services(self, request: Request) -> Response:
        english = language(request) == "en"
        categories = await list_categories()
        names = {c.code: (c.name_en or c.name) if english else c.name for c in categories}
        rows = [
            {
                "service_code": c.code,
                "service_name": names[c.code],
                "description": names[c.code],
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": names.get(c.parent or "", ""),
            }
            for c in categories
            if c.parent is not None  # a request is about something concrete: the subcategories
        ]
        return _answer(_fmt_of(request), "services", "service", rows)

    @get("/services/{name:str}", name="open311:service", summary="Service definition (no extra attributes)")
    async def service(self, request: Request, name: FromPath[str]) -> Response:
        code, fmt = _split(name)
        categories = {c.code for c in await list_categories() if c.parent is not None}
        if code not in categories:
            raise errors.NotFound(N_("There is no category {code}."), code=code)
        if fmt == "xml":
            body = (
                '<?xml version="1.0" encoding="utf-8"?><service_definition>'
                f"<service_code>{code}</service_code><attributes/></service_definition>"
            )
            return Response(body, media_type=MediaType.XML)
        return Response({"service_code": code, "attributes": []}, media_type=MediaType.JSON)

    @post(
        ["/requests.json", "/requests.xml"],
        name="open311:create",
        summary="Create a service request (a need), with a client's api_key; an image as media",
        status_code=201,
        request_max_body_size=ONE_PHOTO_BYTES,
    )
    async def create(self, request: Request, now: Now) -> Response:
        fields, media = await _fields(request)
        if any("\x00" in value for value in fields.values()):
            raise errors.Invalid(N_("A NUL character is not allowed."))
        client = await open311.client_for(fields.get("api_key"))
        if not fields.get("service_code"):
            raise errors.Invalid(
                N_("Please fill in the {label}."), field="service_code", label="service_code"
            )
        made = await open311.submit(
            client,
            service_code=fields["service_code"][:32],
            description=fields.get("description", ""),
            address_id=_id(fields.get("address_id"), "address_id"),
            address_string=fields.get("address_string", ""),
            lat=_number(fields.get("lat"), "lat", -90, 90),
            long=_number(fields.get("long"), "long", -180, 180),
            phone=fields.get("phone", "")[:32],
            media_url=fields.get("media_url", ""),
            photos=await attachments.prepare([await read_upload(media)]) if media is not None else [],
            now=now,
        )
        notice = translate(language(request), N_("The community will see to it."))
        row = {"service_request_id": str(made.id), "service_notice": notice, "account_id": None}
        return _answer(_fmt_of(request), "service_requests", "request", [row], 201)

    @get(
        ["/requests.json", "/requests.xml"], name="open311:requests", summary="Service requests, newest first"
    )
    async def list(self, request: Request) -> Response:
        query = request.query_params
        community = None
        if query.get("api_key"):
            community = (await open311.client_for(query.get("api_key"))).community
        elif query.get("jurisdiction_id"):
            community = _id(query.get("jurisdiction_id"), "jurisdiction_id")
        ids = query.get("service_request_id")
        status = query.get("status")
        if status not in (None, "", "open", "closed"):
            raise errors.Invalid(N_("The status is open or closed."))
        found = await open311.requests(
            community,
            ids=[_id(part.strip(), "service_request_id") for part in ids.split(",")][:100] if ids else None,
            service_code=(query.get("service_code") or "")[:32] or None,
            start=_moment(query.get("start_date"), "start_date"),
            end=_moment(query.get("end_date"), "end_date"),
            status=status or None,
        )
        return _answer(
            _fmt_of(request),
            "service_requests",
            "request",
            [_request_row(r, language(request)) for r in found],
        )

    @get("/requests/{name:str}", name="open311:request", summary="One service request")
    async def read(self, request: Request, name: FromPath[str]) -> Response:
        number, fmt = _split(name)
        found = await open311.requests(None, ids=[_id(number, "service_request_id") or 0])
        if not found:
            raise errors.NotFound(thing=N_("need"))
        return _answer(fmt, "service_requests", "request", [_request_row(found[0], language(request))])
