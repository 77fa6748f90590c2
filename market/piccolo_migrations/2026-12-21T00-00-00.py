"""Votes are secret until voting closes: a call keeps when its staff closed voting (or the award
closed it). A call decided or cancelled before this has NULL there and counts as closed."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-21T00:00:00"
VERSION = "1.38.0"
DESCRIPTION = "market: calls' voting_closed_at"

STATEMENTS = [
    # NULL: residents may still vote (while reviewing). Voting never closes before bidding has.
    "ALTER TABLE market_call ADD COLUMN voting_closed_at TIMESTAMPTZ "
    "CHECK (voting_closed_at IS NULL OR status <> 'open')",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)

    async def change_schema():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(change_schema)
    return manager
