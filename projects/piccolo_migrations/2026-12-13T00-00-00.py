"""Notifications as an outbox, their delivery, and accounts: what a member chose (email, channels,
language), registrations waiting for approval, passwords to change, areas' group outlets, each
notification written with the state change it tells of, each delivery claimed before it is sent
and logged per attempt, and the accounts' own append-only trace."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-13T00:00:00"
VERSION = "1.38.0"
DESCRIPTION = "projects: notifications, deliveries, group outlets, registrations, member settings"

APPEND_ONLY_MESSAGE = "projects_member_event is append-only: the trace is never edited"
SENT_MESSAGE = "a delivery that was sent is never sent again"

TABLES = """
ALTER TABLE projects_member ADD COLUMN email VARCHAR(254) NOT NULL DEFAULT '';
-- The outlets beyond the site the member chose, comma-separated ('email').
ALTER TABLE projects_member ADD COLUMN channels VARCHAR(64) NOT NULL DEFAULT '';
ALTER TABLE projects_member ADD COLUMN lang VARCHAR(8) NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en'));
-- Registered themself and not yet approved: sees only that.
ALTER TABLE projects_member ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
-- Staff reset the password: the member chooses a new one before anything else.
ALTER TABLE projects_member ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE projects_registration (
    id {pk},
    member BIGINT NOT NULL UNIQUE REFERENCES projects_member (id) ON DELETE CASCADE,
    unit BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    status VARCHAR(12) NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
    reason TEXT NOT NULL DEFAULT '',
    decided_by BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    decided_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK ((decided_at IS NULL) = (decided_by IS NULL))
);
CREATE INDEX projects_registration_waiting ON projects_registration (unit, id) WHERE status = 'pending';

-- What happened to accounts (registered, approved, refused, password reset): the trace.
CREATE TABLE projects_member_event (
    seq {pk},
    subject VARCHAR(8) NOT NULL CHECK (subject = 'member'),
    subject_id BIGINT NOT NULL,
    action VARCHAR(24) NOT NULL,
    from_state VARCHAR(16) NOT NULL DEFAULT '',
    to_state VARCHAR(16) NOT NULL DEFAULT '',
    actor BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX projects_member_event_subject ON projects_member_event (subject, subject_id, seq);

-- A community's or grid's work group: its WeCom, DingTalk or Feishu robot, or a JSON webhook.
CREATE TABLE projects_outlet (
    id {pk},
    area BIGINT NOT NULL UNIQUE REFERENCES projects_area (id) ON DELETE CASCADE,
    kind VARCHAR(16) NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu', 'json')),
    -- The robot's key or token (a JSON webhook: its address), as the vendor's console gave it.
    target VARCHAR(500) NOT NULL CHECK (target <> ''),
    secret VARCHAR(200) NOT NULL DEFAULT '',
    lang VARCHAR(8) NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en')),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    updated_by BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    updated_at TIMESTAMPTZ NOT NULL
);

-- One sentence for one reader (a member, or an area's group outlet), written in the transaction
-- of the change it tells of: an English msgid and its parameters, rendered when read.
CREATE TABLE projects_notification (
    id {pk},
    member BIGINT REFERENCES projects_member (id) ON DELETE CASCADE,
    outlet BIGINT REFERENCES projects_outlet (id) ON DELETE CASCADE,
    subject VARCHAR(12) NOT NULL,
    subject_id BIGINT NOT NULL,
    action VARCHAR(24) NOT NULL,
    actor BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    message VARCHAR(300) NOT NULL CHECK (message <> ''),
    params TEXT NOT NULL DEFAULT '{{}}',
    link VARCHAR(300) NOT NULL,
    read_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK ((member IS NULL) <> (outlet IS NULL)),
    CHECK (actor IS NULL OR member IS NULL OR actor <> member)
);
CREATE INDEX projects_notification_member ON projects_notification (member, id) WHERE member IS NOT NULL;
-- The unread count is a count of this index's entries for one member: no row is read.
CREATE INDEX projects_notification_unread ON projects_notification (member)
    WHERE read_at IS NULL AND member IS NOT NULL;
-- One digest a day for each member (subject_id: the day as YYYYMMDD), whichever process writes it.
CREATE UNIQUE INDEX projects_notification_digest ON projects_notification (member, subject_id)
    WHERE subject = 'digest';

-- Sending one notification through one outlet: claimed (status 'sending', next_attempt_at the
-- end of the claim) before it is sent, so that two processes never send it both; a success is final.
CREATE TABLE projects_delivery (
    id {pk},
    notification BIGINT NOT NULL REFERENCES projects_notification (id) ON DELETE CASCADE,
    channel VARCHAR(16) NOT NULL CHECK (channel IN ('email', 'group')),
    status VARCHAR(12) NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0 AND attempts <= 20),
    next_attempt_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    UNIQUE (notification, channel)
);
CREATE INDEX projects_delivery_due ON projects_delivery (next_attempt_at)
    WHERE status IN ('pending', 'sending');

-- Every attempt to send a delivery, whatever came of it.
CREATE TABLE projects_delivery_attempt (
    id {pk},
    delivery BIGINT NOT NULL REFERENCES projects_delivery (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL CHECK (attempt >= 1),
    outlet VARCHAR(300) NOT NULL DEFAULT '',
    ok BOOLEAN NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    UNIQUE (delivery, attempt)
)
"""

SQLITE_TRIGGERS = [
    *(
        f"""CREATE TRIGGER projects_member_event_no_{change} BEFORE {change.upper()}
        ON projects_member_event BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"""
        for change in ("update", "delete")
    ),
    f"""CREATE TRIGGER projects_delivery_sent_is_final BEFORE UPDATE ON projects_delivery
    WHEN OLD.status = 'sent' BEGIN SELECT RAISE(ABORT, '{SENT_MESSAGE}'); END""",
]

POSTGRES_TRIGGERS = [
    # projects_refuse_change() is the trace's function (2026-12-01T02-00-00).
    "CREATE TRIGGER projects_member_event_no_update BEFORE UPDATE OR DELETE ON projects_member_event "
    "FOR EACH ROW EXECUTE FUNCTION projects_refuse_change()",
    "CREATE TRIGGER projects_member_event_no_truncate BEFORE TRUNCATE ON projects_member_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION projects_refuse_change()",
    f"""CREATE FUNCTION projects_refuse_resend() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{SENT_MESSAGE}' USING ERRCODE = 'restrict_violation';
    END
    $$""",
    "CREATE TRIGGER projects_delivery_sent_is_final BEFORE UPDATE ON projects_delivery "
    "FOR EACH ROW WHEN (OLD.status = 'sent') EXECUTE FUNCTION projects_refuse_resend()",
]


def split(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def statements(engine_type: str) -> list[str]:
    if engine_type == "sqlite":
        return split(TABLES.format(pk="INTEGER PRIMARY KEY NOT NULL")) + SQLITE_TRIGGERS
    pk = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY NOT NULL"
    return split(TABLES.format(pk=pk)) + POSTGRES_TRIGGERS


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projects", description=DESCRIPTION)

    async def create_schema():
        engine = engine_finder()
        for statement in statements(engine.engine_type):
            await engine.run_ddl(statement)

    manager.add_raw(create_schema)
    return manager
