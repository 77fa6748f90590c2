"""Items can be withdrawn from the catalogue for good; a redemption keeps when it was fulfilled
(a code entered again says when). Redemptions fulfilled before this read it from the trace."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-12T00:00:00"
VERSION = "1.38.0"
DESCRIPTION = "market: items withdrawn, redemptions' fulfilled_at"

STATEMENTS = [
    # NULL: in the catalogue (on offer or turned off); else withdrawn then, for good.
    "ALTER TABLE market_item ADD COLUMN withdrawn_at TIMESTAMPTZ",
    "ALTER TABLE market_redemption ADD COLUMN fulfilled_at TIMESTAMPTZ",
    """UPDATE market_redemption SET fulfilled_at = (
        SELECT MIN(e.created_at) FROM market_event e
        WHERE e.subject = 'redemption' AND e.subject_id = market_redemption.id AND e.action = 'fulfil'
    ) WHERE status = 'fulfilled'""",
    "UPDATE market_redemption SET fulfilled_at = updated_at "
    "WHERE status = 'fulfilled' AND fulfilled_at IS NULL",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)

    async def change_schema():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(change_schema)
    return manager
