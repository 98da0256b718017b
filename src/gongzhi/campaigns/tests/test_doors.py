"""Pages and API of campaigns: the office's returns by street, the export, the generated
survey form with field-level errors, starting a campaign, and the county boundary."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from gongzhi.campaigns.models import Campaign, Survey
from gongzhi.common.models import AuditEvent


def test_office_sees_returns_by_street_page_and_api(campaign: Campaign, login: Any) -> None:
    client = login("office")
    page = client.get(f"/campaigns/{campaign.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-street="370829003000"' in text and "万张新村" in text
    assert "逾期未报" in text and "逾期报送" in text and "按时报送" in text
    rows = {r["street_name"]: r for r in client.get(f"/api/campaigns/{campaign.pk}/returns").json()}
    assert set(rows) == {"嘉祥街道", "卧龙山街道", "万张街道"}
    assert (rows["嘉祥街道"]["estates"], rows["嘉祥街道"]["surveyed"]) == (3, 2)
    assert rows["嘉祥街道"]["not_surveyed"] == ["JX-E003"]
    assert rows["嘉祥街道"]["classes"] == {"需整改": 1, "已规范": 1}
    assert [r["status"] for r in rows["嘉祥街道"]["reports"]] == ["on_time", "not_due"]
    assert [r["status"] for r in rows["卧龙山街道"]["reports"]] == ["late", "not_due"]
    assert rows["万张街道"]["surveyed"] == 0
    assert [r["status"] for r in rows["万张街道"]["reports"]] == ["missing", "not_due"]


def test_street_sees_its_own_street_only(campaign: Campaign, login: Any) -> None:
    client = login("jiedao")
    rows = client.get(f"/api/campaigns/{campaign.pk}/returns").json()
    assert [r["street_name"] for r in rows] == ["嘉祥街道"]
    assert {s["estate"] for s in client.get(f"/api/campaigns/{campaign.pk}/surveys").json()} == {
        "JX-E001",
        "JX-E002",
    }
    detail = client.get(f"/api/campaigns/{campaign.pk}").json()
    assert detail["allowed"] == ["survey_submit", "surveys_import", "report_file"]


def test_export_has_every_estate_with_every_field_and_the_reports(
    campaign: Campaign, login: Any
) -> None:
    response = login("office").get(f"/campaigns/{campaign.pk}/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    estates, reports = book.worksheets
    header = [c.value for c in estates[1]]
    assert header[:5] == ["街道/镇", "社区/村", "小区编码", "小区名称", "认定类型"]
    assert header[5:-2] == [f["label"] for f in campaign.fields]
    rows = {r[2]: r for r in estates.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"JX-E001", "JX-E002", "JX-E003", "JX-E004", "JX-E005"}
    e001 = dict(zip(header, rows["JX-E001"], strict=True))
    assert e001["认定类型"] == "需整改" and e001["物业费标准（元/㎡·月）"] == 1.2
    assert e001["是否公布年度收支"] == "否" and e001["填报单位"] == "嘉祥街道办事处"
    assert rows["JX-E005"][4] == "未摸排"
    filed = [r for r in reports.iter_rows(min_row=2, values_only=True)]
    assert sorted((r[0], r[3]) for r in filed) == [("卧龙山街道", "逾期"), ("嘉祥街道", "按时")]


def test_survey_page_shows_field_errors_and_saves(
    demo: Any, campaign: Campaign, login: Any
) -> None:
    client = login("juweihui")
    url = f"/campaigns/{campaign.pk}/estates/JX-E003/"
    assert client.get(url).status_code == 200
    page = client.post(url, {"expected_version": "0", "classification": "", "v_fee": "abc"})
    assert page.status_code == 422
    text = page.content.decode()
    assert "认定类型应为以下之一" in text and "应为数字" in text and "必填" in text
    assert not Survey.objects.filter(campaign=campaign, estate__code="JX-E003").exists()
    posted = {
        "expected_version": "0",
        "classification": "需整改",
        "v_fee_basis": "未明确",
        "v_fee_public": "no",
        "v_accounts_public": "no",
        "v_checked_on": "2026-11-01",
    }
    assert client.post(url, posted).status_code == 302
    survey = Survey.objects.get(campaign=campaign, estate__code="JX-E003")
    assert survey.values["fee_public"] is False and survey.unit is not None
    assert AuditEvent.objects.filter(
        target_type="campaigns.survey", target_id=str(survey.pk)
    ).exists()
    assert client.post(url, posted).status_code == 409  # a second "new" form: someone was first
    # The residents' committee of 建设路社区 does not fill 嘉宁小区 (嘉宁社区).
    assert client.get(f"/campaigns/{campaign.pk}/estates/JX-E002/").status_code == 404


def test_start_through_api_and_page(demo: Any, login: Any) -> None:
    client = login("office")
    body = {
        "jurisdiction": "370829001000",
        "title": "物业服务质量专项检查",
        "starts": "2026-11-01",
        "ends": "2026-12-31",
        "survey_due": "2026-11-30",
        "report_dues": ["2026-11-15", "2026-12-15"],
        "fields": [{"key": "lift", "label": "电梯是否年检", "kind": "yesno", "required": True}],
        "classes": ["合格", "不合格"],
    }
    made = client.post("/api/campaigns/", body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["report_dues"] == ["2026-11-15", "2026-12-15"]
    bad = client.post(
        "/api/campaigns/",
        {**body, "fields": "- key: x\n  kind: colour"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"fields[0].label", "fields[0].kind"}
    page = client.post(
        "/campaigns/",
        {
            **body,
            "fields": "- {key: lift, label: 电梯是否年检, kind: yesno}",
            "classes": "合格\n不合格",
        },
    )
    assert page.status_code == 302
    assert Campaign.objects.filter(title="物业服务质量专项检查").count() == 2
    # A residents' committee starts nothing; 嘉祥街道's conference office starts nothing for
    # 万张街道.
    denied = login("juweihui").post("/api/campaigns/", body, content_type="application/json")
    assert denied.status_code == 403
    other = {**body, "jurisdiction": "370829003000"}
    denied = login("jiedao").post("/api/campaigns/", other, content_type="application/json")
    assert denied.status_code == 403


def test_other_county_and_wrong_roles_get_nothing(campaign: Campaign, login: Any) -> None:
    for username in ("cb-office", "cb-jiedao", "wuye", "resident"):
        client = login(username)
        assert client.get(f"/campaigns/{campaign.pk}/").status_code == 404, username
        assert client.get(f"/campaigns/{campaign.pk}/export.xlsx").status_code == 404
        assert client.get(f"/api/campaigns/{campaign.pk}").status_code == 404
        assert client.get(f"/api/campaigns/{campaign.pk}/returns").status_code == 404
        assert client.get("/api/campaigns/").json() == []
        posted = client.post(
            f"/api/campaigns/{campaign.pk}/surveys",
            {"estate": "JX-E003", "classification": "已规范", "values": {}},
            content_type="application/json",
        )
        assert posted.status_code == 404
    client = login("cb-office")
    assert client.get(f"/campaigns/{campaign.pk}/estates/JX-E003/").status_code == 404
    form = client.post(f"/api/campaigns/{campaign.pk}/form", {}, content_type="application/json")
    assert form.status_code in (404, 422)
    # The street office may read but not edit the form.
    assert login("jiedao").get(f"/campaigns/{campaign.pk}/form/").status_code == 404


def test_report_through_page_and_api(campaign: Campaign, login: Any) -> None:
    client = login("jiedao")
    due = campaign.report_dues[1]
    page = client.post(
        f"/campaigns/{campaign.pk}/reports/",
        {"street": "370829001000", "due": due, "expected_version": "0", "situation": ""},
    )
    assert page.status_code == 422 and "必填" in page.content.decode()
    body = {
        "street": "370829001000",
        "due": due,
        "situation": "已摸排 3 个",
        "measures": "三方会议",
        "problems": "无",
    }
    made = client.post(
        f"/api/campaigns/{campaign.pk}/reports", body, content_type="application/json"
    )
    assert made.status_code == 200 and made.json()["late"] is False
    other = client.post(
        f"/api/campaigns/{campaign.pk}/reports",
        {**body, "street": "370829003000"},
        content_type="application/json",
    )
    assert other.status_code == 403


def test_office_edits_the_form_on_its_page(campaign: Campaign, login: Any) -> None:
    client = login("office")
    assert "start-form" in client.get("/campaigns/").content.decode()
    url = f"/campaigns/{campaign.pk}/form/"
    page = client.get(url)
    assert page.status_code == 200 and "fee_basis" in page.content.decode()
    bad = client.post(url, {"expected_version": campaign.version, "fields": "[x", "classes": "a"})
    assert bad.status_code == 422 and "无法解析 YAML/JSON" in bad.content.decode()
    posted = {
        "expected_version": campaign.version,
        "fields": "- {key: lift, label: 电梯是否年检, kind: yesno, required: true}",
        "classes": "合格\n不合格",
    }
    assert client.post(url, posted).status_code == 302
    campaign.refresh_from_db()
    assert [f["key"] for f in campaign.fields] == ["lift"] and campaign.classes == [
        "合格",
        "不合格",
    ]
    assert client.post(url, posted).status_code == 409  # the version read is stale now
    survey = client.get(f"/campaigns/{campaign.pk}/estates/JX-E005/").content.decode()
    assert 'name="v_lift"' in survey and 'name="v_fee"' not in survey
