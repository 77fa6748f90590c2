"""The market's tests speak to the real app like the loop's: the same ``api`` fixture."""

from tests.api.conftest import api  # noqa: F401  (a fixture, shared)
