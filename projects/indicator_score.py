"""Scoring a community on the indicator system, as pure arithmetic over exact fractions: a leaf's
value is 0-100 (a rate × 100, a survey mean (mean − 1) × 25, an assessor's score); a node's
score is the weighted average of its children that have one (their weights, out of 100,
renormalised over those present); its coverage is the share of its weight that had values
below it; the community's score is the same over the first level."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

FULL = 100


@dataclass(frozen=True, slots=True)
class Node:
    id: int
    name: str
    weight: int  # out of 100 among its siblings
    source: str  # children, statistic, survey, assessment
    children: tuple[Node, ...] = ()
    value: Fraction | None = None  # a leaf's value, 0-100 (None: no value this year)


@dataclass(frozen=True, slots=True)
class Scored:
    node: Node
    score: Fraction | None
    coverage: Fraction  # the share (0-1) of this node's weight below it that had a value
    children: tuple[Scored, ...] = field(default_factory=tuple)


def from_rate(rate: float | Fraction | None) -> Fraction | None:
    """A rate (0-1) as a leaf's value."""
    return None if rate is None else Fraction(rate).limit_denominator(10**6) * FULL


def from_mean(mean: Fraction | float | None) -> Fraction | None:
    """A mean score 1-5 as a leaf's value: (mean − 1) × 25."""
    return None if mean is None else (Fraction(mean).limit_denominator(10**6) - 1) * 25


def score(node: Node) -> Scored:
    if not node.children:
        return Scored(node, node.value, Fraction(1 if node.value is not None else 0))
    return _combine(node, [score(child) for child in node.children])


def total(first_level: list[Node]) -> Scored:
    """The community's score over the first-level indicators."""
    return _combine(Node(0, "", FULL, "children", tuple(first_level)), [score(n) for n in first_level])


def _combine(node: Node, scored: list[Scored]) -> Scored:
    present = [child for child in scored if child.score is not None]
    weight_present = sum(child.node.weight for child in present)
    coverage = sum((child.node.weight * child.coverage for child in scored), Fraction(0)) / FULL
    if weight_present == 0:
        return Scored(node, None, coverage, tuple(scored))
    value = sum((child.node.weight * child.score for child in present), Fraction(0)) / weight_present
    return Scored(node, value, coverage, tuple(scored))


def problems(nodes: list[Node], path: str = "") -> list[str]:
    """Where siblings' weights do not sum to 100 (each a name path), for the page to show."""
    found = []
    if nodes and sum(node.weight for node in nodes) != FULL:
        found.append(path or "/")
    for node in nodes:
        found += problems(list(node.children), f"{path}/{node.name}")
    return found
