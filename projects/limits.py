"""Limits shared by the community's use cases, the API's request models and the forms, each
named with its unit: one number per rule, so that the layers cannot disagree."""

REASON_MAX_CHARS = 500  # why a need, a claim, a registration or a redemption was refused, disputed...
