"""Two member units of one kind serving the same place: the catalog names the unit, routing
uses it, and routing never picks one by name order; an import whose entry leaves such a
kind unnamed is refused, row and column."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from gongzhi.catalog.files import read_xlsx, read_yaml
from gongzhi.catalog.models import MatterType
from gongzhi.catalog.routing import route
from gongzhi.catalog.services import catalog_export, catalog_import
from gongzhi.common.errors import InvalidInput
from gongzhi.org.models import Estate, Jurisdiction, Unit
from gongzhi.org.services import estate_create, jurisdiction_create, unit_create

L = Jurisdiction.Level


def lead_of(estate: Estate, code: str) -> str:
    lead = route(estate=estate, matter_code=code).lead
    return lead.name if lead else ""


def estate_under(parent: Jurisdiction, tag: str) -> Estate:
    """A street, a community and an estate below ``parent`` (the demo has estates only in
    嘉祥县)."""
    street = jurisdiction_create(
        code=f"{parent.code[:6]}901000", name=f"{tag}街道", level=L.STREET, parent=parent
    )
    community = jurisdiction_create(
        code=f"{parent.code[:6]}901001", name=f"{tag}社区", level=L.COMMUNITY, parent=street
    )
    return estate_create(code=f"T-{tag}", name=f"{tag}小区", community=community)


@pytest.mark.django_db
def test_telecom_and_broadband_each_reach_their_own_unit(demo) -> None:
    estate = demo.estates["JX-E001"]
    assert lead_of(estate, "JX-14-e") == "通信专业经营单位"
    assert lead_of(estate, "JX-14-g") == "宽带数据传输专业经营单位"


@pytest.mark.django_db
def test_route_command_and_api_name_the_broadband_unit(demo, client, capsys) -> None:
    call_command("route", "--estate", "JX-E002", "--matter", "JX-14-g")
    assert "牵头单位：宽带数据传输专业经营单位" in capsys.readouterr().out
    body = client.get("/api/catalog/route", {"estate": "JX-E002", "matter": "JX-14-e"}).json()
    assert body["lead"]["name"] == "通信专业经营单位"


@pytest.mark.django_db
def test_routing_does_not_guess_between_two_units_of_a_kind(demo) -> None:
    # A second fire brigade at the county: 二(十一) names none of them by name.
    unit_create(
        code="jx-xf-2", name="县消防救援大队二中队", kind="fire_rescue", jurisdiction=demo.county
    )
    result = route(estate=demo.estates["JX-E001"], matter_code="JX-11-a")
    assert result.lead is None
    assert "fire_rescue" in result.unresolved_kinds
    assert any("有 2 个“消防救援大队”" in r and "县消防救援大队二中队" in r for r in result.reasons)
    assert any("转联席会议办公室分派" in r for r in result.reasons)


@pytest.mark.django_db
def test_harbin_entries_reach_the_department_the_document_names(demo) -> None:
    estate = estate_under(demo.jurisdictions["道里区"], "测试")
    lead = {
        code: lead_of(estate, code)
        for code in ("HEB-01-00", "HEB-02-b", "HEB-14-i", "HEB-11-a", "HEB-11-b", "HEB-12-a")
    }
    assert lead["HEB-01-00"] == "市住房保障和房产管理部门（市住房保障和房产管理局）"
    assert lead["HEB-02-b"] == "区物业主管部门"
    assert lead["HEB-14-i"] == "区物业主管部门"
    assert lead["HEB-11-a"] == lead["HEB-11-b"] == "工商部门"
    assert lead["HEB-12-a"] == "质量技术监督部门"
    assists = route(estate=estate, matter_code="HEB-13-b").assists
    assert [u.name for u in assists] == ["工商部门"]
    assert "区物业主管部门" in {
        u.name for u in route(estate=estate, matter_code="HEB-08-g").assists
    }
    for code in MatterType.objects.filter(catalog__jurisdiction__name="哈尔滨市").values_list(
        "code", flat=True
    ):
        assert not route(estate=estate, matter_code=code).unresolved_kinds, code


@pytest.mark.django_db
def test_chibi_utilities_receive_the_facilities(demo) -> None:
    estate = estate_under(demo.jurisdictions["赤壁市"], "赤壁")
    result = route(estate=estate, matter_code="CB-15-00")
    assert lead_of(estate, "CB-15-00") == "供水专营单位"
    assert {u.name for u in result.assists} == {"供电专营单位", "供气专营单位"}


AMBIGUOUS = """matters:
  - code: T-1
    name: 网络故障
    lead: utility_telecom
    time_limit: 5wd
  - code: T-2
    name: 线路移交
    lead: utility_power
    assist: [utility_water, utility_telecom]
    time_limit: 5wd
  - code: T-3
    name: 指定了单位
    lead: utility_telecom
    lead_unit: jx-zy-kuandai
    assist: [utility_telecom]
    assist_units: [jx-zy-tongxin]
    time_limit: 5wd
"""


@pytest.mark.django_db
def test_import_refuses_an_ambiguous_kind_without_a_named_unit(demo) -> None:
    street = demo.jurisdictions["卧龙山街道"]
    before = MatterType.objects.count()
    with pytest.raises(InvalidInput) as caught:
        catalog_import(jurisdiction=street, document=read_yaml(AMBIGUOUS))
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {(4, "lead"), (9, "assist")}
    text = str(caught.value)
    assert "嘉祥县有 2 个该类型的单位" in text
    assert "通信专业经营单位（jx-zy-tongxin）" in text
    assert "宽带数据传输专业经营单位（jx-zy-kuandai）" in text
    assert "指定牵头单位编码（lead_unit）" in text and "指定协办单位编码（assist_units）" in text
    assert MatterType.objects.count() == before


@pytest.mark.django_db
def test_named_units_import_route_and_round_trip(
    demo, login, django_capture_on_commit_callbacks
) -> None:
    street = demo.jurisdictions["卧龙山街道"]
    named = "\n".join(AMBIGUOUS.splitlines()[:1] + AMBIGUOUS.splitlines()[10:]) + "\n"
    # The import takes effect for routing when it commits (the catalog version moves on).
    with django_capture_on_commit_callbacks(execute=True):
        catalog_import(jurisdiction=street, document=read_yaml(named))
    result = route(estate=demo.estates["JX-E004"], matter_code="T-3")
    assert result.lead is not None and result.lead.code == "jx-zy-kuandai"
    assert [u.code for u in result.assists] == ["jx-zy-tongxin"]
    data = catalog_export(jurisdiction=street, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(data))["事项"]
    headers = [c.value for c in sheet[1]]
    assert headers[17] == "指定协办单位编码"
    row = [c.value for c in sheet[2]]
    assert row[headers.index("指定牵头单位编码")] == "jx-zy-kuandai"
    assert row[headers.index("指定协办单位编码")] == "jx-zy-tongxin"
    assert catalog_import(jurisdiction=street, document=read_xlsx(data)).updated == 1
    # The page door refuses the unnamed file with 422 and the row.
    client = login("office")
    response = client.post(
        f"/catalog/{street.code}/import/",
        {"file": SimpleUploadedFile("t.yaml", AMBIGUOUS.encode())},
    )
    assert response.status_code == 422
    assert "无法确定由哪一个负责" in response.content.decode()


@pytest.mark.django_db
def test_unknown_or_mismatched_named_units_are_refused(demo) -> None:
    text = """matters:
  - code: T-9
    name: 编码有误
    lead: utility_power
    lead_unit: jx-zy-tongxin
    assist_units: [no-such-unit]
    time_limit: 5wd
"""
    with pytest.raises(InvalidInput) as caught:
        catalog_import(jurisdiction=demo.jurisdictions["卧龙山街道"], document=read_yaml(text))
    messages = {(e.row, e.column): e.message for e in caught.value.errors}
    assert "与牵头单位类型“供电单位”不符" in messages[(5, "lead_unit")]
    assert messages[(6, "assist_units")] == "未知单位编码“no-such-unit”"
    assert Unit.objects.filter(code="no-such-unit").count() == 0
