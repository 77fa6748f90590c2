"""Languages: every message the code can say has its Simplified Chinese, and the API speaks it.

The catalogue is ``web/translations/zh_CN/LC_MESSAGES/messages.po``; English is the msgids. When
a test below names untranslated messages, update the catalogue (from the repository root)::

    pybabel extract -F babel.cfg -k N_ --no-location --sort-output --no-wrap \\
        --add-comments=TRANSLATORS: --project=Linli --version=0.1.0 --copyright-holder=Linli \\
        -o web/translations/messages.pot .
    pybabel update -i web/translations/messages.pot -d web/translations -l zh_CN \\
        --no-wrap --ignore-obsolete

then write each empty ``msgstr`` (and review each ``#, fuzzy`` guess, removing the flag), keeping
every ``{placeholder}`` of the msgid, and run these tests.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from projects import errors
from web import i18n, words

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "web" / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"


def extracted() -> dict[str, str]:
    """Every msgid in the code and templates, as ``pybabel extract -F babel.cfg -k N_`` finds them,
    with the first place each is said."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords={**DEFAULT_KEYWORDS, "N_": None}
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def catalogue():
    with CATALOGUE.open("rb") as source:
        return read_po(source, locale="zh_CN")


def placeholders(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


MESSAGES = extracted()
ZH = catalogue()


def test_the_extraction_finds_the_messages_of_the_code_and_the_words_they_use():
    assert len(MESSAGES) > 100
    for msgid in (errors.WrongState.message, errors.Unauthenticated.message, "Please check: {fields}."):
        assert msgid in MESSAGES
    for state in ("new", "in_progress", "done", "offered", "open", "full", "expired", "published"):
        assert state in MESSAGES  # marked only in web/words.py


def test_every_message_of_the_code_has_a_reviewed_chinese_translation():
    untranslated = sorted(
        f"{where}: {msgid!r}"
        for msgid, where in MESSAGES.items()
        if msgid not in ZH or not ZH[msgid].string or ZH[msgid].fuzzy
    )
    assert not untranslated, "no zh_CN translation (see this module's docstring):\n" + "\n".join(untranslated)


def test_every_translation_keeps_the_placeholders_of_its_msgid():
    wrong = []
    for message in ZH:
        if not message.id or not message.string:
            continue
        try:
            same = placeholders(message.string) == placeholders(message.id)
        except ValueError:  # a stray brace
            same = False
        if not same:
            wrong.append(f"{message.id!r} -> {message.string!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_the_catalogue_is_simplified_chinese_and_its_translations_are_chinese():
    assert str(ZH.locale) == "zh_Hans_CN"
    for message in ZH:
        if message.id and message.string:
            # Chinese words, or at least Chinese punctuation (a label and its text: "%(label)s：%(text)s")
            assert any(
                "\u4e00" <= char <= "\u9fff" or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"
                for char in message.string
            ), message.id


def test_every_state_and_thing_name_is_translated():
    names = {*words.THINGS.values(), *words.AREA_LEVELS.values()}
    names |= {name for states in words.STATES.values() for name in states.values()}
    for name in names:
        assert i18n.translate("zh", name) != name, name
        assert i18n.translate("en", name) == name


@pytest.mark.parametrize(
    ("accept_language", "cookie", "expected"),
    [
        (None, None, "zh"),
        ("", None, "zh"),
        ("en-US,en;q=0.9", None, "en"),
        ("EN", None, "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", None, "zh"),
        ("zh-Hans-CN", None, "zh"),
        ("fr-FR,fr;q=0.9,en;q=0.5", None, "en"),  # the first one we speak
        ("zh;q=0.5,en;q=0.8", None, "en"),  # quality, not order
        ("en;q=0.3,  zh-CN ; q=0.7", None, "zh"),
        ("en;q=0,zh;q=0.1", None, "zh"),  # q=0 means "not this"
        ("en;q=0", None, "zh"),
        ("fr, de", None, "zh"),
        ("*", None, "zh"),
        ("en;q=high", None, "zh"),  # a quality that is no number counts as none
        ("!!,;;q=,,;", None, "zh"),
        ("\u00e9\u00e8, en", None, "en"),
        ("en-US", "zh", "zh"),  # the person's own choice wins
        ("zh-CN", "en", "en"),
        ("en-US", "fr", "en"),  # a choice we do not offer is ignored
        ("en-US", "", "en"),
        (None, "EN", "zh"),  # the choice is one of our own codes, exactly
    ],
)
def test_negotiate(accept_language, cookie, expected):
    assert i18n.negotiate(accept_language, cookie) == expected


def test_translate_fills_the_placeholders_and_translates_parameters_that_are_msgids():
    full = errors.WrongState(thing="task", state="full", action="claim")
    assert i18n.translate("en", full.template, full.params) == "This task is full: you cannot claim it now."
    assert i18n.translate("zh", full.template, full.params) == "该任务当前状态为“已满员”，现在不能认领。"

    cancelled = errors.WrongState(thing="need", state="cancelled", action="triage")
    assert (
        i18n.translate("zh", cancelled.template, cancelled.params)
        == "该需求当前状态为“已取消”，现在不能分流。"
    )

    missing = errors.NotFound(thing="organisation")
    assert i18n.translate("zh", missing.template, missing.params) == "找不到该单位。"
    assert i18n.translate("en", missing.template, missing.params) == "There is no such organisation."

    assert i18n.translate("zh", "Please fill in the {label}.", {"label": "description"}) == "请填写描述。"
    assert (
        i18n.translate(
            "zh", "A {level} must be placed under a {parent}.", {"level": "building", "parent": "grid"}
        )
        == "楼栋必须隶属于某个网格。"
    )


def test_translate_leaves_other_parameters_and_unknown_messages_as_they_are():
    taken = errors.PhoneTaken(phone="13800000000")
    assert i18n.translate("zh", taken.template, taken.params) == "手机号13800000000已注册。"
    assert i18n.translate("zh", "Minutes are 1 to {limit}.", {"limit": 1440}) == "时长须为1至1440分钟。"
    assert (
        i18n.translate("zh", "The {label} is at most {limit} characters.", {"label": "note", "limit": 2000})
        == "备注最多2000个字。"
    )
    assert i18n.translate("zh", "No such message {x}.", {"x": "need"}) == "No such message 需求."
    assert i18n.translate("zh", errors.Unauthenticated.message) == "请先登录。"
    assert i18n.translate("en", errors.Unauthenticated.message) == "Sign in first."


# Through the real app (SQLite and PostgreSQL, like every API test).


async def test_the_api_says_its_errors_in_chinese_by_default_and_in_english_when_asked(api):
    s = api.street

    response = await api.call(None, "GET", "/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": "请先登录。"}
    assert response.headers["www-authenticate"] == "Bearer"
    response = await api.client.get("/api/v1/me")  # no Accept-Language at all
    assert response.json()["message"] == "请先登录。"
    response = await api.call(None, "GET", "/api/v1/me", language="en-US,en;q=0.9")
    assert (response.status_code, response.json()) == (
        401,
        {"code": "unauthenticated", "message": "Sign in first."},
    )
    response = await api.client.get("/api/v1/me", headers={"Accept-Language": "zh-CN", "Cookie": "lang=en"})
    assert response.json()["message"] == "Sign in first."  # the lang cookie wins

    response = await api.call(s.resident, "GET", "/api/v1/no-such-place")
    assert (response.status_code, response.json()) == (
        404,
        {"code": "not_found", "message": "该网址不存在。"},
    )
    response = await api.call(s.resident, "GET", "/api/v1/no-such-place", language="en")
    assert response.json() == {"code": "not_found", "message": "There is nothing at this address."}

    response = await api.call(s.resident, "DELETE", "/api/v1/me")
    assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")
    assert response.json()["message"] == "该网址不支持此请求方式。"

    response = await api.call(s.staff, "GET", "/api/v1/needs/987654")
    assert (response.status_code, response.json()) == (
        404,
        {"code": "not_found", "message": "找不到该需求。"},
    )

    for language, start, end in (("zh-CN", "请检查：", "。"), ("en", "Please check: ", ".")):
        response = await api.call(s.resident, "POST", "/api/v1/needs", {"category": 5}, language=language)
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["code"] == "invalid_input"
        assert body["message"].startswith(start) and body["message"].endswith(end), body
        assert {field["field"] for field in body["fields"]} == {"category", "description"}
    wrong_type = {"category": 5, "description": "楼道灯坏了"}
    response = await api.call(s.resident, "POST", "/api/v1/needs", wrong_type)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["message"]) == ("invalid_input", "请检查：类别。")
    response = await api.call(s.resident, "POST", "/api/v1/needs", wrong_type, language="en")
    assert response.json()["message"] == "Please check: category."

    response = await api.client.post(
        "/api/v1/needs",
        content=b"{not json",
        headers={
            "Authorization": f"Bearer {await api.token(s.resident)}",
            "Content-Type": "application/json",
        },
    )
    assert (response.status_code, response.json()) == (
        400,
        {"code": "bad_request", "message": "请求内容有误。"},
    )

    blank = {"category": "care.meals", "description": "   "}
    response = await api.call(s.resident, "POST", "/api/v1/needs", blank)
    # The refusal names the field it is about (DESIGN's error row).
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": "invalid_input",
            "message": "请填写描述。",
            "fields": [{"field": "description", "problem": "请填写描述。"}],
        },
    )
    response = await api.call(s.resident, "POST", "/api/v1/needs", blank, language="en")
    assert response.json() == {
        "code": "invalid_input",
        "message": "Please fill in the description.",
        "fields": [{"field": "description", "problem": "Please fill in the description."}],
    }


async def test_a_state_conflict_names_the_thing_its_state_and_the_action_in_the_requests_language(api):
    s = api.street
    need = await api.ok(s.resident, "POST", "/api/v1/needs", {
        "category": "care.meals", "description": "楼道灯坏了", "scope": "personal", "channel": "online",
    }, status=201)  # fmt: skip
    await api.ok(s.resident, "POST", f"/api/v1/needs/{need['id']}/cancel", {"reason": "已经修好了"})

    response = await api.call(s.staff, "POST", f"/api/v1/needs/{need['id']}/triage", {"grade": "A"})
    assert (response.status_code, response.json()) == (
        409,
        {"code": "wrong_state", "message": "该需求当前状态为“已取消”，现在不能分流。"},
    )
    response = await api.call(
        s.staff, "POST", f"/api/v1/needs/{need['id']}/triage", {"grade": "A"}, language="en"
    )
    assert response.json() == {
        "code": "wrong_state",
        "message": "This need is cancelled: you cannot triage it now.",
    }
