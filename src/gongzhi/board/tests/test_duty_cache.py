"""The board's duty table is rendered once per estate, search and catalog version: a
catalog change (the version every import bumps) shows at once; until then the cached
table is served without routing the catalog again."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.catalog.models import MatterType
from gongzhi.catalog.selectors import catalog_bump_version

pytestmark = pytest.mark.django_db


def test_duty_table_cached_until_the_catalog_changes(
    client: Any, demo: Any, django_assert_max_num_queries: Any
) -> None:
    first = client.get("/estates/JX-E001/").content.decode()
    matter = MatterType.objects.filter(catalog__jurisdiction__code__startswith="37").first()
    assert matter is not None and matter.name in first
    MatterType.objects.filter(pk=matter.pk).update(name="改过的事项名称")
    # Served from the cache: the old name, and not the routing's queries.
    with django_assert_max_num_queries(25):
        cached = client.get("/estates/JX-E001/").content.decode()
    assert matter.name in cached and "改过的事项名称" not in cached
    catalog_bump_version()
    fresh = client.get("/estates/JX-E001/").content.decode()
    assert "改过的事项名称" in fresh
    # A search is its own table.
    found = client.get("/estates/JX-E001/?q=改过的").content.decode()
    assert "改过的事项名称" in found and "没有匹配的事项" not in found
