"""Reading the effective catalog of a jurisdiction: its ancestors' entries, overridden
from the top down by code. Results are memoised per process and invalidated through a
version number kept in the Django cache (Redis in production), bumped on every import."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from gongzhi.catalog.models import MatterType
from gongzhi.common import versions
from gongzhi.org.models import Jurisdiction, Unit

VERSION_KEY = "gongzhi:catalog:version"
MEMO_SECONDS = 60.0


@dataclass
class EffectiveEntry:
    matter: MatterType
    assist_kind_codes: list[str]
    # Jurisdictions whose catalogs define this code, from the top down; the last wins.
    defined_in: list[Jurisdiction] = field(default_factory=list)
    # Assisting units the entry names, standing in for the nearest unit of their kind.
    assist_units: list[Unit] = field(default_factory=list)
    # Inherited entries this one replaces (``replaces``): gone from the effective
    # catalog, their names and phrasings still teach the classifier this entry.
    absorbed: list[MatterType] = field(default_factory=list)


# Keyed by primary key and path: a rolled-back transaction may hand a primary key to a
# new node elsewhere in the tree, and a rebuilt tree reuses the codes.
_memo: dict[tuple[int, str], tuple[int, float, dict[str, EffectiveEntry]]] = {}
_lock = threading.Lock()
# Bumped whenever this process forgets its memos, so memos kept elsewhere (routing's
# answers) see an import in their own transaction before the version bump commits.
_generation = [0]


def catalog_generation() -> int:
    return _generation[0]


# The catalog version as this process last read it from the shared cache, and until when
# (monotonic seconds) it is believed without reading again: classifying a message asks
# for the version several times, and a read of Redis costs a network round trip. An
# import in another process is therefore seen within GONGZHI_CATALOG_VERSION_SECONDS
# (default 1 s); an import in this process is seen at once (catalog_bump_version).
_seen: tuple[int, float] = (0, float("-inf"))
_clock: Callable[[], float] = time.monotonic


def catalog_version() -> int:
    version, until = _seen
    if _clock() < until:
        return version
    return _read_version()


def _read_version() -> int:
    global _seen
    version = versions.read(VERSION_KEY)
    _seen = (version, _clock() + settings.GONGZHI_CATALOG_VERSION_SECONDS)
    return version


def catalog_memo_clear() -> None:
    """Forget this process's effective catalogs (the import does this at once, so that
    the rest of its own transaction reads what it wrote)."""
    global _seen
    with _lock:
        _memo.clear()
        _generation[0] += 1
        _seen = (0, float("-inf"))  # and read the shared version again


def catalog_bump_version() -> None:
    global _seen
    versions.bump(VERSION_KEY)
    with _lock:
        _memo.clear()
        _generation[0] += 1
        _seen = (0, float("-inf"))  # this process reads the new version at once


def effective_catalog(jurisdiction: Jurisdiction) -> dict[str, EffectiveEntry]:
    version = catalog_version()
    now = time.monotonic()
    key = (jurisdiction.pk, jurisdiction.path)
    cached = _memo.get(key)
    if cached and cached[0] == version and now - cached[1] < MEMO_SECONDS:
        return cached[2]
    result = _build_effective(jurisdiction)
    with _lock:
        _memo[key] = (version, now, result)
    return result


def _build_effective(jurisdiction: Jurisdiction) -> dict[str, EffectiveEntry]:
    codes = jurisdiction.ancestor_codes()
    depth_of = {code: i for i, code in enumerate(codes)}
    matters = list(
        MatterType.objects.filter(catalog__jurisdiction__code__in=codes)
        .select_related("catalog__jurisdiction", "lead_kind", "lead_unit__jurisdiction")
        .prefetch_related("assist_kinds", "assist_units__jurisdiction", "assist_units__kind")
    )
    matters.sort(key=lambda m: (depth_of[m.catalog.jurisdiction.code], m.sort, m.code))
    result: dict[str, EffectiveEntry] = {}
    chains: dict[str, list[Jurisdiction]] = {}
    for matter in matters:
        chain = chains.setdefault(matter.code, [])
        chain.append(matter.catalog.jurisdiction)
        if matter.disabled:
            result.pop(matter.code, None)
            continue
        result[matter.code] = EffectiveEntry(
            matter=matter,
            assist_kind_codes=[k.code for k in matter.assist_kinds.all()],
            defined_in=list(chain),
            assist_units=list(matter.assist_units.all()),
        )
        for code in matter.replaces:
            gone = result.pop(code, None)
            if gone is not None:
                result[matter.code].absorbed.extend([gone.matter, *gone.absorbed])
    return dict(sorted(result.items(), key=lambda kv: (kv[1].matter.sort, kv[0])))


def matter_lookup(jurisdiction: Jurisdiction, code: str) -> EffectiveEntry | None:
    return effective_catalog(jurisdiction).get(code)
