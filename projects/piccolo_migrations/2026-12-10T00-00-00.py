"""Indexes for the statistics and the needs ledger (projects/stats.py, hours.py, needs_ledger.py).

- needs by area and creation time: an area's needs of a period are one range per area under it;
- confirmed claims by the time they were decided: hours and points of a period, and the active
  volunteers, read only the claims confirmed in it.
The trace is read per need through its existing (subject, subject_id, seq) index.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-10T00:00:00"
VERSION = "1.38.0"
DESCRIPTION = "projects: indexes for statistics and exports"

STATEMENTS = [
    "CREATE INDEX projects_need_area_created ON projects_need (area, created_at)",
    "CREATE INDEX projects_claim_confirmed ON projects_claim (decided_at) WHERE status = 'confirmed'",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projects", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
