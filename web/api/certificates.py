"""Volunteer hours certificates: mine as a PDF for a period (DESIGN: GET /me/certificate.pdf),
their public check by code, and who certifies for a community or an organisation (admins)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Annotated

from litestar import Controller, Request, Response, get, put
from litestar.params import FromPath, JSONBody, QueryParameter
from pydantic import Field

from projects import certificates, errors
from projects.categories import list_categories
from projects.certificates import CertificateRecord
from projects.errors import N_
from projects.quarters import ZONE
from web.api.deps import CurrentActor, Now, language
from web.api.schemas import Id, IdIn, In, OptionalId, Out, optional_id, ref
from web.certificate_pdf import render
from web.i18n import translations


def period(start: str | None, end: str | None, now: datetime) -> tuple[date, date]:
    """``from`` inclusive and ``to`` exclusive, days in China's time; by default this year so far."""
    today = now.astimezone(ZONE).date()
    try:
        first = date.fromisoformat(start) if start else date(today.year, 1, 1)
        after = date.fromisoformat(end) if end else today + timedelta(days=1)
    except ValueError:
        raise errors.Invalid(N_("A day is written like 2026-12-01.")) from None
    certificates.check_period(first, after)
    return first, after


async def certificate_pdf(request: Request, record: CertificateRecord) -> bytes:
    """The PDF of ``record`` in the request's language, its check at this site's /verify."""
    lang = language(request)
    names = {
        category.code: (category.name_en or category.name) if lang == "en" else category.name
        for category in await list_categories()
    }
    seals = {}
    for issuer in record.issuers:
        for key, found in (
            ((issuer.community, None), await certificates.seal_png(community_id=issuer.community)),
            (
                (issuer.community, issuer.organisation),
                await certificates.seal_png(organisation_id=issuer.organisation)
                if issuer.organisation
                else None,
            ),
        ):
            if found:
                seals[key] = found
    base = str(request.base_url).rstrip("/")
    return await asyncio.to_thread(
        render,
        record,
        verify_url=f"{base}/verify/{record.code}",
        language=lang,
        gettext=translations(lang).gettext,
        category_names=names,
        seals=seals,
    )


def pdf_response(body: bytes, record: CertificateRecord) -> Response:
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="certificate-{record.number}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


class LineOut(Out):
    category: str
    title: str
    served_on: date
    minutes: int


class IssuerOut(Out):
    community_id: Id = ref("community")
    community_name: str
    organisation_id: OptionalId = ref("organisation")
    organisation_name: str
    person_in_charge: str
    handler: str
    phone: str
    minutes: int


class CertificateOut(Out):
    number: str
    volunteer_name: str = Field(description="Masked (王*兰).")
    volunteer_number: str
    period_from: date
    period_to: date = Field(description="Exclusive.")
    minutes: int
    hours: str
    issued_at: datetime
    issuers: list[IssuerOut]
    lines: list[LineOut]


class CertifierIn(In):
    community_id: IdIn | None = None
    organisation_id: IdIn | None = None
    person_in_charge: str = ""
    handler: str = ""
    phone: str = ""


class CertifierOut(Out):
    community_id: OptionalId = ref("community")
    organisation_id: OptionalId = ref("organisation")
    person_in_charge: str
    handler: str
    phone: str
    has_seal: bool


class CertificateController(Controller):
    path = "/api/v1"
    tags = ["certificates"]

    @get(
        "/me/certificate.pdf",
        name="api:certificate",
        summary="My volunteer hours certificate for [from, to) as a PDF (志愿服务记录证明)",
        media_type="application/pdf",
    )
    async def mine(
        self,
        request: Request,
        actor: CurrentActor,
        now: Now,
        start: Annotated[
            str | None, QueryParameter(name="from", description="First day, such as 2026-01-01.")
        ] = None,
        end: Annotated[
            str | None, QueryParameter(name="to", description="The day after the last (exclusive).")
        ] = None,
    ) -> Response:
        first, after = period(start, end, now)
        record = await certificates.issue_certificate(actor, start=first, end=after, now=now)
        return pdf_response(await certificate_pdf(request, record), record)

    @get(
        "/certificates/{code:str}",
        name="api:certificate-check",
        summary="A certificate's figures by code (public)",
    )
    async def check(self, code: FromPath[str]) -> CertificateOut:
        record = await certificates.verify(code)
        return CertificateOut.model_validate(
            {**asdict(record), "hours": certificates.hours_text(record.minutes)}
        )

    @put(
        "/certifiers",
        name="api:certifier",
        summary="Who signs a community's or organisation's certificates (admin)",
    )
    async def certifier(self, actor: CurrentActor, data: JSONBody[CertifierIn], now: Now) -> CertifierOut:
        found = await certificates.set_certifier(
            actor,
            community_id=optional_id(data.community_id),
            organisation_id=optional_id(data.organisation_id),
            person_in_charge=data.person_in_charge,
            handler=data.handler,
            phone=data.phone,
            now=now,
        )
        return CertifierOut.model_validate(found)
