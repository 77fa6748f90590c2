"""Who may see a redemption and what they may do to it now: the member who redeemed cancels it
while it waits; its provider (the item's organisation's representative, or the community's staff
for the community's own items: never a merchant's) fulfils it by its code or rejects it. A code
that can no longer be fulfilled says why, and since when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from market import errors as market_errors
from projects import errors
from projects.access import Actor
from projects.errors import N_
from projects.rules import allowed

OPEN = ("pending",)


@dataclass(frozen=True, slots=True)
class RedemptionFacts:
    """The redemption's row, who provides its item, and when and by whom it was decided."""

    id: int
    member: int
    status: str
    organisation: int | None  # the item's provider; None: the community itself
    community_path: str
    expires_at: datetime
    due: bool  # still pending, but its time is up (the sweep will expire it)
    decided_at: datetime  # when it last changed state (fulfilled, rejected, cancelled, expired)
    decided_by_name: str = ""  # who fulfilled or rejected it


def provides(actor: Actor, redemption: RedemptionFacts) -> bool:
    if redemption.organisation is not None:
        return actor.represents(redemption.organisation)
    return actor.is_staff(redemption.community_path)


def sees(actor: Actor, redemption: RedemptionFacts) -> bool:
    return redemption.member == actor.member_id or provides(actor, redemption)


def _hidden(actor: Actor, redemption: RedemptionFacts) -> errors.ProjectError:
    return errors.NotAllowed() if sees(actor, redemption) else errors.NotFound(thing=N_("redemption"))


def see(actor: Actor, redemption: RedemptionFacts) -> errors.ProjectError | None:
    return None if sees(actor, redemption) else errors.NotFound(thing=N_("redemption"))


def cancel(actor: Actor, redemption: RedemptionFacts) -> errors.ProjectError | None:
    if redemption.member != actor.member_id:
        return _hidden(actor, redemption)
    return _open(redemption, N_("cancel"))


def _open(redemption: RedemptionFacts, action: str) -> errors.ProjectError | None:
    if redemption.status not in OPEN:
        return errors.WrongState(thing=N_("redemption"), state=redemption.status, action=action)
    return None


def fulfil(actor: Actor, redemption: RedemptionFacts) -> errors.ProjectError | None:
    """The provider enters the code. To anyone else the code does not exist; a code already used
    (or given back, or out of time) says so, with when, and never passes for a new one."""
    if not provides(actor, redemption):
        return errors.NotFound(thing=N_("redemption"), field="code")
    when = redemption.decided_at
    if redemption.status == "fulfilled":
        return market_errors.AlreadyFulfilled(name=redemption.decided_by_name, when=when, field="code")
    if redemption.status == "rejected":
        return errors.WrongState(
            N_("This code was rejected on {when}: it cannot be fulfilled."), when=when, field="code"
        )
    if redemption.status == "cancelled":
        return errors.WrongState(
            N_("The member cancelled this code on {when}: it cannot be fulfilled."), when=when, field="code"
        )
    if redemption.status == "expired" or redemption.due:
        return market_errors.Expired(
            N_("This code expired on {when}: the points went back to the member."),
            when=redemption.expires_at,
            field="code",
        )
    return _open(redemption, N_("fulfil"))


def reject(actor: Actor, redemption: RedemptionFacts) -> errors.ProjectError | None:
    if not provides(actor, redemption):
        return _hidden(actor, redemption)
    return _open(redemption, N_("reject"))


def keep_desk(actor: Actor) -> errors.ProjectError | None:
    """A provider's desk is for organisations' representatives and communities' staff (the
    community's own items); each sees there only what they provide."""
    if actor.represented or actor.is_admin or any(grant.role == "staff" for grant in actor.grants):
        return None
    return errors.NotAllowed(N_("The provider's desk is for merchants, organisations and community staff."))


RULES = {"cancel": cancel, "fulfil": fulfil, "reject": reject}


def may(actor: Actor, redemption: RedemptionFacts) -> frozenset[str]:
    return allowed(actor, redemption, RULES)
