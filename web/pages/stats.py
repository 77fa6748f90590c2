"""The statistics page for staff (统计): an area's figures for a period with drill-down from the
district to its streets, communities and grids, charts drawn on the server, volunteer hours and
points, the ledgers to download, and every figure a link to the needs behind it."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from projects import errors, stats
from projects.access import Actor
from projects.areas import get_area
from projects.categories import list_categories
from projects.errors import N_
from projects.figures import parse_day
from projects.hours import hours_stats
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdQuery
from web.api.stats import FromDay, ToDay, scope_of
from web.charts import bars, counts_and_rate, ranked_bars
from web.i18n import translate
from web.ledgers import GROUPING_NAMES, group_labels, ledger_and_format, ledger_response
from web.pages.forms import Form
from web.pages.render import page
from web.pages.templates import lang_of

# What each figure is called on the page (the list of the needs behind it says it too).
FIGURE_NAMES = {
    "reported": N_("Needs reported"),
    "handled": N_("Handled"),
    "done": N_("Done"),
    "on_time": N_("Done on time"),
    "open": N_("Open"),
    "overdue": N_("Overdue"),
    "responded": N_("Answered"),
}
# The first column of each grouping's table.
GROUPING_COLUMNS = {
    "area": N_("Area"),
    "category": N_("Category"),
    "channel": N_("Channel"),
    "grade": N_("Grade"),
    "month": N_("Month"),
}
UNTIL = N_("last day (until)")


def query(scope: stats.Scope, **extra: Any) -> str:
    """The scope as a query string (``to`` exclusive, as the API takes it), and ``extra``."""
    values = {"area_id": scope.area.id, "from": scope.period.first, "to": scope.period.end, **extra}
    return urlencode({key: value for key, value in values.items() if value is not None})


async def page_scope(
    actor: Actor, area_id: int | None, first: str | None, end: str | None, until: str | None, now: datetime
) -> tuple[stats.Scope, Form]:
    """The scope the page shows. A person types the last day (``until``); links carry ``to``.
    A period typed wrong is said on the form, and this year is shown meanwhile."""
    form = Form(values={"from": first or "", "until": until or ""})
    try:
        last = parse_day(until, UNTIL)
        if last is not None:
            end = str(last + timedelta(days=1))
        return await scope_of(actor, area_id, first, end, now), form
    except errors.Invalid as error:
        form.refuse(error)
        scope = await scope_of(actor, area_id, None, None, now)
        return scope, form


async def labels(request: Request, scope: stats.Scope) -> dict[str, dict[str, str]]:
    return await group_labels(lang_of(request), scope)


async def breadcrumbs(actor: Actor, scope: stats.Scope) -> list[tuple[int, str, bool]]:
    """The area's ancestors and itself: (id, name, may this member open its statistics)."""
    crumbs = []
    for area_id in scope.area.ancestor_ids():
        area = scope.area if area_id == scope.area.id else await get_area(area_id)
        crumbs.append((area.id, area.name, actor.is_staff(area.path)))
    return crumbs


def top_categories(groups: list[stats.Group], parents: dict[str, str | None]) -> dict[str, int]:
    """Needs reported per top category (the groups are subcategories): a few sums for a chart."""
    totals: dict[str, int] = defaultdict(int)
    for group in groups:
        totals[parents.get(group.key) or group.key] += group.reported
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


async def charts(request: Request, found: stats.NeedStats, hours, names: dict[str, dict[str, str]]) -> list:
    lang = lang_of(request)

    def say(message: str) -> str:
        return translate(lang, message)

    months = found.groups["month"]
    month_labels = [group.key for group in months]
    records = await list_categories(include_inactive=True)
    parents = {c.code: c.parent for c in records}
    category_names = {c.code: (c.name_en or c.name) if lang == "en" else c.name for c in records}
    by_top = top_categories(found.groups["category"], parents)
    areas = found.groups["area"]
    return [
        counts_and_rate(
            say(N_("Needs by month")),
            month_labels,
            {
                say(N_("Needs reported")): [g.reported for g in months],
                say(N_("Handled")): [g.handled for g in months],
            },
            say(N_("Handled rate (%)")),
            [g.handled_rate for g in months],
        ),
        ranked_bars(
            say(N_("Needs by category")),
            # pygal draws the first bar at the bottom: the largest goes last, to be on top.
            [category_names.get(code, code) for code in reversed(by_top)],
            list(reversed(by_top.values())),
        ),
        bars(
            say(N_("Handled and on-time rate by area (%)")),
            [names["area"].get(g.key, g.key) for g in areas],
            {
                say(N_("Handled rate")): [
                    None if g.handled_rate is None else round(g.handled_rate * 100, 2) for g in areas
                ],
                say(N_("On-time rate")): [
                    None if g.on_time_rate is None else round(g.on_time_rate * 100, 2) for g in areas
                ],
            },
            unit="%",
            value_range=(0, 100),
        ),
        bars(
            say(N_("Volunteer hours by month")),
            list(hours.minutes_by_month),
            {say(N_("Hours")): [round(minutes / 60, 1) for minutes in hours.minutes_by_month.values()]},
        ),
    ]


class StatsPages(Controller):
    path = "/stats"
    include_in_schema = False

    @get(name="page:stats")
    async def overview(
        self,
        request: Request,
        actor: CurrentActor,
        now: Now,
        area_id: IdQuery = None,
        from_: FromDay = None,
        to: ToDay = None,
        until: FromQuery[str | None] = None,
    ) -> Template:
        scope, form = await page_scope(actor, area_id, from_, to, until, now)
        # Hours by child area (a drill-down compares them); counts only for the other groupings.
        found = await stats.need_stats(scope, stats.GROUPINGS, durations=("area",))
        hours = await hours_stats(scope)
        names = await labels(request, scope)
        if not form.values["from"]:
            form.values["from"] = str(scope.period.first)
        if not form.values["until"] or form.errors:
            form.values["until"] = str(scope.period.end - timedelta(days=1))
        return await page(
            request,
            "stats.html",
            actor,
            form=form,
            scope=scope,
            last_day=scope.period.end - timedelta(days=1),
            crumbs=await breadcrumbs(actor, scope),
            totals=found.totals,
            groups=found.groups,
            names=names,
            hours=hours,
            charts=await charts(request, found, hours, names),
            figure_names=FIGURE_NAMES,
            grouping_names=GROUPING_NAMES,
            grouping_columns=GROUPING_COLUMNS,
            drill=scope.area.level in ("district", "street", "community"),
            query=lambda **extra: query(scope, **extra),
        )

    @get("/needs", name="page:stats-needs")
    async def needs(
        self,
        request: Request,
        actor: CurrentActor,
        now: Now,
        area_id: IdQuery = None,
        from_: FromDay = None,
        to: ToDay = None,
        figure: FromQuery[str] = "reported",
        by: FromQuery[str | None] = None,
        key: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        scope = await scope_of(actor, area_id, from_, to, now)
        listed = await stats.needs_behind(actor, scope, figure=figure, grouping=by, key=key, cursor=cursor)
        names = await labels(request, scope)
        return await page(
            request,
            "stats_needs.html",
            actor,
            scope=scope,
            last_day=scope.period.end - timedelta(days=1),
            figure=FIGURE_NAMES[figure],
            grouping=GROUPING_NAMES.get(by) if by else None,
            key_name=names.get(by or "", {}).get(key or "", key),
            needs=listed.items,
            next_link=(
                f"/stats/needs?{query(scope, figure=figure, by=by, key=key, cursor=listed.next_cursor)}"
                if listed.next_cursor
                else None
            ),
            back=f"/stats?{query(scope)}",
        )

    @get("/{name:str}", name="page:stats-ledger")
    async def ledger(
        self,
        request: Request,
        actor: CurrentActor,
        now: Now,
        name: FromPath[str],
        area_id: IdQuery = None,
        from_: FromDay = None,
        to: ToDay = None,
    ) -> Response:
        """A ledger to download: needs.xlsx, claims.csv... (web.ledgers)."""
        ledger_and_format(name)
        return await ledger_response(request, await scope_of(actor, area_id, from_, to, now), name)
