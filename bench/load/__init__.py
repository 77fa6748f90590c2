"""The load test (``linli bench load``): Locust's users against ``linli serve`` on loopback."""
