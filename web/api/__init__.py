"""Linli's JSON API: one controller per resource."""
