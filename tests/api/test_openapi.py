"""The API's description: every core call of DESIGN.md is in the OpenAPI schema, with its shape."""

from __future__ import annotations

CORE = {
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/me/statement"),
    ("get", "/api/v1/categories"),
    ("post", "/api/v1/needs"),
    ("post", "/api/v1/needs/{need_id}/triage"),
    ("post", "/api/v1/tasks"),
    ("get", "/api/v1/tasks"),
    ("post", "/api/v1/tasks/{task_id}/claims"),
    ("post", "/api/v1/claims/{claim_id}/submit"),
    ("post", "/api/v1/claims/{claim_id}/confirm"),
}


async def test_the_schema_lists_every_core_call_with_a_summary(api):
    response = await api.client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert not CORE - paths, CORE - paths
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


async def test_the_schema_gives_ids_as_strings_and_the_me_shape(api):
    schema = (await api.client.get("/schema/openapi.json")).json()
    components = schema["components"]["schemas"]
    me = components["Me"]["properties"]
    assert {"id", "phone", "name", "roles", "balance"} <= set(me)
    assert me["id"]["type"] == "string"
    claim = components["ClaimOut"]["properties"]
    assert {"id", "task_id", "member_id", "status", "transfer_id"} <= set(claim)
    assert claim["task_id"]["type"] == "string"
    statement_item = components["StatementItem"]["properties"]
    assert {"id", "amount", "direction", "reason", "reference", "balance_after", "created_at"} <= set(
        statement_item
    )
