"""What waits for a staff member's second pair of eyes (DESIGN "Issuance"), for the desk: the
donations, milestones' grants and honours' bonuses over their community's threshold in the areas
they are staff of, that the rules let them approve (never what they recorded, accepted or
granted themself). Claims waiting are the desk's own queue (``projects.desk``)."""

from __future__ import annotations

from dataclasses import dataclass

from market.fund import yuan
from market.rules import allowed
from market.rules import fund as fund_rules
from market.rules import ventures as venture_rules
from market.tables import Donation, Milestone
from projects.access import Actor
from projects.areas import under
from projects.rules import issuance as four_eyes
from projects.tables import Recognition

QUEUE = 50  # of each kind


@dataclass(frozen=True, slots=True)
class Waiting:
    kind: str  # donation, grant, bonus
    id: int
    amount: str  # as people read it: ¥20000.00, or 150 (points)
    name: str  # the donor (anonymous: ""), the milestone's title, the honoured
    link: str  # the page where it is approved


def _staff_paths(actor: Actor) -> list[str]:
    return [grant.path for grant in actor.grants if grant.role == "staff"]


def _under_any(column, paths: list[str]):
    clause = under(column, paths[0])
    for path in paths[1:]:
        clause = clause | under(column, path)
    return clause


async def waiting_for(actor: Actor) -> list[Waiting]:
    """Oldest first, by kind: three queries, and the rules asked of each row (no more queries)."""
    paths = _staff_paths(actor)
    if not paths:
        return []
    found: list[Waiting] = []
    donations = (
        await Donation.select(
            *Donation.all_columns(exclude=[Donation.photo_key]), Donation.community.path.as_alias("path")
        )
        .where((Donation.status == four_eyes.WAITING) & _under_any(Donation.community.path, paths))
        .order_by(Donation.id)
        .limit(QUEUE)
    )
    for row in donations:
        fund = fund_rules.FundFacts(row["community"], row["path"])
        facts = fund_rules.DonationFacts(fund, row["status"], row["recorded_by"])
        if fund_rules.approve_donation(actor, facts) is None:
            name = "" if row["anonymous"] else row["donor_name"]
            found.append(
                Waiting("donation", row["id"], yuan(row["amount"]), name, f"/fund/{row['community']}")
            )
    milestones = (
        await Milestone.select(
            *Milestone.all_columns(),
            Milestone.bid.organisation.as_alias("organisation"),
            Milestone.bid.status.as_alias("bid_status"),
            Milestone.bid.call.as_alias("call"),
            Milestone.bid.call.status.as_alias("call_status"),
            Milestone.bid.call.community.as_alias("community"),
            Milestone.bid.call.area.path.as_alias("area_path"),
        )
        .where((Milestone.status == four_eyes.WAITING) & _under_any(Milestone.bid.call.community.path, paths))
        .order_by(Milestone.id)
        .limit(QUEUE)
    )
    for row in milestones:
        facts = venture_rules.MilestoneFacts(
            row["id"],
            row["status"],
            row["organisation"],
            row["bid_status"],
            row["call_status"],
            row["community"],
            row["area_path"],
            row["decided_by"],
        )
        if "approve" in allowed(actor, facts, {"approve": venture_rules.approve}):
            found.append(
                Waiting("grant", row["id"], yuan(row["amount"]), row["title"], f"/calls/{row['call']}")
            )
    bonuses = (
        await Recognition.select(
            *Recognition.all_columns(),
            Recognition.community.path.as_alias("path"),
            Recognition.leader.name.as_alias("leader_name"),
            Recognition.resource.name.as_alias("resource_name"),
        )
        .where((Recognition.status == four_eyes.WAITING) & _under_any(Recognition.community.path, paths))
        .order_by(Recognition.id)
        .limit(QUEUE)
    )
    for row in bonuses:
        facts = four_eyes.Waiting("recognition", row["path"], row["status"], (row["granted_by"],))
        if four_eyes.approve(actor, facts) is None:
            name = row["leader_name"] or row["resource_name"] or ""
            link = f"/evaluations/{row['community']}/years/{row['year']}"
            found.append(Waiting("bonus", row["id"], str(row["bonus_points"]), name, link))
    return found
