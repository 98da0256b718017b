"""Case ⇄ topic ⇄ decision: candidates suggested from cases on the agenda builder, the
office raises cases as a topic, and the decision closes them or hands them back."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.cases.models import Case
from gongzhi.common.errors import InvalidInput
from gongzhi.meetings import services as s
from gongzhi.meetings.models import Meeting, Topic
from gongzhi.meetings.workflow import MeetingState, TopicState
from gongzhi.org.models import Body, User

pytestmark = pytest.mark.django_db


def _jx() -> Body:
    return Body.objects.get(name="嘉祥街道物业管理联席会议")


def _case(title: str) -> Case:
    return Case.objects.get(title=title)


def _hold_with_decision(topic: Topic, traveller, *, close: bool, instructions: str = ""):
    body = topic.body
    meeting = Meeting.objects.filter(body=body, state=MeetingState.PLANNED).order_by("starts_at")[0]
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
    return s.decision_add(
        meeting=meeting,
        topic=topic,
        title="车库照明整改",
        required_outcome="更换全部灯具",
        responsible_unit=topic.cases.get().lead_unit,
        due_date=meeting.starts_at.date() + dt.timedelta(days=10),
        closes_cases=close,
        case_instructions=instructions,
        actor=User.objects.get(username="office"),
    )


def test_candidates_on_the_agenda_builder_and_raising_a_case(demo, login, at_demo_now) -> None:
    body = _jx()
    december = Meeting.objects.filter(body=body, state=MeetingState.PLANNED).order_by("starts_at")[
        0
    ]
    office = login("office")
    html = office.get(f"/meetings/m/{december.pk}/agenda/").content.decode()
    case = _case("地下车库照明大面积损坏")
    assert case.number in html and "在街道层级超时未办结" in html
    form = {"action": "topic_from_cases", "target": body.pk, "case_ids": [case.pk]}
    response = office.post(f"/meetings/m/{december.pk}/agenda/", form)
    topic = Topic.objects.get(cases=case)
    assert response.status_code == 302 and response["Location"] == f"/meetings/topics/{topic.pk}/"
    assert topic.state == TopicState.PROPOSED
    # The office raises it (issue 7): proposed by the body's office unit in the name of the
    # person who raised it, not by the unit that let the case lapse.
    assert topic.proposing_unit == body.office_unit != case.lead_unit
    assert topic.proposed_by == User.objects.get(username="office")
    assert case.number in topic.background and topic.title.startswith("地下车库照明大面积损坏")
    # Once on a topic, the case is no longer suggested, and can't be raised twice.
    html = office.get(f"/meetings/m/{december.pk}/agenda/").content.decode()
    assert "在街道层级超时未办结" not in html
    with pytest.raises(InvalidInput):
        s.topic_from_cases(body=body, cases=[case], actor=User.objects.get(username="office"))
    # Members can't raise cases; cases of different estates don't go together.
    assert (
        login("zjj")
        .post(f"/meetings/m/{december.pk}/cases/", {**form, "case_ids": [case.pk]})
        .status_code
        == 403
    )
    with pytest.raises(InvalidInput) as err:
        s.topic_from_cases(
            body=body,
            cases=[_case("物业费收费项目没有公示"), _case("顶楼住户在楼顶私搭阳光房")],
            actor=User.objects.get(username="office"),
        )
    assert "同一小区、同一事项" in err.value.errors[0].message


def test_decision_done_closes_its_cases(demo, login, at_demo_now) -> None:
    case = _case("地下车库照明大面积损坏")
    topic = s.topic_from_cases(body=_jx(), cases=[case], actor=None)
    decision = _hold_with_decision(topic, at_demo_now, close=True)
    assert list(decision.cases.all()) == [case]  # inherited from the topic
    wuye = login("wuye")
    wuye.post(
        f"/meetings/decisions/{decision.pk}/",
        {"action": "decision_complete", "outcome": "灯具已全部更换"},
    )
    case.refresh_from_db()
    assert case.state == "closed"
    assert "灯具已全部更换" in case.result


def test_decision_done_hands_cases_back_with_instructions(demo, at_demo_now) -> None:
    case = _case("地下车库照明大面积损坏")
    lead = case.lead_unit
    topic = s.topic_from_cases(body=_jx(), cases=[case], actor=None)
    with pytest.raises(InvalidInput) as err:
        _hold_with_decision(topic, at_demo_now, close=False)
    assert err.value.errors[0].field == "case_instructions"
    assert topic.meeting is not None
    decision = s.decision_add(
        meeting=topic.meeting,
        topic=topic,
        title="车库照明整改",
        required_outcome="更换全部灯具",
        responsible_unit=topic.cases.get().lead_unit,
        due_date=dt.date(2026, 12, 31),
        closes_cases=False,
        case_instructions="物业公司一周内完成更换，街道验收",
        actor=None,
    )
    s.decision_complete(
        decision=decision, outcome="已明确由物业公司负责", actor=User.objects.get(username="office")
    )
    case.refresh_from_db()
    assert case.state == "dispatched"
    assert case.lead_unit == lead
