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
from projects.limits import GROUP_KEY_MAX_CHARS
from projects.needs import OPEN, NeedPage, records_by_id
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


async def need_stats(
    scope: Scope, groupings: tuple[str, ...] = (), *, durations: tuple[str, ...] | None = None
) -> NeedStats:
    """The totals and, for each grouping, its groups: one statement, however many groupings.
    ``durations``: the groupings whose groups get their hours (all of them by default; each
    costs two sorts of the period's needs): the others' are None."""
    for grouping in groupings:
        _check_grouping(grouping)
    timed = groupings if durations is None else tuple(g for g in groupings if g in durations)
    sql, params = _stats_sql(scope, groupings, timed)
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
RESPONSE_S = "t.response_s"
COMPLETION_S = "CASE WHEN n.status = 'done' THEN t.completion_s END"
# A counted need's columns that figures read, in the query of ``counted_sql`` ...
NEED_FIELDS = {
    "id": "n.id",
    "status": "n.status",
    "overdue": "n.overdue",
    "deadline": "n.deadline",
    "created_at": "n.created_at",
    "responded_at": RESPONDED_AT,
    "done_at": DONE_AT,
}
# ... and as the columns of a query over it (``f``).
OUTER_FIELDS = {name: f"f.{name}" for name in NEED_FIELDS}
BASE_COLUMNS = ", ".join(f"{expression} AS {name}" for name, expression in NEED_FIELDS.items())
# What each figure counts, over those fields.
PREDICATES = {
    "reported": "1 = 1",
    "handled": f"{{status}} IN ({_sql_list(HANDLED)})",
    "done": "{status} = 'done'",
    "on_time": "{status} = 'done' AND {done_at} <= {deadline}",
    "open": f"{{status}} IN ({_sql_list(OPEN)})",
    "overdue": f"{{status}} IN ({_sql_list(OPEN)}) AND {{overdue}}",
    "responded": "{responded_at} IS NOT NULL",
}


def predicate(figure: str, fields: dict[str, str] = OUTER_FIELDS) -> str:
    return PREDICATES[figure].format(**fields)


def _flag(figure: str) -> str:
    return f"CASE WHEN {predicate(figure, NEED_FIELDS)} THEN 1 ELSE 0 END"


FIGURE_COLUMNS = (
    f"{_flag('handled')} AS handled, {_flag('done')} AS done, "
    f"CASE WHEN n.status = 'done' AND n.deadline IS NOT NULL THEN 1 ELSE 0 END AS timed, "
    f"{_flag('on_time')} AS on_time, {_flag('open')} AS open, {_flag('overdue')} AS overdue"
)


def _stats_sql(scope: Scope, groupings: tuple[str, ...], timed: tuple[str, ...]) -> tuple[str, list[Any]]:
    """One statement: the counted needs once (each with its flags and durations), then the totals
    and each grouping's groups, and their nearest-rank percentiles by window functions."""
    columns = f"{FIGURE_COLUMNS}, {RESPONSE_S} AS response_s, {COMPLETION_S} AS completion_s"
    counted, params = counted_sql(scope, columns=columns, keys=groupings)
    sets = [("", f"'{TOTAL}'", "")] + [(g, f"key_{g}", f"PARTITION BY key_{g}") for g in groupings]
    median, p90 = nearest_rank_sql(MEDIAN, "n"), nearest_rank_sql(P90, "n")
    counts = " UNION ALL ".join(
        f"SELECT '{name}' AS grouped_by, {key} AS group_key, COUNT(*) AS reported, SUM(handled) AS handled, "
        "SUM(done) AS done, SUM(timed) AS timed, SUM(on_time) AS on_time, SUM(open) AS open, "
        f"SUM(overdue) AS overdue FROM counted{f' GROUP BY {key}' if name else ''}"
        for name, key, _ in sets
    )

    def percentiles(column: str) -> str:
        ranked = " UNION ALL ".join(
            f"SELECT '{name}' AS grouped_by, {key} AS group_key, {column} AS s, "
            f"ROW_NUMBER() OVER ({partition} ORDER BY {column}) AS rn, COUNT(*) OVER ({partition}) AS n "
            f"FROM counted WHERE {column} IS NOT NULL"
            for name, key, partition in sets
            if name in ("", *timed)
        )
        return (
            f"SELECT grouped_by, group_key, MAX(CASE WHEN rn = {median} THEN s END) AS median, "
            f"MAX(CASE WHEN rn = {p90} THEN s END) AS p90 FROM ({ranked}) r "
            f"WHERE rn = {median} OR rn = {p90} GROUP BY grouped_by, group_key"
        )

    sql = (
        f"WITH counted AS MATERIALIZED ({counted}), counts AS ({counts}), "
        f"response AS ({percentiles('response_s')}), completion AS ({percentiles('completion_s')}) "
        "SELECT c.grouped_by AS grouped_by, c.group_key AS group_key, c.reported AS reported, "
        "c.handled AS handled, c.done AS done, c.timed AS timed, c.on_time AS on_time, c.open AS open, "
        "c.overdue AS overdue, r.median AS response_median, r.p90 AS response_p90, "
        "d.median AS completion_median, d.p90 AS completion_p90 FROM counts c "
        "LEFT JOIN response r ON r.grouped_by = c.grouped_by AND r.group_key = c.group_key "
        "LEFT JOIN completion d ON d.grouped_by = c.grouped_by AND d.group_key = c.group_key"
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
        if key is None or not key.strip() or len(key) > GROUP_KEY_MAX_CHARS:
            raise errors.Invalid(N_("Say which group: its key."))
    limit = max(1, min(limit, MAX_PAGE))
    keys = (grouping,) if grouping else ()
    counted, params = counted_sql(scope, columns=BASE_COLUMNS, keys=keys)
    where = [predicate(figure)]
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
    items = await records_by_id(actor, ids[:limit])
    return NeedPage(items, str(ids[limit - 1]) if len(ids) > limit else None)
