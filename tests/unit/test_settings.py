"""The app's settings from the environment, read once: what they default to and what they refuse."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import pytest

from web.app import Settings


def test_defaults_trust_no_proxy_end_idle_sessions_after_two_hours_and_assume_plain_http(monkeypatch):
    for name in ("LINLI_TRUSTED_PROXIES", "LINLI_SESSION_IDLE_MINUTES", "LINLI_HTTPS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert settings.trusted_proxies == () and settings.session_idle == timedelta(minutes=120)
    assert settings.https is False


def test_each_setting_is_read_from_its_variable_and_a_wrong_one_stops_the_start(monkeypatch):
    monkeypatch.setenv("LINLI_TRUSTED_PROXIES", "10.0.0.0/8,192.0.2.1")
    monkeypatch.setenv("LINLI_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("LINLI_HTTPS", "1")
    settings = Settings.from_env()
    assert settings.trusted_proxies == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.0.2.1/32"),
    )
    assert settings.session_idle == timedelta(minutes=30) and settings.https is True
    monkeypatch.setenv("LINLI_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ValueError, match="LINLI_SESSION_IDLE_MINUTES"):
        Settings.from_env()
