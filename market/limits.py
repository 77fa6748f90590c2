"""The market's limits, shared by its use cases, the API's request models and the forms, each
named with its unit: one number per rule, so that the layers cannot disagree. Venture calls keep
theirs beside them, in ``market.ventures.limits``."""

from projects.limits import REASON_MAX_CHARS  # a refusal's reason reads the same everywhere

__all__ = ["REASON_MAX_CHARS"]

# The catalogue
ITEM_NAME_MAX_CHARS = 100
ITEM_DESCRIPTION_MAX_CHARS = 2000
PRICE_MAX_POINTS = 1_000_000
STOCK_MAX_ITEMS = 1_000_000_000
ITEM_MAX_AREAS = 50
PER_MEMBER_MAX_REDEMPTIONS = 1000  # redemptions per member per period
REDEMPTION_MAX_ITEMS = 100
REDEMPTION_CODE_MAX_CHARS = 12  # a code once its spaces and dashes are taken out
TYPED_CODE_MAX_CHARS = 32  # a code as the provider types it, spaces and dashes and all

# Peer exchange and gifts
LISTING_TITLE_MAX_CHARS = 100
LISTING_DESCRIPTION_MAX_CHARS = 2000
RATE_MAX_POINTS_PER_HOUR = 1000
EXCHANGE_MAX_MINUTES = 1440
GIFT_MAX_POINTS = 1_000_000
NOTE_MAX_CHARS = 500  # a note or a reason on an exchange or a gift

# The community fund
DONATION_MAX_FEN = 10**11  # a billion yuan
DONATION_NOTE_MAX_CHARS = 500
DONOR_NAME_MAX_CHARS = 100
RECEIPT_MAX_CHARS = 64
