"""The democratic appraisal through its doors: the street's pages (standard form and
.xlsx with row/column errors, codes, open, publish, objections, approve), the rater's page
without an account, the public results, the JSON API, and the county boundary."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from openpyxl import Workbook

from gongzhi.appraisal.models import Campaign, ReviewSheet
from gongzhi.org.models import Jurisdiction, User

pytestmark = pytest.mark.django_db
J = "application/json"


def _xlsx(*rows: list[Any]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "standard.xlsx"
    return out


def _fill(campaign: Campaign, share: int) -> dict[str, str]:
    return {
        f"s{x.pk}_i{i.pk}": str(i.weight * share // 100)
        for x in campaign.subjects.all()
        for i in campaign.items.all()
    }


def test_a_campaign_from_start_to_approval_through_the_pages(demo: Any, client: Client) -> None:
    street = Jurisdiction.objects.get(name="蒲圻街道")
    client.force_login(User.objects.get(username="cb-jiedao"))
    made = client.post(
        "/appraisal/reviews/", {"street": street.pk, "year": 2025, "quorum": 1, "objection_days": 3}
    )
    assert made.status_code == 302
    campaign = Campaign.objects.get(street=street, year=2025)
    url = f"/appraisal/reviews/{campaign.pk}/"
    bad = client.post(
        url,
        {
            "action": "standard_upload",
            "file": _xlsx(["评议内容", "分值"], ["联动机制", 50], ["投诉处理", "五十"]),
        },
    )
    assert bad.status_code == 422
    assert "<td>3</td><td>分值</td>" in bad.content.decode()
    assert not campaign.items.exists()
    good = client.post(
        url,
        {
            "action": "standard_upload",
            "file": _xlsx(
                ["评议内容", "分值", "系统佐证"], ["联动机制", 50, ""], ["投诉处理", 50, "cases"]
            ),
        },
    )
    assert good.status_code == 302
    issued = client.post(url, {"action": "codes_issue", "owner": 2})
    codes = re.findall(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4})</strong>", issued.content.decode())
    assert len(codes) == 2
    assert client.post(url, {"action": "open"}).status_code == 302
    page = client.get(url).content.decode()
    assert "已收回评议表 0 份 / 法定人数 1 份" in page and "本小区 2025 年诉求" in page

    rater = Client()  # no account
    form = rater.post("/appraisal/rate/", {"code": codes[0]})
    assert form.status_code == 200 and 'inputmode="numeric"' in form.content.decode()
    short = rater.post("/appraisal/rate/", {"code": codes[0], "send": "1"})
    assert short.status_code == 422
    done = rater.post("/appraisal/rate/", {"code": codes[0], "send": "1", **_fill(campaign, 80)})
    assert "评议表已提交" in done.content.decode()
    again = rater.post("/appraisal/rate/", {"code": codes[0], "send": "1", **_fill(campaign, 10)})
    assert "每人只能提交一份" in again.content.decode()
    assert ReviewSheet.objects.filter(campaign=campaign).count() == 1
    assert rater.post("/appraisal/rate/", {"code": "ZZZZ-ZZZZ"}).status_code == 404

    jiedao = User.objects.get(username="cb-jiedao")
    with time_machine.travel(dt.datetime(2026, 12, 10, 2, tzinfo=dt.UTC)):
        client.force_login(jiedao)  # a login lasts 12 hours at most
        assert client.post(url, {"action": "publish"}).status_code == 302
        assert (
            client.post(
                url, {"action": "objection_record", "text": "分数偏高", "raised_by": "业主 李某"}
            ).status_code
            == 302
        )
    public = Client().get(f"/appraisal/reviews/{campaign.pk}/results/").content.decode()
    assert "分数偏高" in public and "李某" not in public and "80.0" in public
    objection = campaign.objections.get()
    with time_machine.travel(dt.datetime(2026, 12, 14, 2, tzinfo=dt.UTC)):
        client.force_login(jiedao)
        refused = client.post(url, {"action": "approve"})
        assert refused.status_code == 400 and "未答复" in refused.content.decode()
        client.post(url, {"action": "objection_answer", "target": objection.pk, "answer": "已核实"})
        assert client.post(url, {"action": "approve"}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.APPROVED


def test_the_api_and_the_county_boundary(demo: Any, login: Any) -> None:
    street = Jurisdiction.objects.get(name="蒲圻街道")
    jd = login("cb-jiedao")
    made = jd.post(
        "/api/appraisal/reviews", {"street": street.code, "year": 2025, "quorum": 1}, content_type=J
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    bad = jd.post(
        f"/api/appraisal/reviews/{pk}/standard",
        {"items": [{"title": "服务", "weight": 60}, {"title": "", "weight": 40}]},
        content_type=J,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["row"] == 2
    ok = jd.post(
        f"/api/appraisal/reviews/{pk}/standard",
        {"items": [{"title": "服务", "weight": 60}, {"title": "安全", "weight": 40}]},
        content_type=J,
    )
    assert ok.status_code == 200 and "codes_issue" in ok.json()["allowed"]
    codes = jd.post(f"/api/appraisal/reviews/{pk}/codes", {"resident": 1}, content_type=J).json()
    state = jd.post(f"/api/appraisal/reviews/{pk}/open", content_type=J).json()
    scores = [
        {"subject_id": r["subject_id"], "item_id": i["id"], "points": i["weight"]}
        for r in state["results"]
        for i in state["items"]
    ]
    anon = Client()
    sent = anon.post(
        "/api/appraisal/rate", {"code": codes[0]["code"], "scores": scores}, content_type=J
    )
    assert sent.status_code == 201
    twice = anon.post(
        "/api/appraisal/rate", {"code": codes[0]["code"], "scores": scores}, content_type=J
    )
    assert twice.status_code == 409
    assert jd.get(f"/api/appraisal/reviews/{pk}").json()["sheets"] == 1
    assert anon.get(f"/api/appraisal/reviews/{pk}/results").status_code == 404  # not posted yet
    jx = login("office")
    assert jx.get(f"/api/appraisal/reviews/{pk}").status_code == 404
    assert jx.post(f"/api/appraisal/reviews/{pk}/publish", content_type=J).status_code == 404
    assert jx.get(f"/appraisal/reviews/{pk}/").status_code == 404
    assert jx.post(f"/appraisal/reviews/{pk}/", {"action": "publish"}).status_code == 404
    refused = jx.post(
        "/api/appraisal/reviews", {"street": street.code, "year": 2024}, content_type=J
    )
    assert refused.status_code == 422
    assert (
        login("cb-wy").post(f"/api/appraisal/reviews/{pk}/publish", content_type=J).status_code
        == 404
    )


def test_the_street_sees_its_posted_appraisal(demo: Any, login: Any) -> None:
    page = login("jiedao").get("/appraisal/reviews/")
    assert page.status_code == 200 and "嘉祥街道 2026 年度三方评议" in page.content.decode()
    campaign = Campaign.objects.get(street__name="嘉祥街道", year=2026)
    detail = login("jiedao").get(f"/appraisal/reviews/{campaign.pk}/").content.decode()
    assert "已收回评议表 6 份 / 法定人数 6 份" in detail and "经社区核实" in detail
    assert "三方评议" in login("cb-office").get("/").content.decode()
