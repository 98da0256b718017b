"""A county refines or overrides its city's catalog by code; a lower catalog can switch an
inherited entry off."""

from __future__ import annotations

import pytest

from gongzhi.catalog.files import read_yaml
from gongzhi.catalog.routing import route
from gongzhi.catalog.selectors import effective_catalog
from gongzhi.catalog.services import catalog_import
from gongzhi.org.services import estate_create, jurisdiction_create, unit_create

DISTRICT_FILE = """
name: 道里区补充清单
source: 测试
matters:
  - code: HEB-08-a
    name: 区内私搭滥建（区城管执法局）
    category: 违法建设
    source: "道里区细化"
    lead: urban_enforcement
    time_limit: 5wd
  - code: HEB-13-a
    disabled: true
  - code: DL-01
    name: 道里区新增事项
    parent: HEB-08-a
    source: "道里区"
    lead: street_office
    time_limit: 10wd
"""


@pytest.mark.django_db
def test_district_overrides_and_disables_city_entries(demo) -> None:
    city = demo.jurisdictions["哈尔滨市"]
    district = demo.jurisdictions["道里区"]
    city_entries = effective_catalog(city)
    assert "HEB-08-a" in city_entries and "HEB-13-a" in city_entries
    catalog_import(jurisdiction=district, document=read_yaml(DISTRICT_FILE))
    entries = effective_catalog(district)
    assert entries["HEB-08-a"].matter.name == "区内私搭滥建（区城管执法局）"
    assert [j.name for j in entries["HEB-08-a"].defined_in] == ["哈尔滨市", "道里区"]
    assert "HEB-13-a" not in entries
    assert entries["DL-01"].matter.parent_code == "HEB-08-a"
    # Untouched city entries are inherited as they are.
    assert entries["HEB-06-a"].defined_in == [city]
    # The city itself is unchanged.
    assert effective_catalog(city)["HEB-08-a"].matter.name != "区内私搭滥建（区城管执法局）"


@pytest.mark.django_db
def test_route_through_inheritance_names_the_path(demo) -> None:
    district = demo.jurisdictions["道里区"]
    catalog_import(jurisdiction=district, document=read_yaml(DISTRICT_FILE))
    street = jurisdiction_create(
        code="230102001000", name="兆麟街道", level="street", parent=district
    )
    community = jurisdiction_create(
        code="230102001001", name="兆麟社区", level="community", parent=street
    )
    enforcement = unit_create(
        code="dl-cg", name="道里区城管执法局", kind="urban_enforcement", jurisdiction=district
    )
    estate = estate_create(code="DL-E1", name="兆麟小区", community=community)
    result = route(estate=estate, matter_code="HEB-08-a")
    assert result.lead == enforcement
    assert result.level == district
    assert any("哈尔滨市 → 道里区" in r for r in result.reasons)
