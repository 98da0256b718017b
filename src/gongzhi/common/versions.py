"""Version counters in the shared cache: how one process tells the others that rows they
keep in a memory of their own (catalogs, ledger dropdowns, message audiences) changed.

A reader keeps what it built together with the version it read, and builds again when the
version differs; a writer bumps the version. With Redis as the cache every process sees a
bump at once; with the local-memory cache (demo, tests) only the process itself does."""

from __future__ import annotations

from django.core.cache import cache


def read(key: str) -> int:
    """The current version under ``key``, starting at 1 (set once, by whoever is first)."""
    version = cache.get(key)
    if version is None:
        cache.add(key, 1, timeout=None)
        version = cache.get(key) or 1
    return int(version)


def bump(key: str) -> None:
    """Move ``key`` on; a counter evicted from the cache starts again above 1."""
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 2, timeout=None)
