"""Service projects (服务项目书) and ratings (三评)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody

from projects import ratings, service_projects
from web.api.deps import CurrentActor, Now
from web.api.schemas import (
    IdPath,
    IdQuery,
    MilestoneIn,
    NoteIn,
    ProjectClaimIn,
    ProjectIn,
    ProjectListOut,
    ProjectOut,
    RatingIn,
    RatingOut,
    ReasonIn,
    ReportIn,
    StandingsOut,
    TraceOut,
)


class ProjectController(Controller):
    path = "/api/v1/projects"
    tags = ["projects"]

    @post(name="api:project-create", summary="Write up a service project from common needs")
    async def create(self, actor: CurrentActor, data: JSONBody[ProjectIn], now: Now) -> ProjectOut:
        project = await service_projects.create_project(
            actor,
            title=data.title,
            area_id=int(data.area_id),
            deadline=data.deadline,
            content=data.content,
            measures=data.measures,
            need_ids=[int(n) for n in data.need_ids],
            now=now,
        )
        return ProjectOut.model_validate(project)

    @get(name="api:projects", summary="Service projects, newest first (public: progress is published)")
    async def list(
        self, actor: CurrentActor, area_id: IdQuery = None, status: FromQuery[str | None] = None
    ) -> ProjectListOut:
        found = await service_projects.list_projects(actor, area_id=area_id, status=status)
        return ProjectListOut(items=[ProjectOut.model_validate(p) for p in found])

    @get("/{project_id:int}", name="api:project", summary="One project, with milestones and progress")
    async def read(self, actor: CurrentActor, project_id: IdPath) -> ProjectOut:
        return ProjectOut.model_validate(await service_projects.view_project(actor, project_id))

    @get("/{project_id:int}/history", name="api:project-history", summary="The project's trace")
    async def history(self, actor: CurrentActor, project_id: IdPath) -> list[TraceOut]:
        return [TraceOut.model_validate(t) for t in await service_projects.project_history(actor, project_id)]

    @post(
        "/{project_id:int}/claim",
        name="api:project-claim",
        summary="Claim for an organisation",
        status_code=200,
    )
    async def claim(
        self, actor: CurrentActor, project_id: IdPath, data: JSONBody[ProjectClaimIn], now: Now
    ) -> ProjectOut:
        project = await service_projects.claim_project(
            actor, project_id, organisation_id=int(data.organisation_id), now=now
        )
        return ProjectOut.model_validate(project)

    @post("/{project_id:int}/milestones", name="api:project-milestone", summary="Plan a milestone")
    async def milestone(
        self, actor: CurrentActor, project_id: IdPath, data: JSONBody[MilestoneIn], now: Now
    ) -> ProjectOut:
        project = await service_projects.add_milestone(
            actor, project_id, title=data.title, due=data.due, now=now
        )
        return ProjectOut.model_validate(project)

    @post(
        "/{project_id:int}/milestones/{milestone_id:int}/complete",
        name="api:project-milestone-done",
        summary="Report a milestone done",
        status_code=200,
    )
    async def milestone_done(
        self,
        actor: CurrentActor,
        project_id: IdPath,
        milestone_id: IdPath,
        data: JSONBody[ReportIn],
        now: Now,
    ) -> ProjectOut:
        project = await service_projects.complete_milestone(
            actor, project_id, milestone_id, report=data.report, now=now
        )
        return ProjectOut.model_validate(project)

    @post(
        "/{project_id:int}/progress", name="api:project-progress", summary="Publish progress", status_code=200
    )
    async def progress(
        self, actor: CurrentActor, project_id: IdPath, data: JSONBody[NoteIn], now: Now
    ) -> ProjectOut:
        return ProjectOut.model_validate(
            await service_projects.publish_progress(actor, project_id, note=data.note, now=now)
        )

    @post(
        "/{project_id:int}/complete",
        name="api:project-complete",
        summary="Close as completed",
        status_code=200,
    )
    async def complete(self, actor: CurrentActor, project_id: IdPath, now: Now) -> ProjectOut:
        return ProjectOut.model_validate(await service_projects.complete_project(actor, project_id, now=now))

    @post("/{project_id:int}/cancel", name="api:project-cancel", summary="Cancel", status_code=200)
    async def cancel(
        self, actor: CurrentActor, project_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> ProjectOut:
        return ProjectOut.model_validate(
            await service_projects.cancel_project(actor, project_id, reason=data.reason, now=now)
        )


class RatingController(Controller):
    path = "/api/v1"
    tags = ["ratings"]

    @post("/claims/{claim_id:int}/rating", name="api:rate-service", summary="Rate confirmed work (1–5)")
    async def rate_service(
        self, actor: CurrentActor, claim_id: IdPath, data: JSONBody[RatingIn], now: Now
    ) -> RatingOut:
        rating = await ratings.rate_service(actor, claim_id, score=data.score, comment=data.comment, now=now)
        return RatingOut.model_validate(rating)

    @post(
        "/resources/{resource_id:int}/ratings",
        name="api:rate-resource",
        summary="Rate a resource (once a quarter)",
    )
    async def rate_resource(
        self, actor: CurrentActor, resource_id: IdPath, data: JSONBody[RatingIn], now: Now
    ) -> RatingOut:
        rating = await ratings.rate_resource(
            actor, resource_id, score=data.score, comment=data.comment, now=now
        )
        return RatingOut.model_validate(rating)

    @get("/ratings/standings", name="api:standings", summary="Published results: ranked by average score")
    async def standings(
        self, actor: CurrentActor, subject: FromQuery[str] = "performer", period: FromQuery[str | None] = None
    ) -> StandingsOut:
        items = await ratings.standings(subject, period=period)
        return StandingsOut.model_validate({"subject": subject, "period": period, "items": items})
