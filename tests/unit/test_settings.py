"""The settings from the environment (settings.py): what they default to, what they refuse, and
that the README and the code know exactly the variables settings.py lists."""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from pathlib import Path

import pytest

import settings
from settings import DEVELOPMENT_VARIABLES, VARIABLES, Settings

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"\bLINLI_[A-Z0-9_]+\b")
KNOWN = {variable.name for variable in (*VARIABLES, *DEVELOPMENT_VARIABLES)}


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


def test_a_blank_or_missing_variable_is_its_default(monkeypatch):
    for variable in (*VARIABLES, *DEVELOPMENT_VARIABLES):
        monkeypatch.setenv(variable.name, "  ")
        assert variable.read() == variable.default, variable.name
        monkeypatch.delenv(variable.name)
        assert variable.read() == variable.default, variable.name


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("LINLI_DATABASE_URL", "mysql://db/linli"),
        ("LINLI_SWEEP_INTERVAL_S", "-1"),
        ("LINLI_NOTIFY_INTERVAL_S", "often"),
        ("LINLI_HTTPS", "true"),
        ("LINLI_TRUSTED_PROXIES", "proxy.example"),
        ("LINLI_SESSION_IDLE_MINUTES", "1.5"),
        ("LINLI_SMTP_URL", "http://mail.example.org"),
        ("LINLI_SMTP_URL", "smtp://mail.example.org:port"),
        ("LINLI_SMTP_URL", "smtp://mail.example.org?tls=maybe"),
        ("LINLI_BASE_URL", "linli.example.org"),
    ],
)
def test_a_wrong_value_stops_the_start_with_an_error_that_names_its_variable(monkeypatch, name, wrong):
    monkeypatch.setenv(name, wrong)
    with pytest.raises(ValueError, match=name):
        Settings.from_env()


def test_an_interval_given_to_the_app_is_held_to_its_variables_rule():
    with pytest.raises(ValueError, match="LINLI_SWEEP_INTERVAL_S"):
        Settings.from_env(sweep_interval_s=float("nan"))
    assert Settings.from_env(notify_interval_s=0).notify_interval_s == 0


def test_the_base_url_loses_the_slash_it_ends_with(monkeypatch):
    monkeypatch.setenv("LINLI_BASE_URL", "https://linli.example.org/")
    assert Settings.from_env().base_url == "https://linli.example.org"


def test_every_variable_has_a_unique_name_a_kind_and_a_description():
    variables = (*VARIABLES, *DEVELOPMENT_VARIABLES)
    assert len(KNOWN) == len(variables)
    for variable in variables:
        assert variable.name.startswith("LINLI_") and variable.kind and variable.description
        assert settings.known(variable.name) is variable


def _configuration_table(readme: str) -> list[str]:
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(LINLI_[A-Z0-9_]+)` \|", section, flags=re.MULTILINE)


def test_the_readme_configuration_table_lists_every_deployment_variable_once_in_order():
    listed = _configuration_table((ROOT / "README.md").read_text(encoding="utf-8"))
    assert listed == [variable.name for variable in VARIABLES]


def test_the_readme_names_no_variable_that_settings_does_not_know():
    named = set(NAME.findall((ROOT / "README.md").read_text(encoding="utf-8")))
    assert named - KNOWN == set()


def _sources() -> list[Path]:
    found = [ROOT / ".ci" / "run"]
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if not any(part.startswith(".") for part in relative.parts):
            found.append(path)
    return found


def test_the_code_names_no_variable_that_settings_does_not_know():
    unknown = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in _sources()
        for name in NAME.findall(path.read_text(encoding="utf-8"))
        if name not in KNOWN
    }
    assert unknown == set()


def test_only_settings_reads_a_linli_variable_from_the_environment():
    # Frozen migrations keep what they were written with.
    reading = re.compile(r"""(?:environ\.get\(|environ\[|getenv\()\s*["']LINLI_""")
    readers = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if path.suffix == ".py"
        and path.name != "settings.py"
        and "piccolo_migrations" not in path.parts
        and reading.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == []
