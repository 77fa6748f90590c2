"""The market: catalogue and redemptions, peer exchange and gifts, the community fund's
donations, venture calls with their bids, scores, votes and milestones, and the market's
append-only trace. Written by hand, like the ledger's and the community's.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T03:00:00"
VERSION = "1.38.0"
DESCRIPTION = "market: items, redemptions, listings, exchanges, gifts, donations, calls, bids, events"

APPEND_ONLY_MESSAGE = "market_event is append-only: the trace is never edited"

TABLES = """
CREATE TABLE market_item (
    id {pk},
    community BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    -- NULL: the community itself offers it (a hall booking); else a merchant or organisation.
    organisation BIGINT REFERENCES projects_organisation (id) ON DELETE RESTRICT,
    kind VARCHAR(8) NOT NULL CHECK (kind IN ('goods', 'service')),
    name VARCHAR(100) NOT NULL CHECK (name <> ''),
    name_en VARCHAR(100) NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    price BIGINT NOT NULL CHECK (price > 0),
    -- NULL: unlimited. Never below zero, whatever races past the checks.
    stock BIGINT CHECK (stock >= 0),
    per_member_limit INTEGER CHECK (per_member_limit > 0),
    limit_period VARCHAR(8) NOT NULL DEFAULT 'month' CHECK (limit_period IN ('day', 'week', 'month', 'year')),
    active_from TIMESTAMPTZ,
    active_until TIMESTAMPTZ,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_by BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (active_from IS NULL OR active_until IS NULL OR active_until > active_from)
);
CREATE INDEX market_item_community ON market_item (community, id);
CREATE INDEX market_item_organisation ON market_item (organisation, id);

CREATE TABLE market_item_area (
    id {pk},
    item BIGINT NOT NULL REFERENCES market_item (id) ON DELETE CASCADE,
    area BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    UNIQUE (area, item)
);
CREATE INDEX market_item_area_item ON market_item_area (item);

CREATE TABLE market_redemption (
    id {pk},
    item BIGINT NOT NULL REFERENCES market_item (id) ON DELETE RESTRICT,
    member BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    amount BIGINT NOT NULL CHECK (amount > 0),
    code VARCHAR(12) NOT NULL UNIQUE,
    status VARCHAR(16) NOT NULL
        CHECK (status IN ('pending', 'fulfilled', 'rejected', 'cancelled', 'expired')),
    -- Its hold is the ledger's transfer 'redemption:<id>'. Stock taken is given back only if
    -- it was taken (the item may have been unlimited then).
    took_stock BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at TIMESTAMPTZ NOT NULL,
    decided_by BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
-- A member's redemptions of an item in a period (the per-member limit), and their own list.
CREATE INDEX market_redemption_member ON market_redemption (member, item, created_at);
CREATE INDEX market_redemption_item ON market_redemption (item, status, id);
CREATE INDEX market_redemption_due ON market_redemption (expires_at) WHERE status = 'pending';

CREATE TABLE market_listing (
    id {pk},
    member BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    kind VARCHAR(8) NOT NULL CHECK (kind IN ('offer', 'request')),
    category VARCHAR(32) NOT NULL REFERENCES projects_category (code) ON DELETE RESTRICT,
    community BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    title VARCHAR(100) NOT NULL CHECK (title <> ''),
    description TEXT NOT NULL DEFAULT '',
    points_per_hour INTEGER NOT NULL CHECK (points_per_hour > 0 AND points_per_hour <= 1000),
    status VARCHAR(8) NOT NULL CHECK (status IN ('open', 'closed')),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX market_listing_community ON market_listing (community, status, id);
CREATE INDEX market_listing_member ON market_listing (member, id);

CREATE TABLE market_exchange (
    id {pk},
    listing BIGINT NOT NULL REFERENCES market_listing (id) ON DELETE RESTRICT,
    requester BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    performer BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    proposed_by BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    minutes INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    points_per_hour INTEGER NOT NULL CHECK (points_per_hour > 0 AND points_per_hour <= 1000),
    reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    worked_minutes INTEGER CHECK (worked_minutes >= 0 AND worked_minutes <= minutes),
    points BIGINT CHECK (points >= 0 AND points <= reserved),
    transfer_id VARCHAR(64) UNIQUE,
    status VARCHAR(16) NOT NULL CHECK (status IN
        ('proposed', 'accepted', 'submitted', 'confirmed', 'disputed', 'declined', 'cancelled')),
    note TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (requester <> performer),
    CHECK (proposed_by IN (requester, performer))
);
CREATE INDEX market_exchange_listing ON market_exchange (listing);
CREATE INDEX market_exchange_requester ON market_exchange (requester, id);
CREATE INDEX market_exchange_performer ON market_exchange (performer, id);

CREATE TABLE market_gift (
    id {pk},
    giver BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    recipient BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    community BIGINT REFERENCES projects_area (id) ON DELETE RESTRICT,
    amount BIGINT NOT NULL CHECK (amount > 0),
    note TEXT NOT NULL DEFAULT '',
    -- Moved by the ledger's transfer 'gift:<id>'.
    created_at TIMESTAMPTZ NOT NULL,
    CHECK ((recipient IS NULL) <> (community IS NULL)),
    CHECK (recipient IS NULL OR recipient <> giver)
);
CREATE INDEX market_gift_giver ON market_gift (giver, id);
CREATE INDEX market_gift_recipient ON market_gift (recipient, id);

CREATE TABLE market_donation (
    id {pk},
    community BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    donor_kind VARCHAR(16) NOT NULL CHECK (donor_kind IN ('member', 'organisation', 'outside')),
    member BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    organisation BIGINT REFERENCES projects_organisation (id) ON DELETE RESTRICT,
    donor_name VARCHAR(100) NOT NULL DEFAULT '',
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    amount BIGINT NOT NULL CHECK (amount > 0),
    note TEXT NOT NULL DEFAULT '',
    -- Received by the ledger's transfer 'donation:<id>'.
    recorded_by BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK ((donor_kind = 'member') = (member IS NOT NULL)),
    CHECK ((donor_kind = 'organisation') = (organisation IS NOT NULL))
);
CREATE INDEX market_donation_community ON market_donation (community, id);

CREATE TABLE market_call (
    id {pk},
    community BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    area BIGINT NOT NULL REFERENCES projects_area (id) ON DELETE RESTRICT,
    title VARCHAR(128) NOT NULL CHECK (title <> ''),
    description TEXT NOT NULL DEFAULT '',
    budget BIGINT NOT NULL CHECK (budget > 0),
    deadline TIMESTAMPTZ NOT NULL,
    vote_weight SMALLINT NOT NULL DEFAULT 0 CHECK (vote_weight >= 0 AND vote_weight <= 100),
    status VARCHAR(16) NOT NULL
        CHECK (status IN ('open', 'reviewing', 'awarded', 'completed', 'cancelled')),
    awarded_bid BIGINT,
    created_by BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK ((awarded_bid IS NULL) = (status IN ('open', 'reviewing', 'cancelled')))
);
CREATE INDEX market_call_community ON market_call (community, id);
CREATE INDEX market_call_due ON market_call (deadline) WHERE status = 'open';

CREATE TABLE market_criterion (
    id {pk},
    call BIGINT NOT NULL REFERENCES market_call (id) ON DELETE CASCADE,
    position SMALLINT NOT NULL,
    name VARCHAR(100) NOT NULL CHECK (name <> ''),
    name_en VARCHAR(100) NOT NULL DEFAULT '',
    weight SMALLINT NOT NULL CHECK (weight > 0 AND weight <= 100),
    max_score SMALLINT NOT NULL DEFAULT 10 CHECK (max_score > 0 AND max_score <= 100),
    UNIQUE (call, position)
);

CREATE TABLE market_panelist (
    id {pk},
    call BIGINT NOT NULL REFERENCES market_call (id) ON DELETE CASCADE,
    member BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    UNIQUE (call, member)
);

CREATE TABLE market_bid (
    id {pk},
    call BIGINT NOT NULL REFERENCES market_call (id) ON DELETE RESTRICT,
    organisation BIGINT NOT NULL REFERENCES projects_organisation (id) ON DELETE RESTRICT,
    proposal TEXT NOT NULL CHECK (proposal <> ''),
    team TEXT NOT NULL DEFAULT '',
    budget BIGINT NOT NULL CHECK (budget > 0),
    status VARCHAR(16) NOT NULL CHECK (status IN ('submitted', 'withdrawn', 'awarded', 'lost')),
    revision INTEGER NOT NULL DEFAULT 1 CHECK (revision > 0),
    submitted_by BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (call, organisation)
);

-- A revised bid's plan replaces its milestones: their ids are never given out again (SQLite
-- would reuse the highest without AUTOINCREMENT), so a milestone's trace is its own.
CREATE TABLE market_milestone (
    id {pk_never_reused},
    bid BIGINT NOT NULL REFERENCES market_bid (id) ON DELETE CASCADE,
    position SMALLINT NOT NULL,
    title VARCHAR(128) NOT NULL CHECK (title <> ''),
    amount BIGINT NOT NULL CHECK (amount > 0),
    due_at TIMESTAMPTZ,
    status VARCHAR(16) NOT NULL CHECK (status IN ('planned', 'reported', 'paid')),
    report TEXT NOT NULL DEFAULT '',
    reported_at TIMESTAMPTZ,
    decided_by BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    transfer_id VARCHAR(64) UNIQUE,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (bid, position),
    CHECK ((status = 'paid') = (transfer_id IS NOT NULL))
);

CREATE TABLE market_score (
    id {pk},
    bid BIGINT NOT NULL REFERENCES market_bid (id) ON DELETE RESTRICT,
    criterion BIGINT NOT NULL REFERENCES market_criterion (id) ON DELETE RESTRICT,
    panelist BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    score SMALLINT NOT NULL CHECK (score >= 0),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (bid, criterion, panelist)
);

CREATE TABLE market_vote (
    id {pk},
    call BIGINT NOT NULL REFERENCES market_call (id) ON DELETE RESTRICT,
    bid BIGINT NOT NULL REFERENCES market_bid (id) ON DELETE RESTRICT,
    member BIGINT NOT NULL REFERENCES projects_member (id) ON DELETE RESTRICT,
    created_at TIMESTAMPTZ NOT NULL,
    -- One vote per resident per call.
    UNIQUE (call, member)
);
CREATE INDEX market_vote_bid ON market_vote (bid);

CREATE TABLE market_event (
    seq {pk},
    subject VARCHAR(12) NOT NULL CHECK (subject IN
        ('item', 'redemption', 'listing', 'exchange', 'gift', 'donation', 'call', 'bid', 'milestone')),
    subject_id BIGINT NOT NULL,
    action VARCHAR(24) NOT NULL,
    from_state VARCHAR(16) NOT NULL DEFAULT '',
    to_state VARCHAR(16) NOT NULL DEFAULT '',
    actor BIGINT REFERENCES projects_member (id) ON DELETE RESTRICT,
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX market_event_subject ON market_event (subject, subject_id, seq)
"""

SQLITE_APPEND_ONLY = [
    f"""CREATE TRIGGER market_event_no_{change} BEFORE {change.upper()} ON market_event
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"""
    for change in ("update", "delete")
]

POSTGRES_APPEND_ONLY = [
    f"""CREATE FUNCTION market_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'restrict_violation';
    END
    $$""",
    "CREATE TRIGGER market_event_no_update BEFORE UPDATE OR DELETE ON market_event "
    "FOR EACH ROW EXECUTE FUNCTION market_refuse_change()",
    "CREATE TRIGGER market_event_no_truncate BEFORE TRUNCATE ON market_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION market_refuse_change()",
]


def statements(engine_type: str) -> list[str]:
    """The DDL for one engine, one statement per item."""
    if engine_type == "sqlite":
        pk = "INTEGER PRIMARY KEY NOT NULL"
        tables = TABLES.format(pk=pk, pk_never_reused="INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL")
        return _split(tables) + SQLITE_APPEND_ONLY
    pk = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY NOT NULL"
    return _split(TABLES.format(pk=pk, pk_never_reused=pk)) + POSTGRES_APPEND_ONLY


def _split(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)

    async def create_schema():
        engine = engine_finder()
        for statement in statements(engine.engine_type):
            await engine.run_ddl(statement)

    manager.add_raw(create_schema)
    return manager
