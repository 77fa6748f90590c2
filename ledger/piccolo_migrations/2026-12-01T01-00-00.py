"""The ledger's schema, written by hand.

Piccolo's table classes cannot express what the ledger needs on SQLite (CHECK constraints are
emitted as ALTER TABLE ... ADD CONSTRAINT, which SQLite lacks; no triggers), so this app's
migrations are raw SQL for each engine. Do not generate ``--auto`` migrations for ``ledger``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T01:00:00"
VERSION = "1.38.0"
DESCRIPTION = "ledger: accounts, append-only transfers, reservations"

APPEND_ONLY_MESSAGE = "ledger_transfer is append-only: correct it with a reversing transfer"

TABLES = """
CREATE TABLE ledger_account (
    id VARCHAR(64) PRIMARY KEY NOT NULL,
    asset VARCHAR(8) NOT NULL CHECK (asset IN ('PTS', 'CNY')),
    kind VARCHAR(16) NOT NULL
        CHECK (kind IN ('member', 'organisation', 'issuer', 'fund', 'merchant', 'escrow', 'world')),
    owner VARCHAR(64) NOT NULL DEFAULT '',
    name VARCHAR(128) NOT NULL DEFAULT '',
    flags INTEGER NOT NULL DEFAULT 0 CHECK (flags >= 0),
    debits_posted BIGINT NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
    credits_posted BIGINT NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
    debits_pending BIGINT NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
    credits_pending BIGINT NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT account_debits_within_credits
        CHECK ((flags & 1) = 0 OR debits_posted + debits_pending <= credits_posted),
    CONSTRAINT account_credits_within_debits
        CHECK ((flags & 2) = 0 OR credits_posted + credits_pending <= debits_posted)
);
CREATE INDEX ledger_account_owner ON ledger_account (owner);

CREATE TABLE ledger_transfer (
    seq {seq} PRIMARY KEY NOT NULL,
    id VARCHAR(64) NOT NULL UNIQUE CHECK (id <> ''),
    kind VARCHAR(8) NOT NULL CHECK (kind IN ('single', 'pending', 'post', 'void', 'expire')),
    debit_account VARCHAR(64) NOT NULL REFERENCES ledger_account (id),
    credit_account VARCHAR(64) NOT NULL REFERENCES ledger_account (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    asset VARCHAR(8) NOT NULL,
    pending VARCHAR(64) REFERENCES ledger_transfer (id),
    reverses VARCHAR(64) REFERENCES ledger_transfer (id),
    batch_id VARCHAR(64),
    timeout_s INTEGER CHECK (timeout_s IS NULL OR timeout_s > 0),
    reason VARCHAR(32) NOT NULL DEFAULT '',
    reference VARCHAR(128) NOT NULL DEFAULT '',
    memo TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    debit_balance_after BIGINT NOT NULL,
    credit_balance_after BIGINT NOT NULL,
    prev_hash VARCHAR(64) NOT NULL,
    hash VARCHAR(64) NOT NULL,
    CONSTRAINT transfer_two_accounts CHECK (debit_account <> credit_account),
    CONSTRAINT transfer_resolution_names_pending
        CHECK ((kind IN ('post', 'void', 'expire')) = (pending IS NOT NULL))
);
-- A statement reads one account's transfers newest first: (account, seq) serves it from the index.
CREATE INDEX ledger_transfer_debit_seq ON ledger_transfer (debit_account, seq);
CREATE INDEX ledger_transfer_credit_seq ON ledger_transfer (credit_account, seq);
-- A pending transfer is resolved at most once and a transfer reversed at most once. Partial
-- indexes: most transfers name neither, and an index entry per NULL would cost every insert.
CREATE UNIQUE INDEX ledger_transfer_pending ON ledger_transfer (pending) WHERE pending IS NOT NULL;
CREATE UNIQUE INDEX ledger_transfer_reverses ON ledger_transfer (reverses) WHERE reverses IS NOT NULL;

CREATE TABLE ledger_reservation (
    transfer_id VARCHAR(64) PRIMARY KEY NOT NULL REFERENCES ledger_transfer (id),
    expires_at TIMESTAMPTZ
);
CREATE INDEX ledger_reservation_expires_at ON ledger_reservation (expires_at);
"""

SQLITE_APPEND_ONLY = [
    f"CREATE TRIGGER ledger_transfer_no_{verb.lower()} BEFORE {verb} ON ledger_transfer "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
    for verb in ("UPDATE", "DELETE")
]

POSTGRES_APPEND_ONLY = [
    f"""CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'restrict_violation';
    END
    $$""",
    "CREATE TRIGGER ledger_transfer_no_update BEFORE UPDATE OR DELETE ON ledger_transfer "
    "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()",
    "CREATE TRIGGER ledger_transfer_no_truncate BEFORE TRUNCATE ON ledger_transfer "
    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()",
]


def statements(engine_type: str) -> list[str]:
    """The DDL for one engine, one statement per item."""
    if engine_type == "sqlite":
        # INTEGER PRIMARY KEY makes seq SQLite's rowid: the table is stored in seq order. Other
        # columns say BIGINT: INTEGER affinity all the same, but no Piccolo converter (which
        # parses every INTEGER value through Decimal), so the ledger reads its rows at C speed.
        return _split(TABLES.format(seq="INTEGER")) + SQLITE_APPEND_ONLY
    return _split(TABLES.format(seq="BIGINT")) + POSTGRES_APPEND_ONLY


def _split(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create_schema():
        engine = engine_finder()
        for statement in statements(engine.engine_type):
            await engine.run_ddl(statement)

    manager.add_raw(create_schema)
    return manager
