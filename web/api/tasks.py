"""Tasks and claims: dispatch, browse, claim, accept or decline, do, confirm, dispute, settle."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody

from projects import claims, tasks
from web.api.deps import CurrentActor, Now
from web.api.schemas import (
    ClaimIn,
    ClaimListOut,
    ClaimOut,
    DispatchIn,
    IdPath,
    IdQuery,
    Limit,
    ReasonIn,
    RecordIn,
    SettleIn,
    SubmitIn,
    TaskIn,
    TaskOut,
    TaskPageOut,
    TraceOut,
    optional_id,
)


def assignee(value: str | None) -> tasks.Assignee | None:
    """'12' or 'member:12' is a member; 'organisation:3' an organisation (or team)."""
    if value is None:
        return None
    kind, _, number = value.rpartition(":")
    if kind == "organisation":
        return tasks.Assignee(organisation_id=int(number))
    return tasks.Assignee(member_id=int(number))


class TaskController(Controller):
    path = "/api/v1/tasks"
    tags = ["tasks"]

    @post(name="api:task-create", summary="Create a task: dispatched to an assignee, or to the open pool")
    async def create(self, actor: CurrentActor, data: JSONBody[TaskIn], now: Now) -> TaskOut:
        task = await tasks.create_task(
            actor,
            title=data.title,
            description=data.description,
            need_id=optional_id(data.need_id),
            project_id=optional_id(data.project_id),
            area_id=optional_id(data.area_id),
            category=data.category,
            capacity=data.capacity,
            points_per_hour=data.points_per_hour,
            assignee=assignee(data.assignee),
            starts_at=data.starts_at,
            deadline=data.deadline,
            now=now,
        )
        return TaskOut.model_validate(task)

    @get(name="api:tasks", summary="Tasks near me (or in an area, or mine), newest first, cursor paged")
    async def list(
        self,
        actor: CurrentActor,
        status: FromQuery[str | None] = "open",
        area_id: IdQuery = None,
        category: FromQuery[str | None] = None,
        mine: FromQuery[bool] = False,
        cursor: FromQuery[str | None] = None,
        limit: Limit = 50,
    ) -> TaskPageOut:
        status_filter = None if status in ("", "all") else status
        page = await tasks.list_tasks(
            actor,
            status=status_filter,
            area_id=area_id,
            category=category,
            mine=mine,
            cursor=cursor,
            limit=limit,
        )
        return TaskPageOut.model_validate(page)

    @get("/{task_id:int}", name="api:task", summary="One task")
    async def read(self, actor: CurrentActor, task_id: IdPath) -> TaskOut:
        return TaskOut.model_validate(await tasks.view_task(actor, task_id))

    @get("/{task_id:int}/history", name="api:task-history", summary="The task's trace, oldest first")
    async def history(self, actor: CurrentActor, task_id: IdPath) -> list[TraceOut]:
        return [TraceOut.model_validate(t) for t in await tasks.task_history(actor, task_id)]

    @get("/{task_id:int}/claims", name="api:task-claims", summary="The task's claims (its staff see all)")
    async def claims(self, actor: CurrentActor, task_id: IdPath) -> ClaimListOut:
        return ClaimListOut(
            items=[ClaimOut.model_validate(c) for c in await claims.list_claims(actor, task_id=task_id)]
        )

    @post("/{task_id:int}/claims", name="api:task-claim", summary="Claim a place (409 when none is left)")
    async def claim(
        self, actor: CurrentActor, task_id: IdPath, now: Now, data: JSONBody[ClaimIn | None] = None
    ) -> ClaimOut:
        data = data or ClaimIn()
        claim = await claims.claim_task(
            actor,
            task_id,
            member_id=optional_id(data.member_id),
            organisation_id=optional_id(data.organisation_id),
            now=now,
        )
        return ClaimOut.model_validate(claim)

    @post(
        "/{task_id:int}/records",
        name="api:task-record",
        summary="Record work someone did without checking in (a leader or staff of the task's area)",
    )
    async def record(
        self, actor: CurrentActor, task_id: IdPath, data: JSONBody[RecordIn], now: Now
    ) -> ClaimOut:
        claim = await claims.record_work(
            actor, task_id, member_id=int(data.member_id), minutes=data.minutes, note=data.note, now=now
        )
        return ClaimOut.model_validate(claim)

    @post(
        "/{task_id:int}/accept",
        name="api:task-accept",
        summary="Accept a task dispatched to me",
        status_code=200,
    )
    async def accept(self, actor: CurrentActor, task_id: IdPath, now: Now) -> TaskOut:
        return TaskOut.model_validate(await tasks.accept_task(actor, task_id, now=now))

    @post(
        "/{task_id:int}/decline",
        name="api:task-decline",
        summary="Decline a task dispatched to me",
        status_code=200,
    )
    async def decline(
        self, actor: CurrentActor, task_id: IdPath, now: Now, data: JSONBody[ReasonIn | None] = None
    ) -> TaskOut:
        reason = data.reason if data else ""
        return TaskOut.model_validate(await tasks.decline_task(actor, task_id, reason=reason, now=now))

    @post(
        "/{task_id:int}/dispatch",
        name="api:task-dispatch",
        summary="Dispatch again (or to the pool)",
        status_code=200,
    )
    async def dispatch(
        self, actor: CurrentActor, task_id: IdPath, data: JSONBody[DispatchIn], now: Now
    ) -> TaskOut:
        return TaskOut.model_validate(
            await tasks.dispatch_task(actor, task_id, assignee=assignee(data.assignee), now=now)
        )

    @post("/{task_id:int}/cancel", name="api:task-cancel", summary="Cancel a task", status_code=200)
    async def cancel(
        self, actor: CurrentActor, task_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> TaskOut:
        return TaskOut.model_validate(await tasks.cancel_task(actor, task_id, reason=data.reason, now=now))


class ClaimController(Controller):
    path = "/api/v1/claims"
    tags = ["tasks"]

    @get(name="api:claims", summary="My claims, newest first")
    async def list(self, actor: CurrentActor) -> ClaimListOut:
        return ClaimListOut(
            items=[ClaimOut.model_validate(c) for c in await claims.list_claims(actor, mine=True)]
        )

    @get("/{claim_id:int}", name="api:claim", summary="One claim")
    async def read(self, actor: CurrentActor, claim_id: IdPath) -> ClaimOut:
        return ClaimOut.model_validate(await claims.view_claim(actor, claim_id))

    @get("/{claim_id:int}/history", name="api:claim-history", summary="The claim's trace, oldest first")
    async def history(self, actor: CurrentActor, claim_id: IdPath) -> list[TraceOut]:
        return [TraceOut.model_validate(t) for t in await claims.claim_history(actor, claim_id)]

    @post("/{claim_id:int}/check-in", name="api:claim-check-in", summary="Check in on site", status_code=200)
    async def check_in(self, actor: CurrentActor, claim_id: IdPath, now: Now) -> ClaimOut:
        return ClaimOut.model_validate(await claims.check_in(actor, claim_id, now=now))

    @post("/{claim_id:int}/submit", name="api:claim-submit", summary="Report minutes worked", status_code=200)
    async def submit(
        self, actor: CurrentActor, claim_id: IdPath, data: JSONBody[SubmitIn], now: Now
    ) -> ClaimOut:
        claim = await claims.submit_work(actor, claim_id, minutes=data.minutes, note=data.note, now=now)
        return ClaimOut.model_validate(claim)

    @post(
        "/{claim_id:int}/confirm",
        name="api:claim-confirm",
        summary="Confirm: points move once",
        status_code=200,
    )
    async def confirm(self, actor: CurrentActor, claim_id: IdPath, now: Now) -> ClaimOut:
        return ClaimOut.model_validate(await claims.confirm_work(actor, claim_id, now=now))

    @post(
        "/{claim_id:int}/approve",
        name="api:claim-approve",
        summary="A second staff member approves a confirmation over the threshold: the points move",
        status_code=200,
    )
    async def approve(self, actor: CurrentActor, claim_id: IdPath, now: Now) -> ClaimOut:
        return ClaimOut.model_validate(await claims.approve_work(actor, claim_id, now=now))

    @post(
        "/{claim_id:int}/dispute",
        name="api:claim-dispute",
        summary="Dispute the reported work",
        status_code=200,
    )
    async def dispute(
        self, actor: CurrentActor, claim_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> ClaimOut:
        return ClaimOut.model_validate(
            await claims.dispute_work(actor, claim_id, reason=data.reason, now=now)
        )

    @post(
        "/{claim_id:int}/settle",
        name="api:claim-settle",
        summary="A leader decides a dispute",
        status_code=200,
    )
    async def settle(
        self, actor: CurrentActor, claim_id: IdPath, data: JSONBody[SettleIn], now: Now
    ) -> ClaimOut:
        claim = await claims.settle_dispute(
            actor, claim_id, accept=data.accept, minutes=data.minutes, reason=data.reason, now=now
        )
        return ClaimOut.model_validate(claim)

    @post(
        "/{claim_id:int}/withdraw", name="api:claim-withdraw", summary="Give the place back", status_code=200
    )
    async def withdraw(
        self, actor: CurrentActor, claim_id: IdPath, now: Now, data: JSONBody[ReasonIn | None] = None
    ) -> ClaimOut:
        reason = data.reason if data else ""
        return ClaimOut.model_validate(await claims.withdraw_claim(actor, claim_id, reason=reason, now=now))
