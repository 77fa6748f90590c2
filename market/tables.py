"""The market's tables, mapped for Piccolo's query builder and admin.

The schema itself, with its CHECK constraints, unique indexes and the event log's append-only
triggers, is the hand-written migration in ``piccolo_migrations``.
"""

from piccolo.columns import (
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.column_types import BigSerial
from piccolo.table import Table

from projects.tables import Area, Category, Member, Organisation

ITEM_KINDS = ("goods", "service")
LIMIT_PERIODS = ("day", "week", "month", "year")
LISTING_KINDS = ("offer", "request")
DONOR_KINDS = ("member", "organisation", "outside")


def _fk(table, null: bool = True, on_delete: OnDelete = OnDelete.restrict) -> ForeignKey:
    return ForeignKey(table, null=null, on_delete=on_delete, default=None)


class Item(Table, tablename="market_item"):
    """A good or service in the catalogue, offered by an organisation (a merchant…) or, when
    ``organisation`` is empty, by the community itself."""

    id = BigSerial(primary_key=True)
    community = _fk(Area, null=False)
    organisation = _fk(Organisation)
    kind = Varchar(length=8)
    name = Varchar(length=100)
    name_en = Varchar(length=100, default="")
    description = Text(default="")
    description_en = Text(default="")
    price = BigInt()
    stock = BigInt(null=True, default=None)  # None: unlimited
    per_member_limit = Integer(null=True, default=None)  # None: no limit
    limit_period = Varchar(length=8, default="month")
    active_from = Timestamptz(null=True, default=None)
    active_until = Timestamptz(null=True, default=None)
    active = Boolean(default=True)
    withdrawn_at = Timestamptz(null=True, default=None)  # withdrawn from the catalogue for good
    created_by = _fk(Member)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ItemArea(Table, tablename="market_item_area"):
    """An area the item serves (with everything under it)."""

    id = BigSerial(primary_key=True)
    item = _fk(Item, null=False, on_delete=OnDelete.cascade)
    area = _fk(Area, null=False)


class Redemption(Table, tablename="market_redemption"):
    id = BigSerial(primary_key=True)
    item = _fk(Item, null=False)
    member = _fk(Member, null=False)
    quantity = Integer()
    amount = BigInt()
    code = Varchar(length=12, unique=True)
    status = Varchar(length=16)
    took_stock = Boolean(default=False)
    expires_at = Timestamptz()
    decided_by = _fk(Member)
    reason = Text(default="")
    fulfilled_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Listing(Table, tablename="market_listing"):
    """A member's offer ("I can teach piano") or request ("I need a ride to hospital")."""

    id = BigSerial(primary_key=True)
    member = _fk(Member, null=False)
    kind = Varchar(length=8)
    category = ForeignKey(Category, target_column="code", null=False, on_delete=OnDelete.restrict)
    community = _fk(Area, null=False)
    title = Varchar(length=100)
    description = Text(default="")
    points_per_hour = Integer()
    status = Varchar(length=8)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Exchange(Table, tablename="market_exchange"):
    """Work agreed between two members, paid from the requester's own balance."""

    id = BigSerial(primary_key=True)
    listing = _fk(Listing, null=False)
    requester = _fk(Member, null=False)
    performer = _fk(Member, null=False)
    proposed_by = _fk(Member, null=False)
    minutes = Integer()
    points_per_hour = Integer()
    reserved = BigInt(default=0)
    worked_minutes = Integer(null=True, default=None)
    points = BigInt(null=True, default=None)
    transfer_id = Varchar(length=64, null=True, default=None, unique=True)
    status = Varchar(length=16)
    note = Text(default="")
    reason = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Gift(Table, tablename="market_gift"):
    id = BigSerial(primary_key=True)
    giver = _fk(Member, null=False)
    recipient = _fk(Member)
    community = _fk(Area)  # a gift to the community's points pool
    amount = BigInt()
    note = Text(default="")
    created_at = Timestamptz()


class Donation(Table, tablename="market_donation"):
    """Money given to a community fund (in fen), recorded by its staff."""

    id = BigSerial(primary_key=True)
    community = _fk(Area, null=False)
    donor_kind = Varchar(length=16)
    member = _fk(Member)
    organisation = _fk(Organisation)
    donor_name = Varchar(length=100, default="")
    anonymous = Boolean(default=False)
    amount = BigInt()
    note = Text(default="")
    recorded_by = _fk(Member, null=False)
    created_at = Timestamptz()
    status = Varchar(length=24, default="received")  # or awaiting_approval: no transfer yet
    receipt_number = Varchar(length=64, default="")
    photo_key = Varchar(length=64, null=True, default=None, secret=True)
    approved_by = _fk(Member)
    approved_at = Timestamptz(null=True, default=None)


class Call(Table, tablename="market_call"):
    """A venture call (公益创投): a budget for a public-interest project, bid on until a deadline."""

    id = BigSerial(primary_key=True)
    community = _fk(Area, null=False)
    area = _fk(Area, null=False)
    title = Varchar(length=128)
    description = Text(default="")
    budget = BigInt()
    deadline = Timestamptz()
    vote_weight = SmallInt(default=0)  # percent of the ranking that residents' votes decide
    status = Varchar(length=16)
    awarded_bid = BigInt(null=True, default=None)
    voting_closed_at = Timestamptz(null=True, default=None)  # NULL: residents may still vote
    created_by = _fk(Member, null=False)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Criterion(Table, tablename="market_criterion"):
    id = BigSerial(primary_key=True)
    call = _fk(Call, null=False, on_delete=OnDelete.cascade)
    position = SmallInt()
    name = Varchar(length=100)
    name_en = Varchar(length=100, default="")
    weight = SmallInt()
    max_score = SmallInt(default=10)


class Panelist(Table, tablename="market_panelist"):
    id = BigSerial(primary_key=True)
    call = _fk(Call, null=False, on_delete=OnDelete.cascade)
    member = _fk(Member, null=False)


class Bid(Table, tablename="market_bid"):
    id = BigSerial(primary_key=True)
    call = _fk(Call, null=False)
    organisation = _fk(Organisation, null=False)
    proposal = Text()
    team = Text(default="")
    budget = BigInt()
    status = Varchar(length=16)
    revision = Integer(default=1)
    submitted_by = _fk(Member, null=False)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Milestone(Table, tablename="market_milestone"):
    """A step of a bid's plan; once awarded, its money is released when its report is accepted."""

    id = BigSerial(primary_key=True)
    bid = _fk(Bid, null=False, on_delete=OnDelete.cascade)
    position = SmallInt()
    title = Varchar(length=128)
    amount = BigInt()
    due_at = Timestamptz(null=True, default=None)
    status = Varchar(length=24)
    report = Text(default="")
    reported_at = Timestamptz(null=True, default=None)
    decided_by = _fk(Member)
    transfer_id = Varchar(length=64, null=True, default=None, unique=True)
    updated_at = Timestamptz()


class Score(Table, tablename="market_score"):
    id = BigSerial(primary_key=True)
    bid = _fk(Bid, null=False)
    criterion = _fk(Criterion, null=False)
    panelist = _fk(Member, null=False)
    score = SmallInt()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Vote(Table, tablename="market_vote"):
    id = BigSerial(primary_key=True)
    call = _fk(Call, null=False)
    bid = _fk(Bid, null=False)
    member = _fk(Member, null=False)
    created_at = Timestamptz()


class MarketEvent(Table, tablename="market_event"):
    """The market's trace: every state change of an item, redemption, exchange, call, bid or
    milestone, and every gift, donation and grant. Append-only, like ``projects_event``."""

    seq = BigSerial(primary_key=True)
    subject = Varchar(length=12)
    subject_id = BigInt()
    action = Varchar(length=24)
    from_state = Varchar(length=16, default="")
    to_state = Varchar(length=16, default="")
    actor = _fk(Member)
    reason = Text(default="")
    created_at = Timestamptz()
