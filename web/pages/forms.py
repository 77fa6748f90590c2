"""Forms as the pages read them: what the person typed, read and checked field by field, and
what is wrong with it, shown next to each field when the form comes back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile

from market.fund import yuan
from projects import errors
from projects.errors import N_
from web.i18n import CHINA

ID = re.compile(r"[1-9][0-9]{0,17}")  # an id as the pages give them out: ASCII digits, a BIGINT
WHOLE = re.compile(r"-?[0-9]{1,9}")
YUAN = re.compile(r"\d{1,12}(\.\d{1,2})?")


@dataclass
class Form:
    """What the person typed, and what is wrong with it: field -> (msgid, params); "" for the form."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, tuple[str, dict]] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)  # every value of each field
    files: dict[str, list[UploadFile]] = field(default_factory=dict)  # the files chosen in each file input

    def ids(self, name: str) -> list[int]:
        """The ids ticked in a group of checkboxes (what is not an id is left out)."""
        return [number for number in map(as_id, self.lists.get(name, [])) if number is not None]

    def id(self, name: str, *, required: bool = True, label: str = "") -> int | None:
        """An id chosen in a list: a field error if it is missing or not one of ours."""
        raw = self.text(name, required=required, label=label)
        if raw and as_id(raw) is None:
            self.error(name, N_("Choose one from the list."))
        return as_id(raw)

    def error(self, name: str, message: str, **params: Any) -> None:
        self.errors.setdefault(name, (message, params))

    def text(self, name: str, *, required: bool = False, label: str = "") -> str:
        value = str(self.values.get(name) or "").strip()
        if required and not value:
            self.error(name, N_("Please fill in the {label}."), label=label or name)
        return value

    def integer(
        self, name: str, *, low: int, high: int, required: bool = True, label: str = ""
    ) -> int | None:
        raw = self.text(name, required=required, label=label)
        if not raw:
            return None
        if not WHOLE.fullmatch(raw) or not low <= int(raw) <= high:
            self.error(name, N_("Enter a whole number from {low} to {high}."), low=low, high=high)
            return None
        return int(raw)

    def money(self, name: str, *, high: int, required: bool = True, label: str = "") -> int | None:
        """An amount typed in yuan (up to 2 decimals, "¥" and thousands commas allowed), in fen,
        from 0.01 yuan to ``high`` fen."""
        raw = self.text(name, required=required, label=label)
        if not raw:
            return None
        plain = raw.lstrip("¥￥").replace(",", "").replace("，", "").strip()
        fen = int(Decimal(plain) * 100) if YUAN.fullmatch(plain) else 0
        if not 1 <= fen <= high:
            self.error(
                name,
                N_("Enter an amount in yuan from 0.01 to {limit}, with at most 2 decimals, such as 1200.50."),
                limit=yuan(high),
            )
            return None
        return fen

    def moment(self, name: str, *, required: bool = False, label: str = "") -> datetime | None:
        raw = self.text(name, required=required, label=label)
        if not raw:
            return None
        try:
            return datetime.fromisoformat(raw).replace(tzinfo=CHINA)
        except ValueError:
            self.error(name, N_("Enter a date and time."))
            return None

    def refuse(self, error: errors.ProjectError, rename: dict[str, str] | None = None) -> None:
        """A domain refusal, shown next to the field it names (``rename``: the form's name for
        the domain's field, which the form shows: a group of inputs, such as a fieldset, too),
        or at the top of the form when the form has no such field."""
        field, rename = error.field or "", rename or {}
        shown = rename.get(field, field if field in self.values else "")
        self.errors[shown] = (error.template, error.params)

    @property
    def ok(self) -> bool:
        return not self.errors


def as_id(value: object) -> int | None:
    """A chosen id (a select's or a hidden field's value), or None if it is not one."""
    return int(value) if isinstance(value, str) and ID.fullmatch(value) else None


async def read_form(request: Request) -> Form:
    """The form's fields (the first value of each; ``Form.ids`` reads all the values of one) and
    its files (a multipart form's). A NUL character, which no column can store, refuses the whole
    form."""
    data = await request.form()
    files: dict[str, list[UploadFile]] = {}
    lists: dict[str, list[str]] = {}
    for key in data:
        for value in data.getall(key):
            if isinstance(value, UploadFile):
                files.setdefault(key, []).append(value)
            else:
                lists.setdefault(key, []).append(str(value))
    values = {key: found[0] for key, found in lists.items() if key != "_csrf_token"}
    if any("\x00" in value for values_ in lists.values() for value in values_):
        raise errors.Invalid(N_("A NUL character is not allowed."))
    return Form(values=values, lists=lists, files=files)
