"""The limits of venture calls and bids, shared by the domain, the request models and the forms,
each named with its unit."""

from market.limits import REASON_MAX_CHARS  # a refusal's reason reads the same everywhere

__all__ = ["REASON_MAX_CHARS"]

BUDGET_MAX_FEN = 10**11  # a billion yuan; a milestone's amount too
CALL_TITLE_MAX_CHARS = 128
CALL_DESCRIPTION_MAX_CHARS = 5000
CALL_MAX_CRITERIA = 20
CRITERION_NAME_MAX_CHARS = 100
PANEL_MAX_MEMBERS = 50
CALL_MAX_BIDS = 200  # a ranking is computed over all of them at once
PROPOSAL_MAX_CHARS = 10_000
TEAM_MAX_CHARS = 2000
BID_MAX_MILESTONES = 20
MILESTONE_TITLE_MAX_CHARS = 128
REPORT_MAX_CHARS = 5000
PAGE = 50
