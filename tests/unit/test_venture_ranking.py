"""The ranking of a venture call's bids, by hand and without a database: the panel's weighted
scores, the residents' votes weighed in once voting has closed, ties, missing scores, exact
fractions shown to two decimals."""

from __future__ import annotations

from fractions import Fraction

from market.ventures.ranking import RankedBid, RankedCriterion, Ranking, ScoreTotal, rank, shown

# Two criteria, as the venture tests publish them: feasibility 60% scored out of 10, the team
# 40% scored out of 5.
FEASIBILITY = RankedCriterion(id=1, weight=60, max_score=10)
TEAM = RankedCriterion(id=2, weight=40, max_score=5)
CRITERIA = (FEASIBILITY, TEAM)


def bid(number: int, *, scorers: int = 2, status: str = "submitted") -> RankedBid:
    return RankedBid(
        id=number,
        organisation=100 + number,
        organisation_name=f"organisation {number}",
        budget=100_000,
        status=status,
        scorers=scorers,
    )


def sheets(*given: tuple[int, int, list[int]]) -> dict[tuple[int, int], ScoreTotal]:
    """The scores of (bid, criterion) from their list, as the database sums them."""
    return {(bid_id, criterion): ScoreTotal(sum(scores), len(scores)) for bid_id, criterion, scores in given}


def ranked(
    bids=(bid(1), bid(2)), scores=None, *, votes=None, vote_weight: int = 0, criteria=CRITERIA
) -> Ranking:
    return rank(
        call=7,
        status="reviewing",
        vote_weight=vote_weight,
        criteria=criteria,
        bids=bids,
        scores=scores or {},
        votes=votes,
    )


# Panel: 60 × (8 + 9)/20 + 40 × (4 + 5)/10 = 87 and 60 × (7 + 6)/20 + 40 × (3 + 4)/10 = 67.
SCORED = sheets((1, 1, [8, 9]), (1, 2, [4, 5]), (2, 1, [7, 6]), (2, 2, [3, 4]))


def test_the_panel_score_is_the_weighted_mean_of_each_criterion_over_its_highest_score():
    ranking = ranked(scores=SCORED)
    assert [(e.bid, e.panel_score, e.score, e.rank, e.tied) for e in ranking.entries] == [
        (1, 87, 87, 1, False),
        (2, 67, 67, 2, False),
    ]
    assert all(isinstance(e.panel_score, Fraction) for e in ranking.entries)


def test_the_score_is_exact_and_only_shown_rounded():
    # 60 × 7/10 + 40 × (3 + 4 + 4)/15 = 42 + 29⅓
    ranking = ranked(bids=(bid(1, scorers=3),), scores=sheets((1, 1, [7, 7, 7]), (1, 2, [3, 4, 4])))
    (entry,) = ranking.entries
    assert entry.panel_score == Fraction(214, 3)
    assert shown(entry.panel_score) == "71.33"


def test_shown_rounds_half_up_to_two_places():
    assert shown(Fraction(1, 200)) == "0.01"
    assert shown(Fraction(373, 5)) == "74.60"
    assert shown(Fraction(179, 3)) == "59.67"
    assert shown(Fraction(100)) == "100.00"
    assert shown(Fraction(2, 3), places=0) == "1"


def test_tied_bids_share_a_rank_and_the_next_rank_is_skipped():
    # 60 × 0.7 + 40 × 0.8 = 74 twice, by two ways; 60 × 0.7 + 40 × 0.7 = 70.
    scores = sheets(
        (1, 1, [7, 7]), (1, 2, [4, 4]), (2, 1, [6, 8]), (2, 2, [4, 4]), (3, 1, [7, 7]), (3, 2, [3, 4])
    )
    ranking = ranked(bids=(bid(1), bid(2), bid(3)), scores=scores)
    assert [(e.bid, e.rank, e.tied, e.score) for e in ranking.entries] == [
        (1, 1, True, 74),
        (2, 1, True, 74),
        (3, 3, False, 70),
    ]


def test_entries_are_ordered_by_rank_then_by_bid():
    scores = sheets((5, 1, [10, 10]), (5, 2, [5, 5]), (3, 1, [1, 1]), (3, 2, [1, 1]))
    ranking = ranked(bids=(bid(3), bid(4), bid(5)), scores=scores)
    assert [(e.bid, e.rank) for e in ranking.entries] == [(5, 1), (3, 2), (4, 3)]


def test_a_criterion_nobody_scored_counts_zero_and_is_reported_missing():
    # Bid 2: one of two panel members scored feasibility only; nobody scored its team.
    scores = sheets((1, 1, [8, 9]), (1, 2, [4, 5]), (2, 1, [10]))
    ranking = ranked(scores=scores)
    assert [(e.bid, e.panel_score, e.missing) for e in ranking.entries] == [(1, 87, 0), (2, 60, 3)]
    assert (ranking.missing, ranking.complete) == (3, False)
    assert ranked(scores=SCORED).complete


def test_a_bid_fewer_panel_members_may_score_misses_fewer_scores():
    # One of the two panel members belongs to bid 2's organisation: one scorer, and their scores
    # alone make its mean.
    scores = sheets((1, 1, [8, 9]), (1, 2, [4, 5]), (2, 1, [10]), (2, 2, [5]))
    ranking = ranked(bids=(bid(1), bid(2, scorers=1)), scores=scores)
    assert [(e.bid, e.panel_score, e.missing) for e in ranking.entries] == [(2, 100, 0), (1, 87, 0)]
    assert ranking.complete


def test_with_no_scores_from_an_empty_panel_every_bid_ties_at_zero_with_nothing_missing():
    ranking = ranked(bids=(bid(1, scorers=0), bid(2, scorers=0)))
    assert [(e.bid, e.panel_score, e.score, e.rank, e.tied, e.missing) for e in ranking.entries] == [
        (1, 0, 0, 1, True, 0),
        (2, 0, 0, 1, True, 0),
    ]
    assert ranking.complete


def test_before_any_score_every_score_of_every_panel_member_is_missing():
    ranking = ranked()
    assert [(e.rank, e.tied, e.missing) for e in ranking.entries] == [(1, True, 4), (1, True, 4)]
    assert ranking.missing == 8


def test_a_call_without_bids_ranks_nothing_and_is_complete():
    ranking = ranked(bids=(), votes={})
    assert (ranking.entries, ranking.missing, ranking.complete, ranking.votes) == ((), 0, True, 0)


def test_while_voting_is_open_the_votes_are_not_read_and_the_bids_rank_by_the_panel():
    ranking = ranked(scores=SCORED, votes=None, vote_weight=20)
    assert (ranking.voting_closed, ranking.votes) == (False, None)
    assert [(e.bid, e.panel_score, e.votes, e.vote_score, e.score, e.rank) for e in ranking.entries] == [
        (1, 87, None, None, None, 1),
        (2, 67, None, None, None, 2),
    ]


def test_where_votes_do_not_weigh_the_panel_score_is_the_score_while_voting_is_open():
    ranking = ranked(scores=SCORED, votes=None, vote_weight=0)
    assert [(e.score, e.votes, e.vote_score) for e in ranking.entries] == [(87, None, None), (67, None, None)]


def test_once_voting_has_closed_the_votes_weigh_as_the_call_says():
    # Votes weigh 20%: 87 × 0.8 + 25 × 0.2 = 74.6 and 67 × 0.8 + 75 × 0.2 = 68.6.
    ranking = ranked(scores=SCORED, votes={1: 1, 2: 3}, vote_weight=20)
    assert (ranking.voting_closed, ranking.votes, ranking.vote_weight) == (True, 4, 20)
    assert [(e.bid, e.votes, e.vote_score, e.score, e.rank) for e in ranking.entries] == [
        (1, 1, 25, Fraction(373, 5), 1),
        (2, 3, 75, Fraction(343, 5), 2),
    ]
    assert [shown(e.score) for e in ranking.entries] == ["74.60", "68.60"]


def test_vote_shares_in_thirds_stay_exact():
    # Half and half: 86 × ½ + 33⅓ × ½ = 59⅔ and 46 × ½ + 66⅔ × ½ = 56⅓.
    scores = sheets((1, 1, [9, 9]), (1, 2, [4, 4]), (2, 1, [5, 5]), (2, 2, [2, 2]))
    ranking = ranked(scores=scores, votes={1: 1, 2: 2}, vote_weight=50)
    assert [(e.panel_score, e.vote_score, e.score) for e in ranking.entries] == [
        (86, Fraction(100, 3), Fraction(179, 3)),
        (46, Fraction(200, 3), Fraction(169, 3)),
    ]
    assert [shown(e.vote_score) for e in ranking.entries] == ["33.33", "66.67"]


def test_votes_can_overturn_the_panels_order_where_they_weigh_enough():
    ranking = ranked(scores=SCORED, votes={2: 9, 1: 1}, vote_weight=60)
    # 87 × 0.4 + 10 × 0.6 = 40.8 and 67 × 0.4 + 90 × 0.6 = 80.8.
    assert [(e.bid, e.score, e.rank) for e in ranking.entries] == [
        (2, Fraction(404, 5), 1),
        (1, Fraction(204, 5), 2),
    ]


def test_where_votes_decide_everything_the_panel_no_longer_counts():
    ranking = ranked(scores=SCORED, votes={1: 1, 2: 1}, vote_weight=100)
    assert [(e.bid, e.score, e.rank, e.tied) for e in ranking.entries] == [(1, 50, 1, True), (2, 50, 1, True)]


def test_where_votes_do_not_weigh_they_are_counted_and_shown_but_change_nothing():
    ranking = ranked(scores=SCORED, votes={2: 5}, vote_weight=0)
    assert [(e.bid, e.votes, e.vote_score, e.score) for e in ranking.entries] == [
        (1, 0, 0, 87),
        (2, 5, 100, 67),
    ]


def test_when_nobody_voted_the_panel_decides_alone_whatever_the_vote_weight():
    ranking = ranked(scores=SCORED, votes={}, vote_weight=30)
    assert ranking.votes == 0
    assert [(e.votes, e.vote_score, e.score) for e in ranking.entries] == [(0, 0, 87), (0, 0, 67)]


def test_votes_for_a_bid_out_of_the_running_count_for_nobody():
    # Bid 3 was withdrawn after two residents voted for it: the shares are of bids 1 and 2 alone.
    ranking = ranked(scores=SCORED, votes={1: 1, 2: 3, 3: 2}, vote_weight=20)
    assert ranking.votes == 4
    assert [(e.bid, e.vote_score) for e in ranking.entries] == [(1, 25), (2, 75)]


def test_the_ranking_names_the_call_and_each_bid_as_given():
    ranking = ranked(bids=(bid(1, status="awarded"), bid(2, status="lost")), scores=SCORED, votes={})
    assert (ranking.call, ranking.status) == (7, "reviewing")
    first, second = ranking.entries
    assert (first.bid, first.organisation, first.organisation_name, first.budget, first.status) == (
        1,
        101,
        "organisation 1",
        100_000,
        "awarded",
    )
    assert second.status == "lost"
