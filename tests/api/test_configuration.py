"""Admins configure the category taxonomy, its points rates and the deadlines of each grade."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.helpers import need, open_task, refused


async def test_an_admin_changes_a_categorys_rate_and_new_tasks_use_it(api):
    s = api.street
    body = {"name": "助餐送餐", "name_en": "Meals", "parent": "care", "points_per_hour": 30}
    for member in (s.staff, s.resident):
        await refused(
            api, member, "PUT", "/api/v1/categories/care.meals", body, status=403, code="not_allowed"
        )
    saved = await api.ok(s.admin, "PUT", "/api/v1/categories/care.meals", body)
    assert saved["points_per_hour"] == 30
    task = await open_task(api, category="care.meals")
    assert task["points_per_hour"] == 30
    added = await api.ok(
        s.admin,
        "PUT",
        "/api/v1/categories/care.laundry",
        {
            "name": "代洗衣物",
            "parent": "care",
            "points_per_hour": 12,
        },
    )
    assert added["parent"] == "care"
    assert "care.laundry" in [c["code"] for c in await api.ok(s.resident, "GET", "/api/v1/categories")]


@pytest.mark.parametrize(
    ("code", "body"),
    [
        ("care.meals.hot", {"name": "热饭", "parent": "care.meals", "points_per_hour": 10}),  # a third level
        ("care", {"name": "助老", "parent": "emergency", "points_per_hour": 10}),  # has subcategories
        ("Bad Code!", {"name": "x", "points_per_hour": 10}),
        ("x", {"name": "", "points_per_hour": 10}),
        ("x", {"name": "x", "points_per_hour": 1001}),
        ("x", {"name": "x", "parent": "nothing", "points_per_hour": 1}),
    ],
)
async def test_a_wrong_category_is_refused(api, code, body):
    response = await api.call(api.street.admin, "PUT", f"/api/v1/categories/{code}", json=body)
    assert response.status_code in (400, 404), response.text
    categories = await api.ok(api.street.resident, "GET", "/api/v1/categories")
    assert len(categories) == 29


async def test_an_admin_sets_a_grades_deadline(api):
    s = api.street
    assert await api.ok(s.staff, "GET", "/api/v1/grades") == {
        "new": {"deadline_hours": 24, "deadline_working_days": None},
        "A": {"deadline_hours": 24, "deadline_working_days": None},
        "B": {"deadline_hours": None, "deadline_working_days": 5},
        "C": {"deadline_hours": None, "deadline_working_days": 22},
    }
    await refused(
        api, s.staff, "PUT", "/api/v1/grades/A", {"deadline_hours": 4}, status=403, code="not_allowed"
    )
    saved = await api.ok(s.admin, "PUT", "/api/v1/grades/A", {"deadline_hours": 4})
    assert saved["A"] == {"deadline_hours": 4, "deadline_working_days": None}
    # Exactly one of hours or working days.
    for body in ({}, {"deadline_hours": 4, "deadline_working_days": 2}):
        response = await api.call(s.admin, "PUT", "/api/v1/grades/B", json=body)
        assert (response.status_code, response.json()["code"]) == (400, "invalid_input"), body
    saved = await api.ok(s.admin, "PUT", "/api/v1/grades/B", {"deadline_working_days": 3})
    assert saved["B"] == {"deadline_hours": None, "deadline_working_days": 3}
    created = await need(api)
    graded = await api.ok(s.staff, "POST", f"/api/v1/needs/{created['id']}/triage", {"grade": "A"})
    assert graded["deadline"] == (api.clock() + timedelta(hours=4)).isoformat().replace("+00:00", "Z")
    response = await api.call(s.admin, "PUT", "/api/v1/grades/Z", json={"deadline_hours": 4})
    assert response.status_code == 400
    response = await api.call(s.admin, "PUT", "/api/v1/grades/A", json={"deadline_hours": 0})
    assert response.status_code == 400
