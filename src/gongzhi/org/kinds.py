"""What kinds of unit can do, read from the unit-kind rows (org/data/unit_kinds.yaml)
instead of kind codes written into the code. The table is small and changes rarely: it
is read once per process and re-read after any save of a kind."""

from __future__ import annotations

import threading
from functools import cache

from django.db.models.signals import post_delete, post_save

from gongzhi.org.models import UnitKind

STREET_LEVEL = "street_level"
READS_AREA = "reads_area"
POLICE = "police"
UTILITY_SERVICE = "utility_service"

_lock = threading.Lock()


@cache
def _table() -> dict[str, tuple[frozenset[str], tuple[str, ...], str]]:
    return {
        k.code: (frozenset(k.capabilities or ()), tuple(k.intake_channels or ()), k.group)
        for k in UnitKind.objects.all()
    }


def kinds_with(capability: str) -> frozenset[str]:
    """Codes of the kinds that have ``capability``."""
    return frozenset(code for code, (caps, _c, _g) in _table().items() if capability in caps)


def kind_has(kind: str, capability: str) -> bool:
    row = _table().get(kind)
    return bool(row and capability in row[0])


def intake_channels(kind: str) -> tuple[str, ...]:
    row = _table().get(kind)
    return row[1] if row else ()


def kinds_taking(channel: str) -> frozenset[str]:
    """Kinds whose staff register cases through ``channel`` (12345: the hotline centre)."""
    return frozenset(
        code for code, (_caps, channels, _g) in _table().items() if channel in channels
    )


def kinds_in_group(group: str) -> frozenset[str]:
    return frozenset(code for code, (_caps, _c, g) in _table().items() if g == group)


def forget(**kwargs: object) -> None:
    with _lock:
        _table.cache_clear()


post_save.connect(forget, sender=UnitKind, dispatch_uid="org-kinds-forget")
post_delete.connect(forget, sender=UnitKind, dispatch_uid="org-kinds-forget-d")
