"""The JSON API's bodies. Ids are strings and amounts integers (DESIGN.md, "Interfaces").

Response models read the domain's records directly (``from_attributes``); a field that renames
a record's attribute says so with ``validation_alias``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar.params import PathParameter, QueryParameter
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    field_validator,
    model_serializer,
    model_validator,
)

from projects import limits
from projects.issuance import LIMITS as ISSUANCE_LIMITS


def _as_str(value):
    return None if value is None else str(value)


Id = Annotated[str, BeforeValidator(_as_str)]
OptionalId = Annotated[str | None, BeforeValidator(_as_str)]
# An id in a request: digits, as the API gives them out (at most 18, so always a BIGINT).
IdIn = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,17}$")]
MAX_ID = 10**18 - 1
IdPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]
Limit = Annotated[int, QueryParameter(ge=1, le=200, description="Items per page (at most 200).")]


def optional_id(value: str | None) -> int | None:
    return int(value) if value is not None else None


def ref(alias: str):
    return Field(validation_alias=alias)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class WithActions(Out):
    """An item with what the signed-in member may do to it now: each ``may_<action>`` field is
    true when the domain's rule for that action lets them (the same rule the action enforces)."""

    @model_validator(mode="wrap")
    @classmethod
    def _actions(cls, value, handler):
        model = handler(value)
        allowed = getattr(value, "may", None)
        if allowed is not None:
            for name in cls.model_fields:
                if name.startswith("may_"):
                    setattr(model, name, name.removeprefix("may_") in allowed)
        return model


# Times people give are in this century or the next: a year like 9999 overflows the databases.
YEARS = range(2000, 2101)


# A time in a request: ISO 8601 text with its offset (JSON has no time type, so the one lax field).
When = Annotated[AwareDatetime, Strict(False)]


class In(BaseModel):
    """A request body: unknown fields refused, and strict types, so that ``true`` or ``"1"`` is
    never taken for the integer 1, nor ``1`` or ``"yes"`` for ``true``."""

    model_config = ConfigDict(extra="forbid", str_max_length=10_000, strict=True)

    @classmethod
    def model_validate(cls, obj, **options):
        # Litestar passes strict=False, which would override the model's own strictness.
        options.pop("strict", None)
        return super().model_validate(obj, **options)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value):
        """What no column can hold is refused here with a 400, not by the database with a 500:
        a NUL character (PostgreSQL's text refuses it) or a time out of range."""
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, str) and "\x00" in item:
                raise ValueError("a NUL character is not allowed")
            if isinstance(item, datetime) and item.year not in YEARS:
                raise ValueError(f"a time from {YEARS.start} to {YEARS.stop - 1}")
        return value


# -- auth and me -----------------------------------------------------------------------------------


class TokenIn(In):
    phone: Annotated[str, StringConstraints(max_length=limits.PHONE_MAX_CHARS)]
    password: Annotated[str, StringConstraints(max_length=limits.SENT_PASSWORD_MAX_CHARS)]


class TokenOut(Out):
    token: str


class BalanceOut(Out):
    posted: int
    pending: int
    available: int


class RoleOut(Out):
    role: str
    area_id: Id = ref("area_id")
    level: str


class Me(Out):
    id: Id
    phone: str
    name: str
    roles: list[str]
    balance: BalanceOut
    home_area_id: OptionalId = None
    areas: list[RoleOut] = []
    organisations: dict[str, str] = {}
    email: str = ""
    channels: list[str] = []
    lang: str = "zh"
    pending: bool = False  # registered, not yet approved: nothing else is open to them
    must_change_password: bool = False


class StatementItem(Out):
    id: str
    amount: int
    direction: Literal["credit", "debit"]
    reason: str
    reference: str
    balance_after: int
    created_at: datetime
    kind: str
    memo: str


class StatementOut(Out):
    items: list[StatementItem]
    next_cursor: str | None


class ActivityItem(Out):
    id: str
    kind: str = Field(description="work, redemption, exchange, gift, reversal (or the ledger's reason).")
    title: str
    amount: int = Field(
        description="Posted: signed (+ received, − spent); held or released: the points held."
    )
    state: Literal["held", "posted", "released"]
    counterparty: str = Field(description="Who paid or received: a community, a provider or a neighbour.")
    created_at: datetime
    updated_at: datetime


class ActivityOut(Out):
    items: list[ActivityItem]
    next_cursor: str | None


# -- community -------------------------------------------------------------------------------------


class CategoryOut(Out):
    code: str
    name: str
    name_en: str
    parent: str | None
    points_per_hour: int


class CategoryIn(In):
    name: str
    name_en: str = ""
    parent: str | None = None
    points_per_hour: int = Field(ge=0, le=limits.CATEGORY_MAX_POINTS_PER_HOUR)
    position: int = Field(default=0, ge=0, le=limits.CATEGORY_MAX_POSITION)
    active: bool = True


class GradeIn(In):
    """Exactly one: hours (A: handle now), or working days by China's calendar (B, C)."""

    deadline_hours: int | None = Field(default=None, ge=1, le=limits.DEADLINE_MAX_HOURS)
    deadline_working_days: int | None = Field(default=None, ge=1, le=limits.DEADLINE_MAX_WORKING_DAYS)


class GradeOut(Out):
    deadline_hours: int | None
    deadline_working_days: int | None


def _setting(name: str):
    low, high = ISSUANCE_LIMITS[name]
    return Field(default=None, ge=low, le=high)


class IssuancePolicyIn(In):
    """Any of a community's issuance caps and four-eyes thresholds (the rest stay)."""

    max_points_per_hour: int | None = _setting("max_points_per_hour")
    max_minutes_per_claim: int | None = _setting("max_minutes_per_claim")
    max_minutes_per_day: int | None = _setting("max_minutes_per_day")
    max_capacity: int | None = _setting("max_capacity")
    approval_over_points: int | None = _setting("approval_over_points")
    approval_over_fen: int | None = _setting("approval_over_fen")


class IssuancePolicyOut(Out):
    max_points_per_hour: int
    max_minutes_per_claim: int
    max_minutes_per_day: int
    max_capacity: int
    approval_over_points: int
    approval_over_fen: int


class AreaOut(Out):
    id: Id
    parent: OptionalId
    level: str
    name: str
    name_en: str
    path: str


class OrganisationOut(Out):
    id: Id
    name: str
    kind: str
    area_id: Id = ref("area")
    description: str


class ResourceOut(Out):
    id: Id
    name: str
    kind: str
    level: str
    organisation_id: OptionalId = ref("organisation")
    area_id: Id = ref("area")
    description: str
    contact: str
    categories: list[str]
    coverage: list[Id]


class ResourceIn(In):
    name: str
    kind: Literal["merchant", "social_organisation", "public_service", "volunteer_team", "enterprise"]
    level: Literal["unit", "building", "grid", "community"]
    area_id: IdIn
    categories: list[str] = Field(min_length=1, max_length=limits.RESOURCE_MAX_CATEGORIES)
    coverage: list[IdIn] = Field(default=[], max_length=limits.RESOURCE_MAX_AREAS)
    organisation_id: IdIn | None = None
    description: str = ""
    contact: str = ""


class TraceOut(Out):
    seq: int
    action: str
    from_state: str
    to_state: str
    actor_id: OptionalId = ref("actor")
    reason: str
    created_at: datetime


# -- work orders -----------------------------------------------------------------------------------


class WhereOut(Out):
    """Where the work is: the area's names, and the room or landmark for those who may know it
    (for anyone else ``address`` is left out)."""

    area_id: Id
    area_names: list[str] = Field(
        description="Community, grid, building and unit names, as far down as the area goes."
    )
    address: str | None = Field(default=None, description="Only for those who may know it.")

    @model_serializer(mode="wrap")
    def _without_hidden_address(self, handler):
        data = handler(self)
        if data.get("address") is None:
            data.pop("address", None)
        return data


class ContactOut(Out):
    name: str
    phone: str


class PhotoOut(Out):
    id: Id
    url: str
    thumbnail_url: str


class PhotoItemOut(WithActions):
    id: Id
    url: str
    thumbnail_url: str
    report_id: OptionalId = Field(
        default=None, validation_alias="report", description="The progress report (trace seq) it shows."
    )
    uploaded_by: Id
    width: int
    height: int
    created_at: datetime
    may_remove: bool = False


# -- needs -----------------------------------------------------------------------------------------

Channel = Literal["door_visit", "online", "consultation", "hotline", "grid_patrol"]


class NeedIn(In):
    category: str
    description: str
    scope: Literal["personal", "common"] = "personal"
    channel: Channel = "online"
    area_id: IdIn | None = None
    resident_id: IdIn | None = Field(default=None, description="Leaders and staff report for a resident.")
    address: str | None = Field(default=None, description="Where inside the area: a room or a landmark.")
    contact_name: str | None = Field(default=None, description="Whom to call, when not the resident.")
    contact_phone: str | None = None
    preferred_time: str | None = Field(default=None, description="When suits them, in words (周六上午).")


class NeedOut(WithActions):
    id: Id
    status: str
    category: str
    description: str
    scope: str
    channel: str
    area_id: Id = ref("area")
    handling_area_id: Id = ref("handling_area")
    grade: str | None
    deadline: datetime | None
    overdue: bool
    overdue_since: datetime | None
    escalations: int
    handed_from_id: OptionalId = ref("handed_from")
    merged_into: OptionalId
    reason: str
    supporters: int
    resident_id: OptionalId = ref("resident")
    reporter_id: OptionalId = ref("reporter")
    address: str | None = Field(description="For those who may know it (else null).")
    contact_name: str | None = Field(description="For those who may know it (else null).")
    contact_phone: str | None
    preferred_time: str
    where: WhereOut | None
    contact: ContactOut | None = Field(
        description="Null for anyone but its area's staff and leaders, whoever asked and whoever works on it."
    )
    address_string: str | None = Field(description="What an Open311 client said of the place.")
    lat: float | None
    long: float | None
    media_url: str | None
    created_at: datetime
    updated_at: datetime
    may_cancel: bool = False
    may_join: bool = False
    may_triage: bool = False
    may_escalate: bool = False
    may_reject: bool = False
    may_merge: bool = False
    may_dispatch: bool = False
    may_progress: bool = False
    may_supervise: bool = Field(default=False, description="Issue a supervision notice (督办).")
    may_hand_down: bool = Field(default=False, description="Hand it down (交办) to a community or grid.")
    may_return: bool = Field(default=False, description="Return it (退回) to the level that handed it down.")
    may_take: bool = Field(default=False, description="A grid's leader takes it on.")
    may_add_photo: bool = False


class NeedPageOut(Out):
    items: list[NeedOut]
    next_cursor: str | None


class TriageIn(In):
    grade: Literal["A", "B", "C"] | None = None
    escalate: bool = Field(
        default=False, description="Escalate (上报) instead of grading: a reason is required."
    )
    reason: str = ""


class SuperviseIn(In):
    note: str
    answer_by: When


class HandDownIn(In):
    area_id: IdIn
    note: str
    deadline: When


class NoticeOut(Out):
    id: Id
    note: str
    answer_by: datetime
    answered_at: datetime | None
    overdue: bool
    area_id: Id = ref("area")
    issued_by_id: Id = ref("issued_by")
    created_at: datetime


class SupervisionItemOut(Out):
    need_id: Id
    handling_area_id: Id
    holder: str
    held_since: datetime
    status: str
    grade: str | None
    category: str
    overdue: bool
    overdue_since: datetime | None
    escalations: int
    notices: list[NoticeOut]


class SupervisionPageOut(Out):
    items: list[SupervisionItemOut]
    next_cursor: str | None


class ReasonIn(In):
    """Why: required or not, and how long, is the use case's to say (projects.limits), in the
    reader's language and naming the field."""

    reason: str = ""


class NoteIn(In):
    note: str


class MergeIn(In):
    into: IdIn


# -- tasks and claims ------------------------------------------------------------------------------


class TaskIn(In):
    title: str
    need_id: IdIn | None = None
    project_id: IdIn | None = None
    description: str = ""
    area_id: IdIn | None = None
    category: str | None = None
    capacity: int = Field(default=1, ge=1, le=limits.TASK_MAX_PEOPLE)
    points_per_hour: int | None = Field(default=None, ge=0, le=limits.TASK_MAX_POINTS_PER_HOUR)
    assignee: str | None = Field(
        default=None,
        pattern=r"^((member|organisation):)?[1-9][0-9]{0,17}$",
        description='A member id ("12" or "member:12") or an organisation or team ("organisation:3"); '
        "none publishes the task to the open pool.",
    )
    starts_at: When | None = None
    deadline: When | None = None


class DispatchIn(In):
    assignee: str | None = TaskIn.model_fields["assignee"]


class TaskOut(WithActions):
    id: Id
    status: str
    title: str
    description: str
    need_id: OptionalId = ref("need")
    project_id: OptionalId = ref("project")
    area_id: Id = ref("area")
    category: str
    capacity: int
    claimed: int
    points_per_hour: int
    assignee_member_id: OptionalId = ref("assignee_member")
    assignee_organisation_id: OptionalId = ref("assignee_organisation")
    starts_at: datetime | None
    deadline: datetime | None
    overdue: bool
    reason: str
    created_at: datetime
    where: WhereOut | None
    contact: ContactOut | None = Field(
        description="Null but for its area's staff and leaders and holders of an active claim or assignment."
    )
    preferred_time: str
    may_claim: bool = False
    may_send: bool = Field(default=False, description="Send a member of an organisation I represent.")
    may_accept: bool = False
    may_decline: bool = False
    may_dispatch: bool = False
    may_cancel: bool = False
    may_record: bool = Field(default=False, description="Record work someone did without a check-in.")


class TaskPageOut(Out):
    items: list[TaskOut]
    next_cursor: str | None


class ClaimIn(In):
    member_id: IdIn | None = None
    organisation_id: IdIn | None = None


class SubmitIn(In):
    minutes: int = Field(ge=1, le=limits.CLAIM_MAX_MINUTES)
    note: str = ""


class RecordIn(In):
    member_id: IdIn
    minutes: int = Field(ge=1, le=limits.CLAIM_MAX_MINUTES)
    note: str


class SettleIn(In):
    accept: bool
    minutes: int | None = Field(default=None, ge=1, le=limits.CLAIM_MAX_MINUTES)
    reason: str


class ClaimOut(WithActions):
    id: Id
    task_id: Id = ref("task")
    member_id: Id = ref("member")
    organisation_id: OptionalId = ref("organisation")
    status: str
    minutes: int | None
    note: str
    points: int | None
    transfer_id: str | None
    reason: str
    checked_in_at: datetime | None
    submitted_at: datetime | None
    decided_at: datetime | None
    created_at: datetime
    may_check_in: bool = False
    may_submit: bool = False
    may_withdraw: bool = False
    may_add_photo: bool = Field(default=False, description="Add photos of the work (the proof).")
    may_confirm: bool = False
    may_dispute: bool = False
    may_settle: bool = False
    may_approve: bool = Field(default=False, description="Approve as a second staff member (four eyes).")
    may_rate: bool = False


class ClaimListOut(Out):
    items: list[ClaimOut]


# -- projects --------------------------------------------------------------------------------------


class ProjectIn(In):
    title: str
    area_id: IdIn
    deadline: When
    content: str = ""
    measures: str = ""
    need_ids: list[IdIn] = Field(default=[], max_length=limits.PROJECT_MAX_NEEDS)


class ProjectClaimIn(In):
    organisation_id: IdIn


class MilestoneIn(In):
    title: str
    due: When


class ReportIn(In):
    report: str


class MilestoneOut(Out):
    id: Id
    title: str
    due: datetime
    done_at: datetime | None
    report: str


class ProgressOut(Out):
    id: Id
    author_id: Id = ref("author")
    text: str
    created_at: datetime


class ProjectOut(WithActions):
    id: Id
    status: str
    title: str
    content: str
    measures: str
    area_id: Id = ref("area")
    deadline: datetime
    organisation_id: OptionalId = ref("organisation")
    overdue: bool
    need_ids: list[Id] = ref("needs")
    milestones: list[MilestoneOut]
    progress: list[ProgressOut]
    created_at: datetime
    may_claim: bool = False
    may_plan: bool = Field(default=False, description="Plan a milestone.")
    may_report_milestone: bool = False
    may_progress: bool = False
    may_complete: bool = False
    may_cancel: bool = False


class ProjectListOut(Out):
    items: list[ProjectOut]


# -- ratings ---------------------------------------------------------------------------------------


class RatingIn(In):
    score: int = Field(ge=1, le=5)
    comment: str = ""


class RatingOut(Out):
    id: Id
    rater_id: Id = ref("rater")
    claim_id: OptionalId = ref("claim")
    resource_id: OptionalId = ref("resource")
    performer_id: OptionalId = ref("performer")
    leader_id: OptionalId = ref("leader")
    score: int
    comment: str
    period: str
    created_at: datetime


class StandingOut(Out):
    id: Id
    name: str
    ratings: int
    average: Annotated[str, BeforeValidator(str)] = Field(description="Average score, two decimal places.")


class StandingsOut(Out):
    subject: str
    period: str | None
    items: list[StandingOut]
