"""The market's trace: its items change state through ``projects.states`` like needs and tasks,
and their events go to the append-only ``market_event``; each tells those it concerns
(``market.notifications``) through the outbox."""

from market import notifications  # noqa: F401 (registers who is told what with the outbox)
from market.tables import MarketEvent
from projects.errors import N_
from projects.states import register_subjects

THINGS = {
    "item": N_("item"),
    "redemption": N_("redemption"),
    "listing": N_("listing"),
    "exchange": N_("exchange"),
    "gift": N_("gift"),
    "donation": N_("donation"),
    "call": N_("call"),
    "bid": N_("bid"),
    "milestone": N_("milestone"),
}

register_subjects(THINGS, MarketEvent)
