"""Unplanned outages as mass incidents (004 三(三)): opening with the companies' tasks,
linking cases (page, API, suggestions; never another county's), progress, tasks done,
and closing: every linked case updated through the cases' table, one message per
reporter, closing twice changes nothing; through service, API and page."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.cases import services as cs
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.common.errors import Conflict, InvalidInput, PermissionDenied
from gongzhi.notify.models import EventType, Message
from gongzhi.parties import services as s
from gongzhi.parties.models import Outage, OutageCase

pytestmark = pytest.mark.django_db

TITLE = "曾子花园 10kV 线路故障停电"


def _outage() -> Outage:
    return Outage.objects.get(title=TITLE)


def _case(demo: Any, estate: str = "JX-E001", phone: str = "13800000001", **kw: Any) -> Case:
    args: dict[str, Any] = {
        "channel": "12345",
        "estate": estate,
        "title": "家里没电了",
        "description": "整栋楼停电。",
        "matter_code": "JX-14-a",
        "reporter_name": "赵一",
        "reporter_phone": phone,
        "actor": demo.users["dispatcher"],
    }
    args.update(kw)
    return cs.case_register(**args)


def _post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_demo_outage_tasks_cases_and_board(client: Any, demo: Any) -> None:
    outage = _outage()
    assert outage.links.count() == 3
    kinds = set(outage.tasks.values_list("kind", flat=True))
    assert kinds == {"notify_residents", "emergency_lighting", "assist_repair"}
    assert outage.tasks.filter(done_at__isnull=False).count() == 1
    board = client.get("/estates/JX-E001/").content.decode()
    assert "正在抢修" in board and TITLE in board and "预计 12:00 前恢复供电" in board
    assert "孙丽华" not in board  # no resident on the public board
    assert TITLE not in client.get("/estates/JX-E002/").content.decode()
    api = client.get("/api/board/estates/JX-E001").json()
    assert api["outages"][0]["title"] == TITLE and "cases" not in api["outages"][0]


def test_close_updates_every_linked_case_and_tells_each_reporter_once(demo: Any) -> None:
    outage = _outage()
    # A second case of a reporter already linked: one message for both.
    again = _case(demo, phone="13805370101", reporter_name="孙丽华")
    s.outage_link(actor=demo.users["office"], outage=outage, numbers=[again.number])
    before = {c.pk: c.version for c in Case.objects.filter(pk__in=outage.links.values("case_id"))}
    cs.case_accept(case=Case.objects.get(pk=again.pk), actor=demo.users["gongdian"])
    out = s.outage_close(
        actor=demo.users["gongdian"],
        outage=outage,
        expected_version=outage.version,
        note="更换熔断器后于 11:40 恢复供电",
    )
    assert len(out["handled"]) + len(out["noted"]) == 4
    assert out["reporters"] == 3
    for link in OutageCase.objects.filter(outage=outage).select_related("case"):
        case = link.case
        assert case.version > before[case.pk]
        last = CaseEvent.objects.filter(case=case).order_by("-id").first()
        assert last is not None and last.action in ("incident_handle", "incident_restored")
        assert "恢复供电" in last.reason
        if link.outcome == "handled":
            assert case.state == "handled" and "恢复供电" in case.result
    assert Case.objects.get(pk=again.pk).state == "handled"
    sms = Message.objects.filter(event=EventType.INCIDENT_RESTORED, channel="sms")
    assert sorted(sms.values_list("address", flat=True)) == [
        "13705370303",
        "13805370101",
        "13905370202",
    ]
    assert "恢复通知" in sms.first().body  # type: ignore[union-attr]
    # Closing again (the same page) changes nothing.
    with pytest.raises(Conflict):
        s.outage_close(actor=demo.users["gongdian"], outage=outage, expected_version=1, note="再次")
    outage.refresh_from_db()
    with pytest.raises(Conflict):
        s.outage_close(
            actor=demo.users["gongdian"],
            outage=outage,
            expected_version=outage.version,
            note="再次",
        )
    assert sms.count() == 3


def test_linking_rules_and_suggestions(demo: Any) -> None:
    outage = _outage()
    office = demo.users["office"]
    fresh = _case(demo)
    other_estate = _case(demo, estate="JX-E002")
    water = _case(demo, matter_code="JX-14-b", title="没水了")
    chibi = Case.objects.filter(estate__code__startswith="CB").first()
    assert chibi is not None
    suggested = {c.number for c in s_suggest(outage)}
    assert fresh.number in suggested
    assert other_estate.number not in suggested and water.number not in suggested
    with pytest.raises(InvalidInput) as exc:
        s.outage_link(
            actor=office, outage=outage, numbers=[chibi.number, other_estate.number, "NOPE"]
        )
    assert [e.field for e in exc.value.errors] == ["numbers.0", "numbers.1", "numbers.2"]
    assert "不存在或不在本事件涉及的小区" in exc.value.errors[0].message
    assert not OutageCase.objects.filter(case=chibi).exists()
    for user in ("wuye", "cb-office", "zjj"):
        with pytest.raises(PermissionDenied):
            s.outage_link(actor=demo.users[user], outage=outage, numbers=[fresh.number])
    s.outage_link(actor=demo.users["jiedao"], outage=outage, numbers=[fresh.number])
    assert CaseEvent.objects.filter(case=fresh, action="incident_link").exists()
    with pytest.raises(InvalidInput):  # linked already
        s.outage_link(actor=office, outage=outage, numbers=[fresh.number])


def s_suggest(outage: Outage) -> list[Case]:
    from gongzhi.parties.selectors import outage_suggestions

    return outage_suggestions(outage)


def test_open_checks_and_tasks(demo: Any) -> None:
    now = timezone.now()
    args: dict[str, Any] = {
        "actor": demo.users["gongdian"],
        "utility": demo.units["utility_power"],
        "estates": [demo.estates["JX-E002"], demo.estates["JX-E004"]],
        "supply": "power",
        "title": "停电",
        "started_at": now - dt.timedelta(hours=1),
        "expected_at": now + dt.timedelta(hours=2),
    }
    with pytest.raises(InvalidInput) as exc:
        s.outage_open(
            **{**args, "title": " ", "supply": "x", "expected_at": now - dt.timedelta(hours=2)}
        )
    assert {e.field for e in exc.value.errors} == {"title", "supply", "expected_at"}
    for user in ("wuye", "cb-office"):
        with pytest.raises(PermissionDenied):
            s.outage_open(**{**args, "actor": demo.users[user]})
    outage = s.outage_open(**args)
    companies = set(outage.tasks.values_list("unit__name", flat=True))
    assert len(companies) == 2 and outage.tasks.count() == 6


def test_api_doors_and_other_county(login: Any, demo: Any) -> None:
    outage = _outage()
    fresh = _case(demo)
    client = login("gongdian")
    got = client.get(f"/api/parties/outages/{outage.pk}").json()
    assert got["allowed"] == ["link", "unlink", "post", "close"] and len(got["cases"]) == 3
    assert fresh.number in {c["number"] for c in got["suggested"]}
    assert all("孙丽华" not in c["title"] for c in got["cases"])
    r = _post(client, f"/api/parties/cases/{fresh.number}/outage", {"outage_id": outage.pk})
    assert r.status_code == 200, r.content
    r = _post(client, f"/api/parties/outages/{outage.pk}/updates", {"text": "已恢复一半"})
    assert r.status_code == 200 and "已恢复一半" in [u["text"] for u in r.json()["updates"]]
    # The company marks its task; the other county sees nothing.
    task = outage.tasks.filter(done_at__isnull=True).first()
    assert task is not None
    other = login("cb-office")
    assert other.get(f"/api/parties/outages/{outage.pk}").status_code == 404
    assert _post(other, f"/api/parties/outage-tasks/{task.pk}/done", {}).status_code == 404
    assert other.get("/api/parties/outages").json() == []
    assert other.get(f"/parties/outages/{outage.pk}/").status_code == 404
    wuye = login("wuye")
    r = _post(wuye, f"/api/parties/outage-tasks/{task.pk}/done", {"note": "好了"})
    assert r.status_code == 200 and r.json()["done_at"]
    assert _post(wuye, f"/api/parties/outages/{outage.pk}/close", {
        "expected_version": outage.version, "note": "x"}).status_code == 403  # fmt: skip
    client = login("gongdian")
    body = {"expected_version": outage.version, "note": "已恢复供电"}
    r = _post(client, f"/api/parties/outages/{outage.pk}/close", body)
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "restored" and len(r.json()["cases"]) == 4
    assert _post(client, f"/api/parties/outages/{outage.pk}/close", body).status_code == 409


def test_page(login: Any, demo: Any) -> None:
    outage = _outage()
    fresh = _case(demo)
    client = login("gongdian")
    page = client.get(f"/parties/outages/{outage.pk}/").content.decode()
    assert TITLE in page and fresh.number in page and "恢复供应，关闭事件" in page
    other = _case(demo, phone="13800000009")
    shown = login("office").get(f"/cases/{other.number}/").content.decode()
    assert "关联到突发事件" in shown and f"/parties/cases/{other.number}/outage/" in shown
    client = login("gongdian")
    r = client.post(f"/parties/outages/{outage.pk}/link/", {"numbers": fresh.number})
    assert r.status_code == 302
    assert OutageCase.objects.filter(case=fresh).exists()
    r = client.post(
        f"/parties/outages/{outage.pk}/close/",
        {"expected_version": outage.version, "note": ""},
    )
    assert r.status_code == 422 and Outage.objects.get(pk=outage.pk).state == "open"
    r = client.post(
        f"/parties/outages/{outage.pk}/close/",
        {"expected_version": outage.version, "note": "已恢复"},
    )
    assert r.status_code == 302
    assert Outage.objects.get(pk=outage.pk).state == "restored"
    shown = login("gongdian").get(f"/cases/{fresh.number}/").content.decode()
    assert "本案件由突发事件" in shown and f"/parties/outages/{outage.pk}/" in shown
    case_page = login("gongdian").get(f"/parties/cases/{fresh.number}/outage/")
    assert case_page.status_code == 200
    assert login("cb-office").get(f"/parties/cases/{fresh.number}/outage/").status_code == 404
