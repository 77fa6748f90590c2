"""The load test at a few seconds' size (CI's smoke): the demo street served by ``linli serve``,
Locust's mix against it, no failure, every kind of work done at least once, the ledger verified.
The full runs are ``linli bench load`` (bench/load/run.py)."""

from __future__ import annotations

import pytest

from bench.load.run import SMALL_DEMO, run


@pytest.mark.timeout(180)
def test_the_load_test_runs_clean_at_smoke_size(tmp_path):
    (result,) = run(["sqlite-1"], users=12, seconds=8, keep=tmp_path, demo_args=SMALL_DEMO)
    failing = [(op.name, op.failures) for op in result.operations if op.failures]
    assert result.failures == 0, (failing, (tmp_path / "sqlite-1" / "locust_failures.csv").read_text())
    assert result.ledger_verified, (tmp_path / "sqlite-1" / "verify.log").read_text()
    served = {op.name: op.requests for op in result.operations}
    assert {"GET /me", "GET /tasks?status=open"} <= set(served), served
    assert sum(served.values()) >= 20, served
    assert "POST /needs" in result.done, result.done
