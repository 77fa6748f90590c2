"""Venture projects (公益创投): calls, bids, scores, votes, the ranking, the award and the
milestones paid from the community fund."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.params import FromQuery, JSONBody
from pydantic import BeforeValidator, Field

from market.ventures import panel, standing
from market.ventures.award import award_call
from market.ventures.bids import bid_history, list_bids, submit_bid, view_bid, withdraw_bid
from market.ventures.calls import call_history, cancel_call, list_calls, publish_call, view_call
from market.ventures.drafts import CriterionDraft, MilestoneDraft
from market.ventures.limits import BID_MAX_MILESTONES, BUDGET_MAX_FEN, CALL_MAX_CRITERIA, PANEL_MAX_MEMBERS
from market.ventures.milestones import (
    accept_milestone,
    approve_milestone,
    milestone_history,
    report_milestone,
    return_milestone,
)
from market.ventures.ranking import shown
from web.api.deps import CurrentActor, Now
from web.api.schemas import (
    Id,
    IdIn,
    IdPath,
    IdQuery,
    In,
    Limit,
    OptionalId,
    Out,
    ReasonIn,
    ReportIn,
    TraceOut,
    When,
    WithActions,
    optional_id,
    ref,
)

Fen = Annotated[int, Field(ge=1, le=BUDGET_MAX_FEN, description="An amount of money in fen (0.01 yuan).")]


def _shown(value):
    return shown(value) if isinstance(value, Fraction) else value


def _exact(value):
    return None if value is None else str(value)


# A score out of 100, to two decimal places (ranks are computed on the exact values).
Points = Annotated[str, BeforeValidator(_shown)]
# The same, null until voting has closed where votes make it (votes are secret until then).
VotedPoints = Annotated[str | None, BeforeValidator(_shown)]


class CriterionIn(In):
    name: str
    name_en: str = ""
    weight: int = Field(
        ge=1, le=100, description="Percent of the panel's score; a call's weights add up to 100."
    )
    max_score: int = Field(default=10, ge=1, le=100, description="The highest score a panel member can give.")


class CallIn(In):
    title: str
    description: str = ""
    area_id: IdIn = Field(description="The community, or an area in it; the community's fund pays.")
    budget: Fen
    deadline: When = Field(description="Bids are taken until then.")
    vote_weight: int = Field(
        default=0, ge=0, le=100, description="Percent of the ranking residents' votes decide."
    )
    criteria: list[CriterionIn] = Field(min_length=1, max_length=CALL_MAX_CRITERIA)
    panel: list[IdIn] = Field(min_length=1, max_length=PANEL_MAX_MEMBERS, description="Panel members' ids.")


class CriterionOut(Out):
    id: Id
    position: int
    name: str
    name_en: str
    weight: int
    max_score: int


class CallOut(WithActions):
    id: Id
    status: str
    title: str
    description: str
    community_id: Id = ref("community")
    area_id: Id = ref("area")
    budget: int
    deadline: datetime
    vote_weight: int
    awarded_bid_id: OptionalId = ref("awarded_bid")
    voting_closed_at: datetime | None = Field(
        description="When voting closed (null while residents may vote; a call decided earlier "
        "counts as closed)."
    )
    criteria: list[CriterionOut]
    panel: list[Id]
    bids: int = Field(description="Bids in the running (not withdrawn).")
    created_by: Id
    created_at: datetime
    updated_at: datetime
    may_bid: bool = Field(default=False, description="Submit or revise a bid for an organisation.")
    may_cancel: bool = False
    may_vote: bool = Field(default=False, description="Vote for one of its bids (once).")
    may_close_voting: bool = Field(
        default=False, description="Close the residents' vote: its counts are shown from then on."
    )
    may_award: bool = Field(
        default=False,
        description="Award it (to a bid ranked first: see may_award of bids; where votes weigh, "
        "once voting has closed).",
    )
    may_rank: bool = Field(default=False, description="Read its ranking.")


class CallPageOut(Out):
    items: list[CallOut]
    next_cursor: str | None


class MilestonePlanIn(In):
    title: str
    amount: Fen
    due_at: When


class BidIn(In):
    organisation_id: IdIn | None = Field(
        default=None, description="The organisation bidding; needed if you represent more than one."
    )
    proposal: str
    team: str = ""
    budget: Fen
    milestones: list[MilestonePlanIn] = Field(
        min_length=1, max_length=BID_MAX_MILESTONES, description="Their amounts add up to the budget."
    )


class VentureMilestoneOut(WithActions):
    id: Id
    bid_id: Id = ref("bid")
    position: int
    title: str
    amount: int
    due_at: datetime | None
    status: str
    report: str
    reported_at: datetime | None
    decided_by: OptionalId
    transfer_id: str | None
    updated_at: datetime
    may_report: bool = False
    may_accept: bool = Field(
        default=False,
        description="Accept its report: pays it from the fund, or over the threshold sends it for approval.",
    )
    may_approve: bool = Field(
        default=False, description="Approve its grant waiting for approval: a second staff member pays it."
    )
    may_return: bool = False


class BidOut(WithActions):
    id: Id
    call_id: Id = ref("call")
    organisation_id: Id = ref("organisation")
    status: str
    proposal: str
    team: str
    budget: int
    revision: int
    submitted_by: Id
    milestones: list[VentureMilestoneOut]
    created_at: datetime
    updated_at: datetime
    may_withdraw: bool = False
    may_score: bool = False
    may_vote: bool = False
    may_award: bool = False


class BidListOut(Out):
    items: list[BidOut]


class ScoresIn(In):
    scores: dict[IdIn, Annotated[int, Field(ge=0, le=100)]] = Field(
        min_length=1, max_length=CALL_MAX_CRITERIA, description="Criterion id → score (0 to its highest)."
    )


class ScoreSheetOut(Out):
    bid_id: Id = ref("bid")
    panelist_id: Id = ref("panelist")
    scores: dict[Id, int]


class VoteIn(In):
    bid_id: IdIn


class VoteOut(Out):
    id: Id
    call_id: Id = ref("call")
    bid_id: Id = ref("bid")
    created_at: datetime


class RankingEntryOut(Out):
    rank: int = Field(
        description="1 + how many bids score more (by the panel's score until voting has closed): "
        "tied bids share a rank (1, 1, 3)."
    )
    tied: bool
    bid_id: Id = ref("bid")
    organisation_id: Id = ref("organisation")
    organisation_name: str
    budget: int
    status: str
    score: VotedPoints = Field(
        description="The panel's and the votes' parts, weighted: null until voting has closed if votes weigh."
    )
    score_exact: Annotated[str | None, BeforeValidator(_exact)] = Field(
        validation_alias="score", description="The exact score, as a fraction."
    )
    panel_score: Points
    votes: int | None = Field(description="Votes for the bid: null until voting has closed.")
    vote_score: VotedPoints = Field(
        description="The bid's share of the votes, out of 100: null until voting has closed."
    )
    missing: int = Field(description="Panel member × criterion scores not yet given.")


class RankingOut(Out):
    call_id: Id = ref("call")
    status: str
    vote_weight: int
    voting_closed: bool = Field(description="The votes are counted in; until then they are null.")
    votes: int | None = Field(description="Votes cast: null until voting has closed.")
    missing: int
    complete: bool
    entries: list[RankingEntryOut]


class AwardIn(In):
    bid_id: IdIn


class CallController(Controller):
    path = "/api/v1/calls"
    tags = ["ventures"]

    @post(name="api:call-publish", summary="Publish a venture call (staff of its community)")
    async def publish(self, actor: CurrentActor, data: JSONBody[CallIn], now: Now) -> CallOut:
        call = await publish_call(
            actor,
            title=data.title,
            description=data.description,
            area_id=int(data.area_id),
            budget=data.budget,
            deadline=data.deadline,
            vote_weight=data.vote_weight,
            criteria=[
                CriterionDraft(c.name, c.weight, max_score=c.max_score, name_en=c.name_en)
                for c in data.criteria
            ],
            panel=[int(member) for member in data.panel],
            now=now,
        )
        return CallOut.model_validate(call)

    @get(name="api:calls", summary="Venture calls near me, newest first, cursor paged")
    async def list(
        self,
        actor: CurrentActor,
        now: Now,
        status: FromQuery[str | None] = None,
        area_id: IdQuery = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = 50,
    ) -> CallPageOut:
        page = await list_calls(actor, now=now, status=status, area_id=area_id, cursor=cursor, limit=limit)
        return CallPageOut.model_validate(page)

    @get("/{call_id:int}", name="api:call", summary="One venture call, with its criteria and panel")
    async def read(self, actor: CurrentActor, call_id: IdPath, now: Now) -> CallOut:
        return CallOut.model_validate(await view_call(actor, call_id, now=now))

    @get("/{call_id:int}/history", name="api:call-history", summary="The call's trace, oldest first")
    async def history(self, actor: CurrentActor, call_id: IdPath) -> list[TraceOut]:
        return [TraceOut.model_validate(t) for t in await call_history(actor, call_id)]

    @post(
        "/{call_id:int}/bids",
        name="api:call-bid",
        summary="Bid for an organisation (201), or revise its bid (200), until the deadline",
    )
    async def bid(
        self, actor: CurrentActor, call_id: IdPath, data: JSONBody[BidIn], now: Now
    ) -> Response[BidOut]:
        bid = await submit_bid(
            actor,
            call_id,
            organisation_id=optional_id(data.organisation_id),
            proposal=data.proposal,
            team=data.team,
            budget=data.budget,
            milestones=[MilestoneDraft(m.title, m.amount, m.due_at) for m in data.milestones],
            now=now,
        )
        return Response(BidOut.model_validate(bid), status_code=201 if bid.revision == 1 else 200)

    @get(
        "/{call_id:int}/bids",
        name="api:call-bids",
        summary="The call's bids: all for its staff and panel, your own, and the bids in the running "
        "once bidding has closed",
    )
    async def bids(self, actor: CurrentActor, call_id: IdPath, now: Now) -> BidListOut:
        found = await list_bids(actor, call_id, now=now)
        return BidListOut(items=[BidOut.model_validate(b) for b in found])

    @post(
        "/{call_id:int}/votes",
        name="api:call-vote",
        summary="Vote for a bid: residents of the call's area, once per call, while it is reviewed "
        "and voting is open",
    )
    async def vote(self, actor: CurrentActor, call_id: IdPath, data: JSONBody[VoteIn], now: Now) -> VoteOut:
        return VoteOut.model_validate(await panel.vote(actor, call_id, int(data.bid_id), now=now))

    @get(
        "/{call_id:int}/ranking",
        name="api:call-ranking",
        summary="The bids ranked by weighted panel score and votes (the votes once voting has "
        "closed), with ties and missing scores",
    )
    async def ranking(self, actor: CurrentActor, call_id: IdPath, now: Now) -> RankingOut:
        return RankingOut.model_validate(await standing.ranking(actor, call_id, now=now))

    @post(
        "/{call_id:int}/close-voting",
        name="api:call-close-voting",
        summary="Close the residents' vote on a call under review (staff): the ranking counts it from then",
        status_code=200,
    )
    async def close_voting(self, actor: CurrentActor, call_id: IdPath, now: Now) -> CallOut:
        return CallOut.model_validate(await panel.close_voting(actor, call_id, now=now))

    @post(
        "/{call_id:int}/award",
        name="api:call-award",
        summary="Award the grant to a bid ranked first (staff; where votes weigh, once voting has closed)",
        status_code=200,
    )
    async def award(self, actor: CurrentActor, call_id: IdPath, data: JSONBody[AwardIn], now: Now) -> CallOut:
        return CallOut.model_validate(await award_call(actor, call_id, int(data.bid_id), now=now))

    @post(
        "/{call_id:int}/cancel",
        name="api:call-cancel",
        summary="Cancel a call before its award (staff)",
        status_code=200,
    )
    async def cancel(
        self, actor: CurrentActor, call_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> CallOut:
        return CallOut.model_validate(await cancel_call(actor, call_id, reason=data.reason, now=now))


class BidController(Controller):
    path = "/api/v1/bids"
    tags = ["ventures"]

    @get("/{bid_id:int}", name="api:bid", summary="One bid, with its plan of milestones")
    async def read(self, actor: CurrentActor, bid_id: IdPath, now: Now) -> BidOut:
        return BidOut.model_validate(await view_bid(actor, bid_id, now=now))

    @get("/{bid_id:int}/history", name="api:bid-history", summary="The bid's trace, oldest first")
    async def history(self, actor: CurrentActor, bid_id: IdPath, now: Now) -> list[TraceOut]:
        return [TraceOut.model_validate(t) for t in await bid_history(actor, bid_id, now=now)]

    @post(
        "/{bid_id:int}/withdraw",
        name="api:bid-withdraw",
        summary="Withdraw a bid before the deadline",
        status_code=200,
    )
    async def withdraw(
        self, actor: CurrentActor, bid_id: IdPath, now: Now, data: JSONBody[ReasonIn | None] = None
    ) -> BidOut:
        reason = data.reason if data else ""
        return BidOut.model_validate(await withdraw_bid(actor, bid_id, reason=reason, now=now))

    @put(
        "/{bid_id:int}/scores",
        name="api:bid-scores",
        summary="Score a bid per criterion (panel members, after the deadline); scoring again replaces",
    )
    async def scores(
        self, actor: CurrentActor, bid_id: IdPath, data: JSONBody[ScoresIn], now: Now
    ) -> ScoreSheetOut:
        sheet = await panel.score_bid(
            actor, bid_id, {int(criterion): score for criterion, score in data.scores.items()}, now=now
        )
        return ScoreSheetOut.model_validate(sheet)


class VentureMilestoneController(Controller):
    path = "/api/v1/milestones"
    tags = ["ventures"]

    @get("/{milestone_id:int}/history", name="api:milestone-history", summary="A milestone's trace")
    async def history(self, actor: CurrentActor, milestone_id: IdPath, now: Now) -> list[TraceOut]:
        found = await milestone_history(actor, milestone_id, now=now)
        return [TraceOut.model_validate(t) for t in found]

    @post(
        "/{milestone_id:int}/report",
        name="api:milestone-report",
        summary="Report a milestone done (the awarded organisation)",
        status_code=200,
    )
    async def report(
        self, actor: CurrentActor, milestone_id: IdPath, data: JSONBody[ReportIn], now: Now
    ) -> VentureMilestoneOut:
        milestone = await report_milestone(actor, milestone_id, report=data.report, now=now)
        return VentureMilestoneOut.model_validate(milestone)

    @post(
        "/{milestone_id:int}/accept",
        name="api:milestone-accept",
        summary="Accept a milestone's report: its grant is paid from the community fund (staff)",
        status_code=200,
    )
    async def accept(self, actor: CurrentActor, milestone_id: IdPath, now: Now) -> VentureMilestoneOut:
        return VentureMilestoneOut.model_validate(await accept_milestone(actor, milestone_id, now=now))

    @post(
        "/{milestone_id:int}/approve",
        name="api:milestone-approve",
        summary="Approve a grant over the threshold: a second staff member, not who accepted it, pays it",
        status_code=200,
    )
    async def approve(self, actor: CurrentActor, milestone_id: IdPath, now: Now) -> VentureMilestoneOut:
        return VentureMilestoneOut.model_validate(await approve_milestone(actor, milestone_id, now=now))

    @post(
        "/{milestone_id:int}/return",
        name="api:milestone-return",
        summary="Return a milestone's report, saying why (staff)",
        status_code=200,
    )
    async def send_back(
        self, actor: CurrentActor, milestone_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> VentureMilestoneOut:
        milestone = await return_milestone(actor, milestone_id, reason=data.reason, now=now)
        return VentureMilestoneOut.model_validate(milestone)


VENTURE_CONTROLLERS = [CallController, BidController, VentureMilestoneController]
