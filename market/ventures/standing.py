"""The standing of a call's bids: the ranking's inputs read from the database (the panel's
scores, who may give them, the votes once they are counted), and who may read it when."""

from __future__ import annotations

from datetime import datetime

from market.rules import refuse
from market.rules import ventures as rules
from market.tables import Bid, Criterion
from market.ventures.calls import load_call
from market.ventures.facts import facts_of_call
from market.ventures.ranking import RankedBid, RankedCriterion, Ranking, ScoreTotal, rank
from projects.access import Actor

RANKED = ("submitted", "awarded", "lost")  # every bid but a withdrawn one

# The scores of each bid by criterion, from the call's panel but never from the bidding
# organisation's own members (as ``_SCORERS`` counts them).
_SCORES = """
SELECT s.bid AS bid, s.criterion AS criterion, SUM(s.score) AS total, COUNT(*) AS n
FROM market_score s
JOIN market_bid b ON b.id = s.bid
JOIN market_panelist p ON p.call = b.call AND p.member = s.panelist
WHERE b.call = {} AND b.status <> 'withdrawn'
  AND NOT EXISTS (SELECT 1 FROM projects_organisation_member m
                  WHERE m.organisation = b.organisation AND m.member = s.panelist)
GROUP BY s.bid, s.criterion
"""

# How many panel members may score each bid: all but the bidding organisation's own members.
_SCORERS = """
SELECT b.id AS bid, COUNT(*) AS n
FROM market_bid b
JOIN market_panelist p ON p.call = b.call
WHERE b.call = {} AND b.status <> 'withdrawn'
  AND NOT EXISTS (SELECT 1 FROM projects_organisation_member m
                  WHERE m.organisation = b.organisation AND m.member = p.member)
GROUP BY b.id
"""

_VOTES = "SELECT bid, COUNT(*) AS n FROM market_vote WHERE call = {} GROUP BY bid"


async def standing(call: dict, *, counted: bool) -> Ranking:
    """The ranking of the bids of ``call`` (its row). Not ``counted`` (voting still open:
    ``rules.votes_counted``), the votes are not read at all."""
    criteria = (
        await Criterion.select(Criterion.id, Criterion.weight, Criterion.max_score)
        .where(Criterion.call == call["id"])
        .order_by(Criterion.position)
    )
    bids = (
        await Bid.select(
            Bid.id,
            Bid.organisation,
            Bid.organisation.name.as_alias("organisation_name"),
            Bid.budget,
            Bid.status,
        )
        .where((Bid.call == call["id"]) & Bid.status.is_in(list(RANKED)))
        .order_by(Bid.id)
    )
    scorers = {row["bid"]: int(row["n"]) for row in await Bid.raw(_SCORERS, call["id"])}
    scores = {
        (row["bid"], row["criterion"]): ScoreTotal(int(row["total"]), int(row["n"]))
        for row in await Bid.raw(_SCORES, call["id"])
    }
    votes = {row["bid"]: int(row["n"]) for row in await Bid.raw(_VOTES, call["id"])} if counted else None
    return rank(
        call=call["id"],
        status=call["status"],
        vote_weight=call["vote_weight"],
        criteria=[RankedCriterion(**row) for row in criteria],
        bids=[RankedBid(**row, scorers=scorers.get(row["id"], 0)) for row in bids],
        scores=scores,
        votes=votes,
    )


async def ranking(actor: Actor, call_id: int, *, now: datetime | None = None) -> Ranking:
    """The standing of the bids: for the call's staff at any time, its panel once bidding has
    closed, everyone who sees the call once it is awarded (the published result). The votes
    are in it only once voting has closed, for everyone alike."""
    call = await load_call(call_id)
    facts = await facts_of_call(actor, call, now)
    refuse(rules.see_ranking(actor, facts))
    return await standing(call, counted=rules.votes_counted(facts))
