"""Needs: report, list, read, join, triage or escalate, reject, merge, cancel, progress."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody

from projects import needs, resources, triage
from web.api.deps import CurrentActor, Now
from web.api.schemas import (
    IdPath,
    IdQuery,
    Limit,
    MergeIn,
    NeedIn,
    NeedOut,
    NeedPageOut,
    NoteIn,
    ReasonIn,
    ResourceOut,
    TraceOut,
    TriageIn,
    optional_id,
)


class NeedController(Controller):
    path = "/api/v1/needs"
    tags = ["needs"]

    @post(name="api:need-report", summary="Report a need (for yourself, or for a resident)")
    async def report(self, actor: CurrentActor, data: JSONBody[NeedIn], now: Now) -> NeedOut:
        need = await needs.report_need(
            actor,
            category=data.category,
            description=data.description,
            scope=data.scope,
            channel=data.channel,
            area_id=optional_id(data.area_id),
            resident_id=optional_id(data.resident_id),
            now=now,
        )
        return NeedOut.model_validate(need)

    @get(name="api:needs", summary="Needs: mine, or an area's (newest first, cursor paged)")
    async def list(
        self,
        actor: CurrentActor,
        mine: FromQuery[bool] = False,
        area_id: IdQuery = None,
        status: FromQuery[str | None] = None,
        overdue: FromQuery[bool | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = 50,
    ) -> NeedPageOut:
        page = await needs.list_needs(
            actor, mine=mine, area_id=area_id, status=status, overdue=overdue, cursor=cursor, limit=limit
        )
        return NeedPageOut.model_validate(page)

    @get("/{need_id:int}", name="api:need", summary="One need")
    async def read(self, actor: CurrentActor, need_id: IdPath) -> NeedOut:
        return NeedOut.model_validate(await needs.view_need(actor, need_id))

    @get("/{need_id:int}/history", name="api:need-history", summary="The need's trace, oldest first")
    async def history(self, actor: CurrentActor, need_id: IdPath) -> list[TraceOut]:
        return [TraceOut.model_validate(t) for t in await needs.need_history(actor, need_id)]

    @get("/{need_id:int}/resources", name="api:need-resources", summary="Resources that could serve the need")
    async def matching(self, actor: CurrentActor, need_id: IdPath) -> list[ResourceOut]:
        need = await needs.view_need(actor, need_id)
        found = await resources.find_resources(area_id=need.area, category=need.category)
        return [ResourceOut.model_validate(r) for r in found]

    @post("/{need_id:int}/join", name="api:need-join", summary="Join (+1) a common need", status_code=200)
    async def join(self, actor: CurrentActor, need_id: IdPath, now: Now) -> NeedOut:
        return NeedOut.model_validate(await needs.join_need(actor, need_id, now=now))

    @post(
        "/{need_id:int}/triage", name="api:need-triage", summary="Grade A/B/C, or escalate", status_code=200
    )
    async def triage(
        self, actor: CurrentActor, need_id: IdPath, data: JSONBody[TriageIn], now: Now
    ) -> NeedOut:
        if data.escalate:
            need = await triage.escalate_need(actor, need_id, reason=data.reason, now=now)
        elif data.grade is not None:
            need = await triage.triage_need(actor, need_id, grade=data.grade, now=now)
        else:
            from projects.errors import N_, Invalid

            raise Invalid(N_("Give a grade (A, B or C) or escalate."))
        return NeedOut.model_validate(need)

    @post(
        "/{need_id:int}/escalate",
        name="api:need-escalate",
        summary="Escalate to the next level",
        status_code=200,
    )
    async def escalate(
        self, actor: CurrentActor, need_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> NeedOut:
        return NeedOut.model_validate(await triage.escalate_need(actor, need_id, reason=data.reason, now=now))

    @post("/{need_id:int}/reject", name="api:need-reject", summary="Reject, with a reason", status_code=200)
    async def reject(
        self, actor: CurrentActor, need_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> NeedOut:
        return NeedOut.model_validate(await needs.reject_need(actor, need_id, reason=data.reason, now=now))

    @post(
        "/{need_id:int}/merge",
        name="api:need-merge",
        summary="Merge a duplicate into another need",
        status_code=200,
    )
    async def merge(self, actor: CurrentActor, need_id: IdPath, data: JSONBody[MergeIn], now: Now) -> NeedOut:
        return NeedOut.model_validate(await needs.merge_need(actor, need_id, into=int(data.into), now=now))

    @post("/{need_id:int}/cancel", name="api:need-cancel", summary="Withdraw my need", status_code=200)
    async def cancel(
        self, actor: CurrentActor, need_id: IdPath, now: Now, data: JSONBody[ReasonIn | None] = None
    ) -> NeedOut:
        reason = data.reason if data else ""
        return NeedOut.model_validate(await needs.cancel_need(actor, need_id, reason=reason, now=now))

    @post(
        "/{need_id:int}/progress",
        name="api:need-progress",
        summary="Report progress (B and C)",
        status_code=200,
    )
    async def progress(
        self, actor: CurrentActor, need_id: IdPath, data: JSONBody[NoteIn], now: Now
    ) -> NeedOut:
        return NeedOut.model_validate(await triage.report_progress(actor, need_id, note=data.note, now=now))
