"""The page walk: every demo account of DESIGN.md opens every page its menu leads to and a few of
each kind of item those pages list, and sends every form each page shows, filled in as a person
would. Nothing shown may be refused as not allowed (403), in conflict (409), missing (404) or
broken (500): a page offers only what works. And for the loop's items, a form is on the page
exactly when the API says the member may take its action (the domain's rule, asked once).

One demo street per engine, built in this process; the walk changes it as it goes (a claim made,
a need graded), so every form is read again from a fresh copy of its page before it is sent.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from demo.accounts import PASSWORD
from demo.build import build_demo
from demo.market import build_market_demo
from tests.api.conftest import running
from tests.pages.conftest import FLASH
from tests.pages.walk import Page, kind_of
from web.app import create_app

ROLES = {
    "13800000000": "admin",
    "13800000001": "community staff",
    "13800000002": "grid leader",
    "13800000003": "volunteer",
    "13800000004": "resident",
    "13800000005": "enterprise representative",
    "13800000006": "merchant",
    "13900000100": "staff of the other community",
    "13900000101": "street staff",
    "13900000102": "district staff",
}
ITEMS_OF_A_KIND = 2  # item pages visited per kind (needs/N, tasks/N...) and member
FAILED = (403, 404, 409, 500)
# Forms the walk never sends: they end the session or leave the site's pages.
NOT_SENT = re.compile(r"^/(logout|lang/)|sign-out|password")
# Links the walk never follows: files, other apps, the API, another language.
NOT_FOLLOWED = re.compile(r"^/(static|admin|schema|api|lang|logout|open311|health)|\.(pdf|xlsx|csv|png|svg)$")


@dataclass
class Walk:
    """What one member's walk saw and what went wrong."""

    role: str
    pages: int = 0
    forms: int = 0
    problems: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # the item pages visited (for the second test)


@pytest.fixture(scope="module")
def demo_database(request, tmp_path_factory) -> str:
    """A fresh database of each engine (the module runs once per engine), the demo built in it."""
    engine = request.param

    async def build(url: str) -> None:
        from web.database import close_database, migrate, open_database

        handle = await open_database(url, pool_size=4)
        try:
            await migrate()
            await build_demo(residents=150, transfers=300)
            await build_market_demo(seed=7)
        finally:
            await close_database(handle)

    from tests.conftest import Databases

    url = Databases(engine, tmp_path_factory.mktemp("walk"), request).new_url()
    asyncio.run(build(url))
    return url


@pytest.fixture
async def transport(demo_database: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(demo_database, sweep_interval_s=0)
    async with running(app):
        yield httpx.ASGITransport(app=app)


def pytest_generate_tests(metafunc):
    if "demo_database" in metafunc.fixturenames:
        metafunc.parametrize("demo_database", ["sqlite", "postgres"], indirect=True, scope="module")


async def signed_in(transport, phone: str) -> httpx.AsyncClient:
    browser = httpx.AsyncClient(transport=transport, base_url="http://linli.test", timeout=60)
    browser.headers["Accept-Language"] = "zh-CN"
    await browser.get("/login")
    response = await browser.post(
        "/login", data={"phone": phone, "password": PASSWORD, "_csrf_token": browser.cookies["linli_csrf"]}
    )
    assert response.status_code == 303, response.text[:500]
    return browser


def refusal(response: httpx.Response) -> int | None:
    """The status of a refusal shown on a page (an error flash or an error page), if any."""
    shown = FLASH.search(response.text)
    if shown:
        return int(shown.group(1))
    return response.status_code if response.status_code in FAILED else None


async def send(browser: httpx.AsyncClient, path: str, form, button) -> httpx.Response:
    values = form.values()
    if button is not None:
        values[button[0]] = button[1]
    if form.method == "get":
        return await browser.get(f"{form.action or path}?{urlencode(values)}")
    values["_csrf_token"] = browser.cookies["linli_csrf"]
    response = await browser.post(
        form.action or path, data=values, headers={"Referer": f"http://linli.test{path}"}
    )
    if response.status_code == 303:
        response = await browser.get(response.headers["location"])
    return response


def same(form, action: str, button) -> bool:
    return form.action == action and (button is None or button in form.buttons)


async def walk(transport, phone: str) -> Walk:
    """One member opens their menu's pages and a few items of each kind, and sends every form."""
    seen = Walk(ROLES[phone])
    browser = await signed_in(transport, phone)
    home = Page((await browser.get("/")).text)
    menu = [link for link in home.links if not NOT_FOLLOWED.search(link)]
    queue, visited, of_kind = ["/", *menu], set(), {}
    while queue:
        path = queue.pop(0)
        if path in visited:
            continue
        visited.add(path)
        response = await browser.get(path, follow_redirects=True)
        seen.pages += 1
        if response.status_code != 200 or refusal(response):
            seen.problems.append(f"GET {path}: {response.status_code} {refusal(response)}")
            continue
        page = Page(response.text)
        if kind_of(path) != path:
            seen.items.append(path)
        if path == "/" or path in menu:  # the items these pages list
            for link in page.links:
                kind = kind_of(link)
                if NOT_FOLLOWED.search(link) or link in visited or kind == link:
                    continue
                if of_kind.get(kind, 0) < ITEMS_OF_A_KIND:
                    of_kind[kind] = of_kind.get(kind, 0) + 1
                    queue.append(link)
        for form in page.forms:
            if NOT_SENT.search(form.action or path):
                continue
            for button in form.buttons or [None]:
                # Read the page again: an earlier form may have changed what it offers.
                fresh = next(
                    (f for f in Page((await browser.get(path)).text).forms if same(f, form.action, button)),
                    None,
                )
                if fresh is None:
                    continue
                seen.forms += 1
                answer = await send(browser, path, fresh, button)
                status = refusal(answer)
                if status in FAILED:
                    text = FLASH.search(answer.text)
                    seen.problems.append(
                        f"{fresh.method.upper()} {fresh.action} {button or ''} from {path}: {status} "
                        f"{text.group(2) if text else answer.text[:200]}"
                    )
    await browser.aclose()
    return seen


async def test_every_page_a_member_reaches_offers_only_forms_that_work(transport):
    started = time.perf_counter()
    walks = [await walk(transport, phone) for phone in ROLES]
    problems = [f"{w.role}: {problem}" for w in walks for problem in w.problems]
    assert not problems, "\n".join(problems)
    # Every role saw its pages and sent forms: a walk that found nothing would prove nothing.
    for seen in walks:
        assert seen.pages >= 5, (seen.role, seen.pages)
    assert sum(seen.forms for seen in walks) >= 60, [(w.role, w.forms) for w in walks]
    print(
        f"\npage walk: {sum(w.pages for w in walks)} pages, {sum(w.forms for w in walks)} forms "
        f"in {time.perf_counter() - started:.1f} s"
    )


# A loop item's form, by where it posts, and the action of the API's ``may_<action>`` it stands for.
FORMS = {
    "needs": {"cancel": "cancel", "join": "join"},
    "desk/needs": {
        "triage": ("triage", "escalate", "reject"),
        "dispatch": "dispatch",
        "progress": "progress",
    },
    "tasks": {"claim": ("claim", "send"), "accept": "accept", "decline": "decline", "record": "record"},
    "claims": {
        "check-in": "check_in",
        "submit": "submit",
        "withdraw": "withdraw",
        "confirm": "confirm",
        "dispute": "dispute",
        "settle": "settle",
        "rate": "rate",
    },
}


async def test_a_form_is_offered_exactly_when_the_domain_allows_its_action(transport):
    for phone in ("13800000001", "13800000002", "13800000003", "13800000004", "13800000005"):
        browser = await signed_in(transport, phone)
        token = (await browser.post("/api/v1/auth/token", json={"phone": phone, "password": PASSWORD})).json()
        api = {"Authorization": f"Bearer {token['token']}"}
        for kind, path in (("needs", "/needs"), ("tasks", "/tasks"), ("claims", "/claims")):
            listed = Page((await browser.get(path)).text).links
            for link in [item for item in listed if kind_of(item) == f"{kind}/N"][:4]:
                number = int(link.rsplit("/", 1)[1])
                item = (await browser.get(f"/api/v1/{kind}/{number}", headers=api)).json()
                may = {
                    name.removeprefix("may_")
                    for name, value in item.items()
                    if name.startswith("may_") and value
                }
                forms = Page((await browser.get(link)).text).forms
                for prefix in (kind, f"desk/{kind}"):
                    for ending, actions in FORMS.get(prefix, {}).items():
                        actions = (actions,) if isinstance(actions, str) else actions
                        shown = any(urlsplit(f.action).path == f"/{prefix}/{number}/{ending}" for f in forms)
                        assert shown == bool(may & set(actions)), (phone, link, ending, sorted(may))
        await browser.aclose()
