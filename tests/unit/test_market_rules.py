"""The market's rules as pure functions (market/rules): who may do what to an item, a
redemption, an exchange, a call, a bid, a milestone or the fund, and what the refusal says.
No database: each rule is a function of an actor and an item's facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from market import errors as market_errors
from market.rules import catalogue as items
from market.rules import exchange as exchanges
from market.rules import fund as funds
from market.rules import gifts, redemptions, ventures
from market.rules.catalogue import ItemFacts
from market.rules.exchange import ExchangeFacts, ListingFacts
from market.rules.fund import FundFacts
from market.rules.gifts import GiverFacts, PoolFacts
from market.rules.redemptions import RedemptionFacts
from market.rules.ventures import BidFacts, CallFacts, MilestoneFacts
from projects import errors
from projects.access import Actor, Grant

COMMUNITY = "/1/2/3/"
OTHER_COMMUNITY = "/1/2/4/"
UNIT = "/1/2/3/5/6/7/"
NOW = datetime(2026, 12, 4, 7, 7, tzinfo=UTC)
MERCHANT = 10


def member(member_id: int, *, home: str | None = UNIT, grants=(), organisations=None) -> Actor:
    return Actor(
        member_id=member_id,
        name=f"member {member_id}",
        phone=f"1380000{member_id:04d}",
        home_area=7 if home else None,
        home_path=home,
        grants=tuple(Grant(role, 0, "community", path) for role, path in grants),
        organisations=organisations or {},
    )


RESIDENT = member(1, grants=[("resident", UNIT)])
NEIGHBOUR = member(2, grants=[("resident", UNIT)])
STAFF = member(3, home=None, grants=[("staff", COMMUNITY)])
OTHER_STAFF = member(4, home=None, grants=[("staff", OTHER_COMMUNITY)])
SHOPKEEPER = member(5, home=None, organisations={MERCHANT: "representative"})
LEADER = member(6, home=None, grants=[("leader", "/1/2/3/5/")])


def item(**facts) -> ItemFacts:
    values = dict(
        id=1,
        organisation=MERCHANT,
        community_path=COMMUNITY,
        active=True,
        withdrawn=False,
        stock=5,
        on_offer=True,
        serves_actor=False,
    )
    return ItemFacts(**{**values, **facts})


# -- the catalogue -----------------------------------------------------------------------------------


def test_a_merchants_item_is_run_by_its_representative_and_the_communitys_own_by_its_staff():
    assert items.may(SHOPKEEPER, item()) == {
        "edit",
        "restock",
        "write_off",
        "unlimit_stock",
        "turn_off",
        "withdraw",
    }
    assert items.may(STAFF, item()) == frozenset()  # staff never run a merchant's item
    assert isinstance(items.edit(STAFF, item()), errors.NotAllowed)  # they see it: their community's
    assert isinstance(items.edit(OTHER_STAFF, item()), errors.NotFound)
    own = item(organisation=None)
    assert "edit" in items.may(STAFF, own) and items.may(SHOPKEEPER, own) == frozenset()


def test_a_member_it_serves_redeems_it_while_it_is_on_offer_and_not_sold_out():
    assert items.may(RESIDENT, item(serves_actor=True)) == {"redeem"}
    assert isinstance(items.redeem(RESIDENT, item()), errors.NotFound)
    assert isinstance(
        items.redeem(RESIDENT, item(serves_actor=True, on_offer=False)), market_errors.Unavailable
    )
    sold_out = items.redeem(RESIDENT, item(serves_actor=True, stock=0))
    assert isinstance(sold_out, market_errors.SoldOut) and sold_out.code == "out_of_stock"
    assert items.redeem(RESIDENT, item(serves_actor=True, stock=None)) is None  # unlimited


def test_a_member_redeems_within_their_limit_and_only_what_their_points_pay_for():
    served = dict(serves_actor=True, price=30, available_points=30)
    assert items.redeem(RESIDENT, item(**served)) is None
    short = items.redeem(RESIDENT, item(**{**served, "available_points": 29}))
    assert isinstance(short, market_errors.InsufficientBalance) and short.params == {
        "available": 29,
        "amount": 30,
    }
    limited = dict(served, per_member_limit=2, limit_period="week")
    assert items.redeem(RESIDENT, item(**limited, taken=1)) is None
    spent = items.redeem(RESIDENT, item(**limited, taken=2))
    assert isinstance(spent, market_errors.LimitReached) and spent.params == {
        "limit": 2,
        "period": "week",
        "left": 0,
    }


def test_an_unlimited_item_has_no_stock_to_add_to_or_write_off():
    unlimited = item(stock=None)
    assert items.may(SHOPKEEPER, unlimited) == {"edit", "count_stock", "turn_off", "withdraw"}
    refusal = items.restock(SHOPKEEPER, unlimited)
    assert isinstance(refusal, errors.Conflict) and refusal.field == "add"
    assert refusal.template == "This item is unlimited: it has no stock to change."
    assert isinstance(items.write_off(SHOPKEEPER, unlimited), errors.Conflict)
    assert items.write_off(SHOPKEEPER, item(stock=0)).template == "Nothing is left to write off."
    assert isinstance(items.count_stock(SHOPKEEPER, item()), errors.Conflict)


def test_an_item_turned_off_can_be_turned_on_and_a_withdrawn_one_nothing_at_all():
    off = item(active=False, on_offer=False)
    assert "turn_on" in items.may(SHOPKEEPER, off) and "turn_off" not in items.may(SHOPKEEPER, off)
    gone = item(active=False, on_offer=False, withdrawn=True)
    assert items.may(SHOPKEEPER, gone) == frozenset()
    assert isinstance(items.edit(SHOPKEEPER, gone), errors.WrongState)
    assert items.may(RESIDENT, item(serves_actor=True, withdrawn=True, on_offer=False)) == frozenset()


# -- redemptions -------------------------------------------------------------------------------------


def redemption(**facts) -> RedemptionFacts:
    values = dict(
        id=1,
        member=RESIDENT.member_id,
        status="pending",
        organisation=MERCHANT,
        community_path=COMMUNITY,
        expires_at=NOW + timedelta(days=3),
        due=False,
        decided_at=NOW,
        decided_by_name="",
    )
    return RedemptionFacts(**{**values, **facts})


def test_a_merchants_code_is_fulfilled_by_the_merchant_never_by_the_communitys_staff():
    assert redemptions.may(SHOPKEEPER, redemption()) == {"fulfil", "reject"}
    assert redemptions.may(RESIDENT, redemption()) == {"cancel"}
    refusal = redemptions.fulfil(STAFF, redemption())
    assert isinstance(refusal, errors.NotFound) and refusal.field == "code"
    assert redemptions.may(STAFF, redemption(organisation=None)) == {"fulfil", "reject"}
    assert not redemptions.sees(OTHER_STAFF, redemption(organisation=None))


def test_a_code_entered_again_says_when_and_by_whom_and_a_closed_one_why():
    fulfilled = redemptions.fulfil(SHOPKEEPER, redemption(status="fulfilled", decided_by_name="王师傅"))
    assert isinstance(fulfilled, market_errors.AlreadyFulfilled) and fulfilled.code == "already_fulfilled"
    assert fulfilled.params == {"name": "王师傅", "when": NOW}
    for status, words in (("rejected", "rejected"), ("cancelled", "cancelled"), ("expired", "expired")):
        refusal = redemptions.fulfil(SHOPKEEPER, redemption(status=status))
        assert isinstance(refusal, errors.Conflict) and words in refusal.template, status
    late = redemptions.fulfil(SHOPKEEPER, redemption(due=True))
    assert isinstance(late, market_errors.Expired) and late.params["when"] == NOW + timedelta(days=3)
    assert redemptions.may(SHOPKEEPER, redemption(status="fulfilled")) == frozenset()


def test_the_providers_desk_is_for_representatives_and_staff():
    assert redemptions.keep_desk(SHOPKEEPER) is None and redemptions.keep_desk(STAFF) is None
    assert isinstance(redemptions.keep_desk(RESIDENT), errors.NotAllowed)


# -- peer exchange -----------------------------------------------------------------------------------


def exchange(**facts) -> ExchangeFacts:
    values = dict(
        id=1,
        requester=RESIDENT.member_id,
        performer=NEIGHBOUR.member_id,
        proposed_by=RESIDENT.member_id,
        status="proposed",
        requester_home_path=UNIT,
    )
    return ExchangeFacts(**{**values, **facts})


def test_the_party_who_did_not_propose_answers_and_either_may_cancel():
    assert exchanges.may(NEIGHBOUR, exchange()) == {"accept", "decline", "cancel"}
    assert exchanges.may(RESIDENT, exchange()) == {"cancel"}
    assert exchanges.accept(RESIDENT, exchange()).template == "The other party accepts what you proposed."
    assert isinstance(exchanges.accept(OTHER_STAFF, exchange()), errors.NotFound)


def test_the_work_is_submitted_by_its_performer_and_confirmed_or_disputed_by_its_requester():
    assert exchanges.may(NEIGHBOUR, exchange(status="accepted")) == {"submit", "cancel"}
    assert exchanges.may(RESIDENT, exchange(status="submitted")) == {"confirm", "dispute"}
    assert exchanges.may(NEIGHBOUR, exchange(status="submitted")) == frozenset()


def test_a_dispute_is_settled_by_a_leader_over_the_requesters_home_never_by_a_party():
    disputed = exchange(status="disputed")
    assert exchanges.may(LEADER, disputed) == {"settle"} and exchanges.may(STAFF, disputed) == {"settle"}
    assert exchanges.settle(RESIDENT, disputed).template == "A party to an exchange cannot settle it."
    assert isinstance(exchanges.settle(OTHER_STAFF, disputed), errors.NotFound)
    assert isinstance(
        exchanges.settle(LEADER, exchange(status="disputed", requester_home_path="")), errors.NotFound
    )


def test_a_listing_is_answered_by_a_neighbour_and_closed_by_its_owner():
    listing = ListingFacts(1, RESIDENT.member_id, "open", COMMUNITY)
    assert exchanges.listing_may(RESIDENT, listing) == {"close"}
    assert exchanges.listing_may(NEIGHBOUR, listing) == {"propose"}
    assert isinstance(exchanges.propose(OTHER_STAFF, listing), errors.NotFound)
    assert (
        exchanges.listing_may(NEIGHBOUR, ListingFacts(1, RESIDENT.member_id, "closed", COMMUNITY))
        == frozenset()
    )


def test_points_go_from_a_member_who_has_some_to_another_member_or_to_a_pool_near_them():
    assert gifts.give_to_member(RESIDENT, RESIDENT.member_id).field == "recipient_id"
    assert gifts.give_to_member(RESIDENT, NEIGHBOUR.member_id) is None
    near, far = PoolFacts(3, COMMUNITY, "community"), PoolFacts(4, OTHER_COMMUNITY, "community")
    assert gifts.may(RESIDENT, GiverFacts(5, near)) == {"give", "give_to_pool"}
    assert gifts.may(RESIDENT, GiverFacts(5, far)) == {"give"}
    assert gifts.may(RESIDENT, GiverFacts(5)) == {"give"}  # no home: no pool
    nothing = gifts.give(RESIDENT, GiverFacts(0, near))
    assert (
        isinstance(nothing, market_errors.InsufficientBalance)
        and gifts.may(RESIDENT, GiverFacts(0, near)) == frozenset()
    )


def test_the_funds_money_is_moved_by_its_communitys_staff_and_read_by_anyone():
    fund = FundFacts(3, COMMUNITY)
    assert funds.may(STAFF, fund) == {"donate", "grant"}
    assert funds.may(RESIDENT, fund) == frozenset() and funds.may(None, fund) == frozenset()
    assert isinstance(funds.donate(OTHER_STAFF, fund), errors.NotAllowed)


# -- venture projects --------------------------------------------------------------------------------

PANELIST = member(20, grants=[("resident", UNIT)])
BIDDER = member(21, home=None, organisations={MERCHANT: "representative"})


def call(status="open", *, passed=False, vote_weight=0, voting_closed_at=None, **looked_up) -> CallFacts:
    row = {
        "id": 1,
        "status": status,
        "deadline": NOW,
        "community": 3,
        "vote_weight": vote_weight,
        "voting_closed_at": voting_closed_at,
    }
    return CallFacts.of(row, COMMUNITY, NOW if passed else NOW - timedelta(days=1), **looked_up)


def test_an_open_call_past_its_deadline_is_under_review_and_a_cancelled_one_never_closes():
    assert call(passed=True).status == "reviewing" and call(passed=True).bidding_closed
    assert call().status == "open" and not call().bidding_closed
    cancelled = call("cancelled", passed=True)
    assert cancelled.status == "cancelled" and not cancelled.bidding_closed


def test_organisations_bid_until_the_deadline_and_staff_cancel_before_the_award():
    assert ventures.call_may(BIDDER, call()) == {"bid"}
    assert isinstance(ventures.bid(BIDDER, call(passed=True)), market_errors.DeadlinePassed)
    assert ventures.call_may(STAFF, call()) == {"cancel", "rank"}
    assert ventures.call_may(STAFF, call(passed=True)) == {"cancel", "close_voting", "award", "rank"}
    assert "cancel" not in ventures.call_may(STAFF, call("awarded"))


def test_residents_of_the_area_vote_once_while_the_bids_are_reviewed_and_never_in_a_cancelled_call():
    assert ventures.vote(RESIDENT, call()).template == "Voting opens after the deadline for bids."
    assert ventures.vote(RESIDENT, call(passed=True)) is None
    assert isinstance(ventures.vote(RESIDENT, call(passed=True, voted=True)), market_errors.AlreadyVoted)
    assert isinstance(ventures.vote(RESIDENT, call("cancelled", passed=True)), errors.WrongState)
    assert isinstance(ventures.vote(STAFF, call(passed=True)), errors.NotAllowed)  # not a resident there
    bid = BidFacts(1, MERCHANT, "submitted", call(passed=True))
    assert "vote" in ventures.bid_may(RESIDENT, bid)
    assert isinstance(ventures.vote_for(BIDDER, bid), errors.NotAllowed)


def test_the_panel_scores_after_the_deadline_never_its_own_organisations_bid():
    panel_call = call(passed=True, on_panel=True)
    assert ventures.bid_may(PANELIST, BidFacts(1, MERCHANT, "submitted", panel_call)) >= {"score"}
    early = ventures.score(PANELIST, BidFacts(1, MERCHANT, "submitted", call(on_panel=True)))
    assert early.template == "Bids are scored after the deadline."
    own = member(22, organisations={MERCHANT: "member"})
    assert isinstance(
        ventures.score(own, BidFacts(1, MERCHANT, "submitted", panel_call)), market_errors.OwnBid
    )
    assert isinstance(
        ventures.score(RESIDENT, BidFacts(1, MERCHANT, "submitted", call(passed=True))), errors.NotAllowed
    )


def test_staff_award_a_bid_ranked_first_once_no_score_is_missing():
    reviewing = call(passed=True)
    first = BidFacts(1, MERCHANT, "submitted", reviewing)
    assert ventures.award_bid(STAFF, first.with_rank(1, 0)) is None
    assert isinstance(ventures.award_bid(STAFF, first.with_rank(2, 0)), market_errors.NotTopRanked)
    assert isinstance(ventures.award_bid(STAFF, first.with_rank(1, 3)), market_errors.ScoresMissing)
    assert isinstance(ventures.award_bid(RESIDENT, first.with_rank(1, 0)), errors.NotAllowed)


def test_the_calls_staff_close_voting_once_while_the_bids_are_reviewed():
    reviewing = call(passed=True)
    assert ventures.close_voting(STAFF, reviewing) is None
    assert "close_voting" in ventures.call_may(STAFF, reviewing)
    assert isinstance(ventures.close_voting(STAFF, call()), errors.WrongState)  # bids still open
    closed = call(passed=True, voting_closed_at=NOW)
    assert isinstance(ventures.close_voting(STAFF, closed), market_errors.VotingClosed)
    assert "close_voting" not in ventures.call_may(STAFF, closed)
    for decided in ("awarded", "completed", "cancelled"):
        assert isinstance(ventures.close_voting(STAFF, call(decided, passed=True)), errors.WrongState)
    assert isinstance(ventures.close_voting(RESIDENT, reviewing), errors.NotAllowed)
    assert isinstance(ventures.close_voting(PANELIST, call(passed=True, on_panel=True)), errors.NotAllowed)
    assert isinstance(ventures.close_voting(OTHER_STAFF, reviewing), errors.NotFound)
    for someone in (RESIDENT, PANELIST, BIDDER, OTHER_STAFF):
        assert "close_voting" not in ventures.call_may(someone, call(passed=True, on_panel=True))


def test_no_vote_comes_once_voting_has_closed():
    closed = call(passed=True, voting_closed_at=NOW)
    refusal = ventures.vote(RESIDENT, closed)
    assert isinstance(refusal, market_errors.VotingClosed) and isinstance(refusal, errors.Conflict)
    assert refusal.template == "Voting in this call has closed."
    assert "vote" not in ventures.bid_may(RESIDENT, BidFacts(1, MERCHANT, "submitted", closed))
    assert isinstance(ventures.vote(RESIDENT, call("awarded", passed=True)), errors.WrongState)


def test_votes_are_counted_in_a_ranking_only_once_voting_has_closed():
    assert not ventures.votes_counted(call(passed=True, vote_weight=30))
    assert not ventures.votes_counted(call(passed=True))  # weightless votes are secret too
    assert ventures.votes_counted(call(passed=True, voting_closed_at=NOW))
    for decided in ("awarded", "completed", "cancelled"):  # decided before voting_closed_at existed
        assert ventures.votes_counted(call(decided, passed=True))


def test_where_votes_weigh_staff_award_only_once_voting_has_closed():
    weighing = call(passed=True, vote_weight=30)
    refusal = ventures.award(STAFF, weighing)
    assert isinstance(refusal, market_errors.VotingOpen) and isinstance(refusal, errors.Conflict)
    assert "award" not in ventures.call_may(STAFF, weighing)
    first = BidFacts(1, MERCHANT, "submitted", weighing).with_rank(1, 0)
    assert isinstance(ventures.award_bid(STAFF, first), market_errors.VotingOpen)
    assert ventures.award(STAFF, call(passed=True, vote_weight=30, voting_closed_at=NOW)) is None
    assert ventures.award(STAFF, call(passed=True, vote_weight=0)) is None  # the award closes voting
    assert isinstance(ventures.award(RESIDENT, weighing), errors.NotAllowed)


def test_the_awarded_organisation_reports_a_milestone_and_staff_pay_or_return_it():
    planned = MilestoneFacts(1, "planned", MERCHANT, "awarded", "awarded", 3, COMMUNITY)
    assert ventures.milestone_may(BIDDER, planned) == {"report"}
    reported = MilestoneFacts(1, "reported", MERCHANT, "awarded", "awarded", 3, COMMUNITY)
    assert ventures.milestone_may(STAFF, reported) == {"accept", "return"}
    assert ventures.milestone_may(OTHER_STAFF, reported) == frozenset()
    assert ventures.milestone_may(BIDDER, reported) == frozenset()


# -- four eyes (DESIGN "Issuance") -------------------------------------------------------------------

STREET_STAFF = member(30, home=None, grants=[("staff", "/1/2/")])


def test_a_donation_waiting_is_approved_by_a_second_staff_member_of_the_community_or_above():
    fund = FundFacts(3, COMMUNITY)
    waiting = funds.DonationFacts(fund, "awaiting_approval", recorded_by=STAFF.member_id)
    assert funds.approve_donation(STREET_STAFF, waiting) is None
    refusal = funds.approve_donation(STAFF, waiting)  # who recorded it
    assert isinstance(refusal, errors.NotAllowed) and "not whoever recorded" in refusal.template
    assert isinstance(funds.approve_donation(RESIDENT, waiting), errors.NotAllowed)
    assert isinstance(funds.approve_donation(OTHER_STAFF, waiting), errors.NotAllowed)
    assert isinstance(funds.approve_donation(None, waiting), errors.Unauthenticated)
    received = funds.DonationFacts(fund, "received", recorded_by=STAFF.member_id)
    assert isinstance(funds.approve_donation(STREET_STAFF, received), errors.WrongState)


def test_the_evidence_of_a_donation_is_its_communitys_staffs_to_see():
    fund = FundFacts(3, COMMUNITY)
    assert funds.sees_evidence(STAFF, fund) and funds.sees_evidence(STREET_STAFF, fund)
    assert not funds.sees_evidence(RESIDENT, fund) and not funds.sees_evidence(None, fund)
    assert not funds.sees_evidence(OTHER_STAFF, fund)


def test_a_grant_waiting_is_paid_by_a_second_staff_member_never_who_accepted_it():
    waiting = MilestoneFacts(
        1, "awaiting_approval", MERCHANT, "awarded", "awarded", 3, COMMUNITY, STAFF.member_id
    )
    assert ventures.milestone_may(STAFF, waiting) == {"return"}  # who accepted it may only send it back
    assert ventures.milestone_may(STREET_STAFF, waiting) == {"approve", "return"}
    assert ventures.milestone_may(BIDDER, waiting) == frozenset()
    assert isinstance(ventures.approve(STAFF, waiting), errors.NotAllowed)
