"""Opening and closing Linli's database, and bringing it up to date (Piccolo migrations)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import io
import os
import shutil
import sqlite3
import subprocess
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.base import Engine

import piccolo_conf
from ledger.engine import engine_from_url, is_sqlite

MIGRATION_LOCK = 0x4C494E4C4A  # PostgreSQL advisory lock key: one migrator at a time
BACKUP_MODE = 0o600  # a backup holds secrets: its owner alone reads it
MEDIA_BACKUP_MODE = 0o700  # and so do the folders of its photos


async def migrate(quiet: bool = True) -> None:
    """Apply every pending migration of every app; raise if one fails.

    Several processes may start at once (workers behind one address, ``linli migrate`` beside a
    running app): a lock makes the others wait, then find nothing left to do.
    """
    output = io.StringIO()
    async with _migration_lock(piccolo_conf.DB):
        with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
            result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{output.getvalue()}")


@contextlib.asynccontextmanager
async def _migration_lock(engine: Engine) -> AsyncIterator[None]:
    if is_sqlite(engine):
        # Not the database's own lock: the engine's writer needs that to migrate.
        descriptor = os.open(f"{engine.path}.migrate-lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock
        return
    connection = await engine.get_new_connection()
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        try:
            yield
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    finally:
        await connection.close()


async def open_database(url: str | None = None, *, pool_size: int = 10) -> Engine:
    """The engine for ``url`` (default: LINLI_DATABASE_URL), bound to every table, its pool started.

    ``pool_size`` is PostgreSQL's connection pool; SQLite has one writer and a few readers.
    """
    engine = engine_from_url(url)
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=pool_size, max_size=pool_size)
    piccolo_conf.use(engine)
    return engine


async def close_database(engine: Engine) -> None:
    """Stop the engine's threads or pool; on SQLite this also checkpoints the WAL."""
    if is_sqlite(engine):
        engine.close()
    else:
        await engine.close_connection_pool()


DEFAULT_POSTGRES_MEDIA_DIR = "linli-media"
DEFAULT_POSTGRES_ANCHOR_FILE = "linli-anchors.jsonl"


def anchor_path(engine: Engine, configured: str | None = None) -> Path:
    """Where the ledger's anchors go: ``configured`` (LINLI_ANCHOR_FILE), else beside the SQLite
    file, else (PostgreSQL) ``linli-anchors.jsonl`` in the current directory."""
    if configured:
        return Path(configured)
    if is_sqlite(engine):
        return Path(f"{engine.path}.anchors.jsonl")
    return Path(DEFAULT_POSTGRES_ANCHOR_FILE)


def media_path(engine: Engine, configured: str | None = None) -> Path:
    """Where photos' files go: ``configured`` (LINLI_MEDIA_DIR), else beside the SQLite file
    (``linli.sqlite.media``), else (PostgreSQL) ``linli-media`` in the current directory. Every
    worker of a deployment must use the same one (README, "Photos")."""
    if configured:
        return Path(configured)
    if is_sqlite(engine):
        return Path(f"{engine.path}.media")
    return Path(DEFAULT_POSTGRES_MEDIA_DIR)


def database_name(engine: Engine) -> str:
    """``sqlite`` or ``postgresql``: what the health check and the CLI call the engine."""
    return "sqlite" if is_sqlite(engine) else "postgresql"


class BackupError(Exception):
    """The backup could not be made; the message says why, for a person."""


async def backup(engine: Engine, destination: Path) -> None:
    """Write a consistent copy of the whole database to ``destination`` while Linli keeps running.

    SQLite: the online backup API, into a file that opens as a Linli database. PostgreSQL:
    ``pg_dump --format=custom`` (restore with ``pg_restore``); it must be on PATH and match the
    server's major version. The file is the owner's alone (``BACKUP_MODE``) from the start.
    """
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        # It holds the site's secret key and every password and token hash: made readable by its
        # owner only from the first byte (the mode is set as it is created, whatever the umask).
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BACKUP_MODE)
        try:
            if is_sqlite(engine):
                os.close(descriptor)  # SQLite opens it again (an empty file is an empty database)
                descriptor = -1
                await asyncio.to_thread(_sqlite_backup, engine, partial)
            else:
                await asyncio.to_thread(_pg_dump, engine.config["dsn"], descriptor)
        finally:
            if descriptor >= 0:
                os.close(descriptor)
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)


def backup_media(root: Path, destination: Path) -> int:
    """Copy the photos' files under ``root`` into the folder ``destination`` (made, its owner's
    alone), after the database's backup: every photo that backup names is there, unless it was
    removed meanwhile. Files are written once and never changed, so a copy taken while Linli runs
    is whole. How many files were copied."""
    from projects import media

    destination.mkdir(parents=True, exist_ok=True)
    destination.chmod(MEDIA_BACKUP_MODE)
    copied = 0
    for path in media.files(root):
        target = destination / path.relative_to(root)
        for folder in (target.parent.parent, target.parent):
            folder.mkdir(exist_ok=True)
            folder.chmod(MEDIA_BACKUP_MODE)
        try:
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, BACKUP_MODE)
            with os.fdopen(descriptor, "wb") as out, path.open("rb") as source:
                shutil.copyfileobj(source, out)
        except FileNotFoundError:  # removed since it was listed: so it is in no later backup either
            target.unlink(missing_ok=True)
            continue
        copied += 1
    return copied


def _sqlite_backup(engine, target: Path) -> None:
    source = engine.connect(read_only=True)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            # A plain rollback-journal file: one self-contained file, whatever opens it next.
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
    finally:
        source.close()


def split_password(url: str) -> tuple[str, str | None]:
    """The URL without its password, and the password (None if it had none)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url, None
    host = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}@" if parts.username else ""
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}{host}")), urllib.parse.unquote(
        parts.password
    )


def _pg_dump(url: str, target: int) -> None:
    """``pg_dump`` of ``url`` into the open file ``target`` (its standard output)."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not on PATH: install PostgreSQL's client tools for your server")
    # The password goes in the environment, not on the command line, where `ps` would show it.
    url, password = split_password(url)
    environment = dict(os.environ)
    if password is not None:
        environment["PGPASSWORD"] = password
    result = subprocess.run(
        [pg_dump, "--format=custom", "--dbname", url],
        stdout=target,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        env=environment,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
