"""Leases: which process runs a periodic job now, so that several workers run each job once per
period (projects/leases.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-20T00:00:00"
VERSION = "1.38.0"
DESCRIPTION = "projects: leases of the periodic jobs"

TABLES = """
CREATE TABLE projects_lease (
    name VARCHAR(64) PRIMARY KEY NOT NULL CHECK (name <> ''),
    -- The process that holds it (host, process id and a random part: never reused).
    holder VARCHAR(128) NOT NULL CHECK (holder <> ''),
    taken_at TIMESTAMPTZ NOT NULL,
    renewed_at TIMESTAMPTZ NOT NULL,
    -- Free for anyone to take from this moment: a holder that died gives it up by not renewing.
    expires_at TIMESTAMPTZ NOT NULL,
    CHECK (expires_at > renewed_at AND renewed_at >= taken_at)
)
"""


def statements(engine_type: str) -> list[str]:
    return [part.strip() for part in TABLES.split(";") if part.strip()]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projects", description=DESCRIPTION)

    async def create_schema():
        engine = engine_finder()
        for statement in statements(engine.engine_type):
            await engine.run_ddl(statement)

    manager.add_raw(create_schema)
    return manager
