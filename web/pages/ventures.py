"""Venture projects' pages (公益创投): calls near me, a call with its bids, scores, votes, ranking
and milestones; staff publish, close voting, award and pay; organisations bid and report; the
panel scores; residents vote. Money is typed in yuan and kept in fen. Every rule is ``market.ventures``'s."""

from __future__ import annotations

import re
from datetime import datetime

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from market.fund import yuan
from market.ventures import panel
from market.ventures.award import award_call
from market.ventures.bids import get_bid, list_bids, submit_bid, view_bid, withdraw_bid
from market.ventures.calls import call_history, cancel_call, list_calls, publish_call, view_call
from market.ventures.drafts import CriterionDraft, MilestoneDraft
from market.ventures.limits import BID_MAX_MILESTONES, BUDGET_MAX_FEN, CALL_MAX_CRITERIA
from market.ventures.milestones import (
    accept_milestone,
    approve_milestone,
    get_milestone,
    organisation_money,
    report_milestone,
    return_milestone,
)
from market.ventures.ranking import shown
from market.ventures.records import BidRecord
from market.ventures.standing import ranking
from projects import errors
from projects.access import Actor
from projects.areas import get_area, staff_communities
from projects.errors import N_
from projects.members import member_by_phone
from projects.names import member_names, organisation_names
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.i18n import CHINA
from web.pages.forms import Form, as_id, read_form
from web.pages.menu import NAV, NavEntry
from web.pages.redirects import redirect
from web.pages.render import page
from web.pages.templates import ACTIONS

ROWS = 4  # empty rows a form offers for milestones and criteria ("more rows" adds as many again)
PHONES = re.compile(r"[\s,，、;；]+")


def _involved(actor: Actor) -> bool:
    return bool(actor.is_admin or actor.home_area or actor.grants or actor.organisations)


NAV.append(NavEntry(N_("Venture projects"), "/calls", _involved))
# What the venture trace says happened to a call, a bid or a milestone (see ``market.ventures``).
for action, said in {
    "publish": N_("published"),
    "vote": N_("voted"),
    "close_voting": N_("closed voting"),
    "award": N_("awarded"),
    "lose": N_("not chosen"),
    "revise": N_("revised"),
    "resubmit": N_("submitted again"),
    "score": N_("scored"),
    "rescore": N_("scored again"),
    "plan": N_("planned"),
    "replace": N_("replaced by a new plan"),
    "return": N_("returned"),
}.items():
    ACTIONS.setdefault(action, said)


# -- reading forms ------------------------------------------------------------------------------------


def day(form: Form, name: str, *, label: str = "") -> datetime | None:
    """A date (``<input type="date">``): the start of that day where the community lives."""
    raw = form.text(name, required=True, label=label)
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(hour=0, minute=0, second=0, tzinfo=CHINA)
    except ValueError:
        form.error(name, N_("Enter a date."))
        return None


def rows_of(form: Form, prefix: str, limit: int, fields: tuple[str, ...] = ("[a-z]+",)) -> list[int]:
    """The numbers of the rows the person filled in (``prefix_title_3``...), in order; a row
    counts when one of ``fields`` is filled (not a field the form fills in for them)."""
    found = set()
    for key, value in form.values.items():
        match = re.fullmatch(rf"{prefix}_(?:{'|'.join(fields)})_(\d{{1,2}})", key)
        if match and str(value or "").strip() and 1 <= int(match.group(1)) <= limit:
            found.add(int(match.group(1)))
    return sorted(found)


def row_count(form: Form, prefix: str, limit: int, asked: int | None, filled: int = 0) -> int:
    shown = max(ROWS, filled + 1, *(rows_of(form, prefix, limit) or [0]), asked or 0)
    return min(shown, limit)


# -- who does what here -------------------------------------------------------------------------------


async def call_page(
    request: Request,
    actor: Actor,
    call_id: int,
    now: datetime,
    *,
    form: Form | None = None,
    status: int = 200,
    rows: int | None = None,
    posted: str = "",
) -> Template:
    """The call's page, each form shown when the domain lets the viewer use it (``may`` of the
    call, its bids and milestones); ``posted`` names the form that came back with errors."""
    call = await view_call(actor, call_id, now=now)
    area = await get_area(call.area)
    bids = await list_bids(actor, call_id, now=now)
    names = await organisation_names(sorted({bid.organisation for bid in bids} | set(actor.represented)))
    history = await call_history(actor, call_id)
    standing = await ranking(actor, call_id, now=now) if "rank" in call.may else None
    ours = actor.represented
    form = form or Form()
    # The bid form: that of the organisation chosen (or the only one), filled with its bid.
    bidder = next((org for org in ours if str(org) == form.values.get("organisation_id")), None)
    bidder = bidder or (ours[0] if ours else None)
    own_bid = next((bid for bid in bids if bid.organisation == bidder), None)
    if own_bid and posted != "bid":
        form.values.update(bid_values(own_bid))
    awarded = next((bid for bid in bids if bid.id == call.awarded_bid), None)
    money = None
    if awarded and awarded.organisation in actor.organisations:
        money = await organisation_money(actor, awarded.organisation)
    return await page(
        request,
        "call.html",
        actor,
        status=status,
        form=form,
        call=call,
        area=area,
        now=now,
        bids=bids,
        bid_may={bid.id: bid.may for bid in bids},
        names=names,
        members=await member_names([event.actor for event in history]),
        history=history,
        standing=standing,
        shown=shown,
        yuan=yuan,
        ours=ours,
        bidder=bidder,
        own_bid=own_bid,
        bid_rows=row_count(
            form, "milestone", BID_MAX_MILESTONES, rows, len(own_bid.milestones) if own_bid else 0
        ),
        scores=await panel.my_scores(actor, call_id),
        voted=await panel.my_vote(actor, call_id),
        awarded=awarded,
        money=money,
        bid_form="bid" in call.may or posted == "bid",
    )


def bid_values(bid: BidRecord) -> dict[str, str]:
    """A bid as its form shows it again, to revise."""
    values = {"proposal": bid.proposal, "team": bid.team, "budget": plain_yuan(bid.budget)}
    for number, milestone in enumerate(bid.milestones, start=1):
        values[f"milestone_title_{number}"] = milestone.title
        values[f"milestone_amount_{number}"] = plain_yuan(milestone.amount)
        due = milestone.due_at.astimezone(CHINA).date().isoformat() if milestone.due_at else ""
        values[f"milestone_due_{number}"] = due
    return values


def plain_yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# -- the pages ----------------------------------------------------------------------------------------


class CallPages(Controller):
    path = "/calls"
    include_in_schema = False

    @get(name="page:calls")
    async def list(
        self, request: Request, actor: CurrentActor, cursor: FromQuery[str | None] = None
    ) -> Template:
        found = await list_calls(actor, cursor=cursor, limit=20)
        areas = {call.area: (await get_area(call.area)).name for call in found.items}
        return await page(
            request,
            "calls.html",
            actor,
            items=found.items,
            next_cursor=found.next_cursor,
            areas=areas,
            yuan=yuan,
            publishes=bool(await staff_communities(actor)),
        )

    @get("/new", name="page:call-new")
    async def new(
        self, request: Request, actor: CurrentActor, rows: FromQuery[int | None] = None
    ) -> Template:
        return await self._form(request, actor, Form(values={"vote_weight": "0"}), rows=rows)

    async def _form(
        self, request: Request, actor: Actor, form: Form, status: int = 200, rows: int | None = None
    ) -> Template:
        communities = await staff_communities(actor)
        actor.require(bool(communities))
        return await page(
            request,
            "call_new.html",
            actor,
            status=status,
            form=form,
            communities=communities,
            criterion_rows=row_count(form, "criterion", CALL_MAX_CRITERIA, rows),
        )

    @post(name="page:call-publish")
    async def publish(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        form = await read_form(request)
        communities = {str(area.id): area for area in await staff_communities(actor)}
        actor.require(bool(communities))
        title = form.text("title", required=True, label=N_("title"))
        description = form.text("description")
        area = form.text("area_id", required=True, label=N_("community"))
        if area and area not in communities:
            form.error("area_id", N_("Choose a community you are staff of."))
        budget = form.money("budget", high=BUDGET_MAX_FEN, label=N_("budget"))
        deadline = form.moment("deadline", required=True, label=N_("deadline"))
        vote_weight = form.integer("vote_weight", low=0, high=100, label=N_("weight of residents' votes"))
        criteria = []
        for number in rows_of(form, "criterion", CALL_MAX_CRITERIA, ("name", "weight")):
            name = form.text(f"criterion_name_{number}", required=True, label=N_("criterion"))
            weight = form.integer(f"criterion_weight_{number}", low=1, high=100, label=N_("weight"))
            highest = form.integer(f"criterion_max_{number}", low=1, high=100, label=N_("highest score"))
            if name and weight is not None and highest is not None:
                criteria.append(CriterionDraft(name, weight, max_score=highest))
        if form.ok and budget is not None and deadline is not None and vote_weight is not None:
            try:
                panelists = [
                    (await member_by_phone(phone, field="panel")).id
                    for phone in PHONES.split(form.text("panel"))
                    if phone
                ]
                call = await publish_call(
                    actor,
                    title=title,
                    description=description,
                    area_id=int(area),
                    budget=budget,
                    deadline=deadline,
                    criteria=criteria,
                    panel=panelists,
                    vote_weight=vote_weight,
                    now=now,
                )
            except (errors.Invalid, errors.NotFound) as error:
                form.refuse(error, {"criteria": "criteria"})
            else:
                return redirect(request, f"/calls/{call.id}", N_("The call was published."))
        return await self._form(request, actor, form, status=400)

    @get("/{call_id:int}", name="page:call")
    async def read(
        self,
        request: Request,
        actor: CurrentActor,
        call_id: IdPath,
        now: Now,
        rows: FromQuery[int | None] = None,
    ) -> Template:
        return await call_page(request, actor, call_id, now, rows=rows)

    @post("/{call_id:int}/bid", name="page:call-bid")
    async def bid(
        self, request: Request, actor: CurrentActor, call_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        organisation = form.text("organisation_id")
        proposal = form.text("proposal", required=True, label=N_("proposal"))
        team = form.text("team")
        budget = form.money("budget", high=BUDGET_MAX_FEN, label=N_("budget"))
        plan = []
        for number in rows_of(form, "milestone", BID_MAX_MILESTONES):
            title = form.text(f"milestone_title_{number}", required=True, label=N_("title"))
            amount = form.money(f"milestone_amount_{number}", high=BUDGET_MAX_FEN, label=N_("amount"))
            due = day(form, f"milestone_due_{number}", label=N_("due date"))
            if title and amount is not None and due is not None:
                plan.append(MilestoneDraft(title, amount, due))
        if form.ok and budget is not None:
            try:
                bid = await submit_bid(
                    actor,
                    call_id,
                    organisation_id=as_id(organisation),
                    proposal=proposal,
                    team=team,
                    budget=budget,
                    milestones=plan,
                    now=now,
                )
            except errors.Invalid as error:
                form.refuse(error, {"milestones": "milestones"})
            else:
                message = N_("Your bid was submitted.") if bid.revision == 1 else N_("Your bid was revised.")
                return redirect(request, f"/calls/{call_id}#bid", message)
        return await call_page(request, actor, call_id, now, form=form, status=400, posted="bid")

    @post("/{call_id:int}/bids/{bid_id:int}/withdraw", name="page:call-withdraw")
    async def withdraw(
        self, request: Request, actor: CurrentActor, call_id: IdPath, bid_id: IdPath, now: Now
    ) -> Redirect:
        if (await get_bid(bid_id)).call != call_id:
            raise errors.NotFound(thing=N_("bid"))
        await withdraw_bid(actor, bid_id, now=now)
        return redirect(request, f"/calls/{call_id}", N_("Your bid was withdrawn."))

    @post("/{call_id:int}/bids/{bid_id:int}/scores", name="page:call-score")
    async def score(
        self, request: Request, actor: CurrentActor, call_id: IdPath, bid_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        call = await view_call(actor, call_id)
        scores = {}
        for criterion in call.criteria:
            name = f"score_{bid_id}_{criterion.id}"
            value = form.integer(name, low=0, high=criterion.max_score, required=False)
            if value is not None:
                scores[criterion.id] = value
        if form.ok and not scores and call.criteria:  # some criteria may be left for later, not all
            form.error(
                f"score_{bid_id}_{call.criteria[0].id}", N_("Please fill in the {label}."), label=N_("score")
            )
        if form.ok:
            if (await view_bid(actor, bid_id, now=now)).call != call_id:
                raise errors.NotFound(thing=N_("bid"))
            await panel.score_bid(actor, bid_id, scores, now=now)
            return redirect(request, f"/calls/{call_id}#bid-{bid_id}", N_("Your scores were saved."))
        return await call_page(request, actor, call_id, now, form=form, status=400)

    @post("/{call_id:int}/vote", name="page:call-vote")
    async def vote(self, request: Request, actor: CurrentActor, call_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        bid = as_id(form.text("bid_id"))
        if bid is None:
            raise errors.NotFound(thing=N_("bid"))
        await panel.vote(actor, call_id, bid, now=now)
        return redirect(request, f"/calls/{call_id}", N_("Thank you: your vote was counted."))

    @post("/{call_id:int}/close-voting", name="page:call-close-voting")
    async def close_voting(
        self, request: Request, actor: CurrentActor, call_id: IdPath, now: Now
    ) -> Redirect:
        await panel.close_voting(actor, call_id, now=now)
        return redirect(request, f"/calls/{call_id}#ranking", N_("Voting has closed: the votes are counted."))

    @post("/{call_id:int}/award", name="page:call-award")
    async def award(self, request: Request, actor: CurrentActor, call_id: IdPath, now: Now) -> Redirect:
        form = await read_form(request)
        bid = as_id(form.text("bid_id"))
        if bid is None:
            raise errors.NotFound(thing=N_("bid"))
        await award_call(actor, call_id, bid, now=now)
        return redirect(request, f"/calls/{call_id}", N_("The grant was awarded."))

    @post("/{call_id:int}/cancel", name="page:call-cancel")
    async def cancel(
        self, request: Request, actor: CurrentActor, call_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        reason = form.text("cancel_reason", required=True, label=N_("reason"))
        if form.ok:
            await cancel_call(actor, call_id, reason=reason, now=now)
            return redirect(request, f"/calls/{call_id}", N_("The call was cancelled."))
        return await call_page(request, actor, call_id, now, form=form, status=400)

    @post("/{call_id:int}/milestones/{milestone_id:int}/report", name="page:call-milestone-report")
    async def report(
        self, request: Request, actor: CurrentActor, call_id: IdPath, milestone_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        report = form.text(f"report_{milestone_id}", required=True, label=N_("report"))
        await self._milestone_of(actor, call_id, milestone_id, now)
        if form.ok:
            await report_milestone(actor, milestone_id, report=report, now=now)
            return redirect(request, f"/calls/{call_id}#milestones", N_("The milestone was reported."))
        return await call_page(request, actor, call_id, now, form=form, status=400)

    @post("/{call_id:int}/milestones/{milestone_id:int}/accept", name="page:call-milestone-accept")
    async def accept(
        self, request: Request, actor: CurrentActor, call_id: IdPath, milestone_id: IdPath, now: Now
    ) -> Redirect:
        await self._milestone_of(actor, call_id, milestone_id, now)
        milestone = await accept_milestone(actor, milestone_id, now=now)
        if milestone.status == "awaiting_approval":
            return redirect(
                request,
                f"/calls/{call_id}#milestones",
                N_("The milestone was accepted: paying {amount} waits for a second staff member's approval."),
                {"amount": yuan(milestone.amount)},
            )
        return redirect(
            request,
            f"/calls/{call_id}#milestones",
            N_("The milestone was accepted: {amount} was paid from the community fund."),
            {"amount": yuan(milestone.amount)},
        )

    @post("/{call_id:int}/milestones/{milestone_id:int}/approve", name="page:call-milestone-approve")
    async def approve(
        self, request: Request, actor: CurrentActor, call_id: IdPath, milestone_id: IdPath, now: Now
    ) -> Redirect:
        await self._milestone_of(actor, call_id, milestone_id, now)
        milestone = await approve_milestone(actor, milestone_id, now=now)
        return redirect(
            request,
            f"/calls/{call_id}#milestones",
            N_("The grant was approved: {amount} was paid from the community fund."),
            {"amount": yuan(milestone.amount)},
        )

    @post("/{call_id:int}/milestones/{milestone_id:int}/return", name="page:call-milestone-return")
    async def send_back(
        self, request: Request, actor: CurrentActor, call_id: IdPath, milestone_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        reason = form.text(f"return_{milestone_id}", required=True, label=N_("reason"))
        await self._milestone_of(actor, call_id, milestone_id, now)
        if form.ok:
            await return_milestone(actor, milestone_id, reason=reason, now=now)
            return redirect(request, f"/calls/{call_id}#milestones", N_("The report was sent back."))
        return await call_page(request, actor, call_id, now, form=form, status=400)

    @staticmethod
    async def _milestone_of(actor: Actor, call_id: int, milestone_id: int, now: datetime) -> None:
        """A milestone of another call is not found under this one."""
        bid = await get_bid((await get_milestone(milestone_id)).bid)
        if bid.call != call_id:
            raise errors.NotFound(thing=N_("milestone"))
