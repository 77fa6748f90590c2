"""Linli's points ledger: append-only, double-entry, two-phase, hash-chained. Imports nothing else of Linli."""
