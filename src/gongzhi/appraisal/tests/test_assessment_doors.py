"""Unit assessment through its doors: the page and the JSON API offer and run the same
actions (create, checklist, manual score with an evidence file, submit, return, approve),
the exports carry what the organisation department receives (read back from the .xlsx
and the PDF's text), and the other county, or the wrong role, is refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from gongzhi.appraisal.models import AssessmentPlan, ManualScore

pytestmark = pytest.mark.django_db
PAGE = "/appraisal/assessment/370829000000/2026/"
API = "/api/appraisal/assessment/370829000000/2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_api_flow_return_score_submit_approve(demo: Any, login: Any) -> None:
    convener = login("convener")
    index = convener.get("/appraisal/assessment/").content.decode()
    assert "嘉祥县 2026 年度成员单位考核" in index and PAGE in index
    got = convener.get(API).json()
    assert got["state"] == "submitted" and got["allowed"] == ["return", "approve"]
    assert (
        convener.post(
            API + "/return", {"reason": "请补充评分"}, content_type="application/json"
        ).status_code
        == 200
    )
    office = login("office")
    got = office.get(API).json()
    assert got["state"] == "draft" and "manual_score" in got["allowed"]
    unit = next(r for r in got["rows"] if r["unit_id"] == demo.units["urban_enforcement"].pk)
    form = {
        "item": "party_building",
        "unit_id": unit["unit_id"],
        "points": "2.5",
        "note": "执法进小区",
    }
    evidence = SimpleUploadedFile("e.pdf", PDF, content_type="application/pdf")
    done = office.post(API + "/manual-scores", {**form, "evidence": evidence})
    assert done.status_code == 200, done.content
    row = next(r for r in done.json()["rows"] if r["unit_id"] == unit["unit_id"])
    assert row["scores"]["party_building"] == 2.5
    assert any(m["unit_id"] == unit["unit_id"] and m["evidence"] for m in done.json()["manual"])
    bad = office.post(API + "/manual-scores", {**form, "points": "50", "note": ""})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"points"}
    wrong = office.post(
        API + "/items",
        {"items": [{"label": "出席", "weight": 60, "measure": "attendance"}]},
        content_type="application/json",
    )
    assert wrong.status_code == 422 and "100" in wrong.json()["errors"][0]["message"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编码", "考核内容", "分值", "计分方式"])
    sheet.append(["a", "出席", 100, "bogus"])
    buf = io.BytesIO()
    book.save(buf)
    upload = SimpleUploadedFile("c.xlsx", buf.getvalue())
    refused = office.post(API + "/items/import", {"file": upload})
    assert refused.status_code == 422
    assert [(e["row"], e["column"]) for e in refused.json()["errors"]] == [(2, "计分方式")]
    page = office.post(PAGE, {"action": "items_import", "file": SimpleUploadedFile("c.xlsx", b"x")})
    assert page.status_code == 422 and "无法读取" in page.content.decode()
    assert office.post(API + "/approve").status_code == 403
    assert office.post(API + "/submit").json()["state"] == "submitted"
    convener = login("convener")
    approved = convener.post(API + "/approve").json()
    assert approved["state"] == "approved" and approved["allowed"] == []
    assert convener.post(API + "/approve").status_code == 400


def test_create_a_plan(demo: Any, login: Any) -> None:
    office = login("office")
    url = "/api/appraisal/assessment/370829000000/2025"
    assert office.get(url).json()["state"] == "none"
    created = office.post(url)
    assert created.status_code == 201 and created.json()["state"] == "draft"
    assert [i["code"] for i in created.json()["items"]][:3] == [
        "response_rate",
        "resolve_rate",
        "satisfaction_rate",
    ]
    assert office.post(url).status_code == 400
    assert login("convener").post("/api/appraisal/assessment/370829000000/2024").status_code == 403


def test_page_shows_and_acts(demo: Any, login: Any) -> None:
    convener = login("convener")
    page = convener.get(PAGE)
    body = page.content.decode()
    assert page.status_code == 200 and "已报审" in body and 'value="approve"' in body
    assert 'value="manual_score"' not in body
    done = convener.post(PAGE, {"action": "return", "reason": "补充"})
    assert done.status_code == 302
    office = login("office")
    body = office.get(PAGE).content.decode()
    assert 'value="manual_score"' in body and 'value="items_set"' in body
    unit = ManualScore.objects.filter(item__plan__year=2026).first()
    assert unit is not None
    refused = office.post(
        PAGE,
        {
            "action": "manual_score",
            "item": "party_building",
            "unit_id": unit.unit_id,
            "points": "99",
            "note": "x",
        },
    )
    assert refused.status_code == 422 and "0 至 5" in refused.content.decode()
    evidence = ManualScore.objects.filter(item__plan__year=2026).exclude(evidence="").first()
    assert evidence is not None
    file = office.get(f"{PAGE}evidence/{evidence.pk}/")
    assert file.status_code == 200 and b"".join(file.streaming_content).startswith(b"%PDF")
    assert office.post(PAGE, {"action": "submit"}).status_code == 302
    assert (
        AssessmentPlan.objects.get(year=2026, jurisdiction__code="370829000000").state
        == "submitted"
    )
    assert login("auditor").post(PAGE, {"action": "approve"}).status_code == 403
    convener = login("convener")
    assert convener.post(PAGE, {"action": "approve"}).status_code == 302
    body = convener.get(PAGE).content.decode()
    assert "已审定" in body and 'value="return"' not in body


def test_exports_carry_the_results(demo: Any, login: Any) -> None:
    office = login("office")
    api = office.get(API).json()
    sheet = load_workbook(io.BytesIO(office.get(PAGE + "?format=xlsx").content)).worksheets[0]
    cells = list(sheet.iter_rows(values_only=True))
    assert "嘉祥县 2026 年度成员单位考核结果" in cells[0][0] and "已报审" in cells[0][0]
    head = cells[1]
    assert head[0] == "单位" and head[-3:] == ("总分", "名次", "备注")
    assert [h for h in head[1:-3]] == [f"{i['label']}（{i['weight']}）" for i in api["items"]]
    first = api["rows"][0]
    assert cells[2][0] == first["unit"] and cells[2][-3:-1] == (first["total"], first["rank"])
    assert len([c for c in cells[2:] if c[0]]) == len(api["rows"])
    street = next(c for c in cells[2:] if c[0] == "嘉祥街道办事处")
    assert "红色物业" in street[-1]
    same = office.get("/api/appraisal/assessment/370829000000/2026/export?format=xlsx")
    assert same.status_code == 200
    pdf = office.get(PAGE + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "成员单位考核结果" in text and first["unit"] in text and "名次" in text


def test_other_county_and_outsiders_are_refused(demo: Any, login: Any) -> None:
    other = login("cb-office")
    assert other.get(PAGE).status_code == 404
    assert other.get(PAGE + "?format=xlsx").status_code == 404
    assert other.get(API).status_code == 404
    assert other.post(API + "/submit").status_code == 404
    assert other.post(API + "/approve").status_code == 404
    assert other.get(API + "/export?format=pdf").status_code == 404
    evidence = ManualScore.objects.exclude(evidence="").first()
    assert evidence is not None
    assert other.get(f"{PAGE}evidence/{evidence.pk}/").status_code == 404
    assert (
        "嘉祥县 2026 年度成员单位考核" not in other.get("/appraisal/assessment/").content.decode()
    )
    handler = login("zfj")
    assert handler.get("/appraisal/assessment/").status_code == 404
    assert handler.get(PAGE).status_code == 404
    assert handler.get(API).status_code == 404
    auditor = login("auditor")
    assert auditor.get(API).json()["allowed"] == []
    assert auditor.post(API + "/approve").status_code == 403
