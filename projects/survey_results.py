"""A survey's results per community (评社区): who was drawn and how many took part (the response
rate), the mean of each scored question with its 95% confidence interval and how many gave each
score; nothing for a community where fewer than 5 took part. Staff of the survey's area see
them while it runs; once it has closed they publish them, frozen in the database, for everyone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projects import errors
from projects.access import Actor
from projects.confidence import ScoreSummary, summarise
from projects.db import atomic, for_update
from projects.disclosure import disclosed
from projects.errors import N_
from projects.states import require_state
from projects.surveys import SurveyRecord, view_survey
from projects.tables import Area, Survey, SurveyFigure

MAX_TEXTS = 200


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question: int
    position: int
    prompt: str
    summary: ScoreSummary


@dataclass(frozen=True, slots=True)
class CommunityResult:
    """One community's results; ``answered``, the rate and the questions are None or empty when
    fewer than 5 took part."""

    community: int
    community_name: str
    sampled: int
    answered: int | None
    response_rate: float | None
    questions: list[QuestionResult]
    texts: list[tuple[int, str]]  # (question position, words): staff only, and only with 5 or more

    @property
    def disclosed(self) -> bool:
        return self.answered is not None


@dataclass(frozen=True, slots=True)
class SurveyResults:
    survey: SurveyRecord
    published: bool
    communities: list[CommunityResult]
    total: CommunityResult | None  # the whole area, when it has several communities


async def _live_counts(survey_id: int) -> tuple[dict[int, tuple[int, int]], dict[tuple[int, int], list[int]]]:
    """Who was drawn and took part per community, and the score counts per community and
    question, from the frame and the ballots now."""
    taking_part = await Area.raw(
        "SELECT community, COUNT(*) AS sampled, SUM(CASE WHEN answered THEN 1 ELSE 0 END) AS answered "
        "FROM projects_survey_frame WHERE survey = {} AND sampled GROUP BY community",
        survey_id,
    )
    scores = await Area.raw(
        "SELECT b.community AS community, a.question AS question, a.score AS score, COUNT(*) AS n "
        "FROM projects_survey_answer a JOIN projects_survey_ballot b ON b.id = a.ballot "
        "WHERE b.survey = {} AND a.score IS NOT NULL GROUP BY b.community, a.question, a.score",
        survey_id,
    )
    people = {row["community"]: (int(row["sampled"]), int(row["answered"] or 0)) for row in taking_part}
    counts: dict[tuple[int, int], list[int]] = {}
    for row in scores:
        counts.setdefault((row["community"], row["question"]), [0] * 5)[row["score"] - 1] = int(row["n"])
    return people, counts


async def _frozen_counts(survey_id: int):
    people: dict[int, tuple[int, int]] = {}
    counts: dict[tuple[int, int], list[int]] = {}
    for row in await SurveyFigure.select().where(SurveyFigure.survey == survey_id):
        if row["question"] is None:
            people[row["community"]] = (row["sampled"], row["answered"])
        else:
            counts[(row["community"], row["question"])] = [row[f"score_{score}"] for score in range(1, 6)]
    return people, counts


async def _texts(survey_id: int, communities: list[int]) -> dict[int, list[tuple[int, str]]]:
    if not communities:
        return {}
    rows = await Area.raw(
        "SELECT b.community AS community, q.position AS position, a.text AS text "
        "FROM projects_survey_answer a JOIN projects_survey_ballot b ON b.id = a.ballot "
        "JOIN projects_survey_question q ON q.id = a.question "
        f"WHERE b.survey = {{}} AND a.text <> '' ORDER BY q.position, a.id LIMIT {MAX_TEXTS}",
        survey_id,
    )
    found: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        if row["community"] in communities:
            found.setdefault(row["community"], []).append((row["position"], row["text"]))
    return found


def _result(
    survey: SurveyRecord,
    community: int,
    name: str,
    people: tuple[int, int],
    counts: dict[int, list[int]],
    texts: list[tuple[int, str]],
) -> CommunityResult:
    sampled, answered = people
    if not disclosed(answered):
        return CommunityResult(community, name, sampled, None, None, [], [])
    questions = [
        QuestionResult(
            question.id, question.position, question.prompt, summarise(counts.get(question.id, [0] * 5))
        )
        for question in survey.questions
        if question.kind == "score"
    ]
    return CommunityResult(
        community,
        name,
        sampled,
        answered,
        round(answered / sampled, 4) if sampled else None,
        questions,
        texts,
    )


async def survey_results(actor: Actor | None, survey_id: int) -> SurveyResults:
    """The results: for staff of the survey's area at any time after the draw (with the words
    answered), for everyone once published (scores only)."""
    survey, standing = await view_survey(actor, survey_id)
    if standing != "staff" and survey.status != "published":
        raise errors.NotFound(thing=N_("survey"))
    if survey.seed is None:
        raise errors.Conflict(N_("The sample of this survey has not been drawn yet."))
    published = survey.status == "published"
    people, counts = await (_frozen_counts(survey_id) if published else _live_counts(survey_id))
    names = {
        row["id"]: row["name"]
        for row in await Area.select(Area.id, Area.name).where(Area.id.is_in(list(people) or [-1]))
    }
    shown = [community for community, (_, answered) in people.items() if disclosed(answered)]
    texts = await _texts(survey_id, shown) if standing == "staff" else {}
    communities = [
        _result(
            survey,
            community,
            names.get(community, ""),
            people[community],
            {question: values for (place, question), values in counts.items() if place == community},
            texts.get(community, []),
        )
        for community in sorted(people)
    ]
    total = None
    if len(people) > 1:
        summed: dict[int, list[int]] = {}
        for (_, question), values in counts.items():
            summed[question] = [a + b for a, b in zip(summed.get(question, [0] * 5), values, strict=True)]
        everyone = (sum(s for s, _ in people.values()), sum(a for _, a in people.values()))
        total = _result(survey, survey.area, survey.area_name, everyone, summed, [])
    return SurveyResults(survey, published, communities, total)


async def publish_results(actor: Actor, survey_id: int, *, now: datetime) -> SurveyResults:
    """Once the survey has closed, its staff freeze its results and make them public."""
    async with atomic():
        survey, standing = await view_survey(actor, survey_id)
        if standing != "staff":
            raise errors.NotFound(thing=N_("survey"))
        locked = await for_update(Survey.select().where(Survey.id == survey_id)).first()
        require_state(locked, "survey", ("open",), N_("publish"))
        if not survey.closed(now):
            raise errors.Conflict(N_("This survey is still open: publish its results after it closes."))
        people, counts = await _live_counts(survey_id)
        figures = [
            SurveyFigure(
                survey=survey_id, community=community, question=None, sampled=sampled, answered=answered
            )
            for community, (sampled, answered) in people.items()
        ]
        figures += [
            SurveyFigure(
                survey=survey_id,
                community=community,
                question=question,
                **{f"score_{score}": values[score - 1] for score in range(1, 6)},
            )
            for (community, question), values in counts.items()
        ]
        if figures:
            await SurveyFigure.insert(*figures)
        await Survey.update(
            {
                Survey.status: "published",
                Survey.published_by: actor.member_id,
                Survey.published_at: now,
                Survey.updated_at: now,
            }
        ).where(Survey.id == survey_id)
    return await survey_results(actor, survey_id)
