"""Opening and closing Linli's database, and bringing it up to date (Piccolo migrations)."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.base import Engine

import piccolo_conf
from ledger.engine import engine_from_url, is_sqlite


async def migrate(quiet: bool = True) -> None:
    """Apply every pending migration of every app; raise if one fails."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{output.getvalue()}")


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


def database_name(engine: Engine) -> str:
    """``sqlite`` or ``postgresql``: what the health check and the CLI call the engine."""
    return "sqlite" if is_sqlite(engine) else "postgresql"
