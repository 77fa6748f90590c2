"""Who a change in the market concerns, and the sentence each is told (``projects.outbox``): a
redemption's member and its provider (the organisation's representatives, or the community's
staff for its own items), the parties of an exchange, a gift's recipient, a member who donated,
the bidders of a venture call and the staff who published it. Never the actor."""

from __future__ import annotations

from market.tables import Bid, Call, Donation, Exchange, Gift, Milestone, Redemption
from projects.concerns import representatives
from projects.errors import N_
from projects.outbox import MAX_READERS, Change, Notice, register, short, to
from projects.tables import Area, Role

SUBJECTS = ("redemption", "exchange", "gift", "donation", "call", "bid", "milestone")


async def staff_of(community_id: int) -> list[int]:
    """The staff of a community itself (at most ``MAX_READERS``)."""
    rows = (
        await Role.select(Role.member)
        .where((Role.area == community_id) & (Role.role == "staff"))
        .order_by(Role.id)
        .limit(MAX_READERS)
    )
    return [row["member"] for row in rows]


async def redemption_concern(change: Change) -> list[Notice]:
    found = (
        await Redemption.select(
            Redemption.id,
            Redemption.member,
            Redemption.member.name.as_alias("member_name"),
            Redemption.quantity,
            Redemption.item.name.as_alias("item"),
            Redemption.item.organisation.as_alias("organisation"),
            Redemption.item.community.as_alias("community"),
        )
        .where(Redemption.id == change.subject_id)
        .first()
    )
    if found is None:
        return []
    item, mine, action = short(found["item"]), f"/redemptions/{found['id']}", change.action
    if found["organisation"] is not None:
        providers = await representatives([found["organisation"]])
    else:
        providers = await staff_of(found["community"])
    if action == "redeem":
        message = N_('{actor} redeemed {quantity} × "{item}": fulfil it when they show their code.')
        return to(providers, message, "/provider", item=item, quantity=found["quantity"])
    if action == "fulfil":
        return to([found["member"]], N_('{actor} fulfilled your redemption of "{item}".'), mine, item=item)
    if action == "reject":
        message = N_('{actor} turned down your redemption of "{item}": your points are back.')
        return to([found["member"]], message, mine, item=item, reason=change.reason)
    if action == "cancel":
        message = N_('{actor} cancelled their redemption of "{item}".')
        return to(providers, message, "/provider", item=item)
    if action == "expire":
        member = N_(
            'Your redemption of "{item}" was not fulfilled within 3 days, '
            "so the system expired it: your points are back."
        )
        provider = N_(
            'The redemption of "{item}" by {member} was not fulfilled within 3 days, '
            "so the system expired it."
        )
        return to([found["member"]], member, mine, item=item) + to(
            providers, provider, "/provider", item=item, member=found["member_name"]
        )
    return []


async def exchange_concern(change: Change) -> list[Notice]:
    found = (
        await Exchange.select(
            Exchange.id,
            Exchange.requester,
            Exchange.performer,
            Exchange.points,
            Exchange.listing.title.as_alias("title"),
        )
        .where(Exchange.id == change.subject_id)
        .first()
    )
    if found is None:
        return []
    title, link, action, why = short(found["title"]), f"/exchange/{found['id']}", change.action, change.reason
    parties = [found["requester"], found["performer"]]
    messages = {
        "propose": N_('{actor} proposed an exchange: "{title}".'),
        "accept": N_('{actor} accepted the exchange "{title}".'),
        "decline": N_('{actor} declined the exchange "{title}".'),
        "cancel": N_('{actor} cancelled the exchange "{title}".'),
        "dispute": N_('{actor} disputed the work on "{title}": a leader decides.'),
    }
    if action in messages:
        return to(parties, messages[action], link, title=title, reason=why)
    if action == "submit":
        message = N_('{actor} has finished "{title}": please confirm.')
        return to([found["requester"]], message, link, title=title)
    if action in ("confirm", "settle"):
        message = N_('{actor} confirmed the exchange "{title}": {points} points paid.')
        if action == "settle":
            message = N_('{actor} settled the dispute over "{title}": {points} points paid.')
        return to(parties, message, link, title=title, points=found["points"] or 0, reason=why)
    return []


async def gift_concern(change: Change) -> list[Notice]:
    found = await Gift.select(Gift.recipient, Gift.amount).where(Gift.id == change.subject_id).first()
    if found is None:
        return []
    message = N_("{actor} gave you {amount} points.")
    return to([found["recipient"]], message, "/points", amount=found["amount"], reason=change.reason)


async def approvers(community_path: str) -> list[int]:
    """Who may give the second pair of eyes: staff of the community and of the areas above it."""
    ids = [int(part) for part in community_path.strip("/").split("/") if part.isdigit()]
    rows = (
        await Role.select(Role.member)
        .where(Role.area.is_in(ids) & (Role.role == "staff"))
        .order_by(Role.id)
        .limit(MAX_READERS)
    )
    return [row["member"] for row in rows]


async def donation_concern(change: Change) -> list[Notice]:
    found = (
        await Donation.select(
            Donation.member, Donation.amount, Donation.community, Donation.community.path.as_alias("path")
        )
        .where(Donation.id == change.subject_id)
        .first()
    )
    if found is None:
        return []
    from market.fund import yuan  # market.fund registers this module as it loads

    link, amount = f"/fund/{found['community']}", yuan(found["amount"])
    if change.to_state == "awaiting_approval":  # over the four-eyes threshold
        message = N_("{actor} recorded a donation of {amount}: a second staff member approves it.")
        return to(await approvers(found["path"]), message, link, amount=amount)
    message = N_("{actor} recorded your donation of {amount} to the community fund. Thank you!")
    return to([found["member"]], message, link, amount=amount)


async def _bidders(call_id: int) -> list[int]:
    organisations = await Bid.select(Bid.organisation).where(Bid.call == call_id).limit(MAX_READERS)
    return await representatives([row["organisation"] for row in organisations])


async def call_concern(change: Change) -> list[Notice]:
    call = await Call.select(Call.id, Call.title).where(Call.id == change.subject_id).first()
    if call is None:
        return []
    title, link = short(call["title"]), f"/calls/{call['id']}"
    if change.action == "close":
        message = N_(
            'The deadline for bids on "{title}" passed, so the system closed it: the panel reviews the bids.'
        )
        return to(await _bidders(call["id"]), message, link, title=title)
    if change.action == "cancel":
        message = N_('{actor} cancelled the venture call "{title}".')
        return to(await _bidders(call["id"]), message, link, title=title, reason=change.reason)
    return []


async def bid_concern(change: Change) -> list[Notice]:
    bid = (
        await Bid.select(
            Bid.organisation,
            Bid.organisation.name.as_alias("organisation_name"),
            Bid.call,
            Bid.call.title.as_alias("title"),
            Bid.call.created_by.as_alias("created_by"),
        )
        .where(Bid.id == change.subject_id)
        .first()
    )
    if bid is None:
        return []
    title, link, action = short(bid["title"]), f"/calls/{bid['call']}", change.action
    if action in ("submit", "revise", "resubmit", "withdraw"):
        message = N_('{actor} sent a bid from {organisation} for "{title}".')
        if action == "withdraw":
            message = N_('{actor} withdrew the bid of {organisation} for "{title}".')
        return to([bid["created_by"]], message, link, title=title, organisation=bid["organisation_name"])
    if action == "award":
        message = N_('{actor} awarded the venture call "{title}" to your bid.')
        return to(await representatives([bid["organisation"]]), message, link, title=title)
    if action == "lose":
        message = N_('{actor} awarded the venture call "{title}" to another bid.')
        return to(await representatives([bid["organisation"]]), message, link, title=title)
    return []


async def milestone_concern(change: Change) -> list[Notice]:
    found = (
        await Milestone.select(
            Milestone.title,
            Milestone.amount,
            Milestone.bid.organisation.as_alias("organisation"),
            Milestone.bid.call.as_alias("call"),
            Milestone.bid.call.created_by.as_alias("created_by"),
            Milestone.bid.call.community.as_alias("community"),
        )
        .where(Milestone.id == change.subject_id)
        .first()
    )
    if found is None:
        return []
    from market.fund import yuan  # market.fund registers this module as it loads

    title, link, action = short(found["title"]), f"/calls/{found['call']}", change.action
    if action == "report":
        message = N_('{actor} reported the milestone "{title}": accept it to pay {amount}.')
        return to([found["created_by"]], message, link, title=title, amount=yuan(found["amount"]))
    if change.to_state == "awaiting_approval":  # over the four-eyes threshold
        message = N_(
            '{actor} accepted the milestone "{title}": a second staff member approves paying {amount}.'
        )
        path = await Area.select(Area.path).where(Area.id == found["community"]).first()
        return to(await approvers(path["path"]), message, link, title=title, amount=yuan(found["amount"]))
    if action in ("accept", "approve"):
        message = N_('{actor} accepted the milestone "{title}": {amount} paid from the fund.')
        if action == "approve":
            message = N_('{actor} approved the milestone "{title}": {amount} paid from the fund.')
        reps = await representatives([found["organisation"]])
        return to(reps, message, link, title=title, amount=yuan(found["amount"]))
    if action == "return":
        message = N_('{actor} returned the report on the milestone "{title}".')
        reps = await representatives([found["organisation"]])
        return to(reps, message, link, title=title, reason=change.reason)
    return []


CONCERNS = {
    "redemption": redemption_concern,
    "exchange": exchange_concern,
    "gift": gift_concern,
    "donation": donation_concern,
    "call": call_concern,
    "bid": bid_concern,
    "milestone": milestone_concern,
}

for _subject, _concern in CONCERNS.items():
    register((_subject,), _concern)
