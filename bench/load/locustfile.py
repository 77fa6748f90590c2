"""The load test's people (Locust users) on the demo street: residents reporting needs, reading
their points and redeeming; volunteers browsing open tasks, claiming, checking in and submitting;
staff triaging needs into tasks, recording and confirming work; the merchant fulfilling codes;
and staff reading the statistics pages. Run by ``linli bench load`` (bench/load/run.py).

Work flows between them through this process's queues: a reported need is triaged and
dispatched as a task, claimed, checked in, submitted (once a minute has passed, as the rules
want) or recorded by staff, and confirmed; a redemption's code is fulfilled by the merchant.

A refusal that the rules give a crowd (a task already full, a balance too small) is counted
apart as ``refused``; every other non-2xx answer is a failure. The refusals and the counts of
what was done go to LINLI_LOAD_REPORT (JSON) when the run stops.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections import Counter, deque

from gevent.lock import Semaphore
from locust import HttpUser, between, events, task

from settings import LOAD_REPORT

PASSWORD = "linli-demo"
STAFF_PHONE = "13800000001"
READER_PHONE = "13900000101"  # the street's staff, reading its communities' statistics
MERCHANT_PHONE = "13800000006"
RESIDENT_PHONES = ["13800000004"] + [f"139000000{n:02d}" for n in range(50, 100)]
VOLUNTEER_PHONES = [f"139000000{n:02d}" for n in range(50)]
ITEM_NAME = "洗剪吹"  # the barber's: no stock limit, no limit per member (demo/market.py)
SUBMIT_AFTER_S = 61  # minutes reported may not exceed the minutes since checking in

needs: deque[int] = deque(maxlen=10_000)  # reported, waiting to be triaged
tasks: deque[int] = deque(maxlen=200)  # dispatched by staff (for recording work)
checked_in: deque[tuple[float, str, int]] = deque()  # (when, volunteer's phone, claim)
submitted: deque[int] = deque()  # waiting for confirmation
codes: deque[str] = deque()  # redeemed, waiting to be fulfilled
volunteer_ids: dict[str, str] = {}
done: Counter[str] = Counter()
# What the server acknowledged (a 2xx), checked against the database after the run.
acknowledged: dict[str, list[str]] = {"needs": [], "redemptions": [], "fulfilled": [], "confirmed": []}
refused: Counter[str] = Counter()
# One sign-in per account at a time: attempts under way count against the number until they
# succeed (projects/signin.py), so several users of one account share its token.
_tokens: dict[str, str] = {}
_signing: dict[str, Semaphore] = {}
_residents = itertools.cycle(RESIDENT_PHONES)
_volunteers = itertools.cycle(VOLUNTEER_PHONES)


class Member(HttpUser):
    """Someone signed in with a bearer token."""

    abstract = True
    wait_time = between(0.2, 1.0)
    phone = ""

    def on_start(self) -> None:
        with _signing.setdefault(self.phone, Semaphore()):
            if self.phone not in _tokens:
                answer = self.client.post(
                    "/api/v1/auth/token", json={"phone": self.phone, "password": PASSWORD}, name="sign in"
                )
                answer.raise_for_status()
                _tokens[self.phone] = answer.json()["token"]
        self.client.headers["Authorization"] = f"Bearer {_tokens[self.phone]}"
        self.me = self.client.get("/api/v1/me", name="GET /me").json()

    def post(self, url: str, name: str, body: dict | None = None, refusals: tuple[int, ...] = ()):
        """POST ``body``; the answer's JSON, or None when it is one of the ``refusals``."""
        with self.client.post(url, json=body or {}, name=name, catch_response=True) as answer:
            if answer.status_code in refusals:
                refused[f"{name} {answer.status_code} {_code(answer)}"] += 1
                answer.success()
                return None
            if answer.status_code >= 300:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
                return None
            done[name] += 1
            return answer.json()


def _code(answer) -> str:
    try:
        return answer.json().get("code", "")
    except ValueError:
        return ""


class Resident(Member):
    weight = 4

    def on_start(self) -> None:
        self.phone = next(_residents)
        super().on_start()
        self.item = None

    @task(5)
    def me(self) -> None:
        self.client.get("/api/v1/me", name="GET /me")

    @task(2)
    def statement(self) -> None:
        self.client.get("/api/v1/me/statement", name="GET /me/statement")

    @task(2)
    def notifications(self) -> None:
        self.client.get("/api/v1/me/notifications", name="GET /me/notifications")

    @task(2)
    def catalogue(self) -> None:
        items = self.client.get("/api/v1/catalogue", name="GET /catalogue").json()["items"]
        self.item = self.item or next((i for i in items if i["name"] == ITEM_NAME), None)

    @task(2)
    def report_need(self) -> None:
        body = {"category": "care.meals", "description": "压测：请帮忙送一份午餐", "scope": "personal"}
        need = self.post("/api/v1/needs", "POST /needs", body)
        if need:
            needs.append(need["id"])
            acknowledged["needs"].append(need["id"])

    @task(1)
    def redeem(self) -> None:
        if self.item is None:
            return self.catalogue()
        balance = self.client.get("/api/v1/me", name="GET /me").json()["balance"]
        if balance["available"] < self.item["price"]:
            return
        body = {"item_id": self.item["id"], "quantity": 1}
        redemption = self.post("/api/v1/redemptions", "POST /redemptions", body, refusals=(409,))
        if redemption:
            codes.append(redemption["code"])
            acknowledged["redemptions"].append(redemption["id"])


class Volunteer(Member):
    weight = 4

    def on_start(self) -> None:
        self.phone = next(_volunteers)
        super().on_start()
        volunteer_ids[self.phone] = self.me["id"]
        self.open: list[dict] = []

    @task(4)
    def browse(self) -> None:
        self.open = self.client.get("/api/v1/tasks?status=open", name="GET /tasks?status=open").json()[
            "items"
        ]

    @task(2)
    def claim(self) -> None:
        if not self.open:
            return self.browse()
        chosen = self.open.pop(random.randrange(len(self.open)))
        # 409: full already, or claimed by me before (a crowd's ordinary answers).
        claim = self.post(f"/api/v1/tasks/{chosen['id']}/claims", "POST /tasks/{id}/claims", refusals=(409,))
        if claim and self.post(f"/api/v1/claims/{claim['id']}/check-in", "POST /claims/{id}/check-in"):
            checked_in.append((time.monotonic(), self.phone, claim["id"]))

    @task(2)
    def submit(self) -> None:
        mine = [c for c in checked_in if c[1] == self.phone and time.monotonic() - c[0] >= SUBMIT_AFTER_S]
        for entry in mine[:1]:
            checked_in.remove(entry)
            body = {"minutes": 1, "note": "压测：已完成"}
            # 409: staff recorded this work meanwhile, and it may be confirmed already.
            claim = self.post(f"/api/v1/claims/{entry[2]}/submit", "POST /claims/{id}/submit", body, (409,))
            if claim:
                submitted.append(entry[2])

    @task(1)
    def my_claims(self) -> None:
        self.client.get("/api/v1/me/statement", name="GET /me/statement")


class Staff(Member):
    weight = 2
    phone = STAFF_PHONE

    @task(4)
    def triage_and_dispatch(self) -> None:
        if not needs:
            return self.supervision()
        need_id = needs.popleft()
        if not self.post(f"/api/v1/needs/{need_id}/triage", "POST /needs/{id}/triage", {"grade": "A"}):
            return
        body = {"need_id": str(need_id), "title": "压测：送午餐", "capacity": 3}
        made = self.post("/api/v1/tasks", "POST /tasks", body)
        if made:
            tasks.append(made["id"])

    @task(3)
    def confirm(self) -> None:
        if submitted:
            claim = self.post(f"/api/v1/claims/{submitted.popleft()}/confirm", "POST /claims/{id}/confirm")
            if claim and claim["status"] == "confirmed":  # (not one waiting for a second approval)
                acknowledged["confirmed"].append(claim["id"])

    @task(2)
    def record(self) -> None:
        if not tasks or not volunteer_ids:
            return
        task_id = random.choice(tasks)
        body = {"member_id": random.choice(list(volunteer_ids.values())), "minutes": 1, "note": "压测：登记"}
        # 409: the task is full by now, or that volunteer holds a place on it already.
        claim = self.post(
            f"/api/v1/tasks/{task_id}/records", "POST /tasks/{id}/records", body, refusals=(409,)
        )
        if claim:
            submitted.append(claim["id"])

    @task(1)
    def supervision(self) -> None:
        self.client.get("/api/v1/supervision", name="GET /supervision")

    @task(1)
    def stats(self) -> None:
        self.client.get("/api/v1/stats/needs?by=category", name="GET /stats/needs")


class Merchant(Member):
    weight = 1
    phone = MERCHANT_PHONE

    @task(3)
    def fulfil(self) -> None:
        if codes:
            body = {"code": codes.popleft()}
            redemption = self.post("/api/v1/redemptions/fulfil", "POST /redemptions/fulfil", body)
            if redemption:
                acknowledged["fulfilled"].append(redemption["id"])

    @task(1)
    def catalogue(self) -> None:
        self.client.get("/api/v1/catalogue", name="GET /catalogue")


class StatisticsReader(HttpUser):
    """Staff reading the pages (a session cookie, as a browser would)."""

    weight = 1
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        self.client.get("/login", name="page /login")
        form = {
            "phone": STAFF_PHONE,
            "password": PASSWORD,
            "_csrf_token": self.client.cookies.get("linli_csrf"),
        }
        with self.client.post("/login", data=form, name="page POST /login", catch_response=True) as answer:
            if answer.status_code >= 400 or "/login" in answer.url:
                answer.failure(f"sign-in refused: {answer.status_code}")

    @task(2)
    def stats_page(self) -> None:
        self.client.get("/stats", name="page /stats")

    @task(1)
    def needs_stats_page(self) -> None:
        self.client.get("/stats/needs", name="page /stats/needs")

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="page /")


@events.test_stop.add_listener
def _report(environment, **_kw) -> None:
    path = LOAD_REPORT.read()
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump({"done": done, "refused": refused, "acknowledged": acknowledged}, out)
