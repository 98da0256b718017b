"""Credit through its doors: the office's pages and forms, the company's objection, the
public ranking and its .xlsx, the JSON API, the command, and the estate board; and the
boundary between the two counties through page and API."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from gongzhi.appraisal.models import CreditObjection, CreditPolicy, CreditRecord
from gongzhi.cases.models import Accountability, Case
from gongzhi.org.models import Unit

pytestmark = pytest.mark.django_db
J = "application/json"
HONGDA = "赤壁宏达物业服务有限公司"
SHUNAN = "赤壁顺安物业服务有限公司"


def _unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


def test_the_company_page_explains_the_score(demo: Any, login: Any) -> None:
    office = login("cb-office")
    page = office.get(f"/appraisal/credit/{_unit(SHUNAN).pk}/?period=2026Q3")
    assert page.status_code == 200
    text = page.content.decode()
    assert "赤市监罚〔2026〕3号" in text  # the penalty's basis
    assert "<th>90</th>" in text
    assert "禁止参与招投标至 2027-09-30" in text
    assert office.get(f"/appraisal/credit/{_unit(SHUNAN).pk}/?period=xx").status_code == 422
    listing = office.get("/appraisal/credit/").content.decode()
    assert HONGDA in listing and SHUNAN in listing
    assert ">物业服务企业</a>" not in listing  # the catalog's member unit for the trade


def test_a_case_fact_links_to_its_case(demo: Any, login: Any) -> None:
    from gongzhi.appraisal.services import credit_collect

    case = Case.objects.filter(number__startswith="421281").order_by("pk").first()
    assert case is not None
    Accountability.objects.create(
        unit=_unit(HONGDA), case=case, kind=Accountability.Kind.DELAY, reason="超时", key="t:d"
    )
    credit_collect()
    text = login("cb-office").get(f"/appraisal/credit/{_unit(HONGDA).pk}/?period=2026Q4")
    assert f'href="/cases/{case.number}/"' in text.content.decode()


def test_record_objection_and_ruling_through_the_page(demo: Any, client: Client) -> None:
    from gongzhi.org.models import User

    company = _unit(HONGDA)
    url = f"/appraisal/credit/{company.pk}/?period=2026Q3"
    client.force_login(User.objects.get(username="cb-office"))
    bad = client.post(url, {"action": "record_add", "target": company.pk, "rule": "penalty"})
    assert bad.status_code == 422
    assert "必填" in bad.content.decode()
    assert not CreditRecord.objects.filter(company=company, rule__code="penalty").exists()
    done = client.post(
        url,
        {
            "action": "record_add",
            "target": company.pk,
            "rule": "penalty",
            "occurred_on": "2026-08-01",
            "note": "未公示收费标准",
            "source_ref": "赤市监罚〔2026〕9号",
        },
    )
    assert done.status_code == 302
    record = CreditRecord.objects.get(company=company, rule__code="penalty")
    assert "<th>101</th>" in client.get(url).content.decode()
    client.force_login(User.objects.get(username="cb-wy"))
    page = client.get(url).content.decode()
    assert 'value="object"' in page and 'value="record_add"' not in page
    assert (
        client.post(url, {"action": "object", "target": record.pk, "reason": "已公示"}).status_code
        == 302
    )
    objection = CreditObjection.objects.get(record=record)
    refused = client.post(
        url, {"action": "objection_rule", "target": objection.pk, "upheld": "true", "reason": "x"}
    )
    assert refused.status_code == 403
    client.force_login(User.objects.get(username="cb-office"))
    ruled = client.post(
        url,
        {"action": "objection_rule", "target": objection.pk, "upheld": "true", "reason": "属实"},
    )
    assert ruled.status_code == 302
    assert "<th>111</th>" in client.get(url).content.decode()


def test_the_public_ranking_and_its_export(demo: Any, client: Client) -> None:
    page = client.get("/appraisal/ranking/421281000000/?period=2026Q3")
    assert page.status_code == 200
    text = page.content.decode()
    assert HONGDA in text and "拟给予奖励 50000 元" in text
    assert "2026-10-01 至 2027-09-30 不得参与物业招投标活动" in text
    assert "熊伟" not in text  # the company's account holder: no person's name
    xlsx = client.get("/appraisal/ranking/421281000000/?period=2026Q3&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("名次", "企业名称", "信用分", "榜单")
    assert (1, HONGDA, 111, "红榜") in rows
    assert (11, SHUNAN, 90, "黑榜") in rows
    assert client.get("/appraisal/ranking/421281000000/?period=2026H1").status_code == 422
    assert client.get("/appraisal/ranking/999999/").status_code == 404


def test_the_board_shows_the_company_standing(demo: Any, client: Client) -> None:
    text = client.get("/estates/CB-E001/").content.decode()
    assert "信用状态" in text and "红榜连续 3 次前列" in text


def test_the_api(demo: Any, login: Any) -> None:
    office = login("cb-office")
    company = _unit(HONGDA)
    listed = {c["name"]: c for c in office.get("/api/appraisal/companies").json()}
    assert listed[SHUNAN]["standing"]["kind"] == "barred"
    credit = office.get(f"/api/appraisal/companies/{company.pk}/credit?period=2026Q3").json()
    assert credit["company"]["score"] == 111
    assert credit["allowed"] == ["record_add"]
    assert {line["rule"]: line["counted"] for line in credit["lines"]} == {
        "training": 6,
        "award": 5,
    }
    bad = office.post(
        f"/api/appraisal/companies/{company.pk}/records",
        {"rule": "nope", "occurred_on": "2026-08-01", "note": "x"},
        content_type=J,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rule"
    made = office.post(
        f"/api/appraisal/companies/{company.pk}/records",
        {"rule": "penalty", "occurred_on": "2026-08-01", "note": "处罚", "source_ref": "文号"},
        content_type=J,
    )
    assert made.status_code == 201
    wy = login("cb-wy")
    objected = wy.post(
        f"/api/appraisal/records/{made.json()['id']}/object", {"reason": "不服"}, content_type=J
    )
    assert objected.status_code == 201
    office = login("cb-office")
    ruled = office.post(
        f"/api/appraisal/objections/{objected.json()['id']}/rule",
        {"upheld": False, "reason": "事实清楚"},
        content_type=J,
    )
    assert ruled.status_code == 200
    again = office.post(
        f"/api/appraisal/objections/{objected.json()['id']}/rule",
        {"upheld": True, "reason": "再裁"},
        content_type=J,
    )
    assert again.status_code == 400
    policy = CreditPolicy.objects.get(jurisdiction__code="421281000000")
    closed = office.post(
        f"/api/appraisal/policies/{policy.pk}/close", {"period": "2026Q3"}, content_type=J
    )
    assert closed.status_code == 400  # the demo closed it already
    public = Client().get("/api/appraisal/ranking/421281000000?period=2026Q3").json()
    rows = {r["company"]: r for r in public["rows"]}
    assert rows[SHUNAN] == {"rank": 11, "company": SHUNAN, "score": 90, "band": "black"}
    assert rows[HONGDA]["score"] == 101  # the penalty above stands: the objection was rejected
    assert {s["kind"] for s in public["standings"]} == {"reward", "bar"}


def test_one_county_cannot_read_or_act_on_the_other(demo: Any, login: Any) -> None:
    company = _unit(HONGDA)
    record = CreditRecord.objects.filter(company=company).first()
    assert record is not None
    jx = login("office")
    assert jx.get(f"/appraisal/credit/{company.pk}/").status_code == 404
    assert jx.get(f"/api/appraisal/companies/{company.pk}/credit").status_code == 404
    assert HONGDA not in str(jx.get("/api/appraisal/companies").json())
    made = jx.post(
        f"/api/appraisal/companies/{company.pk}/records",
        {"rule": "penalty", "occurred_on": "2026-08-01", "note": "x"},
        content_type=J,
    )
    assert made.status_code == 404
    assert (
        jx.post(
            f"/api/appraisal/records/{record.pk}/object", {"reason": "x"}, content_type=J
        ).status_code
        == 404
    )
    page = jx.post(
        "/appraisal/credit/",
        {
            "action": "record_add",
            "target": company.pk,
            "rule": "penalty",
            "occurred_on": "2026-08-01",
            "note": "x",
        },
    )
    assert page.status_code == 404
    policy = CreditPolicy.objects.get(jurisdiction__code="421281000000")
    assert (
        jx.post(
            f"/api/appraisal/policies/{policy.pk}/close", {"period": "2026Q2"}, content_type=J
        ).status_code
        == 404
    )
    # The other county's own company and office see only their own.
    assert (
        login("cb-wy")
        .get(f"/api/appraisal/companies/{_unit('嘉祥鸿泰物业服务有限公司').pk}/credit")
        .status_code
        == 404
    )


def test_the_command_collects_idempotently(demo: Any, capsys: Any) -> None:
    case = Case.objects.filter(number__startswith="421281").order_by("pk").first()
    assert case is not None
    Accountability.objects.create(
        unit=_unit(HONGDA), case=case, kind=Accountability.Kind.ABSENT, reason="未报到", key="t:a"
    )
    call_command("appraisal", "collect")
    assert "accountability.absent 1" in capsys.readouterr().out
    call_command("appraisal", "collect")
    assert "新增信用记录 0 条" in capsys.readouterr().out
    call_command("appraisal", "close", "421281000000", "2026Q2")
    assert "2026Q2 已结算，认定 0 项奖惩" in capsys.readouterr().out
