"""The doors: the public board shows opinions and progress without residents' personal
data; a case becomes a problem (page and API); the problem page and API list the same
actions; consultation records with field errors; the other county and the wrong roles get
404 through page and API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gongzhi.cases.models import Case
from gongzhi.common.models import AuditEvent
from gongzhi.problems.models import Consultation, Problem, Tier

pytestmark = pytest.mark.django_db


def _daily() -> Problem:
    return Problem.objects.get(estate__code="JX-E001", tier=Tier.DAILY)


def test_board_shows_opinions_without_personal_data(client: Any, demo: Any) -> None:
    page = client.get("/estates/JX-E001/").content.decode()
    assert "三方协商落实意见" in page and "物业服务企业 7 日内更换全部损坏灯具" in page
    assert "解决问题意见或建议" in page and "老旧小区改造项目库" in page
    data = client.get("/api/board/estates/JX-E001").json()
    tiers = {p["tier"]: p for p in data["problems"]}
    assert tiers["daily"]["notes"][0]["kind"] == "agreed_opinion"
    assert [n["kind"] for n in tiers["major"]["notes"]] == ["proposal", "answer"]
    text = page + json.dumps(data, ensure_ascii=False)
    # The case's reporter, the internal description and the consultation participants stay off.
    for private in ("吴敏", "13605373434", "雨污合流管老化", "低层住户代表 8 人"):
        assert private not in text
    assert all("description" not in p for p in data["problems"] + data["early_matters"])
    # A phone number typed into an opinion is masked on the board.
    p = _daily()
    p.notes.update(text="请联系 13905371234 反映")
    shown = json.dumps(client.get("/api/board/estates/JX-E001").json(), ensure_ascii=False)
    assert "13905371234" not in shown and "请联系 139****1234 反映" in shown


def test_case_becomes_a_problem_and_page_lists_it(login: Any, demo: Any) -> None:
    case = Case.objects.filter(estate__code="JX-E001").exclude(problems__isnull=False).first()
    assert case is not None
    c = login("juweihui")
    assert "转为三方协同解决问题" in c.get(f"/cases/{case.number}/").content.decode()
    bad = c.post(f"/problems/from-case/{case.number}/", {"tier": "weekly"})
    assert bad.status_code == 422 and "取值不在允许范围内" in bad.content.decode()
    ok = c.post(f"/problems/from-case/{case.number}/", {"tier": "daily", "title": "楼道卫生"})
    assert ok.status_code == 302
    p = Problem.objects.get(case=case)
    assert p.title == "楼道卫生" and p.estate.code == "JX-E001"
    assert p.title in c.get(f"/cases/{case.number}/").content.decode()
    api = c.post(
        f"/api/problems/from-case/{case.number}",
        json.dumps({"tier": "historical"}),
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["case"] == case.number
    assert api.json()["title"] == case.title
    assert (
        login("cb-office")
        .post(f"/api/problems/from-case/{case.number}", "{}", content_type="application/json")
        .status_code
        == 404
    )


def test_page_and_api_offer_the_same_and_act(login: Any, demo: Any) -> None:
    p = _daily()
    c = login("juweihui")
    api = c.get(f"/api/problems/{p.pk}").json()
    page = c.get(f"/problems/{p.pk}/").content.decode()
    for name in api["allowed"]:
        assert f'id="act-{name}"' in page
    assert (
        api["participants"][0] == "社区居委会分工负责环物委的成员"
        and api["source"] == "002 (二)第二条"
    )
    assert api["consultations"][0]["form_label"] == "上门走访"
    bad = c.post(f"/problems/{p.pk}/act/consult/", {"form": "party", "participants": ""})
    body = bad.content.decode()
    assert bad.status_code == 422 and "held_on" in body and "participants" in body
    ok = c.post(
        f"/problems/{p.pk}/act/consult/",
        {"held_on": "2026-11-01", "form": "hearing", "participants": "三方", "summary": "听证"},
    )
    assert ok.status_code == 302 and Consultation.objects.filter(problem=p, form="hearing").exists()
    r = c.post(
        f"/api/problems/{p.pk}/resolve",
        json.dumps({"expected_version": p.version, "text": "已更换"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "resolved"
    again = c.post(
        f"/api/problems/{p.pk}/resolve",
        json.dumps({"expected_version": 1, "text": "x"}),
        content_type="application/json",
    )
    assert again.status_code == 409
    assert (
        AuditEvent.objects.filter(target_type="problems.problem", target_id=str(p.pk)).count() >= 4
    )
    printed = c.get(f"/problems/{p.pk}/record/").content.decode()
    assert "工作听证会" in printed and "上门走访" in printed
    assert login("cb-office").get(f"/problems/{p.pk}/record/").status_code == 404


def test_other_county_and_wrong_roles_get_nothing(login: Any, demo: Any) -> None:
    p = _daily()
    for user in ("cb-office", "cb-wy", "resident"):
        c = login(user)
        assert c.get(f"/problems/{p.pk}/").status_code == 404
        assert c.get("/problems/estates/JX-E001/").status_code == 404
        assert c.get(f"/api/problems/{p.pk}").status_code == 404
        assert c.get("/api/problems/estates/JX-E001").status_code == 404
        r = c.post(
            f"/api/problems/{p.pk}/resolve",
            json.dumps({"expected_version": p.version, "text": "x"}),
            content_type="application/json",
        )
        assert r.status_code == 404
        assert c.post(f"/problems/{p.pk}/act/resolve/", {"text": "x"}).status_code == 404
        raised = c.post(
            "/api/problems/estates/JX-E001",
            json.dumps({"tier": "daily", "title": "x"}),
            content_type="application/json",
        )
        assert raised.status_code == 404
    # The auditor reads the county's problems but acts on none.
    auditor = login("auditor")
    got = auditor.get(f"/api/problems/{p.pk}").json()
    assert got["allowed"] == []
    r = auditor.post(
        f"/api/problems/{p.pk}/resolve",
        json.dumps({"expected_version": p.version, "text": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert Problem.objects.get(pk=p.pk).state == p.state


def test_admin_lists_read_only(login: Any, demo: Any) -> None:
    c = login("admin")
    for model in ("problem", "consultation", "earlymatter"):
        assert c.get(f"/admin/problems/{model}/").status_code == 200
        assert c.get(f"/admin/problems/{model}/add/").status_code == 403
    assert "雨污管网" in c.get("/admin/problems/problem/").content.decode()
