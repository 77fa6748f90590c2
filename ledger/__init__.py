"""Linli's points ledger: append-only, double-entry, two-phase, hash-chained.

It imports nothing else of Linli.
"""
