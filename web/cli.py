"""The ``linli`` command: serve the app, migrate, seed a demo, verify/export/expire the ledger, bench.

Every command uses LINLI_DATABASE_URL (or the global ``--database URL``), else the SQLite file
``linli.sqlite`` in the current directory. Heavy imports happen inside the commands, so that
``linli --help`` is quick.
"""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO, TypeVar

import click

from settings import ANCHOR_FILE, DATABASE_URL, MEDIA_DIR

T = TypeVar("T")


def run_with_database(work: Callable[[], Awaitable[T]], *, migrate_first: bool = False) -> T:
    """Open the database, (migrate,) run ``work``, and close the database, in one event loop."""
    from ledger.tables import Transfer
    from web.database import close_database, migrate, open_database

    async def main() -> T:
        try:
            engine = await open_database()
        except Exception as error:  # a wrong URL, a server that is down, a database that does not exist
            raise click.ClickException(f"cannot open the database: {error}") from error
        try:
            try:
                if migrate_first:
                    await migrate()
                elif not await Transfer.table_exists():
                    raise click.ClickException("this database has no ledger yet: run `linli migrate` first")
            except click.ClickException:
                raise
            except Exception as error:  # a file that is not a database, a folder that does not exist
                raise click.ClickException(f"cannot use the database: {error}") from error
            return await work()
        finally:
            await close_database(engine)

    return asyncio.run(main())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database",
    metavar="URL",
    help="sqlite:///path or postgresql://user:password@host/name "
    "[default: $LINLI_DATABASE_URL, else sqlite:///linli.sqlite]",
)
def linli(database: str | None) -> None:
    """Linli 邻里: a community time bank and volunteer-points marketplace."""
    if database:
        # Through the environment, so that uvicorn's workers and reloader see it too.
        DATABASE_URL.export(database)
    try:
        DATABASE_URL.read()
    except ValueError:
        raise click.BadParameter(
            "a database URL starts with sqlite:/// or postgresql://",
            param_hint=f"--database or {DATABASE_URL.name}",
        ) from None


MAX_WORKERS = 64


def serving_sqlite() -> bool:
    """Whether the database the app will open is a SQLite file (the default)."""
    return urllib.parse.urlparse(DATABASE_URL.read()).scheme == "sqlite"


@linli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, MAX_WORKERS),
    help="Processes serving requests behind one address (PostgreSQL only; SQLite has one writer). "
    "A worker that dies is started again.",
)
def serve(host: str, port: int, reload: bool, workers: int) -> None:
    """Run the web app (it applies pending migrations as it starts)."""
    import uvicorn

    if workers > 1 and serving_sqlite():
        raise click.UsageError(
            "SQLite has one writer: serve it with one worker, or move to PostgreSQL "
            "(LINLI_DATABASE_URL=postgresql://...) to serve with several (see the README's Deployment)."
        )
    if workers > 1 and reload:
        raise click.UsageError("--reload restarts one process: give it without --workers")
    code = str(Path(__file__).resolve().parent.parent)  # with --reload, watch Linli's code wherever we run
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        reload_dirs=[code] if reload else None,
        # Several workers share the port; uvicorn's supervisor starts a dead one again.
        workers=workers if workers > 1 else None,
        # The client's address is Linli's to decide (web.client, LINLI_TRUSTED_PROXIES): uvicorn
        # would otherwise take X-Forwarded-For from anyone on loopback.
        proxy_headers=False,
    )


@linli.command(name="migrate")
def migrate_command() -> None:
    """Apply every pending database migration."""

    async def nothing() -> None:
        return None

    run_with_database(nothing, migrate_first=True)
    click.echo("database is up to date")


@linli.command()
@click.option(
    "--residents",
    default=300,
    show_default=True,
    type=click.IntRange(min=150),  # demo.build.MIN_RESIDENTS
    help="Residents besides the volunteers, leaders and staff.",
)
@click.option(
    "--transfers",
    default=3000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Ledger-only transfers woven into the history (redemptions, exchanges, reversals, grants).",
)
@click.option("--seed", "seed_value", default=7, show_default=True, type=int, help="Random seed.")
@click.option(
    "--scale",
    type=click.Choice(["tiny", "small", "district"]),
    help="Instead of the demo street, a whole district written in bulk into an empty database: "
    "district is about 100 communities, 1,000 grids, 1,000,000 residents and a year of needs; "
    "small and tiny are the same at a fraction of the size.",
)
def demo(residents: int, transfers: int, seed_value: int, scale: str | None) -> None:
    """Build the demo street: two communities, their people, a month of history and its market.

    Idempotent: if the demo is there already (its first account exists), it only reports.
    """
    if scale is not None:
        demo_district(scale, seed_value)
        return
    from demo.accounts import ACCOUNTS, PASSWORD
    from demo.build import build_demo
    from demo.market import build_market_demo

    async def build():
        street = await build_demo(seed=seed_value, residents=residents, transfers=transfers)
        return street, await build_market_demo(seed=seed_value)

    report, market = run_with_database(build, migrate_first=True)
    built = report.built or market.built
    title = "demo street built" if built else "demo street already there: nothing written"
    click.echo(f"{title} (鸿城街道, seed {seed_value}):")
    for kind, count in {**report.counts, **market.counts}.items():
        click.echo(f"  {kind:<24} {count:>7}")
    click.echo(
        "sign in (`linli serve`, then http://127.0.0.1:8000/login, or POST /api/v1/auth/token) "
        f"as one of these, password {PASSWORD}:"
    )
    for phone, role in ACCOUNTS:
        click.echo(f"  {phone:<24} {role}")


def demo_district(scale: str, seed_value: int) -> None:
    """`linli demo --scale`: the district, with a progress bar, then what it holds."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from demo.accounts import PASSWORD
    from demo.district import NAMED, build_district

    async def build():
        import piccolo_conf

        columns = (
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(stderr=True)) as progress:
            try:
                return await build_district(piccolo_conf.DB, scale=scale, seed=seed_value, progress=progress)
            except ValueError as error:
                raise click.ClickException(str(error)) from error

    report = run_with_database(build, migrate_first=True)
    title = (
        f"district built in {report.seconds:.0f} s"
        if report.built
        else "a demo is already there: nothing written"
    )
    click.echo(f"{title} (南关区, scale {scale}, seed {seed_value}):")
    for kind, count in report.counts.items():
        click.echo(f"  {kind:<24} {count:>9}")
    click.echo(
        f"sign in (`linli serve`, then http://127.0.0.1:8000/stats) as one of these, password {PASSWORD}:"
    )
    for phone, role in NAMED:
        click.echo(f"  {phone:<24} {role}")


@linli.command(name="backup")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The backup file (SQLite: a database file; PostgreSQL: a pg_dump custom-format archive).",
)
def backup_command(output: Path) -> None:
    """Write a consistent copy of the whole database while Linli keeps running, and a copy of
    the photos' files beside it (OUTPUT.media)."""
    from web.database import BackupError, backup, backup_media, media_path

    photos = output.with_name(output.name + ".media")

    async def work() -> int:
        import piccolo_conf

        try:
            await backup(piccolo_conf.DB, output)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        root = media_path(piccolo_conf.DB, MEDIA_DIR.read())
        return await asyncio.to_thread(backup_media, root, photos)

    copied = run_with_database(work)
    click.echo(f"backup written to {output}")
    click.echo(f"{copied} photo files copied to {photos}")


@linli.group(name="ledger")
def ledger_group() -> None:
    """The points ledger: verify, anchor, export, expire."""


def _anchor_file():
    """The anchor file of the open database (LINLI_ANCHOR_FILE, else its default)."""
    import piccolo_conf
    from web.database import anchor_path

    return anchor_path(piccolo_conf.DB, ANCHOR_FILE.read())


@ledger_group.command(name="verify")
def verify_command() -> None:
    """Recompute every account and the hash chain, check them against the latest anchor, and
    check every domain record that moved value against its transfer; exit 1 on any problem."""
    from ledger.anchor import AnchorFileError, latest_anchor
    from ledger.verify import verify as verify_ledger
    from market.crosscheck import cross_check

    async def work():
        path = _anchor_file()
        try:
            anchor = latest_anchor(path)
        except AnchorFileError as error:
            anchor, unreadable = None, f"the anchor file is damaged: {error}"
        else:
            unreadable = None
        report = await verify_ledger(anchor=anchor)
        if unreadable:
            report.problems.append(unreadable)
        return report, path, await cross_check()

    report, path, domain = run_with_database(work)
    click.echo(report.render())
    if report.anchor is None and report.ok:
        click.echo(f"(no anchor in {path} yet: `linli ledger anchor` records one)", err=True)
    if domain:
        click.echo(f"domain cross-check FAILED: {len(domain)} problem(s)")
        click.echo("\n".join(f"  - {problem}" for problem in domain))
    else:
        click.echo("domain cross-check: every record that moved value has its transfer, and back")
    if not report.ok or domain:
        sys.exit(1)


@ledger_group.command(name="anchor")
def anchor_command() -> None:
    """Record the chain head (sequence number, hash, time) at the end of the append-only anchor
    file (LINLI_ANCHOR_FILE), outside the database; print it and its digest."""
    from datetime import UTC, datetime

    from ledger.anchor import anchor

    async def work():
        path = _anchor_file()
        return path, await anchor(path, now=datetime.now(UTC))

    path, written = run_with_database(work)
    click.echo(f"anchored seq {written.seq}, chain head {written.hash}, in {path}")
    click.echo(f"digest {written.digest}")


@ledger_group.command(name="export")
@click.option(
    "--format", "export_format", type=click.Choice(["beancount", "csv"]), required=True, help="Output format."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option(
    "--zone",
    default="Asia/Shanghai",
    show_default=True,
    help="Beancount dates are calendar days in this time zone (an IANA name such as UTC).",
)
def export_command(export_format: str, output: Path | None, zone: str) -> None:
    """Write the whole ledger as Beancount or CSV."""
    import functools
    import zoneinfo

    from ledger import export as exporter

    try:
        days_in = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise click.BadParameter(f"unknown time zone {zone!r}", param_hint="--zone") from error
    write: Callable[[TextIO], Awaitable[int]] = (
        functools.partial(exporter.write_beancount, zone=days_in)
        if export_format == "beancount"
        else exporter.write_csv
    )
    if output is None:
        count = run_with_database(lambda: write(sys.stdout))
        sys.stdout.flush()
    else:
        # Write beside the target and rename, so a failed export never leaves half a file.
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8", newline="") as out:
                count = run_with_database(lambda: write(out))
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    click.echo(f"exported {count} transfers as {export_format}", err=True)


@ledger_group.command(name="expire")
def expire_command() -> None:
    """Expire the pending transfers whose timeout has passed (the app also does this periodically)."""
    from ledger.transfers import expire_all_due

    count = run_with_database(expire_all_due)
    click.echo(f"expired {count} pending transfer(s)")


@linli.command(name="sweep")
@click.option(
    "--now",
    "now_text",
    metavar="ISO-TIME",
    help="Sweep as if it were this moment (ISO 8601 with a zone), e.g. to test deadlines. [default: now]",
)
def sweep_command(now_text: str | None) -> None:
    """The deadline sweep: flag and escalate overdue needs, expire or flag overdue tasks and
    projects, expire redemptions not fulfilled in time, close venture calls past their
    deadline, and expire due reservations (the app runs this periodically)."""
    from datetime import UTC, datetime

    from ledger.transfers import expire_all_due
    from market.sweep import sweep as market_sweep
    from projects.sweep import sweep

    now = datetime.now(UTC)
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter(
                "an ISO 8601 time such as 2026-12-01T09:00:00+08:00", param_hint="--now"
            ) from None
        if now.tzinfo is None:
            raise click.BadParameter("give the time zone too, e.g. +08:00", param_hint="--now")

    async def work():
        return await sweep(now=now), await market_sweep(now=now), await expire_all_due(now=now)

    result, market, expired = run_with_database(work)
    fields = {name: getattr(found, name) for found in (result, market) for name in found.__slots__}
    click.echo(json.dumps({**fields, "reservations_expired": expired}))


@linli.command(name="notify")
def notify_command() -> None:
    """Send the notifications due now through their outlets (email through LINLI_SMTP_URL, areas'
    group robots and webhooks), once; the app does this every LINLI_NOTIFY_INTERVAL_S seconds."""
    from projects.db import utcnow
    from web.delivery import DeliverySettings, OutletError, deliver_due

    try:
        settings = DeliverySettings.from_env()
    except OutletError as error:
        raise click.ClickException(str(error)) from error
    counts = run_with_database(lambda: deliver_due(settings, utcnow))
    click.echo(json.dumps(counts))


@linli.group(name="bench")
def bench_group() -> None:
    """Benchmarks."""


@bench_group.command(name="ledger")
@click.option("--quick", is_flag=True, help="A short run (seconds, not minutes).")
def bench_ledger(quick: bool) -> None:
    """Measure ledger throughput against plain sqlite3; print one JSON object."""
    from bench.ledger import run

    click.echo(json.dumps(run(quick=quick)))


@bench_group.command(name="loop")
@click.option("--quick", is_flag=True, help="A short run (seconds, not minutes).")
def bench_loop(quick: bool) -> None:
    """Measure claim → submit → confirm against plain sqlite3; print one JSON object."""
    from bench.loop import run

    click.echo(json.dumps(run(quick=quick)))


@bench_group.command(name="market")
@click.option("--quick", is_flag=True, help="A short run (seconds, not minutes).")
def bench_market(quick: bool) -> None:
    """Measure redeem → fulfil against plain sqlite3, concurrent redemptions, the catalogue page."""
    from bench.market import run

    click.echo(json.dumps(run(quick=quick)))


@bench_group.command(name="stats")
@click.option(
    "--repeat", default=3, show_default=True, type=click.IntRange(1, 20), help="Runs of each request."
)
def bench_stats(repeat: int) -> None:
    """Time a year of the district's figures, its statistics page and its needs ledger (run
    `linli demo --scale district` first); print one JSON object."""
    from bench.stats import run

    if not DATABASE_URL.is_set():
        DATABASE_URL.export(DATABASE_URL.default)
    click.echo(json.dumps(run(repeat=repeat)))


@bench_group.command(name="load")
@click.option(
    "--config",
    "configurations",
    multiple=True,
    type=click.Choice(["sqlite-1", "postgres-1", "postgres-4"]),
    help="Which to run (repeatable); all three when not given.",
)
@click.option(
    "--users", default=40, show_default=True, type=click.IntRange(1, 1000), help="Simulated people."
)
@click.option(
    "--seconds", default=60, show_default=True, type=click.IntRange(3, 3600), help="Each run's length."
)
@click.option(
    "--kill-worker-after",
    "kill_after_s",
    type=click.FloatRange(min=0),
    help="The fault run: SIGKILL one worker this many seconds into each run.",
)
@click.option(
    "--stop-database",
    "stop_database",
    type=(click.FloatRange(min=0), click.FloatRange(min=0)),
    help="The second fault run: stop PostgreSQL AFTER seconds into each run, for FOR seconds.",
    metavar="AFTER FOR",
)
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the databases, logs and Locust's CSV files in this folder.",
)
@click.option("--small", is_flag=True, help="The smallest demo street (quicker to build).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
def bench_load(
    configurations: tuple[str, ...],
    users: int,
    seconds: int,
    kill_after_s: float | None,
    stop_database: tuple[float, float] | None,
    keep: Path | None,
    small: bool,
    as_json: bool,
) -> None:
    """Load-test the demo street on loopback: Locust's residents, volunteers, staff and merchant
    against `linli serve` on SQLite (1 worker) and PostgreSQL (1 and 4 workers); requests/s,
    median and p99 latency per operation, failures (must be none), then `linli ledger verify`.
    Exits 1 when a run had a failure or its ledger did not verify."""
    from dataclasses import asdict

    from bench.load.run import SMALL_DEMO, run, table

    chosen = list(configurations) or ["sqlite-1", "postgres-1", "postgres-4"]
    results = run(
        chosen,
        users=users,
        seconds=seconds,
        keep=keep,
        kill_after_s=kill_after_s,
        stop_database=stop_database,
        demo_args=SMALL_DEMO if small else (),
    )
    if as_json:
        click.echo(json.dumps([asdict(result) for result in results], ensure_ascii=False))
    else:
        for result in results:
            click.echo(table(result) + "\n")
    if not all(result.ok for result in results):
        raise SystemExit(1)


def main() -> None:
    linli(prog_name="linli")


if __name__ == "__main__":
    main()
