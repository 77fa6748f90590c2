"""What the API's description says each call can refuse, from what the route table says of it."""

from __future__ import annotations

from web.contract import Operation


def operation(method="GET", path="/api/v1/x", token="required", query=(), path_parameters=False, body=False):
    return Operation(method, path, token, frozenset(query), path_parameters, body)


def test_a_call_that_needs_a_token_can_be_refused_signed_out_forbidden_or_in_conflict():
    assert operation().statuses == {400, 401, 403, 409}


def test_a_call_that_names_an_item_can_find_nothing_there():
    assert 404 in operation(path_parameters=True).statuses
    assert 404 in operation(query=("area_id",)).statuses
    assert 404 in operation(method="POST", body=True).statuses


def test_a_public_call_answers_no_401_and_only_its_own_refusals():
    assert operation(token="none").statuses == {400}
    assert operation(token="none", path_parameters=True).statuses == {400, 404}


def test_an_optional_sign_in_can_still_be_refused_for_a_token_that_ended():
    assert {401, 403, 404} <= operation(token="optional", path_parameters=True).statuses


def test_a_write_can_be_too_large_and_sign_in_can_be_slowed_down():
    assert 413 in operation(method="PUT", body=True).statuses
    assert 413 not in operation().statuses
    sign_in = operation(method="POST", path="/api/v1/auth/token", token="none", body=True)
    assert {401, 429} <= sign_in.statuses
    assert 503 in operation(path="/api/v1/me/certificate.pdf").statuses
