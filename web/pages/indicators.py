"""Indicator pages (the Zhifu model): a street's communities scored side by side for a year,
and one community's score leaf by leaf, where assessors score their indicators."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, PathParameter
from litestar.response import Redirect, Template

from projects import errors, indicators
from projects.access import Actor
from projects.areas import areas_below
from projects.errors import N_
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.pages.forms import Form, read_form
from web.pages.redirects import redirect
from web.pages.render import page

YearPath = Annotated[int, PathParameter(ge=2000, le=2100)]


def _year(request: Request, year: str | None) -> int:
    return int(year) if year and year.isdigit() else request.app.state.clock().year


class IndicatorPages(Controller):
    path = "/indicators"
    include_in_schema = False

    @get(name="page:indicators")
    async def streets(
        self, request: Request, actor: CurrentActor, year: FromQuery[str | None] = None
    ) -> Template:
        chosen = _year(request, year)
        staff = [grant.path for grant in actor.grants if grant.role == "staff"]
        actor.require(actor.is_admin or bool(staff))
        places = await areas_below(staff, depth=2, lowest="community")
        streets = [area for area in places if area.level == "street"]
        communities = [area for area in places if area.level == "community"]
        compared = [(street, await indicators.street_scores(actor, street.id, chosen)) for street in streets]
        return await page(
            request,
            "indicators.html",
            actor,
            year=chosen,
            compared=compared,
            own=[area for area in communities if not any(area.parent == street.id for street in streets)],
        )

    @get("/{community_id:int}/{year:int}", name="page:indicators-community")
    async def community(
        self, request: Request, actor: CurrentActor, community_id: IdPath, year: YearPath
    ) -> Template:
        return await self._community(request, actor, community_id, year)

    async def _community(
        self, request: Request, actor: Actor, community_id: int, year: int, form: Form | None = None
    ) -> Template:
        found = await indicators.community_score(actor, community_id, year)
        return await page(
            request,
            "indicators_community.html",
            actor,
            status=400 if form and form.errors else 200,
            form=form,
            found=found,
            assessor=await indicators.assessable(actor, found.community),
            statistics=indicators.STATISTICS,
            sources=indicators.SOURCES,
        )

    @post("/{community_id:int}/{year:int}/assess/{indicator_id:int}", name="page:indicators-assess")
    async def assess(
        self,
        request: Request,
        actor: CurrentActor,
        community_id: IdPath,
        year: YearPath,
        indicator_id: IdPath,
        now: Now,
    ) -> Template | Redirect:
        form = await read_form(request)
        score = form.integer(f"score_{indicator_id}", low=0, high=100, label=N_("score"))
        note = form.text(f"note_{indicator_id}", required=True, label=N_("note"))
        if form.ok:
            try:
                await indicators.assess(
                    actor, indicator_id, community_id, year=year, score=score, note=note, now=now
                )
            except errors.Invalid as error:
                form.refuse(error, {"score": f"score_{indicator_id}", "note": f"note_{indicator_id}"})
            else:
                return redirect(
                    request, f"/indicators/{community_id}/{year}", N_("The assessment was saved.")
                )
        return await self._community(request, actor, community_id, year, form)
