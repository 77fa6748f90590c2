"""Signing in and out, the session cookie, CSRF, the sign-in rate limit and the language."""

from __future__ import annotations

import pytest

from projects import errors, signin
from tests.projects.community import PASSWORD


async def test_signing_in_sets_an_httponly_samesite_session_cookie_and_signing_out_revokes_it(site):
    browser = site.browser()
    page = await browser.get("/login")
    assert page.status_code == 200
    assert 'name="phone"' in page.text and 'name="password"' in page.text
    assert 'for="phone"' in page.text and 'for="password"' in page.text  # every control is labelled
    response = await browser.post(
        "/login", {"phone": site.street.phones[site.street.resident], "password": PASSWORD}
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("linli_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # plain http here; https gets Secure (next test)
    token = browser.client.cookies.get("linli_session")
    home = await browser.follow(response)
    assert home.status_code == 200 and "王阿姨" in home.text
    # The session is the API's token machinery: it works as a bearer token until signed out.
    assert (
        await site.browser().client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 200
    out = await browser.post("/logout")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert (
        await site.browser().client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 401
    # The old cookie, replayed, no longer opens a page.
    replay = site.browser()
    replay.client.cookies.set("linli_session", token)
    again = await replay.get("/needs")
    assert again.status_code == 303 and again.headers["location"].startswith("/login?next=")


async def test_over_https_every_cookie_is_secure_and_signing_in_gives_a_new_csrf_token(site):
    browser = site.browser(base_url="https://linli.test")
    first = await browser.get("/login")
    csrf = next(c for c in first.headers.get_list("set-cookie") if c.startswith("linli_csrf="))
    assert "Secure" in csrf and "HttpOnly" in csrf
    before = browser.csrf()
    response = await browser.post(
        "/login", {"phone": site.street.phones[site.street.resident], "password": PASSWORD}
    )
    cookies = {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}
    assert "Secure" in cookies["linli_session"] and "HttpOnly" in cookies["linli_session"]
    assert "Secure" in cookies["linli_csrf"] and "Secure" in cookies["linli_flash"]
    after = browser.csrf()
    assert after != before
    # A token planted or seen before sign-in no longer sends a form.
    stale = await browser.post(
        "/needs", {"category": "care.meals", "description": "送餐", "_csrf_token": before}, csrf=False
    )
    assert stale.status_code == 403
    fresh = await browser.post("/needs", {"category": "care.meals", "description": "送餐"})
    assert fresh.status_code == 303


@pytest.mark.session_idle(minutes=120)  # the default of LINLI_SESSION_IDLE_MINUTES
async def test_a_session_unused_for_two_hours_ends_while_one_in_use_goes_on(site):
    browser = await site.signed_in(site.street.resident)
    token = browser.client.cookies.get("linli_session")
    api = site.browser().client
    bearer = {"Authorization": f"Bearer {token}"}
    for _ in range(3):  # used every 119 minutes: six hours on, still signed in
        site.clock.advance(minutes=119)
        assert (await browser.get("/needs")).status_code == 200
    site.clock.advance(minutes=120)
    ended = await browser.get("/needs")
    assert ended.status_code == 303 and ended.headers["location"].startswith("/login")
    assert (await api.get("/api/v1/me", headers=bearer)).status_code == 401


async def test_signing_out_everywhere_ends_every_session_and_token_of_the_member(site):
    s = site.street
    phone = s.phones[s.resident]
    api = site.browser().client
    tokens = [
        (await api.post("/api/v1/auth/token", json={"phone": phone, "password": PASSWORD})).json()["token"]
        for _ in range(2)
    ]
    laptop, phone_browser = await site.signed_in(s.resident), await site.signed_in(s.resident)
    neighbour = await site.signed_in(s.neighbour)
    home = await laptop.get("/")
    assert 'action="/logout/everywhere"' in home.text and "在所有设备上退出" in home.text
    out = await laptop.post("/logout/everywhere")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    for browser in (laptop, phone_browser):
        assert (await browser.get("/needs")).status_code == 303
    for token in tokens:
        assert (await api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 401
    assert (await neighbour.get("/needs")).status_code == 200  # nobody else's
    # The API's call does the same for a token's member.
    token = (await api.post("/api/v1/auth/token", json={"phone": phone, "password": PASSWORD})).json()[
        "token"
    ]
    again = await site.signed_in(s.resident)
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await api.delete("/api/v1/auth/tokens", headers=bearer)).status_code == 204
    assert (await api.get("/api/v1/me", headers=bearer)).status_code == 401
    assert (await again.get("/needs")).status_code == 303
    assert (await api.delete("/api/v1/auth/tokens", headers=bearer)).status_code == 401


async def test_a_page_that_needs_a_member_sends_strangers_to_sign_in_and_back(site):
    browser = site.browser()
    response = await browser.get("/needs/new?category=care.meals")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fneeds%2Fnew%3Fcategory%3Dcare.meals"
    await browser.get("/login")
    signed = await browser.post(
        "/login",
        {
            "phone": site.street.phones[site.street.resident],
            "password": PASSWORD,
            "next": "/needs/new?category=care.meals",
        },
    )
    assert signed.headers["location"] == "/needs/new?category=care.meals"
    # ... but never to another site.
    other = await browser.post(
        "/login",
        {"phone": site.street.phones[site.street.resident], "password": PASSWORD, "next": "//evil.example/"},
    )
    assert other.headers["location"] == "/"


async def test_a_form_without_its_csrf_token_is_refused_but_the_json_api_needs_none(site):
    browser = await site.signed_in(site.street.resident)
    refused = await browser.post("/needs", {"category": "care.meals", "description": "送餐"}, csrf=False)
    assert refused.status_code == 403
    assert "表单已过期" in refused.text and "<html" in refused.text
    wrong = await browser.post(
        "/needs", {"category": "care.meals", "description": "送餐", "_csrf_token": "x" * 80}, csrf=False
    )
    assert wrong.status_code == 403
    # A bearer-token client posts JSON without any CSRF token.
    api = site.browser().client
    token = (
        await api.post(
            "/api/v1/auth/token",
            json={"phone": site.street.phones[site.street.resident], "password": PASSWORD},
        )
    ).json()["token"]
    created = await api.post(
        "/api/v1/needs",
        json={"category": "care.meals", "description": "送餐"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201


async def test_a_wrong_password_comes_back_with_the_number_kept_and_the_message_in_the_language(site):
    browser = site.browser("en")
    await browser.get("/login")
    response = await browser.post("/login", {"phone": "13700000006", "password": "wrong-password"})
    assert response.status_code == 400
    assert "The mobile number or the password is wrong." in response.text
    assert 'value="13700000006"' in response.text and "wrong-password" not in response.text
    empty = await browser.post("/login", {"phone": "", "password": ""})
    assert empty.status_code == 400
    assert "Please fill in the mobile number." in empty.text and "Please fill in the password." in empty.text
    zh = site.browser()
    await zh.get("/login")
    response = await zh.post("/login", {"phone": "13700000006", "password": "wrong-password"})
    assert response.status_code == 400 and "手机号或密码错误" in response.text


async def test_five_failed_sign_ins_lock_the_number_from_that_address_for_pages_and_api_alike(site):
    phone = site.street.phones[site.street.neighbour]
    browser = site.browser()
    await browser.get("/login")
    for _ in range(5):
        assert (
            await browser.post("/login", {"phone": phone, "password": "not-it-at-all"})
        ).status_code == 400
    locked = await browser.post("/login", {"phone": phone, "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 800
    assert "登录失败次数过多" in locked.text and "15" in locked.text
    api = await site.browser().client.post("/api/v1/auth/token", json={"phone": phone, "password": PASSWORD})
    assert api.status_code == 429 and api.json()["code"] == "too_many_requests"
    assert int(api.headers["retry-after"]) > 0
    # X-Forwarded-For from a peer that is no configured proxy changes nothing (loopback neither).
    spoofed = await site.browser().client.post(
        "/api/v1/auth/token",
        json={"phone": phone, "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.77"},
    )
    assert spoofed.status_code == 429
    # Fifteen minutes later the number may try again, and a success clears its count.
    site.clock.advance(minutes=15, seconds=1)
    assert (await browser.post("/login", {"phone": phone, "password": PASSWORD})).status_code == 303


async def test_a_number_failing_from_elsewhere_only_slows_its_owner_down(site):
    """Five wrong passwords from anywhere do not lock a member out: a sign-in from the member's own
    address waits a few seconds, growing with each failure, and then goes through."""
    phone = site.street.phones[site.street.neighbour]
    for n in range(5):
        with pytest.raises(errors.BadCredentials):
            await signin.sign_in(phone, f"guess-{n}", address="203.0.113.66", now=site.clock())
    owner = site.browser("en")
    await owner.get("/login")
    slowed = await owner.post("/login", {"phone": phone, "password": PASSWORD})
    assert slowed.status_code == 429 and slowed.headers["retry-after"] == "2"
    assert "Several failed sign-ins for this number: try again in 2 seconds." in slowed.text
    site.clock.advance(seconds=2)
    assert (await owner.post("/login", {"phone": phone, "password": PASSWORD})).status_code == 303


async def test_failures_for_many_numbers_from_one_address_do_not_shut_a_shared_network_out(site):
    """A community centre's residents share one address: their mistakes do not lock each other out."""
    client = site.browser().client
    phones = [site.street.phones[v] for v in site.street.volunteers[:6]]
    for phone in phones[:5]:
        response = await client.post("/api/v1/auth/token", json={"phone": phone, "password": "not-it-at-all"})
        assert response.status_code == 401
    signed = await client.post("/api/v1/auth/token", json={"phone": phones[5], "password": PASSWORD})
    assert signed.status_code == 200


async def test_the_language_switch_sets_the_lang_cookie_and_the_pages_follow_it(site):
    browser = await site.signed_in(site.street.resident)
    zh = await browser.get("/needs")
    assert "我的需求" in zh.text and 'lang="zh-CN"' in zh.text
    switched = await browser.get("/lang/en?next=/needs")
    assert switched.status_code == 303 and switched.headers["location"] == "/needs"
    assert "lang=en" in switched.headers["set-cookie"]
    en = await browser.get("/needs")
    assert "My needs" in en.text and 'lang="en"' in en.text
    assert (await browser.get("/lang/fr")).status_code == 404
    away = await browser.get("/lang/zh?next=https://evil.example/")
    assert away.headers["location"] == "/"


async def test_error_pages_are_html_in_the_readers_language_while_the_api_keeps_json(site):
    browser = site.browser("en")
    missing = await browser.get("/no/such/page")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "Page not found" in missing.text
    zh = await site.browser().get("/no/such/page")
    assert "页面不存在" in zh.text
    api = await site.browser().client.get("/api/v1/no/such/thing")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
