"""Linli's web package."""
