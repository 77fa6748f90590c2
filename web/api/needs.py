"""Needs: report, list, read, join, triage or escalate, hand down and return, supervise, take
on (a grid's leader), reject, merge, cancel, progress; the supervision board."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody

from projects import grid, needs, resources, supervision, triage
from web.api.deps import CurrentActor, Now
from web.api.schemas import (
    HandDownIn,
    IdPath,
    IdQuery,
    Limit,
    MergeIn,
    NeedIn,
    NeedOut,
    NeedPageOut,
    NoteIn,
    NoticeOut,
    ReasonIn,
    ResourceOut,
    SuperviseIn,
    SupervisionItemOut,
    SupervisionPageOut,
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
            address=data.address,
            contact_name=data.contact_name,
            contact_phone=data.contact_phone,
            preferred_time=data.preferred_time,
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
        return [
            TraceOut.model_validate(t)
            for t in await needs.need_history(actor, await needs.view_need(actor, need_id))
        ]

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

    @get("/{need_id:int}/notices", name="api:need-notices", summary="The need's supervision notices")
    async def notices(self, actor: CurrentActor, need_id: IdPath) -> list[NoticeOut]:
        return [
            NoticeOut.model_validate(n)
            for n in await supervision.need_notices(actor, await needs.view_need(actor, need_id))
        ]

    @post(
        "/{need_id:int}/supervise",
        name="api:need-supervise",
        summary="Issue a supervision notice (督办单): staff of a level above the holder",
    )
    async def supervise(
        self, actor: CurrentActor, need_id: IdPath, data: JSONBody[SuperviseIn], now: Now
    ) -> NoticeOut:
        notice = await supervision.supervise(
            actor, need_id, note=data.note, answer_by=data.answer_by, now=now
        )
        return NoticeOut.model_validate(notice)

    @post(
        "/{need_id:int}/hand-down",
        name="api:need-hand-down",
        summary="Hand the need down (交办) to its community or grid, with a deadline",
        status_code=200,
    )
    async def hand_down(
        self, actor: CurrentActor, need_id: IdPath, data: JSONBody[HandDownIn], now: Now
    ) -> NeedOut:
        need = await triage.hand_down(
            actor, need_id, area_id=int(data.area_id), note=data.note, deadline=data.deadline, now=now
        )
        return NeedOut.model_validate(need)

    @post(
        "/{need_id:int}/return",
        name="api:need-return",
        summary="Return a need handed down (退回), with a reason",
        status_code=200,
    )
    async def return_(
        self, actor: CurrentActor, need_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> NeedOut:
        return NeedOut.model_validate(await triage.return_need(actor, need_id, reason=data.reason, now=now))

    @post(
        "/{need_id:int}/take",
        name="api:need-take",
        summary="A grid's leader takes the need on themself (小事不出网格)",
        status_code=200,
    )
    async def take(self, actor: CurrentActor, need_id: IdPath, now: Now) -> NeedOut:
        return NeedOut.model_validate(await grid.take_need(actor, need_id, now=now))


class SupervisionController(Controller):
    path = "/api/v1/supervision"
    tags = ["needs"]

    @get(
        name="api:supervision",
        summary="The supervision board: open needs below my levels, overdue, escalated or under notice",
    )
    async def board(
        self,
        actor: CurrentActor,
        area_id: IdQuery = None,
        category: FromQuery[str | None] = None,
        grade: FromQuery[str | None] = None,
        overdue: FromQuery[bool | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = 20,
    ) -> SupervisionPageOut:
        found = await supervision.board(
            actor,
            area_id=area_id,
            category=category,
            grade=grade,
            overdue=overdue,
            cursor=cursor,
            limit=limit,
        )
        return SupervisionPageOut(
            items=[
                SupervisionItemOut(
                    need_id=str(item.need.id),
                    handling_area_id=str(item.need.handling_area),
                    holder=item.holder,
                    held_since=item.held_since,
                    status=item.need.status,
                    grade=item.need.grade,
                    category=item.need.category,
                    overdue=item.need.overdue or item.notice_overdue,
                    overdue_since=item.need.overdue_since,
                    escalations=item.need.escalations,
                    notices=[NoticeOut.model_validate(notice) for notice in item.notices],
                )
                for item in found.items
            ],
            next_cursor=found.next_cursor,
        )
