"""The demo street's market (`linli demo`, after the community's month of history): a catalogue
from the street's merchants, enterprise and community, redemptions in every state, offers and
requests between neighbours with their exchanges, gifts, a funded community fund, and one venture
call under way (awarded, its first milestone paid, the second reported and waiting).

Everything goes through the market's own use cases, dated in the last weeks before ``now``, and
drawn from ``random.Random(seed)``. It is one transaction, and a second run adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.query.functions.aggregate import Count

from demo.accounts import ADMIN, ENTERPRISE, GRID_LEADER, MERCHANT, RESIDENT, STAFF, STREET_STAFF, VOLUNTEER
from ledger.accounts import balance
from ledger.transfers import last_seq
from market import catalogue, exchanges, fund, gifts, listings, redemptions
from market import errors as market_errors
from market.catalogue import ItemDraft
from market.sweep import sweep
from market.tables import Call, Donation, Exchange, Gift, Item, Listing, Redemption
from market.ventures.award import award_call
from market.ventures.bids import get_bid, submit_bid
from market.ventures.calls import close_due_calls, get_call, publish_call
from market.ventures.drafts import CriterionDraft, MilestoneDraft
from market.ventures.milestones import accept_milestone, approve_milestone, report_milestone
from market.ventures.panel import close_voting, score_bid, vote
from projects.access import Actor, load_actor
from projects.area_path import AreaPath
from projects.db import atomic, utcnow
from projects.members import member_account
from projects.tables import Member, Organisation, OrganisationMember, Role

# provider key, kind, name, name_en, description, price, stock, limit per month
ITEMS = (
    ("barber", "service", "上门理发", "A haircut at home", "为行动不便的老人上门理发", 30, None, 2),
    ("barber", "service", "洗剪吹", "Wash, cut and blow-dry", "到店服务，凭兑换码核销", 40, None, None),
    ("grocery", "goods", "5公斤大米", "5 kg of rice", "东北大米，送货上门", 50, 40, 1),
    ("grocery", "goods", "食用油一桶", "A bottle of cooking oil", "5升花生油", 60, 25, 1),
    ("enterprise", "service", "家电清洗", "Appliance cleaning", "空调或油烟机清洗一次", 80, 30, 1),
    (
        None,
        "service",
        "活动室预约两小时",
        "The activity room for two hours",
        "社区党群服务中心活动室",
        20,
        None,
        4,
    ),
    (None, "goods", "爱心超市礼包", "A gift pack from the charity shop", "毛巾、牙膏、洗衣液", 35, 15, 1),
)
OFFERS = (
    ("offer", "culture.tutoring", "教小学生弹钢琴", 20),
    ("offer", "convenience.errands", "周末帮忙代买菜", 10),
    ("request", "care.escort", "周三上午陪我去医院复查", 10),
    ("request", "convenience.appliances", "帮忙装一下窗帘杆", 10),
)
DONATIONS = (
    ("organisation", "enterprise", "", False, 5_000_000, "支持社区公益创投"),
    ("outside", None, "爱心人士", True, 2_000_000, "匿名捐赠"),
    ("organisation", "barber", "", False, 300_000, "义剪收入捐赠"),
    ("member", RESIDENT, "", False, 20_000, "一点心意"),
)
CRITERIA = (("项目设计", "Design", 40), ("团队能力", "Team", 30), ("预算合理性", "Budget", 30))


@dataclass(frozen=True, slots=True)
class MarketDemoReport:
    built: bool
    counts: dict[str, int]


class _Cast:
    """The demo street's people and organisations, found by the phones and names DESIGN gives."""

    async def load(self) -> _Cast:
        self.ids = {}
        for phone in (ADMIN, STAFF, STREET_STAFF, GRID_LEADER, VOLUNTEER, RESIDENT, ENTERPRISE, MERCHANT):
            row = await Member.select(Member.id).where(Member.phone == phone).first()
            self.ids[phone] = row["id"]
        names = {
            "barber": "爱心理发店",
            "grocery": "邻里便利店",
            "enterprise": "安居物业公司",
            "social": "邻里社工服务中心",
        }
        self.organisations = {}
        self.representatives = {}
        for key, name in names.items():
            organisation = await Organisation.select(Organisation.id).where(Organisation.name == name).first()
            self.organisations[key] = organisation["id"]
            rep = (
                await OrganisationMember.select(OrganisationMember.member)
                .where(
                    (OrganisationMember.organisation == organisation["id"])
                    & (OrganisationMember.role == "representative")
                )
                .first()
            )
            self.representatives[key] = rep["member"]
        home = await Member.select(Member.home_area.path).where(Member.id == self.ids[RESIDENT]).first()
        self.community = AreaPath.parse(home["home_area.path"]).community_id
        volunteers = (
            await Role.select(Role.member)
            .where((Role.role == "volunteer") & (Role.area == self.community))
            .order_by(Role.member)
        )
        self.volunteers = [row["member"] for row in volunteers]
        self.actors: dict[int, Actor] = {}
        return self

    async def actor(self, member_id: int) -> Actor:
        if member_id not in self.actors:
            self.actors[member_id] = await load_actor(member_id)
        return self.actors[member_id]


async def build_market_demo(*, now: datetime | None = None, seed: int = 7) -> MarketDemoReport:
    now = now or utcnow()
    rng = random.Random(seed + 5)
    async with atomic():
        if await Item.exists():
            return MarketDemoReport(False, await count_market())
        cast = await _Cast().load()
        items = await _catalogue(cast, now - timedelta(days=20))
        await _redemptions(cast, items, rng, now)
        await _exchanges(cast, rng, now)
        await _fund_and_venture(cast, now)
    return MarketDemoReport(True, await count_market())


async def _catalogue(cast: _Cast, when: datetime) -> list[int]:
    staff = await cast.actor(cast.ids[STAFF])
    made = []
    for provider, kind, name, name_en, description, price, stock, limit in ITEMS:
        actor = await cast.actor(cast.representatives[provider]) if provider else staff
        draft = ItemDraft(
            name=name,
            name_en=name_en,
            description=description,
            kind=kind,
            price=price,
            stock=stock,
            per_member_limit=limit,
            area_ids=[cast.community],
        )
        organisation = cast.organisations[provider] if provider else None
        item = await catalogue.create_item(
            actor, draft, community_id=cast.community, organisation_id=organisation, now=when
        )
        made.append(item.id)
    return made


async def _redemptions(cast: _Cast, items: list[int], rng: random.Random, now: datetime) -> None:
    """Volunteers spend some of what they banked: most redemptions are fulfilled, some wait for
    the provider, and a few were rejected, cancelled or expired."""
    fates = (
        ["fulfilled"] * 14 + ["pending"] * 6 + ["rejected", "cancelled", "cancelled", "expired", "expired"]
    )
    rng.shuffle(fates)
    buyers = [cast.ids[VOLUNTEER], *cast.volunteers]
    staff = await cast.actor(cast.ids[STAFF])
    done = 0
    for buyer in buyers:
        if done == len(fates):
            break
        fate = fates[done]
        actor = await cast.actor(buyer)
        item = await catalogue.get_item(rng.choice(items))
        if (await balance(member_account(buyer))).available < item.price:
            continue
        # Expired ones were placed before the hold ran out; the rest within the last two days.
        when = (
            now - redemptions.HOLD - timedelta(hours=rng.randint(2, 30))
            if fate == "expired"
            else now - timedelta(hours=rng.randint(1, 48))
        )
        try:
            redemption = await redemptions.redeem(actor, item.id, 1, now=when)
        except (market_errors.LimitReached, market_errors.OutOfStock):
            continue
        done += 1
        provider = (
            await cast.actor(cast.representatives[_provider_key(cast, item.organisation)])
            if item.organisation
            else staff
        )
        later = when + timedelta(minutes=rng.randint(10, 600))
        if fate == "fulfilled":
            await redemptions.fulfil(provider, redemption.code, now=min(later, now))
        elif fate == "rejected":
            await redemptions.reject(
                provider, redemption.id, reason="本周库存不足，已联系改约", now=min(later, now)
            )
        elif fate == "cancelled":
            await redemptions.cancel(actor, redemption.id, now=min(later, now))
    await sweep(now=now)  # the expired ones expire


def _provider_key(cast: _Cast, organisation_id: int) -> str:
    return next(key for key, value in cast.organisations.items() if value == organisation_id)


async def _exchanges(cast: _Cast, rng: random.Random, now: datetime) -> None:
    """Neighbours' offers and requests: one exchange done and paid, one agreed and held, one
    proposed; and a few gifts."""
    # The richest volunteers first: the requesters among them pay from their own balance.
    available = {member: (await balance(member_account(member))).available for member in cast.volunteers}
    people = sorted(cast.volunteers, key=lambda member: -available[member])[:20]
    published = []
    for number, (kind, category, title, rate) in enumerate(OFFERS):
        owner = await cast.actor(people[number])
        when = now - timedelta(days=10 - number)
        published.append(
            await listings.create_listing(owner, kind, category, title, points_per_hour=rate, now=when)
        )
    piano, shopping, hospital, _ = published
    learner = await cast.actor(people[5])
    teacher = await cast.actor(piano.member)
    done = await exchanges.propose(
        learner, piano.id, 60, note="孩子八岁，零基础", now=now - timedelta(days=6)
    )
    await exchanges.accept(teacher, done.id, now=now - timedelta(days=6, hours=-2))
    await exchanges.submit(teacher, done.id, 60, note="第一课：认识琴键", now=now - timedelta(days=4))
    await exchanges.confirm(learner, done.id, now=now - timedelta(days=4, hours=-3))
    helper = await cast.actor(people[6])
    held = await exchanges.propose(helper, hospital.id, 180, now=now - timedelta(days=2))
    await exchanges.accept(await cast.actor(hospital.member), held.id, now=now - timedelta(days=1))
    await exchanges.propose(await cast.actor(people[7]), shopping.id, 60, now=now - timedelta(hours=5))
    for giver, recipient in ((people[8], people[9]), (people[9], None)):
        actor = await cast.actor(giver)
        if (await balance(member_account(giver))).available >= 5:
            await gifts.give(
                actor,
                5,
                recipient_id=recipient,
                community_id=None if recipient else cast.community,
                note="谢谢邻居帮忙" if recipient else "捐给社区积分池",
                now=now - timedelta(days=rng.randint(1, 9)),
            )


async def _fund_and_venture(cast: _Cast, now: datetime) -> None:
    staff = await cast.actor(cast.ids[STAFF])
    # The second pair of eyes (DESIGN "Issuance"): the street's staff approve what is over the
    # community's thresholds (a donation, a milestone's grant) that the community's staff recorded.
    approver = await cast.actor(cast.ids[STREET_STAFF])
    for number, (kind, who, name, anonymous, amount, note) in enumerate(DONATIONS):
        received = now - timedelta(days=28 - number * 3)
        donation = await fund.donate(
            staff,
            cast.community,
            amount,
            donor_kind=kind,
            member_id=cast.ids[who] if kind == "member" else None,
            organisation_id=cast.organisations[who] if kind == "organisation" else None,
            donor_name=name,
            anonymous=anonymous,
            note=note,
            receipt_number=f"JZ{received:%Y%m%d}{number + 1:03d}",
            now=received,
        )
        if donation.status == "awaiting_approval":
            await fund.approve_donation(approver, donation.id, now=received + timedelta(hours=3))
    published = now - timedelta(days=21)
    call = await publish_call(
        staff,
        title="老旧小区适老化改造公益创投",
        description="为幸福里社区老旧楼栋加装扶手、感应灯和休息座椅，惠及高龄独居老人。",
        area_id=cast.community,
        budget=5_000_000,
        deadline=published + timedelta(days=10),
        criteria=[CriterionDraft(name, weight, 10, name_en) for name, name_en, weight in CRITERIA],
        panel=[cast.ids[STAFF], cast.ids[GRID_LEADER], cast.ids[ADMIN]],
        vote_weight=20,
        now=published,
    )
    plans = {
        "enterprise": (4_800_000, ("入户调查和方案公示", "扶手和感应灯安装", "居民验收和评议")),
        "social": (4_500_000, ("需求评估", "志愿者协助施工", "回访和评议")),
    }
    bids = {}
    for offset, (key, (budget, steps)) in enumerate(plans.items()):
        representative = await cast.actor(cast.representatives[key])
        part = budget // len(steps)
        amounts = [part] * (len(steps) - 1) + [budget - part * (len(steps) - 1)]
        bids[key] = await submit_bid(
            representative,
            call.id,
            organisation_id=cast.organisations[key],
            proposal=f"{call.title}：{'、'.join(steps)}",
            team="项目经理1名，施工人员4名，社工2名",
            budget=budget,
            milestones=[
                MilestoneDraft(step, amount, published + timedelta(days=30 * (n + 1)))
                for n, (step, amount) in enumerate(zip(steps, amounts, strict=True))
            ],
            now=published + timedelta(days=2 + offset),
        )
    reviewing = published + timedelta(days=10, hours=1)
    await close_due_calls(now=reviewing)
    scores = {"enterprise": (9, 8, 8), "social": (8, 8, 7)}
    criteria = (await get_call(call.id)).criteria
    for panelist in (cast.ids[STAFF], cast.ids[GRID_LEADER], cast.ids[ADMIN]):
        actor = await cast.actor(panelist)
        for key, values in scores.items():
            sheet = {criterion.id: value for criterion, value in zip(criteria, values, strict=True)}
            await score_bid(actor, bids[key].id, sheet, now=reviewing + timedelta(hours=2))
    for number, voter in enumerate(cast.volunteers[40:55]):
        choice = "enterprise" if number % 3 else "social"
        await vote(await cast.actor(voter), call.id, bids[choice].id, now=reviewing + timedelta(hours=3))
    awarded = reviewing + timedelta(days=1)
    await close_voting(staff, call.id, now=awarded - timedelta(hours=2))
    await award_call(staff, call.id, bids["enterprise"].id, now=awarded)
    first, second, _ = (await get_bid(bids["enterprise"].id)).milestones
    enterprise = await cast.actor(cast.representatives["enterprise"])
    await report_milestone(
        enterprise,
        first.id,
        report="已入户走访86户，方案经居民议事会通过并公示",
        now=awarded + timedelta(days=4),
    )
    accepted = await accept_milestone(staff, first.id, now=awarded + timedelta(days=5))
    if accepted.status == "awaiting_approval":
        await approve_milestone(approver, first.id, now=awarded + timedelta(days=5, hours=2))
    await report_milestone(
        enterprise, second.id, report="1至6号楼扶手和感应灯已安装完毕，待验收", now=now - timedelta(hours=6)
    )


async def count_market() -> dict[str, int]:
    counts = {"items": await Item.count()}
    for name, table in (("redemptions", Redemption), ("exchanges", Exchange), ("calls", Call)):
        counts[name] = await table.count()
        rows = await table.select(table.status, Count()).group_by(table.status).order_by(table.status)
        counts.update({f"{name}.{row['status']}": row["count"] for row in rows})
    counts["listings"] = await Listing.count()
    counts["gifts"] = await Gift.count()
    counts["donations"] = await Donation.count()
    counts["transfers"] = await last_seq()  # the ledger's length, market included
    return counts
