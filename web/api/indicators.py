"""The indicator system (the Zhifu model): the tree, a community's score for a year with each
leaf's value, source and weight, a street's communities side by side, and assessors' scores."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Annotated

from litestar import Controller, get, put
from litestar.params import JSONBody, QueryParameter

from projects import indicators
from projects.indicator_score import Scored
from projects.quarters import ZONE
from web.api.deps import CurrentActor, Now
from web.api.schemas import Id, IdPath, In, OptionalId, Out, ref

Year = Annotated[
    int | None,
    QueryParameter(ge=2000, le=2100, description="The year scored; this year in China if not given."),
]


def _year(year: int | None, now: datetime) -> int:
    return year if year is not None else now.astimezone(ZONE).year


class IndicatorOut(Out):
    id: Id
    parent_id: OptionalId = ref("parent")
    name: str
    weight: int
    source: str
    statistic: str
    question_id: OptionalId = ref("question")


class ScoreOut(Out):
    """A node's score out of 100 (two places; null: no value this year), its weight among its
    siblings, where a leaf's value came from, and the share of its weight that had values."""

    id: Id
    name: str
    weight: int
    source: str
    score: float | None
    coverage: float
    detail: str = ""
    note: str = ""
    children: list[ScoreOut] = []


class CommunityScoreOut(Out):
    community_id: Id
    community: str
    year: int
    score: float | None
    coverage: float
    indicators: list[ScoreOut]
    problems: list[str]


class AssessmentIn(In):
    year: int
    score: int
    note: str


def _two(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _node(scored: Scored, found: indicators.CommunityScore) -> ScoreOut:
    leaf = found.leaves.get(scored.node.id)
    return ScoreOut(
        id=str(scored.node.id),
        name=scored.node.name,
        weight=scored.node.weight,
        source=scored.node.source,
        score=_two(scored.score),
        coverage=round(float(scored.coverage), 4),
        detail=leaf.detail if leaf else "",
        note=leaf.note if leaf else "",
        children=[_node(child, found) for child in scored.children],
    )


def community_out(found: indicators.CommunityScore) -> CommunityScoreOut:
    return CommunityScoreOut(
        community_id=str(found.community.id),
        community=found.community.name,
        year=found.year,
        score=_two(found.scored.score),
        coverage=round(float(found.scored.coverage), 4),
        indicators=[_node(child, found) for child in found.scored.children],
        problems=found.problems,
    )


class IndicatorController(Controller):
    tags = ["evaluation"]

    @get("/api/v1/indicators", name="api:indicators", summary="The indicator tree")
    async def tree(self, actor: CurrentActor) -> list[IndicatorOut]:
        return [IndicatorOut.model_validate(row) for row in await indicators.indicator_rows()]

    @get(
        "/api/v1/communities/{community_id:int}/indicators",
        name="api:community-indicators",
        summary="A community's score for a year, leaf by leaf (its staff, staff above it)",
    )
    async def community(
        self, actor: CurrentActor, community_id: IdPath, now: Now, year: Year = None
    ) -> CommunityScoreOut:
        return community_out(await indicators.community_score(actor, community_id, _year(year, now)))

    @get(
        "/api/v1/streets/{street_id:int}/indicators",
        name="api:street-indicators",
        summary="The communities of a street scored side by side",
    )
    async def street(
        self, actor: CurrentActor, street_id: IdPath, now: Now, year: Year = None
    ) -> list[CommunityScoreOut]:
        scores = await indicators.street_scores(actor, street_id, _year(year, now))
        return [community_out(found) for found in scores]

    @put(
        "/api/v1/communities/{community_id:int}/assessments/{indicator_id:int}",
        name="api:assessment",
        summary="An assessor scores an assessment indicator of a community's year (0-100, with a note)",
    )
    async def assess(
        self,
        actor: CurrentActor,
        community_id: IdPath,
        indicator_id: IdPath,
        data: JSONBody[AssessmentIn],
        now: Now,
    ) -> CommunityScoreOut:
        await indicators.assess(
            actor, indicator_id, community_id, year=data.year, score=data.score, note=data.note, now=now
        )
        return community_out(await indicators.community_score(actor, community_id, data.year))
