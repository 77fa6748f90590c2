"""The market's pages for points: the catalogue (redeem, then show the code), my redemptions
(cancel), and the provider's desk (fulfil by code, reject, what waits oldest first, the items
with their stock, totals) with a page per item (edit, write off, count the stock or not, turn
off and on, withdraw).

Who provides what, and so who sees which desk and form, is the domain's (``market.rules``):
an organisation's representative runs its items, the community's staff the community's own."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from ledger.accounts import balance
from market import catalogue, limits, redemptions
from market.catalogue import ItemDraft
from market.rules import redemptions as redemption_rules
from market.rules import refuse
from projects import errors
from projects.access import Actor
from projects.areas import get_area, staff_communities
from projects.errors import N_
from projects.members import member_account
from projects.names import member_names, organisation_names
from projects.organisations import get_organisation
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.pages.errors import status_of
from web.pages.forms import Form, as_id, read_form
from web.pages.menu import NAV, NavEntry
from web.pages.redirects import redirect
from web.pages.render import page
from web.pages.templates import ACTIONS

NAME, PRICE, STOCK, QUANTITY, REASON = N_("name"), N_("price"), N_("stock"), N_("quantity"), N_("reason")
WAITING = 50  # redemptions a desk section lists (the oldest; its totals count them all)

ACTIONS.update(
    {
        "redeem": N_("redeemed"),
        "fulfil": N_("fulfilled"),
        "restock": N_("restocked"),
        "update": N_("changed"),
        "write_off": N_("written off"),
        "count_stock": N_("stock counted"),
        "unlimit_stock": N_("made unlimited"),
        "turn_off": N_("turned off"),
        "turn_on": N_("turned on"),
        "withdraw": N_("withdrawn"),
    }
)
NAV.append(NavEntry(N_("Catalogue"), "/catalogue", lambda actor: True))
NAV.append(NavEntry(N_("My redemptions"), "/redemptions", lambda actor: True))
NAV.append(
    NavEntry(N_("Fulfil redemptions"), "/provider", lambda actor: redemption_rules.keep_desk(actor) is None)
)


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

    @get("/{item_id:int}", name="page:catalogue-item")
    async def read(self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now) -> Template:
        return await page(
            request,
            "catalogue_item.html",
            actor,
            item=await catalogue.view_item(actor, item_id, now=now),
            balance=await balance(member_account(actor.member_id)),
        )

    @post("/{item_id:int}/redeem", name="page:redeem")
    async def redeem(self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        quantity = form.integer("quantity", low=1, high=limits.REDEMPTION_MAX_ITEMS, label=QUANTITY)
        if quantity is None:
            message, params = form.errors["quantity"]
            raise errors.Invalid(message, field="quantity", **params)
        made = await redemptions.redeem(actor, item_id, quantity, now=now)
        return redirect(request, f"/redemptions/{made.id}", N_("Redeemed: show this code to the provider."))


class RedemptionPages(Controller):
    path = "/redemptions"
    include_in_schema = False

    @get(name="page:redemptions")
    async def mine(
        self, request: Request, actor: CurrentActor, now: Now, cursor: FromQuery[str | None] = None
    ) -> Template:
        found = await redemptions.list_redemptions(actor, now=now, cursor=cursor, limit=30)
        return await page(
            request, "redemptions.html", actor, items=found.items, next_cursor=found.next_cursor
        )

    @get("/{redemption_id:int}", name="page:redemption")
    async def read(self, request: Request, actor: CurrentActor, redemption_id: IdPath, now: Now) -> Template:
        record = await redemptions.view_redemption(actor, redemption_id, now=now)
        history = await redemptions.redemption_history(actor, redemption_id, now=now)
        return await page(
            request,
            "redemption.html",
            actor,
            redemption=record,
            history=history,
            names=await member_names([event.actor for event in history]),
            mine=record.member == actor.member_id,
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
        await redemptions.reject(actor, redemption_id, reason=form.text("reason"), now=now)
        return redirect(request, "/provider", N_("Rejected: the member's points are free again."))


# -- the provider's desk ------------------------------------------------------------------------


async def _desk(
    request: Request, actor: Actor, now: datetime, *, form: Form | None = None, status: int = 200
):
    """One section per organisation I represent and per community whose own items I provide
    (its staff): what waits, oldest first, its totals and its items."""
    refuse(redemption_rules.keep_desk(actor))
    sections = []
    names = await organisation_names(actor.represented)
    owners = [(f"organisation-{org}", names.get(org, ""), org, None) for org in actor.represented]
    owners += [(f"community-{area.id}", area.name, None, area.id) for area in await staff_communities(actor)]
    for key, title, organisation, community in owners:
        items = await catalogue.list_catalogue(
            actor,
            now=now,
            organisation_id=organisation,
            community_id=community,
            community_own=community is not None,
            everything=True,
        )
        sections.append(
            {
                "key": key,
                "title": title,
                "waiting": await redemptions.waiting(
                    actor, now=now, organisation_id=organisation, community_id=community, limit=WAITING
                ),
                "totals": await redemptions.totals(
                    actor, organisation_id=organisation, community_id=community
                ),
                "items": items.items,
            }
        )
    return await page(
        request, "provider.html", actor, status=status, form=form, sections=sections, blank=Form(), now=now
    )


def _draft(form: Form, area_ids: list[int], *, with_stock: bool) -> ItemDraft | None:
    name = form.text("name", required=True, label=NAME)
    price = form.integer("price", low=1, high=limits.PRICE_MAX_POINTS, label=PRICE)
    stock = (
        form.integer("stock", low=0, high=limits.STOCK_MAX_ITEMS, required=False, label=STOCK)
        if with_stock
        else None
    )
    limit = form.integer("per_member_limit", low=1, high=limits.PER_MEMBER_MAX_REDEMPTIONS, required=False)
    if not form.ok or price is None:
        return None
    return ItemDraft(
        name=name,
        name_en=form.text("name_en"),
        description=form.text("description"),
        kind=form.text("kind") or "goods",
        price=price,
        stock=stock,
        per_member_limit=limit,
        limit_period=form.text("limit_period") or "month",
        area_ids=area_ids,
    )


async def _item_page(
    request: Request,
    actor: Actor,
    item_id: int,
    now: datetime,
    *,
    form: Form | None = None,
    status: int = 200,
) -> Template:
    item = await catalogue.provided_item(actor, item_id, now=now)
    history = await catalogue.item_history(actor, item_id, now=now)
    return await page(
        request,
        "provider_item.html",
        actor,
        status=status,
        form=form or Form(values=_values(item)),
        item=item,
        history=history,
        names=await member_names([event.actor for event in history]),
        now=now,
    )


def _values(item: catalogue.ItemRecord) -> dict[str, str]:
    """An item as its edit form shows it."""
    return {
        "name": item.name,
        "name_en": item.name_en,
        "description": item.description,
        "kind": item.kind,
        "price": str(item.price),
        "per_member_limit": "" if item.per_member_limit is None else str(item.per_member_limit),
        "limit_period": item.limit_period,
    }


class ProviderPages(Controller):
    path = "/provider"
    include_in_schema = False

    @get(name="page:provider")
    async def desk(self, request: Request, actor: CurrentActor, now: Now) -> Template:
        return await _desk(request, actor, now)

    @post("/fulfil", name="page:fulfil")
    async def fulfil(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        form = await read_form(request)
        code = form.text("code", required=True, label=N_("redemption code"))
        status = 400
        if form.ok:
            try:
                done = await redemptions.fulfil(actor, code, now=now)
            except errors.ProjectError as error:  # a wrong, spent or given back code: said at the field
                form.refuse(error)
                status = 400 if isinstance(error, errors.NotFound) else status_of(error)
            else:
                return redirect(
                    request,
                    "/provider",
                    N_("Fulfilled: {item} × {quantity}, {points} points received."),
                    {"item": done.item_name, "quantity": done.quantity, "points": done.amount},
                )
        return await _desk(request, actor, now, form=form, status=status)

    @post("/items", name="page:item-create")
    async def create(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        form = await read_form(request)
        owner = form.text("owner")  # "organisation-<id>" or "community-<id>"
        kind, _, number = owner.partition("-")
        if kind not in ("organisation", "community") or as_id(number) is None:
            raise errors.NotFound(thing=N_("organisation"))
        organisation = as_id(number) if kind == "organisation" else None
        community = as_id(number) if kind == "community" else None
        if organisation is not None:
            home = await get_area((await get_organisation(organisation)).area)
            community = home.ancestor_ids()[2] if len(home.ancestor_ids()) > 2 else None
            if community is None:
                form.error("", N_("Items are offered in a community."))
        draft = _draft(form, [community or 0], with_stock=True)
        if draft is not None and community is not None:
            try:
                await catalogue.create_item(
                    actor, draft, community_id=community, organisation_id=organisation, now=now
                )
            except errors.Invalid as error:
                form.refuse(error)
            else:
                return redirect(request, "/provider", N_("The item is in the catalogue."))
        return await _desk(request, actor, now, form=form, status=400)

    @post("/items/{item_id:int}/stock", name="page:item-restock")
    async def restock(
        self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        field = f"add-{item_id}"
        add = form.integer(field, low=1, high=limits.STOCK_MAX_ITEMS, label=N_("stock"))
        if add is not None:
            try:
                item = await catalogue.restock(actor, item_id, add, now=now)
            except errors.Invalid as error:
                form.refuse(error, {"add": field})
            else:
                return redirect(
                    request,
                    "/provider",
                    N_("{item}: {count} in stock now."),
                    {"item": item.name, "count": item.stock},
                )
        return await _desk(request, actor, now, form=form, status=400)

    @get("/items/{item_id:int}", name="page:provider-item")
    async def item(self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now) -> Template:
        return await _item_page(request, actor, item_id, now)

    @post("/items/{item_id:int}", name="page:item-edit")
    async def edit(
        self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        current = await catalogue.provided_item(actor, item_id, now=now)
        draft = _draft(form, current.area_ids, with_stock=False)
        if draft is not None:
            try:
                await catalogue.update_item(actor, item_id, draft, now=now)
            except errors.Invalid as error:
                form.refuse(error)
            else:
                return redirect(request, f"/provider/items/{item_id}", N_("The item was changed."))
        return await _item_page(request, actor, item_id, now, form=form, status=400)

    @post("/items/{item_id:int}/write-off", name="page:item-write-off")
    async def write_off(
        self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        quantity = form.integer("quantity", low=1, high=limits.STOCK_MAX_ITEMS, label=QUANTITY)
        reason = form.text("reason", required=True, label=REASON)
        if form.ok and quantity is not None:
            try:
                item = await catalogue.write_off(actor, item_id, quantity, reason=reason, now=now)
            except errors.Invalid as error:
                form.refuse(error)
            else:
                return redirect(
                    request,
                    f"/provider/items/{item_id}",
                    N_("{quantity} written off: {count} left."),
                    {"quantity": quantity, "count": item.stock},
                )
        return await _item_page(request, actor, item_id, now, form=form, status=400)

    @post("/items/{item_id:int}/count", name="page:item-count")
    async def count(
        self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        count = form.integer("count", low=0, high=limits.STOCK_MAX_ITEMS, label=STOCK)
        if count is not None:
            try:
                await catalogue.count_stock(actor, item_id, count, now=now)
            except errors.Invalid as error:
                form.refuse(error)
            else:
                return redirect(
                    request, f"/provider/items/{item_id}", N_("The stock is counted from now on.")
                )
        return await _item_page(request, actor, item_id, now, form=form, status=400)

    @post("/items/{item_id:int}/unlimit", name="page:item-unlimit")
    async def unlimit(self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now) -> Redirect:
        await catalogue.unlimit_stock(actor, item_id, now=now)
        return redirect(request, f"/provider/items/{item_id}", N_("The item is unlimited from now on."))

    @post("/items/{item_id:int}/turn-off", name="page:item-turn-off")
    async def turn_off(self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now) -> Redirect:
        await catalogue.turn_off(actor, item_id, now=now)
        return redirect(
            request, f"/provider/items/{item_id}", N_("Turned off: nobody can redeem it for now.")
        )

    @post("/items/{item_id:int}/turn-on", name="page:item-turn-on")
    async def turn_on(self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now) -> Redirect:
        await catalogue.turn_on(actor, item_id, now=now)
        return redirect(request, f"/provider/items/{item_id}", N_("Turned on: it is offered again."))

    @post("/items/{item_id:int}/withdraw", name="page:item-withdraw")
    async def withdraw(self, request: Request, actor: CurrentActor, item_id: IdPath, now: Now) -> Redirect:
        item = await catalogue.withdraw(actor, item_id, now=now)
        return redirect(
            request, "/provider", N_("{item} was withdrawn from the catalogue."), {"item": item.name}
        )
