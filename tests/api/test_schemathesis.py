"""Schemathesis over the whole API, in this process, on a street with one item of every kind:
as community staff, as a resident and signed out, every operation answers as its description
says (no 5xx, no undocumented status, bodies of the documented shape), and an operation that
needs a token never answers anything but 401 without one.

Schemathesis (with Hypothesis) draws each request from the description; the request goes to the
app through the test's own client, on the loop the app's database lives on, and Schemathesis
judges the answer. Path parameters are drawn from the ids of the items the street really has,
so that the requests reach the handlers rather than stopping at 404.
"""

from __future__ import annotations

import asyncio
import copy
import re
import time
from collections import Counter

import httpx
import hypothesis
import hypothesis.errors
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import checks
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode

from tests.api.world import fill, xingfuli

EXAMPLES = 3  # per operation, identity and mode: enough to catch a 5xx, small enough for CI
BASE_URL = "http://linli.test"
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]
# Path parameters by name, and the kinds of item whose ids they take.
KINDS = {
    "need_id": ("need", "common_need"),
    "task_id": ("task",),
    "claim_id": ("claim",),
    "project_id": ("project",),
    "milestone_id": ("project_milestone",),
    "resource_id": ("resource",),
    "item_id": ("item",),
    "redemption_id": ("redemption",),
    "listing_id": ("listing",),
    "exchange_id": ("exchange",),
    "call_id": ("call",),
    "bid_id": ("bid",),
    "survey_id": ("survey",),
}
# Signing out would end the token for every request after it.
SIGNS_OUT = {("DELETE", "/api/v1/auth/token"), ("DELETE", "/api/v1/auth/tokens")}


def with_known_ids(described: dict, ids: dict[str, list[int]]) -> dict:
    """The description, its path parameters drawn from the street's ids (a copy)."""
    described = copy.deepcopy(described)
    for item in described["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                known = ids.get(parameter["name"])
                if parameter["in"] == "path" and known:
                    parameter["schema"] = {"type": "integer", "enum": known}
    return described


async def send(client: httpx.AsyncClient, request: dict) -> httpx.Response:
    """Send the request Schemathesis prepared (for ``requests``) with the test's httpx client."""
    body = {}
    if "json" in request:
        body["json"] = request["json"]
    elif isinstance(request.get("data"), bytes | str):
        body["content"] = request["data"]
    elif request.get("data") is not None:
        body["data"] = request["data"]
    if request.get("files"):
        body["files"] = request["files"]
    return await client.request(
        request["method"], request["url"], params=request.get("params"), headers=request["headers"], **body
    )


def examine(operation, mode, headers: dict, secured: bool, loop, client, statuses: Counter) -> None:
    """Draw requests for ``operation`` in ``mode``, send each and judge its answer (the first
    failure is raised)."""

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def example(case):
        request = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
        response = asyncio.run_coroutine_threadsafe(send(client, request), loop).result(60)
        statuses[response.status_code] += 1
        if secured:  # without a token, nothing but a refusal to read or write anything
            assert response.status_code in (400, 401, 404), f"signed out, answered {response.status_code}"
        case.validate_response(response, checks=CHECKS, headers=request["headers"])

    example()


def run(schemas: dict, loop, client, identities: dict[str, str | None]) -> tuple[list[str], Counter]:
    """Every operation as each identity, in positive mode (the street's ids in the address) and
    negative mode: the failures found and how many answers of each status were judged."""
    failures: list[str] = []
    statuses: Counter = Counter()
    operations = {
        mode: {(op.method.upper(), op.path): op for op in (r.ok() for r in schema.get_all_operations())}
        for mode, schema in schemas.items()
    }
    for key, operation in operations[GenerationMode.POSITIVE].items():
        security = operation.definition.raw.get("security", [])
        for who, token in identities.items():
            if token and key in SIGNS_OUT:
                continue
            headers = {"Accept-Language": "zh-CN"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            secured = token is None and bool(security) and all(security)  # no {}: a token is required
            for mode, of_mode in operations.items():
                if secured and mode == GenerationMode.NEGATIVE:
                    continue  # signed out, any request is refused before its input is read
                try:
                    examine(of_mode[key], mode, headers, secured, loop, client, statuses)
                except hypothesis.errors.Unsatisfiable:
                    pass  # nothing to get wrong (no parameters, no body): no negative example exists
                except (Exception, FailureGroup) as error:  # noqa: BLE001  (every failure is listed)
                    text = re.sub(r"\n\s*\n", "\n", str(error))[:1500]
                    failures.append(f"{key[0]} {key[1]} as {who} ({mode}):\n{text}")
    return failures, statuses


async def test_every_operation_answers_as_described_to_staff_residents_and_the_signed_out(api):
    s = api.street
    items = await fill(api, await xingfuli(api))
    ids = {name: [items.ids[kind] for kind in kinds] for name, kinds in KINDS.items()}
    ids["community_id"] = [s.community]
    ids["area_id"] = [s.community, s.grid, s.unit]
    ids["organisation_id"] = [s.organisation]
    described = (await api.client.get("/schema/openapi.json")).json()
    schemas = {
        GenerationMode.POSITIVE: schemathesis.openapi.from_dict(with_known_ids(described, ids)),
        GenerationMode.NEGATIVE: schemathesis.openapi.from_dict(described),
    }
    identities = {
        "staff": await api.token(s.staff),
        "resident": await api.token(s.resident),
        "signed out": None,
    }
    started = time.monotonic()
    failures, statuses = await asyncio.to_thread(
        run, schemas, asyncio.get_running_loop(), api.client, identities
    )
    elapsed_s = time.monotonic() - started
    print(f"schemathesis: {sum(statuses.values())} requests in {elapsed_s:.0f} s, by status {dict(statuses)}")
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)
    assert not any(status >= 500 for status in statuses)
    operations = sum(len(item) for item in described["paths"].values())
    assert sum(statuses.values()) > 3 * operations and statuses[200] > operations  # it did run
