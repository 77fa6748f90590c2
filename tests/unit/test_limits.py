"""The API's request models bound a field by the very constant its use case checks, so that the
two layers cannot drift apart: a sample of each package's limits, read without a database."""

from __future__ import annotations

import pytest
from annotated_types import Le, MaxLen
from pydantic import StringConstraints

from market import limits as market_limits
from market.ventures import limits as venture_limits
from projects import limits
from web.api.catalogue import ItemIn, RedemptionIn, WriteOffIn
from web.api.exchange import DonationIn, GiftIn, ListingIn, ProposalIn
from web.api.registrations import RegistrationIn
from web.api.schemas import GradeIn, SubmitIn, TaskIn, TokenIn
from web.api.ventures import CallIn


def highest(model, field: str) -> int:
    """The largest value, length or count the model lets through for ``field``."""
    for constraint in model.model_fields[field].metadata:
        if isinstance(constraint, Le):
            return constraint.le
        if isinstance(constraint, MaxLen):
            return constraint.max_length
        if isinstance(constraint, StringConstraints) and constraint.max_length is not None:
            return constraint.max_length
    raise AssertionError(f"{model.__name__}.{field} has no upper bound")


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        (TokenIn, "phone", limits.PHONE_MAX_CHARS),
        (RegistrationIn, "name", limits.MEMBER_NAME_MAX_CHARS),
        (TaskIn, "capacity", limits.TASK_MAX_PEOPLE),
        (TaskIn, "points_per_hour", limits.TASK_MAX_POINTS_PER_HOUR),
        (SubmitIn, "minutes", limits.CLAIM_MAX_MINUTES),
        (GradeIn, "deadline_hours", limits.DEADLINE_MAX_HOURS),
        (GradeIn, "deadline_working_days", limits.DEADLINE_MAX_WORKING_DAYS),
        (ItemIn, "name", market_limits.ITEM_NAME_MAX_CHARS),
        (ItemIn, "price", market_limits.PRICE_MAX_POINTS),
        (ItemIn, "per_member_limit", market_limits.PER_MEMBER_MAX_REDEMPTIONS),
        (RedemptionIn, "quantity", market_limits.REDEMPTION_MAX_ITEMS),
        (WriteOffIn, "reason", market_limits.REASON_MAX_CHARS),
        (ListingIn, "title", market_limits.LISTING_TITLE_MAX_CHARS),
        (ListingIn, "points_per_hour", market_limits.RATE_MAX_POINTS_PER_HOUR),
        (ProposalIn, "minutes", market_limits.EXCHANGE_MAX_MINUTES),
        (ProposalIn, "note", market_limits.NOTE_MAX_CHARS),
        (GiftIn, "amount", market_limits.GIFT_MAX_POINTS),
        (DonationIn, "amount", market_limits.DONATION_MAX_FEN),
        (DonationIn, "donor_name", market_limits.DONOR_NAME_MAX_CHARS),
        (DonationIn, "receipt_number", market_limits.RECEIPT_MAX_CHARS),
        (CallIn, "budget", venture_limits.BUDGET_MAX_FEN),
        (CallIn, "criteria", venture_limits.CALL_MAX_CRITERIA),
        (CallIn, "panel", venture_limits.PANEL_MAX_MEMBERS),
    ],
)
def test_a_request_model_bounds_a_field_by_its_use_cases_limit(model, field, limit):
    assert highest(model, field) == limit


def test_a_refusal_s_reason_has_one_limit_in_every_package():
    assert market_limits.REASON_MAX_CHARS == venture_limits.REASON_MAX_CHARS == limits.REASON_MAX_CHARS
