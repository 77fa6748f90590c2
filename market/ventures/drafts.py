"""What staff and organisations submit: a call's scoring criteria and a bid's plan of milestones,
and the checks they pass before any row is written."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from market.fund import yuan
from market.ventures.limits import (
    BID_MAX_MILESTONES,
    BUDGET_MAX_FEN,
    CALL_MAX_CRITERIA,
    CRITERION_NAME_MAX_CHARS,
    MILESTONE_TITLE_MAX_CHARS,
)
from projects import errors
from projects.errors import N_
from projects.states import text


@dataclass(frozen=True, slots=True)
class CriterionDraft:
    name: str
    weight: int
    max_score: int = 10
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class MilestoneDraft:
    title: str
    amount: int
    due_at: datetime


def checked_amount(value: int, message: str, field: str, **params) -> int:
    """An amount of money in fen, ¥0.01 to ``BUDGET_MAX_FEN``; else ``Invalid`` with ``message``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= BUDGET_MAX_FEN:
        raise errors.Invalid(message, field=field, **params)
    return value


def checked_criteria(criteria: list[CriterionDraft]) -> list[CriterionDraft]:
    if not 1 <= len(criteria) <= CALL_MAX_CRITERIA:
        raise errors.Invalid(
            N_("A call has 1 to {limit} scoring criteria."), field="criteria", limit=CALL_MAX_CRITERIA
        )
    checked = []
    for criterion in criteria:
        for value in (criterion.weight, criterion.max_score):
            if isinstance(value, bool) or not isinstance(value, int):
                raise errors.Invalid(
                    N_("A criterion's weight and highest score are whole numbers."), field="criteria"
                )
        if not 1 <= criterion.weight <= 100:
            raise errors.Invalid(N_("A criterion's weight is 1 to 100."), field="criteria")
        if not 1 <= criterion.max_score <= 100:
            raise errors.Invalid(N_("A criterion's highest score is 1 to 100."), field="criteria")
        checked.append(
            replace(
                criterion,
                name=text(
                    criterion.name, CRITERION_NAME_MAX_CHARS, N_("criterion"), field="criteria", required=True
                ),
                name_en=text(
                    criterion.name_en, CRITERION_NAME_MAX_CHARS, N_("English name"), field="criteria"
                ),
            )
        )
    total = sum(criterion.weight for criterion in checked)
    if total != 100:
        raise errors.Invalid(
            N_("The criteria's weights add up to {total}: they must add up to 100."),
            field="criteria",
            total=total,
        )
    return checked


def checked_plan(milestones: list[MilestoneDraft], budget: int, now: datetime) -> list[MilestoneDraft]:
    if not 1 <= len(milestones) <= BID_MAX_MILESTONES:
        raise errors.Invalid(
            N_("A plan has 1 to {limit} milestones."), field="milestones", limit=BID_MAX_MILESTONES
        )
    checked = []
    for milestone in milestones:
        checked_amount(milestone.amount, N_("A milestone's amount is at least ¥0.01."), "milestones")
        if milestone.due_at <= now:
            raise errors.Invalid(N_("A milestone's due date must be in the future."), field="milestones")
        title = text(
            milestone.title, MILESTONE_TITLE_MAX_CHARS, N_("title"), field="milestones", required=True
        )
        checked.append(replace(milestone, title=title))
    total = sum(milestone.amount for milestone in checked)
    if total != budget:
        raise errors.Invalid(
            N_("The milestones add up to {total}: they must add up to the budget asked for ({budget})."),
            field="milestones",
            total=yuan(total),
            budget=yuan(budget),
        )
    return checked
