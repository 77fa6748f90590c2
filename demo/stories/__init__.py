"""The stories of the demo street's month (demo/plan.py says which starts when): async
generators over the month (demo/month.py) that do one step, then yield how long to wait."""
