"""Linli's market package."""
