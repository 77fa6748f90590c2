"""What the statistics and the needs ledger read (projects/stats.py, need_trace.py, hours.py):

- ``projects_need_trace``: per need, its first response, completion and withdrawal, kept from
  the trace by triggers (projects/need_trace.py), filled here from the events already there;
- needs by area and creation time, with the columns the figures read, so that an area's needs
  of a period are read from the index alone;
- confirmed claims by the time they were decided: hours, points and active volunteers of a period.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

from projects import need_trace

ID = "2026-12-10T00:00:00"
VERSION = "1.38.0"
DESCRIPTION = "projects: the needs' trace for statistics, indexes for statistics and exports"

# projects.stats.FIRST_RESPONSE_ACTIONS as of this migration (a later list comes with a migration
# of its own: need_trace.replace_triggers).
FIRST_RESPONSE_ACTIONS = ("triage", "escalate", "reject", "merge", "hand_down", "take")

NEED_COLUMNS = "status, overdue, deadline, grade, category, channel"


def statements(engine_type: str) -> list[str]:
    needs = "CREATE INDEX projects_need_area_created ON projects_need (area, created_at"
    if engine_type == "sqlite":  # an index holds every column it lists; the rowid is the need's id
        needs += f", {NEED_COLUMNS})"
    else:
        needs += f") INCLUDE (id, {NEED_COLUMNS})"
    return [
        needs,
        "CREATE INDEX projects_claim_confirmed ON projects_claim (decided_at) WHERE status = 'confirmed'",
        *need_trace.schema(engine_type, FIRST_RESPONSE_ACTIONS),
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projects", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for statement in statements(engine.engine_type):
            await engine.run_ddl(statement)

    manager.add_raw(create)
    return manager
