"""What published figures may show: nothing for a group of fewer than 5 answers or ratings (a
figure for 2 people tells who said what), and a person's name only with its middle masked."""

from __future__ import annotations

MIN_GROUP = 5


def disclosed(count: int) -> bool:
    """May a figure drawn from ``count`` ratings or answers be shown?"""
    return count >= MIN_GROUP


def mask_name(name: str) -> str:
    """Keep the first and the last character and mask the rest, one ``*`` each (at most 3):
    王秀兰 → 王*兰, 欧阳娜娜 → 欧**娜, 王兰 → 王*, 兰 → *."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * min(len(name) - 2, 3) + name[-1]
