"""Linli's benchmarks, run by command (``linli bench ledger|loop|market|stats``), never by the
test suite: each prints one JSON object of ratios against a baseline measured in the same run."""
