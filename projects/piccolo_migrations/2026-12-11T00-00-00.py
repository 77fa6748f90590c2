"""三评 published: residents' quarterly ratings of their unit, building and grid leaders (评三长),
the quarter's evaluation of a community frozen when it is published, and the year's recognition.
Published figures are append-only: the database itself refuses to change them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-11T00:00:00"
VERSION = "1.38.0"
DESCRIPTION = "projects: leader ratings, published evaluations, recognition"

FROZEN_MESSAGE = "frozen: published figures and issued certificates are never edited"
FROZEN_TABLES = ("projects_evaluation", "projects_evaluation_figure")

TABLES = """
CREATE TABLE projects_leader_rating (
    id {pk},
    rater BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    leader BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    -- The unit, building or grid the leader leads: each of a resident's once a quarter.
    area BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    score SMALLINT NOT NULL CHECK (score >= 1 AND score <= 5),
    comment TEXT NOT NULL DEFAULT '',
    period VARCHAR(8) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK (leader <> rater),
    UNIQUE (rater, area, period)
);
CREATE INDEX projects_leader_rating_leader ON projects_leader_rating (leader, period);
CREATE INDEX projects_leader_rating_period ON projects_leader_rating (period, area);
CREATE INDEX projects_rating_period ON projects_rating (period);

-- A community's evaluation of a quarter, published once the quarter has ended.
CREATE TABLE projects_evaluation (
    id {pk},
    community BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    period VARCHAR(8) NOT NULL,
    published_by BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    published_at TIMESTAMPTZ NOT NULL,
    UNIQUE (community, period)
);

-- Its figures as published: later ratings never change them. ``subject`` is the leader (a
-- member) or the resource; names are kept as they were published.
CREATE TABLE projects_evaluation_figure (
    id {pk},
    evaluation BIGINT NOT NULL REFERENCES projects_evaluation (id) ON DELETE RESTRICT,
    kind VARCHAR(16) NOT NULL
        CHECK (kind IN ('services', 'category', 'leader', 'leader_services', 'resource')),
    category VARCHAR(32) NOT NULL DEFAULT '',
    subject BIGINT,
    name VARCHAR(128) NOT NULL DEFAULT '',
    level VARCHAR(16) NOT NULL DEFAULT '',
    area_name VARCHAR(100) NOT NULL DEFAULT '',
    ratings INTEGER NOT NULL CHECK (ratings >= 0),
    score_total INTEGER NOT NULL CHECK (score_total >= ratings AND score_total <= 5 * ratings),
    -- Ratings of 4 or 5: satisfied (满意).
    satisfied INTEGER NOT NULL CHECK (satisfied >= 0 AND satisfied <= ratings),
    CHECK ((kind IN ('leader', 'leader_services', 'resource')) = (subject IS NOT NULL)),
    CHECK ((kind = 'category') = (category <> ''))
);
CREATE INDEX projects_evaluation_figure_evaluation ON projects_evaluation_figure (evaluation, kind);
CREATE INDEX projects_evaluation_figure_subject ON projects_evaluation_figure (kind, subject);

-- The year's honours (最美楼栋长, 优秀服务资源), with bonus points from the community's issuer.
CREATE TABLE projects_recognition (
    id {pk},
    community BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    year INTEGER NOT NULL CHECK (year >= 2000 AND year <= 2100),
    title VARCHAR(32) NOT NULL CHECK (title IN
        ('best_grid_leader', 'best_building_leader', 'best_unit_leader', 'excellent_resource')),
    leader BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    resource BIGINT REFERENCES projects_resource (id) ON DELETE RESTRICT,
    note TEXT NOT NULL DEFAULT '',
    bonus_points INTEGER NOT NULL DEFAULT 0 CHECK (bonus_points >= 0 AND bonus_points <= 1000),
    transfer_id VARCHAR(64),
    granted_by BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    granted_at TIMESTAMPTZ NOT NULL,
    CHECK ((leader IS NULL) <> (resource IS NULL)),
    CHECK ((title = 'excellent_resource') = (resource IS NOT NULL)),
    CHECK (transfer_id IS NULL OR bonus_points > 0)
);
CREATE UNIQUE INDEX projects_recognition_leader ON projects_recognition (community, year, leader)
    WHERE leader IS NOT NULL;
CREATE UNIQUE INDEX projects_recognition_resource ON projects_recognition (community, year, resource)
    WHERE resource IS NOT NULL
"""


def frozen_triggers(engine_type: str, tables: tuple[str, ...], message: str, function: str) -> list[str]:
    """Triggers that refuse every UPDATE and DELETE (and TRUNCATE) of ``tables``."""
    if engine_type == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{change} BEFORE {change.upper()} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for table in tables
            for change in ("update", "delete")
        ]
    statements = [
        f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
        END
        $$"""
    ]
    for table in tables:
        statements += [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    return statements


def split(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def statements(engine_type: str) -> list[str]:
    if engine_type == "sqlite":
        pk = "INTEGER PRIMARY KEY NOT NULL"
    else:
        pk = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY NOT NULL"
    return split(TABLES.format(pk=pk)) + frozen_triggers(
        engine_type, FROZEN_TABLES, FROZEN_MESSAGE, "projects_refuse_frozen"
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projects", description=DESCRIPTION)

    async def create_schema():
        engine = engine_finder()
        for statement in statements(engine.engine_type):
            await engine.run_ddl(statement)

    manager.add_raw(create_schema)
    return manager
