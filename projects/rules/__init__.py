"""What an actor may do to an item, decided once: each rule answers the refusal the use case
would raise (``None``: allowed). Use cases raise it (``refuse``); reads list the actions allowed
beside the item (``allowed``), so that a page offers a form only when its action would succeed.

A rule is a pure function of the actor and the item's facts (its row, the paths of its areas and
what the caller looked up about the actor): no database, so a list of items costs no more
queries for its actions than for its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from projects.errors import ProjectError

Rule = Callable[[Any, Any], ProjectError | None]


def refuse(error: ProjectError | None) -> None:
    """Raise the refusal a rule answered, if any."""
    if error is not None:
        raise error


def allowed(actor, facts, rules: Mapping[str, Rule]) -> frozenset[str]:
    """The names of the ``rules`` that let ``actor`` act on the item now."""
    return frozenset(name for name, rule in rules.items() if rule(actor, facts) is None)
