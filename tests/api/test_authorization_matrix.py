"""The authorisation matrix, generated from the app's route table: every API route (and every
page that is read: a page's forms call the same use cases) × every demo role × the items of a
community that is not theirs.

Each community of the street (and one of another district) gets one item of every kind, made by
its own people (``tests.api.world``). Each role then calls every route on the items of a
community it has no part in: 幸福里's people on 和平里's, 和平里's staff on 幸福里's, the street's
and the district's staff on the other district's. A route the table gains is called too: its
path parameters are filled by their names, its body from its own description, every id in it
pointing at the other community.

What the rules grant across communities: public calls (no token: the fund, the evaluations
published, Open311's common needs), reference data (areas, organisations, the resource library),
an admin's everything, and what the market's rules allow today (venture calls to organisations
anywhere, a gift to any member: ``CALLS_FOR_ORGANISATIONS``, ``MARKET_ACROSS``). Anything else
that answers 2xx on another community's item fails; a read of it must answer 404 (nothing there,
as far as the reader knows) and a write 403 or 404; a list may answer, but never with another
community's item in it. Every answer must also be a status the route's description lists, and
none a 5xx.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from litestar.routes import HTTPRoute

from market.fund import donate
from tests.api.world import Items, community_of, far_away, fill, xingfuli
from tests.web.test_app import fetch_value
from web.pages.session import SESSION_COOKIE

DAY = timedelta(days=1)
SKIPPED = ("/schema", "/static", "/admin", "/lang/")
SIGNS_OUT = {("DELETE", "/api/v1/auth/token"), ("DELETE", "/api/v1/auth/tokens"), ("GET", "/logout")}
# Readable by every member, whatever their community: what the street is made of.
REFERENCE = {
    "/api/v1/resources",
    "/api/v1/areas/{area_id}",
    "/api/v1/organisations/{organisation_id}",
    "/api/v1/resources/{resource_id}",
}
# Venture calls are public to every organisation's representative, who may bid from anywhere,
# and once bidding has closed their bids to whoever sees the call (market/ventures/).
CALLS_FOR_ORGANISATIONS = {
    "/api/v1/calls",
    "/api/v1/calls/{call_id}",
    "/api/v1/calls/{call_id}/history",
    "/api/v1/calls/{call_id}/bids",
    "/api/v1/calls/{call_id}/ranking",
    "/api/v1/bids/{bid_id}",
    "/api/v1/bids/{bid_id}/history",
    "/calls/{call_id}",
}
REPRESENTATIVES = {"organisation representative", "merchant representative", "volunteer"}  # (a team's)
# What the market's rules allow across communities today, reported to the market's owner rather
# than decided here: a gift reaches a member of any community (market/gifts.py, give).
MARKET_ACROSS = {("POST", "/api/v1/gifts"): "a gift to a member of another community"}
# A path parameter's name, and the kind of item whose id it takes (a milestone's depends on whose).
KINDS = {
    "need_id": "need",
    "task_id": "task",
    "claim_id": "claim",
    "project_id": "project",
    "resource_id": "resource",
    "item_id": "item",
    "redemption_id": "redemption",
    "listing_id": "listing",
    "exchange_id": "exchange",
    "call_id": "call",
    "bid_id": "bid",
    "survey_id": "survey",
    "donation_id": "donation",
}
# Lists, and the kind of item each lists.
LISTS = {
    "/api/v1/needs": "need",
    "/api/v1/supervision": "need",
    "/api/v1/stats/needs/items": "need",
    "/api/v1/tasks": "task",
    "/api/v1/claims": "claim",
    "/api/v1/projects": "project",
    "/api/v1/catalogue": "item",
    "/api/v1/redemptions": "redemption",
    "/api/v1/listings": "listing",
    "/api/v1/exchanges": "exchange",
    "/api/v1/calls": "call",
    "/api/v1/surveys": "survey",
}


@dataclass
class Target:
    """The other community's items, as a role sees them from outside."""

    items: Items
    ids: dict[str, int] = field(default_factory=dict)  # by kind, with the areas and the people

    def __post_init__(self) -> None:
        p = self.items.people
        self.ids.update(self.items.ids)
        self.ids.update(
            community=p.community,
            grid=p.grid,
            unit=p.unit,
            organisation=p.organisation,
            shop=p.shop,
            resident=p.resident,
            leader=p.leader,
            volunteer=p.volunteer,
        )

    def of(self, kind: str) -> set[int]:
        if kind == "need":
            return {self.ids["need"], self.ids["common_need"]}
        return {self.ids[kind]} if kind in self.ids else set()


@dataclass(frozen=True)
class Cell:
    method: str
    path: str  # the route's template
    url: str
    body: Any
    foreign: bool  # does the request name an item of the other community?
    documented: frozenset[str] | None  # the statuses its description lists (None: a page)
    public: bool


# -- requests from the route table -----------------------------------------------------------------


def path_values(path: str, target: Target, variant: str) -> dict[str, str] | None:
    """Each path parameter of ``path`` filled with the other community's item (None: a variant
    this path has no use for)."""
    values = {}
    for name in re.findall(r"{(\w+)", path):
        if name == "need_id":
            values[name] = target.ids["common_need" if variant == "common" else "need"]
        elif name == "milestone_id":
            values[name] = target.ids["project_milestone" if "/projects/" in path else "venture_milestone"]
        elif name in KINDS:
            values[name] = target.ids[KINDS[name]]
        elif name == "community_id":
            values[name] = target.ids["community"]
        elif name == "area_id":
            values[name] = target.ids["grid"]
        elif name == "organisation_id":
            values[name] = target.ids["organisation"]
        elif name == "code":
            values[name] = (
                "care.meals" if path.startswith("/api/v1/categories") else target.items.codes["certificate"]
            )
        elif name == "grade":
            values[name] = "A"
        elif name == "year":
            values[name] = 2026
        elif name == "period":
            values[name] = "2026Q4"
        elif name == "name":
            need = target.ids["common_need" if variant == "common" else "need"]
            values[name] = {
                "/api/v1/exports/{name}": "needs.csv",
                "/open311/v2/services/{name}": "care.meals.json",
                "/open311/v2/requests/{name}": f"{need}.json",
                "/stats/{name}": "needs.csv",
            }.get(path, "x")
        else:
            values[name] = "1"
    if variant == "common" and "need_id" not in values and "/open311/v2/requests/" not in path:
        return None
    return {key: str(value) for key, value in values.items()}


# Body fields that name something, and what of the other community they name.
REFERENCES = {
    "area_id": "community",
    "community_id": "community",
    "organisation_id": "organisation",
    "item_id": "item",
    "need_id": "need",
    "need_ids": "common_need",
    "project_id": "project",
    "resident_id": "resident",
    "member_id": "resident",
    "recipient_id": "resident",
    "leader_id": "leader",
    "resource_id": "resource",
    "bid_id": "bid",
    "into": "common_need",
    "panel": "leader",
    "coverage": "unit",
    "area_ids": "community",
    "assignee": "volunteer",
}


# Optional fields that a request without them would be refused for, before any rule is asked.
FILLED = {"reason": "测试原因", "note": "测试", "comment": "测试", "grade": "A", "add": 1, "weight": 100}


def body_for(schema: dict, components: dict, target: Target, now, name: str = "") -> tuple[Any, bool]:
    """A body that its description accepts, every id in it the other community's; and whether
    it names anything of that community."""
    if "$ref" in schema:
        return body_for(components[schema["$ref"].rsplit("/", 1)[-1]], components, target, now, name)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return body_for(options[0], components, target, now, name)
    if name == "code":  # a redemption's code, for its provider to fulfil
        return target.items.codes["redemption"], True
    if name in REFERENCES:
        reference = str(target.ids[REFERENCES[name]])
        return ([reference] if schema.get("type") == "array" else reference), True
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0], False
    if "const" in schema:
        return schema["const"], False
    if kind == "object":
        found, foreign, optional_reference = {}, False, False
        for key, value in schema.get("properties", {}).items():
            required = key in schema.get("required", []) or key in FILLED or key == "code"
            # Of the optional references, the first: others are often its alternatives.
            reference = key in REFERENCES and not optional_reference
            if required or reference:
                optional_reference = optional_reference or (reference and not required)
                found[key], named = body_for(value, components, target, now, key)
                foreign = foreign or named
        for value in schema.get("patternProperties", {}).values():
            found[str(target.ids["need"])], _ = body_for(value, components, target, now)
        return found, foreign
    if kind == "array":
        item, foreign = body_for(schema.get("items", {}), components, target, now, name)
        return [item] * max(1, schema.get("minItems", 1)), foreign
    if name in FILLED:
        return FILLED[name], False
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), min(10, int(schema.get("maximum", 10)))), False
    if kind == "number":
        return 1.0, False
    if kind == "boolean":
        return False, False
    if schema.get("format") == "date-time" or name.endswith(("_at", "deadline", "due")):
        return (now + 3 * DAY).isoformat(), False
    if "Q[1-4]" in schema.get("pattern", ""):
        return "2026Q4", False
    if "pattern" in schema and "0-9" in schema["pattern"]:
        return str(target.ids["need"]), False
    return "测试", False


def _public(operation: dict) -> bool:
    """No token needed (``security`` empty, or one of its choices empty)."""
    security = operation.get("security")
    return security is not None and (not security or {} in security)


def _dependencies(route: HTTPRoute, method: str) -> set[str]:
    _, kwargs_model = route.route_handler_map[method]
    return {dependency.key for batch in kwargs_model.dependency_batches for dependency in batch}


def cells(app, described: dict, target: Target, now) -> list[Cell]:
    """Every route of the app's table as requests on ``target``'s items."""
    paths = described["paths"]
    components = described["components"]["schemas"]
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path_format.startswith(SKIPPED):
            continue
        for method in sorted(route.route_handler_map):
            if method in ("HEAD", "OPTIONS") or (method, route.path_format) in SIGNS_OUT:
                continue
            path = route.path_format
            operation = paths.get(path, {}).get(method.lower())
            if operation is None and method != "GET":
                continue  # a page's form: the same use case as the API call, which is tested
            for variant in ("personal", "common"):
                values = path_values(path, target, variant)
                if values is None:
                    continue
                url = path.format(**values)
                foreign = bool(set(values) & (set(KINDS) | {"community_id", "area_id", "organisation_id"}))
                foreign = foreign or (path.startswith("/open311/v2/requests/") and variant == "personal")
                body, query = None, {}
                if operation is not None:
                    for parameter in operation.get("parameters", []):
                        if parameter["in"] == "query" and parameter["name"] in REFERENCES:
                            query[parameter["name"]] = target.ids[REFERENCES[parameter["name"]]]
                    content = operation.get("requestBody", {}).get("content", {})
                    if "application/json" in content and not path.startswith("/open311/"):
                        body, named = body_for(content["application/json"]["schema"], components, target, now)
                        foreign = foreign or named
                    if query:
                        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
                        foreign = True
                found.append(
                    Cell(
                        method=method,
                        path=path,
                        url=url,
                        body=body,
                        foreign=foreign,
                        documented=frozenset(operation["responses"]) if operation else None,
                        public=_public(operation)
                        if operation
                        else "actor" not in _dependencies(route, method),
                    )
                )
    return found


# -- the oracle --------------------------------------------------------------------------------------


def listed_ids(body: Any) -> set[int]:
    """The ids of the items a list answered."""
    items = body.get("items", []) if isinstance(body, dict) else body if isinstance(body, list) else []
    found = set()
    for item in items:
        if isinstance(item, dict):
            for key in ("id", "need_id"):
                if str(item.get(key, "")).isdigit():
                    found.add(int(item[key]))
    return found


def judge(cell: Cell, role: str, status: int, body: Any, target: Target) -> str | None:
    """What is wrong with this answer, if anything."""
    if status >= 500:
        return "a server error"
    if cell.documented is not None and str(status) not in cell.documented:
        return f"a status its description does not list ({sorted(cell.documented)})"
    if cell.path.startswith("/open311/v2/requests/"):  # GeoReport's requests are public...
        personal = f"/{target.ids['need']}." in cell.url  # ...but never a resident's own need
        return "a personal need shown through Open311" if personal and 200 <= status < 300 else None
    if role == "admin":
        return None  # an admin may do anything
    if role == "signed out":
        return "allowed signed out" if 200 <= status < 300 and not cell.public else None
    path = cell.path
    if role in REPRESENTATIVES and (
        (cell.method == "GET" and path in CALLS_FOR_ORGANISATIONS) or path == "/api/v1/calls/{call_id}/bids"
    ):
        return None  # they see the call, so its state (bidding closed: 409) tells them nothing new
    if (cell.method, path) in MARKET_ACROSS:
        return None
    if cell.method == "GET" and path in LISTS and 200 <= status < 300:
        leaked = listed_ids(body) & target.of(LISTS[path])
        return f"lists the other community's {LISTS[path]} {sorted(leaked)}" if leaked else None
    if not cell.foreign or path in REFERENCE:
        return None
    if cell.public:
        return None
    if 200 <= status < 300:
        return "allowed"
    named_item = bool(re.search(r"{(\w+_id|code|name)}", path)) and path not in LISTS
    if cell.method == "GET" and named_item and status != 404:
        return "a read of another community's item must answer 404"
    if cell.method != "GET" and named_item and status == 409:
        return "a write on another community's item must answer 403 or 404 (409 tells it exists)"
    return None


# -- the test --------------------------------------------------------------------------------------


async def venture_milestone(api, items: Items) -> None:
    """Take the item's call to its award, so that its bid has a milestone to report."""
    p = items.people
    staff = await api.street.actor(p.staff)
    await donate(
        staff,
        p.community,
        200_000,
        donor_kind="outside",
        donor_name="爱心企业",
        receipt_number="JZ-MATRIX-1",
        now=api.clock(),
    )
    call = await api.ok(p.staff, "GET", f"/api/v1/calls/{items.ids['call']}")
    criterion = call["criteria"][0]["id"]
    await api.ok(p.leader, "PUT", f"/api/v1/bids/{items.ids['bid']}/scores", {"scores": {criterion: 8}})
    await api.ok(
        p.staff, "POST", f"/api/v1/calls/{items.ids['call']}/award", {"bid_id": str(items.ids["bid"])}
    )
    items.ids["venture_milestone"] = await fetch_value(
        api.database_url, f"SELECT MIN(id) FROM market_milestone WHERE bid = {items.ids['bid']}"
    )


async def certificate(api, items: Items) -> None:
    """The volunteer's hours certificate (its claim confirmed first), whose code is public."""
    p = items.people
    await api.ok(p.staff, "POST", f"/api/v1/claims/{items.ids['claim']}/confirm")
    response = await api.get(p.volunteer, "/api/v1/me/certificate.pdf")
    assert response.status_code in (200, 503), response.text
    items.codes["certificate"] = str(
        await fetch_value(
            api.database_url, f"SELECT code FROM projects_certificate WHERE member = {p.volunteer}"
        )
    )


async def test_no_role_reaches_another_communitys_items(api):
    s = api.street
    communities = {
        "幸福里": await xingfuli(api),
        "和平里": await community_of(api, "和平里", s.other_community, staff=s.other_staff),
    }
    _, _, far = await far_away(api)
    communities["远方"] = await community_of(api, "远方", far)
    world = {name: await fill(api, people) for name, people in communities.items()}
    # Past the calls' deadlines: each is scored and awarded, with a milestone to report.
    api.clock.advance(days=8)
    for items in world.values():
        await venture_milestone(api, items)
        await certificate(api, items)
    a, b = communities["幸福里"], communities["和平里"]
    roles = {  # role: (member, the community whose items they have no part in)
        "admin": (s.admin, "远方"),
        "community staff": (a.staff, "和平里"),
        "grid leader": (a.leader, "和平里"),
        "volunteer": (a.volunteer, "和平里"),
        "resident": (a.resident, "和平里"),
        "organisation representative": (a.representative, "和平里"),
        "merchant representative": (a.merchant, "和平里"),
        "staff of the other community": (b.staff, "幸福里"),
        "street staff": (s.street_staff, "远方"),
        "district staff": (s.district_staff, "远方"),
        "signed out": (None, "和平里"),
    }
    described = (await api.client.get("/schema/openapi.json")).json()
    app = api.client._transport.app
    tables = {name: cells(app, described, Target(world[name]), api.clock()) for name in world}
    failures, statuses, sent = [], Counter(), 0
    started = time.monotonic()
    for role, (member, other) in roles.items():
        target = Target(world[other])
        api_headers = {"Accept-Language": "zh-CN"}
        page_headers = dict(api_headers)
        if member is not None:
            token = await api.token(member)
            api_headers["Authorization"] = f"Bearer {token}"
            page_headers["Cookie"] = f"{SESSION_COOKIE}={token}"
        for cell in tables[other]:
            api.client.cookies.clear()
            response = await api.client.request(
                cell.method,
                cell.url,
                json=cell.body,
                headers=page_headers if cell.documented is None else api_headers,
            )
            sent += 1
            statuses[response.status_code] += 1
            body = (
                response.json()
                if response.headers.get("content-type", "").startswith("application/json")
                else None
            )
            problem = judge(cell, role, response.status_code, body, target)
            if problem:
                failures.append(
                    f"{role} → {cell.method} {cell.url} on {other}'s: {response.status_code}, {problem}"
                )
    routes = {(c.method, c.path) for c in tables["和平里"]}
    print(
        f"authorisation matrix: {len(routes)} routes × {len(roles)} roles × another community's items "
        f"({len(tables['和平里'])} requests each): {sent} requests in {time.monotonic() - started:.0f} s, "
        f"by status {dict(sorted(statuses.items()))}"
    )
    assert not failures, f"{len(failures)} holes:\n" + "\n".join(failures)
