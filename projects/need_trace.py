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

import sqlite3

TABLE = """
CREATE TABLE projects_need_trace (
    need {pk} REFERENCES projects_need (id) ON DELETE CASCADE,
    responded_at TIMESTAMPTZ,
    response_s BIGINT,  -- whole seconds from the need's creation to its first response
    done_at TIMESTAMPTZ,
    completion_s BIGINT,  -- ... to its completion
    withdrawn BOOLEAN NOT NULL DEFAULT FALSE
)
"""


def epoch_seconds(column: str, engine_type: str) -> str:
    """Whole seconds since 1970 of a stored instant, the same integer on both engines: SQLite keeps
    instants as UTC text, whose first 19 characters are the whole seconds (its parser would round a
    fraction to milliseconds; PostgreSQL's floor truncates it)."""
    if engine_type == "postgres":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
    if sqlite3.sqlite_version_info >= (3, 38):  # twice as fast as strftime, and the same integer
        return f"unixepoch(substr({column}, 1, 19))"
    return f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)"


def seconds_between(start: str, end: str, engine_type: str) -> str:
    return f"{epoch_seconds(end, engine_type)} - {epoch_seconds(start, engine_type)}"


def _actions(actions: tuple[str, ...]) -> str:
    assert actions and all(action.replace("_", "").isalnum() for action in actions)
    return ", ".join(f"'{action}'" for action in actions)


def recompute_sql(actions: tuple[str, ...], engine_type: str) -> str:
    """Each need's facts straight from its events."""
    responded = (
        f"MIN(CASE WHEN e.from_state = 'new' AND e.action IN ({_actions(actions)}) AND e.actor IS NOT NULL "
        "AND e.actor <> n.resident THEN e.created_at END)"
    )
    done = "MAX(CASE WHEN e.to_state = 'done' THEN e.created_at END)"
    created = "MIN(n.created_at)"
    return (
        f"SELECT e.subject_id AS need, {responded} AS responded_at, "
        f"{seconds_between(created, responded, engine_type)} AS response_s, {done} AS done_at, "
        f"{seconds_between(created, done, engine_type)} AS completion_s, "
        "MAX(CASE WHEN e.action = 'cancel' AND e.actor = n.reporter THEN 1 ELSE 0 END) AS withdrawn "
        "FROM projects_event e JOIN projects_need n ON n.id = e.subject_id "
        "WHERE e.subject = 'need' GROUP BY e.subject_id"
    )


def rebuild(actions: tuple[str, ...], engine_type: str) -> list[str]:
    """Empty the table and fill it again from the trace."""
    return [
        "DELETE FROM projects_need_trace",
        "INSERT INTO projects_need_trace (need, responded_at, response_s, done_at, completion_s, withdrawn) "
        "SELECT r.need, r.responded_at, r.response_s, r.done_at, r.completion_s, r.withdrawn = 1 "
        f"FROM ({recompute_sql(actions, engine_type)}) r "
        "WHERE r.responded_at IS NOT NULL OR r.done_at IS NOT NULL OR r.withdrawn = 1",
    ]


def _sqlite_triggers(actions: tuple[str, ...]) -> list[str]:
    created = "(SELECT created_at FROM projects_need WHERE id = NEW.subject_id)"

    def upsert(moment: str, seconds: str, wins: str) -> str:
        """Keep ``NEW``'s moment (and its seconds since the need was created) when ``wins``."""
        since_created = seconds_between(created, "NEW.created_at", "sqlite")
        return (
            f"INSERT INTO projects_need_trace (need, {moment}, {seconds}) "
            f"VALUES (NEW.subject_id, NEW.created_at, {since_created}) "
            f"ON CONFLICT (need) DO UPDATE SET {moment} = excluded.{moment}, {seconds} = excluded.{seconds} "
            f"WHERE {moment} IS NULL OR {wins}"
        )

    return [
        "CREATE TRIGGER projects_need_trace_response AFTER INSERT ON projects_event "
        f"WHEN NEW.subject = 'need' AND NEW.from_state = 'new' AND NEW.action IN ({_actions(actions)}) "
        "AND NEW.actor IS NOT NULL "
        "AND NEW.actor <> (SELECT resident FROM projects_need WHERE id = NEW.subject_id) BEGIN "
        + upsert("responded_at", "response_s", "excluded.responded_at < responded_at")
        + "; END",
        "CREATE TRIGGER projects_need_trace_done AFTER INSERT ON projects_event "
        "WHEN NEW.subject = 'need' AND NEW.to_state = 'done' BEGIN "
        + upsert("done_at", "completion_s", "excluded.done_at > done_at")
        + "; END",
        "CREATE TRIGGER projects_need_trace_withdrawn AFTER INSERT ON projects_event "
        "WHEN NEW.subject = 'need' AND NEW.action = 'cancel' "
        "AND NEW.actor = (SELECT reporter FROM projects_need WHERE id = NEW.subject_id) BEGIN "
        "INSERT INTO projects_need_trace (need, withdrawn) VALUES (NEW.subject_id, 1) "
        "ON CONFLICT (need) DO UPDATE SET withdrawn = 1; END",
    ]


def _postgres_triggers(actions: tuple[str, ...]) -> list[str]:
    seconds = seconds_between("asked.created_at", "NEW.created_at", "postgres")
    return [
        f"""CREATE FUNCTION projects_need_trace_event() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            asked RECORD;  -- the need the event is about
        BEGIN
            IF NEW.subject <> 'need' THEN
                RETURN NULL;
            END IF;
            SELECT resident, reporter, created_at INTO asked FROM projects_need WHERE id = NEW.subject_id;
            IF NEW.from_state = 'new' AND NEW.action IN ({_actions(actions)}) AND NEW.actor IS NOT NULL
                    AND NEW.actor <> asked.resident THEN
                INSERT INTO projects_need_trace AS kept (need, responded_at, response_s)
                VALUES (NEW.subject_id, NEW.created_at, {seconds})
                ON CONFLICT (need) DO UPDATE
                SET responded_at = EXCLUDED.responded_at, response_s = EXCLUDED.response_s
                WHERE kept.responded_at IS NULL OR EXCLUDED.responded_at < kept.responded_at;
            END IF;
            IF NEW.to_state = 'done' THEN
                INSERT INTO projects_need_trace AS kept (need, done_at, completion_s)
                VALUES (NEW.subject_id, NEW.created_at, {seconds})
                ON CONFLICT (need) DO UPDATE
                SET done_at = EXCLUDED.done_at, completion_s = EXCLUDED.completion_s
                WHERE kept.done_at IS NULL OR EXCLUDED.done_at > kept.done_at;
            END IF;
            IF NEW.action = 'cancel' AND NEW.actor = asked.reporter THEN
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
    return [TABLE.format(pk=pk).strip(), *triggers, *rebuild(actions, engine_type)]


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
    return [*dropped, *triggers, *rebuild(actions, engine_type)]
