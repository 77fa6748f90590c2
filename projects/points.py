"""Confirmed minutes become points: one rule, in integers.

points = minutes × points_per_hour / 60, rounded half up to a whole point (30 minutes at 15
points an hour is 7.5, so 8). Never a float.
"""

from __future__ import annotations


def points_for(minutes: int, points_per_hour: int) -> int:
    return (minutes * points_per_hour + 30) // 60


def confirmation_transfer_id(task_id: int, member_id: int) -> str:
    """The id of the one transfer that pays ``member_id`` for ``task_id``: a retried or
    concurrent confirmation names the same transfer, and the ledger posts it once."""
    return f"task:{task_id}:member:{member_id}"
