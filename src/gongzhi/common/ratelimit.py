"""Who is asking, and how often. ``client_address`` is the one place that decides a
request's client address (the anonymous report limit and django-axes both ask it); a
fixed-window counter in the Django cache (Redis in production, so every worker counts
together; per process in the demo) limits what anyone may do without logging in."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(spec: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """The networks of ``GONGZHI_TRUSTED_PROXIES`` (CIDRs or single addresses)."""
    networks = []
    for item in spec:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                _("GONGZHI_TRUSTED_PROXIES 中的“%(item)s”不是有效的地址或网段（CIDR）")
                % {"item": item}
            ) from exc
    return tuple(networks)


def parse_address(value: str) -> IPAddress | None:
    """An address from a header or REMOTE_ADDR, or None. Accepts ``[v6]:port`` and
    ``v4:port`` as some proxies write them; an IPv4-mapped IPv6 address is its IPv4."""
    text = value.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _header_key(name: str) -> str:
    return "HTTP_" + name.strip().upper().replace("-", "_")


def client_address(request: HttpRequest) -> str:
    """The client's address. REMOTE_ADDR, unless the direct peer is one of
    ``GONGZHI_TRUSTED_PROXIES``: then the proxy's header (``GONGZHI_PROXY_HEADER``,
    ``X-Forwarded-For`` by default, or ``X-Real-IP``) is read from the right, skipping
    trusted proxies, and the first address not among them is the client. Whatever a
    client writes into the header itself stays to the left of that and is never used, and
    a peer that is not a trusted proxy cannot choose its address at all."""
    peer = parse_address(str(request.META.get("REMOTE_ADDR", "") or ""))
    if peer is None:  # no address at all (an internal request): "" is stored as NULL
        return ""
    networks = trusted_networks(tuple(getattr(settings, "GONGZHI_TRUSTED_PROXIES", ())))
    if not networks or not any(peer in net for net in networks):
        return str(peer)
    header = str(getattr(settings, "GONGZHI_PROXY_HEADER", "X-Forwarded-For"))
    hops = [hop for hop in str(request.META.get(_header_key(header), "")).split(",") if hop]
    client = peer
    for hop in reversed(hops):
        addr = parse_address(hop)
        if addr is None:
            break
        client = addr
        if not any(addr in net for net in networks):
            break
    return str(client)


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
