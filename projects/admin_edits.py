"""The admin's trace: every insert, update and delete made through Piccolo Admin, with who made
it, when, and the row before and after (as JSON, secrets left out), appended in the edit's own
transaction. The table refuses to be changed (``projects_admin_edit``, append-only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.table import Table

from projects.members import find_by_phone
from projects.tables import AdminEdit

ACTIONS = ("insert", "update", "delete")
MAX_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Edit:
    id: int
    member: int | None
    username: str
    table_name: str
    row_key: str
    action: str
    before: str
    after: str
    created_at: datetime


def primary_key(table: type[Table], raw: str) -> Any:
    """A row's key as given in an address, in its column's type (``ValueError`` if it is not)."""
    return table._meta.primary_key.value_type(raw)


async def row_as_json(table: type[Table], key: Any) -> str:
    """The row as JSON, without its secret columns (a password hash never enters the trace);
    ``""`` if there is no such row."""
    row = await table.select(exclude_secrets=True).where(table._meta.primary_key == key).first()
    return "" if row is None else json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)


async def record(
    *,
    username: str,
    table: type[Table],
    key: Any,
    action: str,
    before: str,
    after: str,
    now: datetime,
) -> None:
    """Append one edit to the trace; ``username`` is the admin's (a Linli admin's phone)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown admin action {action!r}")
    member = await find_by_phone(username) if username else None
    await AdminEdit.insert(
        AdminEdit(
            member=member.id if member else None,
            username=username[:100],
            table_name=table._meta.tablename,
            row_key=str(key)[:MAX_KEY_LENGTH],
            action=action,
            before=before,
            after=after,
            created_at=now,
        )
    )


async def edits_of(table_name: str, row_key: str) -> list[Edit]:
    """The edits made to one row, oldest first."""
    rows = (
        await AdminEdit.select()
        .where((AdminEdit.table_name == table_name) & (AdminEdit.row_key == row_key))
        .order_by(AdminEdit.id)
    )
    return [Edit(**row) for row in rows]


@dataclass(frozen=True, slots=True)
class EditPage:
    items: list[Edit]
    next_cursor: str | None


async def list_edits(actor, *, cursor: str | None = None, limit: int = 50) -> EditPage:
    """The admin's trace, newest first: for admins only (it shows every table's rows)."""
    from projects.states import newest_first

    actor.require(actor.is_admin)
    rows, next_cursor = await newest_first(AdminEdit.select(), AdminEdit.id, cursor, limit)
    return EditPage([Edit(**row) for row in rows], next_cursor)
