"""Issue 8, defect 1: a conference's decision accepted any case id and, when completed,
applied itself to another county's case. Linking a case to a topic or a decision now
needs the right to act on it as the office and a body whose area holds it; an id the
actor may not link is answered like one that does not exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongzhi.meetings import services as s
from gongzhi.meetings.models import Decision, Meeting, Topic
from gongzhi.meetings.workflow import DecisionState, MeetingState
from gongzhi.org.models import Body, User

pytestmark = pytest.mark.django_db
J = "application/json"
REFUSED = "所选案件不存在或无权关联"


def _jx() -> Body:
    return Body.objects.get(name="嘉祥街道物业管理联席会议")


def _held(demo: Any, traveller: Any) -> Meeting:
    meeting = Meeting.objects.filter(body=_jx(), state=MeetingState.PLANNED).order_by("starts_at")[
        0
    ]
    topic = s.topic_propose(
        body=_jx(),
        unit=demo.units["urban_enforcement"],
        title="电梯困人应急处置",
        background="背景",
        ask="请研究",
        actor=None,
    )
    s.topic_review(topic=topic, approve=True, actor=None)
    s.topic_schedule(topic=topic, meeting=meeting, actor=None)
    s.meeting_notice_send(meeting=meeting, actor=None)
    traveller.move_to(meeting.starts_at + dt.timedelta(hours=1))
    s.attendance_record(
        meeting=meeting,
        rows=[s.AttendanceRow(i.pk, "present") for i in meeting.invitations.all()],
        actor=None,
    )
    meeting.refresh_from_db()
    return meeting


def _decision(demo: Any, **extra: Any) -> dict[str, Any]:
    return {
        "title": "督促电梯维保",
        "required_outcome": "一周内恢复运行",
        "responsible_unit_id": demo.units["market_regulation"].pk,
        "due_date": "2026-12-31",
        **extra,
    }


def test_office_of_one_county_cannot_link_or_settle_another_countys_case(
    demo, login, at_demo_now, other_county_case
) -> None:
    case = other_county_case
    meeting = _held(demo, at_demo_now)
    office = login("office")  # 嘉祥县's joint-conference office
    url = f"/api/meetings/meetings/{meeting.pk}/decisions"
    linked = office.post(
        url, _decision(demo, case_ids=[case.pk], closes_cases=True), content_type=J
    )
    assert linked.status_code == 422
    assert linked.json()["errors"] == [
        {"field": "case_ids", "message": REFUSED, "row": None, "column": None}
    ]
    # Exactly the answer for an id that does not exist: nothing tells the case is there.
    missing = office.post(url, _decision(demo, case_ids=[10**12]), content_type=J)
    assert missing.status_code == 422 and missing.json() == linked.json()
    assert not Decision.objects.filter(meeting=meeting).exists()

    # The decision without the case is recorded and completed; the other case is untouched.
    made = office.post(url, _decision(demo), content_type=J)
    assert made.status_code == 201 and made.json()["case_ids"] == []
    done = office.post(
        f"/api/meetings/decisions/{made.json()['id']}/complete",
        {"outcome": "已恢复运行"},
        content_type=J,
    )
    assert done.json()["state"] == "done"
    case.refresh_from_db()
    assert case.state == "registered"


def test_topics_refuse_another_countys_case_through_every_door(
    demo, login, at_demo_now, other_county_case
) -> None:
    case = other_county_case
    body = _jx()
    office = login("office")
    proposed = office.post(
        f"/api/meetings/bodies/{body.pk}/topics",
        {
            "unit_id": demo.units["street:嘉祥街道"].pk,
            "title": "电梯停运",
            "background": "b",
            "ask": "a",
            "case_ids": [case.pk],
        },
        content_type=J,
    )
    assert proposed.status_code == 422 and proposed.json()["errors"][0]["message"] == REFUSED
    raised = office.post(
        f"/api/meetings/bodies/{body.pk}/topics/from-cases",
        {"case_ids": [case.pk]},
        content_type=J,
    )
    assert raised.status_code == 422 and raised.json()["errors"][0]["message"] == REFUSED
    december = Meeting.objects.filter(body=body, state=MeetingState.PLANNED).order_by("starts_at")[
        0
    ]
    page = office.post(
        f"/meetings/m/{december.pk}/agenda/",
        {"action": "topic_from_cases", "target": body.pk, "case_ids": [case.pk]},
    )
    assert page.status_code == 422 and REFUSED in page.content.decode()
    assert not Topic.objects.filter(cases=case).exists()
    # The platform admin may act on any case as the office, but a street body's area
    # still does not hold another county's estate.
    with pytest.raises(Exception) as err:
        s.topic_from_cases(body=body, cases=[case], actor=User.objects.get(username="admin"))
    assert "不在嘉祥街道物业管理联席会议的辖区内" in str(err.value)


def test_a_case_linked_behind_the_services_back_is_still_refused_on_completion(
    demo, login, at_demo_now, other_county_case
) -> None:
    """Defence in depth: the cases app refuses a decision outside the body's area, and
    the whole completion with it."""
    case = other_county_case
    meeting = _held(demo, at_demo_now)
    decision = s.decision_add(
        meeting=meeting,
        title="督促电梯维保",
        required_outcome="一周内恢复运行",
        responsible_unit=demo.units["market_regulation"],
        due_date=dt.date(2026, 12, 31),
        actor=None,
    )
    decision.cases.add(case)  # as a bad import or an old row might have it
    done = login("office").post(
        f"/api/meetings/decisions/{decision.pk}/complete", {"outcome": "x"}, content_type=J
    )
    assert done.status_code == 403
    decision.refresh_from_db()
    case.refresh_from_db()
    assert decision.state == DecisionState.OPEN and case.state == "registered"
