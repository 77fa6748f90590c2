"""The daily issuance report (DESIGN "Issuance"): once a day, for each community whose issuer
issued points the day before (China's day), how many, by whom, and the outliers flagged: a claim
at the community's cap on minutes, a member at the day's limit, one issuer with most of a large
day's points. Written once, whichever process comes first, when the staff's digest is (from
``digest.HOUR``), and told to the community's staff and its work groups through the outbox, as
every notification is."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from projects import issuance, outbox
from projects.access import Actor
from projects.areas import get_area, issuer_account, path_range
from projects.db import atomic
from projects.digest import HOUR, ZONE
from projects.errors import N_
from projects.outbox import Change, Notice
from projects.tables import IssuanceReport, Member, Role

BATCH = 200  # communities reported per run
LISTED = 20  # claims or members named under one flag
MOST = 0.5  # one issuer with more than this share of a large day is flagged
REPORT = N_("Issuance on {day}: {points} points in {issues} issues, by {issuers}.")
FLAGGED = N_(
    "Issuance on {day}: {points} points in {issues} issues, by {issuers}. Flagged: {at_cap} claims at "
    "the cap, {full_days} members at the day's limit, {most}."
)
NOBODY_MOST = N_("no single issuer with most")

_ISSUED = """
SELECT COALESCE(c.decided_by, r.granted_by) AS member, SUM(t.amount) AS points, COUNT(*) AS issues
FROM ledger_transfer t
LEFT JOIN projects_claim c ON c.transfer_id = t.id
LEFT JOIN projects_recognition r ON r.transfer_id = t.id
WHERE t.debit_account = {} AND t.asset = 'PTS' AND t.kind IN ('single', 'post')
    AND t.created_at >= {} AND t.created_at < {}
GROUP BY COALESCE(c.decided_by, r.granted_by)
"""

_AT_CAP = """
SELECT c.id AS claim, c.member AS member, c.minutes AS minutes
FROM projects_claim c JOIN ledger_transfer t ON t.id = c.transfer_id
WHERE t.debit_account = {} AND t.created_at >= {} AND t.created_at < {} AND c.minutes >= {}
ORDER BY c.id LIMIT {}
"""

_FULL_DAYS = """
SELECT c.member AS member, SUM(c.minutes) AS minutes
FROM projects_claim c JOIN projects_task k ON k.id = c.task JOIN projects_area a ON a.id = k.area
WHERE a.path >= {} AND a.path < {} AND c.submitted_at >= {} AND c.submitted_at < {}
    AND c.status IN ('submitted', 'disputed', 'awaiting_approval', 'confirmed')
GROUP BY c.member HAVING SUM(c.minutes) >= {}
ORDER BY c.member LIMIT {}
"""


@dataclass(frozen=True, slots=True)
class Issuer:
    member: int | None  # None: the system (work confirmed by the sweep after a week)
    points: int
    issues: int


@dataclass(frozen=True, slots=True)
class Flag:
    kind: str  # claim_at_cap, member_at_day_limit, most_by_one_issuer
    member: int | None
    value: int  # minutes, or the issuer's percent of the day's points
    limit: int
    claim: int | None = None


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    community: int
    day: date
    points: int
    issues: int
    issuers: list[Issuer]
    flags: list[Flag]
    created_at: datetime


def outliers(
    policy: issuance.Policy,
    issuers: list[Issuer],
    at_cap: list[tuple[int, int, int]],
    full_days: list[tuple[int, int]],
) -> list[Flag]:
    """The day's outliers: claims (id, member, minutes) at the cap on a claim's minutes, members
    (member, minutes) at the day's limit, and one issuer with more than half of a day whose
    points are over the four-eyes threshold (a day that large is worth a second look)."""
    flags = [
        Flag("claim_at_cap", member, minutes, policy.max_minutes_per_claim, claim)
        for claim, member, minutes in at_cap
    ]
    flags += [
        Flag("member_at_day_limit", member, minutes, policy.max_minutes_per_day)
        for member, minutes in full_days
    ]
    total = sum(issuer.points for issuer in issuers)
    if total > policy.approval_over_points:
        top = max(issuers, key=lambda issuer: issuer.points)
        if top.points > MOST * total:
            flags.append(Flag("most_by_one_issuer", top.member, top.points * 100 // total, int(MOST * 100)))
    return flags


def day_of(now: datetime) -> date | None:
    """The day to report at ``now``: yesterday in China, once the digest's hour has come."""
    local = now.astimezone(ZONE)
    return local.date() - timedelta(days=1) if local.hour >= HOUR else None


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=ZONE)
    return start, start + timedelta(days=1)


def _number(day: date) -> int:
    return int(day.strftime("%Y%m%d"))


async def _issuing_communities(start: datetime, end: datetime, day: int) -> list[int]:
    rows = await IssuanceReport.raw(
        "SELECT DISTINCT t.debit_account AS account FROM ledger_transfer t "
        "WHERE t.debit_account LIKE 'issuer:%' AND t.asset = 'PTS' AND t.kind IN ('single', 'post') "
        "AND t.created_at >= {} AND t.created_at < {} "
        "AND NOT EXISTS (SELECT 1 FROM projects_issuance_report r WHERE r.day = {} "
        "AND 'issuer:' || CAST(r.community AS VARCHAR(20)) = t.debit_account) "
        "ORDER BY t.debit_account LIMIT {}",
        start,
        end,
        day,
        BATCH,
    )
    return [int(row["account"].split(":")[1]) for row in rows]


async def gather(community_id: int, day: date) -> tuple[list[Issuer], list[Flag]]:
    """What the community's issuer issued on ``day``, by whom, and its outliers: three queries."""
    start, end = _bounds(day)
    account = issuer_account(community_id)
    policy = await issuance.policy_for(community_id)
    issued = await IssuanceReport.raw(_ISSUED, account, start, end)
    issuers = sorted(
        (Issuer(row["member"], int(row["points"]), int(row["issues"])) for row in issued),
        key=lambda issuer: (-issuer.points, issuer.member or 0),
    )
    at_cap = await IssuanceReport.raw(_AT_CAP, account, start, end, policy.max_minutes_per_claim, LISTED)
    community = await get_area(community_id)
    full = await IssuanceReport.raw(
        _FULL_DAYS, *path_range(community.path), start, end, policy.max_minutes_per_day, LISTED
    )
    flags = outliers(
        policy,
        issuers,
        [(row["claim"], row["member"], int(row["minutes"])) for row in at_cap],
        [(row["member"], int(row["minutes"])) for row in full],
    )
    return issuers, flags


async def write_reports(*, now: datetime) -> int:
    """Write yesterday's report of every community that issued points and has none yet, and tell
    its staff and work groups; how many were written."""
    day = day_of(now)
    if day is None:
        return 0
    start, end = _bounds(day)
    written = 0
    for community_id in await _issuing_communities(start, end, _number(day)):
        issuers, flags = await gather(community_id, day)
        async with atomic():
            # The unique (community, day) makes a second writer's insert do nothing.
            inserted = await IssuanceReport.raw(
                "INSERT INTO projects_issuance_report (community, day, points, issues, issuers, flags, "
                "created_at) VALUES ({}, {}, {}, {}, {}, {}, {}) ON CONFLICT DO NOTHING RETURNING id",
                community_id,
                _number(day),
                sum(issuer.points for issuer in issuers),
                sum(issuer.issues for issuer in issuers),
                json.dumps([asdict(issuer) for issuer in issuers]),
                json.dumps([asdict(flag) for flag in flags]),
                now,
            )
            if inserted:
                await outbox.notify(Change("issuance", inserted[0]["id"], "report", None, "", "", "", now))
                written += 1
    return written


def _report(row: dict) -> Report:
    day = str(row["day"])
    return Report(
        id=row["id"],
        community=row["community"],
        day=date(int(day[:4]), int(day[4:6]), int(day[6:])),
        points=int(row["points"]),
        issues=int(row["issues"]),
        issuers=[Issuer(**issuer) for issuer in json.loads(row["issuers"])],
        flags=[Flag(**flag) for flag in json.loads(row["flags"])],
        created_at=row["created_at"],
    )


async def list_reports(actor: Actor, community_id: int, *, limit: int = 30) -> list[Report]:
    """A community's reports, newest first: for those who read its issuance policy (its staff,
    staff above it, admins)."""
    await issuance.read_policy(actor, community_id)
    rows = (
        await IssuanceReport.select()
        .where(IssuanceReport.community == community_id)
        .order_by(IssuanceReport.day, ascending=False)
        .limit(max(1, min(limit, 100)))
    )
    return [_report(row) for row in rows]


async def _names(member_ids: set[int]) -> dict[int, str]:
    if not member_ids:
        return {}
    rows = await Member.select(Member.id, Member.name).where(Member.id.is_in(sorted(member_ids)))
    return {row["id"]: row["name"] for row in rows}


async def report_concern(change: Change) -> list[Notice]:
    """The report, to the community's own staff and to the work groups of the community (and
    those above it)."""
    row = await IssuanceReport.select().where(IssuanceReport.id == change.subject_id).first()
    if row is None:
        return []
    report = _report(row)
    community = await get_area(report.community)
    names = await _names({issuer.member for issuer in report.issuers if issuer.member is not None})
    issuers = ", ".join(
        f"{names.get(issuer.member, '') if issuer.member is not None else '-'} {issuer.points}"
        for issuer in report.issuers[:5]
    )
    params = {
        "day": report.day.isoformat(),
        "points": report.points,
        "issues": report.issues,
        "issuers": issuers,
    }
    link = "/desk"
    staff = (
        await Role.select(Role.member)
        .where((Role.area == report.community) & (Role.role == "staff"))
        .limit(outbox.MAX_READERS)
    )
    readers = [person["member"] for person in staff]
    if not report.flags:
        return outbox.to(readers, REPORT, link, **params) + outbox.group(
            community.path, REPORT, link, **params
        )
    most = next((flag for flag in report.flags if flag.kind == "most_by_one_issuer"), None)
    if most is None:
        params["most"], words = NOBODY_MOST, ("most",)
    else:
        name = (await _names({most.member})).get(most.member, "") if most.member else ""
        params["most"], words = f"{name} {most.value}%", ()
    params["at_cap"] = sum(flag.kind == "claim_at_cap" for flag in report.flags)
    params["full_days"] = sum(flag.kind == "member_at_day_limit" for flag in report.flags)
    return outbox.to(readers, FLAGGED, link, words=words, **params) + outbox.group(
        community.path, FLAGGED, link, words=words, **params
    )


outbox.register(("issuance",), report_concern)
