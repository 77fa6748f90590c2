"""Reference data: categories and grade deadlines, areas, organisations and the resource library."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import Field

from projects import areas, categories, deadlines, issuance, issuance_report, organisations, resources
from web.api.deps import CurrentActor, Now
from web.api.schemas import (
    AreaOut,
    CategoryIn,
    CategoryOut,
    GradeIn,
    GradeOut,
    Id,
    IdPath,
    IdQuery,
    IssuancePolicyIn,
    IssuancePolicyOut,
    OptionalId,
    OrganisationOut,
    Out,
    ResourceIn,
    ResourceOut,
)


class CategoryController(Controller):
    path = "/api/v1/categories"
    tags = ["community"]

    @put("/{code:str}", name="api:category-save", summary="Add or change a category (admins)")
    async def save(self, actor: CurrentActor, code: FromPath[str], data: JSONBody[CategoryIn]) -> CategoryOut:
        saved = await categories.save_category(
            actor,
            code,
            data.name,
            points_per_hour=data.points_per_hour,
            parent=data.parent,
            name_en=data.name_en,
            position=data.position,
            active=data.active,
        )
        return CategoryOut.model_validate(saved)

    @get(name="api:categories", summary="The need categories, with points per hour")
    async def list(self) -> list[CategoryOut]:
        return [CategoryOut.model_validate(c) for c in await categories.list_categories()]


class GradeController(Controller):
    path = "/api/v1/grades"
    tags = ["community"]

    @get(name="api:grades", summary="What each grade allows (new: for triage): hours or working days")
    async def list(self, actor: CurrentActor) -> dict[str, GradeOut]:
        return {row.grade: GradeOut.model_validate(row) for row in await deadlines.grade_deadlines()}

    @put(
        "/{grade:str}",
        name="api:grade-save",
        summary="Set a grade's deadline in hours or working days, exactly one (admins)",
    )
    async def save(
        self, actor: CurrentActor, grade: FromPath[str], data: JSONBody[GradeIn]
    ) -> dict[str, GradeOut]:
        found = await deadlines.set_grade_deadline(
            actor, grade, hours=data.deadline_hours, working_days=data.deadline_working_days
        )
        return {row.grade: GradeOut.model_validate(row) for row in found}


class AreaController(Controller):
    path = "/api/v1/areas"
    tags = ["community"]

    @get(name="api:areas", summary="Areas under a parent (the districts without one)")
    async def list(self, actor: CurrentActor, parent: IdQuery = None) -> list[AreaOut]:
        return [AreaOut.model_validate(a) for a in await areas.children(parent)]

    @get("/{area_id:int}", name="api:area", summary="One area")
    async def read(self, actor: CurrentActor, area_id: IdPath) -> AreaOut:
        return AreaOut.model_validate(await areas.get_area(area_id))


class OrganisationController(Controller):
    path = "/api/v1/organisations"
    tags = ["community"]

    @get(name="api:organisations", summary="Organisations and volunteer teams")
    async def list(self, actor: CurrentActor, kind: FromQuery[str | None] = None) -> list[OrganisationOut]:
        return [OrganisationOut.model_validate(o) for o in await organisations.list_organisations(kind)]

    @get("/{organisation_id:int}", name="api:organisation", summary="One organisation")
    async def read(self, actor: CurrentActor, organisation_id: IdPath) -> OrganisationOut:
        return OrganisationOut.model_validate(await organisations.get_organisation(organisation_id))


class ResourceController(Controller):
    path = "/api/v1/resources"
    tags = ["community"]

    @get(name="api:resources", summary="The service resource library: what serves an area and a category")
    async def list(
        self,
        actor: CurrentActor,
        area_id: IdQuery = None,
        category: FromQuery[str | None] = None,
    ) -> list[ResourceOut]:
        return [
            ResourceOut.model_validate(r)
            for r in await resources.find_resources(area_id=area_id, category=category)
        ]

    @post(name="api:resource-add", summary="List a resource (staff)")
    async def add(self, actor: CurrentActor, data: JSONBody[ResourceIn], now: Now) -> ResourceOut:
        resource = await resources.add_resource(
            actor,
            name=data.name,
            kind=data.kind,
            level=data.level,
            area_id=int(data.area_id),
            categories=data.categories,
            coverage=[int(a) for a in data.coverage],
            organisation_id=int(data.organisation_id) if data.organisation_id else None,
            description=data.description,
            contact=data.contact,
            now=now,
        )
        return ResourceOut.model_validate(resource)

    @get("/{resource_id:int}", name="api:resource", summary="One resource")
    async def read(self, actor: CurrentActor, resource_id: IdPath) -> ResourceOut:
        return ResourceOut.model_validate(await resources.get_resource(resource_id))


class IssuerOut(Out):
    member_id: OptionalId = Field(validation_alias="member", description="null: the system (the sweep)")
    points: int
    issues: int


class FlagOut(Out):
    kind: Literal["claim_at_cap", "member_at_day_limit", "most_by_one_issuer"]
    member_id: OptionalId = Field(validation_alias="member")
    value: int = Field(description="minutes, or the issuer's percent of the day's points")
    limit: int
    claim_id: OptionalId = Field(validation_alias="claim")


class IssuanceReportOut(Out):
    id: Id
    community_id: Id = Field(validation_alias="community")
    day: date
    points: int
    issues: int
    issuers: list[IssuerOut]
    flags: list[FlagOut]
    created_at: datetime


class IssuanceController(Controller):
    path = "/api/v1/communities/{community_id:int}/issuance"
    tags = ["community"]

    @get(name="api:issuance", summary="A community's issuance caps and four-eyes thresholds")
    async def read(self, actor: CurrentActor, community_id: IdPath) -> IssuancePolicyOut:
        return IssuancePolicyOut.model_validate(await issuance.read_policy(actor, community_id))

    @put(
        name="api:issuance-save",
        summary="Set a community's issuance caps and thresholds (staff above it, or an admin)",
    )
    async def save(
        self, actor: CurrentActor, community_id: IdPath, data: JSONBody[IssuancePolicyIn], now: Now
    ) -> IssuancePolicyOut:
        values = data.model_dump(exclude_none=True)
        return IssuancePolicyOut.model_validate(
            await issuance.set_policy(actor, community_id, now=now, **values)
        )

    @get(
        "/reports",
        name="api:issuance-reports",
        summary="A community's daily issuance reports, newest first (its staff and staff above it)",
    )
    async def reports(self, actor: CurrentActor, community_id: IdPath) -> list[IssuanceReportOut]:
        found = await issuance_report.list_reports(actor, community_id)
        return [IssuanceReportOut.model_validate(report) for report in found]
