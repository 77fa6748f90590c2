"""The facts the venture rules (``market.rules.ventures``) decide on, read for one actor: the
call's state now, whether the actor is on its panel and has voted in it, and the bid and
milestone that an action is about."""

from __future__ import annotations

from datetime import datetime

from market.rules.ventures import BidFacts, CallFacts, MilestoneFacts
from market.tables import Call, Panelist, Vote
from market.ventures.records import CallRecord
from projects.access import Actor
from projects.areas import get_area

# A call's row with the path of its area, which the rules place it by.
CALL_COLUMNS = (Call.all_columns(), Call.area.path.as_alias("area_path"))


async def area_path(call: dict | CallRecord) -> str:
    area = call["area"] if isinstance(call, dict) else call.area
    return (await get_area(area)).path


async def call_facts(actor: Actor, rows: list[dict], now: datetime | None) -> dict[int, CallFacts]:
    """The rules' facts of each call row (with ``area_path``): whether the actor is on its panel
    and has voted in it, two queries for the whole list."""
    ids = [row["id"] for row in rows] or [-1]
    panel = {
        row["call"]
        for row in await Panelist.select(Panelist.call).where(
            Panelist.call.is_in(ids) & (Panelist.member == actor.member_id)
        )
    }
    voted = {
        row["call"]
        for row in await Vote.select(Vote.call).where(Vote.call.is_in(ids) & (Vote.member == actor.member_id))
    }
    return {
        row["id"]: CallFacts.of(
            row, row["area_path"], now, on_panel=row["id"] in panel, voted=row["id"] in voted
        )
        for row in rows
    }


async def facts_of_call(actor: Actor, call: dict, now: datetime | None) -> CallFacts:
    """The facts of one call row (locked, without its area's path)."""
    return (await call_facts(actor, [{**call, "area_path": await area_path(call)}], now))[call["id"]]


async def facts_of_call_id(actor: Actor, call_id: int, now: datetime | None) -> CallFacts:
    """The facts of a call found by its id, unlocked: for reads."""
    rows = await Call.select(*CALL_COLUMNS).where(Call.id == call_id)
    return (await call_facts(actor, rows, now))[call_id]


def bid_facts(bid: dict, call: CallFacts) -> BidFacts:
    return BidFacts(bid["id"], bid["organisation"], bid["status"], call)


def milestone_facts(milestone: dict, bid: dict, call: CallFacts) -> MilestoneFacts:
    return MilestoneFacts(
        id=milestone["id"],
        status=milestone["status"],
        bid_organisation=bid["organisation"],
        bid_status=bid["status"],
        call_status=call.status,
        call_community=call.community,
        call_area_path=call.area_path,
        decided_by=milestone["decided_by"],
    )
