"""Reports of major events: typed forms, the bodies they reach, acknowledgement, feedback,
what is overdue; through services, pages and the API, and across the county boundary."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from gongzhi.common.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from gongzhi.common.models import AuditEvent
from gongzhi.parties import selectors
from gongzhi.parties import services as s
from gongzhi.parties.models import Party, Report
from gongzhi.parties.report_kinds import ReportKind

pytestmark = pytest.mark.django_db

HEAD = {
    "old_head": "孔德明",
    "new_head": "曹磊",
    "post": "项目经理",
    "office_phone": "0537-6881234",
    "effective": "2026-12-01",
}


def _head_change(demo: Any, user: str = "wuye", **kw: Any) -> Report:
    args: dict[str, Any] = {
        "actor": demo.users[user],
        "estate": demo.estates["JX-E001"],
        "kind": ReportKind.COMPANY_HEAD,
        "filer_party": Party.PROPERTY_COMPANY,
        "fields": HEAD,
    }
    args.update(kw)
    return s.report_file(**args)


def test_a_report_reaches_the_bodies_of_its_kind(demo: Any) -> None:
    r = _head_change(demo)
    reached = {x.unit_id for x in r.recipients.all()}
    # 002 (三)第四条: street, community party organisation, residents' committee and the
    # conference (its seats but the filer's own), plus the owners' committee for this kind.
    assert reached == {
        demo.units["rc:建设路社区"].pk,
        demo.units["oc:曾子花园"].pk,
        demo.units["street:嘉祥街道"].pk,
        demo.units["party:建设路社区"].pk,
    }
    seats = set(r.recipients.filter(party="conference").values_list("unit_id", flat=True))
    assert seats == {demo.units["rc:建设路社区"].pk, demo.units["oc:曾子花园"].pk}
    assert r.unreached == []
    assert r.feedback_due == selectors.today() + dt.timedelta(days=10)
    assert AuditEvent.objects.filter(target_type="parties.report", target_id=str(r.pk)).exists()


def test_company_change_reaches_the_office_too(demo: Any) -> None:
    r = Report.objects.get(kind=ReportKind.COMPANY_CHANGE, estate__code="JX-E001")
    assert set(r.recipients.values_list("party", flat=True)) == {
        "street",
        "party_org",
        "residents_committee",
        "conference",
        "office",
    }
    assert r.state == Report.State.ACKNOWLEDGED and not r.feedback


def test_fields_checked_all_at_once(demo: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        _head_change(demo, fields={**HEAD, "new_head": "", "effective": "明天", "x": "1"})
    fields = {e.field for e in exc.value.errors}
    assert fields == {"fields.new_head", "fields.effective", "fields.x"}
    with pytest.raises(InvalidInput):
        s.report_file(
            actor=demo.users["wuye"],
            estate=demo.estates["JX-E001"],
            kind=ReportKind.FUND_USE,
            filer_party=Party.PROPERTY_COMPANY,
            fields={"item": "a", "amount": "-5", "vote": "b"},
        )


def test_who_may_file(demo: Any) -> None:
    for user, party in (
        ("wuye", Party.OWNERS_COMMITTEE),
        ("cb-wy", Party.PROPERTY_COMPANY),
        ("resident", Party.PROPERTY_COMPANY),
    ):
        with pytest.raises(PermissionDenied):
            _head_change(demo, user=user, filer_party=party)


def test_acknowledge_answer_and_who_may(demo: Any) -> None:
    r = _head_change(demo)
    for outsider in ("zjj", "cb-office", "auditor", "wuye"):
        with pytest.raises(PermissionDenied):
            s.report_acknowledge(actor=demo.users[outsider], report=r, expected_version=1)
    s.report_acknowledge(actor=demo.users["juweihui"], report=r, expected_version=1)
    with pytest.raises(Conflict):
        s.report_answer(actor=demo.users["jiedao"], report=r, expected_version=1, feedback="收到")
    with pytest.raises(InvalidInput):
        s.report_answer(actor=demo.users["jiedao"], report=r, expected_version=2, feedback=" ")
    s.report_answer(actor=demo.users["jiedao"], report=r, expected_version=2, feedback="同意备案")
    r.refresh_from_db()
    assert r.state == Report.State.ANSWERED and r.answered_by == demo.users["jiedao"]
    with pytest.raises(DomainError):
        s.report_acknowledge(actor=demo.users["juweihui"], report=r, expected_version=3)


def test_office_sees_what_is_overdue(demo: Any) -> None:
    overdue = list(selectors.reports(demo.users["office"], overdue=True))
    assert [r.kind for r in overdue] == [ReportKind.FUND_USE]
    s.report_answer(
        actor=demo.users["office"], report=overdue[0], expected_version=1, feedback="已核"
    )
    assert list(selectors.reports(demo.users["office"], overdue=True)) == []
    assert list(selectors.reports(demo.users["cb-office"])) == []


# ---------------------------------------------------------------- pages


def test_pages_file_list_and_answer(login: Any, demo: Any) -> None:
    c = login("wuye")
    form = c.get("/parties/estates/JX-E001/reports/new/?kind=company_head")
    assert form.status_code == 200 and "新负责人" in form.content.decode()
    bad = c.post(
        "/parties/estates/JX-E001/reports/new/",
        {"kind": "company_head", "filer_party": "property_company", "f_old_head": "孔德明"},
    )
    assert bad.status_code == 422 and "新负责人：必填" in bad.content.decode()
    ok = c.post(
        "/parties/estates/JX-E001/reports/new/",
        {
            "kind": "company_head",
            "filer_party": "property_company",
            **{f"f_{k}": v for k, v in HEAD.items()},
        },
    )
    assert ok.status_code == 302
    r = Report.objects.get(kind="company_head")
    street = login("jiedao")
    page = street.get(f"/parties/reports/{r.pk}/").content.decode()
    assert "曹磊" in page and "签收" in page
    assert (
        street.post(
            f"/parties/reports/{r.pk}/answer/", {"expected_version": 1, "feedback": "已知悉"}
        ).status_code
        == 302
    )
    r.refresh_from_db()
    assert r.state == Report.State.ANSWERED
    office = login("office").get("/parties/reports/?overdue=1").content.decode()
    assert "维修资金使用" in office and "逾期" in office


def test_pages_refuse_the_other_county(login: Any, demo: Any) -> None:
    r = Report.objects.get(kind=ReportKind.COMPANY_CHANGE)
    c = login("cb-office")
    assert c.get(f"/parties/reports/{r.pk}/").status_code == 404
    assert (
        c.post(
            f"/parties/reports/{r.pk}/answer/", {"expected_version": r.version, "feedback": "x"}
        ).status_code
        == 404
    )
    assert c.get("/parties/estates/JX-E001/reports/new/").status_code == 404
    assert "曾子花园" not in c.get("/parties/reports/").content.decode()


# ---------------------------------------------------------------- API


def test_api_file_acknowledge_answer(login: Any, demo: Any) -> None:
    c = login("wuye")
    body = {"kind": "company_head", "filer_party": "property_company", "fields": HEAD}
    r = c.post(
        "/api/parties/estates/JX-E001/reports", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["allowed"] == [] and out["state"] == "submitted"
    street = login("jiedao")
    assert street.get(f"/api/parties/reports/{out['id']}").json()["allowed"] == [
        "acknowledge",
        "answer",
    ]
    ack = street.post(
        f"/api/parties/reports/{out['id']}/acknowledge",
        json.dumps({"expected_version": 1}),
        content_type="application/json",
    )
    assert ack.status_code == 200 and ack.json()["state"] == "acknowledged"
    stale = street.post(
        f"/api/parties/reports/{out['id']}/answer",
        json.dumps({"expected_version": 1, "feedback": "x"}),
        content_type="application/json",
    )
    assert stale.status_code == 409
    bad = c.post(
        "/api/parties/estates/JX-E001/reports",
        json.dumps({**body, "fields": {}}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and len(bad.json()["errors"]) == 5
    overdue = login("office").get("/api/parties/reports?overdue=true").json()
    assert [x["kind"] for x in overdue] == ["fund_use"] and overdue[0]["overdue"] is True
    kinds = c.get("/api/parties/report-kinds").json()
    assert {k["kind"] for k in kinds} == set(ReportKind.values)


def test_api_refuses_the_other_county(login: Any, demo: Any) -> None:
    r = Report.objects.get(kind=ReportKind.COMPANY_CHANGE)
    c = login("cb-office")
    assert c.get(f"/api/parties/reports/{r.pk}").status_code == 404
    assert (
        c.post(
            f"/api/parties/reports/{r.pk}/answer",
            json.dumps({"expected_version": r.version, "feedback": "x"}),
            content_type="application/json",
        ).status_code
        == 404
    )
    assert c.get("/api/parties/reports").json() == []
    body = {"kind": "company_head", "filer_party": "property_company", "fields": HEAD}
    assert (
        login("cb-wy")
        .post(
            "/api/parties/estates/JX-E001/reports",
            json.dumps(body),
            content_type="application/json",
        )
        .status_code
        == 403
    )


def test_pdfs_of_a_report_and_a_circular(login: Any, demo: Any) -> None:
    from gongzhi.parties.models import Circular, CircularReceipt

    report = Report.objects.get(kind=ReportKind.COMPANY_CHANGE)
    got = login("jiedao").get(f"/parties/reports/{report.pk}/pdf/")
    assert got["Content-Type"] == "application/pdf" and got.content.startswith(b"%PDF")
    assert login("cb-office").get(f"/parties/reports/{report.pk}/pdf/").status_code == 404
    circular = Circular.objects.get(urgent=True)
    got = login("wuye").get(f"/parties/circulars/{circular.pk}/pdf/")
    assert got.content.startswith(b"%PDF")
    # The PDF is not a read receipt.
    street = login("jiedao")
    assert street.get(f"/parties/circulars/{circular.pk}/pdf/").status_code == 200
    assert (
        CircularReceipt.objects.get(circular=circular, unit=demo.units["street:嘉祥街道"]).read_at
        is None
    )
    assert login("zjj").get(f"/parties/circulars/{circular.pk}/pdf/").status_code == 404


def test_the_conference_is_reached_through_its_seats_not_only_its_office(
    login: Any, demo: Any
) -> None:
    """002 (三)第四条 names the conference (联席会议) beside the residents' committee; its
    seats (002 (一)第三条) are the residents' committee, the owners' committee and the
    company. A report the residents' committee files reaches the company through the
    conference, and the company may acknowledge it; the other county's nothing."""
    from gongzhi.org.models import Body

    body = Body.objects.get(name="建设路社区三方联席会议")
    r = s.report_file(
        actor=demo.users["juweihui"],
        estate=demo.estates["JX-E001"],
        kind=ReportKind.COMMON_INCOME,
        filer_party=Party.RESIDENTS_COMMITTEE,
        fields={
            "item": "电梯广告",
            "period": "2026 年三季度",
            "amount": "3600",
            "use": "补充维修资金",
        },
    )
    conference = r.recipients.filter(party="conference")
    assert set(conference.values_list("unit_id", flat=True)) == {
        demo.units["oc:曾子花园"].pk,
        demo.units["pc:鸿泰"].pk,
    }
    assert set(conference.values_list("body_id", flat=True)) == {body.pk}
    assert not r.recipients.filter(unit=demo.units["rc:建设路社区"]).exists()  # the filer
    wuye = login("wuye")
    got = wuye.get(f"/api/parties/reports/{r.pk}").json()
    assert got["allowed"] == ["acknowledge", "answer"]
    assert {x["body"] for x in got["recipients"] if x["party"] == "conference"} == {body.name}
    assert "社区党组织" in {x["party_label"] for x in got["recipients"]}
    page = wuye.get(f"/parties/reports/{r.pk}/").content.decode()
    assert "三方联席会议（建设路社区三方联席会议）" in page and "建设路社区党委" in page
    assert wuye.get(f"/parties/reports/{r.pk}/pdf/").status_code == 200
    r2 = wuye.post(
        f"/api/parties/reports/{r.pk}/acknowledge",
        json.dumps({"expected_version": 1}),
        content_type="application/json",
    )
    assert r2.status_code == 200 and r2.json()["state"] == "acknowledged"
    other = login("cb-wy")
    assert other.get(f"/api/parties/reports/{r.pk}").status_code == 404
    assert other.get(f"/parties/reports/{r.pk}/").status_code == 404


def test_a_body_with_nobody_on_record_is_shown_unreached(login: Any, demo: Any) -> None:
    """卧龙山社区 has no party organisation on record: the report says so, page and API."""
    estate = demo.estates["JX-E004"]
    company = estate.property_company
    assert company is not None
    r = s.report_file(
        actor=demo.users["office"],
        estate=estate,
        kind=ReportKind.COMMON_INCOME,
        filer_party=Party.PROPERTY_COMPANY,
        fields={"item": "场地租赁", "period": "2026 年", "amount": "1200", "use": "公示"},
    )
    assert r.unreached == ["party_org"]
    assert r.recipients.filter(party="conference").exists()
    client = login("office")
    assert (
        "未能送达（未登记）：社区党组织" in client.get(f"/parties/reports/{r.pk}/").content.decode()
    )
    assert client.get(f"/api/parties/reports/{r.pk}").json()["unreached"] == ["party_org"]


def test_filing_tells_the_reached_units_and_the_office_at_once(demo: Any) -> None:
    """002 (三)第四条: the bodies are told when the report is filed, not when they happen to
    open the list: their staff's e-mail (and their group robots), and the office's staff
    when the kind reaches the office; nobody of the other county."""
    from gongzhi.notify.models import EventType, Message
    from gongzhi.org.models import User

    for name in ("jiedao", "office", "cb-office", "wuye", "yeweihui"):
        User.objects.filter(username=name).update(email=f"{name}@example.cn")
    change = Report.objects.get(kind=ReportKind.COMPANY_CHANGE, estate__code="JX-E001")
    r = s.report_file(
        actor=demo.users["yeweihui"],
        estate=demo.estates["JX-E001"],
        kind=ReportKind.COMPANY_CHANGE,
        filer_party=Party.OWNERS_COMMITTEE,
        fields=change.data,
    )
    sent = Message.objects.filter(event=EventType.REPORT_FILED, target=f"parties.report:{r.pk}")
    emails = set(sent.filter(channel="email").values_list("address", flat=True))
    # The street, the county's office, the company (a seat of the three-party conference);
    # not the filer (the owners' committee) nor the other county.
    assert {"jiedao@example.cn", "office@example.cn", "wuye@example.cn"} <= emails
    assert "cb-office@example.cn" not in emails and "yeweihui@example.cn" not in emails
    body = sent.filter(channel="email").earliest("pk").body
    assert "曾子花园" in body and f"/parties/reports/{r.pk}/" in body
    # The company's group robot (the demo has one) gets it too.
    assert sent.filter(channel="wecom").exists()
