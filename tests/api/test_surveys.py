"""评社区 through the API: a survey's sample drawn again by hand from its frozen frame and seed,
the sampled residents told and answering once, their answers unlinkable to them, results with
95% intervals as computed by hand, nothing for fewer than 5, and publication after it closes."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from tests.api.helpers import refused
from tests.web.test_app import fetch_value


async def _survey(api, sample_size=8, area=None):
    s = api.street
    body = {
        "area_id": str(area or s.community),
        "title": "2026年社区满意度调查",
        "questions": [
            {"kind": "score", "prompt": "您对社区环境满意吗？"},
            {"kind": "text", "prompt": "您有什么建议？"},
        ],
        "sample_size": sample_size,
        "closes_at": (api.clock() + timedelta(days=14)).isoformat(),
    }
    return await api.ok(s.staff, "POST", "/api/v1/surveys", body, status=201)


async def test_the_sample_is_drawn_again_from_its_frame_and_seed(api):
    s = api.street
    await refused(
        api,
        s.resident,
        "POST",
        "/api/v1/surveys",
        {
            "area_id": str(s.community),
            "title": "x",
            "questions": [{"kind": "score", "prompt": "?"}],
            "sample_size": 1,
            "closes_at": (api.clock() + timedelta(days=1)).isoformat(),
        },
        status=403,
        code="not_allowed",
    )
    survey = await _survey(api)
    assert survey["status"] == "draft" and survey["seed"] is None
    drawn = await api.ok(s.staff, "POST", f"/api/v1/surveys/{survey['id']}/draw", status=201)
    assert drawn["status"] == "open" and len(drawn["seed"]) == 64
    await refused(
        api, s.staff, "POST", f"/api/v1/surveys/{survey['id']}/draw", status=409, code="wrong_state"
    )
    frozen = await api.ok(s.staff, "GET", f"/api/v1/surveys/{survey['id']}/draw")
    # The frame: everyone living in 幸福里 (the resident, the neighbour, the grid leader, the
    # organisation's representative and the 24 volunteers); never 和平里.
    assert len(frozen["frame"]) == drawn["frame_size"] == 28 and str(s.outsider) not in frozen["frame"]
    by_hand = sorted(
        frozen["frame"],
        key=lambda member: hmac.new(
            bytes.fromhex(frozen["seed"]), member.encode(), hashlib.sha256
        ).hexdigest(),
    )[:8]
    assert sorted(by_hand, key=int) == frozen["sample"] and len(frozen["sample"]) == 8
    await refused(
        api, s.resident, "GET", f"/api/v1/surveys/{survey['id']}/draw", status=404, code="not_found"
    )
    await refused(
        api, s.other_staff, "GET", f"/api/v1/surveys/{survey['id']}/draw", status=404, code="not_found"
    )


async def test_answers_once_unlinkable_with_intervals_by_hand_and_published_after_it_closes(api):
    s = api.street
    survey = await _survey(api, sample_size=6)
    await api.ok(s.staff, "POST", f"/api/v1/surveys/{survey['id']}/draw", status=201)
    sample = [
        int(m) for m in (await api.ok(s.staff, "GET", f"/api/v1/surveys/{survey['id']}/draw"))["sample"]
    ]
    outside = next(m for m in [s.resident, s.neighbour, *s.volunteers] if m not in sample)
    score_q, text_q = (q["id"] for q in survey["questions"])
    listed = await api.ok(sample[0], "GET", "/api/v1/surveys")
    assert [(i["survey_id"], i["answered"]) for i in listed["invited"]] == [(survey["id"], False)]
    assert (await api.ok(outside, "GET", "/api/v1/surveys"))["invited"] == []
    await refused(
        api,
        outside,
        "POST",
        f"/api/v1/surveys/{survey['id']}/answers",
        {"scores": {score_q: 5}},
        status=404,
        code="not_found",
    )
    await refused(
        api,
        sample[0],
        "POST",
        f"/api/v1/surveys/{survey['id']}/answers",
        {"scores": {score_q: 6}},
        status=400,
        code="invalid_input",
    )
    scores = [5, 4, 4, 3, 5]  # by hand: mean 4.2, 95% interval [3.16, 5.24]
    for member, score in zip(sample, scores, strict=False):
        response = await api.post(
            member,
            f"/api/v1/surveys/{survey['id']}/answers",
            {"scores": {score_q: score}, "texts": {text_q: f"建议{score}"}},
        )
        assert response.status_code == 204, response.text
    await refused(
        api,
        sample[0],
        "POST",
        f"/api/v1/surveys/{survey['id']}/answers",
        {"scores": {score_q: 1}},
        status=409,
        code="already_answered",
    )
    assert (await api.ok(sample[0], "GET", "/api/v1/surveys"))["invited"][0]["answered"] is True

    # Who took part and what they answered share nothing: no member, no time, random keys.
    url = api.database_url
    sqlite = url.startswith("sqlite")
    columns_sql = (
        "SELECT GROUP_CONCAT(name) FROM pragma_table_info('{table}')"
        if sqlite
        else "SELECT STRING_AGG(column_name, ',') FROM information_schema.columns "
        "WHERE table_name = '{table}'"
    )
    for table in ("projects_survey_ballot", "projects_survey_answer"):
        columns = set((await fetch_value(url, columns_sql.format(table=table))).split(","))
        assert columns == (
            {"id", "survey", "community"}
            if table.endswith("ballot")
            else {"id", "ballot", "question", "score", "text"}
        )
    ballots = await fetch_value(url, "SELECT COUNT(*) FROM projects_survey_ballot")
    assert ballots == 5
    assert await fetch_value(url, "SELECT MIN(LENGTH(id)) FROM projects_survey_ballot") == 32
    if sqlite:  # no rowid: the order the ballots were written in is nowhere
        failed = False
        try:
            await fetch_value(url, "SELECT rowid FROM projects_survey_ballot")
        except Exception as error:  # noqa: BLE001
            failed = "rowid" in str(error)
        assert failed
    assert await fetch_value(url, "SELECT COUNT(*) FROM projects_survey_frame WHERE answered") == 5

    live = await api.ok(s.staff, "GET", f"/api/v1/surveys/{survey['id']}/results")
    community = live["communities"][0]
    assert (community["sampled"], community["answered"], community["response_rate"]) == (6, 5, 0.8333)
    summary = community["questions"][0]["summary"]
    assert summary == {
        "count": 5,
        "distribution": [0, 0, 1, 2, 2],
        "mean": "4.20",
        "low": "3.16",
        "high": "5.24",
    }
    assert sorted(t["text"] for t in community["texts"]) == ["建议3", "建议4", "建议4", "建议5", "建议5"]
    await refused(
        api, sample[0], "GET", f"/api/v1/surveys/{survey['id']}/results", status=404, code="not_found"
    )
    await refused(
        api, s.staff, "POST", f"/api/v1/surveys/{survey['id']}/publish", status=409, code="conflict"
    )

    api.clock.advance(days=15)
    api.tokens.clear()
    await refused(
        api,
        sample[5],
        "POST",
        f"/api/v1/surveys/{survey['id']}/answers",
        {"scores": {score_q: 1}},
        status=409,
        code="conflict",
    )
    published = await api.ok(s.staff, "POST", f"/api/v1/surveys/{survey['id']}/publish", status=201)
    public = await api.ok(None, "GET", f"/api/v1/surveys/{survey['id']}/results")
    assert (
        public["published"]
        and public["communities"][0]["questions"] == published["communities"][0]["questions"]
    )
    assert public["communities"][0]["texts"] == []  # words are for the staff only


async def test_fewer_than_five_answers_show_nothing(api):
    s = api.street
    survey = await _survey(api, sample_size=4)
    await api.ok(s.staff, "POST", f"/api/v1/surveys/{survey['id']}/draw", status=201)
    sample = [
        int(m) for m in (await api.ok(s.staff, "GET", f"/api/v1/surveys/{survey['id']}/draw"))["sample"]
    ]
    for member in sample:
        response = await api.post(
            member, f"/api/v1/surveys/{survey['id']}/answers", {"scores": {survey["questions"][0]["id"]: 2}}
        )
        assert response.status_code == 204
    community = (await api.ok(s.staff, "GET", f"/api/v1/surveys/{survey['id']}/results"))["communities"][0]
    assert community == {
        "community_id": str(s.community),
        "community_name": "幸福里社区",
        "sampled": 4,
        "answered": None,
        "response_rate": None,
        "questions": [],
        "texts": [],
    }
