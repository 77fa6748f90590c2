"""三评 pages: my three leaders to rate this quarter (/leaders), a community's published
evaluations (/evaluations/{community}: public, 公示), one quarter's figures, the year's ranking
and honours; staff publish a quarter that has ended and grant the year's honours there."""

from __future__ import annotations

from datetime import datetime, timedelta

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from projects import errors, evaluation, ratings, recognition
from projects.access import Actor
from projects.errors import N_
from projects.quarters import ZONE, quarter_bounds, quarter_of
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.pages.exchange import home_community
from web.pages.forms import Form, read_form
from web.pages.menu import NAV, NavEntry
from web.pages.redirects import redirect
from web.pages.render import page
from web.pages.session import Viewer

NAV.append(NavEntry(N_("Evaluation"), "/evaluations", lambda actor: home_community(actor) is not None))

LEVELS = {"unit": N_("Unit leader"), "building": N_("Building leader"), "grid": N_("Grid leader")}
TITLES = {
    "best_grid_leader": N_("Best grid leader"),
    "best_building_leader": N_("Best building leader"),
    "best_unit_leader": N_("Best unit leader"),
    "excellent_resource": N_("Excellent service resource"),
}
SCORE = N_("score")


def ended_quarters(now: datetime, count: int = 4) -> list[str]:
    """The last ``count`` quarters that have ended, newest first."""
    found, start = [], quarter_bounds(quarter_of(now))[0]
    for _ in range(count):
        found.append(quarter_of(start - timedelta(days=1)))
        start = quarter_bounds(found[-1])[0]
    return found


async def leaders_page(
    request: Request, actor: Actor, now: datetime, *, form: Form | None = None, status: int = 200
):
    return await page(
        request,
        "leaders.html",
        actor,
        status=status,
        form=form,
        leaders=await ratings.my_leaders(actor, now=now),
        levels=LEVELS,
        community=home_community(actor),
    )


async def community_page(
    request: Request,
    viewer: Actor | None,
    community_id: int,
    now: datetime,
    *,
    form: Form | None = None,
    status: int = 200,
) -> Template:
    community = await evaluation.community_area(community_id)
    periods = await evaluation.published_periods(community_id)
    staff = viewer is not None and viewer.is_staff(community.path)
    done = {found.period for found in periods}
    this_year = now.astimezone(ZONE).year
    return await page(
        request,
        "evaluations.html",
        viewer,
        status=status,
        form=form,
        community=community,
        periods=periods,
        staff=staff,
        publishable=[period for period in ended_quarters(now) if period not in done] if staff else [],
        years=sorted({int(found.period[:4]) for found in periods} | {this_year - 1}, reverse=True),
        honours=await recognition.recognitions(community_id),
        titles=TITLES,
    )


class EvaluationPages(Controller):
    include_in_schema = False

    @get("/leaders", name="page:leaders")
    async def leaders(self, request: Request, actor: CurrentActor, now: Now) -> Template:
        return await leaders_page(request, actor, now)

    @post("/leaders/{area_id:int}/rating", name="page:leader-rate")
    async def rate(
        self, request: Request, actor: CurrentActor, area_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        score = form.integer(f"score-{area_id}", low=1, high=5, label=SCORE)
        if form.ok and score is not None:
            try:
                await ratings.rate_leader(
                    actor, area_id, score=score, comment=form.text(f"comment-{area_id}"), now=now
                )
            except errors.Invalid as error:
                form.refuse(error, f"comment-{area_id}")
            except errors.AlreadyRated as error:
                form.refuse(error)
            else:
                return redirect(request, "/leaders", N_("Thank you for your rating."))
        return await leaders_page(request, actor, now, form=form, status=400)

    @get("/evaluations", name="page:evaluations-mine")
    async def mine(self, actor: CurrentActor) -> Redirect:
        community = home_community(actor)
        if community is None:
            raise errors.NotFound(thing=N_("community"))
        return Redirect(path=f"/evaluations/{community}", status_code=303)

    @get("/evaluations/{community_id:int}", name="page:evaluations")
    async def community(self, request: Request, viewer: Viewer, community_id: IdPath, now: Now) -> Template:
        return await community_page(request, viewer, community_id, now)

    @post("/evaluations/{community_id:int}", name="page:evaluation-publish")
    async def publish(
        self, request: Request, actor: CurrentActor, community_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        period = form.text("period", required=True, label=N_("quarter"))
        if form.ok:
            try:
                await evaluation.publish_evaluation(actor, community_id, period, now=now)
            except (errors.Invalid, errors.Conflict) as error:
                form.refuse(error)
            else:
                return redirect(
                    request,
                    f"/evaluations/{community_id}/{period}",
                    N_("The evaluation of {period} is published."),
                    {"period": period},
                )
        return await community_page(request, actor, community_id, now, form=form, status=400)

    @get("/evaluations/{community_id:int}/{period:str}", name="page:evaluation")
    async def read(
        self, request: Request, viewer: Viewer, community_id: IdPath, period: FromPath[str]
    ) -> Template:
        found = await evaluation.published_evaluation(community_id, period)
        return await page(request, "evaluation.html", viewer, evaluation=found, levels=LEVELS)

    @get("/evaluations/{community_id:int}/years/{year:int}", name="page:ranking")
    async def ranking(
        self, request: Request, viewer: Viewer, community_id: IdPath, year: FromPath[int]
    ) -> Template:
        return await ranking_page(request, viewer, community_id, year)

    @post("/evaluations/{community_id:int}/years/{year:int}", name="page:recognition-grant")
    async def grant(
        self, request: Request, actor: CurrentActor, community_id: IdPath, year: FromPath[int], now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        subject = form.text("subject", required=True, label=N_("who"))
        bonus = form.integer(
            "bonus_points", low=0, high=recognition.MAX_BONUS_POINTS, required=False, label=N_("bonus points")
        )
        kind, _, number = subject.partition(":")
        if subject and (kind not in ("leader", "resource") or not number.isdigit()):
            form.error("subject", N_("Choose one from the list."))
        if form.ok:
            try:
                await recognition.grant_recognition(
                    actor,
                    community_id,
                    year,
                    leader_id=int(number) if kind == "leader" else None,
                    resource_id=int(number) if kind == "resource" else None,
                    note=form.text("note"),
                    bonus_points=bonus or 0,
                    now=now,
                )
            except (errors.Invalid, errors.Conflict) as error:
                form.refuse(error)
            else:
                return redirect(
                    request, f"/evaluations/{community_id}/years/{year}", N_("The honour is granted.")
                )
        return await ranking_page(request, actor, community_id, year, form=form, status=400)


class RecognitionPages(Controller):
    path = "/recognitions"
    include_in_schema = False

    @get("/{recognition_id:int}", name="page:recognition")
    async def read(self, recognition_id: IdPath) -> Redirect:
        """An honour is shown on its year's ranking."""
        found = await recognition.get_recognition(recognition_id)
        return Redirect(path=f"/evaluations/{found.community}/years/{found.year}#honours", status_code=303)

    @post("/{recognition_id:int}/approve", name="page:recognition-approve")
    async def approve(
        self, request: Request, actor: CurrentActor, recognition_id: IdPath, now: Now
    ) -> Redirect:
        approved = await recognition.approve_recognition(actor, recognition_id, now=now)
        return redirect(
            request,
            f"/evaluations/{approved.community}/years/{approved.year}",
            N_("The bonus was approved: {points} points were issued."),
            {"points": approved.bonus_points},
        )


async def ranking_page(
    request: Request,
    viewer: Actor | None,
    community_id: int,
    year: int,
    *,
    form: Form | None = None,
    status: int = 200,
) -> Template:
    found = await recognition.year_ranking(community_id, year)
    community = await evaluation.community_area(community_id)
    return await page(
        request,
        "ranking.html",
        viewer,
        status=status,
        form=form,
        ranking=found,
        staff=viewer is not None and viewer.is_staff(community.path),
        honours=await recognition.recognitions(community_id, year=year, viewer=viewer),
        titles=TITLES,
        levels=LEVELS,
    )
