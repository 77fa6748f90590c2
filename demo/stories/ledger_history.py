"""The ledger's own demo history (demo/ledger.py), cast with the street's accounts and
spread over the month."""

from __future__ import annotations

from datetime import timedelta

from demo import ledger as ledger_demo
from demo.accounts import GRID_LEADER, RESIDENT, VOLUNTEER
from demo.month import Month
from demo.street import Street
from demo.timeline import Steps
from ledger.accounts import DEBITS_MUST_NOT_EXCEED_CREDITS
from projects.areas import issuer_account
from projects.members import member_account
from projects.organisations import organisation_account


def street_cast(s: Street) -> ledger_demo.Cast:
    """The ledger history's parts, played by the street's accounts; its money accounts (CNY: the
    community fund, donors, grant escrow) are its own, under ids that say they are the demo's."""
    first, second = s.communities
    org = s.organisations
    people = [s.phones[phone] for phone in (GRID_LEADER, VOLUNTEER, RESIDENT)] + first.volunteers[1:58]
    fund, world, escrow = f"demo:fund:{first.id}", "demo:world:donors", "demo:escrow:grants"
    grantees = tuple(f"demo:org:{org[key]}:grants" for key in ("social", "enterprise"))
    no_overdraft = DEBITS_MUST_NOT_EXCEED_CREDITS
    opens = (
        (fund, "CNY", "fund", f"area:{first.id}", f"{first.name}基金 community fund", no_overdraft),
        (world, "CNY", "world", "", "outside donors", 0),
        (escrow, "CNY", "escrow", f"area:{first.id}", "venture grants held for milestones", no_overdraft),
        (grantees[0], "CNY", "organisation", f"org:{org['social']}", "邻里社工服务中心 grants", no_overdraft),
        (grantees[1], "CNY", "organisation", f"org:{org['enterprise']}", "安居物业公司 grants", no_overdraft),
    )
    return ledger_demo.Cast(
        members=tuple(member_account(member) for member in people),
        issuers=(issuer_account(first.id), issuer_account(second.id)),
        organisations=tuple(organisation_account(org[key]) for key in ("team", "social", "enterprise")),
        merchants=tuple(organisation_account(org[key]) for key in ("barber", "grocery", "canteen")),  # type: ignore[arg-type]
        fund=fund,
        world=world,
        escrow=escrow,
        grantees=grantees,
        opens=opens,
        prefix="demo-street",
    )


async def ledger_history(month: Month) -> Steps:
    """The ledger's demo episodes, spread evenly over the month."""
    cast = street_cast(month.street)
    await ledger_demo.open_accounts(cast)
    demo = ledger_demo.history(cast, seed=month.seed, start=month.start, end=month.end)
    spacing = (month.end - month.start - timedelta(hours=1)) / max(month.transfers, 1)
    while demo.written < month.transfers:
        demo.clock.at_least(month.now)
        before = demo.written
        await demo.episode()
        yield spacing * (demo.written - before)
