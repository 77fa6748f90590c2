"""The sign-in policy's decisions and the client's address, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from projects.signin import (
    MAX_ADDRESS_FAILURES,
    MAX_DELAY_S,
    MAX_PAIR_FAILURES,
    WINDOW,
    SlowedDown,
    TooManyAttempts,
    refusal,
    slowdown,
)
from web.client import client_address, trusted_proxies

NOW = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)


def ago(*seconds: int) -> list[datetime]:
    return [NOW - timedelta(seconds=s) for s in seconds]


def test_a_number_tried_from_one_address_is_locked_for_the_window_after_five_failures():
    four = ago(10, 20, 30, 40)
    assert refusal(pair=four, phone=four, address=four, now=NOW) is None
    five = ago(10, 20, 30, 40, 50)
    locked = refusal(pair=five, phone=five, address=five, now=NOW)
    assert type(locked) is TooManyAttempts
    assert locked.retry_after == int((WINDOW - timedelta(seconds=50)).total_seconds())
    assert locked.params == {"minutes": 15}


def test_a_number_tried_from_many_places_only_waits_longer_and_longer():
    assert [slowdown(n).total_seconds() for n in range(4, 13)] == [0, 2, 4, 8, 16, 32, 64, 120, 120]
    five_elsewhere = ago(1, 200, 300, 400, 500)
    waiting = refusal(pair=[], phone=five_elsewhere, address=[], now=NOW)
    assert isinstance(waiting, SlowedDown) and waiting.retry_after == 1 and waiting.params == {"seconds": 1}
    assert refusal(pair=[], phone=ago(2, 200, 300, 400, 500), address=[], now=NOW) is None
    many = ago(*range(60, 60 + 30 * 20, 20))
    assert refusal(pair=[], phone=many, address=[], now=NOW).retry_after == MAX_DELAY_S - 60


def test_an_address_is_refused_only_after_a_shared_networks_worth_of_failures():
    busy = ago(*range(1, MAX_ADDRESS_FAILURES))
    assert refusal(pair=[], phone=[], address=busy, now=NOW) is None
    assert MAX_ADDRESS_FAILURES >= 100 > MAX_PAIR_FAILURES
    full = ago(*range(1, MAX_ADDRESS_FAILURES + 1))
    assert isinstance(refusal(pair=[], phone=[], address=full, now=NOW), TooManyAttempts)


def test_forwarded_for_counts_only_from_a_configured_proxy_never_because_it_is_loopback():
    assert client_address("127.0.0.1", ["203.0.113.7"], ()) == "127.0.0.1"
    proxies = trusted_proxies(" 10.0.0.0/8, 127.0.0.1 ,::1")
    assert client_address("10.1.2.3", ["203.0.113.7"], proxies) == "203.0.113.7"
    # Read from the right: what the client wrote itself on the left is not believed.
    assert client_address("10.1.2.3", ["198.51.100.1, 203.0.113.7, 10.9.9.9"], proxies) == "203.0.113.7"
    assert client_address("10.1.2.3", ["198.51.100.1", "203.0.113.7"], proxies) == "203.0.113.7"
    assert client_address("192.0.2.50", ["203.0.113.7"], proxies) == "192.0.2.50"  # not a proxy of ours
    assert client_address("::ffff:10.0.0.1", ["2001:db8::1"], proxies) == "2001:db8::1"
    assert client_address("10.1.2.3", [], proxies) == "10.1.2.3"
    assert client_address(None, ["203.0.113.7"], proxies) == "unknown"
    assert trusted_proxies("") == ()
    with pytest.raises(ValueError, match="LINLI_TRUSTED_PROXIES"):
        trusted_proxies("10.0.0.0/8, proxy.example")
