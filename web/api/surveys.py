"""评社区: surveys put to a random sample of an area's residents, their answers (once each, apart
from who gave them), the frozen draw, and the results (staff while it runs; public once
published)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from pydantic import BeforeValidator, Field

from projects import survey_results, surveys
from projects.surveys import QuestionDraft
from web.api.deps import CurrentActor, Now, Viewer, provide_optional_actor
from web.api.schemas import Id, IdIn, IdPath, In, Out, When, ref

TwoPlaces = Annotated[str | None, BeforeValidator(lambda value: None if value is None else str(value))]


class QuestionIn(In):
    kind: Literal["score", "text"]
    prompt: str


class SurveyIn(In):
    area_id: IdIn = Field(description="The area whose residents are sampled (a community or above).")
    title: str
    description: str = ""
    questions: list[QuestionIn] = Field(min_length=1, max_length=surveys.MAX_QUESTIONS)
    sample_size: int = Field(ge=1, le=surveys.MAX_SAMPLE)
    closes_at: When


class QuestionOut(Out):
    id: Id
    position: int
    kind: str
    prompt: str


class SurveyOut(Out):
    id: Id
    area_id: Id = ref("area")
    area_name: str
    title: str
    description: str
    status: str
    sample_size: int
    closes_at: datetime
    seed: str | None
    frame_size: int | None
    drawn_at: datetime | None
    published_at: datetime | None
    questions: list[QuestionOut]


class SurveySummaryOut(Out):
    id: Id
    area_id: Id = ref("area")
    area_name: str
    title: str
    status: str
    sample_size: int
    closes_at: datetime
    published_at: datetime | None


class InvitationOut(Out):
    survey_id: Id = ref("survey")
    title: str
    closes_at: datetime
    answered: bool


class SurveyListOut(Out):
    managed: list[SurveySummaryOut] = Field(description="The surveys of the areas I am staff of.")
    invited: list[InvitationOut] = Field(description="The open surveys I was drawn for.")


class DrawOut(Out):
    survey_id: Id = ref("survey")
    seed: str = Field(description="64 hexadecimal digits.")
    sample_size: int
    method: str
    frame: list[Id] = Field(description="Every resident drawn from (member ids).")
    sample: list[Id] = Field(description="Those drawn (member ids).")


class AnswerIn(In):
    scores: dict[IdIn, int] = Field(description="Question id → score 1 to 5, for every scored question.")
    texts: dict[IdIn, str] = {}


class SummaryOut(Out):
    count: int
    distribution: list[int] = Field(description="How many gave 1, 2, 3, 4 and 5.")
    mean: TwoPlaces
    low: TwoPlaces = Field(description="The 95% confidence interval of the mean (Student's t).")
    high: TwoPlaces


class QuestionResultOut(Out):
    question_id: Id = ref("question")
    position: int
    prompt: str
    summary: SummaryOut


class TextOut(Out):
    position: int
    text: str


class CommunityResultOut(Out):
    """Null and empty figures: fewer than 5 took part."""

    community_id: Id = ref("community")
    community_name: str
    sampled: int
    answered: int | None
    response_rate: float | None
    questions: list[QuestionResultOut]
    texts: list[TextOut] = Field(description="What was written (staff only).")


class ResultsOut(Out):
    survey_id: Id
    published: bool
    communities: list[CommunityResultOut]
    total: CommunityResultOut | None


def _results(found: survey_results.SurveyResults) -> ResultsOut:
    def community(result: survey_results.CommunityResult) -> CommunityResultOut:
        return CommunityResultOut(
            community=str(result.community),
            community_name=result.community_name,
            sampled=result.sampled,
            answered=result.answered,
            response_rate=result.response_rate,
            questions=[QuestionResultOut.model_validate(q) for q in result.questions],
            texts=[TextOut(position=position, text=words) for position, words in result.texts],
        )

    return ResultsOut(
        survey_id=str(found.survey.id),
        published=found.published,
        communities=[community(result) for result in found.communities],
        total=community(found.total) if found.total else None,
    )


class SurveyController(Controller):
    path = "/api/v1/surveys"
    tags = ["surveys"]
    dependencies = {"viewer": Provide(provide_optional_actor)}

    @post(name="api:survey-create", summary="Write a survey of an area's residents (staff)")
    async def create(self, actor: CurrentActor, data: JSONBody[SurveyIn], now: Now) -> SurveyOut:
        survey = await surveys.create_survey(
            actor,
            area_id=int(data.area_id),
            title=data.title,
            description=data.description,
            questions=[QuestionDraft(q.kind, q.prompt) for q in data.questions],
            sample_size=data.sample_size,
            closes_at=data.closes_at,
            now=now,
        )
        return SurveyOut.model_validate(survey)

    @get(name="api:surveys", summary="Surveys I manage, and those I was drawn for")
    async def list(self, actor: CurrentActor, now: Now) -> SurveyListOut:
        return SurveyListOut(
            managed=[SurveySummaryOut.model_validate(s) for s in await surveys.list_surveys(actor)],
            invited=[InvitationOut.model_validate(i) for i in await surveys.invitations(actor, now=now)],
        )

    @get(
        "/{survey_id:int}",
        name="api:survey",
        summary="A survey: its staff, those drawn, anyone once published",
    )
    async def read(self, viewer: Viewer, survey_id: IdPath) -> SurveyOut:
        survey, _ = await surveys.view_survey(viewer, survey_id)
        return SurveyOut.model_validate(survey)

    @post(
        "/{survey_id:int}/draw", name="api:survey-draw", summary="Draw the sample; the frame and seed freeze"
    )
    async def draw(self, actor: CurrentActor, survey_id: IdPath, now: Now) -> SurveyOut:
        return SurveyOut.model_validate(await surveys.draw_sample(actor, survey_id, now=now))

    @get(
        "/{survey_id:int}/draw",
        name="api:survey-frame",
        summary="The frame, seed and sample, to draw it again",
    )
    async def frame(self, actor: CurrentActor, survey_id: IdPath) -> DrawOut:
        found = await surveys.survey_draw(actor, survey_id)
        return DrawOut(
            survey=str(found.survey),
            seed=found.seed,
            sample_size=found.sample_size,
            method=(
                "Rank each member id of the frame by HMAC-SHA256(key = the seed's bytes, message = the id "
                "in decimal), hexadecimal; the sample is the sample_size lowest."
            ),
            frame=[str(member) for member in found.frame],
            sample=[str(member) for member in found.sample],
        )

    @post(
        "/{survey_id:int}/answers",
        name="api:survey-answer",
        summary="Answer a survey I was drawn for (once)",
        status_code=204,
    )
    async def answer(
        self, actor: CurrentActor, survey_id: IdPath, data: JSONBody[AnswerIn], now: Now
    ) -> None:
        await surveys.answer_survey(
            actor,
            survey_id,
            scores={int(key): value for key, value in data.scores.items()},
            texts={int(key): value for key, value in data.texts.items()},
            now=now,
        )

    @get("/{survey_id:int}/results", name="api:survey-results", summary="Results per community")
    async def results(self, viewer: Viewer, survey_id: IdPath) -> ResultsOut:
        return _results(await survey_results.survey_results(viewer, survey_id))

    @post(
        "/{survey_id:int}/publish",
        name="api:survey-publish",
        summary="Publish the results once it has closed",
    )
    async def publish(self, actor: CurrentActor, survey_id: IdPath, now: Now) -> ResultsOut:
        return _results(await survey_results.publish_results(actor, survey_id, now=now))
