"""The street appraised: its survey (评社区), the assessor's scores, leaders and resources
rated (评三长, 三评)."""

from __future__ import annotations

import random
from datetime import timedelta

from demo import appraisal as demo_appraisal
from demo.month import Month
from demo.street import Community
from demo.timeline import Steps
from demo.words import LEADER_COMMENTS, RESOURCE_COMMENTS
from projects import indicators, ratings, survey_results, surveys


async def survey(month: Month, rng: random.Random) -> Steps:
    """The street samples its residents, most of the drawn answer over two weeks, and the
    results are published the day after it closes; the indicator system is planted on them."""
    street = await month.actor(month.street.street_staff)
    closes_at = month.now + timedelta(days=14)
    survey = await surveys.create_survey(
        street,
        area_id=month.street.street,
        title=demo_appraisal.SURVEY_TITLE,
        description=demo_appraisal.SURVEY_DESCRIPTION,
        questions=demo_appraisal.survey_questions(),
        sample_size=min(120, month.street.residents // 3),
        closes_at=closes_at,
        now=month.now,
    )
    await surveys.draw_sample(street, survey.id, now=month.now)
    drawn = (await surveys.survey_draw(street, survey.id)).sample
    keys = [key for key, _ in demo_appraisal.QUESTIONS]
    ids = {question.position: question.id for question in survey.questions}
    better = set(month.street.communities[0].residents)
    for member in drawn:
        yield timedelta(days=13) / len(drawn)
        if rng.random() < 0.2:
            continue  # not everyone drawn answers
        weights = (2, 3, 10, 40, 45) if member in better else (4, 8, 25, 40, 23)
        scores = {ids[n]: rng.choices(range(1, 6), weights)[0] for n, key in enumerate(keys, 1) if key}
        words = {ids[n]: rng.choice(demo_appraisal.SUGGESTIONS) for n, key in enumerate(keys, 1) if not key}
        await surveys.answer_survey(
            await month.actor(member), survey.id, scores=scores, texts=words, now=month.now
        )
    yield closes_at - month.now + timedelta(hours=20)
    await survey_results.publish_results(street, survey.id, now=month.now)
    questions = {key: ids[n] for n, key in enumerate(keys, 1) if key}
    month.assessed = await demo_appraisal.plant_indicators(questions)
    await demo_appraisal.appoint_assessor(month.street.street_staff, month.street.street, month.now)


async def assess(month: Month, rng: random.Random) -> Steps:
    """The street's assessor scores each community's assessment indicators for the year."""
    street = await month.actor(month.street.street_staff)
    for c in month.street.communities:
        for indicator in month.assessed:
            await indicators.assess(
                street,
                indicator,
                c.id,
                year=month.now.year,
                score=rng.randint(70, 96),
                note=rng.choice(demo_appraisal.NOTES),
                now=month.now,
            )
            yield timedelta(minutes=rng.randint(3, 20))


async def rate_leaders(month: Month, c: Community, rng: random.Random) -> Steps:
    """A resident scores their unit's, building's and grid's leaders (评三长, once a quarter)."""
    resident = await month.actor(rng.choice(c.residents))
    for leader in await ratings.my_leaders(resident, now=month.now):
        if leader.leader is None or leader.leader == resident.member_id or leader.score is not None:
            continue
        score = rng.choices((5, 4, 3, 2), (50, 35, 12, 3))[0]
        await ratings.rate_leader(
            resident, leader.area, score=score, comment=rng.choice(LEADER_COMMENTS), now=month.now
        )
        yield timedelta(minutes=rng.randint(1, 30))


async def rate_resources(month: Month, c: Community) -> Steps:
    """Residents rate the resources they used (三评： once a quarter each)."""
    for _ in range(3):
        resident = month.resident_of(c)
        resource, organisation, community = month.rng.choice(month.street.resources)
        if (
            community != c.id  # a community's people rate its resources
            or (resident, resource) in month.rated
            or resident in month.street.staff_of.get(organisation, ())
            or (month.street.representatives.get(organisation) == resident)
        ):
            continue
        month.rated.add((resident, resource))
        score = month.rng.choices((5, 4, 3), (55, 35, 10))[0]
        await ratings.rate_resource(
            await month.actor(resident),
            resource,
            score=score,
            comment=month.rng.choice(RESOURCE_COMMENTS),
            now=month.now,
        )
        yield month.hours(2, 48)
