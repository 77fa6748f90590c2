"""The statistics' arithmetic, without a database: periods of China's days, rates, nearest-rank
percentiles and hours (DESIGN.md, "Statistics").

Everything here works on integers so that both engines, and any client that recomputes a figure
from the needs behind it, get exactly the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from projects import errors
from projects.errors import N_

ZONE = ZoneInfo("Asia/Shanghai")  # `from` and `to` are days in China's time
# China has kept UTC+8 all year since 1991: SQL that cannot name a zone (SQLite) adds this.
CHINA_OFFSET_HOURS = 8
RATE_PLACES = Decimal("0.0001")  # rates have four decimals
HOURS_PLACES = Decimal("0.01")  # durations are given in hours with two decimals (36 s)
MAX_PERIOD_DAYS = 10 * 366  # a period is at most ten years: a bound on what one query may scan
MEDIAN = 50
P90 = 90


@dataclass(frozen=True, slots=True)
class Period:
    """The days [first, end) in China's time, and the instants they begin and end at."""

    first: date
    end: date  # exclusive

    @property
    def start_at(self) -> datetime:
        return day_start(self.first)

    @property
    def end_at(self) -> datetime:
        return day_start(self.end)

    def months(self) -> list[str]:
        """Every month the period touches, as ``YYYY-MM``, in order."""
        last = self.end - timedelta(days=1)
        year, month = self.first.year, self.first.month
        keys = []
        while (year, month) <= (last.year, last.month):
            keys.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return keys


def day_start(day: date) -> datetime:
    """The instant (UTC) a day in China begins."""
    return datetime.combine(day, time(0), tzinfo=ZONE).astimezone(UTC)


def china_day(moment: datetime) -> date:
    return moment.astimezone(ZONE).date()


def month_key(moment: datetime) -> str:
    """The month, in China, that an instant falls in: ``YYYY-MM``."""
    return moment.astimezone(ZONE).strftime("%Y-%m")


def parse_day(text: str | None, what: str, field: str | None = None) -> date | None:
    """A day given as ``YYYY-MM-DD`` (None when not given), or a 400 that says which (``what``,
    for a person; ``field``, the input it came from)."""
    if text is None or not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise errors.Invalid(
            N_("The {label} is a day such as 2026-01-31."), field=field or what, label=what
        ) from None
    if not 2000 <= day.year <= 2100:
        raise errors.Invalid(N_("The {label} is a day such as 2026-01-31."), field=field or what, label=what)
    return day


def period(first: date | None, end: date | None, *, now: datetime) -> Period:
    """The period asked for: by default from New Year's day to the end of today (China)."""
    today = china_day(now)
    end = end or today + timedelta(days=1)
    first = first or date(end.year if end > date(end.year, 1, 1) else end.year - 1, 1, 1)
    if first >= end:
        raise errors.Invalid(N_("The period must end after it begins (to is exclusive)."))
    if (end - first).days > MAX_PERIOD_DAYS:
        raise errors.Invalid(N_("A period is at most {days} days."), days=MAX_PERIOD_DAYS)
    return Period(first, end)


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` with four decimals (half up), or None when there is nothing to divide by."""
    if whole == 0:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP))


def hours(seconds: int | None) -> float | None:
    """Whole seconds as hours with two decimals (half up)."""
    if seconds is None:
        return None
    return float((Decimal(seconds) / 3600).quantize(HOURS_PLACES, rounding=ROUND_HALF_UP))


def nearest_rank(percent: int, count: int) -> int:
    """The 1-based rank of the ``percent``-th percentile of ``count`` sorted values, by the
    nearest-rank method: the smallest rank whose share of the values reaches ``percent``,
    ceil(percent × count / 100)."""
    assert 0 < percent <= 100 and count > 0
    return (percent * count + 99) // 100


def nearest_rank_sql(percent: int, count_expression: str) -> str:
    """``nearest_rank`` as SQL integer arithmetic (the same on SQLite and PostgreSQL)."""
    assert isinstance(percent, int) and 0 < percent <= 100
    return f"(({percent} * {count_expression} + 99) / 100)"


def percentile(values: list[int], percent: int) -> int | None:
    """The nearest-rank percentile of ``values`` (None for none): what the SQL computes."""
    if not values:
        return None
    return sorted(values)[nearest_rank(percent, len(values)) - 1]


def mean_tenths(total: int, count: int) -> float | None:
    """A mean with one decimal (half up), such as a rating's: None for no values."""
    if count == 0:
        return None
    return float((Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
