"""The API's contract, made exact from the route table: the OpenAPI description of the real error
bodies, of every status a call can answer and of the calls that need no token; and unknown query
parameters refused before any handler runs.

Litestar describes each handler's success and a validation error of its own shape; what Linli
really answers on refusal (DESIGN.md, "Interfaces": ``{"code", "message", "fields"?}``) is decided
here once, for every operation, from what its handler depends on: a call that takes the signed-in
actor needs a bearer token (401 without one, 403 for a role that may not); a call that names an
item can answer 404; a change can conflict (409) or be too large (413). The description is fixed
when it is first asked for (building it costs the app's start-up nothing).
"""

from __future__ import annotations

import copy
import typing
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

from litestar import Litestar, Request
from litestar.enums import ParamType
from litestar.exceptions import ValidationException
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.routes import HTTPRoute
from pydantic import BaseModel

from projects.errors import N_

API = "/api/v1/"
OPEN311 = "/open311/"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SIGNED_IN = "actor"  # the dependency of the signed-in member (web.api.deps)
OPTIONALLY_SIGNED_IN = "viewer"  # the dependency of a member who may be signed in

Token = Literal["required", "optional", "none"]

# What a handler raises itself, beyond what its dependencies tell: sign-in refuses a wrong
# password (401) and slows down repeated failures (429); a certificate cannot be printed
# without its font (503).
RAISED: dict[tuple[str, str], frozenset[int]] = {
    ("POST", "/api/v1/auth/token"): frozenset({401, 429}),
    ("GET", "/api/v1/me/certificate.pdf"): frozenset({503}),
    ("GET", "/api/v1/me/registration"): frozenset({404}),  # a member who never registered themself
}
# Answers that are files rather than JSON: the ledgers (台账) as .xlsx or .csv.
DOWNLOADS = {("GET", "/api/v1/exports/{name}")}


@dataclass(frozen=True, slots=True)
class Operation:
    """What the route table says of one method on one path."""

    method: str
    path: str
    token: Token
    query: frozenset[str]  # the query parameters it declares
    path_parameters: bool
    body: bool

    @property
    def statuses(self) -> frozenset[int]:
        """The refusals it can answer (DESIGN.md's error row), besides its success."""
        found = {400}  # an unknown query parameter, a NUL in the address: any call
        if self.token != "none":
            found |= {401, 403}  # signed out or a token that has ended; a role that may not
        if self.path_parameters or self.query or self.body:
            found.add(404)  # an item named in the address, the query or the body may not exist
        if self.token == "required":
            found.add(409)  # a state that forbids the change (or the reading), a race lost
        if self.method in WRITES:
            found.add(413)  # a body larger than the app reads
        return frozenset(found | RAISED.get((self.method, self.path), frozenset()))


def operations(app: Litestar) -> dict[tuple[str, str], Operation]:
    """Every documented operation of ``app``, by (method, path template)."""
    found = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, kwargs_model) in route.route_handler_map.items():
            if not handler.resolve_include_in_schema():
                continue
            dependencies = {
                dependency.key for batch in kwargs_model.dependency_batches for dependency in batch
            }
            token: Token = "none"
            if SIGNED_IN in dependencies:
                token = "required"
            elif OPTIONALLY_SIGNED_IN in dependencies:
                token = "optional"
            found[(method, route.path_format)] = Operation(
                method=method,
                path=route.path_format,
                token=token,
                query=frozenset(_names(kwargs_model.expected_query_params)),
                path_parameters=bool(kwargs_model.expected_path_params),
                body="data" in kwargs_model.expected_reserved_kwargs,
            )
    return found


def _names(parameters) -> set[str]:
    """The names a client sends, of the query parameters among Litestar's definitions."""
    return {p.field_alias for p in parameters if p.param_type == ParamType.QUERY}


# -- unknown query parameters --------------------------------------------------------------------


UNKNOWN_PARAMETER = N_("This call has no such query parameter.")


def install(app: Litestar) -> Litestar:
    """Read ``app``'s route table once, for the checks and the description."""
    app.state.operations = operations(app)
    return app


def reject_unknown_query(request: Request) -> None:
    """An /api/v1 call given a query parameter its route does not declare answers 400, naming
    it: a misspelt filter silently ignored would answer the wrong question. (Open311 is left
    alone: GeoReport clients send parameters of their own, such as ``jurisdiction_id``.)"""
    template = request.scope.get("path_template", "")
    if not template.startswith(API) or not request.url.query:
        return
    operation = request.app.state.operations.get((request.method, template))
    if operation is None:
        return
    unknown = sorted(set(request.query_params) - operation.query)
    if unknown:
        problems = [{"key": name, "message": UNKNOWN_PARAMETER, "source": "query"} for name in unknown]
        raise ValidationException("unknown query parameters", extra=problems)


# -- the description -----------------------------------------------------------------------------

ERROR = {
    "type": "object",
    "description": "A refusal: a stable code, a message in the request's language, and the "
    "fields of the request at fault with what is wrong with each.",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "examples": ["invalid_input", "not_found", "task_full"]},
        "message": {"type": "string"},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "problem"],
                "properties": {"field": {"type": "string"}, "problem": {"type": "string"}},
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
OPEN311_ERRORS = {
    "type": "array",
    "description": "GeoReport v2's errors.",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "xml": {"name": "error"},
    },
    "xml": {"name": "errors", "wrapped": True},
}
_TEXT = {"type": "string"}
_WHEN = {"type": ["string", "null"], "format": "date-time"}
OPEN311_SCHEMAS = {
    "Open311Service": {
        "type": "object",
        "required": ["service_code", "service_name", "metadata", "type"],
        "properties": {
            "service_code": _TEXT,
            "service_name": _TEXT,
            "description": _TEXT,
            "metadata": {"type": "boolean"},
            "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
            "keywords": _TEXT,
            "group": _TEXT,
        },
        "xml": {"name": "service"},
    },
    "Open311ServiceDefinition": {
        "type": "object",
        "required": ["service_code", "attributes"],
        "properties": {"service_code": _TEXT, "attributes": {"type": "array", "maxItems": 0}},
        "xml": {"name": "service_definition"},
    },
    "Open311Request": {
        "type": "object",
        "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {
            "service_request_id": _TEXT,
            "status": {"type": "string", "enum": ["open", "closed"]},
            "status_notes": _TEXT,
            "service_name": _TEXT,
            "service_code": _TEXT,
            "description": _TEXT,
            "agency_responsible": _TEXT,
            "service_notice": _TEXT,
            "requested_datetime": _WHEN,
            "updated_datetime": _WHEN,
            "expected_datetime": _WHEN,
            "address": _TEXT,
            "address_id": _TEXT,
            "zipcode": _TEXT,
            "lat": {"type": ["number", "null"]},
            "long": {"type": ["number", "null"]},
            "media_url": _TEXT,
        },
        "xml": {"name": "request"},
    },
    "Open311Created": {
        "type": "object",
        "required": ["service_request_id"],
        "properties": {
            "service_request_id": _TEXT,
            "service_notice": _TEXT,
            "account_id": {"type": ["string", "null"]},
        },
        "xml": {"name": "request"},
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str, root: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name), "xml": {"name": root, "wrapped": True}}


_TEXT_QUERY = {"schema": {"type": "string", "maxLength": 200}, "required": False}
_JURISDICTION = {
    "name": "jurisdiction_id",
    "in": "query",
    "description": "GeoReport's jurisdiction: a community's area id (optional; other GeoReport "
    "parameters are accepted and ignored).",
    **_TEXT_QUERY,
}
# What each Open311 call answers, and the query parameters it reads itself (GeoReport's names).
OPEN311_CALLS: dict[tuple[str, str], tuple[int, dict[str, Any], list[str]]] = {
    ("GET", "services"): (200, _list_of("Open311Service", "services"), []),
    ("GET", "service"): (200, _ref("Open311ServiceDefinition"), []),
    ("POST", "requests"): (201, _list_of("Open311Created", "service_requests"), []),
    ("GET", "requests"): (
        200,
        _list_of("Open311Request", "service_requests"),
        ["api_key", "service_request_id", "service_code", "start_date", "end_date", "status"],
    ),
    ("GET", "request"): (200, _list_of("Open311Request", "service_requests"), []),
}
OPEN311_BODY = {
    "type": "object",
    "description": "GeoReport v2's request fields (others are accepted and ignored).",
    "required": ["api_key", "service_code"],
    "properties": {
        "api_key": _TEXT,
        "service_code": _TEXT,
        "description": _TEXT,
        "address_id": {"type": "string", "description": "A Linli area id in the client's community."},
        "address_string": _TEXT,
        "lat": {"type": "string", "description": "A number from -90 to 90."},
        "long": {"type": "string", "description": "A number from -180 to 180."},
        "phone": {"type": "string", "description": "A resident's mobile number: the need is theirs."},
        "jurisdiction_id": _TEXT,
    },
}


def _describe(status: int) -> str:
    return HTTPStatus(status).phrase


def _error_response(status: int, schema: dict[str, Any], media_types: list[str]) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _describe(status),
        "content": {media_type: {"schema": schema} for media_type in media_types},
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer", "minimum": 1}}
        }
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


def _security(token: Token) -> list[dict[str, list[str]]]:
    return {"none": [], "optional": [{}, {"BearerToken": []}], "required": [{"BearerToken": []}]}[token]


def describe(app: Litestar, generated: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI description ``generated`` by Litestar, made exact (a fixed-up copy)."""
    schema = copy.deepcopy(generated)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR
    components["Open311Errors"] = OPEN311_ERRORS
    components.update(OPEN311_SCHEMAS)
    _request_models(app, schema["paths"], components)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            found = app.state.operations.get((method.upper(), path))
            if found is None:
                continue
            if path.startswith(OPEN311):
                _open311(found, operation)
                continue
            operation["security"] = _security(found.token)
            responses = {
                status: response for status, response in operation["responses"].items() if int(status) < 400
            }
            for status in sorted(found.statuses):
                responses[str(status)] = _error_response(status, _ref("Error"), ["application/json"])
            operation["responses"] = responses
            if (method.upper(), path) in DOWNLOADS:
                _downloads(operation)
    return schema


def _downloads(operation: dict[str, Any]) -> None:
    from web.ledgers import FORMATS, LEDGERS, XLSX  # here: web.ledgers imports the API, built first

    success = operation["responses"]["200"]
    media_types = {XLSX: "a workbook", "text/csv": "UTF-8 CSV"}
    success["content"] = {
        media_type: {"schema": {"type": "string", "format": "binary", "description": what}}
        for media_type, what in media_types.items()
    }
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path" and parameter["name"] == "name":
            names = [f"{ledger}.{suffix}" for ledger in LEDGERS for suffix in FORMATS]
            parameter["schema"] = {"type": "string", "enum": names}


def _open311(found: Operation, operation: dict[str, Any]) -> None:
    """GeoReport's calls: no token (a client's api_key where it writes), JSON or XML as the
    address's suffix says, errors in GeoReport's shape."""
    path = found.path
    last = path.rsplit("/", 1)[-1]  # services.json, services/{name}, requests.xml, requests/{name}
    kind = last.split(".")[0] if "{" not in last else "service" if "/services/" in path else "request"
    status, body, query = OPEN311_CALLS[(found.method, kind)]
    if path.endswith(".json"):
        media_types = ["application/json"]
    elif path.endswith(".xml"):
        media_types = ["application/xml"]
    else:
        media_types = ["application/json", "application/xml"]
    operation["security"] = []
    responses: dict[str, Any] = {
        str(status): {
            "description": _describe(status),
            "content": {media_type: {"schema": body} for media_type in media_types},
        }
    }
    refusals = {400, 404}
    if found.method == "POST" or "api_key" in query:
        refusals.add(403)  # an api_key Linli did not give out
    for refusal in sorted(refusals):
        responses[str(refusal)] = _error_response(refusal, _ref("Open311Errors"), media_types)
    operation["responses"] = responses
    parameters = [p for p in operation.get("parameters", []) if p["in"] == "path"]
    if "{name}" in path:
        suffix = r"\.(json|xml)$"
        for parameter in parameters:
            parameter["schema"] = {"type": "string", "pattern": suffix}
    parameters.append(_JURISDICTION)
    parameters += [{"name": name, "in": "query", **_TEXT_QUERY} for name in query]
    operation["parameters"] = parameters
    if found.method == "POST":
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": OPEN311_BODY},
                "application/json": {"schema": OPEN311_BODY},
            },
        }


def _request_models(app: Litestar, paths: dict[str, Any], components: dict[str, Any]) -> None:
    """Each request body as pydantic validates it: unknown fields refused, strict types, and a
    mapping of ids to scores an object (Litestar's own reading of the models made it an array)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _) in route.route_handler_map.items():
            data = handler.parsed_fn_signature.parameters.get("data")
            model = _model_of(data.annotation) if data is not None else None
            if model is None:
                continue
            body = paths.get(route.path_format, {}).get(method.lower(), {}).get("requestBody", {})
            for media in body.get("content", {}).values():
                reference = media.get("schema", {}).get("$ref", "")
                if reference.startswith("#/components/schemas/"):
                    _replace(components, reference.rsplit("/", 1)[-1], model)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _replace(components: dict[str, Any], name: str, model: type[BaseModel]) -> None:
    generated = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
    for nested, nested_schema in generated.pop("$defs", {}).items():
        components[nested] = nested_schema
    components[name] = generated


class ContractJson(JsonRenderPlugin):
    """/schema/openapi.json: Litestar's description, fixed up once (``describe``)."""

    def __init__(self) -> None:
        super().__init__()
        self._described: tuple[int, bytes] | None = None

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        if self._described is None or self._described[0] != id(openapi_schema):
            body = self.render_json(request, describe(request.app, openapi_schema))
            self._described = (id(openapi_schema), body)
        return self._described[1]
