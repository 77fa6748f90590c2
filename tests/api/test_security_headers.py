"""Security headers on every kind of response through the real app: pages, the API, errors,
static files, /schema (Scalar) and /admin (Piccolo Admin), each with the policy it can live with."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from litestar.testing import AsyncTestClient

from web.app import create_app

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["content-security-policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_secured(response, where: str) -> dict[str, list[str]]:
    headers = response.headers
    assert headers["x-frame-options"] == "DENY", where
    assert headers["x-content-type-options"] == "nosniff", where
    assert headers["referrer-policy"] == "same-origin", where
    assert "strict-transport-security" not in headers, where  # plain http: no HSTS
    policy = csp(response)
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"], where
    assert "'unsafe-eval'" not in response.headers["content-security-policy"], where
    return policy


async def test_every_kind_of_response_carries_the_headers_and_each_part_its_policy(api):
    s = api.street
    client = api.client
    for url, status in (
        ("/login", 200),
        ("/", 303),
        ("/no/such/page", 404),
        ("/static/linli.css", 200),
        ("/api/v1/me", 401),
        ("/api/v1/no/such/thing", 404),
        ("/health", 200),
    ):
        response = await client.get(url)
        assert response.status_code == status, (url, response.status_code)
        policy = assert_secured(response, url)
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"], url
    assert_secured(await api.call(s.resident, "GET", "/api/v1/me"), "/api/v1/me signed in")

    # /schema is Scalar: everything its page loads is allowed by its policy, and nothing else.
    schema = await client.get("/schema")
    assert schema.status_code == 200 and "api-reference" in schema.text
    policy = assert_secured(schema, "/schema")
    assert "https://cdn.jsdelivr.net" in policy["script-src"]
    for tag, attribute, directive in (("script", "src", "script-src"), ("link", "href", "style-src")):
        for found in re.findall(rf"<{tag}[^>]*\b{attribute}=[\"']([^\"']+)", schema.text):
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(found)) if "://" in found else "'self'"
            allowed = policy["img-src"] if found.endswith(".png") else policy[directive]
            assert origin in allowed, (found, allowed)
    assert_secured(await client.get("/schema/openapi.json"), "/schema/openapi.json")

    # /admin is Piccolo Admin: its login page is its own script and stylesheet, served from here.
    admin = await client.get("/admin/")
    assert admin.status_code == 200 and '<div id="app">' in admin.text
    policy = assert_secured(admin, "/admin/")
    assert policy["script-src"] == ["'self'"] and "'unsafe-inline'" in policy["style-src"]
    assets = re.findall(r'(?:src|href)="\./(assets/[^"]+)"', admin.text)
    assert assets and all(a.endswith((".js", ".css")) for a in assets)
    for asset in assets:
        served = await client.get(f"/admin/{asset}")
        assert served.status_code == 200, asset
        assert_secured(served, asset)


def test_no_template_has_a_script_an_inline_style_or_an_event_handler():
    """What the pages' policy forbids is not in any template."""
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=|javascript:", text, re.I), template.name


async def test_hsts_when_served_over_https(database_url, monkeypatch):
    monkeypatch.setenv("LINLI_HTTPS", "1")
    async with AsyncTestClient(create_app(database_url, sweep_interval_s=0)) as client:
        for url in ("/login", "/api/v1/me", "/admin/"):
            response = await client.get(url)
            assert response.headers["strict-transport-security"] == "max-age=31536000", url
