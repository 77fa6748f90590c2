"""The community's tables, mapped for Piccolo's query builder and admin.

The schema itself, with its CHECK constraints, partial unique indexes and the event log's
append-only triggers, is the hand-written migration in ``piccolo_migrations``: do not generate
``--auto`` migrations for this app.
"""

from piccolo.columns import (
    BigInt,
    Boolean,
    Bytea,
    Date,
    DoublePrecision,
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

AREA_LEVELS = ("district", "street", "community", "grid", "building", "unit")
ROLES = ("resident", "volunteer", "leader", "staff")
ORGANISATION_KINDS = ("enterprise", "social_organisation", "merchant", "government", "volunteer_team")
RESOURCE_KINDS = ("merchant", "social_organisation", "public_service", "volunteer_team", "enterprise")
RESOURCE_LEVELS = ("unit", "building", "grid", "community")
CHANNELS = ("door_visit", "online", "consultation", "hotline", "grid_patrol", "open311")
SCOPES = ("personal", "common")
GRADES = ("A", "B", "C")


def _fk(table, null: bool = True, on_delete: OnDelete = OnDelete.restrict) -> ForeignKey:
    return ForeignKey(table, null=null, on_delete=on_delete, default=None)


class Area(Table, tablename="projects_area"):
    """A node of district → street → community → grid → building → unit."""

    id = BigSerial(primary_key=True)
    parent = _fk("self")
    level = Varchar(length=16)
    name = Varchar(length=100)
    name_en = Varchar(length=100, default="")
    path = Varchar(length=255, default="", index=True)  # "/1/4/9/": the ids from the root down
    # A community's duty phone (值班电话): whom its common needs name where no grid leader is.
    duty_phone = Varchar(length=32, default="", help_text="值班电话（仅社区） A community's duty phone")
    created_at = Timestamptz()


class Member(Table, tablename="projects_member"):
    id = BigSerial(primary_key=True)
    phone = Varchar(length=20, unique=True)
    name = Varchar(length=64)
    password_hash = Varchar(length=255, secret=True)
    home_area = _fk(Area)  # the unit they live in
    is_admin = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz()
    # Notifications beyond the site (projects/profile.py); accounts (projects/registration.py).
    email = Varchar(length=254, default="")
    channels = Varchar(length=64, default="")
    lang = Varchar(length=8, default="zh")
    pending = Boolean(default=False)
    must_change_password = Boolean(default=False)


class Token(Table, tablename="projects_token"):
    """A bearer token, stored as its SHA-256: the database never holds one that works."""

    token_hash = Varchar(length=64, primary_key=True)
    member = _fk(Member, null=False, on_delete=OnDelete.cascade)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)  # None: not used since it was issued


class Role(Table, tablename="projects_role"):
    """A role granted in an area: resident or volunteer there, its leader, or its staff."""

    id = BigSerial(primary_key=True)
    member = _fk(Member, null=False, on_delete=OnDelete.cascade)
    area = _fk(Area, null=False)
    role = Varchar(length=16)
    created_at = Timestamptz()


class Organisation(Table, tablename="projects_organisation"):
    id = BigSerial(primary_key=True)
    name = Varchar(length=128)
    kind = Varchar(length=24)
    area = _fk(Area, null=False)
    description = Text(default="")
    created_at = Timestamptz()


class OrganisationMember(Table, tablename="projects_organisation_member"):
    id = BigSerial(primary_key=True)
    organisation = _fk(Organisation, null=False, on_delete=OnDelete.cascade)
    member = _fk(Member, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=16)  # representative (acts for it) or member
    created_at = Timestamptz()


class Category(Table, tablename="projects_category"):
    code = Varchar(length=32, primary_key=True)
    parent = ForeignKey("self", target_column="code", null=True, default=None, on_delete=OnDelete.restrict)
    name = Varchar(length=64)
    name_en = Varchar(length=64, default="")
    points_per_hour = Integer()
    position = Integer(default=0)
    active = Boolean(default=True)


class Grade(Table, tablename="projects_grade"):
    """How long each grade allows ("new": the time allowed for triage itself): hours, or
    working days (the same clock time on the Nth working day in China)."""

    grade = Varchar(length=8, primary_key=True)
    deadline_hours = Integer(null=True, default=None)
    deadline_working_days = Integer(null=True, default=None)


class CalendarDay(Table, tablename="projects_calendar_day"):
    """A holiday or make-up working day (调休) of a year the calendar package does not know yet."""

    id = BigSerial(primary_key=True)
    day = Date(unique=True)
    working = Boolean()
    note = Varchar(length=100, default="")


class IssuancePolicy(Table, tablename="projects_issuance_policy"):
    """A community's caps and four-eyes thresholds on issuing points (none: DESIGN's defaults)."""

    id = BigSerial(primary_key=True)
    community = ForeignKey(Area, null=False, unique=True, on_delete=OnDelete.restrict)
    max_points_per_hour = Integer()
    max_minutes_per_claim = Integer()
    max_minutes_per_day = Integer()
    max_capacity = Integer()
    approval_over_points = BigInt()
    approval_over_fen = BigInt()
    updated_by = _fk(Member, null=False)
    updated_at = Timestamptz()


class Resource(Table, tablename="projects_resource"):
    """An entry of the service resource library (服务资源库)."""

    id = BigSerial(primary_key=True)
    name = Varchar(length=128)
    kind = Varchar(length=24)
    level = Varchar(length=16)
    organisation = _fk(Organisation, on_delete=OnDelete.set_null)
    area = _fk(Area, null=False)
    description = Text(default="")
    contact = Varchar(length=64, default="")
    created_at = Timestamptz()


class ResourceCategory(Table, tablename="projects_resource_category"):
    id = BigSerial(primary_key=True)
    resource = _fk(Resource, null=False, on_delete=OnDelete.cascade)
    category = ForeignKey(Category, target_column="code", null=False, on_delete=OnDelete.restrict)


class ResourceCoverage(Table, tablename="projects_resource_coverage"):
    id = BigSerial(primary_key=True)
    resource = _fk(Resource, null=False, on_delete=OnDelete.cascade)
    area = _fk(Area, null=False)


class Need(Table, tablename="projects_need"):
    id = BigSerial(primary_key=True)
    resident = _fk(Member, null=False)
    reporter = _fk(Member, null=False)
    channel = Varchar(length=16)
    category = ForeignKey(Category, target_column="code", null=False, on_delete=OnDelete.restrict)
    area = _fk(Area, null=False)
    handling_area = _fk(Area, null=False)
    scope = Varchar(length=8)
    description = Text()
    status = Varchar(length=16)
    grade = Varchar(length=1, null=True, default=None)
    deadline = Timestamptz(null=True, default=None)
    overdue = Boolean(default=False)
    overdue_since = Timestamptz(null=True, default=None)
    escalations = Integer(default=0)
    handed_from = _fk(Area)  # the area that handed it down (交办), where a return (退回) goes
    merged_into = _fk("self")
    reason = Text(default="")
    supporters = Integer(default=0)
    handled_by = _fk(Member)
    # The work order: where inside the area, whom to call (empty: the resident), when suits them.
    address = Varchar(length=100, default="")
    contact_name = Varchar(length=64, default="")
    contact_phone = Varchar(length=32, default="")
    preferred_time = Varchar(length=100, default="")
    # What an Open311 client sent about the place, as it sent it.
    address_string = Varchar(length=200, default="")
    lat = DoublePrecision(null=True, default=None)
    long = DoublePrecision(null=True, default=None)
    media_url = Varchar(length=1000, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Notice(Table, tablename="projects_notice"):
    """A supervision notice (督办单) on a need, from staff of a level above its holder."""

    id = BigSerial(primary_key=True)
    need = _fk(Need, null=False)
    area = _fk(Area, null=False)  # the level that issued it
    issued_by = _fk(Member, null=False)
    note = Text()
    answer_by = Timestamptz()
    answered_at = Timestamptz(null=True, default=None)
    answered_by = _fk(Member)
    overdue = Boolean(default=False)
    created_at = Timestamptz()


class NeedSupporter(Table, tablename="projects_need_supporter"):
    id = BigSerial(primary_key=True)
    need = _fk(Need, null=False, on_delete=OnDelete.cascade)
    member = _fk(Member, null=False, on_delete=OnDelete.cascade)
    created_at = Timestamptz()


class Project(Table, tablename="projects_project"):
    """A service project (服务项目书) drawn up from common needs and claimed by an organisation."""

    id = BigSerial(primary_key=True)
    title = Varchar(length=128)
    content = Text(default="")
    measures = Text(default="")
    area = _fk(Area, null=False)
    deadline = Timestamptz()
    organisation = _fk(Organisation)
    status = Varchar(length=16)
    overdue = Boolean(default=False)
    created_by = _fk(Member, null=False)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ProjectNeed(Table, tablename="projects_project_need"):
    id = BigSerial(primary_key=True)
    project = _fk(Project, null=False, on_delete=OnDelete.cascade)
    need = _fk(Need, null=False)


class Milestone(Table, tablename="projects_milestone"):
    id = BigSerial(primary_key=True)
    project = _fk(Project, null=False, on_delete=OnDelete.cascade)
    title = Varchar(length=128)
    due = Timestamptz()
    done_at = Timestamptz(null=True, default=None)
    report = Text(default="")


class Progress(Table, tablename="projects_progress"):
    id = BigSerial(primary_key=True)
    project = _fk(Project, null=False, on_delete=OnDelete.cascade)
    author = _fk(Member, null=False)
    text = Text()
    created_at = Timestamptz()


class Task(Table, tablename="projects_task"):
    id = BigSerial(primary_key=True)
    need = _fk(Need)
    project = _fk(Project)
    title = Varchar(length=128)
    description = Text(default="")
    area = _fk(Area, null=False)
    category = ForeignKey(Category, target_column="code", null=False, on_delete=OnDelete.restrict)
    capacity = Integer()
    claimed = Integer(default=0)
    points_per_hour = Integer()
    status = Varchar(length=16)
    assignee_member = _fk(Member)
    assignee_organisation = _fk(Organisation)
    starts_at = Timestamptz(null=True, default=None)
    deadline = Timestamptz(null=True, default=None)
    overdue = Boolean(default=False)
    reason = Text(default="")
    created_by = _fk(Member, null=False)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Claim(Table, tablename="projects_claim"):
    id = BigSerial(primary_key=True)
    task = _fk(Task, null=False)
    member = _fk(Member, null=False)
    organisation = _fk(Organisation)  # the organisation that claimed for this member, if any
    status = Varchar(length=24)
    minutes = Integer(null=True, default=None)
    note = Text(default="")
    points = BigInt(null=True, default=None)
    transfer_id = Varchar(length=64, null=True, default=None)
    reason = Text(default="")
    checked_in_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    decided_by = _fk(Member)
    decided_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Rating(Table, tablename="projects_rating"):
    """三评: a resident's score of a confirmed service (which also rates its performer and the
    leader who handled it), or of a resource (once per quarter)."""

    id = BigSerial(primary_key=True)
    rater = _fk(Member, null=False)
    claim = _fk(Claim)
    resource = _fk(Resource)
    performer = _fk(Member)
    leader = _fk(Member)
    score = SmallInt()
    comment = Text(default="")
    period = Varchar(length=8)  # "2026Q4": results are published per quarter
    created_at = Timestamptz()


class Event(Table, tablename="projects_event"):
    """The trace (痕迹): every state change of a need, task, claim or project. Append-only."""

    seq = BigSerial(primary_key=True)
    subject = Varchar(length=8)
    subject_id = BigInt()
    action = Varchar(length=24)
    from_state = Varchar(length=24, default="")
    to_state = Varchar(length=24, default="")
    actor = _fk(Member)
    reason = Text(default="")
    created_at = Timestamptz()


class Photo(Table, tablename="projects_photo"):
    """A photo of a need, of one of its progress reports, or of a claim's work (the proof): its
    image and thumbnail are files in the media directory named by ``file_key``."""

    id = BigSerial(primary_key=True)
    need = _fk(Need)
    report = ForeignKey(Event, target_column="seq", null=True, default=None, on_delete=OnDelete.restrict)
    claim = _fk(Claim)
    uploaded_by = _fk(Member, null=False)
    file_key = Varchar(length=64, unique=True, secret=True)
    width = Integer()
    height = Integer()
    bytes = Integer()
    created_at = Timestamptz()


class AdminEdit(Table, tablename="projects_admin_edit"):
    """An insert, update or delete made through Piccolo Admin: who, when, which row, the row
    before and after (JSON). Append-only."""

    id = BigSerial(primary_key=True)
    member = _fk(Member)
    username = Varchar(length=100)
    table_name = Varchar(length=64)
    row_key = Varchar(length=200)
    action = Varchar(length=8)
    before = Text(default="")
    after = Text(default="")
    created_at = Timestamptz()


class SigninAttempt(Table, tablename="projects_signin_attempt"):
    """A sign-in being checked, or failed (a success removes the rows of its number from its address)."""

    id = BigSerial(primary_key=True)
    phone = Varchar(length=32)
    address = Varchar(length=64)
    failed = Boolean(default=False)
    created_at = Timestamptz()


class Setting(Table, tablename="projects_setting"):
    """The site's settings, shared by every process (the secret that signs the pages' tokens)."""

    key = Varchar(length=64, primary_key=True)
    value = Text()


class Lease(Table, tablename="projects_lease"):
    """Who runs a periodic job now (``projects.leases``): one holder at a time, until it expires."""

    name = Varchar(length=64, primary_key=True)
    holder = Varchar(length=128)
    taken_at = Timestamptz()
    renewed_at = Timestamptz()
    expires_at = Timestamptz()


class Open311Client(Table, tablename="projects_open311_client"):
    """A civic-reporting app that submits needs through Open311 GeoReport v2, for one community."""

    id = BigSerial(primary_key=True)
    name = Varchar(length=100)
    key_hash = Varchar(length=64, unique=True, secret=True)
    community = _fk(Area, null=False)
    member = _fk(Member, null=False)
    active = Boolean(default=True)
    created_at = Timestamptz()


class LeaderRating(Table, tablename="projects_leader_rating"):
    """评三长: a resident's score of the leader of their unit, building or grid, once a quarter."""

    id = BigSerial(primary_key=True)
    rater = _fk(Member, null=False)
    leader = _fk(Member, null=False)
    area = _fk(Area, null=False)
    score = SmallInt()
    comment = Text(default="")
    period = Varchar(length=8)
    created_at = Timestamptz()


class Evaluation(Table, tablename="projects_evaluation"):
    """A community's evaluation of a quarter (三评), published once the quarter has ended."""

    id = BigSerial(primary_key=True)
    community = _fk(Area, null=False)
    period = Varchar(length=8)
    published_by = _fk(Member, null=False)
    published_at = Timestamptz()


class EvaluationFigure(Table, tablename="projects_evaluation_figure"):
    """One published figure: frozen, whatever is rated later."""

    id = BigSerial(primary_key=True)
    evaluation = _fk(Evaluation, null=False)
    kind = Varchar(length=16)  # services, category, leader, leader_services, resource
    category = Varchar(length=32, default="")
    subject = BigInt(null=True, default=None)  # the leader (a member) or the resource
    name = Varchar(length=128, default="")
    level = Varchar(length=16, default="")
    area_name = Varchar(length=100, default="")
    ratings = Integer()
    score_total = Integer()
    satisfied = Integer()  # ratings of 4 or 5


class Recognition(Table, tablename="projects_recognition"):
    """The year's honours: 最美楼栋长 (and grid, unit leaders), 优秀服务资源."""

    id = BigSerial(primary_key=True)
    community = _fk(Area, null=False)
    year = Integer()
    title = Varchar(length=32)
    leader = _fk(Member)
    resource = _fk(Resource)
    note = Text(default="")
    bonus_points = Integer(default=0)
    transfer_id = Varchar(length=64, null=True, default=None)
    granted_by = _fk(Member, null=False)
    granted_at = Timestamptz()
    status = Varchar(length=24, default="granted")  # or awaiting_approval: no transfer yet
    approved_by = _fk(Member)
    approved_at = Timestamptz(null=True, default=None)


class RecognitionEvent(Table, tablename="projects_recognition_event"):
    """The recognitions' trace (granted, awaiting approval, approved). Append-only."""

    seq = BigSerial(primary_key=True)
    subject = Varchar(length=12)
    subject_id = BigInt()
    action = Varchar(length=24)
    from_state = Varchar(length=24, default="")
    to_state = Varchar(length=24, default="")
    actor = _fk(Member)
    reason = Text(default="")
    created_at = Timestamptz()


class IssuanceReport(Table, tablename="projects_issuance_report"):
    """A community's day of issuing points (day: YYYYMMDD in China), written once."""

    id = BigSerial(primary_key=True)
    community = _fk(Area, null=False)
    day = Integer()
    points = BigInt()
    issues = Integer()
    issuers = Text(default="[]")  # JSON: [{"member", "name", "points", "issues"}]
    flags = Text(default="[]")  # JSON: [{"kind", ...}]
    created_at = Timestamptz()


class Survey(Table, tablename="projects_survey"):
    """评社区: a survey put to a random sample of an area's residents."""

    id = BigSerial(primary_key=True)
    area = _fk(Area, null=False)
    title = Varchar(length=128)
    description = Text(default="")
    status = Varchar(length=16)  # draft, open (drawn), published
    sample_size = Integer()
    closes_at = Timestamptz()
    seed = Varchar(length=64, null=True, default=None)
    frame_size = Integer(null=True, default=None)
    drawn_by = _fk(Member)
    drawn_at = Timestamptz(null=True, default=None)
    published_by = _fk(Member)
    published_at = Timestamptz(null=True, default=None)
    created_by = _fk(Member, null=False)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class SurveyQuestion(Table, tablename="projects_survey_question"):
    id = BigSerial(primary_key=True)
    survey = _fk(Survey, null=False)
    position = Integer()
    kind = Varchar(length=8)  # score (1 to 5) or text
    prompt = Varchar(length=500)


class SurveyFrame(Table, tablename="projects_survey_frame"):
    """A resident of the frame as drawn: whether sampled, and whether they took part."""

    id = BigSerial(primary_key=True)
    survey = _fk(Survey, null=False)
    member = _fk(Member, null=False)
    community = _fk(Area, null=False)
    sampled = Boolean()
    answered = Boolean(default=False)


class SurveyBallot(Table, tablename="projects_survey_ballot"):
    """What one participant answered: a random key, the community, and nothing of who or when."""

    id = Varchar(length=32, primary_key=True)
    survey = _fk(Survey, null=False)
    community = _fk(Area, null=False)


class SurveyAnswer(Table, tablename="projects_survey_answer"):
    id = Varchar(length=32, primary_key=True)
    ballot = ForeignKey(SurveyBallot, null=False, on_delete=OnDelete.restrict)
    question = _fk(SurveyQuestion, null=False)
    score = SmallInt(null=True, default=None)
    text = Text(default="")


class SurveyFigure(Table, tablename="projects_survey_figure"):
    """A survey's published results for one community: frozen."""

    id = BigSerial(primary_key=True)
    survey = _fk(Survey, null=False)
    community = _fk(Area, null=False)
    question = _fk(SurveyQuestion)  # None: who was sampled and who took part
    sampled = Integer(default=0)
    answered = Integer(default=0)
    score_1 = Integer(default=0)
    score_2 = Integer(default=0)
    score_3 = Integer(default=0)
    score_4 = Integer(default=0)
    score_5 = Integer(default=0)


class Certifier(Table, tablename="projects_certifier"):
    """Who signs a community's or an organisation's certificates, and its seal."""

    id = BigSerial(primary_key=True)
    community = _fk(Area)
    organisation = _fk(Organisation)
    person_in_charge = Varchar(length=64, default="")
    handler = Varchar(length=64, default="")
    phone = Varchar(length=32, default="")
    seal_png = Bytea(null=True, default=None)
    updated_by = _fk(Member, null=False)
    updated_at = Timestamptz()


class Certificate(Table, tablename="projects_certificate"):
    """A volunteer hours certificate (志愿服务记录证明) as issued: frozen."""

    id = BigSerial(primary_key=True)
    code = Varchar(length=32, unique=True, secret=True)
    member = _fk(Member, null=False)
    volunteer_name = Varchar(length=64)
    volunteer_number = Varchar(length=32)
    period_from = Date()
    period_to = Date()
    minutes = Integer()
    issuers = Text()  # JSON, as they were when it was issued
    issued_at = Timestamptz()


class CertificateLine(Table, tablename="projects_certificate_line"):
    id = BigSerial(primary_key=True)
    certificate = _fk(Certificate, null=False)
    claim = _fk(Claim, null=False)
    community = _fk(Area, null=False)
    organisation = _fk(Organisation)
    category = Varchar(length=32)
    title = Varchar(length=128)
    served_on = Date()
    minutes = Integer()


class Indicator(Table, tablename="projects_indicator"):
    """A node of the indicator system (the Zhifu model): its weight among its siblings, and for a
    leaf where its score comes from (a statistic, a survey question, an assessor)."""

    id = BigSerial(primary_key=True)
    parent = _fk("self")
    name = Varchar(length=100)
    weight = Integer()
    source = Varchar(length=16)  # children, statistic, survey or assessment
    statistic = Varchar(length=32, default="")
    question = _fk(SurveyQuestion)
    position = Integer(default=0)


class Assessor(Table, tablename="projects_assessor"):
    """Staff of a street or district who score communities' assessment indicators."""

    id = BigSerial(primary_key=True)
    member = _fk(Member, null=False)
    area = _fk(Area, null=False)
    created_at = Timestamptz()


class Assessment(Table, tablename="projects_assessment"):
    """An assessor's score (0-100) of one indicator for a community's year, with a note."""

    id = BigSerial(primary_key=True)
    indicator = _fk(Indicator, null=False)
    community = _fk(Area, null=False)
    year = Integer()
    score = Integer()
    note = Text()
    assessor = _fk(Member, null=False)
    created_at = Timestamptz()
    updated_at = Timestamptz()
