"""Demo data at scale (``linli demo --scale``): a whole district, written in bulk."""
