"""A demo ledger: the accounts of two communities and a few thousand transfers of every kind.

The history is a deterministic stream of small episodes drawn from ``random.Random(seed)``: points
issued for tasks (alone or as a linked batch for a group task), member-to-member exchanges,
redemptions held as pending transfers and then posted (in full or in part), voided, expired or left
pending, mistaken issuances reversed, and money donated to and granted from a community fund.

Every transfer id is derived from the seed and the transfer's place in the stream, so running the
demo again replays the same transfers (the ledger answers a retry with the stored transfer) and
writes nothing twice. A smaller demo is a prefix of a larger one with the same seed.

The transfers are dated over the last 30 days by a simulated clock that only moves forward, so
statements read like a month of a real street. Nothing here imports the rest of Linli.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ledger.accounts import open_account
from ledger.posting import DEBITS_MUST_NOT_EXCEED_CREDITS, NewTransfer
from ledger.transfers import (
    expire_due,
    expiry_id,
    get_transfer,
    post_batch,
    post_pending,
    reserve,
    reverse,
    transfer,
    void_pending,
)

NO_OVERDRAFT = DEBITS_MUST_NOT_EXCEED_CREDITS

HISTORY_SPAN = timedelta(days=30)
# A redemption must be collected within 60 days: longer than the demo's history, so that no hold
# the demo means to post or void is due yet when a running app's expiry sweep looks at it, and the
# ones it leaves open stay open for a while after the demo's "today".
REDEMPTION_TIMEOUT_S = 60 * 24 * 3600
SHORT_HOLD_TIMEOUT_S = 300  # a counter hold that the demo lets lapse (then sweeps it)
POINTS_PER_HOUR = 10
MAX_GROUP_SIZE = 6

# Phones from DESIGN.md's demo accounts: the grid leader, the volunteer and the resident, then the
# registered volunteers 13900000000 upward.
ROLE_MEMBER_PHONES = ("13800000002", "13800000003", "13800000004")
VOLUNTEER_COUNT = 57
ENTERPRISE_PHONE = "13800000005"
MERCHANT_PHONE = "13800000006"

ISSUERS = ("issuer:community-1", "issuer:community-2")
FUND = "fund:community-1"
WORLD = "world:donors"
ESCROW = "escrow:grants"
ORGANISATIONS = ("org:volunteer-team", "org:social-work", "org:enterprise")
GRANTEES = ("org:social-work:cny", "org:enterprise:cny")
MERCHANTS = ("merchant:barber", "merchant:grocery", "merchant:canteen")

TASKS = (
    "助老送餐 meals for elders", "楼道清扫 stairwell cleaning", "陪同就医 hospital escort",
    "垃圾分类督导 waste sorting", "义剪 free haircuts", "课后辅导 homework club",
    "反诈宣传 anti-fraud talk", "家电维修 appliance repair", "独居老人探访 visiting elders",
)  # fmt: skip
EXCHANGES = (
    "代买菜 grocery run", "教用智能手机 phone lessons", "修电脑 computer fix",
    "接送孩子 school pick-up", "陪聊 a chat and tea", "缝补衣物 mending",
)  # fmt: skip
REWARDS = {  # merchant -> (item, price in points)
    "merchant:barber": ("理发 a haircut", 30),
    "merchant:grocery": ("大米 5 kg of rice", 50),
    "merchant:canteen": ("长者餐 a meal", 12),
}


MEMBER_PHONES = (*ROLE_MEMBER_PHONES, *(f"139{number:08d}" for number in range(VOLUNTEER_COUNT)))


def member_account(phone: str) -> str:
    return f"member:{phone}"


MEMBERS = tuple(member_account(phone) for phone in MEMBER_PHONES)
ENTERPRISE_OWNER = member_account(ENTERPRISE_PHONE)
MERCHANT_OWNER = member_account(MERCHANT_PHONE)

# id, asset, kind, owner, name, flags
ACCOUNTS = (
    (ISSUERS[0], "PTS", "issuer", "community:1", "幸福里社区 points issuer", 0),
    (ISSUERS[1], "PTS", "issuer", "community:2", "和平里社区 points issuer", 0),
    (FUND, "CNY", "fund", "community:1", "幸福里社区基金 community fund", NO_OVERDRAFT),
    (WORLD, "CNY", "world", "", "outside donors", 0),
    (ESCROW, "CNY", "escrow", "community:1", "venture grants held for milestones", NO_OVERDRAFT),
    (ORGANISATIONS[0], "PTS", "organisation", "", "阳光志愿服务队 volunteer team", NO_OVERDRAFT),
    (ORGANISATIONS[1], "PTS", "organisation", "", "邻里社工服务中心 social workers", NO_OVERDRAFT),
    (ORGANISATIONS[2], "PTS", "organisation", ENTERPRISE_OWNER, "安居物业公司 enterprise", NO_OVERDRAFT),
    (GRANTEES[0], "CNY", "organisation", "", "邻里社工服务中心 grants", NO_OVERDRAFT),
    (GRANTEES[1], "CNY", "organisation", ENTERPRISE_OWNER, "安居物业公司 grants", NO_OVERDRAFT),
    (MERCHANTS[0], "PTS", "merchant", MERCHANT_OWNER, "爱心理发店 barber", NO_OVERDRAFT),
    (MERCHANTS[1], "PTS", "merchant", "", "邻里便利店 grocery", NO_OVERDRAFT),
    (MERCHANTS[2], "PTS", "merchant", "", "长者食堂 canteen", NO_OVERDRAFT),
    *((account, "PTS", "member", account, f"member {account[7:]}", NO_OVERDRAFT) for account in MEMBERS),
)


async def open_accounts() -> int:
    """Open (or find, unchanged) every demo account; answer how many there are."""
    for account_id, asset, kind, owner, name, flags in ACCOUNTS:
        await open_account(account_id, asset=asset, kind=kind, owner=owner, name=name, flags=flags)
    return len(ACCOUNTS)


class Clock:
    """Simulated time that never goes back: a step per transfer from ``start`` towards ``end``.

    Steps stop at ``end`` (the real now); only an expiry sweep may be dated past it, when a demo
    is so large that its holds' timeouts add up to more than the slack left in the history.
    """

    def __init__(self, start: datetime, end: datetime, step: timedelta):
        self.now = start
        self.end = end
        self.step = step

    def tick(self) -> datetime:
        self.now = max(self.now, min(self.now + self.step, self.end))
        return self.now

    def at_least(self, moment: datetime) -> datetime:
        self.now = max(self.now, moment)
        return self.now


@dataclass
class Demo:
    """The episode stream: a random source, a clock, and what every flagged account can spend."""

    seed: int
    rng: random.Random
    clock: Clock
    available: Counter = field(default_factory=Counter)  # flagged accounts only
    counts: Counter = field(default_factory=Counter)
    written: int = 0  # transfers in the stream so far (each names its own index)

    def next_id(self) -> str:
        self.written += 1
        return f"demo-s{self.seed}-{self.written:06d}"

    def funded(self, candidates: list[str], at_least: int) -> list[str]:
        return [account for account in candidates if self.available[account] >= at_least]


async def seed(transfers: int = 3000, seed: int = 7) -> dict:
    """Open the demo accounts and write at least ``transfers`` transfers; answer counts by kind.

    Idempotent: with the same arguments a second run writes nothing and answers the same counts.
    """
    if transfers < 0:
        raise ValueError("transfers must not be negative")
    account_count = await open_accounts()
    today = datetime.now(UTC)
    step = HISTORY_SPAN * 0.9 / max(transfers, 1)  # the rest of the span absorbs expired holds' timeouts
    demo = Demo(seed, random.Random(seed), Clock(today - HISTORY_SPAN, today, step))
    episodes = (
        (issue_for_task, 34),
        (exchange, 20),
        (redeem, 22),
        (group_task, 6),
        (issue_to_organisation, 5),
        (reverse_mistake, 3),
        (donate, 6),
        (grant, 4),
    )
    kinds = [episode for episode, _ in episodes]
    weights = [weight for _, weight in episodes]
    while demo.written < transfers:
        episode = demo.rng.choices(kinds, weights)[0]
        if not await episode(demo):
            await issue_for_task(demo)  # nobody could afford it yet: earn something instead
    return {"accounts": account_count, "transfers": demo.written, **dict(sorted(demo.counts.items()))}


# -- episodes: each writes a few transfers, or answers False when the ledger cannot afford it -----


async def issue_for_task(demo: Demo) -> bool:
    rng = demo.rng
    member = rng.choice(MEMBERS)
    issuer = ISSUERS[0] if rng.random() < 0.8 else ISSUERS[1]
    minutes = rng.choice((30, 45, 60, 90, 120, 180, 240))
    points = minutes * POINTS_PER_HOUR // 60  # whole minutes, rounded down to whole points
    await transfer(
        demo.next_id(), issuer, member, points, "PTS",
        reason="task", reference=f"task:{demo.written}", memo=f"{rng.choice(TASKS)} ({minutes} min)",
        now=demo.clock.tick(),
    )  # fmt: skip
    demo.available[member] += points
    demo.counts["issued"] += 1
    return True


async def issue_to_organisation(demo: Demo) -> bool:
    rng = demo.rng
    organisation = rng.choice(ORGANISATIONS)
    points = rng.choice((50, 80, 120, 200))
    await transfer(
        demo.next_id(), rng.choice(ISSUERS), organisation, points, "PTS",
        reason="project", reference=f"project:{demo.written}", memo="服务项目 service project completed",
        now=demo.clock.tick(),
    )  # fmt: skip
    demo.available[organisation] += points
    demo.counts["issued_to_organisations"] += 1
    return True


async def group_task(demo: Demo) -> bool:
    """A task done by a team: every member's points post together or not at all."""
    rng = demo.rng
    team = rng.sample(MEMBERS, rng.randint(3, MAX_GROUP_SIZE))
    minutes = rng.choice((60, 120, 180))
    points = minutes * POINTS_PER_HOUR // 60
    task = f"task:{demo.written + 1}"
    memo = f"{rng.choice(TASKS)} (team of {len(team)}, {minutes} min each)"
    operations = [
        NewTransfer(demo.next_id(), ISSUERS[0], member, points, "PTS", "task", task, memo) for member in team
    ]
    batch_id = f"demo-s{demo.seed}-batch-{operations[0].id.rsplit('-', 1)[1]}"
    await post_batch(operations, batch_id=batch_id, now=demo.clock.tick())
    for member in team:
        demo.available[member] += points
    demo.counts["batches"] += 1
    demo.counts["batch_transfers"] += len(operations)
    return True


async def exchange(demo: Demo) -> bool:
    """Peer exchange: one member pays another in hours from their own balance."""
    rng = demo.rng
    payers = demo.funded(list(MEMBERS), 5)
    if not payers:
        return False
    payer = rng.choice(payers)
    payee = rng.choice([member for member in MEMBERS if member != payer])
    points = rng.randint(1, min(demo.available[payer], 30))
    await transfer(
        demo.next_id(), payer, payee, points, "PTS",
        reason="exchange", reference=f"exchange:{demo.written}", memo=rng.choice(EXCHANGES),
        now=demo.clock.tick(),
    )  # fmt: skip
    demo.available[payer] -= points
    demo.available[payee] += points
    demo.counts["exchanged"] += 1
    return True


async def redeem(demo: Demo) -> bool:
    """A redemption holds points (pending), then is collected, cancelled, lapses, or stays open."""
    rng = demo.rng
    merchant = rng.choice(MERCHANTS)
    item, price = REWARDS[merchant]
    quantity = rng.choice((1, 1, 1, 2))
    amount = price * quantity
    buyers = demo.funded(list(MEMBERS), amount)
    if not buyers:
        return False
    buyer = rng.choice(buyers)
    fate = rng.choices(("post", "partial", "void", "expire", "open"), (55, 12, 15, 10, 8))[0]
    if fate == "partial" and quantity == 1:
        fate = "post"
    timeout_s = SHORT_HOLD_TIMEOUT_S if fate == "expire" else REDEMPTION_TIMEOUT_S
    reference = f"redemption:{demo.written + 1}"
    pending = await reserve(
        demo.next_id(), buyer, merchant, amount, "PTS",
        timeout_s=timeout_s, reason="redemption", reference=reference, memo=f"{item} x{quantity}",
        now=demo.clock.tick(),
    )  # fmt: skip
    demo.counts["reserved"] += 1
    if fate == "post":
        await post_pending(
            demo.next_id(), pending.id, reason="fulfilled", reference=reference, now=demo.clock.tick()
        )
        demo.available[buyer] -= amount
        demo.available[merchant] += amount
        demo.counts["posted"] += 1
    elif fate == "partial":
        collected = price * (quantity - 1)  # one was out of stock: the rest returns to the buyer
        await post_pending(
            demo.next_id(), pending.id, collected,
            reason="fulfilled", reference=reference, memo="partly out of stock", now=demo.clock.tick(),
        )  # fmt: skip
        demo.available[buyer] -= collected
        demo.available[merchant] += collected
        demo.counts["posted_partially"] += 1
    elif fate == "void":
        await void_pending(
            demo.next_id(), pending.id, reason="cancelled", reference=reference, now=demo.clock.tick()
        )
        demo.counts["voided"] += 1
    elif fate == "expire":
        # Nobody collects it: the sweep, run a little after the hold's timeout, releases it.
        sweep_at = demo.clock.at_least(demo.clock.now + timedelta(seconds=timeout_s + 1))
        demo.written += 1  # the expiry transfer's place in the stream (its id derives from the hold)
        await expire_due(now=sweep_at)
        expired = await get_transfer(expiry_id(pending.id))
        if expired is None or expired.kind != "expire":
            raise RuntimeError(f"the expiry sweep did not expire {pending.id}")
        demo.counts["expired"] += 1
    else:
        demo.available[buyer] -= amount  # still held
        demo.counts["left_pending"] += 1
    return True


async def reverse_mistake(demo: Demo) -> bool:
    """Points issued to the wrong member are reversed, then issued to the right one."""
    rng = demo.rng
    wrong, right = rng.sample(MEMBERS, 2)
    minutes = rng.choice((60, 90, 120))
    points = minutes * POINTS_PER_HOUR // 60
    task = f"task:{demo.written + 1}"
    memo = f"{rng.choice(TASKS)} ({minutes} min)"
    mistaken = await transfer(
        demo.next_id(), ISSUERS[0], wrong, points, "PTS",
        reason="task", reference=task, memo=memo, now=demo.clock.tick(),
    )  # fmt: skip
    await reverse(
        demo.next_id(), mistaken.id,
        reference=task, memo=f"issued to {wrong} by mistake: meant for {right}", now=demo.clock.tick(),
    )  # fmt: skip
    await transfer(
        demo.next_id(), ISSUERS[0], right, points, "PTS",
        reason="task", reference=task, memo=memo, now=demo.clock.tick(),
    )  # fmt: skip
    demo.available[right] += points
    demo.counts["reversed"] += 1
    demo.counts["issued"] += 2
    return True


async def donate(demo: Demo) -> bool:
    amount_fen = demo.rng.choice((5_000, 10_000, 20_000, 50_000, 100_000, 200_000))
    await transfer(
        demo.next_id(), WORLD, FUND, amount_fen, "CNY",
        reason="donation", reference=f"donation:{demo.written}", memo="捐赠 donation to the community fund",
        now=demo.clock.tick(),
    )  # fmt: skip
    demo.available[FUND] += amount_fen
    demo.counts["donations"] += 1
    return True


async def grant(demo: Demo) -> bool:
    """A venture grant: awarded into escrow with its first milestone paid (one linked batch),
    the second milestone released later."""
    rng = demo.rng
    amount_fen = rng.choice((20_000, 50_000, 100_000))
    if demo.available[FUND] < amount_fen:
        return False
    grantee = rng.choice(GRANTEES)
    first = amount_fen // 2
    call = f"call:{demo.written + 1}"
    award = [
        NewTransfer(demo.next_id(), FUND, ESCROW, amount_fen, "CNY", "grant", call, "公益创投 venture grant"),
        NewTransfer(demo.next_id(), ESCROW, grantee, first, "CNY", "milestone", call, "milestone 1 of 2"),
    ]
    batch_id = f"demo-s{demo.seed}-batch-{award[0].id.rsplit('-', 1)[1]}"
    await post_batch(award, batch_id=batch_id, now=demo.clock.tick())
    await transfer(
        demo.next_id(), ESCROW, grantee, amount_fen - first, "CNY",
        reason="milestone", reference=call, memo="milestone 2 of 2", now=demo.clock.tick(),
    )  # fmt: skip
    demo.available[FUND] -= amount_fen
    demo.available[grantee] += amount_fen
    demo.counts["grants"] += 1
    demo.counts["batches"] += 1
    demo.counts["batch_transfers"] += len(award)
    return True
