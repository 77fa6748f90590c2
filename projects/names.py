"""Names to show beside ids: of the members who acted in a history, of organisations."""

from __future__ import annotations

from projects.tables import Member, Organisation


async def member_names(ids) -> dict[int, str]:
    """Names of the members who acted in a history the viewer may already see."""
    wanted = sorted({member for member in ids if member is not None})
    if not wanted:
        return {}
    rows = await Member.select(Member.id, Member.name).where(Member.id.is_in(wanted))
    return {row["id"]: row["name"] for row in rows}


async def organisation_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.is_in(ids))
    return {row["id"]: row["name"] for row in rows}
