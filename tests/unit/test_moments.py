"""Times said in a sentence (a code fulfilled again says when), in the reader's language and in
China's time, whatever zone the moment was given in. No database."""

from datetime import UTC, datetime

from market.activity import _cursor, _parse_cursor
from projects import errors
from web.i18n import moment, translate

MOMENT = datetime(datetime.now(UTC).year, 12, 4, 7, 7, tzinfo=UTC)  # 15:07 in China, this year


def test_a_moment_is_said_in_chinas_time_in_the_readers_language_with_the_year_if_not_this_one():
    assert moment("zh", MOMENT) == "12月4日 15:07"
    assert moment("en", MOMENT) == "Dec 4 15:07"
    next_year = MOMENT.replace(year=MOMENT.year + 1)
    assert moment("zh", MOMENT, now=next_year) == f"{MOMENT.year}年12月4日 15:07"


def test_a_refusal_with_a_time_says_it_in_the_readers_language():
    message = "This code was already fulfilled by {name} on {when}: nothing moves again."
    params = {"name": "王师傅", "when": MOMENT}
    assert translate("zh", message, params) == "该兑换码已由王师傅核销于12月4日 15:07，不会再次转移积分。"
    assert translate("en", message, params) == (
        "This code was already fulfilled by 王师傅 on Dec 4 15:07: nothing moves again."
    )


def test_an_activity_cursor_keeps_the_time_to_the_microsecond_and_refuses_anything_else():
    moment_ = datetime(2026, 12, 4, 7, 7, 1, 123456, tzinfo=UTC)
    assert _parse_cursor(_cursor(moment_, 42)) == (moment_, 42)
    for bad in ("x", "1.", ".2", "1.2.3", "-1.2", "9" * 41):
        try:
            _parse_cursor(bad)
        except errors.Invalid as error:
            assert error.field == "cursor"
        else:
            raise AssertionError(bad)
