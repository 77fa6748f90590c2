"""The outbox's tables: notifications, their deliveries and every attempt, areas' group outlets,
registrations waiting for approval, and the accounts' trace. The schema, with its constraints and
triggers, is the hand-written migration 2026-12-13T00-00-00."""

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.column_types import BigSerial
from piccolo.table import Table

from projects.tables import Area, Member

OUTLET_KINDS = ("wecom", "dingtalk", "feishu", "json")


def _fk(table, null: bool = True, on_delete: OnDelete = OnDelete.restrict) -> ForeignKey:
    return ForeignKey(table, null=null, on_delete=on_delete, default=None)


class Outlet(Table, tablename="projects_outlet"):
    """An area's group outlet: the community's or grid's work-group robot, or a JSON webhook."""

    id = BigSerial(primary_key=True)
    area = _fk(Area, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=16)
    target = Varchar(length=500, secret=True)
    secret = Varchar(length=200, default="", secret=True)
    lang = Varchar(length=8, default="zh")
    active = Boolean(default=True)
    updated_by = _fk(Member, null=False)
    updated_at = Timestamptz()


class Notification(Table, tablename="projects_notification"):
    """One sentence for one reader (a member, or a group outlet): a msgid with its parameters."""

    id = BigSerial(primary_key=True)
    member = _fk(Member, on_delete=OnDelete.cascade)
    outlet = _fk(Outlet, on_delete=OnDelete.cascade)
    subject = Varchar(length=12)
    subject_id = BigInt()
    action = Varchar(length=24)
    actor = _fk(Member)
    message = Varchar(length=300)
    params = Text(default="{}")  # JSON
    link = Varchar(length=300)
    read_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class Delivery(Table, tablename="projects_delivery"):
    """Sending one notification through one outlet: pending, sending (claimed), sent, failed."""

    id = BigSerial(primary_key=True)
    notification = _fk(Notification, null=False, on_delete=OnDelete.cascade)
    channel = Varchar(length=16)
    status = Varchar(length=12)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class DeliveryAttempt(Table, tablename="projects_delivery_attempt"):
    """The delivery log: one row per attempt."""

    id = BigSerial(primary_key=True)
    delivery = _fk(Delivery, null=False, on_delete=OnDelete.cascade)
    attempt = Integer()
    outlet = Varchar(length=300, default="")
    ok = Boolean()
    error = Text(default="")
    started_at = Timestamptz()
    finished_at = Timestamptz()


class Registration(Table, tablename="projects_registration"):
    """A resident who registered themself, and the unit they say they live in: pending until
    the unit's or grid's leader, or staff, approve it."""

    id = BigSerial(primary_key=True)
    member = _fk(Member, null=False, on_delete=OnDelete.cascade)
    unit = _fk(Area, null=False)
    status = Varchar(length=12)
    reason = Text(default="")
    decided_by = _fk(Member)
    decided_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class MemberEvent(Table, tablename="projects_member_event"):
    """The accounts' trace: registered, approved, refused, password reset. Append-only."""

    seq = BigSerial(primary_key=True)
    subject = Varchar(length=8)
    subject_id = BigInt()
    action = Varchar(length=24)
    from_state = Varchar(length=16, default="")
    to_state = Varchar(length=16, default="")
    actor = _fk(Member)
    reason = Text(default="")
    created_at = Timestamptz()
