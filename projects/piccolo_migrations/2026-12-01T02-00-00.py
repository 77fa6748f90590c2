"""The community and the loop: areas, people, categories, resources, needs, tasks, claims,
service projects, ratings and the append-only event trace. Written by hand, like the ledger's:
CHECK constraints, partial unique indexes and triggers are the rules the database itself keeps.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T02:00:00"
VERSION = "1.38.0"
DESCRIPTION = "projects: areas, members, organisations, resources, categories, needs, tasks, ratings, events"

APPEND_ONLY_MESSAGE = "projects_event is append-only: the trace is never edited"

TABLES = """
CREATE TABLE projects_area (
    id {pk},
    parent BIGINT REFERENCES projects_area (id) ON DELETE RESTRICT,
    level VARCHAR(16) NOT NULL
        CHECK (level IN ('district', 'street', 'community', 'grid', 'building', 'unit')),
    name VARCHAR(100) NOT NULL CHECK (name <> ''),
    name_en VARCHAR(100) NOT NULL DEFAULT '',
    -- '/1/4/9/': the ids from the root down. Everything under an area is one index range scan.
    path VARCHAR(255) {binary} NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    CHECK ((parent IS NULL) = (level = 'district'))
);
CREATE INDEX projects_area_parent ON projects_area (parent);
CREATE INDEX projects_area_path ON projects_area (path);

CREATE TABLE projects_member (
    id {pk},
    phone VARCHAR(20) NOT NULL UNIQUE CHECK (phone <> ''),
    name VARCHAR(64) NOT NULL CHECK (name <> ''),
    password_hash VARCHAR(255) NOT NULL,
    home_area BIGINT REFERENCES projects_area (id) ON DELETE RESTRICT,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX projects_member_home_area ON projects_member (home_area);

CREATE TABLE projects_token (
    token_hash VARCHAR(64) PRIMARY KEY NOT NULL,
    member BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX projects_token_member ON projects_token (member);

CREATE TABLE projects_role (
    id {pk},
    member BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE CASCADE,
    area BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    role VARCHAR(16) NOT NULL CHECK (role IN ('resident', 'volunteer', 'leader', 'staff')),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (member, area, role)
);
CREATE INDEX projects_role_area ON projects_role (area, role);
-- At most one leader per area: the unit, building or grid leader of the "three leaders".
CREATE UNIQUE INDEX projects_role_one_leader ON projects_role (area) WHERE role = 'leader';

CREATE TABLE projects_organisation (
    id {pk},
    name VARCHAR(128) NOT NULL CHECK (name <> ''),
    kind VARCHAR(24) NOT NULL CHECK (kind IN
        ('enterprise', 'social_organisation', 'merchant', 'government', 'volunteer_team')),
    area BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    description TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX projects_organisation_area ON projects_organisation (area);

CREATE TABLE projects_organisation_member (
    id {pk},
    organisation BIGINT NOT NULL REFERENCES projects_organisation (id) ON DELETE CASCADE,
    member BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE CASCADE,
    role VARCHAR(16) NOT NULL CHECK (role IN ('representative', 'member')),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (organisation, member)
);
CREATE INDEX projects_organisation_member_member ON projects_organisation_member (member);

CREATE TABLE projects_category (
    code VARCHAR(32) PRIMARY KEY NOT NULL CHECK (code <> ''),
    parent VARCHAR(32) REFERENCES projects_category (code) ON DELETE RESTRICT,
    name VARCHAR(64) NOT NULL CHECK (name <> ''),
    name_en VARCHAR(64) NOT NULL DEFAULT '',
    points_per_hour INTEGER NOT NULL CHECK (points_per_hour >= 0 AND points_per_hour <= 1000),
    position INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    CHECK (parent IS NULL OR parent <> code)
);
CREATE INDEX projects_category_parent ON projects_category (parent);

-- How long each grade may take (configurable): 'new' is the time allowed for triage itself.
CREATE TABLE projects_grade (
    grade VARCHAR(8) PRIMARY KEY NOT NULL CHECK (grade IN ('new', 'A', 'B', 'C')),
    deadline_hours INTEGER NOT NULL CHECK (deadline_hours > 0 AND deadline_hours <= 8784)
);

CREATE TABLE projects_resource (
    id {pk},
    name VARCHAR(128) NOT NULL CHECK (name <> ''),
    kind VARCHAR(24) NOT NULL CHECK (kind IN
        ('merchant', 'social_organisation', 'public_service', 'volunteer_team', 'enterprise')),
    level VARCHAR(16) NOT NULL CHECK (level IN ('unit', 'building', 'grid', 'community')),
    organisation BIGINT REFERENCES projects_organisation (id) ON DELETE SET NULL,
    area BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    description TEXT NOT NULL DEFAULT '',
    contact VARCHAR(64) NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX projects_resource_area ON projects_resource (area);

CREATE TABLE projects_resource_category (
    id {pk},
    resource BIGINT NOT NULL REFERENCES projects_resource (id) ON DELETE CASCADE,
    category VARCHAR(32) NOT NULL REFERENCES projects_category (code) ON DELETE RESTRICT,
    UNIQUE (resource, category)
);

CREATE TABLE projects_resource_coverage (
    id {pk},
    resource BIGINT NOT NULL REFERENCES projects_resource (id) ON DELETE CASCADE,
    area BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    UNIQUE (resource, area)
);
CREATE INDEX projects_resource_coverage_area ON projects_resource_coverage (area);

CREATE TABLE projects_need (
    id {pk},
    resident BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    reporter BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    channel VARCHAR(16) NOT NULL CHECK (channel IN
        ('door_visit', 'online', 'consultation', 'hotline', 'grid_patrol', 'open311')),
    category VARCHAR(32) NOT NULL REFERENCES projects_category (code) ON DELETE RESTRICT,
    area BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    -- Who handles it now: the community, or the street or district after escalation.
    handling_area BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    scope VARCHAR(8) NOT NULL CHECK (scope IN ('personal', 'common')),
    description TEXT NOT NULL CHECK (description <> ''),
    status VARCHAR(16) NOT NULL CHECK (status IN
        ('new', 'triaged', 'in_progress', 'done', 'rejected', 'merged', 'cancelled')),
    grade VARCHAR(1) CHECK (grade IS NULL OR grade IN ('A', 'B', 'C')),
    deadline TIMESTAMPTZ,
    overdue BOOLEAN NOT NULL DEFAULT FALSE,
    escalations INTEGER NOT NULL DEFAULT 0 CHECK (escalations >= 0),
    merged_into BIGINT REFERENCES projects_need (id) ON DELETE RESTRICT,
    reason TEXT NOT NULL DEFAULT '',
    supporters INTEGER NOT NULL DEFAULT 0 CHECK (supporters >= 0),
    handled_by BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK ((status = 'merged') = (merged_into IS NOT NULL)),
    CHECK (status NOT IN ('triaged', 'in_progress') OR grade IS NOT NULL)
);
CREATE INDEX projects_need_resident ON projects_need (resident, id);
CREATE INDEX projects_need_reporter ON projects_need (reporter, id);
CREATE INDEX projects_need_area ON projects_need (area, id);
CREATE INDEX projects_need_handling ON projects_need (handling_area, status);
CREATE INDEX projects_need_deadline ON projects_need (deadline)
    WHERE status IN ('new', 'triaged', 'in_progress');

CREATE TABLE projects_need_supporter (
    id {pk},
    need BIGINT NOT NULL REFERENCES projects_need (id) ON DELETE CASCADE,
    member BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (need, member)
);

CREATE TABLE projects_project (
    id {pk},
    title VARCHAR(128) NOT NULL CHECK (title <> ''),
    content TEXT NOT NULL DEFAULT '',
    measures TEXT NOT NULL DEFAULT '',
    area BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    deadline TIMESTAMPTZ NOT NULL,
    organisation BIGINT REFERENCES projects_organisation (id) ON DELETE RESTRICT,
    status VARCHAR(16) NOT NULL CHECK (status IN
        ('published', 'claimed', 'completed', 'cancelled')),
    overdue BOOLEAN NOT NULL DEFAULT FALSE,
    created_by BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (status IN ('published', 'cancelled') OR organisation IS NOT NULL)
);
CREATE INDEX projects_project_area ON projects_project (area, id);
CREATE INDEX projects_project_organisation ON projects_project (organisation);

CREATE TABLE projects_project_need (
    id {pk},
    project BIGINT NOT NULL REFERENCES projects_project (id) ON DELETE CASCADE,
    need BIGINT NOT NULL REFERENCES projects_need (id) ON DELETE RESTRICT,
    UNIQUE (project, need)
);
CREATE INDEX projects_project_need_need ON projects_project_need (need);

CREATE TABLE projects_milestone (
    id {pk},
    project BIGINT NOT NULL REFERENCES projects_project (id) ON DELETE CASCADE,
    title VARCHAR(128) NOT NULL CHECK (title <> ''),
    due TIMESTAMPTZ NOT NULL,
    done_at TIMESTAMPTZ,
    report TEXT NOT NULL DEFAULT ''
);
CREATE INDEX projects_milestone_project ON projects_milestone (project, due);

CREATE TABLE projects_progress (
    id {pk},
    project BIGINT NOT NULL REFERENCES projects_project (id) ON DELETE CASCADE,
    author BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    text TEXT NOT NULL CHECK (text <> ''),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX projects_progress_project ON projects_progress (project, id);

CREATE TABLE projects_task (
    id {pk},
    need BIGINT REFERENCES projects_need (id) ON DELETE RESTRICT,
    project BIGINT REFERENCES projects_project (id) ON DELETE RESTRICT,
    title VARCHAR(128) NOT NULL CHECK (title <> ''),
    description TEXT NOT NULL DEFAULT '',
    area BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    category VARCHAR(32) NOT NULL REFERENCES projects_category (code) ON DELETE RESTRICT,
    capacity INTEGER NOT NULL CHECK (capacity >= 1 AND capacity <= 1000),
    -- Active claims, kept by the same conditional update that admits a claim: the last place
    -- is given once, on either engine, whatever runs at the same time.
    claimed INTEGER NOT NULL DEFAULT 0 CHECK (claimed >= 0 AND claimed <= capacity),
    points_per_hour INTEGER NOT NULL CHECK (points_per_hour >= 0 AND points_per_hour <= 1000),
    status VARCHAR(16) NOT NULL CHECK (status IN
        ('offered', 'declined', 'open', 'full', 'done', 'cancelled', 'expired')),
    assignee_member BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    assignee_organisation BIGINT REFERENCES projects_organisation (id) ON DELETE RESTRICT,
    starts_at TIMESTAMPTZ,
    deadline TIMESTAMPTZ,
    overdue BOOLEAN NOT NULL DEFAULT FALSE,
    reason TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (assignee_member IS NULL OR assignee_organisation IS NULL)
);
CREATE INDEX projects_task_status ON projects_task (status, id);
CREATE INDEX projects_task_area ON projects_task (area, id);
CREATE INDEX projects_task_need ON projects_task (need);
CREATE INDEX projects_task_project ON projects_task (project);
CREATE INDEX projects_task_deadline ON projects_task (deadline) WHERE status IN ('offered', 'open', 'full');

CREATE TABLE projects_claim (
    id {pk},
    task BIGINT NOT NULL REFERENCES projects_task (id) ON DELETE RESTRICT,
    member BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    organisation BIGINT REFERENCES projects_organisation (id) ON DELETE RESTRICT,
    status VARCHAR(16) NOT NULL CHECK (status IN
        ('claimed', 'checked_in', 'submitted', 'disputed', 'confirmed', 'rejected', 'withdrawn',
         'cancelled')),
    minutes INTEGER CHECK (minutes IS NULL OR (minutes >= 1 AND minutes <= 1440)),
    note TEXT NOT NULL DEFAULT '',
    points BIGINT CHECK (points IS NULL OR points >= 0),
    transfer_id VARCHAR(64),
    reason TEXT NOT NULL DEFAULT '',
    checked_in_at TIMESTAMPTZ,
    submitted_at TIMESTAMPTZ,
    decided_by BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    decided_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (status NOT IN ('submitted', 'disputed', 'confirmed') OR minutes IS NOT NULL),
    CHECK ((status = 'confirmed') = (points IS NOT NULL))
);
CREATE INDEX projects_claim_task ON projects_claim (task, id);
CREATE INDEX projects_claim_member ON projects_claim (member, id);
-- One live claim per member per task (a withdrawn one may be followed by a new one).
CREATE UNIQUE INDEX projects_claim_one_per_member ON projects_claim (task, member)
    WHERE status NOT IN ('withdrawn', 'cancelled');

CREATE TABLE projects_rating (
    id {pk},
    rater BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    claim BIGINT REFERENCES projects_claim (id) ON DELETE RESTRICT,
    resource BIGINT REFERENCES projects_resource (id) ON DELETE RESTRICT,
    performer BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    leader BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    score SMALLINT NOT NULL CHECK (score >= 1 AND score <= 5),
    comment TEXT NOT NULL DEFAULT '',
    period VARCHAR(8) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK ((claim IS NULL) <> (resource IS NULL)),
    CHECK (performer IS NULL OR performer <> rater)
);
CREATE UNIQUE INDEX projects_rating_claim ON projects_rating (claim, rater) WHERE claim IS NOT NULL;
CREATE UNIQUE INDEX projects_rating_resource ON projects_rating (resource, rater, period)
    WHERE resource IS NOT NULL;
CREATE INDEX projects_rating_performer ON projects_rating (performer, period);
CREATE INDEX projects_rating_leader ON projects_rating (leader, period);

CREATE TABLE projects_event (
    seq {pk},
    subject VARCHAR(8) NOT NULL CHECK (subject IN ('need', 'task', 'claim', 'project')),
    subject_id BIGINT NOT NULL,
    action VARCHAR(24) NOT NULL,
    from_state VARCHAR(16) NOT NULL DEFAULT '',
    to_state VARCHAR(16) NOT NULL DEFAULT '',
    actor BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX projects_event_subject ON projects_event (subject, subject_id, seq);

INSERT INTO projects_grade (grade, deadline_hours) VALUES ('new', 24), ('A', 24), ('B', 168), ('C', 720);
"""

SQLITE_APPEND_ONLY = [
    f"""CREATE TRIGGER projects_event_no_{change} BEFORE {change.upper()} ON projects_event
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"""
    for change in ("update", "delete")
]

POSTGRES_APPEND_ONLY = [
    f"""CREATE FUNCTION projects_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'restrict_violation';
    END
    $$""",
    "CREATE TRIGGER projects_event_no_update BEFORE UPDATE OR DELETE ON projects_event "
    "FOR EACH ROW EXECUTE FUNCTION projects_refuse_change()",
    "CREATE TRIGGER projects_event_no_truncate BEFORE TRUNCATE ON projects_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION projects_refuse_change()",
]


def statements(engine_type: str) -> list[str]:
    """The DDL for one engine, one statement per item."""
    if engine_type == "sqlite":
        return _split(TABLES.format(pk="INTEGER PRIMARY KEY NOT NULL", binary="")) + SQLITE_APPEND_ONLY
    # Paths compare byte by byte ('/' sorts just before '0'), whatever the database's collation.
    pk = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY NOT NULL"
    return _split(TABLES.format(pk=pk, binary='COLLATE "C"')) + POSTGRES_APPEND_ONLY


def _split(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projects", description=DESCRIPTION)

    async def create_schema():
        engine = engine_finder()
        for statement in statements(engine.engine_type):
            await engine.run_ddl(statement)

    manager.add_raw(create_schema)
    return manager
