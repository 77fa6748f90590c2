"""The needs ledger (台账): one row per need counted as reported (``projects.stats``), read a page
at a time so that a district's year is never held in memory.

The rows are plain values (codes, instants, numbers); ``web`` names the columns and words in the
reader's language and writes them as a spreadsheet or CSV. A need's address and contact (its
own, else its resident's) go only into the ledger of a community or an area inside one: never
into a street's or a district's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from ledger.posting import as_utc
from projects.area_path import AreaPath
from projects.areas import path_range
from projects.db import postgres
from projects.errors import N_
from projects.figures import mean_tenths
from projects.stats import DONE_AT, NEED_FIELDS, RESPONDED_AT, Scope, counted_sql, predicate
from projects.tables import AREA_LEVELS, Area, Need

PAGE_ROWS = 2000  # needs read per query: memory stays flat however long the ledger


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str  # a msgid
    kind: str  # text, integer, decimal, word (a code web names), category, moment, yes_no
    width: int  # characters, for a spreadsheet


COLUMNS = (
    Column("id", N_("No."), "integer", 9),
    Column("area", N_("Area path"), "text", 36),
    Column("category", N_("Category"), "category", 14),
    Column("channel", N_("Channel"), "word", 10),
    Column("scope", N_("Scope"), "word", 10),
    Column("description", N_("Description"), "text", 40),
    Column("grade", N_("Grade"), "text", 6),
    Column("status", N_("Status"), "word", 10),
    Column("reported_at", N_("Reported at"), "moment", 17),
    Column("responded_at", N_("First response"), "moment", 17),
    Column("done_at", N_("Done at"), "moment", 17),
    Column("deadline", N_("Deadline"), "moment", 17),
    Column("on_time", N_("On time"), "yes_no", 8),
    Column("holder", N_("Handled by"), "text", 14),
    Column("performers", N_("Done by"), "text", 18),
    Column("rating", N_("Rating"), "decimal", 8),
)
# Only in a community's own ledger: where inside its area, and whom to call (a personal need's own
# contact, else its resident; a common need's is nobody who reported or joined it).
CONTACT_COLUMNS = (
    Column("address", N_("Address"), "text", 18),
    Column("contact_name", N_("Contact name"), "text", 10),
    Column("contact_phone", N_("Contact phone"), "text", 14),
)


def shows_contacts(scope: Scope) -> bool:
    """A community's own ledger (or a grid's, a building's...) carries contacts; above, never."""
    return AREA_LEVELS.index(scope.area.level) >= AREA_LEVELS.index("community")


def columns(scope: Scope) -> tuple[Column, ...]:
    return COLUMNS + (CONTACT_COLUMNS if shows_contacts(scope) else ())


def _page_sql(scope: Scope, size: int) -> str:
    """The rows of a page of ``size`` needs (their ids given three times): each need with its
    holder and contact joined, and its performers and ratings summed per need for the whole page
    at once (set-based: one pass, not a subquery per need)."""
    ids = ", ".join("{}" for _ in range(size))
    work = "FROM projects_task k JOIN projects_claim c ON c.task = k.id"
    if postgres():
        performers = (
            "SELECT k.need AS need, string_agg(m.name, '、' ORDER BY c.id) AS names "
            f"{work} JOIN projects_member m ON m.id = c.member "
            f"WHERE c.status = 'confirmed' AND k.need IN ({ids}) GROUP BY k.need"
        )
    else:  # group_concat keeps the order its rows come in
        performers = (
            "SELECT need, group_concat(name, '、') AS names FROM (SELECT k.need AS need, m.name AS name "
            f"{work} JOIN projects_member m ON m.id = c.member "
            f"WHERE c.status = 'confirmed' AND k.need IN ({ids}) ORDER BY k.need, c.id) GROUP BY need"
        )
    ratings = (
        "SELECT k.need AS need, SUM(r.score) AS total, COUNT(*) AS count "
        f"{work} JOIN projects_rating r ON r.claim = c.id WHERE k.need IN ({ids}) GROUP BY k.need"
    )
    # A common need never shows who reported or joined it.
    contact = (
        ", COALESCE(NULLIF(n.address, ''), n.address_string) AS address, "
        "CASE WHEN n.scope = 'personal' THEN COALESCE(NULLIF(n.contact_name, ''), m.name) END "
        "AS contact_name, "
        "CASE WHEN n.scope = 'personal' THEN COALESCE(NULLIF(n.contact_phone, ''), m.phone) END "
        "AS contact_phone"
        if shows_contacts(scope)
        else ""
    )
    on_time = f"CASE WHEN {predicate('on_time', NEED_FIELDS)} THEN 1 ELSE 0 END"
    return (
        "SELECT n.id AS id, n.area AS area, n.category AS category, n.channel AS channel, n.scope AS scope, "
        "n.description AS description, n.grade AS grade, n.status AS status, n.created_at AS reported_at, "
        f"{RESPONDED_AT} AS responded_at, {DONE_AT} AS done_at, n.deadline AS deadline, h.name AS holder, "
        f"CASE WHEN n.status = 'done' THEN {on_time} END AS on_time, p.names AS performers, "
        f"r.total AS rating_total, r.count AS rating_count{contact} "
        "FROM projects_need n LEFT JOIN projects_need_trace t ON t.need = n.id "
        "JOIN projects_area h ON h.id = n.handling_area JOIN projects_member m ON m.id = n.resident "
        f"LEFT JOIN ({performers}) p ON p.need = n.id LEFT JOIN ({ratings}) r ON r.need = n.id "
        f"WHERE n.id IN ({ids}) ORDER BY n.id"
    )


async def places(scope: Scope) -> dict[int, str]:
    """Each area under the scope spelled from the top down ("南关区 / 鸿城街道 / 幸福里社区 / ...")."""
    low, high = path_range(scope.area.path)
    rows = await Area.select(Area.id, Area.name, Area.path).where(
        ((Area.path >= low) & (Area.path < high)) | Area.id.is_in(scope.area.ancestor_ids())
    )
    names = {row["id"]: row["name"] for row in rows}
    return {
        row["id"]: " / ".join(names[area_id] for area_id in AreaPath.parse(row["path"]).ids)
        for row in rows
        if row["path"].startswith(scope.area.path)
    }


async def needs_ledger(scope: Scope) -> AsyncIterator[dict]:
    """Every counted need as a row (``columns(scope)``' keys), oldest first, a page at a time.

    The counted needs' ids are read once (a district's year is some 100,000 numbers); their rows
    are then read and handed on a page at a time, so that only one page of rows is ever held."""
    names = await places(scope)
    counted, params = counted_sql(scope, columns="n.id AS id")
    ids = [int(row["id"]) for row in await Need.raw(f"{counted} ORDER BY n.id", *params)]
    for start in range(0, len(ids), PAGE_ROWS):
        page = ids[start : start + PAGE_ROWS]
        rows = await Need.raw(_page_sql(scope, len(page)), *page, *page, *page)
        for row in rows:
            yield _row(row, names[int(row["area"])])


def _moment(value) -> datetime | None:
    return None if value is None else as_utc(value)


def _row(row: dict, place: str) -> dict:
    return {
        **row,
        "id": int(row["id"]),
        "area": place,
        "grade": row["grade"] or "",
        "reported_at": _moment(row["reported_at"]),
        "responded_at": _moment(row["responded_at"]),
        "done_at": _moment(row["done_at"]),
        "deadline": _moment(row["deadline"]),
        "on_time": None if row["on_time"] is None else bool(row["on_time"]),
        "performers": row["performers"] or "",
        "rating": mean_tenths(int(row["rating_total"] or 0), int(row["rating_count"] or 0)),
    }
