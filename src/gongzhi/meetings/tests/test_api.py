"""The JSON API: the same flows and permissions as the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings.models import Meeting, Topic
from gongzhi.meetings.workflow import MeetingState
from gongzhi.org.models import Body, Post

pytestmark = pytest.mark.django_db
J = "application/json"


def _jx() -> Body:
    return Body.objects.get(name="嘉祥街道物业管理联席会议")


def test_bodies_and_meetings_visible_by_role(demo, login, client) -> None:
    assert client.get("/api/meetings/bodies").status_code == 401
    office = login("office")
    names = {b["name"] for b in office.get("/api/meetings/bodies").json()}
    assert {
        "嘉祥街道物业管理联席会议",
        "建设路社区三方联席会议",
        "嘉祥县物业管理工作领导小组",
    } <= names
    body = _jx()
    detail = office.get(f"/api/meetings/bodies/{body.pk}").json()
    assert detail["schedule"]["describe"] == "每月第2周星期三 09:00" and detail["can_manage"]
    wuye = login("wuye")  # the property company sits in the street body and a three-party one
    names = {b["name"] for b in wuye.get("/api/meetings/bodies").json()}
    assert "嘉祥街道物业管理联席会议" in names and "万张街道物业管理联席会议" not in names
    # Objects an account may not read are answered as missing (404), not forbidden.
    assert login("resident").get(f"/api/meetings/bodies/{body.pk}").status_code == 404
    three = Body.objects.get(name="建设路社区三方联席会议")
    meetings = login("office").get(f"/api/meetings/meetings?body={three.pk}").json()
    assert meetings[0]["starts_at"] == "2026-12-31T07:00:00Z"  # 15:00 Beijing time


def test_topic_agenda_notice_leave_through_api(demo, login, at_demo_now) -> None:
    body = _jx()
    zfj = login("zfj")
    bad = zfj.post(
        f"/api/meetings/bodies/{body.pk}/topics",
        {"unit_id": demo.units["urban_enforcement"].pk, "title": " ", "background": "", "ask": "x"},
        content_type=J,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"title", "background"}
    created = zfj.post(
        f"/api/meetings/bodies/{body.pk}/topics",
        {
            "unit_id": demo.units["urban_enforcement"].pk,
            "title": "油烟扰民联合整治",
            "background": "多次投诉",
            "ask": "请明确牵头单位",
            "estate_codes": ["JX-E002"],
        },
        content_type=J,
    )
    assert created.status_code == 201, created.json()
    topic_id = created.json()["id"]
    assert (
        zfj.post(
            f"/api/meetings/topics/{topic_id}/review", {"approve": True}, content_type=J
        ).status_code
        == 403
    )
    convener = login("convener")
    r = convener.post(f"/api/meetings/topics/{topic_id}/review", {"approve": True}, content_type=J)
    assert r.json()["state"] == "approved"
    december = Meeting.objects.filter(body=body, state=MeetingState.PLANNED).order_by("starts_at")[
        0
    ]
    office = login("office")
    r = office.post(
        f"/api/meetings/topics/{topic_id}/schedule", {"meeting_id": december.pk}, content_type=J
    )
    assert r.json()["meeting_id"] == december.pk
    detail = office.post(f"/api/meetings/meetings/{december.pk}/notice").json()
    assert detail["state"] == "noticed"
    assert [row["state"] for row in detail["previous_decisions"]] == ["done", "escalated"]
    assert detail["topics"][0]["title"] == "油烟扰民联合整治"
    inv = next(i for i in detail["invitations"] if i["unit_id"] == demo.units["housing_bureau"].pk)
    liaison = Post.objects.get(unit=demo.units["housing_bureau"], role="liaison", end_date=None)
    zjj = login("zjj")
    leave = zjj.post(
        f"/api/meetings/invitations/{inv['id']}/leave",
        {"reason": "出差", "substitute_id": liaison.person_id},
        content_type=J,
    )
    assert leave.status_code == 201 and leave.json()["substitute"] == "马骏"
    ours = zjj.get(f"/api/meetings/meetings/{december.pk}").json()["invitations"]
    assert "leave_request" not in next(i for i in ours if i["id"] == inv["id"])["allowed"]
    again = zjj.post(
        f"/api/meetings/invitations/{inv['id']}/leave",
        {"reason": "出差", "substitute_id": liaison.person_id},
        content_type=J,
    )
    assert again.status_code == 400 and again.json()["message"] == "本单位已有请假申请"
    inbox = zjj.get("/api/meetings/inbox").json()
    assert any(n["meeting_id"] == december.pk for n in inbox["notices"])
    r = login("convener").post(
        f"/api/meetings/leaves/{leave.json()['id']}/decide", {"approve": True}, content_type=J
    )
    assert r.json()["state"] == "approved"
    r = login("office").post(f"/api/meetings/leaves/{leave.json()['id']}/file")
    assert r.json()["state"] == "filed"


def test_meeting_minutes_decisions_through_api(demo, login, at_demo_now) -> None:
    body = _jx()
    office = login("office")
    start = (dt.datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI)).isoformat()
    bad = office.post(
        f"/api/meetings/bodies/{body.pk}/meetings",
        {"kind": "partial", "starts_at": start, "place": "", "unit_ids": []},
        content_type=J,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"place", "units"}
    units = [demo.units["street:嘉祥街道"].pk, demo.units["housing_bureau"].pk]
    made = office.post(
        f"/api/meetings/bodies/{body.pk}/meetings",
        {"kind": "partial", "starts_at": start, "place": "街道会议室", "unit_ids": units},
        content_type=J,
    )
    assert made.status_code == 201
    mid = made.json()["id"]
    topic = Topic.objects.filter(body=body, state="proposed")[0]
    login("convener").post(
        f"/api/meetings/topics/{topic.pk}/review", {"approve": True}, content_type=J
    )
    office = login("office")
    office.post(f"/api/meetings/topics/{topic.pk}/schedule", {"meeting_id": mid}, content_type=J)
    office.post(
        f"/api/meetings/meetings/{mid}/invitations",
        {"role": "observer", "name": "县人大城建环保工委"},
        content_type=J,
    )
    office.post(f"/api/meetings/meetings/{mid}/notice")
    at_demo_now.move_to(dt.datetime(2026, 11, 5, 11, 0, tzinfo=SHANGHAI))
    office = login("office")
    detail = office.get(f"/api/meetings/meetings/{mid}").json()
    assert {i["label"] for i in detail["invitations"]} >= {"县人大城建环保工委"}
    rows = [{"invitation_id": i["id"], "status": "present"} for i in detail["invitations"]]
    r = office.post(f"/api/meetings/meetings/{mid}/attendance", {"rows": rows}, content_type=J)
    assert r.json()["state"] == "held"
    r = office.put(
        f"/api/meetings/meetings/{mid}/minutes",
        {
            "summary": "部分成员会议",
            "items": [{"topic_id": topic.pk, "conclusion": "街道牵头核对"}],
        },
        content_type=J,
    )
    assert r.json()["state"] == "draft"
    r = office.post(
        f"/api/meetings/meetings/{mid}/decisions",
        {
            "title": "核对公共收益",
            "required_outcome": "公示核对结果",
            "responsible_unit_id": demo.units["street:嘉祥街道"].pk,
            "due_date": "2026-11-04",
            "topic_id": topic.pk,
        },
        content_type=J,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "due_date"
    r = office.post(
        f"/api/meetings/meetings/{mid}/decisions",
        {
            "title": "核对公共收益",
            "required_outcome": "公示核对结果",
            "responsible_unit_id": demo.units["street:嘉祥街道"].pk,
            "due_date": "2026-11-30",
            "topic_id": topic.pk,
        },
        content_type=J,
    )
    assert r.status_code == 201
    did = r.json()["id"]
    assert office.post(f"/api/meetings/meetings/{mid}/minutes/sign").status_code == 403
    assert (
        login("convener").post(f"/api/meetings/meetings/{mid}/minutes/sign").json()["state"]
        == "signed"
    )
    office = login("office")
    assert office.post(f"/api/meetings/meetings/{mid}/minutes/send").json()["state"] == "sent"
    jiedao = login("jiedao")
    r = jiedao.post(
        f"/api/meetings/decisions/{did}/progress", {"text": "已组织三方核对"}, content_type=J
    )
    assert r.status_code == 201
    r = jiedao.post(
        f"/api/meetings/decisions/{did}/complete", {"outcome": "核对结果已公示"}, content_type=J
    )
    assert r.json()["state"] == "done"
    assert (
        jiedao.post(
            f"/api/meetings/decisions/{did}/escalate", {"reason": "x"}, content_type=J
        ).status_code
        == 400
    )
    summary = (
        login("auditor").get(f"/api/meetings/bodies/{body.pk}/summary?year=2026&half=2").json()
    )
    assert summary["held"] == 2 and summary["adhoc"] == 1 and summary["done_on_time"] == 2


def test_openapi_lists_meeting_endpoints(demo, client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/meetings/topics/{pk}/review" in paths
    assert "/api/meetings/decisions/{pk}/escalate" in paths
