"""The load test behind ``linli bench load``: the demo street served by ``linli serve`` on loopback
(SQLite with one worker, PostgreSQL with one and with several), driven by Locust's users
(bench/load/locustfile.py) for a bounded time; per configuration, requests per second and the
median and 99th-percentile latency of each operation, the failures (which must be none) and
``linli ledger verify`` afterwards.

Every piece is a real process: the server, Locust, the CLI. PostgreSQL is an embedded server of
the run's own (bench/postgres.py); the demo is built once per engine and each configuration gets
a fresh copy of it.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from settings import ANCHOR_FILE, DATABASE_URL, LOAD_REPORT, MEDIA_DIR

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
CONFIGURATIONS = {"sqlite-1": ("sqlite", 1), "postgres-1": ("postgres", 1), "postgres-4": ("postgres", 4)}
START_TIMEOUT_S = 90.0
SMALL_DEMO = ("--residents", "150", "--transfers", "0")  # the smallest demo street: a smoke run


@dataclass
class Operation:
    name: str
    requests: int
    failures: int
    median_ms: float
    p99_ms: float
    per_s: float


@dataclass
class Result:
    configuration: str
    seconds: float
    users: int
    requests_per_s: float
    failures: int
    operations: list[Operation]
    refused: dict[str, int]
    done: dict[str, int]
    ledger_verified: bool
    lost: dict[str, int] = field(default_factory=dict)  # acknowledged but not in the database
    killed: list[int] = field(default_factory=list)
    dropped: int = 0  # requests whose connection broke unanswered (the killed worker's)
    restarted: bool = True  # every killed worker was started again and served
    database_down_s: float = 0  # how long PostgreSQL was stopped mid-run (the second fault run)
    unavailable: int = 0  # answers 503 (while it was down)

    @property
    def ok(self) -> bool:
        # A worker killed under load drops what it was answering: those clients saw no answer
        # (nothing acknowledged); every other failure counts.
        allowed = (self.dropped if self.killed else 0) + (self.unavailable if self.database_down_s else 0)
        return (
            self.failures - allowed == 0
            and self.ledger_verified
            and not any(self.lost.values())
            and self.restarted
        )


def linli(*args: str, env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    """The ``linli`` command of this environment."""
    command = [sys.executable, "-c", "from web.cli import main; main()", *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True, **kw)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Databases:
    """The demo street, built once per engine, and a fresh copy of it per configuration."""

    def __init__(self, folder: Path, demo_args: tuple[str, ...] = ()):
        self.folder = folder
        self.demo_args = demo_args  # for `linli demo`: SMALL_DEMO for a smoke run
        self.postgres = None
        self.sqlite_demo: Path | None = None
        self.postgres_demo = False

    def env(self, url: str) -> dict[str, str]:
        name = url.rstrip("/").rsplit("/", 1)[-1]  # each database's ledger has its own anchors
        return {
            **os.environ,
            DATABASE_URL.name: url,
            ANCHOR_FILE.name: str(self.folder / f"{name}.anchors.jsonl"),
            MEDIA_DIR.name: str(self.folder / "media"),
        }

    def fresh(self, engine: str, name: str) -> str:
        if engine == "sqlite":
            if self.sqlite_demo is None:
                self.sqlite_demo = self.folder / "demo.sqlite"
            if not self.sqlite_demo.exists():  # (a kept folder's is used again)
                url = f"sqlite:///{self.sqlite_demo}"
                linli("demo", *self.demo_args, env=self.env(url))
                linli("ledger", "verify", env=self.env(url))  # also checkpoints: one file to copy
            copy = self.folder / f"{name}.sqlite"
            shutil.copyfile(self.sqlite_demo, copy)
            return f"sqlite:///{copy}"
        if self.postgres is None:
            from bench.postgres import EmbeddedPostgres

            self.postgres = EmbeddedPostgres(self.folder / "postgres")
        if not self.postgres_demo:
            url = self.postgres.create_database("linli_load_demo")
            linli("demo", *self.demo_args, env=self.env(url))
            self.postgres_demo = True
        database = name.replace("-", "_")
        asyncio.run(_copy_database(self.postgres.url(), "linli_load_demo", database))
        return self.postgres.url(database)

    def close(self) -> None:
        if self.postgres is not None:
            self.postgres.close()


async def _copy_database(url: str, template: str, name: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await connection.close()


class Server:
    """``linli serve --workers N`` on a loopback port, its output in ``log``."""

    def __init__(self, env: dict[str, str], workers: int, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        command = [
            *(sys.executable, "-c", "from web.cli import main; main()"),
            *("serve", "--port", str(self.port), "--workers", str(workers)),
        ]
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"linli serve exited with {self.process.returncode}: see {self.log.name}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"linli serve did not answer within {START_TIMEOUT_S} s: see {self.log.name}")

    def workers(self) -> list[int]:
        """The worker processes' ids: uvicorn's supervisor's children, not multiprocessing's
        resource tracker beside them (one worker: the server process itself)."""
        import psutil

        children = [
            child.pid
            for child in psutil.Process(self.process.pid).children()
            if "resource_tracker" not in " ".join(child.cmdline())
        ]
        return children or [self.process.pid]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def run_locust(url: str, users: int, seconds: float, folder: Path, env: dict[str, str]) -> tuple[list, dict]:
    prefix = folder / "locust"
    report = folder / "load-report.json"  # the refusals and what was done (locustfile.py)
    command = [
        *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary"),
        *("--host", url, "--users", str(users), "--spawn-rate", str(max(users / 2, 1))),
        *("--run-time", f"{int(seconds)}s", "--stop-timeout", "10", "--csv", str(prefix)),
        *("--exit-code-on-error", "0", "--loglevel", "WARNING"),
        # The figures are of the steady state: the sign-ins (argon2, on purpose slow) while the
        # users arrive are counted apart, not mixed into the operations' latencies.
        "--reset-stats",
    ]
    with (folder / "locust.log").open("w") as log:
        subprocess.run(
            command, env={**env, LOAD_REPORT.name: str(report)}, stdout=log, stderr=log, check=True
        )
    with (folder / "locust_stats.csv").open(encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    return rows, json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}


# What each acknowledgement promised: its row, in one of these states (a later step may have
# moved it on: a need triaged, a redemption fulfilled).
PROMISES = {
    "needs": ("projects_need", None),
    "redemptions": ("market_redemption", None),
    "fulfilled": ("market_redemption", ("fulfilled",)),
    "confirmed": ("projects_claim", ("confirmed",)),
}


def lost(url: str, acknowledged: dict[str, list]) -> dict[str, int]:
    """How many of each kind of acknowledged write the database does not hold (as promised)."""
    return asyncio.run(_lost(url, acknowledged))


async def _lost(url: str, acknowledged: dict[str, list]) -> dict[str, int]:
    import sqlite3

    counts = {}
    for kind, (table, states) in PROMISES.items():
        ids = sorted({int(i) for i in acknowledged.get(kind, [])})
        if not ids:
            counts[kind] = 0
            continue
        where = "status IN (" + ", ".join(f"'{s}'" for s in states) + ")" if states else "TRUE"
        query = f"SELECT count(*) FROM {table} WHERE id IN ({', '.join(map(str, ids))}) AND {where}"
        if url.startswith("sqlite:///"):
            with sqlite3.connect(url[len("sqlite:///") :]) as connection:
                found = connection.execute(query.replace("TRUE", "1")).fetchone()[0]
        else:
            connection = await asyncpg.connect(url)
            try:
                found = await connection.fetchval(query)
            finally:
                await connection.close()
        counts[kind] = len(ids) - found
    return counts


def _started(log: Path) -> int:
    return log.read_text(encoding="utf-8", errors="replace").count("Application startup complete")


def unavailable(folder: Path) -> int:
    """Locust's failures that were a 503 (the app's answer while its database is away)."""
    path = folder / "locust_failures.csv"
    if not path.exists():
        return 0
    with path.open(encoding="utf-8") as failures:
        return sum(
            int(row["Occurrences"])
            for row in csv.DictReader(failures)
            if row["Error"].startswith(("503", "CatchResponseError('503", "HTTPError('503"))
        )


def dropped(folder: Path) -> int:
    """Locust's failures that were a connection broken without an HTTP answer."""
    path = folder / "locust_failures.csv"
    if not path.exists():
        return 0
    with path.open(encoding="utf-8") as failures:
        return sum(
            int(row["Occurrences"])
            for row in csv.DictReader(failures)
            if not row["Error"][:1].isdigit() and "HTTPError" not in row["Error"]
        )


def _ms(text: str) -> float:
    return float(text) if text not in ("", "N/A") else 0.0


def measure(
    configuration: str,
    databases: Databases,
    *,
    users: int,
    seconds: float,
    folder: Path,
    kill_after_s: float | None = None,
    stop_database: tuple[float, float] | None = None,
) -> Result:
    """One configuration: a fresh database, the server, Locust for ``seconds``, the ledger
    verified after the server stopped. ``kill_after_s``: SIGKILL one worker that long into the
    run (the fault run; uvicorn's supervisor starts another). ``stop_database``: (after, for)
    seconds: PostgreSQL is stopped that long into the run and started again that much later."""
    engine, workers = CONFIGURATIONS[configuration]
    url = databases.fresh(engine, f"load-{configuration}")
    env = databases.env(url)
    run_folder = folder / configuration
    run_folder.mkdir(parents=True, exist_ok=True)
    server = Server(env, workers, run_folder / "server.log")
    killed: list[int] = []
    try:
        if kill_after_s is not None and workers > 1:  # (one worker: nobody would be left)

            def kill() -> None:
                time.sleep(kill_after_s)
                victims = server.workers()
                if victims:
                    os.kill(victims[0], signal.SIGKILL)
                    killed.append(victims[0])

            threading.Thread(target=kill, daemon=True).start()
        down_s = 0.0
        if stop_database is not None and engine == "postgres":
            after_s, down_s = stop_database

            def stop_and_start() -> None:
                time.sleep(after_s)
                databases.postgres.stop()
                try:
                    time.sleep(down_s)
                finally:
                    databases.postgres.start()

            threading.Thread(target=stop_and_start, daemon=True).start()
        rows, report = run_locust(server.url, users, seconds, run_folder, env)
    finally:
        server.stop()
    verified = subprocess.run(
        [sys.executable, "-c", "from web.cli import main; main()", "ledger", "verify"],
        env=env,
        capture_output=True,
        text=True,
    )
    (run_folder / "verify.log").write_text(verified.stdout + verified.stderr, encoding="utf-8")
    operations = [
        Operation(
            row["Name"],
            int(row["Request Count"]),
            int(row["Failure Count"]),
            _ms(row["50%"]),
            _ms(row["99%"]),
            float(row["Requests/s"]),
        )
        for row in rows
        if row["Name"] != "Aggregated"
    ]
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return Result(
        configuration=configuration,
        seconds=seconds,
        users=users,
        requests_per_s=float(total["Requests/s"]),
        failures=int(total["Failure Count"]),
        operations=sorted(operations, key=lambda o: o.name),
        refused=report.get("refused", {}),
        done=report.get("done", {}),
        ledger_verified=verified.returncode == 0,
        lost=lost(url, report.get("acknowledged", {})),
        killed=killed,
        dropped=dropped(run_folder),
        database_down_s=down_s,
        unavailable=unavailable(run_folder),
        restarted=_started(run_folder / "server.log") >= workers + len(killed),
    )


def run(
    configurations: list[str],
    *,
    users: int,
    seconds: float,
    keep: Path | None = None,
    kill_after_s: float | None = None,
    stop_database: tuple[float, float] | None = None,
    demo_args: tuple[str, ...] = (),
) -> list[Result]:
    """Each configuration in turn, in a temporary folder (``keep``: this one, left in place)."""
    folder = keep or Path(tempfile.mkdtemp(prefix="linli-load-"))
    folder.mkdir(parents=True, exist_ok=True)
    databases = Databases(folder, demo_args)
    try:
        return [
            measure(
                c,
                databases,
                users=users,
                seconds=seconds,
                folder=folder,
                kill_after_s=kill_after_s,
                stop_database=stop_database,
            )
            for c in configurations
        ]
    finally:
        databases.close()
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def table(result: Result) -> str:
    """The figures of one configuration, as a Markdown table."""
    killed = (
        f", worker {result.killed} killed: {result.dropped} requests dropped unanswered, "
        f"{'restarted' if result.restarted else 'NOT restarted'}"
        if result.killed
        else ""
    )
    if result.database_down_s:
        killed += f", PostgreSQL stopped for {result.database_down_s:.0f} s: {result.unavailable} answers 503"
    verified = "verified" if result.ledger_verified else "NOT VERIFIED"
    checked = ", ".join(f"{kind} {count}" for kind, count in result.lost.items())
    lines = [
        f"### {result.configuration}: {result.requests_per_s:.1f} requests/s, {result.failures} failures, "
        f"ledger {verified} ({result.users} users, {result.seconds:.0f} s{killed})",
        "",
        "| operation | requests | failures | req/s | median ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for op in result.operations:
        figures = (op.requests, op.failures, f"{op.per_s:.1f}", f"{op.median_ms:.0f}", f"{op.p99_ms:.0f}")
        lines.append(f"| {op.name} | " + " | ".join(map(str, figures)) + " |")
    if result.refused:
        refusals = ", ".join(f"{k}: {v}" for k, v in sorted(result.refused.items()))
        lines += ["", f"refused as the rules say (not failures): {refusals}"]
    if result.lost:
        lines.append(f"acknowledged but missing from the database: {checked}")
    if result.done:
        lines.append("done: " + ", ".join(f"{k}: {v}" for k, v in sorted(result.done.items())))
    return "\n".join(lines)
