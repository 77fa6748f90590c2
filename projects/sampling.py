"""A random sample anyone can repeat: each member of the frame is ranked by
HMAC-SHA256(seed, their id in decimal), and the sample is the ``size`` lowest ranks.

With the frame and the seed published, a few lines in any language give the same sample back;
without the seed, nobody could have steered who is drawn. The seed is 32 random bytes, shown as
64 hexadecimal digits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_seed() -> str:
    return secrets.token_hex(32)


def rank(seed: str, member_id: int) -> str:
    return hmac.new(bytes.fromhex(seed), str(member_id).encode(), hashlib.sha256).hexdigest()


def draw(frame: list[int], seed: str, size: int) -> list[int]:
    """The sample of ``size`` from ``frame`` (member ids), in the order of their ranks."""
    return sorted(set(frame), key=lambda member_id: rank(seed, member_id))[: max(0, size)]
