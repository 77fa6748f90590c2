"""The market: where banked points become something a volunteer values (the catalogue and its
redemptions, peer exchange, gifts) and where money for the community moves (the community fund
and its venture projects, 公益创投). All value moves through the ledger."""
