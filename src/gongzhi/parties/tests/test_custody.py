"""Temporary custody of an estate without a property company: starting it, the board
showing it, handing it over to a hired company (which becomes the estate's company, so
routing follows), and who may."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from gongzhi.catalog.routing import route_all, route_cached
from gongzhi.common.errors import DomainError, InvalidInput, PermissionDenied
from gongzhi.org.models import Estate
from gongzhi.parties import services as s
from gongzhi.parties.models import Custody

pytestmark = pytest.mark.django_db


def _demo_custody() -> Custody:
    return Custody.objects.get(estate__code="JX-E003", state=Custody.State.ACTIVE)


def test_demo_custody_on_the_board_and_in_json(client: Any, demo: Any) -> None:
    page = client.get("/estates/JX-E003/").content.decode()
    assert "临时托管" in page and "建设路社区居民委员会" in page
    data = client.get("/api/board/estates/JX-E003").json()
    assert data["custody"]["custodian"] == "建设路社区居民委员会"
    assert client.get("/api/board/estates/JX-E001").json()["custody"] is None


def test_start_refused_where_there_is_a_company_or_one_already(demo: Any) -> None:
    with pytest.raises(DomainError, match="已有物业服务企业"):
        s.custody_start(
            actor=demo.users["office"],
            estate=demo.estates["JX-E001"],
            custodian_kind="street",
            custodian=demo.units["street:嘉祥街道"],
            starts=dt.date(2026, 1, 1),
            scope="全部",
        )
    with pytest.raises(DomainError, match="已在临时托管中"):
        s.custody_start(
            actor=demo.users["office"],
            estate=demo.estates["JX-E003"],
            custodian_kind="street",
            custodian=demo.units["street:嘉祥街道"],
            starts=dt.date(2026, 1, 1),
            scope="全部",
        )


def test_custodian_must_fit_its_kind_and_county(demo: Any) -> None:
    custody = _demo_custody()
    s.custody_hand_over(
        actor=demo.users["jiedao"],
        custody=custody,
        expected_version=1,
        company=demo.units["pc:安居"],
        handover_date=dt.date(2026, 11, 1),
        note="档案移交",
    )
    # 万张新村 has no company either: a property company of the other county cannot be appointed.
    with pytest.raises(InvalidInput) as exc:
        s.custody_start(
            actor=demo.users["office"],
            estate=demo.estates["JX-E005"],
            custodian_kind="appointed_company",
            custodian=demo.units["cb:pc"],
            starts=dt.date(2026, 1, 1),
            ends=dt.date(2025, 1, 1),
            scope=" ",
        )
    assert {e.field for e in exc.value.errors} == {"custodian_id", "ends", "scope"}


def test_who_may_arrange(demo: Any) -> None:
    for user in ("wuye", "juweihui", "cb-office", "auditor"):
        with pytest.raises(PermissionDenied):
            s.custody_hand_over(
                actor=demo.users[user],
                custody=_demo_custody(),
                expected_version=1,
                company=demo.units["pc:安居"],
                handover_date=dt.date(2026, 11, 1),
                note="x",
            )


def test_hand_over_makes_the_company_the_estates_and_routing_follows(demo: Any) -> None:
    estate = demo.estates["JX-E003"]
    before = {r.lead.pk for r in route_all(estate=estate) if r.lead}
    assert demo.units["pc:安居"].pk not in before
    s.custody_hand_over(
        actor=demo.users["office"],
        custody=_demo_custody(),
        expected_version=1,
        company=demo.units["pc:安居"],
        handover_date=dt.date(2026, 11, 1),
        note="物业服务用房及档案资料移交",
    )
    estate = Estate.objects.get(pk=estate.pk)
    assert estate.property_company == demo.units["pc:安居"]
    assert demo.units["pc:安居"].pk in {r.lead.pk for r in route_all(estate=estate) if r.lead}
    assert Custody.objects.get(estate=estate).state == Custody.State.HANDED_OVER


def test_pages_and_api(login: Any, client: Any, demo: Any) -> None:
    custody = _demo_custody()
    assert "移交" in login("jiedao").get("/parties/estates/JX-E003/custody/").content.decode()
    other = login("cb-office")
    r = other.post(f"/parties/custody/{custody.pk}/hand-over/", {"expected_version": 1})
    assert r.status_code == 404
    r = other.post(
        f"/api/parties/custody/{custody.pk}/hand-over",
        json.dumps(
            {
                "expected_version": 1,
                "company_id": demo.units["pc:安居"].pk,
                "handover_date": "2026-11-01",
                "note": "x",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 403
    office = login("office")
    r = office.post(
        f"/api/parties/custody/{custody.pk}/hand-over",
        json.dumps(
            {
                "expected_version": 1,
                "company_id": demo.units["pc:安居"].pk,
                "handover_date": "2026-11-01",
                "note": "档案移交",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "handed_over"
    listed = client.get("/api/parties/estates/JX-E003/custody").json()
    assert listed[0]["handed_to"] == "嘉祥安居物业管理有限公司"


def _register_at(estate_code: str) -> Any:
    from gongzhi.cases.services import case_register

    return case_register(
        channel="12345",
        estate=estate_code,
        title="楼道无人打扫",
        description="3号楼楼道垃圾一周无人清理",
        matter_code="JX-15-a",
        reporter_name="王秀英",
        reporter_phone="13905371234",
        now=dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC),
    )


def test_custody_by_an_appointed_company_routes_to_it_until_hand_over(demo: Any) -> None:
    estate = demo.estates["JX-E005"]
    street = demo.units["street:万张街道"]
    assert route_cached(estate=estate, matter_code="JX-15-a").lead == street
    with pytest.raises(PermissionDenied):  # the other county's office may not
        s.custody_start(
            actor=demo.users["cb-office"],
            estate=estate,
            custodian_kind="appointed_company",
            custodian=demo.units["pc:安居"],
            starts=dt.date(2026, 10, 1),
            scope="保洁、秩序维护",
        )
    custody = s.custody_start(
        actor=demo.users["office"],
        estate=estate,
        custodian_kind="appointed_company",
        custodian=demo.units["pc:安居"],
        starts=dt.date(2026, 10, 1),
        scope="保洁、秩序维护",
    )
    estate = Estate.objects.get(pk=estate.pk)
    assert estate.custodian_company == demo.units["pc:安居"]
    assert route_cached(estate=estate, matter_code="JX-15-a").lead == demo.units["pc:安居"]
    case = _register_at("JX-E005")
    assert case.lead_unit == demo.units["pc:安居"]
    assert any("临时托管：由嘉祥安居物业管理有限公司承接物业服务" in r for r in case.route_reasons)
    s.custody_hand_over(
        actor=demo.users["office"],
        custody=custody,
        expected_version=1,
        company=demo.units["pc:鸿泰"],
        handover_date=dt.date(2026, 11, 1),
        note="物业服务用房及档案资料移交",
    )
    estate = Estate.objects.get(pk=estate.pk)
    assert estate.custodian_company is None
    assert estate.property_company == demo.units["pc:鸿泰"]
    assert route_cached(estate=estate, matter_code="JX-15-a").lead == demo.units["pc:鸿泰"]
    assert _register_at("JX-E005").lead_unit == demo.units["pc:鸿泰"]


def test_custody_by_the_street_keeps_the_street_leading(demo: Any) -> None:
    s.custody_start(
        actor=demo.users["office"],
        estate=demo.estates["JX-E005"],
        custodian_kind="street",
        custodian=demo.units["street:万张街道"],
        starts=dt.date(2026, 10, 1),
        scope="全部",
    )
    assert Estate.objects.get(code="JX-E005").custodian_company is None
    case = _register_at("JX-E005")
    assert case.lead_unit == demo.units["street:万张街道"]
    assert any("无物业服务企业" in r for r in case.route_reasons)


def test_end_without_hand_over_clears_the_appointed_company(demo: Any) -> None:
    from gongzhi.common.errors import Conflict
    from gongzhi.common.models import AuditEvent

    estate = demo.estates["JX-E005"]
    custody = s.custody_start(
        actor=demo.users["office"],
        estate=estate,
        custodian_kind="appointed_company",
        custodian=demo.units["pc:安居"],
        starts=dt.date(2026, 10, 1),
        scope="保洁、秩序维护",
    )
    assert _register_at("JX-E005").lead_unit == demo.units["pc:安居"]
    args: dict[str, Any] = {
        "custody": custody,
        "expected_version": 1,
        "ended_on": dt.date(2026, 11, 1),
        "reason": "业主大会决定自行管理",
    }
    for user in ("cb-office", "wuye", "juweihui"):
        with pytest.raises(PermissionDenied):
            s.custody_end(actor=demo.users[user], **args)
    with pytest.raises(InvalidInput) as exc:
        s.custody_end(
            actor=demo.users["office"], **{**args, "ended_on": dt.date(2026, 9, 1), "reason": " "}
        )
    assert {e.field for e in exc.value.errors} == {"ended_on", "reason"}
    with pytest.raises(InvalidInput):  # not in the future
        s.custody_end(actor=demo.users["office"], **{**args, "ended_on": dt.date(2027, 1, 1)})
    assert Estate.objects.get(pk=estate.pk).custodian_company is not None
    ended = s.custody_end(actor=demo.users["office"], **args)
    assert ended.state == Custody.State.ENDED and ended.ended_on == dt.date(2026, 11, 1)
    assert ended.end_reason == "业主大会决定自行管理" and ended.version == 2
    estate = Estate.objects.get(pk=estate.pk)
    assert estate.custodian_company is None and estate.property_company is None
    assert route_cached(estate=estate, matter_code="JX-15-a").lead == demo.units["street:万张街道"]
    assert _register_at("JX-E005").lead_unit == demo.units["street:万张街道"]
    audit = AuditEvent.objects.get(action="parties.custody.end", target_id=str(custody.pk))
    assert audit.reason == "业主大会决定自行管理" and audit.to_state == "ended"
    with pytest.raises(Conflict):  # a stale page
        s.custody_end(actor=demo.users["office"], **args)
    with pytest.raises(DomainError):  # ended: no more ending, no hand-over
        s.custody_end(actor=demo.users["office"], **{**args, "expected_version": 2})
    # A new custody may start again.
    s.custody_start(
        actor=demo.users["office"],
        estate=estate,
        custodian_kind="street",
        custodian=demo.units["street:万张街道"],
        starts=dt.date(2026, 11, 2),
        scope="全部",
    )


def test_end_through_the_page_and_the_api(login: Any, client: Any, demo: Any) -> None:
    custody = _demo_custody()
    page = login("jiedao").get("/parties/estates/JX-E003/custody/").content.decode()
    assert "结束托管" in page
    assert (
        "结束托管"
        not in login("juweihui").get("/parties/estates/JX-E003/custody/").content.decode()
    )
    body = {"expected_version": 1, "ended_on": "2026-11-01", "reason": "业主自行管理"}
    other = login("cb-office")
    assert other.post(f"/parties/custody/{custody.pk}/end/", body).status_code == 404
    r = other.post(
        f"/api/parties/custody/{custody.pk}/end", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 403
    jiedao = login("jiedao")
    r = jiedao.post(f"/parties/custody/{custody.pk}/end/", {**body, "reason": ""})
    assert r.status_code == 422 and _demo_custody().version == 1
    allowed = client.get("/api/parties/estates/JX-E003/custody").json()[0]["allowed"]
    assert allowed == ["hand_over", "end"]
    r = jiedao.post(
        f"/api/parties/custody/{custody.pk}/end",
        json.dumps({**body, "ended_on": "2026-01-01"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "ended_on" in r.content.decode()
    r = jiedao.post(f"/parties/custody/{custody.pk}/end/", body)
    assert r.status_code == 302
    got = client.get("/api/parties/estates/JX-E003/custody").json()[0]
    assert got["state"] == "ended" and got["end_reason"] == "业主自行管理" and got["allowed"] == []
    assert 'id="custody"' not in client.get("/estates/JX-E003/").content.decode()
    r = jiedao.post(
        f"/api/parties/custody/{custody.pk}/end",
        json.dumps({**body, "expected_version": 2}),
        content_type="application/json",
    )
    assert r.status_code == 400
