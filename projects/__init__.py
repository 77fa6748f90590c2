"""Linli's projects package."""
