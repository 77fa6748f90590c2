"""The community's structure in the domain: areas, people, roles, and the rules the database keeps."""

from __future__ import annotations

import asyncpg
import pytest

from ledger.accounts import balance, get_account
from projects import areas, errors, members, organisations
from projects.access import load_actor
from projects.tables import Area, Event, Role
from tests.projects.community import HASH, PASSWORD, T0, build_street


@pytest.fixture
async def street(db):
    return await build_street(T0, volunteers=4)


async def test_each_area_must_sit_under_the_level_above_it(db):
    district = await areas.create_area("district", "南关区", now=T0)
    with pytest.raises(errors.Invalid):
        await areas.create_area("community", "跳级社区", parent_id=district.id, now=T0)
    with pytest.raises(errors.Invalid):
        await areas.create_area("street", "无上级街道", now=T0)
    with pytest.raises(errors.Invalid):
        await areas.create_area("planet", "x", now=T0)
    with pytest.raises(errors.NotFound):
        await areas.create_area("street", "x", parent_id=12345, now=T0)
    assert await Area.count() == 1


async def test_everything_under_an_area_is_one_range_of_paths(street):
    community = await areas.get_area(street.community)
    under = [area.id for area in await areas.subtree(community)]
    assert street.community in under and street.unit in under and street.grid2 in under
    assert street.other_community not in under and street.other_unit not in under
    unit = await areas.get_area(street.unit)
    assert unit.ancestor_ids() == [
        street.district,
        street.street,
        street.community,
        street.grid,
        street.building,
        street.unit,
    ]


async def test_paths_do_not_confuse_area_10_with_area_1(db):
    # "/1/" must not contain "/10/": the range ends just before "/1" + "0"
    district = await areas.create_area("district", "区", now=T0)
    streets = [
        await areas.create_area("street", f"街道{n}", parent_id=district.id, now=T0) for n in range(12)
    ]
    first = streets[0]
    inside = {area.id for area in await areas.subtree(first)}
    assert inside == {first.id}
    assert {area.id for area in await areas.subtree(district)} == {district.id} | {s.id for s in streets}


async def test_a_community_gets_a_points_issuer_and_a_member_a_points_account(street):
    issuer = await get_account(areas.issuer_account(street.community))
    assert (issuer.kind, issuer.asset, issuer.flags) == ("issuer", "PTS", 0)
    account = await get_account(members.member_account(street.resident))
    assert (account.kind, account.flags) == ("member", 1)  # never below zero
    org = await get_account(organisations.organisation_account(street.organisation))
    assert org.kind == "organisation"
    assert (await balance(account.id)).posted == 0


@pytest.mark.parametrize("phone", ["12345", "23800000000", "1380000000x", "138000000001", ""])
async def test_a_member_needs_a_mobile_number(db, phone):
    with pytest.raises(errors.Invalid):
        await members.create_member(phone, "某人", password=PASSWORD, now=T0)


async def test_a_phone_registers_once_and_a_short_password_is_refused(street):
    with pytest.raises(errors.PhoneTaken):
        await members.create_member(street.phones[street.resident], "冒名", password=PASSWORD, now=T0)
    with pytest.raises(errors.Invalid):
        await members.create_member("13612345678", "短密码", password="1234567", now=T0)
    with pytest.raises(errors.Invalid):
        await members.create_member(
            "13612345678", "住在街道", password=PASSWORD, home_area_id=street.street, now=T0
        )


async def test_passwords_are_stored_as_argon2id_and_checked(street):
    from projects.tables import Member

    stored = await Member.select(Member.password_hash).where(Member.id == street.resident).first()
    assert stored["password_hash"].startswith("$argon2id$") and PASSWORD not in stored["password_hash"]
    assert (await members.authenticate(street.phones[street.resident], PASSWORD)).id == street.resident
    with pytest.raises(errors.BadCredentials):
        await members.authenticate(street.phones[street.resident], PASSWORD + "x")
    await Member.update({Member.active: False}).where(Member.id == street.resident)
    with pytest.raises(errors.BadCredentials):
        await members.authenticate(street.phones[street.resident], PASSWORD)
    with pytest.raises(errors.Unauthenticated):
        await load_actor(street.resident)


async def test_an_area_has_one_leader_and_only_grids_buildings_and_units_have_leaders(street):
    with pytest.raises(errors.Conflict):
        await members.grant_role(street.neighbour, street.grid, "leader", now=T0)
    with pytest.raises(errors.Invalid):
        await members.grant_role(street.neighbour, street.community, "leader", now=T0)
    await members.grant_role(street.leader, street.grid, "leader", now=T0)  # again: nothing changes
    assert await Role.count().where((Role.area == street.grid) & (Role.role == "leader")) == 1


async def test_the_database_itself_allows_one_leader_per_area(street):
    with pytest.raises(Exception) as raised:
        await Role.insert(Role(member=street.neighbour, area=street.grid, role="leader", created_at=T0))
    assert "unique" in str(raised.value).lower()


async def test_roles_hold_in_their_area_and_below(street):
    staff = await load_actor(street.staff)
    unit_path = (await areas.get_area(street.unit)).path
    other_path = (await areas.get_area(street.other_unit)).path
    assert staff.is_staff(unit_path) and not staff.is_staff(other_path)
    leader = await load_actor(street.leader)
    assert leader.manages(unit_path) and not leader.is_staff(unit_path)
    grid2_path = (await areas.get_area(street.grid2)).path
    assert not leader.manages(grid2_path)
    resident = await load_actor(street.resident)
    assert resident.roles == ["resident"] and not resident.manages(unit_path)
    representative = await load_actor(street.representative)
    assert "organisation" in representative.roles and representative.represents(street.organisation)


async def test_the_trace_cannot_be_edited_or_deleted(street, database_url):
    from projects.access import load_actor as actor_of
    from projects.needs import report_need

    resident = await actor_of(street.resident)
    await report_need(resident, category="care.meals", description="送餐", now=T0)
    assert await Event.count() == 1
    refused = (asyncpg.exceptions.RestrictViolationError, Exception)
    with pytest.raises(refused) as raised:
        await Event.update({Event.reason: "改写"}).where(Event.seq > 0)
    assert "append-only" in str(raised.value)
    with pytest.raises(refused) as raised:
        await Event.delete().where(Event.seq > 0)
    assert "append-only" in str(raised.value)
    assert (await Event.select(Event.reason).first())["reason"] == "online"


async def test_a_hashed_password_can_be_reused_for_many_demo_members(db):
    district = await areas.create_area("district", "区", now=T0)
    one = await members.create_member("13511111111", "一", password_hash=HASH, now=T0)
    two = await members.create_member("13522222222", "二", password_hash=HASH, now=T0)
    assert (await members.authenticate("13522222222", PASSWORD)).id == two.id != one.id
    assert district.level == "district"
