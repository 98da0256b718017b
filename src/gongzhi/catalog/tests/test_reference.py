"""The province's reference catalog (data/reference.yaml): every county inherits it; a
county's own entry replaces a reference entry (``replaces``) and keeps its own wording and
units; what the county lacks (fumes, factory noise, school places) still routes."""

from __future__ import annotations

import pytest

from gongzhi.catalog.files import read_yaml
from gongzhi.catalog.routing import route
from gongzhi.catalog.selectors import effective_catalog
from gongzhi.catalog.services import catalog_export, catalog_import
from gongzhi.common.errors import InvalidInput


@pytest.mark.django_db
def test_county_inherits_reference_and_routes_what_its_own_file_lacks(demo) -> None:
    estate = demo.estates["JX-E001"]
    expected = {
        "RF-ENV-01": "济宁市生态环境局嘉祥县分局",
        "RF-ENV-02": "济宁市生态环境局嘉祥县分局",
        "RF-EDU-01": "县教育和体育局",
        "RF-ENV-03": "县综合行政执法局",
    }
    for code, unit in expected.items():
        result = route(estate=estate, matter_code=code)
        assert result.lead is not None and result.lead.name == unit, code
        assert any("继承自 山东省" in r for r in result.reasons), code


@pytest.mark.django_db
def test_a_county_entry_replaces_the_reference_entry_and_keeps_its_wording(demo) -> None:
    county = effective_catalog(demo.county)
    province = effective_catalog(demo.jurisdictions["山东省"])
    assert "RF-NOI-01" in province and "RF-NOI-01" not in county
    noise = county["JX-05-04"]
    assert noise.matter.name == "高音喇叭、音响及家庭室内噪声扰民"
    assert [m.code for m in noise.absorbed] == ["RF-NOI-01"]
    # 赤壁 (湖北省) replaces with its own entries what its file has, inherits the rest.
    chibi = effective_catalog(demo.jurisdictions["赤壁市"])
    assert "RF-ENV-01" not in chibi and [m.code for m in chibi["CB-02-k"].absorbed] == ["RF-ENV-01"]
    assert chibi["RF-SEW-01"].defined_in[0].name == "湖北省"
    harbin = effective_catalog(demo.jurisdictions["哈尔滨市"])
    assert [m.code for m in harbin["HEB-14-a"].absorbed] == ["RF-WAT-01", "RF-SEW-01"]
    assert "RF-EDU-01" in harbin


@pytest.mark.django_db
def test_replaces_must_name_an_inherited_entry(demo) -> None:
    street = demo.jurisdictions["嘉祥街道"]
    bad = """
name: 街道清单
matters:
  - code: ST-01
    name: 本地事项
    lead: street_office
    time_limit: 5wd
    replaces: [RF-NOPE-01]
  - code: ST-02
    name: 本地事项二
    lead: street_office
    time_limit: 5wd
    replaces: [ST-01]
"""
    with pytest.raises(InvalidInput) as caught:
        catalog_import(jurisdiction=street, document=read_yaml(bad))
    messages = [(e.row, e.message) for e in caught.value.errors]
    assert (8, "取代的事项 RF-NOPE-01 不在上级清单中") in messages
    assert (13, "取代的事项 ST-01 不在上级清单中") in messages


@pytest.mark.django_db
def test_exclusions_and_replaces_round_trip_through_yaml_and_xlsx(demo) -> None:
    from gongzhi.catalog.files import read_xlsx

    street = demo.jurisdictions["嘉祥街道"]
    text = """
name: 街道清单
matters:
  - code: ST-01
    name: 街道的油烟事项
    lead: street_office
    time_limit: 5wd
    exclusions: [抽烟]
    replaces: [RF-ENV-01]
"""
    catalog_import(jurisdiction=street, document=read_yaml(text))
    entries = effective_catalog(street)
    assert "RF-ENV-01" not in entries
    assert entries["ST-01"].matter.exclusions == ["抽烟"]
    for fmt, reader in (("yaml", read_yaml), ("xlsx", read_xlsx)):
        document = reader(catalog_export(jurisdiction=street, fmt=fmt))
        values = document.matters[0].values
        assert values["exclusions"] == ["抽烟"] and values["replaces"] == ["RF-ENV-01"], fmt
