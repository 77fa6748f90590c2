"""The indicator system (the Zhifu model): a configurable tree of indicators with weights, each
leaf scored 0-100 from a statistic (a rate × 100), a published survey question ((mean − 1) × 25)
or an assessor's score with a note; a community's score for a year is the weighted sum, shown
with each leaf's value, source and weight, comparable across the communities of a street."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from projects import errors
from projects.access import Actor
from projects.areas import AreaRecord, get_area, path_range
from projects.db import atomic
from projects.errors import N_
from projects.figures import Period
from projects.indicator_score import Node, Scored, from_mean, from_rate, problems, total
from projects.states import text
from projects.stats import Scope, need_stats
from projects.survey_results import survey_results
from projects.tables import Area, Assessment, Assessor, Indicator, Rating, SurveyQuestion

MAX_INDICATORS = 500
NOTE_MAX_CHARS = 1000
STATISTICS = {
    "handled_rate": N_("handled rate"),
    "on_time_rate": N_("on-time rate"),
    "satisfaction": N_("satisfaction with services (4 or 5 stars)"),
}
SOURCES = {
    "children": N_("its indicators"),
    "statistic": N_("statistic"),
    "survey": N_("survey question"),
    "assessment": N_("assessment"),
}


@dataclass(frozen=True, slots=True)
class Leaf:
    """Where a leaf's value came from, for the page: the statistic's name, the survey's
    question, the assessor's note."""

    source: str
    detail: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class CommunityScore:
    community: AreaRecord
    year: int
    scored: Scored  # the whole: its children are the first level
    leaves: dict[int, Leaf]
    problems: list[str]  # where siblings' weights do not sum to 100


async def indicator_rows() -> list[dict]:
    """The whole tree, each node with its parent, in the order siblings are shown."""
    return await Indicator.select().order_by(Indicator.position, Indicator.id).limit(MAX_INDICATORS)


def _tree(rows: list[dict], values: dict[int, Fraction | None], parent: int | None = None) -> list[Node]:
    return [
        Node(
            row["id"],
            row["name"],
            row["weight"],
            row["source"],
            tuple(_tree(rows, values, row["id"])),
            values.get(row["id"]),
        )
        for row in rows
        if row["parent"] == parent
    ]


def year_period(year: int) -> Period:
    if not 2000 <= year <= 2100:
        raise errors.Invalid(N_("A year from 2000 to 2100."), field="year")
    return Period(date(year, 1, 1), date(year + 1, 1, 1))


async def _satisfaction(community: AreaRecord, period: Period) -> float | None:
    """The share of the year's ratings of services done in the community with 4 or 5 stars."""
    low, high = path_range(community.path)
    rows = await Rating.raw(
        "SELECT COUNT(*) AS rated, SUM(CASE WHEN r.score >= 4 THEN 1 ELSE 0 END) AS satisfied "
        "FROM projects_rating r JOIN projects_claim c ON c.id = r.claim "
        "JOIN projects_task t ON t.id = c.task JOIN projects_area a ON a.id = t.area "
        "WHERE r.created_at >= {} AND r.created_at < {} AND a.path >= {} AND a.path < {}",
        period.start_at,
        period.end_at,
        low,
        high,
    )
    rated = int(rows[0]["rated"] or 0)
    return None if rated == 0 else int(rows[0]["satisfied"] or 0) / rated


async def leaf_values(rows: list[dict], community: AreaRecord, year: int) -> tuple[dict, dict[int, Leaf]]:
    """Each leaf's value for the community's year (None where there is none), and its source."""
    period = year_period(year)
    values: dict[int, Fraction | None] = {}
    leaves: dict[int, Leaf] = {}
    statistics = {row["statistic"] for row in rows if row["source"] == "statistic"}
    rates: dict[str, float | None] = {}
    if statistics & {"handled_rate", "on_time_rate"}:
        figures = (await need_stats(Scope(community, period), durations=())).totals
        rates.update(handled_rate=figures.handled_rate, on_time_rate=figures.on_time_rate)
    if "satisfaction" in statistics:
        rates["satisfaction"] = await _satisfaction(community, period)
    questions = [row["question"] for row in rows if row["source"] == "survey"]
    means = await _survey_means(questions, community.id, period) if questions else {}
    assessed = {
        row["indicator"]: row
        for row in await Assessment.select().where(
            (Assessment.community == community.id) & (Assessment.year == year)
        )
    }
    for row in rows:
        if row["source"] == "statistic":
            values[row["id"]] = from_rate(rates.get(row["statistic"]))
            leaves[row["id"]] = Leaf("statistic", STATISTICS.get(row["statistic"], row["statistic"]))
        elif row["source"] == "survey":
            mean, prompt = means.get(row["question"], (None, ""))
            values[row["id"]] = from_mean(mean)
            leaves[row["id"]] = Leaf("survey", prompt)
        elif row["source"] == "assessment":
            found = assessed.get(row["id"])
            values[row["id"]] = Fraction(found["score"]) if found else None
            leaves[row["id"]] = Leaf("assessment", "", found["note"] if found else "")
    return values, leaves


async def _survey_means(
    questions: list[int], community_id: int, period: Period
) -> dict[int, tuple[Fraction | None, str]]:
    """Each question's published mean for the community, from the surveys closed in the period."""
    rows = await SurveyQuestion.select(
        SurveyQuestion.id, SurveyQuestion.prompt, SurveyQuestion.survey, SurveyQuestion.survey.closes_at
    ).where(SurveyQuestion.id.is_in(questions))
    found: dict[int, tuple[Fraction | None, str]] = {}
    for survey_id in {row["survey"] for row in rows}:
        results = await survey_results(None, survey_id)
        here = next((result for result in results.communities if result.community == community_id), None)
        for row in rows:
            if row["survey"] != survey_id:
                continue
            in_year = period.start_at <= row["survey.closes_at"] < period.end_at
            mean = None
            if results.published and in_year and here is not None and here.disclosed:
                summary = next((q.summary for q in here.questions if q.question == row["id"]), None)
                mean = Fraction(summary.mean) if summary and summary.mean is not None else None
            found[row["id"]] = (mean, row["prompt"])
    return found


def _may_see(actor: Actor, community: AreaRecord) -> bool:
    """Its staff and staff above it, and the assessors above it."""
    return actor.is_staff(community.path)


async def community_score(actor: Actor, community_id: int, year: int) -> CommunityScore:
    community = await get_area(community_id)
    if community.level != "community" or not _may_see(actor, community):
        raise errors.NotFound(thing=N_("community"))
    rows = await indicator_rows()
    values, leaves = await leaf_values(rows, community, year)
    first_level = _tree(rows, values)
    return CommunityScore(community, year, total(first_level), leaves, problems(first_level))


async def street_scores(actor: Actor, street_id: int, year: int) -> list[CommunityScore]:
    """The communities of a street side by side, for the street's staff and those above."""
    street = await get_area(street_id)
    if street.level != "street" or not actor.is_staff(street.path):
        raise errors.NotFound(thing=N_("street"))
    communities = await Area.select(Area.id).where((Area.parent == street_id) & (Area.level == "community"))
    return [await community_score(actor, row["id"], year) for row in communities]


async def assessable(actor: Actor, community: AreaRecord) -> bool:
    """Is the actor an assessor of a level above the community (or an admin)?"""
    if actor.is_admin:
        return True
    rows = await Assessor.select(Assessor.area.path.as_alias("path")).where(
        Assessor.member == actor.member_id
    )
    return any(row["path"] != community.path and community.path.startswith(row["path"]) for row in rows)


async def assess(
    actor: Actor, indicator_id: int, community_id: int, *, year: int, score: int, note: str, now: datetime
) -> None:
    """An assessor scores an assessment indicator of a community's year (0-100), with a note;
    scoring it again replaces it."""
    note = text(note, NOTE_MAX_CHARS, N_("note"), required=True)
    year_period(year)
    if isinstance(score, bool) or not 0 <= score <= 100:
        raise errors.Invalid(N_("Enter a whole number from {low} to {high}."), field="score", low=0, high=100)
    community = await get_area(community_id)
    if community.level != "community":
        raise errors.NotFound(thing=N_("community"))
    if not await assessable(actor, community):
        raise errors.NotAllowed(N_("Assessors of a level above the community score it."))
    async with atomic():
        indicator = await Indicator.select().where(Indicator.id == indicator_id).first()
        if indicator is None or indicator["source"] != "assessment":
            raise errors.NotFound(thing=N_("indicator"))
        where = (
            (Assessment.indicator == indicator_id)
            & (Assessment.community == community_id)
            & (Assessment.year == year)
        )
        if await Assessment.exists().where(where):
            await Assessment.update(
                {
                    Assessment.score: score,
                    Assessment.note: note,
                    Assessment.assessor: actor.member_id,
                    Assessment.updated_at: now,
                }
            ).where(where)
        else:
            await Assessment.insert(
                Assessment(
                    indicator=indicator_id,
                    community=community_id,
                    year=year,
                    score=score,
                    note=note,
                    assessor=actor.member_id,
                    created_at=now,
                    updated_at=now,
                )
            )
