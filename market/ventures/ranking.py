"""The ranking of a call's bids, computed exactly (fractions, never floats) from the panel's
scores and the residents' votes: a pure function, so the rule can be read and tested alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class RankedCriterion:
    """A scoring criterion, as far as the ranking weighs it."""

    id: int
    weight: int  # percent of the panel's score; a call's weights add up to 100
    max_score: int


@dataclass(frozen=True, slots=True)
class RankedBid:
    """A bid in the running (any but a withdrawn one), as far as the ranking reads it."""

    id: int
    organisation: int
    organisation_name: str
    budget: int
    status: str
    scorers: int  # panel members who may score it: all but the bidding organisation's own


@dataclass(frozen=True, slots=True)
class ScoreTotal:
    """The scores a bid was given on one criterion: their sum and how many there are."""

    total: int
    count: int


NO_SCORES = ScoreTotal(0, 0)


@dataclass(frozen=True, slots=True)
class RankingEntry:
    bid: int
    organisation: int
    organisation_name: str
    budget: int
    status: str
    panel_score: Fraction  # 0–100: Σ weight × mean score / highest score
    votes: int | None  # None (and the share) until voting has closed: votes are secret
    vote_score: Fraction | None  # 0–100: the bid's share of the votes
    score: Fraction | None  # the panel's and the votes' parts, weighted by the call (None: votes
    # weigh and are not counted yet)
    rank: int  # 1 + how many bids score strictly more (the panel's part until voting has closed):
    # ties share a rank (1, 1, 3)
    tied: bool
    missing: int  # panel member × criterion scores not yet given


@dataclass(frozen=True, slots=True)
class Ranking:
    call: int
    status: str
    vote_weight: int
    voting_closed: bool  # the votes are counted in (else every vote-derived figure is None)
    votes: int | None
    missing: int
    entries: tuple[RankingEntry, ...]

    @property
    def complete(self) -> bool:
        return self.missing == 0


def rank(
    *,
    call: int,
    status: str,
    vote_weight: int,
    criteria: Sequence[RankedCriterion],
    bids: Sequence[RankedBid],
    scores: Mapping[tuple[int, int], ScoreTotal],
    votes: Mapping[int, int] | None,
) -> Ranking:
    """Each bid's panel score is Σ over criteria of weight × (mean of its scores / highest
    score), 0–100; a criterion nobody scored yet counts 0 and is reported ``missing``. With
    votes and a vote weight (percent), the score is panel × (100 − w)/100 + vote share × w/100.

    ``scores`` are by bid and criterion id; ``votes`` are the counts by bid id, or None while
    voting is open (``rules.votes_counted``): then the bids rank by the panel's part, and the
    counts, shares and, where votes weigh, the weighted scores are None. Votes for a bid not in
    ``bids`` (a withdrawn one) count for nobody."""
    counted = votes is not None
    cast = votes if votes is not None else {}
    all_votes = sum(cast.get(bid.id, 0) for bid in bids)
    weight = Fraction(vote_weight, 100) if all_votes else Fraction(0)
    weighed = counted or not vote_weight  # the score is known: votes counted or weightless
    drafts = []
    for bid in bids:
        panel = Fraction(0)
        given = 0
        for criterion in criteria:
            score = scores.get((bid.id, criterion.id), NO_SCORES)
            given += score.count
            if score.count:
                panel += criterion.weight * Fraction(score.total, score.count * criterion.max_score)
        share = Fraction(100 * cast.get(bid.id, 0), all_votes) if all_votes else Fraction(0)
        missing = bid.scorers * len(criteria) - given
        drafts.append((bid, panel, share, panel * (1 - weight) + share * weight, missing))
    totals = [draft[3] for draft in drafts]  # the panel's part alone while votes are not counted
    entries = [
        RankingEntry(
            bid=bid.id,
            organisation=bid.organisation,
            organisation_name=bid.organisation_name,
            budget=bid.budget,
            status=bid.status,
            panel_score=panel,
            votes=cast.get(bid.id, 0) if counted else None,
            vote_score=share if counted else None,
            score=total if weighed else None,
            rank=1 + sum(other > total for other in totals),
            tied=totals.count(total) > 1,
            missing=missing,
        )
        for bid, panel, share, total, missing in drafts
    ]
    entries.sort(key=lambda entry: (entry.rank, entry.bid))
    return Ranking(
        call=call,
        status=status,
        vote_weight=vote_weight,
        voting_closed=counted,
        votes=all_votes if counted else None,
        missing=sum(entry.missing for entry in entries),
        entries=tuple(entries),
    )


def shown(value: Fraction, places: int = 2) -> str:
    """An exact score shown to ``places`` decimals, rounded half up."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
