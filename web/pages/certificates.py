"""Certificate pages: a volunteer asks for the certificate of their hours for a period (a PDF,
/certificates), anyone checks one by its code (/verify/{code}, the name masked), and an admin
says who signs for a community or an organisation and uploads its seal."""

from __future__ import annotations

from datetime import date, timedelta

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from projects import certificates, errors
from projects.access import Actor
from projects.areas import staff_communities
from projects.errors import N_
from projects.organisations import list_organisations
from projects.quarters import ZONE
from web.api.certificates import certificate_pdf, pdf_response
from web.api.deps import CurrentActor, Now
from web.pages.forms import Form, as_id
from web.pages.redirects import redirect
from web.pages.render import page
from web.pages.session import Viewer


async def certificates_page(
    request: Request, actor: Actor, now, *, form: Form | None = None, status: int = 200
):
    today = now.astimezone(ZONE).date()
    return await page(
        request,
        "certificates.html",
        actor,
        status=status,
        form=form or Form(values={"first": f"{today.year}-01-01", "last": today.isoformat()}),
        issued=await certificates.my_certificates(actor),
        hours=certificates.hours_text,
    )


class CertificatePages(Controller):
    include_in_schema = False

    @get("/certificates", name="page:certificates")
    async def mine(self, request: Request, actor: CurrentActor, now: Now) -> Template:
        return await certificates_page(request, actor, now)

    @get("/certificates/download", name="page:certificate-download")
    async def download(
        self,
        request: Request,
        actor: CurrentActor,
        now: Now,
        first: FromQuery[str | None] = None,
        last: FromQuery[str | None] = None,
    ) -> Response | Template:
        """The PDF for the days ``first`` to ``last``, both included (as people say a period)."""
        form = Form(values={"first": first or "", "last": last or ""})
        today = now.astimezone(ZONE).date()
        try:
            start = date.fromisoformat(first) if first else date(today.year, 1, 1)
            end = (date.fromisoformat(last) if last else today) + timedelta(days=1)
        except ValueError:
            form.error("first", N_("A day is written like 2026-12-01."))
        else:
            try:
                record = await certificates.issue_certificate(actor, start=start, end=end, now=now)
            except errors.Invalid as error:
                form.refuse(error, {"from": "first"})
            except certificates.NoHours as error:
                form.refuse(error)
            else:
                return pdf_response(await certificate_pdf(request, record), record)
        return await certificates_page(request, actor, now, form=form, status=400)

    @get("/verify/{code:str}", name="page:verify")
    async def verify(self, request: Request, viewer: Viewer, code: FromPath[str]) -> Template:
        record = await certificates.verify(code)
        return await page(request, "verify.html", viewer, certificate=record, hours=certificates.hours_text)

    @get("/certificates/certifiers", name="page:certifiers")
    async def certifiers(self, request: Request, actor: CurrentActor) -> Template:
        return await certifiers_page(request, actor)

    @post("/certificates/certifiers", name="page:certifier-save")
    async def save(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        actor.require(actor.is_admin)
        data = await request.form()
        values = {key: data.get(key) for key in data if key not in ("_csrf_token", "seal")}
        form = Form(values={key: value for key, value in values.items() if isinstance(value, str)})
        if any("\x00" in value for value in form.values.values()):
            raise errors.Invalid(N_("A NUL character is not allowed."))
        target = form.text("target", required=True, label=N_("community or organisation"))
        kind, _, number = target.partition(":")
        if kind not in ("community", "organisation") or as_id(number) is None:
            form.error("target", N_("Choose one from the list."))
        upload = data.get("seal")
        seal = await upload.read() if isinstance(upload, UploadFile) else None
        if form.ok:
            try:
                await certificates.set_certifier(
                    actor,
                    community_id=int(number) if kind == "community" else None,
                    organisation_id=int(number) if kind == "organisation" else None,
                    person_in_charge=form.text("person_in_charge"),
                    handler=form.text("handler"),
                    phone=form.text("phone"),
                    seal=seal or None,
                    now=now,
                )
            except errors.Invalid as error:
                form.refuse(error, {"seal": "seal"})  # a file: not among the form's values
            else:
                return redirect(request, "/certificates/certifiers", N_("Saved."))
        return await certifiers_page(request, actor, form=form, status=400)


async def certifiers_page(
    request: Request, actor: Actor, *, form: Form | None = None, status: int = 200
) -> Template:
    actor.require(actor.is_admin)
    found = await certificates.all_certifiers()
    signers = [
        ("community", community.id, community.name, found.get(("community", community.id)))
        for community in await staff_communities(actor)
    ] + [
        ("organisation", organisation.id, organisation.name, found.get(("organisation", organisation.id)))
        for organisation in await list_organisations()
    ]
    return await page(request, "certifiers.html", actor, status=status, form=form, signers=signers)
