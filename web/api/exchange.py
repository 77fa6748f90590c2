"""Peer exchange (offers, requests and the exchanges agreed on them), gifts, and the community
fund's public totals, movements and donations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import FromQuery, JSONBody
from litestar.response import File
from pydantic import Field, StringConstraints

from market import exchanges, fund, gifts, limits, listings
from projects import attachments
from projects.limits import CATEGORY_CODE_MAX_CHARS
from web.api.deps import CurrentActor, Now, Viewer, provide_optional_actor
from web.api.photos import CACHE, ONE_PHOTO_BYTES, MultipartPhoto, photo_viewer, read_upload
from web.api.schemas import (
    Id,
    IdIn,
    IdPath,
    In,
    Limit,
    OptionalId,
    Out,
    ReasonIn,
    StatementOut,
    TraceOut,
    WithActions,
    optional_id,
    ref,
)

Note = Annotated[str, StringConstraints(max_length=limits.NOTE_MAX_CHARS)]


class ListingIn(In):
    kind: Literal["offer", "request"]
    category: Annotated[str, StringConstraints(max_length=CATEGORY_CODE_MAX_CHARS)]
    title: Annotated[str, StringConstraints(max_length=limits.LISTING_TITLE_MAX_CHARS)]
    description: str = ""
    points_per_hour: int | None = Field(default=None, ge=1, le=limits.RATE_MAX_POINTS_PER_HOUR)


class ListingOut(WithActions):
    id: Id
    kind: str
    category: str
    title: str
    description: str
    points_per_hour: int
    status: str
    member_id: Id = ref("member")
    member_name: str
    community_id: Id = ref("community")
    created_at: datetime
    may_close: bool = False
    may_propose: bool = Field(default=False, description="Answer it with a proposal.")


class ListingPageOut(Out):
    items: list[ListingOut]
    next_cursor: str | None


class ProposalIn(In):
    minutes: int = Field(ge=1, le=limits.EXCHANGE_MAX_MINUTES)
    note: Note = ""


class MinutesIn(In):
    minutes: int = Field(ge=1, le=limits.EXCHANGE_MAX_MINUTES)
    note: Note = ""


class SettleIn(In):
    minutes: int = Field(ge=0, le=limits.EXCHANGE_MAX_MINUTES)
    reason: Note


class ExchangeOut(WithActions):
    id: Id
    listing_id: Id = ref("listing")
    requester_id: Id = ref("requester")
    performer_id: Id = ref("performer")
    proposed_by: Id
    minutes: int
    points_per_hour: int
    reserved: int
    worked_minutes: int | None
    points: int | None
    transfer_id: str | None
    status: str
    note: str
    reason: str
    created_at: datetime
    updated_at: datetime
    may_accept: bool = False
    may_decline: bool = False
    may_cancel: bool = False
    may_submit: bool = False
    may_confirm: bool = False
    may_dispute: bool = False
    may_settle: bool = False


class ExchangeListOut(Out):
    items: list[ExchangeOut]


class GiftIn(In):
    amount: int = Field(ge=1, le=limits.GIFT_MAX_POINTS)
    recipient_id: IdIn | None = None
    community_id: IdIn | None = None
    note: Note = ""


class GiftOut(Out):
    id: Id
    giver_id: Id = ref("giver")
    recipient_id: OptionalId = ref("recipient")
    community_id: OptionalId = ref("community")
    amount: int
    note: str
    transfer_id: str
    created_at: datetime


class GiftListOut(Out):
    items: list[GiftOut]


class DonationIn(In):
    amount: int = Field(ge=1, le=limits.DONATION_MAX_FEN, description="In fen (0.01 yuan)")
    donor_kind: Literal["member", "organisation", "outside"]
    member_id: IdIn | None = None
    organisation_id: IdIn | None = None
    donor_name: Annotated[str, StringConstraints(max_length=limits.DONOR_NAME_MAX_CHARS)] = ""
    anonymous: bool = False
    note: Annotated[str, StringConstraints(max_length=limits.DONATION_NOTE_MAX_CHARS)] = ""
    receipt_number: Annotated[str, StringConstraints(max_length=limits.RECEIPT_MAX_CHARS)] = Field(
        default="", description=f"Required from {fund.RECEIPT_FROM_FEN} fen on."
    )


class DonationOut(WithActions):
    """As the public sees it: an anonymous donor has no name here, and its evidence (receipt
    number, photo) is shown to the community's staff only; the public sees that it exists."""

    id: Id
    community_id: Id = ref("community")
    donor_kind: str
    donor: str = ref("public_name")
    anonymous: bool
    amount: int
    note: str
    created_at: datetime
    status: Literal["received", "awaiting_approval"] = Field(
        description="awaiting_approval: not in the fund until a second staff member approves it"
    )
    transfer_id: str | None
    has_receipt: bool
    has_photo: bool
    receipt_number: str = Field(description='"" unless the reader may see the evidence')
    photo_url: str | None = Field(description="Its photo, for those who may see the evidence")
    thumbnail_url: str | None
    recorded_by_id: Id = ref("recorded_by")
    approved_by_id: OptionalId = ref("approved_by")
    approved_at: datetime | None
    may_approve: bool = Field(
        default=False, description="Approve it: a second staff member, not who recorded it."
    )


class DonationPageOut(Out):
    items: list[DonationOut]
    next_cursor: str | None


class FundOut(WithActions):
    community_id: Id = ref("community")
    balance: int
    donated: int
    granted: int
    donations: int
    may_donate: bool = Field(default=False, description="Record a donation (its community's staff).")
    may_grant: bool = Field(default=False, description="Pay grants from it (its community's staff).")


class ListingController(Controller):
    path = "/api/v1/listings"
    tags = ["exchange"]

    @post(name="api:listing-create", summary="Publish an offer or a request")
    async def create(self, actor: CurrentActor, data: JSONBody[ListingIn], now: Now) -> ListingOut:
        listing = await listings.create_listing(
            actor,
            data.kind,
            data.category,
            data.title,
            description=data.description,
            points_per_hour=data.points_per_hour,
            now=now,
        )
        return ListingOut.model_validate(listing)

    @get(name="api:listings", summary="Open offers and requests in my communities (or mine), newest first")
    async def list(
        self,
        actor: CurrentActor,
        kind: FromQuery[Literal["offer", "request"] | None] = None,
        category: FromQuery[str | None] = None,
        mine: FromQuery[bool] = False,
        cursor: FromQuery[str | None] = None,
        limit: Limit = listings.PAGE,
    ) -> ListingPageOut:
        page = await listings.list_listings(
            actor, kind=kind, category=category, mine=mine, cursor=cursor, limit=limit
        )
        return ListingPageOut(
            items=[ListingOut.model_validate(i) for i in page.items], next_cursor=page.next_cursor
        )

    @get("/{listing_id:int}", name="api:listing", summary="One listing")
    async def read(self, actor: CurrentActor, listing_id: IdPath) -> ListingOut:
        return ListingOut.model_validate(await listings.view_listing(actor, listing_id))

    @post("/{listing_id:int}/close", name="api:listing-close", summary="Close my listing", status_code=200)
    async def close(self, actor: CurrentActor, listing_id: IdPath, now: Now) -> ListingOut:
        return ListingOut.model_validate(await listings.close_listing(actor, listing_id, now=now))

    @post(
        "/{listing_id:int}/exchanges",
        name="api:exchange-propose",
        summary="Answer a listing: propose an exchange",
    )
    async def propose(
        self, actor: CurrentActor, listing_id: IdPath, data: JSONBody[ProposalIn], now: Now
    ) -> ExchangeOut:
        record = await exchanges.propose(actor, listing_id, data.minutes, note=data.note, now=now)
        return ExchangeOut.model_validate(record)


class ExchangeController(Controller):
    path = "/api/v1/exchanges"
    tags = ["exchange"]

    @get(name="api:exchanges", summary="My exchanges, as requester or performer")
    async def list(self, actor: CurrentActor, status: FromQuery[str | None] = None) -> ExchangeListOut:
        found = await exchanges.list_exchanges(actor, status=status)
        return ExchangeListOut(items=[ExchangeOut.model_validate(e) for e in found])

    @get("/{exchange_id:int}", name="api:exchange", summary="One exchange")
    async def read(self, actor: CurrentActor, exchange_id: IdPath) -> ExchangeOut:
        return ExchangeOut.model_validate(await exchanges.view_exchange(actor, exchange_id))

    @get("/{exchange_id:int}/history", name="api:exchange-history", summary="The exchange's trace")
    async def history(self, actor: CurrentActor, exchange_id: IdPath) -> list[TraceOut]:
        return [TraceOut.model_validate(t) for t in await exchanges.exchange_history(actor, exchange_id)]

    @post(
        "/{exchange_id:int}/accept",
        name="api:exchange-accept",
        summary="Agree (holds the requester's points)",
        status_code=200,
    )
    async def accept(self, actor: CurrentActor, exchange_id: IdPath, now: Now) -> ExchangeOut:
        return ExchangeOut.model_validate(await exchanges.accept(actor, exchange_id, now=now))

    @post(
        "/{exchange_id:int}/decline",
        name="api:exchange-decline",
        summary="Decline a proposal",
        status_code=200,
    )
    async def decline(
        self, actor: CurrentActor, exchange_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> ExchangeOut:
        return ExchangeOut.model_validate(
            await exchanges.decline(actor, exchange_id, reason=data.reason, now=now)
        )

    @post(
        "/{exchange_id:int}/cancel",
        name="api:exchange-cancel",
        summary="Cancel before the work is submitted",
        status_code=200,
    )
    async def cancel(
        self, actor: CurrentActor, exchange_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> ExchangeOut:
        return ExchangeOut.model_validate(
            await exchanges.cancel(actor, exchange_id, reason=data.reason, now=now)
        )

    @post(
        "/{exchange_id:int}/submit",
        name="api:exchange-submit",
        summary="Report the minutes worked (the performer)",
        status_code=200,
    )
    async def submit(
        self, actor: CurrentActor, exchange_id: IdPath, data: JSONBody[MinutesIn], now: Now
    ) -> ExchangeOut:
        record = await exchanges.submit(actor, exchange_id, data.minutes, note=data.note, now=now)
        return ExchangeOut.model_validate(record)

    @post(
        "/{exchange_id:int}/confirm",
        name="api:exchange-confirm",
        summary="Confirm and pay (the requester)",
        status_code=200,
    )
    async def confirm(self, actor: CurrentActor, exchange_id: IdPath, now: Now) -> ExchangeOut:
        return ExchangeOut.model_validate(await exchanges.confirm(actor, exchange_id, now=now))

    @post(
        "/{exchange_id:int}/dispute",
        name="api:exchange-dispute",
        summary="Dispute the work (the requester)",
        status_code=200,
    )
    async def dispute(
        self, actor: CurrentActor, exchange_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> ExchangeOut:
        return ExchangeOut.model_validate(
            await exchanges.dispute(actor, exchange_id, reason=data.reason, now=now)
        )

    @post(
        "/{exchange_id:int}/settle",
        name="api:exchange-settle",
        summary="Settle a dispute (a leader or staff)",
        status_code=200,
    )
    async def settle(
        self, actor: CurrentActor, exchange_id: IdPath, data: JSONBody[SettleIn], now: Now
    ) -> ExchangeOut:
        record = await exchanges.settle(actor, exchange_id, data.minutes, reason=data.reason, now=now)
        return ExchangeOut.model_validate(record)


class GiftController(Controller):
    path = "/api/v1/gifts"
    tags = ["exchange"]

    @post(name="api:gift", summary="Give points to a member or to my community's pool")
    async def give(self, actor: CurrentActor, data: JSONBody[GiftIn], now: Now) -> GiftOut:
        record = await gifts.give(
            actor,
            data.amount,
            recipient_id=optional_id(data.recipient_id),
            community_id=optional_id(data.community_id),
            note=data.note,
            now=now,
        )
        return GiftOut.model_validate(record)

    @get(name="api:gifts", summary="Gifts I gave or received")
    async def list(self, actor: CurrentActor) -> GiftListOut:
        return GiftListOut(items=[GiftOut.model_validate(g) for g in await gifts.list_gifts(actor)])


class FundController(Controller):
    """Public: anyone may read a community fund's totals, movements and donations."""

    path = "/api/v1/funds"
    tags = ["fund"]
    dependencies = {"viewer": Provide(provide_optional_actor)}

    @get("/{community_id:int}", name="api:fund", summary="A community fund's totals (fen), public")
    async def read(self, community_id: IdPath, viewer: Viewer) -> FundOut:
        return FundOut.model_validate(await fund.fund_totals(community_id, viewer))

    @get("/{community_id:int}/movements", name="api:fund-movements", summary="The fund's movements, public")
    async def movements(
        self, community_id: IdPath, cursor: FromQuery[str | None] = None, limit: Limit = fund.PAGE
    ) -> StatementOut:
        return StatementOut.model_validate(
            await fund.fund_movements(community_id, cursor=cursor, limit=limit)
        )

    @get(
        "/{community_id:int}/donations", name="api:fund-donations", summary="Donations, newest first, public"
    )
    async def donations(
        self,
        community_id: IdPath,
        viewer: Viewer,
        cursor: FromQuery[str | None] = None,
        limit: Limit = fund.PAGE,
    ) -> DonationPageOut:
        page = await fund.list_donations(community_id, cursor=cursor, limit=limit, viewer=viewer)
        return DonationPageOut(
            items=[DonationOut.model_validate(d) for d in page.items], next_cursor=page.next_cursor
        )

    @post(
        "/{community_id:int}/donations", name="api:fund-donate", summary="Record a donation (community staff)"
    )
    async def donate(
        self, actor: CurrentActor, community_id: IdPath, data: JSONBody[DonationIn], now: Now
    ) -> DonationOut:
        record = await fund.donate(
            actor,
            community_id,
            data.amount,
            donor_kind=data.donor_kind,
            member_id=optional_id(data.member_id),
            organisation_id=optional_id(data.organisation_id),
            donor_name=data.donor_name,
            anonymous=data.anonymous,
            note=data.note,
            receipt_number=data.receipt_number,
            now=now,
        )
        return DonationOut.model_validate(record)


class DonationController(Controller):
    """One donation: public as the fund is (its evidence for the community's staff); approved by
    a second staff member when it waits; its photo added by the community's staff."""

    path = "/api/v1/donations"
    tags = ["fund"]

    @get(
        "/{donation_id:int}",
        name="api:donation",
        summary="One donation, public",
        dependencies={"viewer": Provide(provide_optional_actor)},
    )
    async def read(self, donation_id: IdPath, viewer: Viewer) -> DonationOut:
        return DonationOut.model_validate(await fund.view_donation(viewer, donation_id))

    @get("/{donation_id:int}/history", name="api:donation-history", summary="A donation's trace, public")
    async def history(self, donation_id: IdPath) -> list[TraceOut]:
        return [TraceOut.model_validate(t) for t in await fund.donation_history(donation_id)]

    @post(
        "/{donation_id:int}/approve",
        name="api:donation-approve",
        summary="Approve a donation over the threshold: a second staff member, not who recorded it",
        status_code=200,
    )
    async def approve(self, actor: CurrentActor, donation_id: IdPath, now: Now) -> DonationOut:
        return DonationOut.model_validate(await fund.approve_donation(actor, donation_id, now=now))

    @post(
        "/{donation_id:int}/photo",
        name="api:donation-photo",
        summary="Add the photo of a donation's receipt or handover (community staff; multipart field file)",
        request_max_body_size=ONE_PHOTO_BYTES,
        status_code=200,
    )
    async def photo(
        self, actor: CurrentActor, donation_id: IdPath, data: MultipartPhoto, now: Now
    ) -> DonationOut:
        prepared = await attachments.prepare([await read_upload(data.file)])
        return DonationOut.model_validate(await fund.add_photo(actor, donation_id, prepared[0], now=now))


class DonationPhotoFileController(Controller):
    """A donation's photo, to those who may see its evidence (a token or the pages' cookie)."""

    path = "/donations"
    include_in_schema = False

    @get("/{donation_id:int}/photo", name="donation-photo-image")
    async def image(self, request: Request, donation_id: IdPath) -> File:
        path = await fund.donation_photo(await photo_viewer(request), donation_id)
        return File(
            path, media_type="image/jpeg", content_disposition_type="inline", headers={"Cache-Control": CACHE}
        )

    @get("/{donation_id:int}/photo/thumbnail", name="donation-photo-thumbnail")
    async def thumbnail(self, request: Request, donation_id: IdPath) -> File:
        path = await fund.donation_photo(await photo_viewer(request), donation_id, thumbnail=True)
        return File(
            path, media_type="image/jpeg", content_disposition_type="inline", headers={"Cache-Control": CACHE}
        )
