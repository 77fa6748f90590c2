"""A work order's rules without a database: who may know where it is and whom to call, what a
reported address, contact and preferred time may be, how a phone is dialled, who may remove a
photo, and where photos' files go."""

from __future__ import annotations

from pathlib import Path

import pytest

from projects import errors
from projects.access import Actor, Grant
from projects.rules import photos as photo_rules
from projects.rules.workorders import WorkOrderFacts, sees_contact
from projects.workorders import Contact, Places, check_asked, clean_phone

COMMUNITY = "/1/2/3/"
GRID = "/1/2/3/4/"
UNIT = "/1/2/3/4/5/6/"
OTHER_COMMUNITY = "/1/2/9/"
RESIDENT, REPORTER, STRANGER = 10, 11, 99


def actor(member_id: int = STRANGER, *grants: tuple[str, str], admin: bool = False) -> Actor:
    return Actor(
        member_id=member_id,
        name="",
        phone="",
        is_admin=admin,
        grants=tuple(Grant(role, 0, "", path) for role, path in grants),
    )


ORDER = WorkOrderFacts(area_path=UNIT, asked=(RESIDENT, REPORTER), working=False)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        (actor(RESIDENT), True),  # whoever asked
        (actor(REPORTER), True),  # the leader who reported it for them
        (actor(STRANGER, ("staff", COMMUNITY)), True),  # staff of the area
        (actor(STRANGER, ("staff", "/1/")), True),  # and above
        (actor(STRANGER, ("leader", GRID)), True),  # its grid's leader
        (actor(STRANGER, ("staff", OTHER_COMMUNITY)), False),  # staff elsewhere
        (actor(STRANGER, ("volunteer", COMMUNITY)), False),  # a volunteer browsing the pool
        (actor(STRANGER, ("resident", UNIT)), False),  # a neighbour in the same unit
        (actor(STRANGER, admin=True), True),
    ],
)
def test_who_may_know_where_a_work_order_is_and_whom_to_call(who, sees):
    assert sees_contact(who, ORDER) is sees


def test_a_volunteer_knows_it_while_they_work_on_it_and_not_after():
    volunteer = actor(STRANGER, ("volunteer", COMMUNITY))
    assert sees_contact(volunteer, WorkOrderFacts(UNIT, (RESIDENT,), working=True))
    assert not sees_contact(volunteer, WorkOrderFacts(UNIT, (RESIDENT,), working=False))


def test_a_reported_work_order_is_checked_and_tidied():
    asked = check_asked(
        scope="personal",
        address="  5号楼2单元301 ",
        contact_name="王女士",
        contact_phone="0431-8888 6666转12",
        preferred_time="周六  上午",
    )
    assert (asked.address, asked.contact_phone, asked.preferred_time) == (
        "5号楼2单元301",
        "0431-8888 6666转12",
        "周六 上午",
    )
    assert check_asked(scope="common", address="东门岗亭旁").contact_name == ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"scope": "common", "contact_name": "张三", "contact_phone": "13800000000"}, "contact_name"),
        ({"scope": "personal", "contact_name": "张三"}, "contact_phone"),
        ({"scope": "personal", "contact_phone": "13800000000"}, "contact_name"),
        ({"scope": "personal", "contact_name": "张三", "contact_phone": "打电话给我"}, "contact_phone"),
        ({"scope": "personal", "address": "楼" * 101}, "address"),
        ({"scope": "personal", "preferred_time": "早" * 101}, "preferred_time"),
    ],
)
def test_a_work_order_that_cannot_be_kept_names_its_field(fields, field):
    with pytest.raises(errors.Invalid) as refused:
        check_asked(**fields)
    assert refused.value.field == field


def test_a_phone_is_dialled_as_digits_with_its_extension_after_a_pause():
    assert Contact("社区值班", "0431-8888 6666转12").tel == "043188886666,12"
    assert Contact("王阿姨", "+86 138 0000 0000").tel == "+8613800000000"
    assert clean_phone("") == ""
    with pytest.raises(errors.Invalid):
        clean_phone("１３８００００００００")  # full-width digits dial nothing


def test_a_common_contact_is_the_grid_leader_else_the_duty_phone_else_nobody():
    leader = Contact("网格长", "13700000001")
    places = Places(
        names={3: "幸福里社区", 4: "第一网格"}, duty_phones={3: "0431-12345"}, grid_leaders={4: leader}
    )
    assert places.common_contact(UNIT) == leader
    assert places.common_contact(COMMUNITY) == Contact("幸福里社区", "0431-12345")
    assert Places({}, {}, {}).common_contact(UNIT) is None
    assert places.area_names(GRID) == ("幸福里社区", "第一网格")


@pytest.mark.parametrize(
    ("who", "uploaded_by", "open_", "allowed"),
    [
        (actor(RESIDENT), RESIDENT, True, True),  # whoever added it, while it is open
        (actor(RESIDENT), RESIDENT, False, False),  # not once it is decided
        (actor(STRANGER), RESIDENT, True, False),  # nobody else
        (actor(STRANGER, ("leader", GRID)), RESIDENT, True, False),  # a leader is not staff
        (actor(STRANGER, ("staff", COMMUNITY)), RESIDENT, False, True),  # staff, any time
    ],
)
def test_who_may_remove_a_photo(who, uploaded_by, open_, allowed):
    refusal = photo_rules.remove(who, photo_rules.PhotoFacts(uploaded_by, UNIT, open_))
    assert (refusal is None) is allowed


def test_photos_go_beside_the_sqlite_file_or_where_linli_media_dir_says(tmp_path):
    from web.database import DEFAULT_POSTGRES_MEDIA_DIR, media_path

    class Sqlite:
        engine_type = "sqlite"
        path = str(tmp_path / "linli.sqlite")

    class Postgres:
        engine_type = "postgres"

    assert media_path(Sqlite()) == Path(f"{tmp_path / 'linli.sqlite'}.media")
    assert media_path(Postgres()) == Path(DEFAULT_POSTGRES_MEDIA_DIR)
    assert media_path(Sqlite(), str(tmp_path / "shared")) == tmp_path / "shared"
