"""The API's doors (issue 8): a bearer token gets what the session gets; what the pages
can do the API can do (case candidates, raising cases as a topic, members and their
history, membership changes, leave requests, marking the inbox read, the people who may
stand in); one schedule schema with one set of defaults; enums and errors in OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gongzhi.cases.models import Case
from gongzhi.common.apiauth import api_token_create
from gongzhi.meetings.models import InboxMessage, LeaveRequest, Meeting, Schedule
from gongzhi.meetings.workflow import MeetingState
from gongzhi.org.models import Body, BodyMember, User
from gongzhi.org.services import body_create

pytestmark = pytest.mark.django_db
J = "application/json"


def _jx() -> Body:
    return Body.objects.get(name="嘉祥街道物业管理联席会议")


def _get_paths(client: Client) -> list[str]:
    """Every GET of the meetings API, with real ids in its path."""
    body = _jx()
    meeting = Meeting.objects.get(body=body, state=MeetingState.NOTICED)
    ids = {
        "bodies": body.pk,
        "meetings": meeting.pk,
        "topics": meeting.topics.get().pk,
        "decisions": meeting.body.meetings.get(state=MeetingState.CLOSED).decisions.all()[0].pk,
        "invitations": LeaveRequest.objects.get().invitation_id,
        "leaves": LeaveRequest.objects.get().pk,
    }
    paths = client.get("/api/openapi.json").json()["paths"]
    found = []
    for path, ops in paths.items():
        if path.startswith("/api/meetings/") and "get" in ops:
            kind = path.split("/")[3]
            found.append(path.replace("{pk}", str(ids.get(kind, 0))))
    closed = body.meetings.get(state=MeetingState.CLOSED).pk
    return [
        p.replace(f"/meetings/{meeting.pk}/minutes", f"/meetings/{closed}/minutes")
        + ("?year=2026" if p.endswith("/summary") else "")
        for p in found
    ]


def test_a_token_reads_and_acts_as_its_account_and_nobody_else_gets_in(demo, client) -> None:
    office = User.objects.get(username="office")
    key = api_token_create(user=office, name="12345 热线系统")
    token = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    session = Client()
    session.force_login(office)
    paths = _get_paths(session)
    assert len(paths) >= 15
    for path in paths:
        by_token, by_session = token.get(path), session.get(path)
        assert by_token.status_code == by_session.status_code == 200, path
        assert by_token.json() == by_session.json(), path
        assert client.get(path).status_code == 401, path
        assert Client(HTTP_AUTHORIZATION="Bearer gz_wrong").get(path).status_code == 401, path
    # Writes too, with the account's own permissions.
    convener = Client(
        HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=User.objects.get(username='convener'), name='t')}"
    )
    topic = _jx().topics.get(state="proposed")
    assert (
        token.post(
            f"/api/meetings/topics/{topic.pk}/review", {"approve": True}, content_type=J
        ).status_code
        == 403
    )
    r = convener.post(f"/api/meetings/topics/{topic.pk}/review", {"approve": True}, content_type=J)
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert r.json()["allowed"] == []  # the convener approves; the office schedules


def test_cases_become_a_topic_through_the_api_proposed_by_the_office(
    demo, login, at_demo_now
) -> None:
    body = _jx()
    office = login("office")
    candidates = office.get(f"/api/meetings/bodies/{body.pk}/case-candidates").json()
    case = Case.objects.get(title="地下车库照明大面积损坏")
    assert {"case_id": case.pk, "reason": "在街道层级超时未办结"}.items() <= next(
        c for c in candidates if c["case_id"] == case.pk
    ).items()
    assert login("zjj").get(f"/api/meetings/bodies/{body.pk}/case-candidates").json() == []
    office = login("office")
    r = office.post(
        f"/api/meetings/bodies/{body.pk}/topics/from-cases",
        {"case_ids": [case.pk], "ask": "请明确维修资金"},
        content_type=J,
    )
    assert r.status_code == 201, r.json()
    topic = r.json()
    assert topic["proposing_unit"] == body.office_unit.name  # type: ignore[union-attr]
    assert topic["case_ids"] == [case.pk] and topic["ask"] == "请明确维修资金"
    again = office.post(
        f"/api/meetings/bodies/{body.pk}/topics/from-cases", {"case_ids": [case.pk]}, content_type=J
    )
    assert again.status_code == 422 and "已在议题" in again.json()["errors"][0]["message"]
    left = office.get(f"/api/meetings/bodies/{body.pk}/case-candidates").json()
    assert case.pk not in {c["case_id"] for c in left}


def test_members_and_their_history_and_a_change_through_the_api(demo, login) -> None:
    body = _jx()
    seat = BodyMember.objects.get(body=body, unit=demo.units["market_regulation"], end_date=None)
    jiedao = login("jiedao")
    before = jiedao.get(f"/api/meetings/bodies/{body.pk}/members").json()
    assert seat.pk in {m["id"] for m in before["current"]} and before["history"] == []
    change = {
        "role": "member",
        "unit_id": demo.units["market_regulation"].pk,
        "person_name": "周新",
        "title": "副局长",
        "replaces_id": seat.pk,
        "start_date": "2026-11-01",
        "reason": "市场监管局提出，经 10 月例会确认",
    }
    assert (
        login("zjj")
        .post(f"/api/meetings/bodies/{body.pk}/members", change, content_type=J)
        .status_code
        == 403
    )
    jiedao = login("jiedao")
    no_reason = jiedao.post(
        f"/api/meetings/bodies/{body.pk}/members", {**change, "reason": ""}, content_type=J
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["message"] == "请注明变更依据（如经第几次会议确认）"
    r = jiedao.post(f"/api/meetings/bodies/{body.pk}/members", change, content_type=J)
    assert r.status_code == 201 and r.json()["person"] == "周新"
    after = jiedao.get(f"/api/meetings/bodies/{body.pk}/members").json()
    assert [(m["id"], m["end_date"]) for m in after["history"]] == [(seat.pk, "2026-10-31")]
    assert r.json()["id"] in {m["id"] for m in after["current"]}


def test_leave_requests_people_and_the_inbox_through_the_api(demo, login, at_demo_now) -> None:
    leave = LeaveRequest.objects.get()
    convener = login("convener")
    listed = convener.get("/api/meetings/leaves?state=requested").json()
    assert [(x["id"], x["allowed"]) for x in listed] == [(leave.pk, ["leave_decide"])]
    assert convener.get("/api/meetings/leaves?state=filed").json() == []
    assert login("resident").get("/api/meetings/leaves").json() == []
    zjj = login("zjj")
    people = zjj.get(f"/api/meetings/invitations/{leave.invitation_id}/people").json()
    assert "马骏" in {p["name"] for p in people}
    box = zjj.get("/api/meetings/inbox").json()
    assert box["unread"] > 0 and box["allowed"] == ["inbox_read"]
    first = box["messages"][0]["id"]
    r = zjj.post("/api/meetings/inbox/read", {"ids": [first]}, content_type=J)
    assert r.json() == {"read": 1}
    r = zjj.post("/api/meetings/inbox/read", {}, content_type=J)
    assert r.json()["read"] == box["unread"] - 1
    box = zjj.get("/api/meetings/inbox").json()
    assert box["unread"] == 0 and box["allowed"] == []
    assert zjj.post("/api/meetings/inbox/read", {}, content_type=J).status_code == 400
    # Reading is per unit: another unit's messages stay unread.
    assert InboxMessage.objects.filter(read_at__isnull=True).exists()


def test_one_schedule_schema_one_set_of_defaults_through_both_doors(demo, login) -> None:
    made = [
        body_create(
            name=f"测试联席会议{i}",
            kind=Body.Kind.JOINT_CONFERENCE,
            jurisdiction=demo.jurisdictions["万张街道"],
        )
        for i in (1, 2)
    ]
    office = login("office")
    page = office.post(
        f"/meetings/bodies/{made[0].pk}/",
        {"action": "schedule_set", "rule": "monthly", "weekday": "2"},
    )
    assert page.status_code == 302
    api = office.put(
        f"/api/meetings/bodies/{made[1].pk}/schedule",
        {"rule": "monthly", "weekday": 2},
        content_type=J,
    )
    assert api.status_code == 200

    def values(body: Body) -> tuple[Any, ...]:
        sch = Schedule.objects.get(body=body)
        return (
            sch.week_of_month,
            sch.notice_days,
            sch.remind_days,
            sch.start_time,
            sch.interval_months,
        )

    assert values(made[0]) == values(made[1]) == (3, 3, 3, values(made[0])[3], 1)
    # The page's form shows the same defaults for a body without a schedule.
    third = body_create(
        name="测试联席会议3",
        kind=Body.Kind.JOINT_CONFERENCE,
        jurisdiction=demo.jurisdictions["万张街道"],
    )
    html = office.get(f"/meetings/bodies/{third.pk}/").content.decode()
    assert 'name="week_of_month" type="number" min="1" max="5" value="3"' in html
    assert 'name="notice_days" type="number" min="0" max="30" value="3"' in html


def test_openapi_declares_enums_with_labels_and_every_error(demo, client) -> None:
    doc = client.get("/api/openapi.json").json()
    schemas = doc["components"]["schemas"]

    def prop(schema: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = schemas[schema]["properties"][name]
        return found

    assert prop("MeetingOut", "kind")["enum"] == ["planned", "plenary", "partial"]
    assert "missed 未按期召开" in prop("MeetingOut", "state")["description"]
    assert "proposed 待审批" in prop("TopicOut", "state")["description"]
    assert "observer 列席" in prop("InvitationIn", "role")["description"]
    assert "substitute 委托代会" in prop("AttendanceRowIn", "status")["description"]
    assert "even_months_last_week 每个双月最后一周" in prop("ScheduleIn", "rule")["description"]
    assert "plenary 全体成员会议" in prop("MeetingIn", "kind")["description"]
    assert prop("TransitionIn", "to")["enum"][-1] == "missed"
    for path, ops in doc["paths"].items():
        if not path.startswith("/api/meetings/"):
            continue
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"400", "401", "403", "404", "409", "422"} <= codes, (method, path)
            ref = op["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorOut"), (method, path)
