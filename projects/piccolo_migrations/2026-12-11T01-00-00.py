"""评社区: random-sample surveys. The sampling frame and the seed are frozen with the draw, so the
sample can be drawn again by anyone; who took part (the frame's ``answered``) is kept apart from
what was answered (ballots and answers with random keys, no member and no time), and the
published figures are frozen."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-11T01:00:00"
VERSION = "1.38.0"
DESCRIPTION = "projects: surveys, their frames, anonymous ballots and published figures"

FROZEN_MESSAGE = "frozen: published figures and issued certificates are never edited"

TABLES = """
CREATE TABLE projects_survey (
    id {pk},
    area BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    title VARCHAR(128) NOT NULL CHECK (title <> ''),
    description TEXT NOT NULL DEFAULT '',
    status VARCHAR(16) NOT NULL CHECK (status IN ('draft', 'open', 'published')),
    sample_size INTEGER NOT NULL CHECK (sample_size >= 1 AND sample_size <= 100000),
    closes_at TIMESTAMPTZ NOT NULL,
    -- 64 hexadecimal digits, drawn when the sample is: with the frame, the sample again.
    seed VARCHAR(64),
    frame_size INTEGER CHECK (frame_size IS NULL OR frame_size >= 0),
    drawn_by BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    drawn_at TIMESTAMPTZ,
    published_by BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    published_at TIMESTAMPTZ,
    created_by BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK ((status = 'draft') = (seed IS NULL)),
    CHECK ((seed IS NULL) = (drawn_at IS NULL) AND (seed IS NULL) = (frame_size IS NULL)),
    CHECK ((status = 'published') = (published_at IS NOT NULL))
);
CREATE INDEX projects_survey_area ON projects_survey (area, id);

CREATE TABLE projects_survey_question (
    id {pk},
    survey BIGINT NOT NULL REFERENCES projects_survey (id) ON DELETE RESTRICT,
    position INTEGER NOT NULL CHECK (position >= 1 AND position <= 30),
    kind VARCHAR(8) NOT NULL CHECK (kind IN ('score', 'text')),
    prompt VARCHAR(500) NOT NULL CHECK (prompt <> ''),
    UNIQUE (survey, position)
);

-- The sampling frame as drawn: every resident of the area then, their community, and whether
-- they were drawn. ``answered`` is who took part, and nothing of what they answered.
CREATE TABLE projects_survey_frame (
    id {pk},
    survey BIGINT NOT NULL REFERENCES projects_survey (id) ON DELETE RESTRICT,
    member BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    community BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    sampled BOOLEAN NOT NULL,
    answered BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (survey, member),
    CHECK (sampled OR NOT answered)
);
CREATE INDEX projects_survey_frame_member ON projects_survey_frame (member, survey);

-- What was answered, with nothing that leads back to who: a random key (so no order), no member,
-- no time. On SQLite the table has no rowid, so not even the order of the rows tells.
CREATE TABLE projects_survey_ballot (
    id VARCHAR(32) PRIMARY KEY NOT NULL,
    survey BIGINT NOT NULL REFERENCES projects_survey (id) ON DELETE RESTRICT,
    community BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT
){without_rowid};
CREATE INDEX projects_survey_ballot_survey ON projects_survey_ballot (survey, community);

CREATE TABLE projects_survey_answer (
    id VARCHAR(32) PRIMARY KEY NOT NULL,
    ballot VARCHAR(32) NOT NULL REFERENCES projects_survey_ballot (id) ON DELETE RESTRICT,
    question BIGINT NOT NULL REFERENCES projects_survey_question (id) ON DELETE RESTRICT,
    score SMALLINT CHECK (score IS NULL OR (score >= 1 AND score <= 5)),
    text TEXT NOT NULL DEFAULT '',
    UNIQUE (ballot, question)
){without_rowid};
CREATE INDEX projects_survey_answer_question ON projects_survey_answer (question, score);

-- The results as published, per community of the survey's area: who was drawn and took part
-- (``question`` NULL), and how many gave each score to each scored question.
CREATE TABLE projects_survey_figure (
    id {pk},
    survey BIGINT NOT NULL REFERENCES projects_survey (id) ON DELETE RESTRICT,
    community BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    question BIGINT REFERENCES projects_survey_question (id) ON DELETE RESTRICT,
    sampled INTEGER NOT NULL DEFAULT 0 CHECK (sampled >= 0),
    answered INTEGER NOT NULL DEFAULT 0 CHECK (answered >= 0 AND answered <= sampled),
    score_1 INTEGER NOT NULL DEFAULT 0 CHECK (score_1 >= 0),
    score_2 INTEGER NOT NULL DEFAULT 0 CHECK (score_2 >= 0),
    score_3 INTEGER NOT NULL DEFAULT 0 CHECK (score_3 >= 0),
    score_4 INTEGER NOT NULL DEFAULT 0 CHECK (score_4 >= 0),
    score_5 INTEGER NOT NULL DEFAULT 0 CHECK (score_5 >= 0)
);
CREATE INDEX projects_survey_figure_survey ON projects_survey_figure (survey, community)
"""

FROZEN_TABLES = ("projects_survey_figure",)


def split(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def statements(engine_type: str) -> list[str]:
    if engine_type == "sqlite":
        script = TABLES.format(pk="INTEGER PRIMARY KEY NOT NULL", without_rowid=" WITHOUT ROWID")
        frozen = [
            f"CREATE TRIGGER {table}_no_{change} BEFORE {change.upper()} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END"
            for table in FROZEN_TABLES
            for change in ("update", "delete")
        ]
        return split(script) + frozen
    script = TABLES.format(
        pk="BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY NOT NULL", without_rowid=""
    )
    frozen = []
    for table in FROZEN_TABLES:  # projects_refuse_frozen() comes with the evaluation's migration
        frozen += [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION projects_refuse_frozen()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION projects_refuse_frozen()",
        ]
    return split(script) + frozen


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projects", description=DESCRIPTION)

    async def create_schema():
        engine = engine_finder()
        for statement in statements(engine.engine_type):
            await engine.run_ddl(statement)

    manager.add_raw(create_schema)
    return manager
