"""Benchmarks that read a demo district (``linli bench stats``)."""
