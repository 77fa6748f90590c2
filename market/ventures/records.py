"""What the venture use cases answer: calls with their criteria, bids with their milestones, and
the states each can be in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projects.errors import N_

# The states, marked for translation: errors name them (``This call is reviewing: ...``).
STATES = {
    "call": {
        "open": N_("open"),
        "reviewing": N_("reviewing"),
        "awarded": N_("awarded"),
        "completed": N_("completed"),
        "cancelled": N_("cancelled"),
    },
    "bid": {
        "submitted": N_("submitted"),
        "withdrawn": N_("withdrawn"),
        "awarded": N_("awarded"),
        "lost": N_("lost"),
    },
    "milestone": {
        "planned": N_("planned"),
        "reported": N_("reported"),
        "awaiting_approval": N_("awaiting approval"),
        "paid": N_("paid"),
    },
}


@dataclass(frozen=True, slots=True)
class CriterionRecord:
    id: int
    call: int
    position: int
    name: str
    name_en: str
    weight: int
    max_score: int


@dataclass(frozen=True, slots=True)
class CallRecord:
    id: int
    community: int
    area: int
    title: str
    description: str
    budget: int
    deadline: datetime
    vote_weight: int
    status: str
    awarded_bid: int | None
    voting_closed_at: datetime | None  # None: residents may still vote (unless it is decided)
    created_by: int
    created_at: datetime
    updated_at: datetime
    criteria: tuple[CriterionRecord, ...] = ()
    panel: tuple[int, ...] = ()
    bids: int = 0  # not withdrawn
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (market.rules.ventures)


@dataclass(frozen=True, slots=True)
class MilestoneRecord:
    id: int
    bid: int
    position: int
    title: str
    amount: int
    due_at: datetime | None
    status: str
    report: str
    reported_at: datetime | None
    decided_by: int | None
    transfer_id: str | None
    updated_at: datetime
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (market.rules.ventures)


@dataclass(frozen=True, slots=True)
class BidRecord:
    id: int
    call: int
    organisation: int
    proposal: str
    team: str
    budget: int
    status: str
    revision: int
    submitted_by: int
    created_at: datetime
    updated_at: datetime
    milestones: tuple[MilestoneRecord, ...] = ()
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (market.rules.ventures)
