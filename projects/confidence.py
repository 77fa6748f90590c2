"""The mean of scores 1–5 with its 95% confidence interval (Student's t), from how many gave
each score. Exact where it can be: sums in integers, the variance as a fraction, and the t
quantile from the t distribution's closed form for whole degrees of freedom."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from statistics import NormalDist

LEVEL = 0.95
SCORES = (1, 2, 3, 4, 5)
EXACT_UP_TO_DF = 1000  # beyond it the expansion below agrees with the exact value to 1e-10
TWO_PLACES = Decimal("0.01")


def _central_mass(t: float, df: int) -> float:
    """P(|T| ≤ t) for Student's t with ``df`` degrees of freedom (Abramowitz and Stegun 26.7.3
    and 26.7.4: a finite sum in θ = atan(t/√df))."""
    theta = math.atan(t / math.sqrt(df))
    cos2 = math.cos(theta) ** 2
    if df % 2 == 1:
        if df == 1:
            return 2 * theta / math.pi
        term = total = math.cos(theta)
        for k in range(1, (df - 3) // 2 + 1):
            term *= cos2 * (2 * k) / (2 * k + 1)
            total += term
        return 2 / math.pi * (theta + math.sin(theta) * total)
    term = total = 1.0
    for k in range(1, (df - 2) // 2 + 1):
        term *= cos2 * (2 * k - 1) / (2 * k)
        total += term
    return math.sin(theta) * total


def _expansion(df: int, level: float) -> float:
    """The Cornish–Fisher expansion of the t quantile around the normal one (A&S 26.7.5)."""
    z = NormalDist().inv_cdf((1 + level) / 2)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def t_critical(df: int, level: float = LEVEL) -> float:
    """t such that P(|T| ≤ t) = ``level``: 12.706 for 1 degree of freedom, 2.776 for 4."""
    if df < 1:
        raise ValueError("at least one degree of freedom")
    if df > EXACT_UP_TO_DF:
        return _expansion(df, level)
    low, high = 0.0, 1.0
    while _central_mass(high, df) < level:
        low, high = high, high * 2
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if _central_mass(middle, df) < level:
            low = middle
        else:
            high = middle
    return high


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """How many gave each score 1–5, their mean and its 95% confidence interval (two places;
    no interval for a single answer)."""

    count: int
    distribution: tuple[int, int, int, int, int]
    mean: Decimal | None
    low: Decimal | None
    high: Decimal | None


def _two_places(value: Fraction | float) -> Decimal:
    return Decimal(str(float(value))).quantize(TWO_PLACES, ROUND_HALF_UP)


def summarise(distribution: tuple[int, ...] | list[int]) -> ScoreSummary:
    """The summary of the scores given ``distribution[i]`` times score i + 1."""
    counts = tuple(int(count) for count in distribution)
    if len(counts) != len(SCORES) or any(count < 0 for count in counts):
        raise ValueError("five counts, none negative")
    n = sum(counts)
    if n == 0:
        return ScoreSummary(0, counts, None, None, None)  # type: ignore[arg-type]
    total = sum(score * count for score, count in zip(SCORES, counts, strict=True))
    squares = sum(score * score * count for score, count in zip(SCORES, counts, strict=True))
    mean = Fraction(total, n)
    if n == 1:
        return ScoreSummary(1, counts, _two_places(mean), None, None)  # type: ignore[arg-type]
    variance = (squares - total * mean) / (n - 1)
    half = t_critical(n - 1) * math.sqrt(variance) / math.sqrt(n)
    return ScoreSummary(
        n,
        counts,  # type: ignore[arg-type]
        _two_places(mean),
        _two_places(float(mean) - half),
        _two_places(float(mean) + half),
    )
