"""The .xlsx of many estates: the template's columns, every error with its row and column,
nothing imported on error, or only the valid rows when the user chose so; through the
service, the page and the API."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from gongzhi.campaigns import services as s
from gongzhi.campaigns.models import Campaign, Survey
from gongzhi.common.errors import InvalidInput


def _template(client: Any, campaign: Campaign) -> Any:
    response = client.get(f"/campaigns/{campaign.pk}/template.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _filled(book: Any, edits: dict[str, dict[str, Any]]) -> bytes:
    """The template with cells set by estate code and column title."""
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        code = row[0].value
        for title, value in edits.get(code, {}).items():
            row[header.index(title)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = {"认定类型": "已整改", "收费依据": "政府指导价", "收费标准是否公示": "是"}
GOOD |= {"是否公布年度收支": "是", "摸排日期": "2026-10-31"}


def test_template_has_the_estates_and_field_columns(
    demo: Any, campaign: Campaign, login: Any
) -> None:
    book = _template(login("jiedao"), campaign)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["小区编码", "小区名称", "认定类型"]
    assert header[3:] == [f["label"] for f in campaign.fields]
    codes = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == ["JX-E001", "JX-E003", "JX-E002"]  # by community, then code; 嘉祥街道 only
    first = next(sheet.iter_rows(min_row=2, values_only=True))
    assert first[2] == "需整改" and first[header.index("收费标准是否公示")] == "是"


def test_errors_by_row_and_column_import_nothing(demo: Any, campaign: Campaign, login: Any) -> None:
    client = login("jiedao")
    content = _filled(
        _template(client, campaign),
        {
            "JX-E001": {**GOOD, "物业费标准（元/㎡·月）": "很贵"},
            "JX-E003": {**GOOD, "认定类型": "不知道", "摸排日期": "31/10/2026"},
            "JX-E002": GOOD,
        },
    )
    before = list(Survey.objects.filter(campaign=campaign).values_list("estate__code", "version"))
    with pytest.raises(InvalidInput) as exc:
        s.surveys_import(actor=demo.users["jiedao"], campaign=campaign, content=content)
    where = {(e.row, e.column) for e in exc.value.errors}
    assert where == {(2, "E（物业费标准（元/㎡·月））"), (3, "C（认定类型）"), (3, "J（摸排日期）")}
    assert "2 行有误，未导入任何行" in exc.value.message
    after = list(Survey.objects.filter(campaign=campaign).values_list("estate__code", "version"))
    assert after == before

    # The explicit choice: import the valid row, skip the others.
    result = s.surveys_import(
        actor=demo.users["jiedao"], campaign=campaign, content=content, valid_only=True
    )
    assert (result.imported, result.skipped_rows) == (1, [2, 3])
    assert Survey.objects.get(campaign=campaign, estate__code="JX-E002").classification == "已整改"
    assert Survey.objects.get(campaign=campaign, estate__code="JX-E001").classification == "需整改"
    assert not Survey.objects.filter(campaign=campaign, estate__code="JX-E003").exists()


def test_estates_outside_the_users_area_and_bad_headers(demo: Any, campaign: Campaign) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["小区编码", "认定类型", "颜色"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InvalidInput) as exc:
        s.surveys_import(actor=demo.users["jiedao"], campaign=campaign, content=out.getvalue())
    assert [(e.row, e.column) for e in exc.value.errors] == [(1, "C（颜色）")]

    sheet.delete_rows(1)
    sheet.append(
        ["小区编码", "认定类型", "收费依据", "收费标准是否公示", "是否公布年度收支", "摸排日期"]
    )
    sheet.append(["JX-E004", "已规范", "政府指导价", "是", "是", "2026-10-31"])  # 卧龙山街道
    sheet.append(["JX-E002", "已规范", "政府指导价", "是", "是", "2026-10-31"])
    sheet.append(["JX-E002", "已规范", "政府指导价", "是", "是", "2026-10-31"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InvalidInput) as exc:
        s.surveys_import(actor=demo.users["jiedao"], campaign=campaign, content=out.getvalue())
    got = [(e.row, e.column, e.message) for e in exc.value.errors]
    assert got == [
        (2, "A（小区编码）", "不是本次摸排中您可填报的小区"),
        (4, "A（小区编码）", "与第 3 行重复"),
    ]
    with pytest.raises(InvalidInput):
        s.surveys_import(actor=demo.users["jiedao"], campaign=campaign, content=b"not a workbook")


def test_import_through_page_and_api(demo: Any, campaign: Campaign, login: Any) -> None:
    client = login("jiedao")
    content = _filled(
        _template(client, campaign),
        {"JX-E003": {**GOOD, "是否公布年度收支": "不清楚"}, "JX-E002": GOOD},
    )
    page = client.post(
        f"/campaigns/{campaign.pk}/import/",
        {"file": SimpleUploadedFile("s.xlsx", content)},
    )
    assert page.status_code == 422
    text = page.content.decode()
    assert "H（是否公布年度收支）" in text and "未导入任何行" in text
    assert Survey.objects.filter(campaign=campaign).count() == 3

    page = client.post(
        f"/campaigns/{campaign.pk}/import/",
        {"file": SimpleUploadedFile("s.xlsx", content), "valid_only": "on"},
    )
    assert page.status_code == 302
    assert Survey.objects.get(campaign=campaign, estate__code="JX-E002").classification == "已整改"

    api = client.post(
        f"/api/campaigns/{campaign.pk}/surveys/import",
        {"file": SimpleUploadedFile("s.xlsx", content), "valid_only": "true"},
    )
    assert api.status_code == 200, api.content
    body = api.json()
    assert body["imported"] == 2 and body["skipped_rows"] == [3]  # 曾子花园 as it was
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "H（是否公布年度收支）"
    api = client.post(
        f"/api/campaigns/{campaign.pk}/surveys/import",
        {"file": SimpleUploadedFile("s.xlsx", content)},
    )
    assert api.status_code == 422 and api.json()["errors"][0]["row"] == 3
