"""The catalog version as a process sees it: another process's import is seen within
``GONGZHI_CATALOG_VERSION_SECONDS``, this process's own at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from gongzhi.catalog import selectors
from gongzhi.catalog.routing import route_cached
from gongzhi.catalog.selectors import VERSION_KEY, catalog_bump_version, catalog_version


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(selectors, "_clock", fake)
    monkeypatch.setattr(selectors, "_seen", (0, float("-inf")))
    return fake


def _other_process_imports() -> None:
    """What another process's import does to the shared cache (catalog_bump_version
    there): this process's memos are not told."""
    catalog_version()  # the key exists
    cache.incr(VERSION_KEY)


@pytest.mark.django_db
def test_another_process_import_is_seen_within_the_bound(demo, clock, settings) -> None:
    settings.GONGZHI_CATALOG_VERSION_SECONDS = 1.0
    estate = demo.estates["JX-E001"]
    before = catalog_version()
    answer = route_cached(estate=estate, matter_code="RF-ENV-01")
    _other_process_imports()
    clock.now += 0.9
    assert catalog_version() == before
    assert route_cached(estate=estate, matter_code="RF-ENV-01") is answer
    clock.now += 0.2  # 1.1 s after the read
    assert catalog_version() == before + 1
    assert route_cached(estate=estate, matter_code="RF-ENV-01") is not answer


@pytest.mark.django_db
def test_a_zero_bound_reads_the_shared_cache_every_time(demo, clock, settings) -> None:
    settings.GONGZHI_CATALOG_VERSION_SECONDS = 0.0
    before = catalog_version()
    _other_process_imports()
    assert catalog_version() == before + 1


@pytest.mark.django_db
def test_this_process_import_is_seen_at_once(demo, clock) -> None:
    before = catalog_version()
    catalog_bump_version()
    assert catalog_version() == before + 1  # the clock has not moved
