"""Peer exchange pages (the time bank between neighbours): offers and requests of my community,
a listing and the exchanges proposed on it, my exchanges, an exchange with what each party (or a
leader settling a dispute) can do next; and gifts of points to a member or to the community pool."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from ledger.accounts import balance
from market import errors as market_errors
from market import exchanges, gifts, limits, listings
from projects import errors
from projects.access import Actor, community_path
from projects.area_path import COMMUNITY_DEPTH, AreaPath
from projects.areas import get_area
from projects.errors import N_
from projects.members import member_account, member_by_phone
from projects.names import member_names
from projects.points import points_for
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.pages.errors import status_of
from web.pages.forms import Form, read_form
from web.pages.menu import NAV, NavEntry
from web.pages.needs import category_menu
from web.pages.redirects import redirect
from web.pages.render import page
from web.pages.templates import ACTIONS

KINDS = {"offer": N_("I can offer"), "request": N_("I need")}
# The states of listings and exchanges (market/tables.py), as labels.
STATES = {
    "open": N_("open"),
    "closed": N_("closed"),
    "proposed": N_("proposed"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "cancelled": N_("cancelled"),
    "submitted": N_("submitted"),
    "confirmed": N_("confirmed"),
    "disputed": N_("disputed"),
}
# What the market's trace says happened to a listing, an exchange or a gift.
ACTIONS.setdefault("publish", N_("published"))
ACTIONS.setdefault("propose", N_("proposed"))
ACTIONS.setdefault("give", N_("given"))
MINUTES = N_("minutes")
REASON = N_("reason")
TITLE = N_("title")
KIND = N_("kind")
AMOUNT = N_("amount")
PHONE = N_("mobile number")


def home_community(actor: Actor) -> int | None:
    """The community of my home, else the first community I have a role in (None: none)."""
    paths = [community_path(actor.home_path)] if actor.home_path else []
    paths += actor.communities()
    communities = (AreaPath.parse(path) for path in paths)
    return next((path.area_id for path in communities if path.level_index == COMMUNITY_DEPTH - 1), None)


def _resident(actor: Actor) -> bool:
    return actor.home_path is not None


NAV.append(NavEntry(N_("Exchange"), "/exchange", _resident))
NAV.append(NavEntry(N_("Gifts"), "/gifts", _resident))


async def exchange_page(
    request: Request, actor: Actor, exchange_id: int, *, form: Form | None = None, status: int = 200
) -> Template:
    record = await exchanges.view_exchange(actor, exchange_id)
    history = await exchanges.exchange_history(actor, exchange_id)
    return await page(
        request,
        "exchange.html",
        actor,
        status=status,
        form=form,
        exchange=record,
        listing=await listings.get_listing(record.listing),
        history=history,
        names=await member_names([event.actor for event in history] + [record.requester, record.performer]),
        agreed_points=points_for(record.minutes, record.points_per_hour),
        states=STATES,
        max_minutes=limits.EXCHANGE_MAX_MINUTES,
    )


async def listing_page(
    request: Request, actor: Actor, listing_id: int, *, form: Form | None = None, status: int = 200
) -> Template:
    listing = await listings.view_listing(actor, listing_id)
    proposals = await exchanges.list_exchanges(actor, listing_id=listing_id)
    return await page(
        request,
        "exchange_listing.html",
        actor,
        status=status,
        form=form,
        listing=listing,
        proposals=proposals,
        names=await member_names([p.requester for p in proposals] + [p.performer for p in proposals]),
        owner=listing.member == actor.member_id,
        kinds=KINDS,
        states=STATES,
        max_minutes=limits.EXCHANGE_MAX_MINUTES,
    )


class ExchangePages(Controller):
    path = "/exchange"
    include_in_schema = False

    @get(name="page:exchange")
    async def browse(
        self,
        request: Request,
        actor: CurrentActor,
        kind: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        return await self._listings(request, actor, Form(), kind=kind, category=category, cursor=cursor)

    async def _listings(
        self,
        request: Request,
        actor: Actor,
        form: Form,
        *,
        kind: str | None = None,
        category: str | None = None,
        cursor: str | None = None,
        status: int = 200,
    ) -> Template:
        found = await listings.list_listings(
            actor,
            kind=kind if kind in KINDS else None,
            category=category or None,
            cursor=cursor,
            limit=30,
        )
        if not form.values:
            form.values = {"kind": kind if kind in KINDS else "offer", "category": category or ""}
        return await page(
            request,
            "exchange_listings.html",
            actor,
            status=status,
            form=form,
            items=found.items,
            next_cursor=found.next_cursor,
            kind=kind if kind in KINDS else "",
            category=category or "",
            kinds=KINDS,
            menu=await category_menu(),
        )

    @post(name="page:listing-create")
    async def publish(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        form = await read_form(request)
        kind = form.text("kind", required=True, label=KIND)
        if kind and kind not in KINDS:
            form.error("kind", N_("A listing is an offer or a request."))
        category = form.text("category", required=True, label=N_("category"))
        title = form.text("title", required=True, label=TITLE)
        description = form.text("description")
        rate = form.integer("points_per_hour", low=1, high=limits.RATE_MAX_POINTS_PER_HOUR, required=False)
        if form.ok:
            try:
                listing = await listings.create_listing(
                    actor, kind, category, title, description=description, points_per_hour=rate, now=now
                )
            except (errors.Invalid, errors.NotFound) as error:
                form.refuse(error)
            else:
                return redirect(
                    request,
                    f"/exchange/listings/{listing.id}",
                    N_("Published: your neighbours can answer it."),
                )
        return await self._listings(request, actor, form, status=400)

    @get("/mine", name="page:exchanges-mine")
    async def mine(self, request: Request, actor: CurrentActor) -> Template:
        items = await exchanges.list_exchanges(actor)
        published = await listings.list_listings(actor, mine=True, limit=50)
        return await page(
            request,
            "exchange_mine.html",
            actor,
            items=items,
            listings=published.items,
            titles=await listings.listing_titles([item.listing for item in items]),
            names=await member_names([i.requester for i in items] + [i.performer for i in items]),
            kinds=KINDS,
            states=STATES,
        )

    @get("/listings/{listing_id:int}", name="page:listing")
    async def listing(self, request: Request, actor: CurrentActor, listing_id: IdPath) -> Template:
        return await listing_page(request, actor, listing_id)

    @post("/listings/{listing_id:int}/close", name="page:listing-close")
    async def close(self, request: Request, actor: CurrentActor, listing_id: IdPath, now: Now) -> Redirect:
        await listings.close_listing(actor, listing_id, now=now)
        return redirect(request, f"/exchange/listings/{listing_id}", N_("The listing is closed."))

    @post("/listings/{listing_id:int}/propose", name="page:exchange-propose")
    async def propose(
        self, request: Request, actor: CurrentActor, listing_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        minutes = form.integer("minutes", low=1, high=limits.EXCHANGE_MAX_MINUTES, label=MINUTES)
        note = form.text("note")
        status = 400
        if form.ok and minutes is not None:
            try:
                record = await exchanges.propose(actor, listing_id, minutes, note=note, now=now)
            except (errors.Invalid, market_errors.InsufficientBalance) as error:
                form.refuse(error)
                status = status_of(error)
            else:
                return redirect(
                    request, f"/exchange/{record.id}", N_("Proposed: the other party will answer.")
                )
        return await listing_page(request, actor, listing_id, form=form, status=status)

    @get("/{exchange_id:int}", name="page:exchange-one")
    async def read(self, request: Request, actor: CurrentActor, exchange_id: IdPath) -> Template:
        return await exchange_page(request, actor, exchange_id)

    @post("/{exchange_id:int}/accept", name="page:exchange-accept")
    async def accept(self, request: Request, actor: CurrentActor, exchange_id: IdPath, now: Now) -> Redirect:
        record = await exchanges.accept(actor, exchange_id, now=now)
        return redirect(
            request,
            f"/exchange/{exchange_id}",
            N_("Agreed: {points} points of the requester are held until the work is confirmed."),
            {"points": record.reserved},
        )

    @post("/{exchange_id:int}/decline", name="page:exchange-decline")
    async def decline(self, request: Request, actor: CurrentActor, exchange_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        await exchanges.decline(actor, exchange_id, reason=form.text("decline_reason"), now=now)
        return redirect(request, f"/exchange/{exchange_id}", N_("You declined the proposal."))

    @post("/{exchange_id:int}/cancel", name="page:exchange-cancel")
    async def cancel(self, request: Request, actor: CurrentActor, exchange_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        await exchanges.cancel(actor, exchange_id, reason=form.text("cancel_reason"), now=now)
        return redirect(request, f"/exchange/{exchange_id}", N_("The exchange is cancelled."))

    @post("/{exchange_id:int}/submit", name="page:exchange-submit")
    async def submit(
        self, request: Request, actor: CurrentActor, exchange_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        minutes = form.integer("minutes", low=1, high=limits.EXCHANGE_MAX_MINUTES, label=MINUTES)
        note = form.text("note")
        if form.ok and minutes is not None:
            try:
                await exchanges.submit(actor, exchange_id, minutes, note=note, now=now)
            except errors.Invalid as error:
                form.refuse(error)
            else:
                return redirect(
                    request, f"/exchange/{exchange_id}", N_("Your minutes were sent for confirmation.")
                )
        return await exchange_page(request, actor, exchange_id, form=form, status=400)

    @post("/{exchange_id:int}/confirm", name="page:exchange-confirm")
    async def confirm(self, request: Request, actor: CurrentActor, exchange_id: IdPath, now: Now) -> Redirect:
        record = await exchanges.confirm(actor, exchange_id, now=now)
        return redirect(
            request,
            f"/exchange/{exchange_id}",
            N_("Confirmed: {points} points were paid."),
            {"points": record.points or 0},
        )

    @post("/{exchange_id:int}/dispute", name="page:exchange-dispute")
    async def dispute(
        self, request: Request, actor: CurrentActor, exchange_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        reason = form.text("dispute_reason", required=True, label=REASON)
        if form.ok:
            try:
                await exchanges.dispute(actor, exchange_id, reason=reason, now=now)
            except errors.Invalid as error:
                form.refuse(error, {"reason": "dispute_reason"})
            else:
                return redirect(request, f"/exchange/{exchange_id}", N_("Disputed: a leader will decide."))
        return await exchange_page(request, actor, exchange_id, form=form, status=400)

    @post("/{exchange_id:int}/settle", name="page:exchange-settle")
    async def settle(
        self, request: Request, actor: CurrentActor, exchange_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        minutes = form.integer("settle_minutes", low=0, high=limits.EXCHANGE_MAX_MINUTES, label=MINUTES)
        reason = form.text("settle_reason", required=True, label=REASON)
        if form.ok and minutes is not None:
            try:
                await exchanges.settle(actor, exchange_id, minutes, reason=reason, now=now)
            except errors.Invalid as error:
                form.refuse(error, {"minutes": "settle_minutes", "reason": "settle_reason"})
            else:
                return redirect(request, f"/exchange/{exchange_id}", N_("The dispute is settled."))
        return await exchange_page(request, actor, exchange_id, form=form, status=400)


class GiftPages(Controller):
    path = "/gifts"
    include_in_schema = False

    async def _page(self, request: Request, actor: Actor, form: Form, status: int = 200) -> Template:
        given = await gifts.list_gifts(actor)
        communities = {}
        for community_id in {gift.community for gift in given if gift.community is not None}:
            communities[community_id] = (await get_area(community_id)).name
        community = home_community(actor)
        return await page(
            request,
            "gifts.html",
            actor,
            status=status,
            form=form,
            gifts=given,
            names=await member_names([g.giver for g in given] + [g.recipient for g in given]),
            communities=communities,
            community_name=(await get_area(community)).name if community else "",
            may=await gifts.giving(actor, community),
            balance=await balance(member_account(actor.member_id)),
            max_gift=limits.GIFT_MAX_POINTS,
        )

    @get(name="page:gifts")
    async def read(self, request: Request, actor: CurrentActor) -> Template:
        return await self._page(request, actor, Form(values={"to": "member"}))

    @post(name="page:gift")
    async def give(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        form = await read_form(request)
        to = form.text("to") or "member"
        amount = form.integer("amount", low=1, high=limits.GIFT_MAX_POINTS, label=AMOUNT)
        note = form.text("note")
        status = 400
        if form.ok and amount is not None:
            try:
                recipient_id = community_id = None
                if to == "member":
                    recipient_id = (await member_by_phone(form.text("phone"), field="phone")).id
                elif to == "community":
                    community_id = home_community(actor) or 0
                await gifts.give(
                    actor, amount, recipient_id=recipient_id, community_id=community_id, note=note, now=now
                )
            except (errors.Invalid, errors.NotFound, market_errors.InsufficientBalance) as error:
                form.refuse(error, {"recipient_id": "phone", "community_id": "to"})
                status = status_of(error) if isinstance(error, errors.Conflict) else 400
            else:
                return redirect(
                    request, "/gifts", N_("Thank you: {amount} points were given."), {"amount": amount}
                )
        return await self._page(request, actor, form, status=status)
