"""Claims (接单) and the work they stand for: claim, check in, submit (with photos of the work,
the proof), then confirm (points banked exactly once), or dispute and settle. Withdrawal gives
the place back. A leader or staff member may record work done without a check-in (an elder's
neighbour who has no phone)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

from ledger.transfers import transfer
from projects import errors, events, issuance
from projects.access import Actor
from projects.areas import get_area, issuer_account
from projects.attachments import attach, kept_if_committed
from projects.db import atomic, for_update
from projects.errors import N_
from projects.images import Photo
from projects.limits import CLAIM_MAX_MINUTES, REASON_MAX_CHARS
from projects.members import member_account
from projects.points import confirmation_transfer_id, points_for
from projects.rules import claims as claim_rules
from projects.rules import refuse
from projects.rules import tasks as task_rules
from projects.rules.claims import ClaimFacts
from projects.states import load, move, require_state, text
from projects.tables import Claim, Member, Need, OrganisationMember, Task
from projects.tasks import close_if_finished, release_place, take_place, view_task
from projects.tasks import locked as locked_task

NOTE_MAX_CHARS = 2000


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    id: int
    task: int
    member: int
    organisation: int | None
    status: str
    minutes: int | None
    note: str
    points: int | None
    transfer_id: str | None
    reason: str
    checked_in_at: datetime | None
    submitted_at: datetime | None
    decided_by: int | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime
    may: frozenset[str] = frozenset()  # what the viewer may do to it now (projects.rules.claims)


async def get_claim(claim_id: int) -> ClaimRecord:
    row = await Claim.select().where(Claim.id == claim_id).first()
    if row is None:
        raise errors.NotFound(thing=N_("claim"))
    return ClaimRecord(**row)


async def add_claim(
    task: dict, *, member_id: int, organisation_id: int | None, actor: int, now: datetime
) -> int:
    """Take one place of ``task`` (locked by the caller) for ``member_id``."""
    if task["status"] == "full":
        raise errors.TaskFull()
    require_state(task, "task", ("open",), N_("claim"))
    if task["claimed"] >= task["capacity"]:
        raise errors.TaskFull()
    if await Claim.exists().where(
        (Claim.task == task["id"])
        & (Claim.member == member_id)
        & Claim.status.not_in(["withdrawn", "cancelled"])
    ):
        raise errors.AlreadyClaimed(field="member_id")
    if task["need"] is not None:
        need = await Need.select(Need.resident).where(Need.id == task["need"]).first()
        if need["resident"] == member_id:
            raise errors.OwnWork(N_("You cannot claim a task for your own need."), field="member_id")
    rows = await Claim.insert(
        Claim(
            task=task["id"],
            member=member_id,
            organisation=organisation_id,
            status="claimed",
            created_at=now,
            updated_at=now,
        )
    ).returning(Claim.id)
    claim_id = rows[0]["id"]
    await events.record("claim", claim_id, "claim", actor=actor, now=now, to_state="claimed")
    await take_place(task, actor=actor, now=now)
    return claim_id


async def claim_task(
    actor: Actor,
    task_id: int,
    *,
    now: datetime,
    member_id: int | None = None,
    organisation_id: int | None = None,
) -> ClaimRecord:
    """A volunteer claims a place; an organisation's representative claims one for a member.
    Two claims for the last place: the task row is locked (or the database's one writer runs
    them in turn), so the second finds the task full."""
    performer = actor.member_id if member_id is None else member_id
    async with atomic():
        if organisation_id is None and performer == actor.member_id:
            task, _ = await locked_task(actor, task_id, task_rules.claim)
        else:
            task, _ = await locked_task(actor, task_id, task_rules.send)
            if organisation_id is None or not actor.represents(organisation_id):
                raise errors.NotAllowed()
            if task["assignee_organisation"] not in (None, organisation_id):
                raise errors.NotAllowed(
                    N_("This task was dispatched to an organisation: its representative claims it.")
                )
            if not await OrganisationMember.exists().where(
                (OrganisationMember.organisation == organisation_id)
                & (OrganisationMember.member == performer)
            ):
                raise errors.Invalid(
                    N_("That member does not belong to the organisation."), field="member_id"
                )
        claim_id = await add_claim(
            task, member_id=performer, organisation_id=organisation_id, actor=actor.member_id, now=now
        )
    return await view_claim(actor, claim_id)


async def lock_claim(claim_id: int) -> tuple[dict, dict]:
    """The claim's task and the claim, locked in that order (see ``states``); the task is found
    through the claim in the same statement that locks it."""
    of_claim = Claim.select(Claim.task).where(Claim.id == claim_id)
    task = await for_update(Task.select().where(Task.id.is_in(of_claim))).first()
    if task is None:
        raise errors.NotFound(thing=N_("claim"))
    return task, await load(Claim, "claim", claim_id)


# What the rules need to know about claims beyond their rows, for one actor, in one query.
_FACTS = """
SELECT c.id AS id, a.path AS task_area_path, t.need AS need, n.resident AS need_resident,
    t.created_by AS task_created_by,
    (SELECT e.actor FROM projects_event e WHERE e.subject = 'claim' AND e.subject_id = c.id
     AND e.action = 'record' ORDER BY e.seq LIMIT 1) AS recorded_by,
    EXISTS (SELECT 1 FROM projects_need_supporter s WHERE s.need = t.need AND s.member = {}) AS joined,
    EXISTS (SELECT 1 FROM projects_rating r WHERE r.claim = c.id AND r.rater = {}) AS rated
FROM projects_claim c
JOIN projects_task t ON t.id = c.task
JOIN projects_area a ON a.id = t.area
LEFT JOIN projects_need n ON n.id = t.need
WHERE c.id IN ({ids})
"""


async def facts_for(actor: Actor, rows: list[dict]) -> dict[int, ClaimFacts]:
    """The facts of each claim row, by id: one query for a whole list of claims."""
    if not rows:
        return {}
    query = _FACTS.replace("{ids}", ", ".join("{}" for _ in rows))
    found = await Claim.raw(query, actor.member_id, actor.member_id, *(row["id"] for row in rows))
    looked_up = {row["id"]: row for row in found}
    facts = {}
    for row in rows:
        extra = dict(looked_up[row["id"]])
        joined, rated = bool(extra.pop("joined")), bool(extra.pop("rated"))
        facts[row["id"]] = ClaimFacts.of({**row, **extra}, joined=joined, rated=rated)
    return facts


async def locked(actor: Actor, claim_id: int, rule) -> tuple[dict, dict, ClaimFacts]:
    """The claim's task and the claim, locked, and its facts, once ``rule`` lets the actor act."""
    task, claim = await lock_claim(claim_id)
    facts = (await facts_for(actor, [claim]))[claim_id]
    refuse(rule(actor, facts))
    return task, claim, facts


def answer(actor: Actor, row: dict, facts: ClaimFacts) -> ClaimRecord:
    """The record of a claim a use case has just changed, from the row ``move`` answered and the
    facts it checked (which the change leaves as they were but for the row's own state): no
    second read after the commit."""
    facts = replace(facts, status=row["status"], decided_by=row["decided_by"])
    return ClaimRecord(**row, may=claim_rules.may(actor, facts))


def performs(actor: Actor, claim: dict) -> bool:
    """The performer, or the representative of the organisation that claimed for them."""
    return claim["member"] == actor.member_id or actor.acts_for(claim["organisation"])


async def withdraw_claim(actor: Actor, claim_id: int, *, reason: str = "", now: datetime) -> ClaimRecord:
    reason = text(reason, REASON_MAX_CHARS, N_("reason"))
    async with atomic():
        task, claim, _ = await locked(actor, claim_id, claim_rules.withdraw)
        await move(Claim, "claim", claim, "withdrawn", "withdraw", actor=actor.member_id, now=now, why=reason)
        await release_place(task, actor=actor.member_id, now=now)
    return await view_claim(actor, claim_id)


async def check_in(actor: Actor, claim_id: int, *, now: datetime) -> ClaimRecord:
    async with atomic():
        _, claim, facts = await locked(actor, claim_id, claim_rules.check_in)
        claim = await move(
            Claim, "claim", claim, "checked_in", "check_in", actor=actor.member_id, now=now, checked_in_at=now
        )
    return answer(actor, claim, facts)


def _check_minutes(minutes: int, field: str = "minutes") -> None:
    if isinstance(minutes, bool) or not 1 <= minutes <= CLAIM_MAX_MINUTES:
        raise errors.Invalid(N_("Minutes are 1 to {limit}."), field=field, limit=CLAIM_MAX_MINUTES)


def minutes_since(start: datetime, now: datetime) -> int:
    """Whole minutes from ``start`` to ``now``, a started minute counting as one."""
    return max(0, math.ceil((now - start).total_seconds() / 60))


async def submit_work(
    actor: Actor,
    claim_id: int,
    *,
    minutes: int,
    note: str = "",
    photos: list[Photo] | tuple[()] = (),
    now: datetime,
) -> ClaimRecord:
    """The performer reports the minutes worked since checking in, with photos of the work
    (re-encoded already); the resident or a leader confirms them."""
    note = text(note, NOTE_MAX_CHARS, N_("note"))
    _check_minutes(minutes)
    async with kept_if_committed(), atomic():
        _, claim, facts = await locked(actor, claim_id, claim_rules.submit)
        await _within_policy(facts.task_area_path, claim["member"], minutes, now)
        elapsed = minutes_since(claim["checked_in_at"], now)
        if minutes > elapsed:
            raise errors.Invalid(
                N_("You checked in {elapsed} minutes ago: report at most that many minutes."),
                field="minutes",
                elapsed=elapsed,
            )
        claim = await move(
            Claim,
            "claim",
            claim,
            "submitted",
            "submit",
            actor=actor.member_id,
            now=now,
            why=note,
            minutes=minutes,
            note=note,
            submitted_at=now,
        )
        await attach(list(photos), uploaded_by=actor.member_id, claim=claim_id, now=now)
    return answer(actor, claim, facts)


async def record_work(
    actor: Actor,
    task_id: int,
    *,
    member_id: int,
    minutes: int,
    note: str,
    photos: list[Photo] | tuple[()] = (),
    now: datetime,
) -> ClaimRecord:
    """A leader or staff member of the task's area records work someone did without checking
    in (with photos of it): their claim (or a new one, taking a place) is submitted, traced as
    recorded, and waits for confirmation like any other."""
    note = text(note, NOTE_MAX_CHARS, N_("note"), required=True)
    _check_minutes(minutes)
    async with kept_if_committed(), atomic():
        task, facts = await locked_task(actor, task_id, task_rules.record)
        if not await Member.exists().where((Member.id == member_id) & (Member.active == True)):  # noqa: E712
            raise errors.NotFound(thing=N_("member"), field="member_id")
        if member_id == actor.member_id:
            raise errors.OwnWork(N_("Someone else records your work."), field="member_id")
        await _within_policy(facts.area_path, member_id, minutes, now)
        held = (
            await Claim.select(Claim.id)
            .where(
                (Claim.task == task_id)
                & (Claim.member == member_id)
                & Claim.status.is_in(["claimed", "checked_in"])
            )
            .first()
        )
        if held is None:
            claim_id = await add_claim(
                task, member_id=member_id, organisation_id=None, actor=actor.member_id, now=now
            )
        else:
            claim_id = held["id"]
        claim = await load(Claim, "claim", claim_id)
        await move(
            Claim,
            "claim",
            claim,
            "submitted",
            "record",
            actor=actor.member_id,
            now=now,
            why=note,
            minutes=minutes,
            note=note,
            submitted_at=now,
        )
        await attach(list(photos), uploaded_by=actor.member_id, claim=claim_id, now=now)
    return await view_claim(actor, claim_id)


async def _within_policy(task_area_path: str, member_id: int, minutes: int, now: datetime) -> None:
    """The community's caps on a claim's minutes and a member's day (China's)."""
    policy = await issuance.policy_for(issuance.community_of(task_area_path))
    start, end = issuance.day_bounds(now)
    rows = await Claim.raw(
        "SELECT COALESCE(SUM(minutes), 0) AS minutes FROM projects_claim WHERE member = {} "
        "AND submitted_at >= {} AND submitted_at < {} "
        "AND status IN ('submitted', 'disputed', 'awaiting_approval', 'confirmed')",
        member_id,
        start,
        end,
    )
    issuance.check_minutes(policy, minutes, that_day=int(rows[0]["minutes"]))


async def _decide(task: dict, claim: dict, minutes: int, *, actor: int, now: datetime, action: str, why: str):
    """The work is accepted: its points are banked now, or (over the community's four-eyes
    threshold) the claim waits for a second staff member, with no transfer yet."""
    community = (await get_area(task["area"])).ancestor_ids()[2]
    points = points_for(minutes, task["points_per_hour"])
    if points and issuance.needs_approval(await issuance.policy_for(community), points):
        return await move(
            Claim,
            "claim",
            claim,
            "awaiting_approval",
            action,
            actor=actor,
            now=now,
            why=why,
            minutes=minutes,
            decided_by=actor,
            decided_at=now,
        )
    return await _bank(
        task, claim, minutes, community=community, actor=actor, now=now, action=action, why=why
    )


async def _bank(
    task: dict, claim: dict, minutes: int, *, community: int, actor: int, now: datetime, action: str, why: str
) -> dict:
    """Confirm the claim and move its points from the community's issuer, in one transaction.
    The transfer id is derived from the task and the performer, so it posts once."""
    points = points_for(minutes, task["points_per_hour"])
    transfer_id = confirmation_transfer_id(task["id"], claim["member"]) if points else None
    if transfer_id is not None:
        await transfer(
            transfer_id,
            issuer_account(community),
            member_account(claim["member"]),
            points,
            "PTS",
            reason="task",
            reference=f"claim:{claim['id']}",
            memo=task["title"][:200],
            now=now,
        )
    claim = await move(
        Claim,
        "claim",
        claim,
        "confirmed",
        action,
        actor=actor,
        now=now,
        why=why,
        minutes=minutes,
        points=points,
        transfer_id=transfer_id,
        decided_by=actor,
        decided_at=now,
    )
    await close_if_finished(task, actor=actor, now=now)
    return claim


async def approve_work(actor: Actor, claim_id: int, *, now: datetime) -> ClaimRecord:
    """A second staff member approves a large confirmation: its points are issued now."""
    async with atomic():
        task, claim, _ = await locked(actor, claim_id, claim_rules.approve)
        community = (await get_area(task["area"])).ancestor_ids()[2]
        await _bank(
            task,
            claim,
            claim["minutes"],
            community=community,
            actor=actor.member_id,
            now=now,
            action="approve",
            why="",
        )
    return await view_claim(actor, claim_id)


async def confirm_work(actor: Actor, claim_id: int, *, now: datetime) -> ClaimRecord:
    """Bank the submitted minutes as points. Idempotent: a confirmed claim is answered as it is,
    however often (and however concurrently) it is confirmed again."""
    async with atomic():
        task, claim = await lock_claim(claim_id)
        facts = (await facts_for(actor, [claim]))[claim_id]
        if claim["status"] == "confirmed":
            refuse(claim_rules.see(actor, facts))
        else:
            refuse(claim_rules.confirm(actor, facts))
            claim = await _decide(
                task, claim, claim["minutes"], actor=actor.member_id, now=now, action="confirm", why=""
            )
    return answer(actor, claim, facts)


async def dispute_work(actor: Actor, claim_id: int, *, reason: str, now: datetime) -> ClaimRecord:
    reason = text(reason, REASON_MAX_CHARS, N_("reason"), required=True)
    async with atomic():
        _, claim, facts = await locked(actor, claim_id, claim_rules.dispute)
        claim = await move(
            Claim,
            "claim",
            claim,
            "disputed",
            "dispute",
            actor=actor.member_id,
            now=now,
            why=reason,
            reason=reason,
        )
    return answer(actor, claim, facts)


async def settle_dispute(
    actor: Actor, claim_id: int, *, accept: bool, minutes: int | None = None, reason: str, now: datetime
) -> ClaimRecord:
    """A leader (or staff) decides a dispute: the work is confirmed, for the reported or a
    corrected number of minutes, or rejected (no points)."""
    reason = text(reason, REASON_MAX_CHARS, N_("reason"), required=True)
    if minutes is not None:
        _check_minutes(minutes)
    async with atomic():
        task, claim, _ = await locked(actor, claim_id, claim_rules.settle)
        if accept and minutes is not None and minutes > claim["minutes"]:
            # A settlement decides between the two sides: it never pays more than was reported.
            raise errors.Invalid(
                N_("A settlement can lower the minutes reported ({reported}), never raise them."),
                field="minutes",
                reported=claim["minutes"],
            )
        if accept:
            await _decide(
                task,
                claim,
                minutes or claim["minutes"],
                actor=actor.member_id,
                now=now,
                action="settle",
                why=reason,
            )
        else:
            await move(
                Claim,
                "claim",
                claim,
                "rejected",
                "settle",
                actor=actor.member_id,
                now=now,
                why=reason,
                reason=reason,
                decided_by=actor.member_id,
                decided_at=now,
            )
            await release_place(task, actor=actor.member_id, now=now)  # rejected work frees its place
    return await view_claim(actor, claim_id)


async def records(actor: Actor, rows: list[dict]) -> list[ClaimRecord]:
    """The claim rows ``actor`` may see, as records with what they may do, in order."""
    facts = await facts_for(actor, rows)
    return [
        ClaimRecord(**row, may=claim_rules.may(actor, facts[row["id"]]))
        for row in rows
        if claim_rules.sees(actor, facts[row["id"]])
    ]


async def list_claims(actor: Actor, *, task_id: int | None = None, mine: bool = False) -> list[ClaimRecord]:
    """A task's claims (for its staff and leaders, and its performers), or my own."""
    query = Claim.select().order_by(Claim.id, ascending=False).limit(200)
    if mine or task_id is None:
        query = query.where(Claim.member == actor.member_id)
    else:
        await view_task(actor, task_id)
        query = query.where(Claim.task == task_id)
    return await records(actor, await query)


async def view_claim(actor: Actor, claim_id: int) -> ClaimRecord:
    row = await Claim.select().where(Claim.id == claim_id).first()
    found = await records(actor, [row]) if row else []
    if not found:
        raise errors.NotFound(thing=N_("claim"))
    return found[0]


async def claim_history(actor: Actor, claim_id: int) -> list[events.Trace]:
    await view_claim(actor, claim_id)
    return await events.history("claim", claim_id)
