"""Delivery beyond the site through real servers on loopback: mail to an SMTP server (aiosmtpd)
and a group's JSON webhook to an HTTP receiver, in each reader's language, logged per attempt;
a failure retried after its backoff without repeating what was sent; the vendors' robots
configured with the Apprise URLs their own hosts answer."""

from __future__ import annotations

import apprise
import pytest

from projects import errors
from projects.access import load_actor
from projects.notification_tables import Delivery, DeliveryAttempt
from projects.outlets import parse_target, set_outlet
from tests.api.helpers import need, triaged_need, worked
from tests.servers import SmtpServer, WebhookReceiver
from web.delivery import DeliverySettings, deliver_due, email_url, group_url


async def _submitted(api, volunteer):
    found = await triaged_need(api, description="楼道灯不亮")
    task = await api.ok(
        api.street.staff,
        "POST",
        "/api/v1/tasks",
        {"need_id": found["id"], "title": "修理楼道灯", "capacity": 1},
        201,
    )
    claim = await api.ok(volunteer, "POST", f"/api/v1/tasks/{task['id']}/claims", status=201)
    await worked(api, volunteer, claim["id"], 30)
    return claim


async def test_mail_and_the_groups_webhook_arrive_once_in_each_readers_language(api):
    s = api.street
    await api.ok(s.resident, "PATCH", "/api/v1/me", {"email": "wang@example.org", "channels": ["email"]})
    await api.ok(
        s.volunteers[4],
        "PATCH",
        "/api/v1/me",
        {"email": "v4@example.org", "channels": ["email"], "lang": "en"},
    )
    with SmtpServer() as smtp, WebhookReceiver() as hook:
        await set_outlet(await load_actor(s.admin), s.grid, kind="json", target=hook.url, now=api.clock())
        await need(api, s.neighbour, description="门口路灯坏了")  # waits for triage: the grid's group is told
        claim = await _submitted(api, s.volunteers[4])
        await api.ok(s.resident, "POST", f"/api/v1/claims/{claim['id']}/confirm")
        settings = DeliverySettings(smtp.url, "https://linli.example.org")

        counts = await deliver_due(settings, api.clock)
        smtp.mailbox.wait_for(counts["sent"] - len(hook.posts))
        texts = smtp.mailbox.texts()
        assert any("志愿者4 已完成「修理楼道灯」，请确认。" in text for text in texts)
        assert any("https://linli.example.org/needs/" in text for text in texts)
        english = [mail for mail in smtp.mailbox.mails if mail["To"] == "v4@example.org"]
        assert (
            english
            and 'confirmed your work on "修理楼道灯": 8 points banked.'
            in english[0].get_body(("plain",)).get_content()
        )
        assert english[0]["Subject"] == "Linli: a notification" and english[0]["From"] == "linli@example.org"
        assert sorted(post["message"].splitlines()[0] for post in hook.posts) == [
            "李大爷 反映了需求「门口路灯坏了」，等待分流。",
            "王阿姨 反映了需求「楼道灯不亮」，等待分流。",
        ]
        assert hook.headers[0]["X-Linli-Delivery"].isdigit()
        assert counts == {"sent": len(smtp.mailbox.mails) + 2, "pending": 0, "failed": 0, "dropped": 0}

        # Sent is final: another run sends nothing again.
        assert (await deliver_due(settings, api.clock))["sent"] == 0
        assert len(hook.posts) == 2 and len(smtp.mailbox.mails) == counts["sent"] - 2
        assert await Delivery.count().where(Delivery.status != "sent") == 0
        assert await DeliveryAttempt.count().where(DeliveryAttempt.ok == True) == counts["sent"]  # noqa: E712


async def test_a_failed_delivery_is_retried_after_its_backoff_and_the_mail_is_not_sent_twice(api):
    s = api.street
    await api.ok(s.neighbour, "PATCH", "/api/v1/me", {"email": "li@example.org", "channels": ["email"]})
    with SmtpServer() as smtp, WebhookReceiver(failures=1) as hook:
        await set_outlet(
            await load_actor(s.admin), s.community, kind="json", target=hook.url, now=api.clock()
        )
        found = await need(api, s.neighbour, description="门口路灯坏了")
        await api.ok(s.staff, "POST", f"/api/v1/needs/{found['id']}/triage", {"grade": "B"})
        settings = DeliverySettings(smtp.url, "http://127.0.0.1:8000")

        first = await deliver_due(settings, api.clock)
        assert first == {"sent": 1, "pending": 1, "failed": 0, "dropped": 0}
        failed = await DeliveryAttempt.select().where(DeliveryAttempt.ok == False).first()  # noqa: E712
        assert failed["attempt"] == 1 and failed["error"] and "127.0.0.1" in failed["outlet"]
        assert (await deliver_due(settings, api.clock))["sent"] == 0  # not due before its backoff
        api.clock.advance(seconds=31)
        assert (await deliver_due(settings, api.clock)) == {
            "sent": 1,
            "pending": 0,
            "failed": 0,
            "dropped": 0,
        }
        assert len(hook.posts) == 1 and len(smtp.mailbox.mails) == 1
        assert "社区工作者 已受理您的需求「门口路灯坏了」，将尽快办理。" in smtp.mailbox.texts()[0]


async def test_a_reader_who_takes_email_away_is_not_mailed(api):
    s = api.street
    await api.ok(s.resident, "PATCH", "/api/v1/me", {"email": "wang@example.org", "channels": ["email"]})
    await _submitted(api, s.volunteers[4])
    await api.ok(s.resident, "PATCH", "/api/v1/me", {"channels": []})
    with SmtpServer() as smtp:
        counts = await deliver_due(DeliverySettings(smtp.url, "http://x"), api.clock)
    assert counts["sent"] == 0 and counts["dropped"] >= 1 and smtp.mailbox.mails == []


def test_the_vendors_robots_get_the_apprise_urls_their_own_hosts_answer():
    wecom = parse_target("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4")
    plugin = apprise.Apprise.instantiate(group_url("wecom", wecom))
    assert type(plugin).__name__ == "NotifyWeComBot" and plugin.key == "693a91f6-7xxx-4bc4"
    assert plugin.notify_url.format(key=plugin.key).startswith("https://qyapi.weixin.qq.com/")

    token = "a" * 64
    ding = parse_target("dingtalk", f"https://oapi.dingtalk.com/robot/send?access_token={token}")
    plugin = apprise.Apprise.instantiate(group_url("dingtalk", ding, "SEC" + "b" * 20))
    assert (
        type(plugin).__name__ == "NotifyDingTalk"
        and plugin.token == token
        and plugin.secret == "SEC" + "b" * 20
    )
    assert plugin.notify_url.startswith("https://oapi.dingtalk.com/")

    feishu = parse_target("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/0d2a-44cf-9f0a-12ab")
    plugin = apprise.Apprise.instantiate(group_url("feishu", feishu))
    assert type(plugin).__name__ == "NotifyFeishu" and plugin.token == "0d2a-44cf-9f0a-12ab"
    assert plugin.notify_url.startswith("https://open.feishu.cn/")

    assert parse_target("wecom", "693a91f6-7xxx-4bc4") == "693a91f6-7xxx-4bc4"  # the key alone
    for kind, wrong in [
        ("wecom", "https://evil.example.org/cgi-bin/webhook/send?key=693a91f6-7xxx"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=short"),
        ("feishu", "http://open.feishu.cn/open-apis/bot/v2/hook/0d2a-44cf-9f0a"),
        ("json", "ftp://127.0.0.1/hook"),
    ]:
        with pytest.raises(errors.Invalid):
            parse_target(kind, wrong)

    mail = apprise.Apprise.instantiate(
        email_url("smtps://bot%40x.org:p%26ss@mail.x.org?from=bot@x.org", "a@b.org", delivery=7)
    )
    assert type(mail).__name__ == "NotifyEmail"
    assert (mail.smtp_host, mail.port, mail.secure_mode, mail.user, mail.password) == (
        "mail.x.org",
        465,
        "ssl",
        "bot@x.org",
        "p&ss",
    )
    assert mail.headers == {"X-Linli-Delivery": "7"}


async def test_staff_get_one_daily_digest_of_what_is_overdue_and_waits_for_them(api):
    from projects.digest import write_digests

    s = api.street
    await api.ok(s.staff, "PATCH", "/api/v1/me", {"email": "staff@example.org", "channels": ["email"]})
    await need(api, description="门口路灯坏了")
    await triaged_need(api, description="楼道灯不亮")
    api.clock.advance(days=2)  # both are past their deadlines: flagged; the community still holds them
    from projects.sweep import sweep

    await sweep(now=api.clock())
    assert await write_digests(now=api.clock().replace(hour=23)) == 0  # 07:00 in China: not yet
    morning = api.clock().replace(hour=1)  # 09:00 in China
    written = await write_digests(now=morning)
    assert written >= 1 and await write_digests(now=morning) == 0  # once a day, whoever asks again
    told = await api.ok(s.staff, "GET", "/api/v1/me/notifications")
    digest = [item for item in told["items"] if item["link"] == "/desk"]
    assert [item["text"] for item in digest] == [
        "每日摘要：您负责的区域有2件超期、1件待分流、0项服务待裁定。"
    ]
    with SmtpServer() as smtp:
        await deliver_due(DeliverySettings(smtp.url, "http://x"), api.clock)
        assert any("每日摘要" in text for text in smtp.mailbox.texts())
