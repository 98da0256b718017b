"""A fixed-window counter in the Django cache (Redis in production, so every worker
counts together; per process in the demo). Used where anyone may write without logging
in, such as the anonymous report form."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind a reverse proxy, set it to pass the client address as
    REMOTE_ADDR (e.g. granian/uvicorn proxy headers); X-Forwarded-For is not trusted."""
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def rate_limit_hit(*, scope: str, who: str, limit: int, window_seconds: int) -> bool:
    """Count one event for ``who`` in ``scope``; True when it is over ``limit`` in the
    current window."""
    key = f"gongzhi:rl:{scope}:{who}"
    if cache.add(key, 1, timeout=window_seconds):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds)
            count = 1
    return count > limit
