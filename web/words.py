"""Names of states and things, marked for translation so that Babel extracts them.

Errors pass these as parameters (``WrongState(thing="task", state="full", ...)``) and
``web.i18n.translate`` translates a parameter that is itself a msgid; pages show them as labels.
Some are marked elsewhere too (an action's past participle is often also a state's name); listing
them here keeps every state in the catalogue whatever the code around it becomes.
"""

from __future__ import annotations

from projects.errors import N_

# What a message can be about: ``There is no such {thing}.``, ``This {thing} is {state} ...``.
THINGS = {
    "need": N_("need"),
    "task": N_("task"),
    "claim": N_("claim"),
    "project": N_("project"),
    "milestone": N_("milestone"),
    "member": N_("member"),
    "area": N_("area"),
    "organisation": N_("organisation"),
    "resource": N_("resource"),
    "category": N_("category"),
    "leader": N_("leader"),
    "survey": N_("survey"),
    "evaluation": N_("evaluation"),
    "certificate": N_("certificate"),
    "community": N_("community"),
}

# The states each thing moves through (projects/triage.py, tasks.py, claims.py, service_projects.py).
STATES = {
    "need": {
        "new": N_("new"),
        "triaged": N_("triaged"),
        "in_progress": N_("in_progress"),
        "done": N_("done"),
        "rejected": N_("rejected"),
        "merged": N_("merged"),
        "cancelled": N_("cancelled"),
    },
    "task": {
        "offered": N_("offered"),
        "declined": N_("declined"),
        "open": N_("open"),
        "full": N_("full"),
        "done": N_("done"),
        "cancelled": N_("cancelled"),
        "expired": N_("expired"),
    },
    "claim": {
        "claimed": N_("claimed"),
        "checked_in": N_("checked_in"),
        "submitted": N_("submitted"),
        "confirmed": N_("confirmed"),
        "disputed": N_("disputed"),
        "awaiting_approval": N_("awaiting_approval"),
        "rejected": N_("rejected"),
        "withdrawn": N_("withdrawn"),
        "cancelled": N_("cancelled"),
    },
    "project": {
        "published": N_("published"),
        "claimed": N_("claimed"),
        "completed": N_("completed"),
        "cancelled": N_("cancelled"),
    },
    # The market (market/redemptions.py, listings.py, exchanges.py).
    "redemption": {
        "pending": N_("pending"),
        "fulfilled": N_("fulfilled"),
        "rejected": N_("rejected"),
        "cancelled": N_("cancelled"),
        "expired": N_("expired"),
    },
    "listing": {"open": N_("open"), "closed": N_("closed")},
    "exchange": {
        "proposed": N_("proposed"),
        "accepted": N_("accepted"),
        "submitted": N_("submitted"),
        "confirmed": N_("confirmed"),
        "disputed": N_("disputed"),
        "declined": N_("declined"),
        "cancelled": N_("cancelled"),
    },
    # Venture calls, bids and milestones: market.ventures.records.STATES.
}

# What the catalogue offers.
ITEM_KINDS = {"goods": N_("goods"), "service": N_("service")}

# Area levels, top down: ``A {level} must be placed under a {parent}.``
AREA_LEVELS = {
    "district": N_("district"),
    "street": N_("street"),
    "community": N_("community"),
    "grid": N_("grid"),
    "building": N_("building"),
    "unit": N_("unit"),
}

# How a state is named on a page where its code would read as a code ("checked_in"): the
# msgid shown for it; a state not listed here is named by its code, which is already a word.
STATE_NAMES = {
    "checked_in": N_("checked in"),
    "in_progress": N_("in progress"),
    "awaiting_approval": N_("awaiting approval"),
}

# Channels a need can come in by: plain words, with the seeds' names (三问) for those who run them.
CHANNELS = {
    "online": N_("online"),
    "door_visit": N_("door visit"),
    "hotline": N_("hotline"),
    "grid_patrol": N_("grid patrol"),
    "consultation": N_("consultation"),
    "open311": N_("civic app (Open311)"),
}
CHANNEL_NAMES = CHANNELS  # the ledgers' and statistics' name for the same words
SCOPE_NAMES = {"personal": N_("personal"), "common": N_("common")}

# Outlets a member can choose for their notifications (projects.outbox.CHANNELS).
NOTIFY_CHANNELS = {"email": N_("email")}

# A member's role in an organisation (``projects_organisation_member.role``).
ORGANISATION_ROLES = {"representative": N_("representative"), "member": N_("member")}
