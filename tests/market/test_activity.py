"""A member's points as one line per economic event (GET /api/v1/me/activity, DESIGN
"Interfaces"), through the real app on SQLite and PostgreSQL: work banked, a redemption whose one
line moves from held to posted or released, a gift, an exchange paid in part; each line names
who paid or received; newest first by time, keyset paged; the statement stays a line per
transfer."""

from __future__ import annotations

from datetime import timedelta

from ledger.transfers import transfer
from projects.areas import issuer_account
from projects.members import member_account
from tests.api.helpers import submitted_claim
from tests.market.market_helpers import balance, give_points, item

FIELDS = {"id", "kind", "title", "amount", "state", "counterparty", "created_at", "updated_at"}


def lines(page: dict) -> list[tuple]:
    return [(i["kind"], i["title"], i["amount"], i["state"], i["counterparty"]) for i in page["items"]]


async def test_each_economic_event_is_one_line_naming_who_paid_or_received(api):
    s = api.street
    volunteer = s.volunteers[2]
    # Work confirmed: the task's community pays.
    _, claim = await submitted_claim(api, volunteer=volunteer, minutes=120, points_per_hour=30)
    await api.ok(s.staff, "POST", f"/api/v1/claims/{claim['id']}/confirm")
    api.clock.advance(minutes=5)

    # Three redemptions of the merchant's haircut: one fulfilled, one cancelled, one waiting.
    haircut = await item(api, price=10, name="理发一次")
    codes = []
    for _ in range(3):
        made = await api.ok(volunteer, "POST", "/api/v1/redemptions", {"item_id": haircut["id"]}, status=201)
        codes.append(made)
        api.clock.advance(minutes=5)
    await api.ok(s.representative, "POST", "/api/v1/redemptions/fulfil", {"code": codes[0]["code"]})
    api.clock.advance(minutes=5)
    await api.ok(volunteer, "POST", f"/api/v1/redemptions/{codes[1]['id']}/cancel")
    api.clock.advance(minutes=5)

    # A gift to a neighbour.
    await api.ok(
        volunteer,
        "POST",
        "/api/v1/gifts",
        {"amount": 5, "recipient_id": str(s.neighbour), "note": "谢谢"},
        status=201,
    )
    api.clock.advance(minutes=5)

    # An exchange: 60 minutes agreed at 20 an hour (20 held), 30 worked: 10 paid, 10 back.
    offer = await api.ok(
        s.neighbour,
        "POST",
        "/api/v1/listings",
        {"kind": "offer", "category": "care.meals", "title": "教钢琴", "points_per_hour": 20},
        status=201,
    )
    exchange = await api.ok(
        volunteer, "POST", f"/api/v1/listings/{offer['id']}/exchanges", {"minutes": 60}, status=201
    )
    await api.ok(s.neighbour, "POST", f"/api/v1/exchanges/{exchange['id']}/accept")
    api.clock.advance(minutes=5)
    held = await api.ok(volunteer, "GET", "/api/v1/me/activity")
    assert lines(held)[0] == ("exchange", "教钢琴", 20, "held", "李大爷")
    # The performer sees the points held for them, coming from the requester.
    coming = await api.ok(s.neighbour, "GET", "/api/v1/me/activity")
    assert lines(coming)[0] == ("exchange", "教钢琴", 20, "held", f"志愿者{2}")
    await api.ok(s.neighbour, "POST", f"/api/v1/exchanges/{exchange['id']}/submit", {"minutes": 30})
    await api.ok(volunteer, "POST", f"/api/v1/exchanges/{exchange['id']}/confirm")

    page = await api.ok(volunteer, "GET", "/api/v1/me/activity")
    assert all(set(line) == FIELDS for line in page["items"]) and page["next_cursor"] is None
    assert lines(page) == [
        ("exchange", "教钢琴", -10, "posted", "李大爷"),
        ("gift", "谢谢", -5, "posted", "李大爷"),
        ("redemption", "理发一次", 10, "held", "邻里社工服务中心"),
        ("redemption", "理发一次", 10, "released", "邻里社工服务中心"),
        ("redemption", "理发一次", -10, "posted", "邻里社工服务中心"),
        ("work", "楼道清扫", 60, "posted", "幸福里社区"),
    ]
    # A redemption's one line keeps when it was made and says when it was settled.
    fulfilled = page["items"][4]
    assert fulfilled["id"] == codes[0]["transfer_id"]
    assert fulfilled["updated_at"] > fulfilled["created_at"]
    # What the lines say adds up to the balance: posted amounts to what was banked, holds to
    # what is held; a release moved nothing.
    mine = await balance(api, volunteer)
    assert sum(line["amount"] for line in page["items"] if line["state"] == "posted") == mine["posted"] == 35
    assert sum(line["amount"] for line in page["items"] if line["state"] == "held") == 10
    assert mine["posted"] - mine["available"] == 10
    # The neighbour was paid by the volunteer, and given to.
    theirs = await api.ok(s.neighbour, "GET", "/api/v1/me/activity")
    assert lines(theirs)[:2] == [
        ("exchange", "教钢琴", 10, "posted", "志愿者2"),
        ("gift", "谢谢", 5, "posted", "志愿者2"),
    ]
    # The statement stays a line per transfer: the exchange alone is two there (hold, posting).
    statement = await api.ok(volunteer, "GET", "/api/v1/me/statement")
    assert len(statement["items"]) == 9 and len(page["items"]) == 6


async def test_lines_are_newest_first_by_time_and_paged_without_gaps_or_repeats(api):
    s = api.street
    member = s.resident
    for number in range(5):
        await give_points(api, member, number + 1)
        api.clock.advance(hours=1)
    # Banked late, but for work done two days ago: it goes where its time puts it.
    await transfer(
        "back-dated",
        issuer_account(s.community),
        member_account(member),
        100,
        "PTS",
        reason="task",
        memo="补录的服务",
        now=api.clock() - timedelta(days=2),
    )
    everything = await api.ok(member, "GET", "/api/v1/me/activity")
    assert [line["amount"] for line in everything["items"]] == [5, 4, 3, 2, 1, 100]
    assert everything["items"][-1]["title"] == "补录的服务"
    seen, cursor = [], None
    while True:
        page = await api.ok(
            member, "GET", "/api/v1/me/activity?limit=2" + (f"&cursor={cursor}" if cursor else "")
        )
        assert len(page["items"]) <= 2
        seen += [line["id"] for line in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [line["id"] for line in everything["items"]]
    response = await api.get(member, "/api/v1/me/activity?cursor=yesterday")
    assert response.status_code == 400 and response.json()["fields"][0]["field"] == "cursor"
    assert (await api.client.get("/api/v1/me/activity")).status_code == 401
