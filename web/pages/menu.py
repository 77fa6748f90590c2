"""The menu: which pages each role sees, in the order a phone shows them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from projects.access import Actor
from projects.errors import N_


@dataclass(frozen=True, slots=True)
class NavEntry:
    label: str  # a msgid
    href: str
    shows: Callable[[Actor], bool]


# The menu, in order; the first four show on a phone without opening "More", so each
# role's daily pages come first. Other parts of the site (the market) add theirs with ``NAV.append``.
NAV: list[NavEntry] = [
    NavEntry(N_("Home"), "/", lambda actor: True),
    NavEntry(N_("Order a service"), "/needs/new", lambda actor: actor.is_resident),
    NavEntry(N_("My needs"), "/needs", lambda actor: actor.is_resident),
    NavEntry(N_("Open tasks"), "/tasks", lambda actor: actor.is_volunteer),
    NavEntry(N_("Common needs"), "/needs/common", lambda actor: actor.is_resident),
    NavEntry(N_("Desk"), "/desk", lambda actor: actor.has_desk),
    NavEntry(N_("Statistics"), "/stats", lambda actor: actor.is_admin or actor.is_staff_somewhere),
    NavEntry(N_("My claims"), "/claims", lambda actor: actor.is_volunteer or bool(actor.represented)),
    NavEntry(N_("Resources"), "/resources", lambda actor: actor.has_desk),
    NavEntry(N_("Organisation"), "/organisation", lambda actor: bool(actor.represented)),
    NavEntry(N_("Points"), "/points", lambda actor: True),
    NavEntry(N_("Notifications"), "/notifications", lambda actor: True),
    NavEntry(N_("Changes made in the admin"), "/admin-edits", lambda actor: actor.is_admin),
]


def navigation(actor: Actor | None) -> list[NavEntry]:
    return [entry for entry in NAV if actor is not None and entry.shows(actor)]
