"""The domain against the ledger, for ``linli ledger verify``: every record that moved value has
exactly its transfer, and every transfer whose reference names a record has that record.

The ledger verifies itself but knows nothing of claims or gifts (it imports nothing of Linli);
the market sees every domain table, so the check lives here. Each rule is one query that returns
only what is wrong, at most ``MAX_SHOWN`` rows of it.

How the use cases name their transfers (id; reference):
- a confirmed claim with points: ``task:{task}:member:{member}``; ``claim:{claim}``
- a redemption: its hold ``redemption:{id}`` (``item:{item}``), posted as
  ``redemption:{id}:fulfilled`` or released as ``redemption:{id}:{state}`` (``redemption:{id}``)
- an exchange: its hold ``exchange:{id}``, paid as ``exchange:{id}:confirmed`` (``exchange:{id}``)
- a gift ``gift:{id}``, a donation ``donation:{id}`` (the same references); a donation waiting
  for approval has none yet
- a recognition's bonus ``recognition:{community}:{year}:{kind}:{subject}`` (the same reference),
  kept as its ``transfer_id`` once issued
- a paid milestone: ``grant:bid:{bid}:milestone:{id}``; ``call:{call}``
The demo's ledger-only history (``demo.ledger``) uses references of its own kind, ``demo:``, which
name no record; a transfer without a reference names none either.
"""

from __future__ import annotations

from projects.db import postgres
from projects.tables import Claim

MAX_SHOWN = 100  # problems of one rule reported; more mean the same thing again

# Reference kinds that name a row: kind -> its table.
REFERENCED = {
    "claim": "projects_claim",
    "item": "market_item",
    "redemption": "market_redemption",
    "exchange": "market_exchange",
    "gift": "market_gift",
    "donation": "market_donation",
    "call": "market_call",
}
NAMES_NOTHING = ("demo",)  # the demo's ledger-only history


def _referenced_id(kind: str) -> str:
    """SQL for the row id a transfer's ``kind:{id}`` reference names (NULL if it is no id)."""
    rest = f"substr(t.reference, {len(kind) + 2})"
    if postgres():
        return f"CASE WHEN {rest} ~ '^[1-9][0-9]*$' AND length({rest}) <= 18 THEN CAST({rest} AS BIGINT) END"
    return (
        f"CASE WHEN {rest} GLOB '[1-9]*' AND {rest} NOT GLOB '*[^0-9]*' AND length({rest}) <= 18 "
        f"THEN CAST({rest} AS INTEGER) END"
    )


def _concat(prefix: str, column: str, suffix: str = "") -> str:
    text = f"'{prefix}' || CAST({column} AS TEXT)"
    return f"{text} || '{suffix}'" if suffix else text


# (what each problem row says, SQL returning the rows that break the rule). Columns: a, b, c.
def _forward_rules() -> list[tuple[str, str]]:
    return [
        (
            "confirmed claim {a} ({b} points) has no transfer {c} of that amount naming it",
            "SELECT c.id AS a, c.points AS b, c.transfer_id AS c FROM projects_claim c "
            "LEFT JOIN ledger_transfer t ON t.id = c.transfer_id "
            "WHERE c.status = 'confirmed' AND c.points > 0 AND (t.id IS NULL OR t.kind <> 'single' "
            f"OR t.amount <> c.points OR t.reference <> {_concat('claim:', 'c.id')})",
        ),
        (
            "fulfilled redemption {a} ({b} points) has no posted transfer {c}",
            f"SELECT r.id AS a, r.amount AS b, {_concat('redemption:', 'r.id', ':fulfilled')} AS c "
            "FROM market_redemption r LEFT JOIN ledger_transfer t "
            f"ON t.id = {_concat('redemption:', 'r.id', ':fulfilled')} "
            "WHERE r.status = 'fulfilled' AND (t.id IS NULL OR t.kind <> 'post' OR t.amount <> r.amount "
            f"OR t.reference <> {_concat('redemption:', 'r.id')})",
        ),
        (
            "confirmed exchange {a} ({b} points) has no posted transfer {c}",
            f"SELECT e.id AS a, e.points AS b, {_concat('exchange:', 'e.id', ':confirmed')} AS c "
            "FROM market_exchange e LEFT JOIN ledger_transfer t "
            f"ON t.id = {_concat('exchange:', 'e.id', ':confirmed')} "
            "WHERE e.status = 'confirmed' AND e.points > 0 AND (t.id IS NULL OR t.kind <> 'post' "
            f"OR t.amount <> e.points OR t.reference <> {_concat('exchange:', 'e.id')})",
        ),
        (
            "paid milestone {a} ({b} fen) has no transfer {c} of that amount naming its call",
            "SELECT m.id AS a, m.amount AS b, m.transfer_id AS c FROM market_milestone m "
            "JOIN market_bid b ON b.id = m.bid LEFT JOIN ledger_transfer t ON t.id = m.transfer_id "
            "WHERE m.status = 'paid' AND (t.id IS NULL OR t.kind <> 'single' OR t.amount <> m.amount "
            f"OR t.reference <> {_concat('call:', 'b.call')})",
        ),
        (
            "gift {a} ({b} points) has no transfer {c} of that amount",
            f"SELECT g.id AS a, g.amount AS b, {_concat('gift:', 'g.id')} AS c FROM market_gift g "
            f"LEFT JOIN ledger_transfer t ON t.id = {_concat('gift:', 'g.id')} "
            f"WHERE t.id IS NULL OR t.amount <> g.amount OR t.reference <> {_concat('gift:', 'g.id')}",
        ),
        (
            "donation {a} ({b} fen) has no transfer {c} of that amount",
            f"SELECT d.id AS a, d.amount AS b, {_concat('donation:', 'd.id')} AS c FROM market_donation d "
            f"LEFT JOIN ledger_transfer t ON t.id = {_concat('donation:', 'd.id')} "
            "WHERE d.status = 'received' AND (t.id IS NULL OR t.amount <> d.amount "
            f"OR t.reference <> {_concat('donation:', 'd.id')})",
        ),
        (
            "donation {a} ({b} fen) waits for approval, yet has its transfer {c}",
            f"SELECT d.id AS a, d.amount AS b, t.id AS c FROM market_donation d "
            f"JOIN ledger_transfer t ON t.id = {_concat('donation:', 'd.id')} "
            "WHERE d.status = 'awaiting_approval'",
        ),
        (
            "recognition {a} ({b} bonus points) has no transfer {c} of that amount",
            "SELECT r.id AS a, r.bonus_points AS b, r.transfer_id AS c FROM projects_recognition r "
            "LEFT JOIN ledger_transfer t ON t.id = r.transfer_id "
            "WHERE r.transfer_id IS NOT NULL AND (t.id IS NULL OR t.amount <> r.bonus_points "
            "OR t.reference <> r.transfer_id)",
        ),
    ]


def _backward_rules() -> list[tuple[str, str]]:
    rules = []
    for kind, table in REFERENCED.items():
        rules.append(
            (
                f"transfer {{a}} names {{b}}, but there is no such {kind}",
                "SELECT t.id AS a, t.reference AS b, NULL AS c FROM ledger_transfer t "
                f"WHERE t.reference LIKE '{kind}:%' AND NOT EXISTS "
                f"(SELECT 1 FROM {table} r WHERE r.id = {_referenced_id(kind)})",
            )
        )
    known = ", ".join(f"'{kind}'" for kind in (*REFERENCED, "recognition", *NAMES_NOTHING))
    kind_of = (
        "split_part(t.reference, ':', 1)"
        if postgres()
        else ("substr(t.reference, 1, instr(t.reference || ':', ':') - 1)")
    )
    rules += [
        (
            "transfer {a} names {b}, but no recognition has it",
            "SELECT t.id AS a, t.reference AS b, NULL AS c FROM ledger_transfer t "
            "WHERE t.reference LIKE 'recognition:%' AND NOT EXISTS "
            "(SELECT 1 FROM projects_recognition r WHERE r.transfer_id = t.id)",
        ),
        (
            "transfer {a} names {b}, which is no claim's transfer",
            "SELECT t.id AS a, t.reference AS b, NULL AS c FROM ledger_transfer t "
            f"JOIN projects_claim c ON c.id = {_referenced_id('claim')} "
            "WHERE t.reference LIKE 'claim:%' AND (c.transfer_id IS NULL OR c.transfer_id <> t.id)",
        ),
        (
            "transfer {a} posts {b}, which is not fulfilled",
            "SELECT t.id AS a, t.reference AS b, NULL AS c FROM ledger_transfer t "
            f"JOIN market_redemption r ON r.id = {_referenced_id('redemption')} "
            f"WHERE t.reference LIKE 'redemption:%' AND t.kind = 'post' AND r.status <> 'fulfilled'",
        ),
        (
            "transfer {a} has a reference of no known kind: {b}",
            f"SELECT t.id AS a, t.reference AS b, NULL AS c FROM ledger_transfer t "
            f"WHERE t.reference <> '' AND {kind_of} NOT IN ({known})",
        ),
    ]
    return rules


async def cross_check() -> list[str]:
    """What does not agree between the domain's records and the ledger, for a person to read."""
    problems: list[str] = []
    for says, sql in _forward_rules() + _backward_rules():
        for row in await Claim.raw(f"{sql} ORDER BY a LIMIT {MAX_SHOWN}"):
            problems.append(says.format(a=row["a"], b=row["b"], c=row["c"]))
    return problems
