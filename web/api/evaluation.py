"""三评 published: residents' quarterly scores of their three leaders (评三长), a community's
evaluation of a quarter (published by its staff, public once published), the year's ranking of
its leaders and resources, and the honours granted for the year."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import JSONBody, PathParameter
from pydantic import BeforeValidator, Field

from projects import evaluation, ratings, recognition
from projects.evaluation import Figure
from web.api.deps import CurrentActor, Now, Viewer, provide_optional_actor
from web.api.schemas import (
    Id,
    IdIn,
    IdPath,
    In,
    OptionalId,
    Out,
    RatingIn,
    TraceOut,
    WithActions,
    optional_id,
    ref,
)

Period = Annotated[str, PathParameter(pattern=r"^[0-9]{4}Q[1-4]$", description="A quarter, such as 2026Q4.")]
Year = Annotated[int, PathParameter(ge=2000, le=2100)]
TwoPlaces = Annotated[str | None, BeforeValidator(lambda value: None if value is None else str(value))]


class MyLeaderOut(Out):
    area_id: Id = ref("area")
    level: str
    area_name: str
    leader_id: OptionalId = ref("leader")
    leader_name: str
    score: int | None = Field(description="My score this quarter; null: not rated yet.")
    period: str


class LeaderRatingOut(Out):
    id: Id
    leader_id: Id = ref("leader")
    area_id: Id = ref("area")
    score: int
    comment: str
    period: str
    created_at: datetime


class FigureOut(Out):
    """Null figures: fewer than 5 ratings, so nothing is shown."""

    ratings: int | None = ref("shown_ratings")
    average: TwoPlaces = Field(description="Mean score, two decimal places.")
    satisfaction: float | None = Field(description="Share of scores of 4 or 5, four decimal places.")


class CategoryFigureOut(FigureOut):
    category: str


class LeaderFiguresOut(Out):
    leader_id: Id = ref("leader")
    name: str
    level: str
    area_name: str
    rated: FigureOut = Field(description="Residents' scores of the leader (评三长).")
    services: FigureOut = Field(description="Scores of the services the leader handled.")


class ResourceFigureOut(FigureOut):
    resource_id: Id = ref("subject")
    name: str


class EvaluationOut(Out):
    community_id: Id = ref("community")
    community_name: str
    period: str
    published_at: datetime
    services: FigureOut
    categories: list[CategoryFigureOut]
    leaders: list[LeaderFiguresOut]
    resources: list[ResourceFigureOut]


class PublishIn(In):
    period: str = Field(pattern=r"^[0-9]{4}Q[1-4]$", description="The quarter, once it has ended.")


class PublishedPeriodOut(Out):
    period: str
    published_at: datetime


class RankedOut(Out):
    rank: int | None = Field(description="Null: fewer than 5 ratings, not ranked.")
    id: Id
    name: str
    level: str
    area_name: str
    quarters: int
    figures: FigureOut
    services: FigureOut | None = None


class RankingOut(Out):
    community_id: Id
    year: int
    quarters: list[str]
    leaders: list[RankedOut]
    resources: list[RankedOut]


class RecognitionIn(In):
    year: int = Field(ge=2000, le=2100)
    leader_id: IdIn | None = None
    resource_id: IdIn | None = None
    note: str = ""
    bonus_points: int = Field(default=0, ge=0, le=recognition.MAX_BONUS_POINTS)


class RecognitionOut(WithActions):
    id: Id
    community_id: Id = ref("community")
    year: int
    title: str
    leader_id: OptionalId = ref("leader")
    resource_id: OptionalId = ref("resource")
    name: str
    note: str
    bonus_points: int
    transfer_id: str | None = Field(description="null while its bonus waits for approval")
    granted_at: datetime
    status: Literal["granted", "awaiting_approval"] = Field(
        description="awaiting_approval: its bonus points wait for a second staff member"
    )
    granted_by_id: Id = ref("granted_by")
    approved_by_id: OptionalId = ref("approved_by")
    approved_at: datetime | None
    may_approve: bool = Field(
        default=False, description="Approve its bonus: a second staff member, not who granted it."
    )


def _ranked(entry: recognition.Ranked) -> RankedOut:
    figure: Figure = entry.figure
    return RankedOut(
        rank=entry.rank,
        id=str(figure.subject),
        name=figure.name,
        level=figure.level,
        area_name=figure.area_name,
        quarters=entry.quarters,
        figures=FigureOut.model_validate(figure),
        services=FigureOut.model_validate(entry.services) if entry.services else None,
    )


class LeaderRatingController(Controller):
    path = "/api/v1/me/leaders"
    tags = ["ratings"]

    @get(
        name="api:my-leaders", summary="My unit, building and grid leaders (三长), and my score this quarter"
    )
    async def mine(self, actor: CurrentActor, now: Now) -> list[MyLeaderOut]:
        return [MyLeaderOut.model_validate(leader) for leader in await ratings.my_leaders(actor, now=now)]

    @post(
        "/{area_id:int}/rating",
        name="api:rate-leader",
        summary="Rate the leader of my unit, building or grid (once a quarter)",
    )
    async def rate(
        self, actor: CurrentActor, area_id: IdPath, data: JSONBody[RatingIn], now: Now
    ) -> LeaderRatingOut:
        rating = await ratings.rate_leader(actor, area_id, score=data.score, comment=data.comment, now=now)
        return LeaderRatingOut.model_validate(rating)


class EvaluationController(Controller):
    path = "/api/v1/communities/{community_id:int}"
    tags = ["evaluation"]

    @post("/evaluations", name="api:evaluation-publish", summary="Publish a quarter's evaluation (staff)")
    async def publish(
        self, actor: CurrentActor, community_id: IdPath, data: JSONBody[PublishIn], now: Now
    ) -> EvaluationOut:
        return EvaluationOut.model_validate(
            await evaluation.publish_evaluation(actor, community_id, data.period, now=now)
        )

    @get("/evaluations", name="api:evaluations", summary="The quarters published (public)")
    async def periods(self, community_id: IdPath) -> list[PublishedPeriodOut]:
        return [
            PublishedPeriodOut.model_validate(p) for p in await evaluation.published_periods(community_id)
        ]

    @get("/evaluations/{period:str}", name="api:evaluation", summary="A published evaluation (public, 公示)")
    async def read(self, community_id: IdPath, period: Period) -> EvaluationOut:
        return EvaluationOut.model_validate(await evaluation.published_evaluation(community_id, period))

    @get(
        "/rankings/{year:int}",
        name="api:ranking",
        summary="Leaders and resources ranked over a year (public)",
    )
    async def ranking(self, community_id: IdPath, year: Year) -> RankingOut:
        found = await recognition.year_ranking(community_id, year)
        return RankingOut(
            community_id=str(community_id),
            year=year,
            quarters=found.quarters,
            leaders=[_ranked(entry) for entry in found.leaders],
            resources=[_ranked(entry) for entry in found.resources],
        )

    @post(
        "/recognitions",
        name="api:recognition-grant",
        summary="Honour a leader or a resource for a year (staff)",
    )
    async def grant(
        self, actor: CurrentActor, community_id: IdPath, data: JSONBody[RecognitionIn], now: Now
    ) -> RecognitionOut:
        granted = await recognition.grant_recognition(
            actor,
            community_id,
            data.year,
            leader_id=optional_id(data.leader_id),
            resource_id=optional_id(data.resource_id),
            note=data.note,
            bonus_points=data.bonus_points,
            now=now,
        )
        return RecognitionOut.model_validate(granted)

    @get(
        "/recognitions",
        name="api:recognitions",
        summary="The honours granted (public)",
        dependencies={"viewer": Provide(provide_optional_actor)},
    )
    async def honours(self, community_id: IdPath, viewer: Viewer) -> list[RecognitionOut]:
        found = await recognition.recognitions(community_id, viewer=viewer)
        return [RecognitionOut.model_validate(r) for r in found]


class RecognitionController(Controller):
    path = "/api/v1/recognitions"
    tags = ["evaluation"]

    @post(
        "/{recognition_id:int}/approve",
        name="api:recognition-approve",
        summary="Approve a bonus over the threshold: a second staff member, not who granted it",
        status_code=200,
    )
    async def approve(self, actor: CurrentActor, recognition_id: IdPath, now: Now) -> RecognitionOut:
        return RecognitionOut.model_validate(
            await recognition.approve_recognition(actor, recognition_id, now=now)
        )

    @get(
        "/{recognition_id:int}/history",
        name="api:recognition-history",
        summary="A recognition's trace (public)",
    )
    async def history(self, recognition_id: IdPath) -> list[TraceOut]:
        return [TraceOut.model_validate(t) for t in await recognition.recognition_history(recognition_id)]
