"""The sign-in policy through the real app, under concurrency, on both engines: every attempt is
reserved before its password is checked, so guesses sent together cannot pass the limits."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from projects import signin
from tests.projects.community import PASSWORD


@pytest.fixture
def proxied(monkeypatch):
    """The test client is the trusted proxy (127.0.0.1) that says which address it served."""
    monkeypatch.setenv("LINLI_TRUSTED_PROXIES", "127.0.0.1")


def from_address(address: str) -> dict:
    return {"X-Forwarded-For": address}


async def test_twelve_guesses_at_once_for_one_number_from_one_address_check_only_five(proxied, api):
    phone = api.street.phones[api.street.neighbour]
    answers = await asyncio.gather(
        *(
            api.client.post(
                "/api/v1/auth/token",
                json={"phone": phone, "password": f"guess-{n}"},
                headers=from_address("203.0.113.7"),
            )
            for n in range(12)
        )
    )
    assert Counter(a.status_code for a in answers) == {401: 5, 429: 7}
    assert all(int(a.headers["retry-after"]) > 800 for a in answers if a.status_code == 429)
    # The right password from that address waits too; from another address the number only slows.
    right = {"phone": phone, "password": PASSWORD}
    locked = await api.client.post("/api/v1/auth/token", json=right, headers=from_address("203.0.113.7"))
    assert locked.status_code == 429
    slowed = await api.client.post("/api/v1/auth/token", json=right, headers=from_address("198.51.100.2"))
    assert slowed.status_code == 429 and 1 <= int(slowed.headers["retry-after"]) <= signin.FIRST_DELAY_S
    api.clock.advance(seconds=signin.FIRST_DELAY_S)
    home = await api.client.post("/api/v1/auth/token", json=right, headers=from_address("198.51.100.2"))
    assert home.status_code == 200, home.text


async def test_guesses_at_many_numbers_at_once_from_one_address_stop_at_its_limit(proxied, api, monkeypatch):
    monkeypatch.setattr(signin, "MAX_ADDRESS_FAILURES", 8)  # 100 in production: as many checks, slower
    answers = await asyncio.gather(
        *(
            api.client.post(
                "/api/v1/auth/token",
                json={"phone": f"137{n:08d}", "password": "not-it-at-all"},
                headers=from_address("203.0.113.9"),
            )
            for n in range(20)
        )
    )
    assert Counter(a.status_code for a in answers) == {401: 8, 429: 12}
    # Another address, behind the same proxy, is not refused.
    other = await api.client.post(
        "/api/v1/auth/token",
        json={"phone": api.street.phones[api.street.resident], "password": PASSWORD},
        headers=from_address("198.51.100.3"),
    )
    assert other.status_code == 200
