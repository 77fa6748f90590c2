"""Every LINLI_* environment variable, in one place: its name, its type, its default, what it is
for, and what it refuses (with an error that names it).

A leaf: it imports nothing of Linli, so that every layer may read its settings here. A value is
read where the code needs it (``SMTP_URL.read()``, ``Settings.from_env()``), not at import, so
that tests that change the environment see their change.
"""

from __future__ import annotations

import ipaddress
import os
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

T = TypeVar("T")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_SETTING_MINUTES = 366 * 24 * 60  # a year: longer is a typo
SMTP_MODES = ("insecure", "ssl", "starttls")  # smtp:// plain, smtps:// TLS, ?tls=starttls upgrades


@dataclass(frozen=True, slots=True)
class Variable(Generic[T]):
    """One environment variable. Unset or blank, it is ``default``; any other text goes through
    ``convert`` (the variable's name, the text without surrounding blanks), which refuses what
    it cannot use with a ``ValueError`` naming the variable."""

    name: str
    kind: str  # what its text must be, in words
    default: T
    description: str
    convert: Callable[[str, str], T]

    def parse(self, text: str) -> T:
        text = text.strip()
        return self.convert(self.name, text) if text else self.default

    def read(self, environ: Mapping[str, str] | None = None) -> T:
        return self.parse((os.environ if environ is None else environ).get(self.name, ""))

    def is_set(self) -> bool:
        return bool(os.environ.get(self.name, "").strip())

    def export(self, text: str) -> None:
        """Set it for this process and for the processes it starts (uvicorn's workers and
        reloader read their settings from the environment they inherit)."""
        os.environ[self.name] = text


# -- what a variable's text may be ---------------------------------------------------------------


def text(name: str, value: str) -> str:
    return value


def database_url(name: str, value: str) -> str:
    if urllib.parse.urlparse(value).scheme not in ("sqlite", "postgres", "postgresql"):
        raise ValueError(f"{name} must start with sqlite:/// or postgresql://, not {value!r}")
    return value


def interval_s(name: str, value: float) -> float:
    """A period in seconds: zero (off) or more."""
    if not value >= 0:  # also refuses NaN
        raise ValueError(f"{name}: the interval must be zero (off) or a positive number of seconds")
    return value


def seconds(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {value!r}") from None
    return interval_s(name, number)


def minutes(name: str, value: str) -> timedelta:
    if not value.isdigit() or not 1 <= int(value) <= MAX_SETTING_MINUTES:
        raise ValueError(
            f"{name} must be a whole number of minutes from 1 to {MAX_SETTING_MINUTES}, not {value!r}"
        )
    return timedelta(minutes=int(value))


def switch(name: str, value: str) -> bool:
    # Anything but 1 or 0 is refused: "true" quietly read as "off" would drop Secure cookies.
    if value not in ("0", "1"):
        raise ValueError(f"{name} is 1 (on) or 0 or unset (off), not {value!r}")
    return value == "1"


def networks(name: str, value: str) -> tuple[Network, ...]:
    """Addresses or CIDR networks separated by commas."""
    found = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            found.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{name}: {item!r} is not an address or a network such as 10.0.0.0/8") from None
    return tuple(found)


def smtp_url(name: str, value: str) -> str:
    """``smtp://[user[:password]@]host[:port][?from=][&tls=starttls]`` or ``smtps://...``."""
    parts = urllib.parse.urlsplit(value)
    try:
        parts.port  # noqa: B018 -- urllib checks the port only when asked for it
    except ValueError:
        raise ValueError(f"{name}: the port of {parts.netloc!r} is not a number") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"{name} is smtp://host:port or smtps://host:port (user and password optional)")
    tls = urllib.parse.parse_qs(parts.query).get("tls", ["insecure"])[0]
    if parts.scheme == "smtp" and tls not in SMTP_MODES:
        raise ValueError(f"{name}'s tls is starttls")
    return value


def http_url(name: str, value: str) -> str:
    """An http:// or https:// address, without the slash it may end with."""
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{name} is an address such as https://linli.example.org, not {value!r}")
    return value.rstrip("/")


def count(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number from 1, not {value!r}")
    return int(value)


# -- the deployment's variables (the README's "Configuration" lists exactly these) ---------------

DATABASE_URL = Variable(
    "LINLI_DATABASE_URL",
    "sqlite:///path or postgresql://user:password@host:port/name",
    "sqlite:///linli.sqlite",
    "the database: a SQLite file or a PostgreSQL database",
    database_url,
)
SECRET_KEY: Variable[str | None] = Variable(
    "LINLI_SECRET_KEY",
    "text",
    None,  # one made at the first start and kept in the database
    "the secret that signs the pages' CSRF tokens and flash messages",
    text,
)
SWEEP_INTERVAL_S = Variable(
    "LINLI_SWEEP_INTERVAL_S",
    "seconds (0: off)",
    30.0,
    "seconds between the app's periodic jobs (sweeps, expiry of reservations, the daily anchor)",
    seconds,
)
HTTPS = Variable(
    "LINLI_HTTPS",
    "1 or 0",
    False,
    "1: served over HTTPS behind a proxy (Secure cookies, HSTS)",
    switch,
)
TRUSTED_PROXIES: Variable[tuple[Network, ...]] = Variable(
    "LINLI_TRUSTED_PROXIES",
    "addresses or CIDR networks, separated by commas",
    (),
    "the reverse proxies whose X-Forwarded-For says who the client is",
    networks,
)
SESSION_IDLE_MINUTES = Variable(
    "LINLI_SESSION_IDLE_MINUTES",
    f"minutes, 1 to {MAX_SETTING_MINUTES}",
    timedelta(minutes=120),
    "a sign-in token unused this long stops working",
    minutes,
)
ANCHOR_FILE: Variable[str | None] = Variable(
    "LINLI_ANCHOR_FILE",
    "a file path",
    None,  # beside the SQLite file, or linli-anchors.jsonl in the current directory (PostgreSQL)
    "the append-only file of the ledger's anchors",
    text,
)
SMTP_URL: Variable[str | None] = Variable(
    "LINLI_SMTP_URL",
    "smtp://host:port or smtps://host:port",
    None,  # no email is sent; email deliveries wait
    "the mail server notifications are emailed through",
    smtp_url,
)
NOTIFY_INTERVAL_S = Variable(
    "LINLI_NOTIFY_INTERVAL_S",
    "seconds (0: off)",
    2.0,
    "seconds between two runs of the delivery of notifications",
    seconds,
)
BASE_URL = Variable(
    "LINLI_BASE_URL",
    "an http:// or https:// address",
    "http://127.0.0.1:8000",
    "the site's address as people reach it: links in messages start with it",
    http_url,
)
MEDIA_DIR: Variable[str | None] = Variable(
    "LINLI_MEDIA_DIR",
    "a folder path",
    None,  # beside the SQLite file, or linli-media in the current directory (PostgreSQL)
    "where photos' files are kept; every worker must use the same one",
    text,
)
CJK_FONT: Variable[str | None] = Variable(
    "LINLI_CJK_FONT",
    "a font file path",
    None,  # Debian's fonts-noto-cjk (web.certificate_pdf.FONT_CANDIDATES)
    "the font file volunteer hours certificates are printed with",
    text,
)

VARIABLES: tuple[Variable, ...] = (
    DATABASE_URL,
    SECRET_KEY,
    SWEEP_INTERVAL_S,
    HTTPS,
    TRUSTED_PROXIES,
    SESSION_IDLE_MINUTES,
    ANCHOR_FILE,
    SMTP_URL,
    NOTIFY_INTERVAL_S,
    BASE_URL,
    MEDIA_DIR,
    CJK_FONT,
)

# -- the developers' variables: the tests' and the load test's, not a deployment's ----------------

TEST_POSTGRES_URL: Variable[str | None] = Variable(
    "LINLI_TEST_POSTGRES_URL",
    "postgresql://user:password@host:port/name",
    None,  # an embedded PostgreSQL server for the test session
    "a PostgreSQL server for the tests, whose user may create databases",
    text,
)
STATEFUL_EXAMPLES = Variable(
    "LINLI_STATEFUL_EXAMPLES",
    "a whole number from 1",
    25,
    "how many runs the ledger's stateful test explores",
    count,
)
LOAD_REPORT: Variable[str | None] = Variable(
    "LINLI_LOAD_REPORT",
    "a file path",
    None,  # no report
    "where the load test's users write what they did and were refused (JSON)",
    text,
)

# .ci/run is a shell script and reads these two itself; they are here to be known and documented.
CI_VENV = Variable(
    "LINLI_CI_VENV",
    "a folder path",
    ".venv-ci",
    "the virtual environment .ci/run installs Linli and its test extras into",
    text,
)
TEST_WORKERS = Variable(
    "LINLI_TEST_WORKERS",
    "a whole number from 1",
    2,
    "how many pytest-xdist workers .ci/run starts",
    count,
)

DEVELOPMENT_VARIABLES: tuple[Variable, ...] = (
    TEST_POSTGRES_URL,
    STATEFUL_EXAMPLES,
    LOAD_REPORT,
    CI_VENV,
    TEST_WORKERS,
)


# -- the app's settings, read once as it is made ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settings:
    """What the app reads from the environment as it is made (arguments to ``create_app`` take
    precedence); the secret key and the font are read where they are used."""

    database_url: str
    sweep_interval_s: float  # 0 turns the periodic jobs off
    notify_interval_s: float  # 0 turns the delivery of notifications off
    smtp_url: str | None = SMTP_URL.default
    base_url: str = BASE_URL.default
    https: bool = HTTPS.default
    trusted_proxies: tuple[Network, ...] = TRUSTED_PROXIES.default
    session_idle: timedelta = SESSION_IDLE_MINUTES.default
    anchor_file: str | None = ANCHOR_FILE.default  # None: web.database.anchor_path's default
    media_dir: str | None = MEDIA_DIR.default  # None: web.database.media_path's default

    @classmethod
    def from_env(
        cls,
        database_url: str | None = None,
        sweep_interval_s: float | None = None,
        session_idle: timedelta | None = None,
        notify_interval_s: float | None = None,
    ) -> Settings:
        return cls(
            database_url=database_url or DATABASE_URL.read(),
            sweep_interval_s=_given_or_read(SWEEP_INTERVAL_S, sweep_interval_s),
            notify_interval_s=_given_or_read(NOTIFY_INTERVAL_S, notify_interval_s),
            smtp_url=SMTP_URL.read(),
            base_url=BASE_URL.read(),
            https=HTTPS.read(),
            trusted_proxies=TRUSTED_PROXIES.read(),
            session_idle=session_idle or SESSION_IDLE_MINUTES.read(),
            anchor_file=ANCHOR_FILE.read(),
            media_dir=MEDIA_DIR.read(),
        )


def _given_or_read(variable: Variable[float], given: float | None) -> float:
    """An interval given as an argument is held to the variable's rule too."""
    return variable.read() if given is None else interval_s(variable.name, given)


def known(name: str) -> Variable | None:
    """The variable called ``name``, deployment's or developers'."""
    return next((found for found in (*VARIABLES, *DEVELOPMENT_VARIABLES) if found.name == name), None)
