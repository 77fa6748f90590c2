"""The ledgers (台账) as downloads, for the API and the pages alike: the needs ledger, tasks and
claims, volunteer hours and the statistics themselves, each as ``<ledger>.xlsx`` or ``.csv``,
filtered by the same area and period as the statistics. The domain gives the rows; this names
the groupings' keys and writes the file."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar import Request, Response
from litestar.background_tasks import BackgroundTask
from litestar.response import File, Stream

from projects import errors, needs_ledger, stats, work_ledger
from projects.areas import children
from projects.categories import list_categories
from projects.errors import N_
from projects.needs_ledger import Column
from web.api.deps import language
from web.exports import Namer, csv_chunks, write_xlsx
from web.i18n import translate
from web.words import CHANNEL_NAMES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "csv")
LEDGERS = {
    "needs": N_("Needs ledger"),
    "claims": N_("Tasks and claims"),
    "volunteers": N_("Volunteer hours"),
    "stats": N_("Statistics"),
}
GROUPING_NAMES = {
    "": N_("Total"),
    "area": N_("By area"),
    "category": N_("By category"),
    "channel": N_("By channel"),
    "grade": N_("By grade"),
    "month": N_("By month"),
}
UNGRADED = N_("ungraded")
ITSELF = N_("{area} itself")
STATS_COLUMNS = (
    Column("grouping", N_("Grouping"), "text", 10),
    Column("key", N_("Group"), "text", 18),
    Column("reported", N_("Needs reported"), "integer", 10),
    Column("handled", N_("Handled"), "integer", 10),
    Column("handled_rate", N_("Handled rate"), "rate", 10),
    Column("done", N_("Done"), "integer", 10),
    Column("on_time", N_("Done on time"), "integer", 10),
    Column("on_time_rate", N_("On-time rate"), "rate", 10),
    Column("response_median", N_("First response, median (h)"), "decimal", 12),
    Column("response_p90", N_("First response, 90th percentile (h)"), "decimal", 12),
    Column("completion_median", N_("Completion, median (h)"), "decimal", 12),
    Column("completion_p90", N_("Completion, 90th percentile (h)"), "decimal", 12),
    Column("open", N_("Open"), "integer", 10),
    Column("overdue", N_("Overdue"), "integer", 10),
)


def ledger_and_format(name: str) -> tuple[str, str]:
    """``needs.xlsx`` -> (``needs``, ``xlsx``); anything else is no ledger of ours (404)."""
    ledger, _, file_format = name.partition(".")
    if ledger not in LEDGERS or file_format not in FORMATS:
        raise errors.NotFound(thing=N_("ledger"))
    return ledger, file_format


async def category_names(lang: str) -> dict[str, str]:
    return {
        category.code: (category.name_en or category.name) if lang == "en" else category.name
        for category in await list_categories(include_inactive=True)
    }


async def group_labels(lang: str, scope: stats.Scope) -> dict[str, dict[str, str]]:
    """Each grouping's keys as the reader reads them."""
    areas = {str(child.id): child.name for child in await children(scope.area.id)}
    areas[str(scope.area.id)] = translate(lang, ITSELF, {"area": scope.area.name})
    return {
        "area": areas,
        "category": await category_names(lang),
        "channel": {code: translate(lang, name) for code, name in CHANNEL_NAMES.items()},
        "grade": {"A": "A", "B": "B", "C": "C", "none": translate(lang, UNGRADED)},
        "month": {key: key for key in scope.period.months()},
    }


async def stats_rows(scope: stats.Scope, lang: str) -> AsyncIterator[dict]:
    """The figures as rows: the totals, then each grouping's groups."""
    found = await stats.need_stats(scope, stats.GROUPINGS)
    labels = await group_labels(lang, scope)
    sets = [("", [found.totals])] + [(grouping, found.groups[grouping]) for grouping in stats.GROUPINGS]
    for grouping, groups in sets:
        for group in groups:
            key = getattr(group, "key", "")
            yield {
                "grouping": translate(lang, GROUPING_NAMES[grouping]),
                "key": labels.get(grouping, {}).get(key, key),
                **{name: getattr(group, name) for name in ("reported", "handled", "handled_rate", "done")},
                **{name: getattr(group, name) for name in ("on_time", "on_time_rate", "open", "overdue")},
                "response_median": group.first_response_hours.median,
                "response_p90": group.first_response_hours.p90,
                "completion_median": group.completion_hours.median,
                "completion_p90": group.completion_hours.p90,
            }


def _source(ledger: str, scope: stats.Scope, lang: str) -> tuple[tuple[Column, ...], AsyncIterator[dict]]:
    if ledger == "needs":
        return needs_ledger.columns(scope), needs_ledger.needs_ledger(scope)
    if ledger == "claims":
        return work_ledger.CLAIM_COLUMNS, work_ledger.claims_ledger(scope)
    if ledger == "volunteers":
        return work_ledger.VOLUNTEER_COLUMNS, work_ledger.volunteers_ledger(scope)
    return STATS_COLUMNS, stats_rows(scope, lang)


async def ledger_response(request: Request, scope: stats.Scope, name: str) -> Response:
    """The ledger ``name`` (``needs.xlsx``, ``claims.csv``...) of ``scope`` as a download: .xlsx
    is written to a temporary file (removed once sent), CSV streamed as it is read."""
    ledger, file_format = ledger_and_format(name)
    lang = language(request)
    names = Namer(lang, await category_names(lang))
    columns, rows = _source(ledger, scope, lang)
    filename = f"linli-{ledger}-{scope.area.id}-{scope.period.first}-{scope.period.end}.{file_format}"
    if file_format == "xlsx":
        path = await write_xlsx(columns, rows, names, names.say(LEDGERS[ledger]))
        return File(
            path, filename=filename, media_type=XLSX, background=BackgroundTask(path.unlink, missing_ok=True)
        )
    return Stream(
        csv_chunks(columns, rows, names),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
