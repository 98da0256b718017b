"""Benchmarks, run as commands that print figures (``gongzhi bench intake``, ``gongzhi
bench crash``; see docs/performance.md). Not a Django app: no models, no URLs; the command
lives in ``site/management/commands/bench.py``."""
