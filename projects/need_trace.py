"""What the statistics read from each need's trace, kept by the database as the trace grows.

``projects_need_trace`` holds, per need, three facts of its trace (``projects_event``):
- ``responded_at``: the first move out of ``new`` by one of the first-response actions, by a
  person other than the need's resident (DESIGN: *first response*);
- ``done_at``: the last move to ``done`` (DESIGN: *completion*);
- ``withdrawn``: it was cancelled by its reporter (DESIGN: such needs are not *reported*).

Triggers on the trace keep it in the transaction that appends each event, so it is never out
of date and no application code writes it; like the ledger's balances, it can always be
recomputed from the events (``RECOMPUTE``), which a test does. Reading one row per need instead
of searching each need's events is what lets a district's year answer in well under a second.

The first-response actions are ``projects.stats.FIRST_RESPONSE_ACTIONS``. The triggers are made
from the list a migration gives them: to extend it, add the action there and a migration that
calls ``replace_triggers`` and rebuilds the table (``rebuild``) with the new list.
"""

from __future__ import annotations

TABLE = """
CREATE TABLE projects_need_trace (
    need {pk} REFERENCES projects_need (id) ON DELETE CASCADE,
    responded_at TIMESTAMPTZ,
    done_at TIMESTAMPTZ,
    withdrawn BOOLEAN NOT NULL DEFAULT FALSE
)
"""


def _actions(actions: tuple[str, ...]) -> str:
    assert actions and all(action.replace("_", "").isalnum() for action in actions)
    return ", ".join(f"'{action}'" for action in actions)


def recompute_sql(actions: tuple[str, ...], where: str = "") -> str:
    """Each need's facts straight from its events (``where``: more conditions on ``e``)."""
    return (
        "SELECT e.subject_id AS need, "
        "MIN(CASE WHEN e.from_state = 'new' AND e.action IN ({actions}) AND e.actor IS NOT NULL "
        "AND e.actor <> n.resident THEN e.created_at END) AS responded_at, "
        "MAX(CASE WHEN e.to_state = 'done' THEN e.created_at END) AS done_at, "
        "MAX(CASE WHEN e.action = 'cancel' AND e.actor = n.reporter THEN 1 ELSE 0 END) AS withdrawn "
        "FROM projects_event e JOIN projects_need n ON n.id = e.subject_id "
        f"WHERE e.subject = 'need' {where} GROUP BY e.subject_id"
    ).format(actions=_actions(actions))


def rebuild(actions: tuple[str, ...]) -> list[str]:
    """Empty the table and fill it again from the trace."""
    return [
        "DELETE FROM projects_need_trace",
        "INSERT INTO projects_need_trace (need, responded_at, done_at, withdrawn) "
        f"SELECT r.need, r.responded_at, r.done_at, r.withdrawn = 1 FROM ({recompute_sql(actions)}) r "
        "WHERE r.responded_at IS NOT NULL OR r.done_at IS NOT NULL OR r.withdrawn = 1",
    ]


def _sqlite_triggers(actions: tuple[str, ...]) -> list[str]:
    def upsert(column: str, value: str, merge: str) -> str:
        return (
            f"INSERT INTO projects_need_trace (need, {column}) VALUES (NEW.subject_id, {value}) "
            f"ON CONFLICT (need) DO UPDATE SET {column} = {merge}"
        )

    return [
        "CREATE TRIGGER projects_need_trace_response AFTER INSERT ON projects_event "
        f"WHEN NEW.subject = 'need' AND NEW.from_state = 'new' AND NEW.action IN ({_actions(actions)}) "
        "AND NEW.actor IS NOT NULL "
        "AND NEW.actor <> (SELECT resident FROM projects_need WHERE id = NEW.subject_id) BEGIN "
        + upsert(
            "responded_at",
            "NEW.created_at",
            "CASE WHEN responded_at IS NULL OR excluded.responded_at < responded_at "
            "THEN excluded.responded_at ELSE responded_at END",
        )
        + "; END",
        "CREATE TRIGGER projects_need_trace_done AFTER INSERT ON projects_event "
        "WHEN NEW.subject = 'need' AND NEW.to_state = 'done' BEGIN "
        + upsert(
            "done_at",
            "NEW.created_at",
            "CASE WHEN done_at IS NULL OR excluded.done_at > done_at THEN excluded.done_at ELSE done_at END",
        )
        + "; END",
        "CREATE TRIGGER projects_need_trace_withdrawn AFTER INSERT ON projects_event "
        "WHEN NEW.subject = 'need' AND NEW.action = 'cancel' "
        "AND NEW.actor = (SELECT reporter FROM projects_need WHERE id = NEW.subject_id) BEGIN "
        + upsert("withdrawn", "1", "1")
        + "; END",
    ]


def _postgres_triggers(actions: tuple[str, ...]) -> list[str]:
    return [
        f"""CREATE FUNCTION projects_need_trace_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.subject <> 'need' THEN
                RETURN NULL;
            END IF;
            IF NEW.from_state = 'new' AND NEW.action IN ({_actions(actions)}) AND NEW.actor IS NOT NULL
                    AND NEW.actor <> (SELECT resident FROM projects_need WHERE id = NEW.subject_id) THEN
                INSERT INTO projects_need_trace (need, responded_at) VALUES (NEW.subject_id, NEW.created_at)
                ON CONFLICT (need) DO UPDATE
                SET responded_at = LEAST(projects_need_trace.responded_at, EXCLUDED.responded_at);
            END IF;
            IF NEW.to_state = 'done' THEN
                INSERT INTO projects_need_trace (need, done_at) VALUES (NEW.subject_id, NEW.created_at)
                ON CONFLICT (need) DO UPDATE
                SET done_at = GREATEST(projects_need_trace.done_at, EXCLUDED.done_at);
            END IF;
            IF NEW.action = 'cancel'
                    AND NEW.actor = (SELECT reporter FROM projects_need WHERE id = NEW.subject_id) THEN
                INSERT INTO projects_need_trace (need, withdrawn) VALUES (NEW.subject_id, TRUE)
                ON CONFLICT (need) DO UPDATE SET withdrawn = TRUE;
            END IF;
            RETURN NULL;
        END
        $$""",
        "CREATE TRIGGER projects_need_trace AFTER INSERT ON projects_event "
        "FOR EACH ROW EXECUTE FUNCTION projects_need_trace_event()",
    ]


def schema(engine_type: str, actions: tuple[str, ...]) -> list[str]:
    """The table, its triggers, and its rows for the events already there."""
    pk = "INTEGER PRIMARY KEY NOT NULL" if engine_type == "sqlite" else "BIGINT PRIMARY KEY NOT NULL"
    triggers = _sqlite_triggers(actions) if engine_type == "sqlite" else _postgres_triggers(actions)
    return [TABLE.format(pk=pk).strip(), *triggers, *rebuild(actions)]


def replace_triggers(engine_type: str, actions: tuple[str, ...]) -> list[str]:
    """New triggers for a new list of first-response actions, and the table rebuilt with it."""
    if engine_type == "sqlite":
        dropped = [f"DROP TRIGGER projects_need_trace_{name}" for name in ("response", "done", "withdrawn")]
        triggers = _sqlite_triggers(actions)
    else:
        dropped = [
            "DROP TRIGGER projects_need_trace ON projects_event",
            "DROP FUNCTION projects_need_trace_event()",
        ]
        triggers = _postgres_triggers(actions)
    return [*dropped, *triggers, *rebuild(actions)]
