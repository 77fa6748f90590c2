"""Statistics of needs for an area and a period, exactly as DESIGN.md ("Statistics") defines them,
computed in SQL by grouped queries that give the same figures on SQLite and PostgreSQL.

One predicate says which needs are *reported* (``_counted``); every figure, every group, the list
of the needs behind a figure and the needs ledger (``projects.needs_ledger``) are read through it,
so that any figure can be listed back as the needs behind it.

Where DESIGN defines a figure by the trace, it is read from the trace (``projects_event``), never
from a column that later changes could rewrite, through what the database keeps of it per need
(``projects_need_trace``, see need_trace.py):
- *first response*: the first event that moves the need out of ``new`` by one of
  ``FIRST_RESPONSE_ACTIONS``, by a person other than its resident (the deadline sweep, which acts
  as nobody, does not respond to anyone);
- *completion*: the last move to ``done``;
- *cancelled by their reporter*: the ``cancel`` event's actor is the need's reporter.
The current state (``status``, ``overdue``, ``grade``) and the deadline are the need's columns:
DESIGN defines those figures "at the moment the figures are computed" and "now".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from projects import errors
from projects.access import Actor, Grant
from projects.areas import AreaRecord, children, get_area, path_range
from projects.db import postgres
from projects.errors import N_
from projects.figures import MEDIAN, P90, Period, hours, nearest_rank_sql, period, rate
from projects.needs import OPEN, NeedPage, records
from projects.states import parse_cursor
from projects.tables import Area, Need

# The moves out of ``new`` that answer a resident. Issue 11's grid leader taking a need and a
# level above handing it down answer too. Another is added here and in a migration that gives
# the trace's triggers the new list (need_trace.replace_triggers): a test checks they agree.
FIRST_RESPONSE_ACTIONS = ("triage", "escalate", "reject", "merge", "hand_down", "take")
HANDLED = ("done", "rejected")  # a decision given to the resident
GROUPINGS = ("category", "channel", "grade", "month", "area")
# What a figure counts, for listing the needs behind it.
FIGURES = ("reported", "handled", "done", "on_time", "open", "overdue", "responded")
TOTAL = "*"  # the key of the row of totals; no group key is ever "*"
UNGRADED = "none"
PAGE = 50
MAX_PAGE = 200


# -- who may see what ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """An area (its whole subtree) and a period: what every figure is about."""

    area: AreaRecord
    period: Period


def staff_areas(actor: Actor) -> list[Grant]:
    """Where this member is staff, highest first."""
    return sorted((grant for grant in actor.grants if grant.role == "staff"), key=lambda g: len(g.path))


async def stats_scope(
    actor: Actor, *, area_id: int | None, first: date | None, end: date | None, now: datetime
) -> Scope:
    """The area and period asked for, if this member may see their statistics: staff of the area
    or above, and admins. An area they may not see is not there (404). Without an area: the
    highest area where they are staff (for an admin, the first district)."""
    if area_id is None:
        grants = staff_areas(actor)
        if grants:
            area_id = grants[0].area_id
        elif actor.is_admin:
            top = await Area.select(Area.id).where(Area.parent.is_null()).order_by(Area.id).first()
            if top is None:
                raise errors.NotFound(thing=N_("area"))
            area_id = top["id"]
        else:
            raise errors.NotAllowed(N_("Statistics are for community, street and district staff."))
    try:
        area = await get_area(area_id)
    except errors.NotFound:
        raise errors.NotFound(thing=N_("area")) from None
    if not actor.is_staff(area.path):
        raise errors.NotFound(thing=N_("area"))
    return Scope(area, period(first, end, now=now))


# -- the figures -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Durations:
    """Hours, nearest-rank: None when no need has one."""

    median: float | None
    p90: float | None


@dataclass(frozen=True, slots=True)
class Figures:
    reported: int
    handled: int
    handled_rate: float | None
    done: int
    on_time: int
    on_time_rate: float | None
    first_response_hours: Durations
    completion_hours: Durations
    open: int
    overdue: int


@dataclass(frozen=True, slots=True)
class Group(Figures):
    key: str


@dataclass(frozen=True, slots=True)
class NeedStats:
    totals: Figures
    groups: dict[str, list[Group]]  # grouping -> its groups, for the groupings asked for


async def need_stats(scope: Scope, groupings: tuple[str, ...] = ()) -> NeedStats:
    """The totals and, for each grouping, its groups: one statement, however many groupings."""
    for grouping in groupings:
        _check_grouping(grouping)
    sql, params = _stats_sql(scope, groupings)
    rows = await Need.raw(sql, *params)
    found: dict[tuple[str, str], Figures] = {}
    for row in rows:
        found[(row["grouped_by"], row["group_key"])] = _figures(row)
    totals = found.get(("", TOTAL)) or _empty()
    groups = {}
    for grouping in groupings:
        keys = [key for (name, key) in found if name == grouping]
        groups[grouping] = [
            Group(**_fields(found.get((grouping, key)) or _empty()), key=key)
            for key in await _keys(scope, grouping, keys)
        ]
    return NeedStats(totals, groups)


def _check_grouping(grouping: str) -> None:
    if grouping not in GROUPINGS:
        raise errors.Invalid(N_("Group by category, channel, grade, month or area."))


async def _keys(scope: Scope, grouping: str, found: list[str]) -> list[str]:
    """The groups to show: every child area and every month of the period, so that a drill-down
    or a chart shows each one, even with nothing in it; otherwise those that have needs."""
    if grouping == "month":
        return scope.period.months()
    if grouping == "area":
        listed = [str(child.id) for child in await children(scope.area.id)]
        itself = str(scope.area.id)  # needs reported at the area itself, in none of its children
        return ([itself] if itself in found else []) + listed
    return sorted(found)


def _empty() -> Figures:
    nothing = Durations(None, None)
    return Figures(0, 0, None, 0, 0, None, nothing, nothing, 0, 0)


def _fields(figures: Figures) -> dict[str, Any]:
    return {name: getattr(figures, name) for name in Figures.__slots__}


def _int(value) -> int:
    return int(value or 0)


def _figures(row: dict) -> Figures:
    reported, handled, done = _int(row["reported"]), _int(row["handled"]), _int(row["done"])
    on_time, timed = _int(row["on_time"]), _int(row["timed"])
    return Figures(
        reported=reported,
        handled=handled,
        handled_rate=rate(handled, reported),
        done=done,
        on_time=on_time,
        on_time_rate=rate(on_time, timed),
        first_response_hours=Durations(
            hours(_seconds(row["response_median"])), hours(_seconds(row["response_p90"]))
        ),
        completion_hours=Durations(
            hours(_seconds(row["completion_median"])), hours(_seconds(row["completion_p90"]))
        ),
        open=_int(row["open"]),
        overdue=_int(row["overdue"]),
    )


def _seconds(value) -> int | None:
    return None if value is None else int(value)


# -- the SQL ----------------------------------------------------------------------------------------


def _sql_list(values: tuple[str, ...]) -> str:
    """Constant codes of this module as an SQL list (never user input)."""
    assert all(value.replace("_", "").isalnum() for value in values)
    return ", ".join(f"'{value}'" for value in values)


def epoch_seconds(column: str) -> str:
    """Whole seconds since 1970 of a stored instant, the same on both engines: SQLite keeps
    instants as UTC text, whose first 19 characters are the whole seconds (its own parser would
    round the fraction to milliseconds, PostgreSQL's floor truncates it)."""
    if postgres():
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
    return f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)"


def month_sql(column: str) -> str:
    """The month in China of a stored instant, ``YYYY-MM``."""
    if postgres():
        return f"to_char({column} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"
    return f"strftime('%Y-%m', substr({column}, 1, 19), '+8 hours')"


def _key_expressions(scope: Scope) -> tuple[dict[str, str], list[Any]]:
    """Each grouping's key of a need (``n``, its area ``a``), as text."""
    area = scope.area
    start = len(area.path) + 1  # the child's id starts right after the area's own path
    rest = f"substr(a.path, {start})"
    child = f"split_part({rest}, '/', 1)" if postgres() else f"substr({rest}, 1, instr({rest}, '/') - 1)"
    return {
        "category": "n.category",
        "channel": "n.channel",
        "grade": f"COALESCE(n.grade, '{UNGRADED}')",
        "month": month_sql("n.created_at"),
        "area": f"CASE WHEN a.path = {{}} THEN '{area.id}' ELSE {child} END",
    }, [area.path]


def counted_sql(scope: Scope, *, columns: str, keys: tuple[str, ...] = ()) -> tuple[str, list[Any]]:
    """``SELECT columns`` of the needs counted as reported in ``scope`` (a need ``n``, its area
    ``a``, what its trace says ``t``), with the grouping ``keys`` as ``key_<grouping>``. DESIGN:
    needs created in the period under the area, except those merged into another and those
    cancelled by their reporter."""
    expressions, key_params = _key_expressions(scope)
    selected = [columns]
    params: list[Any] = []
    for grouping in keys:
        selected.append(f"{expressions[grouping]} AS key_{grouping}")
        if grouping == "area":
            params += key_params
    low, high = path_range(scope.area.path)
    sql = (
        f"SELECT {', '.join(selected)} FROM projects_need n JOIN projects_area a ON a.id = n.area "
        "LEFT JOIN projects_need_trace t ON t.need = n.id "
        "WHERE a.path >= {} AND a.path < {} AND n.created_at >= {} AND n.created_at < {} "
        "AND n.status <> 'merged' AND NOT (n.status = 'cancelled' AND t.withdrawn IS TRUE)"
    )
    return sql, [*params, low, high, scope.period.start_at, scope.period.end_at]


# What a counted need's trace says (need_trace.py): its first response, its completion.
RESPONDED_AT = "t.responded_at"
DONE_AT = "CASE WHEN n.status = 'done' THEN t.done_at END"
BASE_COLUMNS = (
    f"n.id AS id, n.status AS status, n.overdue AS overdue, n.deadline AS deadline, "
    f"n.created_at AS created_at, {RESPONDED_AT} AS responded_at, {DONE_AT} AS done_at"
)
# What each figure counts, over those columns (``f``: a counted need).
PREDICATES = {
    "reported": "1 = 1",
    "handled": f"f.status IN ({_sql_list(HANDLED)})",
    "done": "f.status = 'done'",
    "on_time": "f.status = 'done' AND f.done_at <= f.deadline",
    "open": f"f.status IN ({_sql_list(OPEN)})",
    "overdue": f"f.status IN ({_sql_list(OPEN)}) AND f.overdue",
    "responded": "f.responded_at IS NOT NULL",
}


def _flag(figure: str) -> str:
    return f"CASE WHEN {PREDICATES[figure]} THEN 1 ELSE 0 END"


def _stats_sql(scope: Scope, groupings: tuple[str, ...]) -> tuple[str, list[Any]]:
    counted, params = counted_sql(scope, columns=BASE_COLUMNS, keys=groupings)
    keys = "".join(f", f.key_{grouping}" for grouping in groupings)
    per_need = (
        f"SELECT {_flag('handled')} AS handled, {_flag('done')} AS done, "
        f"CASE WHEN f.status = 'done' AND f.deadline IS NOT NULL THEN 1 ELSE 0 END AS timed, "
        f"{_flag('on_time')} AS on_time, {_flag('open')} AS open, {_flag('overdue')} AS overdue, "
        f"{epoch_seconds('f.responded_at')} - {epoch_seconds('f.created_at')} AS response_s, "
        f"{epoch_seconds('f.done_at')} - {epoch_seconds('f.created_at')} AS completion_s{keys} "
        "FROM counted f"
    )
    parts = [f"SELECT '' AS grouped_by, '{TOTAL}' AS group_key, p.* FROM per_need p"]
    parts += [
        f"SELECT '{grouping}' AS grouped_by, p.key_{grouping} AS group_key, p.* FROM per_need p"
        for grouping in groupings
    ]
    median, p90 = nearest_rank_sql(MEDIAN, "n"), nearest_rank_sql(P90, "n")

    def ranked(column: str) -> str:
        return (
            f"SELECT grouped_by, group_key, {column} AS s, "
            f"ROW_NUMBER() OVER (PARTITION BY grouped_by, group_key ORDER BY {column}) AS rn, "
            f"COUNT(*) OVER (PARTITION BY grouped_by, group_key) AS n FROM keyed WHERE {column} IS NOT NULL"
        )

    def percentiles(source: str) -> str:
        return (
            f"SELECT grouped_by, group_key, MAX(CASE WHEN rn = {median} THEN s END) AS median, "
            f"MAX(CASE WHEN rn = {p90} THEN s END) AS p90 FROM {source} GROUP BY grouped_by, group_key"
        )

    sql = (
        f"WITH counted AS MATERIALIZED ({counted}), "
        f"per_need AS ({per_need}), "
        f"keyed AS MATERIALIZED ({' UNION ALL '.join(parts)}), "
        "counts AS (SELECT grouped_by, group_key, COUNT(*) AS reported, SUM(handled) AS handled, "
        "SUM(done) AS done, SUM(timed) AS timed, SUM(on_time) AS on_time, SUM(open) AS open, "
        "SUM(overdue) AS overdue "
        "FROM keyed GROUP BY grouped_by, group_key), "
        f"response AS ({ranked('response_s')}), completion AS ({ranked('completion_s')}), "
        f"response_pct AS ({percentiles('response')}), completion_pct AS ({percentiles('completion')}) "
        "SELECT c.grouped_by AS grouped_by, c.group_key AS group_key, c.reported AS reported, "
        "c.handled AS handled, c.done AS done, c.timed AS timed, c.on_time AS on_time, c.open AS open, "
        "c.overdue AS overdue, "
        "r.median AS response_median, r.p90 AS response_p90, "
        "d.median AS completion_median, d.p90 AS completion_p90 "
        "FROM counts c "
        "LEFT JOIN response_pct r ON r.grouped_by = c.grouped_by AND r.group_key = c.group_key "
        "LEFT JOIN completion_pct d ON d.grouped_by = c.grouped_by AND d.group_key = c.group_key"
    )
    return sql, params


# -- the needs behind a figure ----------------------------------------------------------------------


def check_figure(figure: str) -> None:
    if figure not in FIGURES:
        raise errors.Invalid(
            N_("The figure is one of reported, handled, done, on_time, open, overdue or responded.")
        )


async def needs_behind(
    actor: Actor,
    scope: Scope,
    *,
    figure: str = "reported",
    grouping: str | None = None,
    key: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE,
) -> NeedPage:
    """The needs a figure counts (in one group, if given), newest first, a page at a time."""
    check_figure(figure)
    if grouping is not None:
        _check_grouping(grouping)
        if key is None or not key.strip() or len(key) > 64:
            raise errors.Invalid(N_("Say which group: its key."))
    limit = max(1, min(limit, MAX_PAGE))
    keys = (grouping,) if grouping else ()
    counted, params = counted_sql(scope, columns=BASE_COLUMNS, keys=keys)
    where = [PREDICATES[figure]]
    if grouping is not None:
        where.append(f"f.key_{grouping} = {{}}")
        params.append(key)
    before = parse_cursor(cursor)
    if before is not None:
        where.append("f.id < {}")
        params.append(before)
    rows = await Need.raw(
        f"WITH counted AS ({counted}) SELECT f.id AS id FROM counted f WHERE {' AND '.join(where)} "
        f"ORDER BY f.id DESC LIMIT {limit + 1}",
        *params,
    )
    ids = [int(row["id"]) for row in rows]
    items = await records(actor, ids[:limit])
    return NeedPage(items, str(ids[limit - 1]) if len(ids) > limit else None)
