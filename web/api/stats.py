"""Statistics and ledgers (DESIGN.md, "Statistics" and "Interfaces"): the needs' figures of an area
and a period, grouped if asked, the needs behind any figure, volunteer hours and points, and the
needs ledger (台账) as .xlsx or CSV. Staff of the area or above, and admins; any other area is 404."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter

from market.stats import points_redeemed
from projects import hours, limits, stats
from projects.access import Actor
from projects.errors import N_
from projects.figures import hours as as_hours
from projects.figures import parse_day
from web.api.deps import CurrentActor, Now
from web.api.schemas import Id, IdQuery, Limit, NeedPageOut, Out
from web.ledgers import ledger_and_format, ledger_response

FromDay = Annotated[
    str | None,
    QueryParameter(name="from", max_length=10, description="First day, YYYY-MM-DD in China (inclusive)."),
]
ToDay = Annotated[
    str | None,
    QueryParameter(max_length=10, description="Day after the last, YYYY-MM-DD in China (exclusive)."),
]
By = Annotated[
    str | None, QueryParameter(max_length=16, description="category, channel, grade, month or area.")
]


class DurationsOut(Out):
    median: float | None
    p90: float | None


class FiguresOut(Out):
    reported: int
    handled: int
    handled_rate: float | None
    done: int
    on_time: int
    on_time_rate: float | None
    first_response_hours: DurationsOut
    completion_hours: DurationsOut
    open: int
    overdue: int


class _Key(Out):
    key: str


class GroupOut(FiguresOut, _Key):
    """One group's figures, its key first: a category code, a channel, a grade (``none``
    ungraded), a month ``YYYY-MM`` or a child area's id."""


class GroupedFiguresOut(FiguresOut):
    groups: list[GroupOut]


class RankedOut(Out):
    id: Id
    name: str
    minutes: int
    claims: int


class MonthMinutesOut(Out):
    month: str
    minutes: int


class HoursOut(Out):
    minutes: int
    hours: float
    points_issued: int
    points_redeemed: int
    points_outstanding: int | None
    active_volunteers: int
    by_month: list[MonthMinutesOut]
    top_volunteers: list[RankedOut]
    top_teams: list[RankedOut]
    top_organisations: list[RankedOut]


async def scope_of(actor: Actor, area_id: int | None, first: str | None, end: str | None, now: datetime):
    return await stats.stats_scope(
        actor,
        area_id=area_id,
        first=parse_day(first, N_("first day (from)"), "from"),
        end=parse_day(end, N_("end (to)"), "to"),
        now=now,
    )


async def hours_figures(scope: stats.Scope) -> HoursOut:
    found = await hours.hours_stats(scope)
    return HoursOut(
        minutes=found.minutes,
        hours=as_hours(found.minutes * 60) or 0.0,
        points_issued=found.points_issued,
        points_redeemed=await points_redeemed(scope),
        points_outstanding=found.points_outstanding,
        active_volunteers=found.active_volunteers,
        by_month=[MonthMinutesOut(month=m, minutes=n) for m, n in found.minutes_by_month.items()],
        top_volunteers=[RankedOut.model_validate(r) for r in found.top_volunteers],
        top_teams=[RankedOut.model_validate(r) for r in found.top_teams],
        top_organisations=[RankedOut.model_validate(r) for r in found.top_organisations],
    )


class StatsController(Controller):
    path = "/api/v1/stats"
    tags = ["statistics"]

    @get("/needs", name="api:stats-needs", summary="Needs' figures of an area and a period, grouped if asked")
    async def needs(
        self,
        actor: CurrentActor,
        now: Now,
        area_id: IdQuery = None,
        from_: FromDay = None,
        to: ToDay = None,
        by: By = None,
    ) -> FiguresOut | GroupedFiguresOut:
        scope = await scope_of(actor, area_id, from_, to, now)
        found = await stats.need_stats(scope, (by,) if by else ())
        totals = FiguresOut.model_validate(found.totals)
        if not by:
            return totals
        groups = [GroupOut.model_validate(group) for group in found.groups[by]]
        return GroupedFiguresOut(**totals.model_dump(), groups=groups)

    @get(
        "/needs/items",
        name="api:stats-needs-items",
        summary="The needs behind a figure (in one group, if given), newest first, cursor paged",
    )
    async def needs_behind(
        self,
        actor: CurrentActor,
        now: Now,
        area_id: IdQuery = None,
        from_: FromDay = None,
        to: ToDay = None,
        figure: FromQuery[str] = "reported",
        by: By = None,
        key: Annotated[str | None, QueryParameter(max_length=limits.GROUP_KEY_MAX_CHARS)] = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = stats.PAGE,
    ) -> NeedPageOut:
        scope = await scope_of(actor, area_id, from_, to, now)
        page = await stats.needs_behind(
            actor, scope, figure=figure, grouping=by, key=key, cursor=cursor, limit=limit
        )
        return NeedPageOut.model_validate(page)

    @get("/hours", name="api:stats-hours", summary="Volunteer hours and points of an area and a period")
    async def hours(
        self, actor: CurrentActor, now: Now, area_id: IdQuery = None, from_: FromDay = None, to: ToDay = None
    ) -> HoursOut:
        return await hours_figures(await scope_of(actor, area_id, from_, to, now))


class ExportController(Controller):
    path = "/api/v1/exports"
    tags = ["statistics"]

    @get(
        "/{name:str}",
        name="api:export",
        summary="A ledger (台账) of an area and a period: needs.xlsx or needs.csv (one row per need counted "
        "as reported), claims, volunteers or stats (.xlsx or .csv)",
    )
    async def export(
        self,
        request: Request,
        actor: CurrentActor,
        now: Now,
        name: FromPath[str],
        area_id: IdQuery = None,
        from_: FromDay = None,
        to: ToDay = None,
    ) -> Response:
        ledger_and_format(name)  # 404 before anything is read
        return await ledger_response(request, await scope_of(actor, area_id, from_, to, now), name)
