"""三评 published: after a quarter ends, a community's staff publish its evaluation (satisfaction
with its services by category, with each of its leaders and the services they handled, with
each of its resources), and the figures are frozen in the database as published. The published
evaluation is public (公示): names of leaders and resources with their figures, never a
resident's, and no figure for fewer than 5 ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from projects import errors
from projects.access import Actor
from projects.areas import AreaRecord, get_area, path_range
from projects.db import atomic
from projects.disclosure import disclosed
from projects.errors import N_
from projects.quarters import check_quarter, quarter_bounds
from projects.tables import Area, Evaluation, EvaluationFigure

SATISFIED_FROM = 4  # a score of 4 or 5 is satisfied (满意)
KINDS = ("services", "category", "leader", "leader_services", "resource")


@dataclass(frozen=True, slots=True)
class Figure:
    """Ratings of one group as published; the averages only when the group is large enough."""

    kind: str
    category: str
    subject: int | None
    name: str
    level: str
    area_name: str
    ratings: int
    score_total: int
    satisfied: int

    @property
    def disclosed(self) -> bool:
        return disclosed(self.ratings)

    @property
    def average(self) -> Decimal | None:
        """The mean score (two places), or None for fewer than 5 ratings."""
        if not self.disclosed:
            return None
        return (Decimal(self.score_total) / self.ratings).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def satisfaction(self) -> float | None:
        """The share of ratings of 4 or 5 (four places), or None for fewer than 5 ratings."""
        return round(self.satisfied / self.ratings, 4) if self.disclosed else None

    @property
    def shown_ratings(self) -> int | None:
        return self.ratings if self.disclosed else None


@dataclass(frozen=True, slots=True)
class LeaderFigures:
    """A leader (三长) as published: residents' scores of them, and of the services they handled."""

    leader: int
    name: str
    level: str
    area_name: str
    rated: Figure
    services: Figure


@dataclass(frozen=True, slots=True)
class PublishedEvaluation:
    id: int
    community: int
    community_name: str
    period: str
    published_at: datetime
    services: Figure
    categories: list[Figure]
    leaders: list[LeaderFigures]
    resources: list[Figure]


def _empty(kind: str, **what) -> Figure:
    values = {"category": "", "subject": None, "name": "", "level": "", "area_name": "", **what}
    return Figure(kind=kind, ratings=0, score_total=0, satisfied=0, **values)


_SATISFIED = f"SUM(CASE WHEN r.score >= {SATISFIED_FROM} THEN 1 ELSE 0 END)"
_SERVICES = (
    "FROM projects_rating r JOIN projects_claim cl ON cl.id = r.claim "
    "JOIN projects_task t ON t.id = cl.task JOIN projects_area a ON a.id = t.area "
    "WHERE r.period = {} AND a.path >= {} AND a.path < {}"
)


async def _rows(sql: str, *args) -> list[dict]:
    return await Area.raw(sql, *args)


async def compute_figures(community_id: int, period: str) -> list[Figure]:
    """The community's figures for ``period`` from the ratings now, aggregated in SQL."""
    community = await get_area(community_id)
    low, high = path_range(community.path)
    where = (period, low, high)
    figures: list[Figure] = []
    total = await _rows(
        f"SELECT COUNT(*) AS ratings, COALESCE(SUM(r.score), 0) AS score_total, "
        f"COALESCE({_SATISFIED}, 0) AS satisfied {_SERVICES}",
        *where,
    )
    figures.append(_figure("services", total[0]))
    for row in await _rows(
        "SELECT COALESCE(c.parent, c.code) AS category, COUNT(*) AS ratings, SUM(r.score) AS score_total, "
        f"{_SATISFIED} AS satisfied "
        + _SERVICES.replace("WHERE", "JOIN projects_category c ON c.code = t.category WHERE")
        + " GROUP BY COALESCE(c.parent, c.code) ORDER BY COALESCE(c.parent, c.code)",
        *where,
    ):
        figures.append(_figure("category", row, category=row["category"]))
    # The three leaders now in office, and any rated this quarter who has left since.
    leaders: dict[tuple[int, int], dict] = {}
    for row in await _rows(
        "SELECT r.member AS leader, r.area AS area, m.name AS name, a.level AS level, a.name AS area_name "
        "FROM projects_role r JOIN projects_area a ON a.id = r.area "
        "JOIN projects_member m ON m.id = r.member "
        "WHERE r.role = 'leader' AND a.path >= {} AND a.path < {}",
        low,
        high,
    ):
        leaders[(row["leader"], row["area"])] = {**row, "ratings": 0, "score_total": 0, "satisfied": 0}
    for row in await _rows(
        "SELECT r.leader AS leader, r.area AS area, m.name AS name, a.level AS level, a.name AS area_name, "
        f"COUNT(*) AS ratings, SUM(r.score) AS score_total, {_SATISFIED} AS satisfied "
        "FROM projects_leader_rating r JOIN projects_area a ON a.id = r.area "
        "JOIN projects_member m ON m.id = r.leader "
        "WHERE r.period = {} AND a.path >= {} AND a.path < {} "
        "GROUP BY r.leader, r.area, m.name, a.level, a.name",
        *where,
    ):
        leaders[(row["leader"], row["area"])] = row
    for (leader, _), row in sorted(leaders.items(), key=lambda item: (item[1]["area_name"], item[0])):
        figures.append(
            _figure(
                "leader",
                row,
                subject=leader,
                name=row["name"],
                level=row["level"],
                area_name=row["area_name"],
            )
        )
    handled = {
        row["leader"]: row
        for row in await _rows(
            f"SELECT r.leader AS leader, COUNT(*) AS ratings, SUM(r.score) AS score_total, "
            f"{_SATISFIED} AS satisfied " + _SERVICES + " AND r.leader IS NOT NULL GROUP BY r.leader",
            *where,
        )
    }
    names = {leader: row["name"] for (leader, _), row in leaders.items()}
    for leader, name in sorted(names.items()):
        row = handled.get(leader, {"ratings": 0, "score_total": 0, "satisfied": 0})
        figures.append(_figure("leader_services", row, subject=leader, name=name))
    for row in await _rows(
        "SELECT s.id AS resource, s.name AS name, COUNT(r.id) AS ratings, "
        "COALESCE(SUM(r.score), 0) AS score_total, "
        f"COALESCE({_SATISFIED}, 0) AS satisfied "
        "FROM projects_resource s JOIN projects_area a ON a.id = s.area "
        "LEFT JOIN projects_rating r ON r.resource = s.id AND r.period = {} "
        "WHERE a.path >= {} AND a.path < {} GROUP BY s.id, s.name ORDER BY s.id",
        *where,
    ):
        figures.append(_figure("resource", row, subject=row["resource"], name=row["name"]))
    return figures


def _figure(kind: str, row: dict, **what) -> Figure:
    values = {"category": "", "subject": None, "name": "", "level": "", "area_name": "", **what}
    return Figure(
        kind=kind,
        ratings=int(row["ratings"] or 0),
        score_total=int(row["score_total"] or 0),
        satisfied=int(row["satisfied"] or 0),
        **values,
    )


async def community_area(community_id: int) -> AreaRecord:
    """The community with this id, or NotFound (any other area is not one)."""
    community = await get_area(community_id)
    if community.level != "community":
        raise errors.NotFound(thing=N_("community"))
    return community


async def publish_evaluation(
    actor: Actor, community_id: int, period: str, *, now: datetime
) -> PublishedEvaluation:
    """Freeze the community's figures for a quarter that has ended; once per quarter."""
    check_quarter(period)
    community = await community_area(community_id)
    actor.require(actor.is_staff(community.path))
    ends = quarter_bounds(period)[1]
    if now < ends:
        raise errors.Conflict(
            N_("The quarter {period} has not ended yet: it can be published from {day} on."),
            period=period,
            day=ends.date().isoformat(),
            field="period",
        )
    async with atomic():
        if await Evaluation.exists().where(
            (Evaluation.community == community_id) & (Evaluation.period == period)
        ):
            raise errors.Conflict(
                N_("The evaluation of {period} is already published."), period=period, field="period"
            )
        figures = await compute_figures(community_id, period)
        rows = await Evaluation.insert(
            Evaluation(community=community_id, period=period, published_by=actor.member_id, published_at=now)
        ).returning(Evaluation.id)
        evaluation_id = rows[0]["id"]
        await EvaluationFigure.insert(
            *[
                EvaluationFigure(
                    evaluation=evaluation_id,
                    kind=figure.kind,
                    category=figure.category,
                    subject=figure.subject,
                    name=figure.name[:128],
                    level=figure.level,
                    area_name=figure.area_name[:100],
                    ratings=figure.ratings,
                    score_total=figure.score_total,
                    satisfied=figure.satisfied,
                )
                for figure in figures
            ]
        )
    return await published_evaluation(community_id, period)


def _assemble(row: dict, community_name: str, figures: list[Figure]) -> PublishedEvaluation:
    by_kind: dict[str, list[Figure]] = {kind: [] for kind in KINDS}
    for figure in figures:
        by_kind[figure.kind].append(figure)
    handled = {figure.subject: figure for figure in by_kind["leader_services"]}
    leaders = [
        LeaderFigures(
            figure.subject or 0,
            figure.name,
            figure.level,
            figure.area_name,
            figure,
            handled.get(figure.subject) or _empty("leader_services", subject=figure.subject),
        )
        for figure in by_kind["leader"]
    ]
    services = by_kind["services"][0] if by_kind["services"] else _empty("services")
    return PublishedEvaluation(
        row["id"],
        row["community"],
        community_name,
        row["period"],
        row["published_at"],
        services,
        by_kind["category"],
        leaders,
        by_kind["resource"],
    )


_FIGURE_COLUMNS = (
    EvaluationFigure.kind,
    EvaluationFigure.category,
    EvaluationFigure.subject,
    EvaluationFigure.name,
    EvaluationFigure.level,
    EvaluationFigure.area_name,
    EvaluationFigure.ratings,
    EvaluationFigure.score_total,
    EvaluationFigure.satisfied,
)


async def published_evaluation(community_id: int, period: str) -> PublishedEvaluation:
    """The evaluation as published (public): 404 until it is."""
    check_quarter(period)
    community = await community_area(community_id)
    row = (
        await Evaluation.select()
        .where((Evaluation.community == community_id) & (Evaluation.period == period))
        .first()
    )
    if row is None:
        raise errors.NotFound(thing=N_("evaluation"))
    figures = (
        await EvaluationFigure.select(*_FIGURE_COLUMNS)
        .where(EvaluationFigure.evaluation == row["id"])
        .order_by(EvaluationFigure.id)
    )
    return _assemble(row, community.name, [Figure(**figure) for figure in figures])


@dataclass(frozen=True, slots=True)
class PublishedPeriod:
    period: str
    published_at: datetime
    published_by: str


async def published_periods(community_id: int) -> list[PublishedPeriod]:
    """The quarters published for the community, newest first (public)."""
    await community_area(community_id)
    rows = (
        await Evaluation.select(
            Evaluation.period, Evaluation.published_at, Evaluation.published_by.name.as_alias("by")
        )
        .where(Evaluation.community == community_id)
        .order_by(Evaluation.period, ascending=False)
        .limit(400)
    )
    return [PublishedPeriod(row["period"], row["published_at"], row["by"]) for row in rows]
