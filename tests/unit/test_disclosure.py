"""Masked names and the fewer-than-5 rule."""

from __future__ import annotations

import pytest

from projects.disclosure import MIN_GROUP, disclosed, mask_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王秀兰", "王*兰"),
        ("王兰", "王*"),
        ("兰", "*"),
        ("欧阳娜娜", "欧**娜"),
        ("Alexander", "A***r"),
        (" 李四 ", "李*"),
    ],
)
def test_a_name_keeps_its_first_and_last_character(name, masked):
    assert mask_name(name) == masked


def test_a_group_of_fewer_than_five_is_never_shown():
    assert MIN_GROUP == 5
    assert not disclosed(4) and disclosed(5) and not disclosed(0)


@pytest.mark.parametrize(
    ("minutes", "shown"), [(90, "1.5"), (100, "1.67"), (600, "10"), (1, "0.02"), (750, "12.5")]
)
def test_hours_are_printed_to_two_places_without_trailing_zeros(minutes, shown):
    from projects.certificates import hours_text

    assert hours_text(minutes) == shown
