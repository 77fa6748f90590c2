"""Anchors: the chain head kept outside the database catches a tail cut off with its totals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from ledger import transfers
from ledger.anchor import anchor, latest_anchor
from ledger.verify import verify
from tests.ledger.street import at
from tests.ledger.test_tamper import drop_guards, raw, small_history

NOW = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)


@pytest.fixture
async def ledger(database_url: str) -> AsyncIterator[str]:
    """Five transfers on a fresh database (not verified at teardown: these tests break it)."""
    async for url in small_history(database_url):
        yield url


async def test_a_tail_deleted_with_its_totals_passes_the_chain_but_not_the_anchor(ledger, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    first = await anchor(anchors, now=NOW)
    assert first.seq == 5 and latest_anchor(anchors) == first
    # The ledger grows past its anchor: still fine.
    await transfers.transfer("pay-3", "alice", "bob", 7, reason="exchange", now=at(5))
    assert (await verify(anchor=first)).ok
    second = await anchor(anchors, now=NOW.replace(hour=4))
    assert second.seq == 6 and latest_anchor(anchors) == second
    assert anchors.read_text().count("\n") == 2

    # Someone who can write to the database drops the guards, deletes the last transfer and
    # puts both accounts' totals back as if it had never been.
    await raw(
        ledger,
        *drop_guards(ledger),
        "DELETE FROM ledger_transfer WHERE id = 'pay-3'",
        "UPDATE ledger_account SET debits_posted = debits_posted - 7 WHERE id = 'alice'",
        "UPDATE ledger_account SET credits_posted = credits_posted - 7 WHERE id = 'bob'",
    )
    assert (await verify()).ok  # the chain alone cannot tell
    report = await verify(anchor=latest_anchor(anchors))
    assert not report.ok
    assert report.problems == [
        f"missing tail: the ledger ends at seq 5, but seq 6 (hash {second.hash}) was anchored at "
        "2026-12-09T04:00:00.000000+00:00: transfers 6 to 6 are gone"
    ]
    assert (await verify(anchor=first)).ok  # the older anchor is still reached


async def test_a_chain_rewritten_after_its_anchor_no_longer_passes_through_its_hash(ledger, tmp_path):
    anchored = await anchor(tmp_path / "anchors.jsonl", now=NOW)
    await raw(
        ledger, *drop_guards(ledger), "UPDATE ledger_transfer SET hash = 'f' || substr(hash, 2) WHERE seq = 5"
    )
    problems = (await verify(anchor=anchored)).problems
    assert any(f"is not the {anchored.hash} anchored at" in problem for problem in problems)
