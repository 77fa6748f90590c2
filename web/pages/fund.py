"""The community fund's public page (社区基金): totals in yuan, donations (an anonymous donor is
never named) and movements, readable without signing in; the community's staff record donations."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from market import fund
from projects import errors
from projects.access import Actor
from projects.areas import get_area
from projects.errors import N_
from projects.members import find_by_phone
from projects.organisations import list_organisations
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.pages.core import NAV, Form, NavEntry, Viewer, page, read_form, redirect
from web.pages.exchange import home_community

DONOR_KINDS = {
    "member": N_("a member"),
    "organisation": N_("an organisation"),
    "outside": N_("someone from outside"),
}
# Why money moved (``ledger_transfer.reason``), as the movements list says it.
REASONS = {"donation": N_("donation"), "grant": N_("grant")}
AMOUNT = N_("amount")

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
    totals = await fund.fund_totals(community_id)  # 404 unless a community
    community = await get_area(community_id)
    donations = await fund.list_donations(community_id, cursor=donations_cursor, limit=20)
    movements = await fund.fund_movements(community_id, cursor=movements_cursor, limit=20)
    staff = viewer is not None and viewer.is_staff(community.path)
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
        staff=staff,
        organisations=await list_organisations() if staff else [],
        donor_kinds=DONOR_KINDS,
        reasons=REASONS,
        yuan=fund.yuan,
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

    @post("/{community_id:int}/donations", name="page:fund-donate")
    async def donate(
        self, request: Request, actor: CurrentActor, community_id: IdPath, now: Now
    ) -> Template | Redirect:
        community = await get_area(community_id)
        # The domain decides (fund.donate); asking first spares a resident a form they cannot use.
        actor.require(actor.is_staff(community.path))
        form = await read_form(request)
        amount = form.money("amount", high=fund.MAX_DONATION, label=AMOUNT)
        kind = form.text("donor_kind", required=True, label=N_("donor"))
        member_id = organisation_id = None
        name = form.text("donor_name")
        anonymous = bool(form.values.get("anonymous"))
        if kind == "member":
            phone = form.text("donor_phone", required=True, label=N_("mobile number"))
            if phone:
                member = await find_by_phone(phone)
                if member is None:
                    form.error(
                        "donor_phone", N_("Nobody is registered with the mobile number {phone}."), phone=phone
                    )
                else:
                    member_id = member.id
        elif kind == "organisation":
            organisation_id = form.id("organisation_id", label=N_("organisation"))
        elif kind == "outside":
            if not anonymous and not name:
                form.error("donor_name", N_("Give the donor's name, or tick anonymous."))
        elif kind:
            form.error("donor_kind", N_("Unknown kind of donor {kind}."), kind=kind)
        if form.ok and amount is not None:
            try:
                await fund.donate(
                    actor,
                    community_id,
                    amount,
                    donor_kind=kind,
                    member_id=member_id,
                    organisation_id=organisation_id,
                    donor_name=name if kind == "outside" else "",
                    anonymous=anonymous if kind == "outside" else False,
                    note=form.text("note"),
                    now=now,
                )
            except errors.NotFound as error:
                if organisation_id is None:
                    raise
                form.refuse(error, "organisation_id")
            except errors.Invalid as error:
                field = {"donor": "donor_name", "note": "note"}.get(error.params.get("field"), "")
                form.refuse(error, field)
            else:
                return redirect(
                    request,
                    f"/fund/{community_id}",
                    N_("The donation of {amount} was recorded."),
                    {"amount": fund.yuan(amount)},
                )
        return await fund_page(request, actor, community_id, form=form, status=400)
