"""Four eyes over the community fund, and donations' evidence: a donation or a milestone's grant
over the community's threshold waits (``awaiting_approval``, no transfer) for a second staff
member; a donation keeps its receipt number and, if given, a photo (a file in the media
directory, like the photos of needs and claims)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-22T01:00:00"
VERSION = "1.38.0"
DESCRIPTION = "market: donations and grants awaiting approval, donations' receipt and photo"

DONATIONS = [
    # 'received': its transfer donation:<id> is posted; 'awaiting_approval': not yet.
    "ALTER TABLE market_donation ADD COLUMN status VARCHAR(24) NOT NULL DEFAULT 'received' "
    "CHECK (status IN ('received', 'awaiting_approval'))",
    "ALTER TABLE market_donation ADD COLUMN receipt_number VARCHAR(64) NOT NULL DEFAULT ''",
    # A receipt is counted once in a community's fund.
    "CREATE UNIQUE INDEX market_donation_receipt ON market_donation (community, receipt_number) "
    "WHERE receipt_number <> ''",
    # The photo of the receipt or the handover: its image and thumbnail, named by a random key.
    "ALTER TABLE market_donation ADD COLUMN photo_key VARCHAR(64) "
    "CHECK (photo_key IS NULL OR LENGTH(photo_key) >= 32)",
    "CREATE UNIQUE INDEX market_donation_photo ON market_donation (photo_key) WHERE photo_key IS NOT NULL",
    "ALTER TABLE market_donation ADD COLUMN approved_by BIGINT REFERENCES projects_member (id) "
    "ON DELETE RESTRICT CHECK (approved_by IS NULL OR approved_by <> recorded_by)",
    "ALTER TABLE market_donation ADD COLUMN approved_at TIMESTAMPTZ "
    "CHECK ((approved_at IS NULL) = (approved_by IS NULL))",
    "CREATE INDEX market_donation_waiting ON market_donation (community, id) "
    "WHERE status = 'awaiting_approval'",
]

OLD_STATES = "('planned', 'reported', 'paid')"
NEW_STATES = "('planned', 'reported', 'awaiting_approval', 'paid')"


async def _allow_awaiting_approval(engine) -> None:
    """Add a state to the milestone's CHECK. A new allowed value changes nothing stored, so
    SQLite's schema text is edited in place (as projects' 2026-12-14T01-00-00 does for claims);
    PostgreSQL replaces the constraint and lengthens the state columns."""
    if engine.engine_type == "sqlite":
        old = OLD_STATES.replace("'", "''")
        new = NEW_STATES.replace("'", "''")

        def edit(conn) -> None:  # on the writer's connection, in the migration's transaction
            row = conn.execute("PRAGMA schema_version").fetchone()
            version = next(iter(row.values())) if isinstance(row, dict) else row[0]
            conn.execute("PRAGMA writable_schema = ON")
            conn.execute(
                f"UPDATE sqlite_master SET sql = replace(sql, '{old}', '{new}') "
                "WHERE type = 'table' AND name = 'market_milestone'"
            )
            conn.execute(f"PRAGMA schema_version = {version + 1}")
            conn.execute("PRAGMA writable_schema = OFF")

        transaction = engine.current_transaction.get()
        await (transaction.connection.call(edit) if transaction is not None else engine.write(edit))
    else:
        await engine.run_ddl(
            "ALTER TABLE market_milestone DROP CONSTRAINT market_milestone_status_check, "
            "ALTER COLUMN status TYPE VARCHAR(24), "
            f"ADD CONSTRAINT market_milestone_status_check CHECK (status IN {NEW_STATES})"
        )
        await engine.run_ddl(
            "ALTER TABLE market_event ALTER COLUMN from_state TYPE VARCHAR(24), "
            "ALTER COLUMN to_state TYPE VARCHAR(24)"
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)

    async def change_schema():
        engine = engine_finder()
        for statement in DONATIONS:
            await engine.run_ddl(statement)
        await _allow_awaiting_approval(engine)

    manager.add_raw(change_schema)
    return manager
