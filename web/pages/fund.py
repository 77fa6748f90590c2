"""The community fund's public page (社区基金): totals in yuan, donations (an anonymous donor is
never named; their evidence shown to the community's staff, its existence to everyone) and
movements, readable without signing in; the community's staff record donations with their
receipt number and photo, and a second staff member approves one over the threshold."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from market import fund, limits
from market.rules import fund as fund_rules
from market.rules import refuse
from projects import errors
from projects.access import Actor
from projects.areas import get_area
from projects.errors import N_
from projects.members import member_by_phone
from projects.organisations import list_organisations
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.pages.exchange import home_community
from web.pages.forms import Form, read_form
from web.pages.menu import NAV, NavEntry
from web.pages.photos import PHOTO_FORM_BYTES, chosen_photos
from web.pages.redirects import redirect
from web.pages.render import page
from web.pages.session import Viewer

DONOR_KINDS = {
    "member": N_("a member"),
    "organisation": N_("an organisation"),
    "outside": N_("someone from outside"),
}
# Why money moved (``ledger_transfer.reason``), as the movements list says it.
REASONS = {"donation": N_("donation"), "grant": N_("grant")}
AMOUNT = N_("amount")
# The donation form's fields (a browser may leave an empty one out): errors are shown there.
SHOWN = (
    "amount",
    "donor_kind",
    "donor_phone",
    "organisation_id",
    "donor_name",
    "note",
    "receipt_number",
    "photo",
)

NAV.append(NavEntry(N_("Community fund"), "/fund", lambda actor: home_community(actor) is not None))


async def fund_page(
    request: Request,
    viewer: Actor | None,
    community_id: int,
    *,
    donations_cursor: str | None = None,
    movements_cursor: str | None = None,
    form: Form | None = None,
    status: int = 200,
) -> Template:
    totals = await fund.fund_totals(community_id, viewer)  # 404 unless a community
    community = await get_area(community_id)
    donations = await fund.list_donations(community_id, cursor=donations_cursor, limit=20, viewer=viewer)
    movements = await fund.fund_movements(community_id, cursor=movements_cursor, limit=20)
    return await page(
        request,
        "fund.html",
        viewer,
        status=status,
        form=form or Form(values={"donor_kind": "outside"}),
        community=community,
        totals=totals,
        donations=donations.items,
        donations_next=donations.next_cursor,
        movements=movements.items,
        movements_next=movements.next_cursor,
        organisations=await list_organisations() if "donate" in totals.may else [],
        donor_kinds=DONOR_KINDS,
        reasons=REASONS,
        yuan=fund.yuan,
        receipt_from=fund.yuan(fund.RECEIPT_FROM_FEN),
    )


class FundPages(Controller):
    path = "/fund"
    include_in_schema = False

    @get(name="page:fund-mine")
    async def mine(self, request: Request, actor: CurrentActor) -> Redirect:
        community = home_community(actor)
        if community is None:
            raise errors.NotFound(thing=N_("community"))
        return Redirect(path=f"/fund/{community}", status_code=303)

    @get("/{community_id:int}", name="page:fund")
    async def read(
        self,
        request: Request,
        viewer: Viewer,
        community_id: IdPath,
        donations: FromQuery[str | None] = None,
        movements: FromQuery[str | None] = None,
    ) -> Template:
        return await fund_page(
            request, viewer, community_id, donations_cursor=donations, movements_cursor=movements
        )

    @post("/{community_id:int}/donations", name="page:fund-donate", request_max_body_size=PHOTO_FORM_BYTES)
    async def donate(
        self, request: Request, actor: CurrentActor, community_id: IdPath, now: Now
    ) -> Template | Redirect:
        # The domain decides (fund.donate); asking first spares a resident a form they cannot use.
        refuse(fund_rules.donate(actor, await fund.fund_facts(community_id)))
        form = await read_form(request)
        amount = form.money("amount", high=limits.DONATION_MAX_FEN, label=AMOUNT)
        kind = form.text("donor_kind", required=True, label=N_("donor"))
        name = form.text("donor_name")
        anonymous = bool(form.values.get("anonymous"))
        organisation_id = (
            form.id("organisation_id", label=N_("organisation")) if kind == "organisation" else None
        )
        photos = await chosen_photos(form, "photo")
        if len(photos) > 1:
            form.error("photo", N_("At most {limit} photos here."), limit=1)
        if form.ok and amount is not None:
            try:
                member_id = None
                if kind == "member":
                    member_id = (await member_by_phone(form.text("donor_phone"), field="donor_phone")).id
                await fund.donate(
                    actor,
                    community_id,
                    amount,
                    donor_kind=kind,
                    member_id=member_id,
                    organisation_id=organisation_id,
                    donor_name=name if kind == "outside" else "",
                    anonymous=anonymous,
                    note=form.text("note"),
                    receipt_number=form.text("receipt_number"),
                    photo=photos[0] if photos else None,
                    now=now,
                )
            except (errors.Invalid, errors.NotFound) as error:
                if error.field is None:
                    raise
                form.refuse(error, {name: name for name in SHOWN})
            else:
                return redirect(
                    request,
                    f"/fund/{community_id}",
                    N_("The donation of {amount} was recorded."),
                    {"amount": fund.yuan(amount)},
                )
        return await fund_page(request, actor, community_id, form=form, status=400)

    @post("/{community_id:int}/donations/{donation_id:int}/approve", name="page:fund-donation-approve")
    async def approve(
        self, request: Request, actor: CurrentActor, community_id: IdPath, donation_id: IdPath, now: Now
    ) -> Redirect:
        if (await fund.view_donation(actor, donation_id)).community != community_id:
            raise errors.NotFound(thing=N_("donation"))
        approved = await fund.approve_donation(actor, donation_id, now=now)
        return redirect(
            request,
            f"/fund/{community_id}",
            N_("The donation of {amount} was approved: the fund has received it."),
            {"amount": fund.yuan(approved.amount)},
        )
