"""A real browser against the real server: Debian's chromium driven by Playwright, the app
served by uvicorn in a subprocess on a free localhost port, over a fresh SQLite database with
the test street. Screenshots go to tests/browser/artefacts/ (git-ignored)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.projects.community import build_street
from web.database import close_database, open_database

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = Path(__file__).parent / "artefacts"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve(url: str) -> Iterator[str]:
    """The app on http://127.0.0.1:PORT over the database at ``url``, until the generator closes."""
    port = free_port()
    code = (
        "import uvicorn; from web.app import create_app; "
        f"uvicorn.run(create_app({url!r}, sweep_interval_s=0), host='127.0.0.1', port={port}, "
        "log_level='warning')"
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def populated(sqlite_template: Path, folder: Path, build) -> tuple[str, object]:
    """A fresh database at a copy of the template, filled by ``build()`` (a coroutine function
    run with the database open); answers its URL and what ``build`` returned."""
    path = folder / "linli.sqlite"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"

    async def fill():
        engine = await open_database(url)
        try:
            return await build()
        finally:
            await close_database(engine)

    return url, asyncio.run(fill())


@pytest.fixture(scope="module")
def server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """The app on http://127.0.0.1:PORT over a fresh database, and the street in it."""
    url, street = populated(sqlite_template, tmp_path_factory.mktemp("browser"), build_street)
    street.database_url = url  # for a test to let time pass (see test_browser_story.earlier)
    with serve(url) as base:
        yield base, street


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        # In CI (.ci/run installs it) a missing browser is a failure, never a quiet skip.
        missing = f"{CHROMIUM} is not installed (.ci/run installs it: apt-get install chromium)"
        (pytest.fail if os.environ.get("CI") else pytest.skip)(missing)
    from playwright import sync_api as playwright_api

    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def artefacts() -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    return ARTEFACTS
