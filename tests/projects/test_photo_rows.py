"""The database keeps the photos' rules itself, whatever writes to it (both engines): six photos at
most on a need, on each of its progress reports and on a claim; a photo belongs to one item; a
file's name is never short enough to guess."""

from __future__ import annotations

import secrets
import sqlite3

import asyncpg
import pytest

from projects import needs, triage
from projects.tables import Photo
from projects.triage import latest_report
from tests.projects.community import T0, build_street

REFUSED = (sqlite3.IntegrityError, asyncpg.exceptions.IntegrityConstraintViolationError)


def row(uploaded_by: int, **item) -> Photo:
    return Photo(
        uploaded_by=uploaded_by,
        file_key=secrets.token_hex(16),
        width=1,
        height=1,
        bytes=1,
        created_at=T0,
        **item,
    )


async def test_the_database_refuses_a_seventh_photo_on_an_item_and_a_photo_of_two_items(db):
    street = await build_street(volunteers=6)
    staff = await street.actor(street.staff)
    need = await needs.report_need(
        await street.actor(street.resident), category="care.meals", description="送餐", now=T0
    )
    await triage.triage_need(staff, need.id, grade="B", now=T0)
    await triage.report_progress(staff, need.id, note="已联系", now=T0)
    report = await latest_report(need.id, street.staff)
    for _ in range(6):
        await Photo.insert(row(street.resident, need=need.id))
    with pytest.raises(REFUSED):
        await Photo.insert(row(street.resident, need=need.id))
    # A progress report's photos are counted apart from the need's own.
    for _ in range(6):
        await Photo.insert(row(street.staff, need=need.id, report=report))
    with pytest.raises(REFUSED):
        await Photo.insert(row(street.staff, need=need.id, report=report))
    with pytest.raises(REFUSED):  # a report's photo belongs to its need
        await Photo.insert(row(street.staff, report=report))
    other = await needs.report_need(
        await street.actor(street.resident), category="care.meals", description="理发", now=T0
    )
    short = row(street.resident, need=other.id)
    short.file_key = "abc"
    with pytest.raises(REFUSED):
        await Photo.insert(short)
    assert await Photo.count() == 12
