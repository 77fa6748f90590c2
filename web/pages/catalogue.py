"""The market's pages for points: the catalogue (redeem, then show the code), my redemptions
(cancel), and the provider's desk (fulfil by code, reject, the items and their stock, totals).

A provider is an organisation's representative, or community staff for the community's own items
(they also stand in for a merchant without a phone)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from ledger.accounts import balance
from market import catalogue, redemptions
from market.catalogue import ItemDraft
from projects import errors
from projects.access import Actor
from projects.areas import get_area
from projects.errors import N_
from projects.members import member_account
from projects.organisations import get_organisation
from projects.work import member_names, organisation_names
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.pages.core import ACTIONS, NAV, Form, NavEntry, as_id, page, read_form, redirect, staff_communities

NAME, PRICE, STOCK = N_("name"), N_("price"), N_("stock")


def _provides(actor: Actor) -> bool:
    return bool(actor.represented) or actor.is_admin or any(grant.role == "staff" for grant in actor.grants)


ACTIONS.update(
    {"redeem": N_("redeemed"), "fulfil": N_("fulfilled"), "restock": N_("restocked"), "update": N_("changed")}
)
NAV.append(NavEntry(N_("Catalogue"), "/catalogue", lambda actor: True))
NAV.append(NavEntry(N_("My redemptions"), "/redemptions", lambda actor: True))
NAV.append(NavEntry(N_("Fulfil redemptions"), "/provider", _provides))


class CataloguePages(Controller):
    path = "/catalogue"
    include_in_schema = False

    @get(name="page:catalogue")
    async def list(
        self,
        request: Request,
        actor: CurrentActor,
        now: Now,
        kind: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        kind = kind if kind in ("goods", "service") else None
        found = await catalogue.list_catalogue(actor, now=now, kind=kind, cursor=cursor, limit=30)
        return await page(
            request,
            "catalogue.html",
            actor,
            items=found.items,
            next_cursor=found.next_cursor,
            kind=kind or "",
            balance=await balance(member_account(actor.member_id)),
        )

    @post("/{item_id:int}/redeem", name="page:redeem")
    async def redeem(self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        quantity = form.integer("quantity", low=1, high=redemptions.MAX_QUANTITY, label=N_("quantity"))
        if not form.ok or quantity is None:
            raise errors.Invalid(*form.errors["quantity"][:1], **form.errors["quantity"][1])
        made = await redemptions.redeem(actor, item_id, quantity, now=now)
        return redirect(request, f"/redemptions/{made.id}", N_("Redeemed: show this code to the provider."))


class RedemptionPages(Controller):
    path = "/redemptions"
    include_in_schema = False

    @get(name="page:redemptions")
    async def mine(
        self, request: Request, actor: CurrentActor, cursor: FromQuery[str | None] = None
    ) -> Template:
        found = await redemptions.list_redemptions(actor, cursor=cursor, limit=30)
        return await page(
            request, "redemptions.html", actor, items=found.items, next_cursor=found.next_cursor
        )

    @get("/{redemption_id:int}", name="page:redemption")
    async def read(self, request: Request, actor: CurrentActor, redemption_id: IdPath) -> Template:
        record = await redemptions.view_redemption(actor, redemption_id)
        item = await catalogue.get_item(record.item)
        return await page(
            request,
            "redemption.html",
            actor,
            redemption=record,
            item=item,
            history=(history := await redemptions.redemption_history(actor, redemption_id)),
            names=await member_names([event.actor for event in history]),
            mine=record.member == actor.member_id,
            provides=record.member != actor.member_id,
        )

    @post("/{redemption_id:int}/cancel", name="page:redemption-cancel")
    async def cancel(
        self, request: Request, actor: CurrentActor, redemption_id: IdPath, now: Now
    ) -> Redirect:
        await redemptions.cancel(actor, redemption_id, now=now)
        return redirect(
            request, f"/redemptions/{redemption_id}", N_("Cancelled: your points are free again.")
        )

    @post("/{redemption_id:int}/reject", name="page:redemption-reject")
    async def reject(
        self, request: Request, actor: CurrentActor, redemption_id: IdPath, now: Now
    ) -> Redirect:
        form = await read_form(request)
        reason = form.text("reason", required=True, label=N_("reason"))
        if not form.ok:
            raise errors.Invalid(form.errors["reason"][0], **form.errors["reason"][1])
        await redemptions.reject(actor, redemption_id, reason=reason, now=now)
        return redirect(request, "/provider", N_("Rejected: the member's points are free again."))


# -- the provider's desk ------------------------------------------------------------------------


async def _desk(request: Request, actor: Actor, *, form: Form | None = None, status: int = 200, now=None):
    """One section per organisation I represent and per community whose staff I am."""
    sections = []
    names = await organisation_names(actor.represented)
    for organisation in actor.represented:
        sections.append(
            {
                "key": f"organisation-{organisation}",
                "title": names.get(organisation, ""),
                "organisation": organisation,
                "community": None,
                "pending": (
                    await redemptions.list_redemptions(actor, organisation_id=organisation, status="pending")
                ).items,
                "totals": await redemptions.totals(actor, organisation_id=organisation),
                "items": (
                    await catalogue.list_catalogue(
                        actor, now=now, organisation_id=organisation, everything=True
                    )
                ).items,
            }
        )
    for area in await staff_communities(actor):
        community = area.id
        items = await catalogue.list_catalogue(
            actor, now=now, community_id=community, community_own=True, everything=True
        )
        sections.append(
            {
                "key": f"community-{community}",
                "title": area.name,
                "organisation": None,
                "community": community,
                "pending": (
                    await redemptions.list_redemptions(actor, community_id=community, status="pending")
                ).items,
                "totals": await redemptions.totals(actor, community_id=community),
                "items": items.items,
            }
        )
    return await page(
        request, "provider.html", actor, status=status, form=form, sections=sections, blank=Form()
    )


def _draft(form: Form, community: int) -> ItemDraft | None:
    name = form.text("name", required=True, label=NAME)
    price = form.integer("price", low=1, high=catalogue.MAX_PRICE, label=PRICE)
    stock = form.integer("stock", low=0, high=catalogue.MAX_STOCK, required=False, label=STOCK)
    limit = form.integer("per_member_limit", low=1, high=1000, required=False)
    kind = form.text("kind") or "goods"
    period = form.text("limit_period") or "month"
    if kind not in ("goods", "service"):
        form.error("kind", N_("Unknown kind of item {kind}."), kind=kind)
    if period not in catalogue.PERIODS:
        form.error("limit_period", N_("Unknown period {period}."), period=period)
    if not form.ok or price is None:
        return None
    return ItemDraft(
        name=name,
        name_en=form.text("name_en"),
        description=form.text("description"),
        kind=kind,
        price=price,
        stock=stock,
        per_member_limit=limit,
        limit_period=period,
        area_ids=[community],
    )


class ProviderPages(Controller):
    path = "/provider"
    include_in_schema = False

    @get(name="page:provider")
    async def desk(self, request: Request, actor: CurrentActor, now: Now) -> Template:
        actor.require(_provides(actor))
        return await _desk(request, actor, now=now)

    @post("/fulfil", name="page:fulfil")
    async def fulfil(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        actor.require(_provides(actor))
        form = await read_form(request)
        code = form.text("code", required=True, label=N_("redemption code"))
        if form.ok:
            try:
                done = await redemptions.fulfil(actor, code, now=now)
            except errors.ProjectError as error:  # a wrong or spent code: say so at the field
                form.refuse(error, "code")
            else:
                return redirect(
                    request,
                    "/provider",
                    N_("Fulfilled: {item} × {quantity}, {points} points received."),
                    {"item": done.item_name, "quantity": done.quantity, "points": done.amount},
                )
        return await _desk(request, actor, form=form, status=400 if not form.ok else 200, now=now)

    @post("/items", name="page:item-create")
    async def create(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        actor.require(_provides(actor))
        form = await read_form(request)
        owner = form.text("owner")  # "organisation-<id>" or "community-<id>"
        kind, _, number = owner.partition("-")
        if kind not in ("organisation", "community") or as_id(number) is None:
            raise errors.NotAllowed()
        organisation = as_id(number) if kind == "organisation" else None
        community = as_id(number) if kind == "community" else None
        if organisation is not None:
            actor.require(actor.represents(organisation))
            home = await get_area((await get_organisation(organisation)).area)
            community = int(home.path.strip("/").split("/")[2]) if home.path.count("/") >= 4 else None
            if community is None:
                form.error("", N_("Items are offered in a community."))
        draft = _draft(form, community or 0)
        if draft is not None and community is not None:
            try:
                await catalogue.create_item(
                    actor, draft, community_id=community, organisation_id=organisation, now=now
                )
            except errors.Invalid as error:
                form.refuse(error)
            else:
                return redirect(request, "/provider", N_("The item is in the catalogue."))
        return await _desk(request, actor, form=form, status=400, now=now)

    @post("/items/{item_id:int}/stock", name="page:item-restock")
    async def restock(
        self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        field = f"add-{item_id}"
        add = form.integer(field, low=-catalogue.MAX_STOCK, high=catalogue.MAX_STOCK, label=N_("stock"))
        if form.ok and add is not None:
            try:
                await catalogue.restock(actor, item_id, add=add, now=now)
            except errors.Invalid as error:
                form.refuse(error, field)
            else:
                return redirect(request, "/provider", N_("The stock was changed."))
        return await _desk(request, actor, form=form, status=400, now=now)
