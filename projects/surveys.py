"""评社区: staff put a survey (questions scored 1–5, and free text) to a random sample of an area's
residents. The draw freezes the sampling frame (every resident of the area then) and the seed,
so that anyone can draw the same sample again (``projects.sampling``). Each sampled resident
answers once.

Who took part and what was answered are kept apart with nothing to join them: the frame's row
says only that its resident answered; the answers go into a ballot whose key is random (so no
order), which names its community and nothing else (no member, no time). SQLite keeps the
ballots and answers without a rowid, so not even the order of the rows tells. (A PostgreSQL
superuser could still read the transaction ids of the rows written together; the app never
does, and staff only ever see aggregates: ``survey_results``.)"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from projects import errors
from projects.access import Actor
from projects.area_path import AreaPath
from projects.areas import get_area, path_range
from projects.db import atomic, for_update
from projects.errors import N_
from projects.limits import DESCRIPTION_MAX_CHARS, QUESTION_MAX_CHARS, TITLE_MAX_CHARS
from projects.sampling import draw, new_seed
from projects.states import require_state, text
from projects.tables import Member, Survey, SurveyAnswer, SurveyBallot, SurveyFrame, SurveyQuestion

MAX_QUESTIONS = 30
MAX_SAMPLE = 100_000
MAX_TEXT = 2000
MAX_OPEN = timedelta(days=366)
QUESTION_KINDS = ("score", "text")
FRAME_BATCH = 1000


class AlreadyAnswered(errors.Conflict):
    code = "already_answered"
    message = N_("You have already answered this survey.")


@dataclass(frozen=True, slots=True)
class QuestionDraft:
    kind: str  # score (1 to 5) or text
    prompt: str


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    id: int
    position: int
    kind: str
    prompt: str


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    id: int
    area: int
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
    created_by: int
    created_at: datetime
    questions: tuple[QuestionRecord, ...]

    def closed(self, now: datetime) -> bool:
        return now >= self.closes_at


@dataclass(frozen=True, slots=True)
class Invitation:
    """A survey I was drawn for, and whether I have answered it."""

    survey: int
    title: str
    closes_at: datetime
    drawn_at: datetime
    drawn_by_name: str
    answered: bool


@dataclass(frozen=True, slots=True)
class Draw:
    """Everything needed to draw the sample again: the seed, the frame and who was drawn."""

    survey: int
    seed: str
    sample_size: int
    frame: list[int]  # member ids, in id order
    sample: list[int]  # member ids, in id order


def sample_of(frame: list[int], seed: str, size: int) -> list[int]:
    return sorted(draw(frame, seed, size))


async def get_survey(survey_id: int) -> SurveyRecord:
    row = (
        await Survey.select(*Survey.all_columns(), Survey.area.name.as_alias("area_name"))
        .where(Survey.id == survey_id)
        .first()
    )
    if row is None:
        raise errors.NotFound(thing=N_("survey"))
    questions = (
        await SurveyQuestion.select(
            SurveyQuestion.id, SurveyQuestion.position, SurveyQuestion.kind, SurveyQuestion.prompt
        )
        .where(SurveyQuestion.survey == survey_id)
        .order_by(SurveyQuestion.position)
    )
    return SurveyRecord(
        id=row["id"],
        area=row["area"],
        area_name=row["area_name"],
        title=row["title"],
        description=row["description"],
        status=row["status"],
        sample_size=row["sample_size"],
        closes_at=row["closes_at"],
        seed=row["seed"],
        frame_size=row["frame_size"],
        drawn_at=row["drawn_at"],
        published_at=row["published_at"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        questions=tuple(QuestionRecord(**question) for question in questions),
    )


async def _managed(actor: Actor, survey_id: int) -> SurveyRecord:
    """The survey, for staff of its area (anyone else: it does not exist)."""
    survey = await get_survey(survey_id)
    if not actor.is_staff((await get_area(survey.area)).path):
        raise errors.NotFound(thing=N_("survey"))
    return survey


async def create_survey(
    actor: Actor,
    *,
    area_id: int,
    title: str,
    description: str = "",
    questions: list[QuestionDraft],
    sample_size: int,
    closes_at: datetime,
    now: datetime,
) -> SurveyRecord:
    """Staff of an area write a survey of its residents; it is a draft until the sample is drawn."""
    title = text(title, TITLE_MAX_CHARS, N_("title"), required=True)
    description = text(description, DESCRIPTION_MAX_CHARS, N_("description"))
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise errors.Invalid(N_("A survey has 1 to {limit} questions."), limit=MAX_QUESTIONS)
    if not any(question.kind == "score" for question in questions):
        raise errors.Invalid(N_("A survey needs at least one question scored 1 to 5."))
    prompts = []
    for question in questions:
        if question.kind not in QUESTION_KINDS:
            raise errors.Invalid(N_("A question is scored 1 to 5 or answered in words."))
        prompts.append(text(question.prompt, QUESTION_MAX_CHARS, N_("question"), required=True))
    if not 1 <= sample_size <= MAX_SAMPLE:
        raise errors.Invalid(N_("A sample is 1 to {limit} residents."), limit=MAX_SAMPLE)
    if not now < closes_at <= now + MAX_OPEN:
        raise errors.Invalid(N_("A survey closes after now and within a year."))
    area = await get_area(area_id)
    actor.require(actor.is_staff(area.path))
    async with atomic():
        rows = await Survey.insert(
            Survey(
                area=area_id,
                title=title,
                description=description,
                status="draft",
                sample_size=sample_size,
                closes_at=closes_at,
                created_by=actor.member_id,
                created_at=now,
                updated_at=now,
            )
        ).returning(Survey.id)
        survey_id = rows[0]["id"]
        await SurveyQuestion.insert(
            *[
                SurveyQuestion(survey=survey_id, position=position, kind=question.kind, prompt=prompt)
                for position, (question, prompt) in enumerate(zip(questions, prompts, strict=True), start=1)
            ]
        )
    return await get_survey(survey_id)


async def draw_sample(actor: Actor, survey_id: int, *, now: datetime) -> SurveyRecord:
    """Freeze the frame (every active resident living in the area now) and a new seed, and mark
    the sample drawn from them; the survey opens to those drawn."""
    async with atomic():
        survey = await _managed(actor, survey_id)
        locked = await for_update(Survey.select().where(Survey.id == survey_id)).first()
        require_state(locked, "survey", ("draft",), N_("draw"))
        if survey.closed(now):
            raise errors.Conflict(N_("This survey has closed."))
        low, high = path_range((await get_area(survey.area)).path)
        frame = (
            await Member.select(Member.id, Member.home_area.path.as_alias("path"))
            .where(Member.active.eq(True) & (Member.home_area.path >= low) & (Member.home_area.path < high))
            .order_by(Member.id)
        )
        if not frame:
            raise errors.Conflict(
                N_("Nobody lives in {area}: there is no one to draw."), area=survey.area_name
            )
        seed = new_seed()
        sampled = set(draw([row["id"] for row in frame], seed, survey.sample_size))
        for start in range(0, len(frame), FRAME_BATCH):
            await SurveyFrame.insert(
                *[
                    SurveyFrame(
                        survey=survey_id,
                        member=row["id"],
                        community=AreaPath.parse(row["path"]).community_id,
                        sampled=row["id"] in sampled,
                        answered=False,
                    )
                    for row in frame[start : start + FRAME_BATCH]
                ]
            )
        await Survey.update(
            {
                Survey.status: "open",
                Survey.seed: seed,
                Survey.frame_size: len(frame),
                Survey.drawn_by: actor.member_id,
                Survey.drawn_at: now,
                Survey.updated_at: now,
            }
        ).where(Survey.id == survey_id)
    return await get_survey(survey_id)


async def survey_draw(actor: Actor, survey_id: int) -> Draw:
    """The frozen frame, the seed and the sample (staff of the area): to draw it again."""
    survey = await _managed(actor, survey_id)
    if survey.seed is None:
        raise errors.Conflict(N_("The sample of this survey has not been drawn yet."))
    rows = (
        await SurveyFrame.select(SurveyFrame.member, SurveyFrame.sampled)
        .where(SurveyFrame.survey == survey_id)
        .order_by(SurveyFrame.member)
    )
    return Draw(
        survey_id,
        survey.seed,
        survey.sample_size,
        [row["member"] for row in rows],
        [row["member"] for row in rows if row["sampled"]],
    )


async def invitations(actor: Actor, *, now: datetime | None = None, limit: int = 20) -> list[Invitation]:
    """The open surveys I was drawn for (answered or not), newest first."""
    query = (
        SurveyFrame.select(
            SurveyFrame.survey,
            SurveyFrame.answered,
            SurveyFrame.survey.title.as_alias("title"),
            SurveyFrame.survey.closes_at.as_alias("closes_at"),
            SurveyFrame.survey.drawn_at.as_alias("drawn_at"),
            SurveyFrame.survey.drawn_by.name.as_alias("drawn_by_name"),
        )
        .where(
            (SurveyFrame.member == actor.member_id)
            & SurveyFrame.sampled.eq(True)
            & (SurveyFrame.survey.status == "open")
        )
        .order_by(SurveyFrame.survey, ascending=False)
        .limit(limit)
    )
    if now is not None:
        query = query.where(SurveyFrame.survey.closes_at > now)
    return [
        Invitation(
            row["survey"],
            row["title"],
            row["closes_at"],
            row["drawn_at"],
            row["drawn_by_name"] or "",
            row["answered"],
        )
        for row in await query
    ]


async def view_survey(actor: Actor | None, survey_id: int) -> tuple[SurveyRecord, str]:
    """The survey and how the viewer stands to it: ``staff`` (of its area), ``invited`` (drawn,
    not answered), ``answered``, or ``public`` (once published). Anyone else: not found."""
    survey = await get_survey(survey_id)
    if actor is not None:
        if actor.is_staff((await get_area(survey.area)).path):
            return survey, "staff"
        row = (
            await SurveyFrame.select(SurveyFrame.answered)
            .where(
                (SurveyFrame.survey == survey_id)
                & (SurveyFrame.member == actor.member_id)
                & SurveyFrame.sampled.eq(True)
            )
            .first()
        )
        if row is not None:
            return survey, "answered" if row["answered"] else "invited"
    if survey.status == "published":
        return survey, "public"
    raise errors.NotFound(thing=N_("survey"))


async def answer_survey(
    actor: Actor,
    survey_id: int,
    *,
    scores: dict[int, int],
    texts: dict[int, str] | None = None,
    now: datetime,
) -> None:
    """A sampled resident answers, once: every scored question 1 to 5, the words optional."""
    texts = texts or {}
    async with atomic():
        survey = await get_survey(survey_id)
        place = await for_update(
            SurveyFrame.select(SurveyFrame.id, SurveyFrame.community, SurveyFrame.answered).where(
                (SurveyFrame.survey == survey_id)
                & (SurveyFrame.member == actor.member_id)
                & SurveyFrame.sampled.eq(True)
            )
        ).first()
        if place is None:
            raise errors.NotFound(thing=N_("survey"))
        if place["answered"]:
            raise AlreadyAnswered()
        if survey.status != "open" or survey.closed(now):
            raise errors.Conflict(N_("This survey has closed."))
        answers = []
        for question in survey.questions:
            if question.kind == "score":
                score = scores.get(question.id)
                if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
                    raise errors.Invalid(N_("Give every question a score from 1 to 5."))
                answers.append((question.id, score, ""))
            else:
                words = text(texts.get(question.id), MAX_TEXT, N_("answer"))
                if words:
                    answers.append((question.id, None, words))
        known = {question.id for question in survey.questions}
        if set(scores) - known or set(texts) - known:
            raise errors.Invalid(N_("That is not a question of this survey."))
        # Conditional: two answers sent at once take the place once (the ballot follows only then).
        taken = (
            await SurveyFrame.update({SurveyFrame.answered: True})
            .where((SurveyFrame.id == place["id"]) & SurveyFrame.answered.eq(False))
            .returning(SurveyFrame.id)
        )
        if not taken:
            raise AlreadyAnswered()
        ballot = secrets.token_hex(16)
        await SurveyBallot.insert(SurveyBallot(id=ballot, survey=survey_id, community=place["community"]))
        await SurveyAnswer.insert(
            *[
                SurveyAnswer(
                    id=secrets.token_hex(16), ballot=ballot, question=question, score=score, text=words
                )
                for question, score, words in answers
            ]
        )


@dataclass(frozen=True, slots=True)
class SurveySummary:
    id: int
    area: int
    area_name: str
    title: str
    status: str
    sample_size: int
    closes_at: datetime
    published_at: datetime | None


_SUMMARY = (
    Survey.id,
    Survey.area,
    Survey.area.name.as_alias("area_name"),
    Survey.title,
    Survey.status,
    Survey.sample_size,
    Survey.closes_at,
    Survey.published_at,
)


async def list_surveys(actor: Actor, *, limit: int = 100) -> list[SurveySummary]:
    """The surveys of the areas I am staff of (an admin: every survey), newest first."""
    query = Survey.select(*_SUMMARY).order_by(Survey.id, ascending=False).limit(limit)
    if not actor.is_admin:
        clause = None
        for grant in actor.grants:
            if grant.role == "staff":
                low, high = path_range(grant.path)
                part = (Survey.area.path >= low) & (Survey.area.path < high)
                clause = part if clause is None else clause | part
        if clause is None:
            return []
        query = query.where(clause)
    return [SurveySummary(**row) for row in await query]


async def published_surveys(community_id: int, *, limit: int = 50) -> list[SurveySummary]:
    """The published surveys whose results include the community (public), newest first."""
    community = await get_area(community_id)
    low, high = path_range(community.path)
    rows = (
        await Survey.select(*_SUMMARY)
        .where(
            (Survey.status == "published")
            & (
                Survey.area.is_in(community.ancestor_ids())
                | ((Survey.area.path >= low) & (Survey.area.path < high))
            )
        )
        .order_by(Survey.id, ascending=False)
        .limit(limit)
    )
    return [SurveySummary(**row) for row in rows]
