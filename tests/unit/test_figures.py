"""The statistics' arithmetic, without a database: periods, rates, hours, nearest-rank percentiles."""

from __future__ import annotations

import math
import sqlite3
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects import errors
from projects.figures import (
    Period,
    day_start,
    hours,
    mean_tenths,
    month_key,
    nearest_rank,
    nearest_rank_sql,
    parse_day,
    percentile,
    period,
    rate,
)

NOW = datetime(2026, 12, 10, 3, tzinfo=UTC)  # 11:00 on 10 December in China


def test_a_day_in_china_begins_at_16_00_utc_the_day_before():
    assert day_start(date(2027, 1, 1)) == datetime(2026, 12, 31, 16, tzinfo=UTC)


def test_a_period_runs_from_its_first_day_to_the_day_it_ends_exclusive():
    december = Period(date(2026, 12, 1), date(2027, 1, 1))
    assert december.start_at == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert december.end_at == datetime(2026, 12, 31, 16, tzinfo=UTC)
    assert december.months() == ["2026-12"]
    assert Period(date(2026, 11, 30), date(2027, 2, 2)).months() == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]


def test_without_dates_the_period_is_this_year_up_to_the_end_of_today():
    assert period(None, None, now=NOW) == Period(date(2026, 1, 1), date(2026, 12, 11))
    new_years_eve = datetime(2026, 12, 31, 15, tzinfo=UTC)  # 23:00 in China
    assert period(None, None, now=new_years_eve) == Period(date(2026, 1, 1), date(2027, 1, 1))
    assert period(None, date(2026, 3, 1), now=NOW) == Period(date(2026, 1, 1), date(2026, 3, 1))


@pytest.mark.parametrize(
    ("first", "end"),
    [
        (date(2026, 2, 1), date(2026, 1, 1)),
        (date(2026, 1, 1), date(2026, 1, 1)),
        (date(2000, 1, 1), date(2011, 1, 1)),
    ],
)
def test_a_period_that_is_empty_backwards_or_longer_than_ten_years_is_refused(first, end):
    with pytest.raises(errors.Invalid):
        period(first, end, now=NOW)


@pytest.mark.parametrize("text", ["2026-13-01", "yesterday", "1899-01-01", "2026/01/01"])
def test_a_day_must_be_written_as_yyyy_mm_dd(text):
    with pytest.raises(errors.Invalid):
        parse_day(text, "from")
    assert parse_day(" 2026-01-31 ", "from") == date(2026, 1, 31)
    assert parse_day("", "from") is None


def test_a_month_is_the_month_in_china():
    assert month_key(datetime(2026, 12, 31, 15, 59, 59, 999999, tzinfo=UTC)) == "2026-12"
    assert month_key(datetime(2026, 12, 31, 16, tzinfo=UTC)) == "2027-01"


def test_rates_have_four_decimals_rounded_half_up_and_none_without_a_denominator():
    assert rate(105803, 108372) == 0.9763
    assert rate(1, 3) == 0.3333
    assert rate(2, 3) == 0.6667
    assert rate(1, 8) == 0.125  # 0.1250
    assert rate(1, 20000) == 0.0001  # 0.00005 rounds up
    assert rate(0, 5) == 0.0
    assert rate(0, 0) is None


def test_hours_have_two_decimals_rounded_half_up():
    assert hours(7200) == 2.0
    assert hours(18) == 0.01  # 0.005 rounds up
    assert hours(17) == 0.0
    assert hours(None) is None


def test_a_mean_has_one_decimal():
    assert mean_tenths(7, 2) == 3.5
    assert mean_tenths(5, 3) == 1.7
    assert mean_tenths(0, 0) is None


def test_nearest_rank_picks_a_value_of_the_data():
    assert percentile([], 50) is None
    assert percentile([5], 90) == 5
    assert percentile([3600, 7200, 7200, 7200, 10800], 50) == 7200
    assert percentile([3600, 7200, 7200, 7200, 10800], 90) == 10800
    assert percentile(list(range(1, 11)), 90) == 9  # the 9th of 10: 90% of the values are at most 9
    assert percentile(list(range(1, 12)), 90) == 10
    assert percentile([1, 2], 50) == 1


@given(st.integers(1, 100), st.integers(1, 10**6))
def test_nearest_rank_is_the_smallest_rank_that_reaches_the_percentile(percent, count):
    rank = nearest_rank(percent, count)
    assert rank == math.ceil(percent * count / 100)
    assert 1 <= rank <= count
    assert rank * 100 >= percent * count > (rank - 1) * 100


@given(st.integers(1, 100), st.integers(1, 10**6))
def test_the_sql_rank_is_the_same_integer_arithmetic(percent, count):
    expression = nearest_rank_sql(percent, "n")
    with sqlite3.connect(":memory:") as connection:
        (found,) = connection.execute(f"SELECT {expression} FROM (SELECT ? AS n)", (count,)).fetchone()
    assert found == nearest_rank(percent, count)
