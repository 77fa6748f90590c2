"""Limits that more than one module of the market applies, named with their unit."""

# A note or a reason beside an exchange or a gift: one limit, so a member meets the same one in both.
NOTE_MAX_CHARS = 500
