"""The limits of venture calls and bids, shared by the domain, the request models and the forms."""

MAX_BUDGET = 10**11  # fen: a billion yuan
MAX_CRITERIA = 20
MAX_PANEL = 50
MAX_MILESTONES = 20
MAX_BIDS = 200  # per call: a ranking is computed over all of them at once
PAGE = 50
