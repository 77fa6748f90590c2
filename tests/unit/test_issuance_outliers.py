"""The daily issuance report's outliers and its day, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime

from projects.issuance import Policy
from projects.issuance_report import Issuer, day_of, outliers

POLICY = Policy()  # DESIGN's defaults: 600 minutes a claim, 720 a day, four eyes over 100 points


def test_a_claim_at_the_cap_and_a_member_at_the_days_limit_are_flagged():
    flags = outliers(POLICY, [Issuer(7, 50, 1)], at_cap=[(11, 3, 600)], full_days=[(3, 720)])
    assert [(f.kind, f.member, f.value, f.limit, f.claim) for f in flags] == [
        ("claim_at_cap", 3, 600, 600, 11),
        ("member_at_day_limit", 3, 720, 720, None),
    ]


def test_one_issuer_with_most_of_a_large_day_is_flagged_and_a_small_day_is_not():
    large = [Issuer(7, 90, 3), Issuer(8, 30, 1)]
    [flag] = outliers(POLICY, large, [], [])
    assert (flag.kind, flag.member, flag.value, flag.limit) == ("most_by_one_issuer", 7, 75, 50)
    assert outliers(POLICY, [Issuer(7, 100, 2)], [], []) == []  # 100 points is not over the threshold
    assert outliers(POLICY, [Issuer(7, 60, 1), Issuer(8, 60, 1)], [], []) == []  # half is not most


def test_the_report_is_of_yesterday_in_china_once_the_digests_hour_has_come():
    assert day_of(datetime(2026, 12, 3, 1, 0, tzinfo=UTC)) == date(2026, 12, 2)  # 09:00 on the 3rd
    assert day_of(datetime(2026, 12, 2, 23, 59, tzinfo=UTC)) is None  # 07:59 on the 3rd: not yet
    assert day_of(datetime(2026, 12, 3, 0, 0, tzinfo=UTC)) == date(2026, 12, 2)  # 08:00
