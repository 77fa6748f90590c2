"""The sample drawn from a frame and a seed, and quarters in China's time."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from projects import errors
from projects.quarters import quarter_bounds, quarter_of, quarters_of
from projects.sampling import draw, new_seed

SEED = "00" * 31 + "2a"


def test_the_sample_is_the_lowest_hmac_ranks_and_is_repeatable_by_hand():
    frame = list(range(1, 41))
    by_hand = sorted(
        frame, key=lambda m: hmac.new(bytes.fromhex(SEED), str(m).encode(), hashlib.sha256).hexdigest()
    )[:7]
    assert draw(frame, SEED, 7) == by_hand == draw(list(reversed(frame)), SEED, 7)
    assert len(set(draw(frame, SEED, 7))) == 7 and draw(frame, SEED, 100) == draw(frame, SEED, 40)
    assert draw(frame, "11" * 32, 7) != draw(frame, "22" * 32, 7)
    assert len(new_seed()) == 64 and new_seed() != new_seed()


def test_a_moment_belongs_to_the_quarter_of_china_s_calendar():
    # 2026-12-31 16:30 UTC is already 2027-01-01 00:30 in China.
    assert quarter_of(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == "2027Q1"
    assert quarter_of(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)) == "2026Q4"
    start, end = quarter_bounds("2026Q4")
    assert start.isoformat() == "2026-10-01T00:00:00+08:00" and end.isoformat() == "2027-01-01T00:00:00+08:00"
    assert quarter_bounds("2026Q1")[1].isoformat() == "2026-04-01T00:00:00+08:00"
    assert quarters_of(2026) == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    for wrong in ("2026Q5", "2026q1", "26Q1", "1999Q4", ""):
        with pytest.raises(errors.Invalid):
            quarter_bounds(wrong)
