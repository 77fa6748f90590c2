"""Which policy a path gets, and cookies made Secure over HTTPS, without an app."""

from __future__ import annotations

from web.headers import policy_for, requested_path, secure_cookie


def test_the_admin_and_the_schema_have_their_own_policy_and_everything_else_the_pages():
    assert [policy_for(p) for p in ("/admin", "/admin/assets/x.js", "/schema", "/schema/openapi.json")] == [
        "admin",
        "admin",
        "schema",
        "schema",
    ]
    assert {policy_for(p) for p in ("/", "/administer", "/schemata", "/api/v1/me", "/static/linli.css")} == {
        "pages"
    }


def test_the_path_is_the_one_asked_for_not_what_routing_left_of_it():
    assert requested_path({"raw_path": b"/admin/", "path": "/", "root_path": ""}) == "/admin/"
    assert requested_path({"raw_path": b"/linli/admin/", "path": "/", "root_path": "/linli"}) == "/admin/"
    assert requested_path({"path": "/login"}) == "/login"


def test_a_cookie_is_made_secure_once():
    assert secure_cookie(b"id=1; Path=/; HttpOnly") == b"id=1; Path=/; HttpOnly; Secure"
    assert secure_cookie(b"id=1; Path=/; secure") == b"id=1; Path=/; secure"
