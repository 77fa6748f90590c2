"""Where a work order is, whom to call and when: a need's address, contact and preferred time as
they are reported, and the ``where`` and ``contact`` that needs and tasks carry for their viewer
(who may know them is ``projects.rules.workorders``' to decide).

A personal need's contact is its own (someone reported for an elder names their daughter) or else
its resident; a common need's is the leader of its grid, or the community's duty phone: never a
neighbour who reported or joined it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from projects import errors
from projects.area_path import AreaPath
from projects.errors import N_
from projects.limits import (
    ADDRESS_MAX_CHARS,
    CONTACT_NAME_MAX_CHARS,
    PHONE_MAX_CHARS,
    PREFERRED_TIME_MAX_CHARS,
)
from projects.tables import Area, Role

# A number anyone can dial: a mobile number, or a landline with its area code (0431-8888 6666),
# perhaps with an extension (转 123).
PHONE = re.compile(r"\+?[0-9][0-9 -]{4,24}(?:转[0-9]{1,6})?")
NAMED_LEVELS = 2  # the names shown start below the street: community, grid, building, unit


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    phone: str

    @property
    def tel(self) -> str:
        """The number for a ``tel:`` link: digits (and a leading +), an extension after a pause."""
        number, _, extension = self.phone.partition("转")
        dialled = re.sub(r"[^0-9+]", "", number)
        return f"{dialled},{extension}" if extension else dialled


@dataclass(frozen=True, slots=True)
class Where:
    area_id: int
    area_names: tuple[str, ...]  # community, grid, building, unit: as far down as the area goes
    address: str | None = None  # the room or landmark; None when the viewer may not know it


@dataclass(frozen=True, slots=True)
class Asked:
    """A work order's own details as reported, checked."""

    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    preferred_time: str = ""


def _text(value: str | None, limit: int, label: str, field: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise errors.Invalid(
            N_("The {label} is at most {limit} characters."), field=field, label=label, limit=limit
        )
    return value


def clean_phone(value: str | None, *, field: str = "contact_phone") -> str:
    """A phone number as it will be dialled ("" stays ""): a 400 for what no phone can dial."""
    value = " ".join((value or "").split())
    if value and not (len(value) <= PHONE_MAX_CHARS and PHONE.fullmatch(value)):
        raise errors.Invalid(N_("Enter a phone number, such as 13800000000 or 0431-88886666."), field=field)
    return value


def check_asked(
    *,
    scope: str,
    address: str | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    preferred_time: str | None = None,
) -> Asked:
    """The address, contact and preferred time a need is reported with. A contact is a name and a
    phone together; a common need takes none (its contact is its grid's leader or the community)."""
    asked = Asked(
        address=_text(address, ADDRESS_MAX_CHARS, N_("address"), "address"),
        contact_name=_text(contact_name, CONTACT_NAME_MAX_CHARS, N_("contact's name"), "contact_name"),
        contact_phone=clean_phone(contact_phone),
        preferred_time=_text(
            preferred_time, PREFERRED_TIME_MAX_CHARS, N_("preferred time"), "preferred_time"
        ),
    )
    if asked.contact_name or asked.contact_phone:
        if scope == "common":
            raise errors.Invalid(
                N_("A common need's contact is its grid leader or its community: leave the contact empty."),
                field="contact_name",
            )
        if not asked.contact_name:
            raise errors.Invalid(
                N_("Please fill in the {label}."), field="contact_name", label=N_("contact's name")
            )
        if not asked.contact_phone:
            raise errors.Invalid(
                N_("Please fill in the {label}."), field="contact_phone", label=N_("contact's phone")
            )
    return asked


def _ids(path: str) -> list[int]:
    return list(AreaPath.parse(path).ids)


@dataclass(frozen=True, slots=True)
class Places:
    """What a page of work orders needs to know about their areas, looked up once for the page."""

    names: dict[int, str]  # area id -> name, for the communities and below
    duty_phones: dict[int, str]  # community id -> its duty phone, where it has one
    grid_leaders: dict[int, Contact]  # grid id -> its leader

    def area_names(self, path: str) -> tuple[str, ...]:
        return tuple(self.names.get(area, "") for area in _ids(path)[NAMED_LEVELS:])

    def where(self, area_id: int, path: str, address: str | None = None) -> Where:
        return Where(area_id, self.area_names(path), address or None)

    def common_contact(self, path: str) -> Contact | None:
        """Whom to call about a common need (or a task of no need) here: the grid's leader, or
        the community's duty phone."""
        ids = _ids(path)
        if len(ids) > 3 and ids[3] in self.grid_leaders:
            return self.grid_leaders[ids[3]]
        if len(ids) > 2 and self.duty_phones.get(ids[2]):
            return Contact(self.names.get(ids[2], ""), self.duty_phones[ids[2]])
        return None


async def look_up_places(paths: Iterable[str], *, contacts_for: Iterable[str] = ()) -> Places:
    """The names of the areas on ``paths`` (two queries at most, whatever the page), and the grid
    leaders and duty phones of ``contacts_for`` (the paths of common work whose contact is shown)."""
    paths = set(paths)
    wanted = sorted({area for path in paths for area in _ids(path)[NAMED_LEVELS:]})
    rows = (
        await Area.select(Area.id, Area.name, Area.level, Area.duty_phone).where(Area.id.is_in(wanted))
        if wanted
        else []
    )
    names = {row["id"]: row["name"] for row in rows}
    duty = {row["id"]: row["duty_phone"] for row in rows if row["level"] == "community" and row["duty_phone"]}
    grids = sorted({_ids(path)[3] for path in contacts_for if len(_ids(path)) > 3})
    leaders: dict[int, Contact] = {}
    if grids:
        found = (
            await Role.select(Role.area, Role.member.name, Role.member.phone)
            .where(Role.area.is_in(grids) & (Role.role == "leader") & (Role.member.active == True))  # noqa: E712
            .order_by(Role.id)
        )
        for row in found:
            leaders.setdefault(row["area"], Contact(row["member.name"], row["member.phone"]))
    return Places(names, duty, leaders)
