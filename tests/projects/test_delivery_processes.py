"""Delivery across real processes: a notification written by a server that is then killed
(SIGKILL) is mailed by the next one; several delivery processes at once send each mail once,
and a run after them sends nothing again."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from projects.access import load_actor
from projects.needs import report_need
from projects.notification_tables import Delivery, DeliveryAttempt
from projects.profile import update_settings
from projects.triage import triage_need
from tests.projects.community import PASSWORD, T0, build_street
from tests.servers import SmtpServer, free_port

ROOT = Path(__file__).resolve().parents[2]


def start_server(url: str, smtp_url: str, notify_interval_s: float) -> tuple[subprocess.Popen, str]:
    """``linli serve`` as a process of its own: the app over ``url``, delivering every
    ``notify_interval_s`` seconds (0: never)."""
    port = free_port()
    code = (
        "import uvicorn; from web.app import create_app; "
        f"uvicorn.run(create_app({url!r}, sweep_interval_s=0, notify_interval_s={notify_interval_s}), "
        f"host='127.0.0.1', port={port}, log_level='warning')"
    )
    env = {**os.environ, "LINLI_SMTP_URL": smtp_url}
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2):
                return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the server did not start") from None
            time.sleep(0.1)


def call(base: str, path: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


@pytest.mark.slow
async def test_a_notification_written_before_a_sigkill_is_mailed_after_the_restart(db, database_url):
    street = await build_street(T0, volunteers=6)
    await update_settings(await load_actor(street.resident), email="wang@example.org", channels=["email"])
    need = await report_need(
        await load_actor(street.resident), category="care.meals", description="需要送饭", now=T0
    )
    with SmtpServer() as smtp:
        first, base = await asyncio.to_thread(start_server, database_url, smtp.url, 0)
        try:
            token = (await asyncio.to_thread(call, base, "/api/v1/auth/token", {
                "phone": street.phones[street.staff], "password": PASSWORD}))["token"]  # fmt: skip
            await asyncio.to_thread(call, base, f"/api/v1/needs/{need.id}/triage", {"grade": "A"}, token)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        assert await Delivery.count().where(Delivery.status == "pending") == 1
        assert smtp.mailbox.mails == []

        second, _ = await asyncio.to_thread(start_server, database_url, smtp.url, 0.2)
        try:
            await asyncio.to_thread(smtp.mailbox.wait_for, 1)
            await asyncio.sleep(1)  # a few more rounds of the job: nothing more is sent
        finally:
            second.terminate()
            second.wait(timeout=30)
    assert len(smtp.mailbox.mails) == 1 and smtp.mailbox.mails[0]["To"] == "wang@example.org"
    assert "社区工作者 已受理您的需求「需要送饭」，将尽快办理。" in smtp.mailbox.texts()[0]
    assert await Delivery.count().where(Delivery.status == "sent") == 1


@pytest.mark.slow
async def test_delivery_processes_at_once_send_each_mail_once_and_never_again(db, database_url):
    street = await build_street(T0, volunteers=12)
    staff = await load_actor(street.staff)
    for volunteer in street.volunteers:
        actor = await load_actor(volunteer)
        await update_settings(actor, email=f"v{volunteer}@example.org", channels=["email"])
        need = await report_need(actor, category="care.meals", description="需要送饭", now=T0)
        await triage_need(staff, need.id, grade="A", now=T0)
    assert await Delivery.count() == 12

    async def notify_once() -> dict:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "web.cli", "--database", database_url, "notify",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=ROOT,
            env={**os.environ, "LINLI_SMTP_URL": smtp.url},
        )  # fmt: skip
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        return json.loads(out.decode().strip().splitlines()[-1])

    with SmtpServer() as smtp:
        runs = await asyncio.gather(*(notify_once() for _ in range(3)))
        assert sum(run["sent"] for run in runs) == 12
        again = await notify_once()
    assert again == {"sent": 0, "pending": 0, "failed": 0, "dropped": 0}
    deliveries = [mail["X-Linli-Delivery"] for mail in smtp.mailbox.mails]
    assert len(deliveries) == len(set(deliveries)) == 12
    assert await DeliveryAttempt.count() == 12
    assert await Delivery.count().where(Delivery.status == "sent") == 12
