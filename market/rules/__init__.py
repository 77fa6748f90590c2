"""What an actor may do to the market's things (items, redemptions, listings, exchanges, gifts,
the fund, calls, bids and milestones), decided once as ``projects.rules`` decides it for needs,
tasks and claims: each rule is a pure function ``(actor, facts) -> refusal | None``; use cases
raise the refusal (``refuse``), reads list the actions allowed beside each item (``allowed``).
"""

from projects.rules import allowed, refuse

__all__ = ["allowed", "refuse"]
