"""What waits for a member's own action, for their home page: work to confirm or rate on their
needs, claims to check in or submit, tasks offered to them or their organisations, codes to
show or to fulfil (an organisation's, or for its staff a community's own), and the desk's
queues. Counted in one query (plus one for a desk)."""

from __future__ import annotations

from dataclasses import dataclass

from projects import errors
from projects.access import Actor
from projects.desk import desk_needs
from projects.errors import N_
from projects.tables import Claim

_COUNTS = """
SELECT
    (SELECT COUNT(*) FROM projects_claim c JOIN projects_task t ON t.id = c.task
     JOIN projects_need n ON n.id = t.need
     WHERE n.resident = {} AND c.status = 'submitted') AS to_confirm,
    (SELECT MIN(t.need) FROM projects_claim c JOIN projects_task t ON t.id = c.task
     JOIN projects_need n ON n.id = t.need
     WHERE n.resident = {} AND c.status = 'submitted') AS to_confirm_need,
    (SELECT COUNT(*) FROM projects_claim c JOIN projects_task t ON t.id = c.task
     JOIN projects_need n ON n.id = t.need
     WHERE n.resident = {} AND c.status = 'confirmed' AND c.member <> {}
       AND NOT EXISTS (SELECT 1 FROM projects_rating r
                       WHERE r.claim = c.id AND r.rater = {})) AS to_rate,
    (SELECT MIN(t.need) FROM projects_claim c JOIN projects_task t ON t.id = c.task
     JOIN projects_need n ON n.id = t.need
     WHERE n.resident = {} AND c.status = 'confirmed' AND c.member <> {}
       AND NOT EXISTS (SELECT 1 FROM projects_rating r
                       WHERE r.claim = c.id AND r.rater = {})) AS to_rate_need,
    (SELECT COUNT(*) FROM projects_claim c WHERE c.member = {}
       AND c.status IN ('claimed', 'checked_in')) AS to_work,
    (SELECT MIN(c.id) FROM projects_claim c WHERE c.member = {}
       AND c.status IN ('claimed', 'checked_in')) AS to_work_claim,
    (SELECT COUNT(*) FROM projects_task t WHERE t.assignee_member = {} AND t.status = 'offered') AS offered,
    (SELECT MIN(t.id) FROM projects_task t
     WHERE t.assignee_member = {} AND t.status = 'offered') AS offered_task,
    (SELECT COUNT(*) FROM projects_task t WHERE t.status = 'offered' AND t.assignee_organisation IN
       (SELECT o.organisation FROM projects_organisation_member o
        WHERE o.member = {} AND o.role = 'representative')) AS offered_to_us,
    (SELECT COUNT(*) FROM market_redemption r WHERE r.member = {} AND r.status = 'pending') AS codes,
    (SELECT MIN(r.id) FROM market_redemption r WHERE r.member = {} AND r.status = 'pending') AS codes_first,
    (SELECT COUNT(*) FROM market_redemption r JOIN market_item i ON i.id = r.item
     WHERE r.status = 'pending' AND (i.organisation IN
       (SELECT o.organisation FROM projects_organisation_member o
        WHERE o.member = {} AND o.role = 'representative')
       OR (i.organisation IS NULL AND EXISTS
       (SELECT 1 FROM projects_role g JOIN projects_area ga ON ga.id = g.area
        JOIN projects_area ia ON ia.id = i.community
        WHERE g.member = {} AND g.role = 'staff' AND ia.path >= ga.path
          AND ia.path < SUBSTR(ga.path, 1, LENGTH(ga.path) - 1) || '0')))) AS to_fulfil
"""


@dataclass(frozen=True, slots=True)
class Waiting:
    """One thing waiting for the member: what it is (a msgid with ``{count}``), how many, where."""

    text: str
    count: int
    link: str


def _one_or_list(count: int, first, one: str, many: str) -> str:
    return one.format(first) if count == 1 and first is not None else many


async def agenda(actor: Actor) -> list[Waiting]:
    """The things waiting for ``actor``, most pressing first; only those with something in them."""
    me = actor.member_id
    row = (await Claim.raw(_COUNTS, *([me] * 17)))[0]
    found = [
        Waiting(
            N_("Work done for you waits for your confirmation: {count}"),
            row["to_confirm"],
            f"/needs/{row['to_confirm_need']}",
        ),
        Waiting(N_("Tasks offered to you: {count}"), row["offered"], f"/tasks/{row['offered_task']}"),
        Waiting(
            N_("Your claims to check in or report: {count}"),
            row["to_work"],
            _one_or_list(row["to_work"], row["to_work_claim"], "/claims/{}", "/claims"),
        ),
        Waiting(N_("Tasks offered to your organisation: {count}"), row["offered_to_us"], "/organisation"),
        Waiting(N_("Codes waiting to be fulfilled: {count}"), row["to_fulfil"], "/provider"),
        Waiting(
            N_("Redemption codes to show: {count}"),
            row["codes"],
            _one_or_list(row["codes"], row["codes_first"], "/redemptions/{}", "/redemptions"),
        ),
        Waiting(N_("Services to rate: {count}"), row["to_rate"], f"/needs/{row['to_rate_need']}"),
    ]
    if actor.has_desk:
        try:
            triage = await desk_needs(actor, view="new", limit=100)
        except errors.NotAllowed:  # an admin without an area of their own
            triage = None
        count = sum("triage" in need.may for need in triage.items) if triage else 0
        found.insert(0, Waiting(N_("Needs waiting for triage: {count}"), count, "/desk?view=new"))
    return [item for item in found if item.count]
