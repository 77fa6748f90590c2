"""`linli serve --workers N` on PostgreSQL: several processes behind one port, one that is killed
is started again while the others keep answering; SQLite is refused more than one."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.test_cli import free_port, linli


def test_sqlite_is_refused_more_than_one_worker(tmp_path):
    result = linli(
        "serve", "--workers", "2", url=f"sqlite:///{tmp_path}/linli.sqlite", cwd=tmp_path, check=False
    )
    assert result.returncode == 2
    assert "SQLite has one writer" in result.stderr
    assert not (tmp_path / "linli.sqlite").exists()


def _wait_for(condition, timeout_s: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}" + (f":\n{log.read_text()[-4000:]}" if log else ""))


def _health(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.slow
def test_several_workers_serve_and_a_killed_one_is_started_again(postgres_databases, tmp_path: Path):
    url, port, workers = postgres_databases.new_url(migrated=False), free_port(), 3
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "--database", url, "serve", "--port", str(port)]
            + ["--workers", str(workers)],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**__import__("os").environ, "LINLI_SWEEP_INTERVAL_S": "1"},
        )
        try:
            supervisor = psutil.Process(server.pid)

            def children() -> list[psutil.Process]:
                # uvicorn's workers, not multiprocessing's resource tracker beside them, nor a
                # killed worker the supervisor has not reaped yet (a zombie)
                found = []
                for child in supervisor.children():
                    try:
                        if child.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(
                            child.cmdline()
                        ):
                            found.append(child)
                    except (psutil.NoSuchProcess, psutil.ZombieProcess):
                        continue
                return found

            _wait_for(
                lambda: (
                    len(children()) == workers
                    and _health(port)
                    and log_path.read_text().count("Application startup complete") == workers
                ),
                60,
                "three workers started",
                log_path,
            )
            victim = children()[0]
            victim.send_signal(signal.SIGKILL)
            # The others keep serving while it is gone, and the supervisor starts another.
            for _ in range(20):
                assert _health(port)
            _wait_for(
                lambda: (
                    len(children()) == workers
                    and victim.pid not in {c.pid for c in children()}
                    # at least one start more than the first workers' (a slow start may be retried)
                    and log_path.read_text().count("Application startup complete") >= workers + 1
                ),
                90,
                "the killed worker to be replaced and started",
                log_path,
            )
            assert _health(port)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    assert server.returncode in (0, -signal.SIGTERM), log_path.read_text()
