"""Who may do what, where. Checked here, in the domain, whatever the caller (API, pages, CLI).

An ``Actor`` is a member with their roles: each role holds in an area and everything under it.
Staff of an area (or of an ancestor) triage and dispatch there; its leaders ("三长") collect needs
for residents, confirm work on their behalf and settle disputes; an admin may do anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from projects import errors
from projects.area_path import COMMUNITY_DEPTH, AreaPath
from projects.tables import Area, Member, OrganisationMember, Role

MANAGERS = ("leader", "staff")


@dataclass(frozen=True, slots=True)
class Grant:
    role: str
    area_id: int
    level: str
    path: str


@dataclass(frozen=True, slots=True)
class Actor:
    member_id: int
    name: str
    phone: str
    is_admin: bool = False
    home_area: int | None = None
    home_path: str | None = None
    grants: tuple[Grant, ...] = ()
    # organisation id -> "representative" or "member"
    organisations: dict[int, str] = field(default_factory=dict)
    pending: bool = False  # registered themself, not yet approved: sees only that
    must_change_password: bool = False  # staff reset it: a new one before anything else
    # organisation id -> the path of the area it is registered in (where it serves)
    organisation_paths: dict[int, str] = field(default_factory=dict)

    def holds(self, roles: tuple[str, ...], path: str) -> bool:
        """Does one of ``roles`` hold in the area with ``path`` (granted there or above)?"""
        if self.is_admin:
            return True
        return any(grant.role in roles and path.startswith(grant.path) for grant in self.grants)

    def holds_exactly(self, role: str, path: str) -> bool:
        """Is ``role`` granted in the area with ``path`` itself (not above it)?"""
        return any(grant.role == role and grant.path == path for grant in self.grants)

    def is_staff(self, path: str) -> bool:
        return self.holds(("staff",), path)

    def manages(self, path: str) -> bool:
        """Staff or a leader there: may act for residents, confirm and settle."""
        return self.holds(MANAGERS, path)

    def represents(self, organisation_id: int) -> bool:
        return self.is_admin or self.organisations.get(organisation_id) == "representative"

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise errors.NotAllowed()

    def communities(self) -> list[str]:
        """The paths of the communities this member lives or has a role in (or of the larger
        areas they manage): where their "near me" is."""
        paths = [
            grant.path if grant.role in MANAGERS else community_path(grant.path) for grant in self.grants
        ]
        if self.home_path:
            paths.append(community_path(self.home_path))
        return sorted({path for path in paths if path})

    def near(self, path: str) -> bool:
        """Is ``path`` in one of my communities (or the larger areas I manage)?"""
        return any(path.startswith(community) for community in self.communities())

    def served_by(self, path: str) -> bool:
        """Does what is listed in the area with ``path`` serve one of my communities: it is in
        one of them, or holds one (a street's resource serves the street's communities)?"""
        return any(
            path.startswith(community) or community.startswith(path) for community in self.communities()
        )

    @property
    def is_resident(self) -> bool:
        """Lives somewhere Linli knows (orders services, follows needs, joins common ones)."""
        return self.home_area is not None

    @property
    def is_volunteer(self) -> bool:
        """A registered volunteer (志愿者): claims tasks of the open pool."""
        return any(grant.role == "volunteer" for grant in self.grants)

    @property
    def has_desk(self) -> bool:
        """A leader or staff member somewhere (or an admin): has a desk of needs and work."""
        return self.is_admin or any(grant.role in MANAGERS for grant in self.grants)

    @property
    def is_staff_somewhere(self) -> bool:
        """Staff of some area: sees its statistics and supervises below it."""
        return any(grant.role == "staff" for grant in self.grants)

    @property
    def managed_paths(self) -> list[str]:
        """The paths of the areas this member leads or is staff of."""
        return [grant.path for grant in self.grants if grant.role in MANAGERS]

    @property
    def represented(self) -> list[int]:
        """The organisations this member is the representative of."""
        return [org for org, role in self.organisations.items() if role == "representative"]

    def serves_for(self, path: str) -> list[int]:
        """The organisations I represent that serve the area with ``path``."""
        return [org for org in self.represented if serves(self.organisation_paths.get(org, ""), path)]

    def acts_for(self, organisation_id: int | None) -> bool:
        """Am I the representative of this organisation (its work is mine to answer for)?
        Unlike ``represents``, an admin does not count: this is about whose work it is."""
        return organisation_id is not None and self.organisations.get(organisation_id) == "representative"

    @property
    def roles(self) -> list[str]:
        names = {grant.role for grant in self.grants}
        if self.is_admin:
            names.add("admin")
        if any(role == "representative" for role in self.organisations.values()):
            names.add("organisation")
        return sorted(names)


def serves(organisation_path: str, path: str) -> bool:
    """Does an organisation registered in the area with ``organisation_path`` serve the area
    with ``path``: its area holds it (a street's organisation serves the street's communities),
    or lies in the same community."""
    if not organisation_path:
        return False
    return path.startswith(organisation_path) or organisation_path.startswith(community_path(path))


def community_path(path: str) -> str:
    """The community part of a path (district/street/community), or the path if it is higher."""
    parsed = AreaPath.parse(path)
    return str(parsed.at(COMMUNITY_DEPTH) or parsed)


async def load_actor(member_id: int) -> Actor:
    member = (
        await Member.select(
            Member.id.as_alias("member"),
            Member.name,
            Member.phone,
            Member.is_admin,
            Member.active,
            Member.home_area,
            Member.home_area.path.as_alias("home_path"),
            Member.pending,
            Member.must_change_password,
        )
        .where(Member.id == member_id)
        .first()
    )
    grants = await Role.select(Role.role, Role.area, Role.area.level, Role.area.path).where(
        Role.member == member_id
    )
    memberships = await OrganisationMember.select(
        OrganisationMember.organisation,
        OrganisationMember.role,
        OrganisationMember.organisation.area.path.as_alias("path"),
    ).where(OrganisationMember.member == member_id)
    return actor_of(
        member,
        [(row["role"], row["area"], row["area.level"], row["area.path"]) for row in grants],
        [(row["organisation"], row["role"], row["path"]) for row in memberships],
    )


def actor_of(
    member: dict | None,
    grants: list[tuple[str, int, str, str]],
    memberships: list[tuple[int, str, str]],
) -> Actor:
    """The actor from the member's row, their (role, area, level, path) grants and their
    (organisation, role, path) memberships; ``Unauthenticated`` if the member is gone or inactive."""
    if member is None or not member["active"]:
        raise errors.Unauthenticated()
    return Actor(
        member_id=member["member"],
        name=member["name"],
        phone=member["phone"],
        is_admin=bool(member["is_admin"]),
        home_area=member["home_area"],
        home_path=member["home_path"],
        grants=tuple(Grant(*grant) for grant in sorted(grants, key=lambda grant: (grant[3], grant[0]))),
        organisations={organisation: role for organisation, role, _ in memberships},
        pending=bool(member["pending"]),
        must_change_password=bool(member["must_change_password"]),
        organisation_paths={organisation: path for organisation, _, path in memberships},
    )


async def area_path(area_id: int) -> str:
    row = await Area.select(Area.path).where(Area.id == area_id).first()
    if row is None:
        raise errors.NotFound(thing=errors.N_("area"))
    return row["path"]
