"""Demo data (`linli demo`), kept out of the domain: the demo street told through the domain's own
use cases (build.py), its market (market.py) and the ledger's own history woven into it
(ledger.py); and, at scale (``--scale``), a whole district written in bulk (district.py)."""
