"""AreaPath: an area's path parsed once, without a database."""

from __future__ import annotations

import pytest

from projects.area_path import COMMUNITY_DEPTH, GRID_DEPTH, AreaPath


def test_a_path_is_its_ids_from_the_district_down_and_back():
    unit = AreaPath.parse("/1/2/3/14/25/36/")
    assert unit.ids == (1, 2, 3, 14, 25, 36) and str(unit) == "/1/2/3/14/25/36/"
    assert unit.area_id == 36 and unit.level_index == 5 and unit.community_id == 3
    assert unit.at(GRID_DEPTH) == AreaPath((1, 2, 3, 14)) and str(unit.at(COMMUNITY_DEPTH)) == "/1/2/3/"


def test_above_a_community_there_is_no_community_and_no_grid():
    street = AreaPath.parse("/1/2/")
    assert street.community_id is None and street.at(GRID_DEPTH) is None and street.level_index == 1
    assert AreaPath.parse("/") == AreaPath.parse("") == AreaPath(()) and str(AreaPath(())) == "/"


def test_containment_compares_ids_not_prefixes_of_text():
    street = AreaPath.parse("/1/2/")
    assert street.contains(AreaPath.parse("/1/2/3/")) and street.contains(street)
    assert not street.contains(AreaPath.parse("/1/22/3/"))  # "/1/22/" starts with "/1/2" as text
    assert not AreaPath.parse("/1/2/3/").contains(street)


@pytest.mark.parametrize("bad", ["/1/x/", "/1//2/"])
def test_a_path_that_is_not_ids_is_refused(bad):
    with pytest.raises(ValueError):
        AreaPath.parse(bad)
