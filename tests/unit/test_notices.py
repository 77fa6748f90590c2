"""Notifications' pure rules, without a database: a stored message made a sentence in each
language, the backoff between attempts, what an admin may paste as a robot's address, and the
Apprise URL that LINLI_SMTP_URL becomes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from projects import errors
from projects.delivery import BACKOFF_MAX_S, backoff
from projects.outbox import THE_SYSTEM, short, to
from projects.outlets import parse_target
from web.delivery import OutletError, email_url, group_url
from web.notices import render

SUBMITTED = '{actor} has finished "{title}": please confirm.'


def test_a_message_is_a_plain_sentence_in_the_readers_language():
    params = {"actor": "李志强", "title": "修理楼道灯", "_words": [], "_reason": ""}
    assert render("zh", SUBMITTED, params) == "李志强 已完成「修理楼道灯」，请确认。"
    assert render("en", SUBMITTED, params) == '李志强 has finished "修理楼道灯": please confirm.'


def test_the_system_and_words_are_translated_and_names_are_not():
    message = '{actor} called off the task "{title}".'
    params = {"actor": THE_SYSTEM, "title": "need", "_words": ["actor"], "_reason": "已联系物业"}
    assert render("zh", message, params) == "系统 取消了任务「need」。理由：已联系物业"
    assert render("en", message, params) == 'The system called off the task "need". Reason: 已联系物业'


def test_a_message_missing_a_parameter_still_reads():
    assert render("zh", SUBMITTED, {"actor": "李志强"}) == SUBMITTED


def test_items_are_quoted_on_one_short_line_and_nobody_is_told_twice():
    assert short("楼道灯\n不亮   很久了") == "楼道灯 不亮 很久了"
    assert len(short("灯" * 100)) == 40 and short("灯" * 100).endswith("…")
    assert [notice.reader for notice in to([3, None, 3, 5], "x", "/")] == [3, 5]


def test_retries_wait_twice_as_long_each_time_up_to_six_hours():
    assert [backoff(n) for n in (1, 2, 3)] == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
    ]
    assert backoff(40) == timedelta(seconds=BACKOFF_MAX_S)


@pytest.mark.parametrize(
    ("kind", "pasted", "key"),
    [
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx", "693a91f6-7xxx"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=" + "f" * 64, "f" * 64),
        ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/0d2a-44cf-9f0a", "0d2a-44cf-9f0a"),
        ("json", "https://hooks.example.org/linli?team=1", "https://hooks.example.org/linli?team=1"),
    ],
)
def test_a_robots_address_as_its_console_shows_it_gives_its_key(kind, pasted, key):
    assert parse_target(kind, pasted) == key


def test_an_address_on_another_host_is_refused_beside_its_field():
    with pytest.raises(errors.Invalid) as refused:
        parse_target("wecom", "https://qyapi.weixin.qq.com.evil.org/cgi-bin/webhook/send?key=693a91f6-7xxx")
    assert refused.value.field == "target"


def test_the_smtp_url_becomes_an_apprise_mailto_url():
    url = email_url("smtp://127.0.0.1:2525?from=linli@example.org", "wang@example.org", delivery=12)
    assert url.startswith("mailto://127.0.0.1:2525/?smtp=127.0.0.1&mode=insecure&from=linli%40example.org")
    assert "to=wang%40example.org" in url and "%2BX-Linli-Delivery=12" in url
    with pytest.raises(OutletError):
        email_url("http://mail.example.org", "a@b.org", delivery=1)
    assert (
        group_url("json", "http://127.0.0.1:9/hook", delivery=3)
        == "json://127.0.0.1:9/hook?%2BX-Linli-Delivery=3"
    )
