"""Routing for every numbered duty of 003 二 (嘉政办发〔2022〕1号) at the demo estates.
The expected units are read from the document, not from the catalog file."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from gongzhi.catalog.routing import route
from gongzhi.catalog.selectors import effective_catalog
from gongzhi.common.errors import NotFound

# Section of 003 二 → the unit the document makes responsible, for 曾子花园 (JX-E001:
# 嘉祥街道 建设路社区, property company 鸿泰, owners' committee and 环物委 set up).
EXPECTED_BY_SECTION = {
    "二(一)": "县委组织部",
    "二(二)": "县委宣传部",
    "二(三)": "县住房和城乡建设局",
    "二(四)": "县综合行政执法局",
    "二(五)": "县公安局",
    "二(六)": "县市场监督管理局",
    "二(七)": "县发展和改革局",
    "二(八)": "县人防事务中心",
    "二(九)": "县规划发展服务中心",
    "二(十)": "县园林环卫事务中心",
    "二(十一)": "县消防救援大队",
    "二(十二)": "县民生热线服务中心",
    "二(十三)1": "建设路社区居民委员会",
    "二(十三)2": "曾子花园环境和物业管理委员会",
    "二(十三)": "嘉祥街道办事处",
    "二(十五)": "嘉祥鸿泰物业服务有限公司",
}
# 二(十四): each utility by its service. 通信 and 宽带数据传输 are both telecom utilities,
# so the kind alone cannot tell them apart. 二(十四) itself (handing facilities over) is
# the utilities' duty: the first one the document lists leads, the others assist.
UTILITIES = {
    "JX-14-00": "县供电公司",
    "JX-14-a": "县供电公司",
    "JX-14-b": "嘉祥公用水务有限公司",
    "JX-14-c": "济宁嘉祥公用供热有限公司",
    "JX-14-d": "县瑞祥燃气有限公司",
    "JX-14-e": "通信专业经营单位",
    "JX-14-f": "有线电视专业经营单位",
    "JX-14-g": "宽带数据传输专业经营单位",
}
HANDOVER_ASSISTS = {
    "嘉祥公用水务有限公司",
    "济宁嘉祥公用供热有限公司",
    "县瑞祥燃气有限公司",
    "通信专业经营单位",
    "宽带数据传输专业经营单位",
    "有线电视专业经营单位",
}


def expected_for(source: str) -> str | None:
    section = source.split()[1] if " " in source else source
    section = section.split("；")[0]
    for prefix in sorted(EXPECTED_BY_SECTION, key=len, reverse=True):
        if section.startswith(prefix):
            return EXPECTED_BY_SECTION[prefix]
    return None


@pytest.mark.django_db
def test_every_numbered_duty_of_003_routes_to_the_unit_the_document_names(demo) -> None:
    estate = demo.estates["JX-E001"]
    entries = effective_catalog(demo.county)
    assert len(entries) >= 60
    checked = 0
    for code, entry in entries.items():
        result = route(estate=estate, matter_code=code)
        assert result.lead is not None, code
        if code.startswith("RF-"):
            # Inherited from the province's reference catalog (reference.yaml).
            assert entry.defined_in[0].name == "山东省", code
            checked += 1
            continue
        assert result.matter.source.startswith("003 二"), code
        if code in UTILITIES:
            assert result.lead.name == UTILITIES[code], code
        else:
            assert result.lead.name == expected_for(entry.matter.source), code
        assert any(entry.matter.source in r for r in result.reasons)
        checked += 1
    handover = route(estate=estate, matter_code="JX-14-00")
    assert {u.name for u in handover.assists} == HANDOVER_ASSISTS
    # Every numbered department of 二 (一)…(十五) is covered.
    sections = {
        e.matter.source.split()[1].split("；")[0]
        for e in entries.values()
        if e.matter.source.startswith("003 ")
    }
    for n in [
        "一",
        "二",
        "三",
        "四",
        "五",
        "六",
        "七",
        "八",
        "九",
        "十",
        "十一",
        "十二",
        "十三",
        "十四",
        "十五",
    ]:
        assert any(s.startswith(f"二({n})") for s in sections), n
    assert checked == len(entries)


@pytest.mark.django_db
def test_property_matters_go_to_the_street_when_the_estate_has_no_company(demo) -> None:
    result = route(estate=demo.estates["JX-E003"], matter_code="JX-15-a")
    assert result.lead == demo.units["street:嘉祥街道"]
    assert any("无物业服务企业" in r for r in result.reasons)
    result = route(estate=demo.estates["JX-E005"], matter_code="JX-15-a")
    assert result.lead == demo.units["street:万张街道"]


@pytest.mark.django_db
def test_residents_committee_acts_for_a_missing_owners_committee(demo) -> None:
    # JX-E002 (嘉宁小区) has no owners' committee and no 环物委.
    result = route(estate=demo.estates["JX-E002"], matter_code="JX-13-02")
    assert result.lead == demo.units["rc:嘉宁社区"]
    assert any("003 二(十三)1" in r for r in result.reasons)


@pytest.mark.django_db
def test_street_level_matters_reach_the_estates_own_street(demo) -> None:
    assert (
        route(estate=demo.estates["JX-E004"], matter_code="JX-13-c").lead
        == demo.units["street:卧龙山街道"]
    )
    result = route(estate=demo.estates["JX-E004"], matter_code="JX-13-c")
    assert result.level == demo.jurisdictions["卧龙山街道"]


@pytest.mark.django_db
def test_unknown_matter_is_refused(demo) -> None:
    with pytest.raises(NotFound):
        route(estate=demo.estates["JX-E001"], matter_code="NOPE-1")


@pytest.mark.django_db
def test_route_command_prints_unit_level_and_citation(demo, capsys) -> None:
    call_command("route", "--estate", "JX-E001", "--matter", "JX-06-04")
    out = capsys.readouterr().out
    assert "牵头单位：县市场监督管理局（嘉祥县，县/县级市级）" in out
    assert "出处：003 二(六)4" in out
    assert "电梯困人" in out


@pytest.mark.django_db
def test_route_api_answers_with_reasons(demo, client) -> None:
    response = client.get("/api/catalog/route", {"estate": "JX-E003", "matter": "JX-04-b"})
    assert response.status_code == 200
    body = response.json()
    assert body["lead"]["name"] == "县综合行政执法局"
    assert body["source"] == "003 二(四)"
    assert body["inheritance"] == ["嘉祥县"]
    missing = client.get("/api/catalog/route", {"estate": "JX-E003", "matter": "X"})
    assert missing.status_code == 404
    assert "没有事项" in missing.json()["message"]


@pytest.mark.django_db
def test_route_page_shows_the_answer(demo, login) -> None:
    client = login("office")
    html = client.get("/catalog/route/", {"estate": "JX-E001", "matter": "JX-05-03"}).content
    text = html.decode()
    assert "县公安局" in text and "003 二(五)3" in text
