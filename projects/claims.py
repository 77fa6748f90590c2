"""Claims (接单) and the work they stand for: claim, check in, submit, then confirm (points
banked exactly once), or dispute and settle. Withdrawal gives the place back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ledger.transfers import transfer
from projects import errors, events
from projects.access import Actor, area_path
from projects.areas import get_area, issuer_account
from projects.db import atomic
from projects.errors import N_
from projects.members import member_account
from projects.points import confirmation_transfer_id, points_for
from projects.states import load, move, require_state, text
from projects.tables import Claim, Need, OrganisationMember, Task
from projects.tasks import close_if_finished, release_place, take_place

MAX_MINUTES = 24 * 60


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
        raise errors.AlreadyClaimed()
    if task["need"] is not None:
        need = await Need.select(Need.resident).where(Need.id == task["need"]).first()
        if need["resident"] == member_id:
            raise errors.OwnWork(N_("You cannot claim a task for your own need."))
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
        task = await load(Task, "task", task_id)
        if organisation_id is not None or performer != actor.member_id:
            if organisation_id is None or not actor.represents(organisation_id):
                raise errors.NotAllowed()
            if not await OrganisationMember.exists().where(
                (OrganisationMember.organisation == organisation_id)
                & (OrganisationMember.member == performer)
            ):
                raise errors.Invalid(N_("That member does not belong to the organisation."))
        if task["assignee_member"] is not None and task["assignee_member"] != performer:
            raise errors.NotAllowed(N_("This task was dispatched to someone else."))
        if task["assignee_organisation"] is not None and task["assignee_organisation"] != organisation_id:
            raise errors.NotAllowed(
                N_("This task was dispatched to an organisation: its representative claims it.")
            )
        if organisation_id is None and not any(grant.role == "volunteer" for grant in actor.grants):
            # The open pool is for registered volunteers (志愿者); organisations send their members.
            raise errors.NotAllowed(N_("Only registered volunteers can claim open tasks."))
        claim_id = await add_claim(
            task, member_id=performer, organisation_id=organisation_id, actor=actor.member_id, now=now
        )
    return await get_claim(claim_id)


async def lock_claim(claim_id: int) -> tuple[dict, dict]:
    """The claim's task and the claim, locked in that order (see ``states``)."""
    head = await Claim.select(Claim.task).where(Claim.id == claim_id).first()
    if head is None:
        raise errors.NotFound(thing=N_("claim"))
    task = await load(Task, "task", head["task"])
    return task, await load(Claim, "claim", claim_id)


def performs(actor: Actor, claim: dict) -> bool:
    """The performer, or the representative of the organisation that claimed for them: the
    work is theirs (to report, and never to confirm, settle or rate)."""
    return claim["member"] == actor.member_id or actor.acts_for(claim["organisation"])


async def withdraw_claim(actor: Actor, claim_id: int, *, reason: str = "", now: datetime) -> ClaimRecord:
    reason = text(reason, 500, N_("reason"))
    async with atomic():
        task, claim = await lock_claim(claim_id)
        actor.require(performs(actor, claim))
        require_state(claim, "claim", ("claimed", "checked_in"), N_("withdraw"))
        await move(Claim, "claim", claim, "withdrawn", "withdraw", actor=actor.member_id, now=now, why=reason)
        await release_place(task, actor=actor.member_id, now=now)
    return await get_claim(claim_id)


async def check_in(actor: Actor, claim_id: int, *, now: datetime) -> ClaimRecord:
    async with atomic():
        _, claim = await lock_claim(claim_id)
        actor.require(performs(actor, claim))
        require_state(claim, "claim", ("claimed",), N_("check in"))
        await move(
            Claim, "claim", claim, "checked_in", "check_in", actor=actor.member_id, now=now, checked_in_at=now
        )
    return await get_claim(claim_id)


async def submit_work(
    actor: Actor, claim_id: int, *, minutes: int, note: str = "", now: datetime
) -> ClaimRecord:
    """The performer reports the minutes worked; the resident or a leader confirms them."""
    note = text(note, 2000, N_("note"))
    if not 1 <= minutes <= MAX_MINUTES:
        raise errors.Invalid(N_("Minutes are 1 to {limit}."), limit=MAX_MINUTES)
    async with atomic():
        _, claim = await lock_claim(claim_id)
        actor.require(performs(actor, claim))
        require_state(claim, "claim", ("claimed", "checked_in"), N_("submit"))
        await move(
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
    return await get_claim(claim_id)


async def _receives(actor: Actor, task: dict) -> bool:
    """The resident the work was for, or a leader or staff of the task's area."""
    if actor.manages(await area_path(task["area"])):
        return True
    if task["need"] is None:
        return False
    need = await Need.select(Need.resident).where(Need.id == task["need"]).first()
    return need["resident"] == actor.member_id


async def _may_confirm(actor: Actor, task: dict, claim: dict) -> None:
    """Those who received the work confirm or dispute it; never its performer. To anyone
    else the claim does not exist."""
    if performs(actor, claim):
        raise errors.OwnWork(action=N_("confirm"))
    if not await _receives(actor, task):
        raise errors.NotFound(thing=N_("claim"))


async def _bank(
    task: dict, claim: dict, minutes: int, *, actor: int, now: datetime, action: str, why: str
) -> dict:
    """Confirm the claim and move its points from the community's issuer, in one transaction.
    The transfer id is derived from the task and the performer, so it posts once."""
    points = points_for(minutes, task["points_per_hour"])
    transfer_id = confirmation_transfer_id(task["id"], claim["member"]) if points else None
    if transfer_id is not None:
        community = (await get_area(task["area"])).ancestor_ids()[2]
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


async def confirm_work(actor: Actor, claim_id: int, *, now: datetime) -> ClaimRecord:
    """Bank the submitted minutes as points. Idempotent: a confirmed claim is answered as it is,
    however often (and however concurrently) it is confirmed again."""
    async with atomic():
        task, claim = await lock_claim(claim_id)
        await _may_confirm(actor, task, claim)
        if claim["status"] != "confirmed":
            require_state(claim, "claim", ("submitted",), N_("confirm"))
            await _bank(
                task, claim, claim["minutes"], actor=actor.member_id, now=now, action="confirm", why=""
            )
    return await get_claim(claim_id)


async def dispute_work(actor: Actor, claim_id: int, *, reason: str, now: datetime) -> ClaimRecord:
    reason = text(reason, 500, N_("reason"), required=True)
    async with atomic():
        task, claim = await lock_claim(claim_id)
        await _may_confirm(actor, task, claim)
        require_state(claim, "claim", ("submitted",), N_("dispute"))
        await move(
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
    return await get_claim(claim_id)


async def settle_dispute(
    actor: Actor, claim_id: int, *, accept: bool, minutes: int | None = None, reason: str, now: datetime
) -> ClaimRecord:
    """A leader (or staff) decides a dispute: the work is confirmed, for the reported or a
    corrected number of minutes, or rejected (no points)."""
    reason = text(reason, 500, N_("reason"), required=True)
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise errors.Invalid(N_("Minutes are 1 to {limit}."), limit=MAX_MINUTES)
    async with atomic():
        task, claim = await lock_claim(claim_id)
        if performs(actor, claim):
            raise errors.OwnWork(action=N_("settle"))
        actor.require(actor.manages(await area_path(task["area"])))
        require_state(claim, "claim", ("disputed",), N_("settle"))
        if accept:
            await _bank(
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
    return await get_claim(claim_id)


async def list_claims(actor: Actor, *, task_id: int | None = None, mine: bool = False) -> list[ClaimRecord]:
    """A task's claims (for its staff and leaders, and its performers), or my own."""
    query = Claim.select().order_by(Claim.id, ascending=False).limit(200)
    if mine or task_id is None:
        query = query.where(Claim.member == actor.member_id)
    else:
        task = await Task.select(Task.area).where(Task.id == task_id).first()
        if task is None:
            raise errors.NotFound(thing=N_("task"))
        query = query.where(Claim.task == task_id)
        if not actor.manages(await area_path(task["area"])):
            query = query.where(
                (Claim.member == actor.member_id) | Claim.organisation.is_in(actor.represented or [-1])
            )
    return [ClaimRecord(**row) for row in await query]


async def view_claim(actor: Actor, claim_id: int) -> ClaimRecord:
    claim = await get_claim(claim_id)
    if performs(actor, {"member": claim.member, "organisation": claim.organisation}):
        return claim
    task = await Task.select(Task.area, Task.need).where(Task.id == claim.task).first()
    if await _receives(actor, task):
        return claim
    raise errors.NotFound(thing=N_("claim"))


async def claim_history(actor: Actor, claim_id: int) -> list[events.Trace]:
    await view_claim(actor, claim_id)
    return await events.history("claim", claim_id)
