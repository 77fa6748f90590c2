"""Confidence intervals of mean scores against hand computation and printed t tables."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from projects.confidence import EXACT_UP_TO_DF, _expansion, summarise, t_critical


@pytest.mark.parametrize(
    ("df", "printed"),
    [(1, 12.706), (2, 4.303), (4, 2.776), (5, 2.571), (10, 2.228), (30, 2.042), (100, 1.984), (1000, 1.962)],
)
def test_the_t_quantile_matches_the_printed_tables(df, printed):
    assert round(t_critical(df), 3) == printed


def test_the_t_quantile_of_two_degrees_of_freedom_is_its_closed_form():
    # P(|T| <= t) = t / sqrt(2 + t^2) for two degrees of freedom: t = sqrt(2 * 0.95^2 / (1 - 0.95^2)).
    assert t_critical(2) == pytest.approx(math.sqrt(2 * 0.9025 / 0.0975), abs=1e-12)


def test_beyond_the_exact_range_the_expansion_agrees_with_the_exact_value():
    assert _expansion(EXACT_UP_TO_DF, 0.95) == pytest.approx(t_critical(EXACT_UP_TO_DF), abs=1e-10)
    assert 1.95996 < t_critical(10**6) < t_critical(EXACT_UP_TO_DF + 1) < t_critical(EXACT_UP_TO_DF)


def test_the_mean_and_its_interval_are_those_computed_by_hand():
    # Scores 5, 4, 4, 3, 5: mean 21/5 = 4.2; variance (91 - 21 * 4.2) / 4 = 0.7;
    # half-width 2.7764 * sqrt(0.7) / sqrt(5) = 1.0388, so [3.16, 5.24].
    summary = summarise([0, 0, 1, 2, 2])
    assert summary.count == 5 and summary.distribution == (0, 0, 1, 2, 2)
    assert (summary.mean, summary.low, summary.high) == (Decimal("4.20"), Decimal("3.16"), Decimal("5.24"))


def test_identical_scores_have_no_spread_and_one_score_has_no_interval():
    same = summarise([0, 0, 0, 7, 0])
    assert (same.mean, same.low, same.high) == (Decimal("4.00"), Decimal("4.00"), Decimal("4.00"))
    one = summarise([0, 1, 0, 0, 0])
    assert (one.count, one.mean, one.low, one.high) == (1, Decimal("2.00"), None, None)
    assert summarise([0] * 5).mean is None


def test_a_distribution_is_five_counts_none_negative():
    with pytest.raises(ValueError):
        summarise([1, 2, 3])
    with pytest.raises(ValueError):
        summarise([1, -1, 0, 0, 0])
