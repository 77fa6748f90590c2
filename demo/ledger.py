"""A demo ledger history: a few thousand transfers of every kind, between the accounts of a cast.

The history is a deterministic stream of small episodes drawn from ``random.Random(seed)``: points
issued for tasks (alone or as a linked batch for a group task), member-to-member exchanges,
redemptions held as pending transfers and then posted (in full or in part), voided, expired or left
pending, mistaken issuances reversed, and money donated to and granted from a community fund.

Who plays each part is a ``Cast`` of account ids. ``standalone_cast()`` opens accounts of its own,
under ids that no real member, organisation or community account can take; the demo street
(``demo.stories.ledger_history``) casts its members, organisations and community issuers instead,
and weaves the episodes into the street's own history (nothing here imports the rest of Linli:
only the ledger).

Its references are of a kind of their own, ``demo:task:7`` and the like: they name no record of
the domain, and the domain's cross-check (``market.crosscheck``) knows to leave them be.

Every transfer id is derived from the seed and the transfer's place in the stream, so running the
standalone demo again replays the same transfers (the ledger answers a retry with the stored
transfer) and writes nothing twice. A smaller demo is a prefix of a larger one with the same seed.
The transfers are dated by a simulated clock that only moves forward, so statements read like a
month of a real street.
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

# Memos are what a member reads on their statement: in Chinese, as the street writes them.
TASKS = (
    "助老送餐", "楼道清扫", "陪同就医", "垃圾分类督导", "义剪", "课后辅导", "反诈宣传", "家电维修",
    "独居老人探访",
)  # fmt: skip
EXCHANGES = ("代买菜", "教用智能手机", "修电脑", "接送孩子", "陪聊", "缝补衣物")
# What each of the cast's three merchants sells: (item, price in points).
REWARDS = (("理发", 30), ("大米5公斤", 50), ("长者餐", 12))

# (id, asset, kind, owner, name, flags): an account the demo opens itself.
AccountSpec = tuple[str, str, str, str, str, int]


@dataclass(frozen=True, slots=True)
class Cast:
    """Who plays each part of the history, as account ids.

    ``opens`` are the accounts the demo opens itself (idempotently); every other id must already
    be open. ``prefix`` starts every transfer id, so that two casts never share an id.
    """

    members: tuple[str, ...]  # PTS, no overdraft: they earn, exchange and redeem
    issuers: tuple[str, str]  # PTS issuers; the first issues most points
    organisations: tuple[str, ...]  # PTS accounts of organisations paid for service projects
    merchants: tuple[str, str, str]  # PTS accounts that sell the three REWARDS
    fund: str  # CNY, the community fund
    world: str  # CNY, outside donors
    escrow: str  # CNY, grants held for milestones
    grantees: tuple[str, ...]  # CNY accounts of organisations awarded grants
    opens: tuple[AccountSpec, ...] = ()
    prefix: str = "demo"


# The standalone cast: phones from DESIGN.md's demo accounts (the grid leader, the volunteer and
# the resident, then registered volunteers 13900000000 upward) name its members, but its ids are
# its own ("member:demo-..."): a real member's account is "member:<number>".
ROLE_MEMBER_PHONES = ("13800000002", "13800000003", "13800000004")
VOLUNTEER_COUNT = 57
ENTERPRISE_OWNER = "member:demo-13800000005"
MERCHANT_OWNER = "member:demo-13800000006"


def standalone_cast() -> Cast:
    phones = (*ROLE_MEMBER_PHONES, *(f"139{number:08d}" for number in range(VOLUNTEER_COUNT)))
    members = tuple(f"member:demo-{phone}" for phone in phones)
    issuers = ("issuer:community-1", "issuer:community-2")
    organisations = ("org:volunteer-team", "org:social-work", "org:enterprise")
    grantees = ("org:social-work:cny", "org:enterprise:cny")
    merchants = ("merchant:barber", "merchant:grocery", "merchant:canteen")
    fund, world, escrow = "fund:community-1", "world:donors", "escrow:grants"
    opens = (
        (issuers[0], "PTS", "issuer", "community:1", "幸福里社区 points issuer", 0),
        (issuers[1], "PTS", "issuer", "community:2", "和平里社区 points issuer", 0),
        (fund, "CNY", "fund", "community:1", "幸福里社区基金 community fund", NO_OVERDRAFT),
        (world, "CNY", "world", "", "outside donors", 0),
        (escrow, "CNY", "escrow", "community:1", "venture grants held for milestones", NO_OVERDRAFT),
        (organisations[0], "PTS", "organisation", "", "阳光志愿服务队 volunteer team", NO_OVERDRAFT),
        (organisations[1], "PTS", "organisation", "", "邻里社工服务中心 social workers", NO_OVERDRAFT),
        (organisations[2], "PTS", "organisation", ENTERPRISE_OWNER, "安居物业公司 enterprise", NO_OVERDRAFT),
        (grantees[0], "CNY", "organisation", "", "邻里社工服务中心 grants", NO_OVERDRAFT),
        (grantees[1], "CNY", "organisation", ENTERPRISE_OWNER, "安居物业公司 grants", NO_OVERDRAFT),
        (merchants[0], "PTS", "merchant", MERCHANT_OWNER, "爱心理发店 barber", NO_OVERDRAFT),
        (merchants[1], "PTS", "merchant", "", "邻里便利店 grocery", NO_OVERDRAFT),
        (merchants[2], "PTS", "merchant", "", "长者食堂 canteen", NO_OVERDRAFT),
        *((account, "PTS", "member", account, f"member {account[12:]}", NO_OVERDRAFT) for account in members),
    )  # fmt: skip
    return Cast(members, issuers, organisations, merchants, fund, world, escrow, grantees, opens)


async def open_accounts(cast: Cast) -> int:
    """Open (or find, unchanged) every account the cast opens itself; answer how many."""
    for account_id, asset, kind, owner, name, flags in cast.opens:
        await open_account(account_id, asset=asset, kind=kind, owner=owner, name=name, flags=flags)
    return len(cast.opens)


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
    """The episode stream: a cast, a random source, a clock, and what every flagged account can
    spend (as far as this stream knows: accounts it shares with others may hold more)."""

    cast: Cast
    seed: int
    rng: random.Random
    clock: Clock
    available: Counter = field(default_factory=Counter)  # flagged accounts only
    counts: Counter = field(default_factory=Counter)
    written: int = 0  # transfers in the stream so far (each names its own index)

    def next_id(self) -> str:
        self.written += 1
        return f"{self.cast.prefix}-s{self.seed}-{self.written:06d}"

    def batch_id(self, first: NewTransfer) -> str:
        return f"{self.cast.prefix}-s{self.seed}-batch-{first.id.rsplit('-', 1)[1]}"

    def funded(self, candidates: list[str], at_least: int) -> list[str]:
        return [account for account in candidates if self.available[account] >= at_least]

    async def episode(self) -> None:
        """Write the stream's next episode (a few transfers)."""
        episode = self.rng.choices(EPISODES, WEIGHTS)[0]
        if not await episode(self):
            await issue_for_task(self)  # nobody could afford it yet: earn something instead

    def summary(self) -> dict[str, int]:
        return {"transfers": self.written, **dict(sorted(self.counts.items()))}


def history(
    cast: Cast, *, seed: int = 7, start: datetime, end: datetime, step: timedelta = timedelta(seconds=1)
) -> Demo:
    """A stream of episodes for ``cast``, dated from ``start`` on, never past ``end`` (except an
    expiry sweep); each transfer ``step`` after the one before. Call ``episode()`` for each."""
    return Demo(cast, seed, random.Random(seed), Clock(start, end, step))


async def seed(transfers: int = 3000, seed: int = 7, *, cast: Cast | None = None) -> dict:
    """Open the cast's accounts and write at least ``transfers`` transfers over the last 30 days;
    answer counts by kind. ``cast`` defaults to ``standalone_cast()``.

    Idempotent: with the same arguments a second run writes nothing and answers the same counts.
    """
    if transfers < 0:
        raise ValueError("transfers must not be negative")
    cast = cast or standalone_cast()
    account_count = await open_accounts(cast)
    today = datetime.now(UTC)
    step = HISTORY_SPAN * 0.9 / max(transfers, 1)  # the rest of the span absorbs expired holds' timeouts
    demo = history(cast, seed=seed, start=today - HISTORY_SPAN, end=today, step=step)
    while demo.written < transfers:
        await demo.episode()
    return {"accounts": account_count, **demo.summary()}


# -- episodes: each writes a few transfers, or answers False when the ledger cannot afford it -----


async def issue_for_task(demo: Demo) -> bool:
    rng, cast = demo.rng, demo.cast
    member = rng.choice(cast.members)
    issuer = cast.issuers[0] if rng.random() < 0.8 else cast.issuers[1]
    minutes = rng.choice((30, 45, 60, 90, 120, 180, 240))
    points = minutes * POINTS_PER_HOUR // 60  # whole minutes, rounded down to whole points
    await transfer(
        demo.next_id(), issuer, member, points, "PTS",
        reason="task", reference=f"demo:task:{demo.written}", memo=f"{rng.choice(TASKS)}（{minutes}分钟）",
        now=demo.clock.tick(),
    )  # fmt: skip
    demo.available[member] += points
    demo.counts["issued"] += 1
    return True


async def issue_to_organisation(demo: Demo) -> bool:
    rng, cast = demo.rng, demo.cast
    organisation = rng.choice(cast.organisations)
    points = rng.choice((50, 80, 120, 200))
    await transfer(
        demo.next_id(), rng.choice(cast.issuers), organisation, points, "PTS",
        reason="project", reference=f"demo:project:{demo.written}", memo="服务项目完成",
        now=demo.clock.tick(),
    )  # fmt: skip
    demo.available[organisation] += points
    demo.counts["issued_to_organisations"] += 1
    return True


async def group_task(demo: Demo) -> bool:
    """A task done by a team: every member's points post together or not at all."""
    rng, cast = demo.rng, demo.cast
    team = rng.sample(cast.members, rng.randint(3, min(MAX_GROUP_SIZE, len(cast.members))))
    minutes = rng.choice((60, 120, 180))
    points = minutes * POINTS_PER_HOUR // 60
    task = f"demo:task:{demo.written + 1}"
    memo = f"{rng.choice(TASKS)}（{len(team)}人小组，每人{minutes}分钟）"
    operations = [
        NewTransfer(demo.next_id(), cast.issuers[0], member, points, "PTS", "task", task, memo)
        for member in team
    ]
    await post_batch(operations, batch_id=demo.batch_id(operations[0]), now=demo.clock.tick())
    for member in team:
        demo.available[member] += points
    demo.counts["batches"] += 1
    demo.counts["batch_transfers"] += len(operations)
    return True


async def exchange(demo: Demo) -> bool:
    """Peer exchange: one member pays another in hours from their own balance."""
    rng, members = demo.rng, demo.cast.members
    payers = demo.funded(list(members), 5)
    if not payers:
        return False
    payer = rng.choice(payers)
    payee = rng.choice([member for member in members if member != payer])
    points = rng.randint(1, min(demo.available[payer], 30))
    await transfer(
        demo.next_id(), payer, payee, points, "PTS",
        reason="exchange", reference=f"demo:exchange:{demo.written}", memo=rng.choice(EXCHANGES),
        now=demo.clock.tick(),
    )  # fmt: skip
    demo.available[payer] -= points
    demo.available[payee] += points
    demo.counts["exchanged"] += 1
    return True


async def redeem(demo: Demo) -> bool:
    """A redemption holds points (pending), then is collected, cancelled, lapses, or stays open."""
    rng, cast = demo.rng, demo.cast
    which = rng.randrange(len(cast.merchants))
    merchant = cast.merchants[which]
    item, price = REWARDS[which]
    quantity = rng.choice((1, 1, 1, 2))
    amount = price * quantity
    buyers = demo.funded(list(cast.members), amount)
    if not buyers:
        return False
    buyer = rng.choice(buyers)
    fate = rng.choices(("post", "partial", "void", "expire", "open"), (55, 12, 15, 10, 8))[0]
    if fate == "partial" and quantity == 1:
        fate = "post"
    timeout_s = SHORT_HOLD_TIMEOUT_S if fate == "expire" else REDEMPTION_TIMEOUT_S
    reference = f"demo:redemption:{demo.written + 1}"
    pending = await reserve(
        demo.next_id(), buyer, merchant, amount, "PTS",
        timeout_s=timeout_s, reason="redemption", reference=reference, memo=f"{item} ×{quantity}",
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
            reason="fulfilled", reference=reference, memo="部分缺货", now=demo.clock.tick(),
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
    rng, cast = demo.rng, demo.cast
    wrong, right = rng.sample(cast.members, 2)
    minutes = rng.choice((60, 90, 120))
    points = minutes * POINTS_PER_HOUR // 60
    task = f"demo:task:{demo.written + 1}"
    memo = f"{rng.choice(TASKS)}（{minutes}分钟）"
    mistaken = await transfer(
        demo.next_id(), cast.issuers[0], wrong, points, "PTS",
        reason="task", reference=task, memo=memo, now=demo.clock.tick(),
    )  # fmt: skip
    await reverse(
        demo.next_id(), mistaken.id,
        reference=task, memo="误发给另一位志愿者，已冲正", now=demo.clock.tick(),
    )  # fmt: skip
    await transfer(
        demo.next_id(), cast.issuers[0], right, points, "PTS",
        reason="task", reference=task, memo=memo, now=demo.clock.tick(),
    )  # fmt: skip
    demo.available[right] += points
    demo.counts["reversed"] += 1
    demo.counts["issued"] += 2
    return True


async def donate(demo: Demo) -> bool:
    amount_fen = demo.rng.choice((5_000, 10_000, 20_000, 50_000, 100_000, 200_000))
    await transfer(
        demo.next_id(), demo.cast.world, demo.cast.fund, amount_fen, "CNY",
        reason="donation", reference=f"demo:donation:{demo.written}",
        memo="社区基金捐赠", now=demo.clock.tick(),
    )  # fmt: skip
    demo.available[demo.cast.fund] += amount_fen
    demo.counts["donations"] += 1
    return True


async def grant(demo: Demo) -> bool:
    """A venture grant: awarded into escrow with its first milestone paid (one linked batch),
    the second milestone released later."""
    rng, cast = demo.rng, demo.cast
    amount_fen = rng.choice((20_000, 50_000, 100_000))
    if demo.available[cast.fund] < amount_fen:
        return False
    grantee = rng.choice(cast.grantees)
    first = amount_fen // 2
    call = f"demo:call:{demo.written + 1}"
    award = [
        NewTransfer(demo.next_id(), cast.fund, cast.escrow, amount_fen, "CNY", "grant", call,
                    "公益创投资助"),
        NewTransfer(demo.next_id(), cast.escrow, grantee, first, "CNY", "milestone", call,
                    "第1期（共2期）"),
    ]  # fmt: skip
    await post_batch(award, batch_id=demo.batch_id(award[0]), now=demo.clock.tick())
    await transfer(
        demo.next_id(), cast.escrow, grantee, amount_fen - first, "CNY",
        reason="milestone", reference=call, memo="第2期（共2期）", now=demo.clock.tick(),
    )  # fmt: skip
    demo.available[cast.fund] -= amount_fen
    demo.available[grantee] += amount_fen
    demo.counts["grants"] += 1
    demo.counts["batches"] += 1
    demo.counts["batch_transfers"] += len(award)
    return True


_EPISODES = (
    (issue_for_task, 34),
    (exchange, 20),
    (redeem, 22),
    (group_task, 6),
    (issue_to_organisation, 5),
    (reverse_mistake, 3),
    (donate, 6),
    (grant, 4),
)
EPISODES = [episode for episode, _ in _EPISODES]
WEIGHTS = [weight for _, weight in _EPISODES]
