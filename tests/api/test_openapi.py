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


async def described(api) -> dict:
    response = await api.client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


async def test_every_refusal_is_described_as_the_body_the_api_sends(api):
    schema = await described(api)
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message"]
    assert set(error["properties"]) == {"code", "message", "fields"}
    assert error["properties"]["fields"]["items"]["required"] == ["field", "problem"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                wanted = "Open311Errors" if path.startswith("/open311/") else "Error"
                for media in response["content"].values():
                    assert media["schema"] == {"$ref": f"#/components/schemas/{wanted}"}, (
                        method,
                        path,
                        status,
                    )
    assert "status_code" not in str(schema["paths"])  # Litestar's own error shape is gone


async def test_each_call_lists_the_refusals_it_can_answer(api):
    paths = (await described(api))["paths"]

    def statuses(method, path):
        return set(paths[path][method]["responses"])

    assert {"401", "403", "404", "409"} <= statuses("post", "/api/v1/tasks/{task_id}/claims")
    assert {"400", "401", "403", "404", "409", "413"} <= statuses("post", "/api/v1/needs")
    assert {"401", "429"} <= statuses("post", "/api/v1/auth/token")
    retry = paths["/api/v1/auth/token"]["post"]["responses"]["429"]["headers"]
    assert "Retry-After" in retry
    assert "503" in statuses("get", "/api/v1/me/certificate.pdf")
    assert "401" not in statuses("get", "/api/v1/categories")


async def test_calls_that_need_no_token_say_so(api):
    paths = (await described(api))["paths"]
    for method, path in [
        ("get", "/health"),
        ("get", "/api/v1/categories"),
        ("post", "/api/v1/auth/token"),
        ("get", "/api/v1/communities/{community_id}/evaluations"),
        ("get", "/api/v1/certificates/{code}"),
        ("get", "/open311/v2/services.json"),
        ("post", "/open311/v2/requests.json"),
    ]:
        assert paths[path][method]["security"] == [], (method, path)
    # Public, and with a token also what the reader may do (a survey to answer, a donation to record).
    for path in ("/api/v1/surveys/{survey_id}", "/api/v1/funds/{community_id}"):
        assert paths[path]["get"]["security"] == [{}, {"BearerToken": []}], path
    assert paths["/api/v1/me"]["get"]["security"] == [{"BearerToken": []}]
    # Whatever needs a token answers 401 without one.
    s = api.street
    for method, path in [("get", "/api/v1/me"), ("post", "/api/v1/tasks")]:
        assert paths[path][method]["security"] == [{"BearerToken": []}]
        response = await api.call(None, method.upper(), path, json={})
        assert response.status_code == 401, response.text
    assert (await api.get(None, "/api/v1/categories")).status_code == 200
    assert (await api.get(None, f"/api/v1/funds/{s.community}")).status_code == 200


async def test_a_bids_scores_are_described_as_the_object_they_are(api):
    schema = await described(api)
    scores = schema["components"]["schemas"]["ScoresIn"]["properties"]["scores"]
    assert scores["type"] == "object"
    assert scores["patternProperties"] == {
        "^[1-9][0-9]{0,17}$": {"maximum": 100, "minimum": 0, "type": "integer"}
    }
    assert schema["components"]["schemas"]["ScoresIn"]["additionalProperties"] is False


async def test_open311s_answers_are_described_in_json_and_xml(api):
    paths = (await described(api))["paths"]
    services = paths["/open311/v2/services.xml"]["get"]["responses"]["200"]["content"]
    assert set(services) == {"application/xml"}
    assert services["application/xml"]["schema"]["xml"] == {"name": "services", "wrapped": True}
    one = paths["/open311/v2/requests/{name}"]["get"]["responses"]
    assert set(one["200"]["content"]) == {"application/json", "application/xml"}
    assert set(one["404"]["content"]) == {"application/json", "application/xml"}
    listed = {p["name"] for p in paths["/open311/v2/requests.json"]["get"]["parameters"]}
    assert {"jurisdiction_id", "service_request_id", "status", "start_date", "end_date"} <= listed


async def test_an_unknown_query_parameter_is_refused_and_named(api):
    s = api.street
    response = await api.get(s.staff, "/api/v1/needs?stauts=new&mine=true&colour=red")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert [f["field"] for f in body["fields"]] == ["colour", "stauts"]
    assert body["fields"][0]["problem"] == "此调用没有这个查询参数。"
    assert "colour" in body["message"] and "stauts" in body["message"]
    english = await api.get(s.staff, "/api/v1/categories?lang=en", language="en")
    assert english.status_code == 400
    assert english.json()["fields"] == [
        {"field": "lang", "problem": "This call has no such query parameter."}
    ]
    assert (await api.get(s.staff, "/api/v1/needs?mine=true&limit=5")).status_code == 200


async def test_open311_clients_may_send_geo_reports_own_parameters(api):
    response = await api.client.get("/open311/v2/services.json?jurisdiction_id=1&api_key=x&locale=zh")
    assert response.status_code == 200
    response = await api.client.get("/open311/v2/requests/abc.json?jurisdiction_id=1")
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


async def test_a_statement_cursor_the_api_never_gave_out_is_invalid_input(api):
    response = await api.get(api.street.resident, "/api/v1/me/statement?cursor=abc")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_input", "message": "该分页链接已失效，请刷新列表。"}
