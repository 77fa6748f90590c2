"""A member's activity (one line per economic event, newest first by time) pages through each
side of their transfers by time: ``seq`` is the order of commits, which a back-dated transfer
(the demo's history, an import) does not follow."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-12T00:10:00"
VERSION = "1.38.0"
DESCRIPTION = "ledger: transfers by account and time"

STATEMENTS = [
    "CREATE INDEX ledger_transfer_debit_time ON ledger_transfer (debit_account, created_at, seq)",
    "CREATE INDEX ledger_transfer_credit_time ON ledger_transfer (credit_account, created_at, seq)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
