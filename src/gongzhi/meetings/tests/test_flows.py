"""The flows of issue 4 through the services and through the pages: topic approval and
rejection, the agenda's automatic report on previous decisions, the notice in each
inbox and as PDF, leave with a substitute, attendance, minutes, decisions through done,
overdue and escalation, and the summary."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from gongzhi.common.audit import audit_trail
from gongzhi.common.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings import selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import (
    Attendance,
    Decision,
    InboxMessage,
    LeaveRequest,
    Meeting,
    Topic,
)
from gongzhi.meetings.workflow import DecisionState, LeaveState, MeetingState, TopicState
from gongzhi.org.models import Body, Person, Post, Unit, User

pytestmark = pytest.mark.django_db


def _jx() -> Body:
    return Body.objects.get(name="嘉祥街道物业管理联席会议")


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _next_planned(body: Body) -> Meeting:
    return Meeting.objects.filter(body=body, state=MeetingState.PLANNED).order_by("starts_at")[0]


def _propose(demo, unit_key: str = "urban_enforcement", title: str = "测试议题") -> Topic:
    return s.topic_propose(
        body=_jx(),
        unit=demo.units[unit_key],
        title=title,
        background="背景",
        ask="请研究",
        actor=None,
    )


# ---------------------------------------------------------------- topics


def test_topic_proposal_approval_and_rejection_through_pages(demo, login, at_demo_now) -> None:
    body = _jx()
    zfj = login("zfj")
    response = zfj.post(
        f"/meetings/bodies/{body.pk}/propose/",
        {
            "action": "topic_propose",
            "unit_id": demo.units["urban_enforcement"].pk,
            "title": "",
            "background": "",
            "ask": "",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "请填写议题名称" in html and "请说明背景情况" in html
    assert not Topic.objects.filter(proposing_unit=demo.units["urban_enforcement"]).exists()
    response = zfj.post(
        f"/meetings/bodies/{body.pk}/propose/",
        {
            "action": "topic_propose",
            "unit_id": demo.units["urban_enforcement"].pk,
            "title": "卧龙山庄违建拆除协调",
            "background": "屡次整改不到位",
            "ask": "请明确联合执法",
            "estate_codes": ["JX-E001"],
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get(title="卧龙山庄违建拆除协调")
    assert topic.state == TopicState.PROPOSED
    assert list(topic.estates.values_list("code", flat=True)) == ["JX-E001"]

    # The office manages but does not approve; the convener does.
    office = login("office")
    review = {"action": "topic_review", "approve": "true"}
    assert office.post(f"/meetings/topics/{topic.pk}/review/", review).status_code == 403
    convener = login("convener")
    assert f"topic-{topic.pk}" in convener.get("/meetings/topics/").content.decode()
    no_reason = convener.post(
        f"/meetings/topics/{topic.pk}/review/",
        {"action": "topic_review", "approve": "false", "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert no_reason.status_code == 422
    assert "不予批准须说明理由" in no_reason.content.decode()
    topic.refresh_from_db()
    assert topic.state == TopicState.PROPOSED
    row = convener.post(
        f"/meetings/topics/{topic.pk}/review/",
        {"action": "topic_review", "approve": "false", "reason": "属综合执法局职责，先按程序办理"},
        HTTP_HX_REQUEST="true",
    )
    assert row.status_code == 200 and "未批准" in row.content.decode()
    topic.refresh_from_db()
    assert topic.state == TopicState.REJECTED
    assert topic.reject_reason == "属综合执法局职责，先按程序办理"
    zfj = login("zfj")
    inbox = zfj.get("/meetings/inbox/").content.decode()
    assert "议题未获批准：卧龙山庄违建拆除协调。理由：属综合执法局职责" in inbox


def test_non_members_cannot_propose(demo, login) -> None:
    body = _jx()
    # The hotline centre sits in no body: it can't even see this one.
    assert login("dispatcher").get(f"/meetings/bodies/{body.pk}/propose/").status_code == 404
    # The auditor reads the body but is not offered to propose.
    assert login("auditor").get(f"/meetings/bodies/{body.pk}/propose/").status_code == 403
    with pytest.raises(InvalidInput) as err:
        s.topic_propose(
            body=body,
            unit=demo.units["hotline_centre"],
            title="t",
            background="b",
            ask="a",
            actor=_user("office"),
        )
    assert err.value.errors[0].field == "unit_id"
    with pytest.raises(PermissionDenied):
        s.topic_propose(
            body=body,
            unit=demo.units["urban_enforcement"],
            title="t",
            background="b",
            ask="a",
            actor=_user("zjj"),
        )


def test_two_conveners_at_once_one_wins(demo) -> None:
    topic = _propose(demo)
    first, second = Topic.objects.get(pk=topic.pk), Topic.objects.get(pk=topic.pk)
    s.topic_review(topic=first, approve=True, actor=_user("convener"))
    with pytest.raises(Conflict):
        s.topic_review(topic=second, approve=False, reason="重复", actor=_user("convener"))
    assert Topic.objects.get(pk=topic.pk).state == TopicState.APPROVED
    with pytest.raises(DomainError):  # not in the table: approved → rejected
        s.topic_review(
            topic=Topic.objects.get(pk=topic.pk), approve=False, reason="x", actor=_user("convener")
        )


# ---------------------------------------------------------------- agenda and notice


def test_agenda_opens_with_previous_decisions_and_office_compiles_it(
    demo, login, at_demo_now
) -> None:
    body = _jx()
    upcoming = Meeting.objects.get(body=body, state=MeetingState.NOTICED)
    report = selectors.meeting_agenda(upcoming).report
    assert [(r["title"], r["state_label"]) for r in report] == [
        ("老粮局宿舍环境卫生由街道托管", "已办结"),
        ("曾子花园地下车库违规充电联合整治", "已提请上级"),
    ]
    html = login("zjj").get(f"/meetings/m/{upcoming.pk}/notice/").content.decode()
    assert html.index("通报上期会议议定事项落实情况") < html.index("嘉宁小区物业服务企业退出交接")
    assert "已提请上级" in html

    # The office builds the next one: the report comes first automatically.
    december = _next_planned(body)
    topic = _propose(demo, title="电梯维保费用分摊")
    office = login("office")
    add = {"action": "topic_schedule", "target": topic.pk, "meeting_id": december.pk}
    response = office.post(f"/meetings/m/{december.pk}/agenda/", add, HTTP_HX_REQUEST="true")
    assert (
        response.status_code == 400
        and "当前状态“待审批”不能变为“已列入议程”" in response.content.decode()
    )
    s.topic_review(topic=topic, approve=True, actor=_user("convener"))
    response = office.post(f"/meetings/m/{december.pk}/agenda/", add, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("通报上期会议议定事项落实情况") < html.index("电梯维保费用分摊")
    assert Topic.objects.get(pk=topic.pk).meeting == december
    assert login("zfj").get(f"/meetings/m/{december.pk}/agenda/").status_code == 403


def test_notice_goes_to_every_participants_inbox_and_prints(demo, login, at_demo_now) -> None:
    body = _jx()
    december = _next_planned(body)
    office = login("office")
    page = office.get(f"/meetings/m/{december.pk}/").content.decode()
    assert "最迟 2026-12-06 发出书面通知" in page  # three days before 9 December
    notice = {"action": "meeting_notice"}
    response = office.post(f"/meetings/m/{december.pk}/", notice, follow=True)
    assert "会议通知已发出" in response.content.decode()
    december.refresh_from_db()
    assert december.state == MeetingState.NOTICED and december.notice_sent_at is not None
    units = set(december.invitations.values_list("unit_id", flat=True))
    assert demo.units["housing_bureau"].pk in units and demo.units["pc:鸿泰"].pk in units
    notices = InboxMessage.objects.filter(meeting=december, kind="notice")
    assert set(notices.values_list("unit_id", flat=True)) == units
    # The snapshot of the previous decisions travels with the notice.
    assert [r["state"] for r in december.decisions_report] == ["done", "escalated"]
    assert (
        "嘉祥街道物业管理联席会议2026年12月例会"
        in login("wuye").get("/meetings/inbox/").content.decode()
    )
    pdf = login("zjj").get(f"/meetings/m/{december.pk}/notice/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "会" in text and "通报上期会议议定事项落实情况" in text.replace(" ", "")
    # Sending twice is refused by the table.
    office = login("office")
    again = office.post(f"/meetings/m/{december.pk}/", notice)
    assert again.status_code == 400


# ---------------------------------------------------------------- leave and attendance


def test_leave_with_substitute_from_the_same_unit(demo, login, at_demo_now) -> None:
    body = _jx()
    december = _next_planned(body)
    s.meeting_notice_send(meeting=december, actor=_user("office"))
    inv = december.invitations.get(unit=demo.units["urban_enforcement"])
    outsider = Post.objects.filter(unit=demo.units["housing_bureau"])[0].person
    own = Person.objects.create(name="孙强")
    Post.objects.create(
        unit=demo.units["urban_enforcement"],
        person=own,
        role="handler",
        start_date=dt.date(2024, 1, 1),
    )
    zfj = login("zfj")
    leave_form = {"action": "leave_request", "target": inv.pk, "reason": "出差"}
    bad = zfj.post(f"/meetings/m/{december.pk}/", {**leave_form, "substitute_id": outsider.pk})
    assert bad.status_code == 422
    assert "代会人员须为县综合行政执法局的在职人员" in bad.content.decode()
    assert not LeaveRequest.objects.filter(invitation=inv).exists()
    ok = zfj.post(f"/meetings/m/{december.pk}/", {**leave_form, "substitute_id": own.pk})
    assert ok.status_code == 302
    leave = LeaveRequest.objects.get(invitation=inv)
    assert leave.state == LeaveState.REQUESTED
    # Only the convener approves; the office files.
    with pytest.raises(PermissionDenied):
        s.leave_decide(leave=leave, approve=True, actor=_user("office"))
    login("convener").post(
        f"/meetings/m/{december.pk}/",
        {"action": "leave_decide", "target": leave.pk, "approve": "true"},
    )
    office = login("office")
    office.post(f"/meetings/m/{december.pk}/", {"action": "leave_file", "target": leave.pk})
    leave.refresh_from_db()
    assert leave.state == LeaveState.FILED and leave.filed_at is not None
    assert "孙强 代会" in office.get(f"/meetings/m/{december.pk}/notice/").content.decode()

    # At the meeting: the page proposes "substitute" for the unit on leave.
    at_demo_now.move_to(december.starts_at)
    office = login("office")  # the session would have expired meanwhile
    page = office.get(f"/meetings/m/{december.pk}/attendance/").content.decode()
    assert '<option value="substitute" selected>' in page
    form = {"action": "attendance_record"}
    for i in december.invitations.all():
        form[f"status-{i.pk}"] = "present"
    form[f"status-{inv.pk}"] = "substitute"
    bad = office.post(f"/meetings/m/{december.pk}/attendance/", form)
    assert bad.status_code == 422 and "委托代会须填写代会人员" in bad.content.decode()
    form[f"attendee-{inv.pk}"] = str(own.pk)
    absent = december.invitations.get(unit=demo.units["market_regulation"])
    form[f"status-{absent.pk}"] = "absent"
    assert office.post(f"/meetings/m/{december.pk}/attendance/", form).status_code == 302
    december.refresh_from_db()
    assert december.state == MeetingState.HELD
    assert Attendance.objects.get(invitation=inv).attendee == own
    summary = selectors.body_summary(body, year=2026, half=2)
    lines = {a.unit: a for a in summary.attendance}
    assert lines["县综合行政执法局"].substitute == 1 and lines["县综合行政执法局"].present == 1
    assert lines["县市场监督管理局"].absent == 2  # October and December
    assert lines["县市场监督管理局"].rate == "0%"


# ---------------------------------------------------------------- minutes and decisions


def _held_meeting(demo, traveller) -> tuple[Meeting, Topic]:
    body = _jx()
    meeting = _next_planned(body)
    topic = _propose(demo, title="电梯维保费用分摊")
    s.topic_review(topic=topic, approve=True, actor=None)
    s.topic_schedule(topic=topic, meeting=meeting, actor=None)
    s.meeting_notice_send(meeting=meeting, actor=None)
    traveller.move_to(meeting.starts_at + dt.timedelta(hours=2))
    s.attendance_record(
        meeting=meeting,
        rows=[s.AttendanceRow(i.pk, "present") for i in meeting.invitations.all()],
        actor=None,
    )
    meeting.refresh_from_db()
    return meeting, topic


def test_minutes_signed_by_convener_then_sent(demo, login, at_demo_now) -> None:
    meeting, topic = _held_meeting(demo, at_demo_now)
    office = login("office")
    url = f"/meetings/m/{meeting.pk}/minutes/"
    office.post(
        url,
        {
            "action": "minutes_save",
            "summary": "会议概况",
            f"report-{topic.pk}": "汇报",
            f"views-{topic.pk}": "意见",
            f"conclusion-{topic.pk}": "",
        },
    )
    convener = login("convener")
    refused = convener.post(url, {"action": "minutes_sign"})
    assert refused.status_code == 422 and "尚无会议议定内容" in refused.content.decode()
    office = login("office")
    office.post(
        url,
        {
            "action": "minutes_save",
            "summary": "会议概况",
            f"report-{topic.pk}": "汇报",
            f"views-{topic.pk}": "意见",
            f"conclusion-{topic.pk}": "由住建局牵头制定分摊办法",
        },
    )
    office.post(
        url,
        {
            "action": "decision_add",
            "topic_id": topic.pk,
            "title": "制定电梯维保费用分摊办法",
            "required_outcome": "报县政府审定",
            "responsible_unit_id": demo.units["housing_bureau"].pk,
            "cooperating_unit_ids": [demo.units["market_regulation"].pk],
            "due_date": "2026-12-31",
        },
    )
    assert Decision.objects.filter(meeting=meeting).count() == 1
    assert office.post(url, {"action": "minutes_sign"}).status_code == 403
    login("convener").post(url, {"action": "minutes_sign"})
    office = login("office")
    refused = office.post(url, {"action": "minutes_save", "summary": "改"})
    assert refused.status_code == 409
    response = office.post(url, {"action": "minutes_send"}, follow=True)
    assert "纪要已分送" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CLOSED
    assert Topic.objects.get(pk=topic.pk).state == TopicState.DISCUSSED
    pdf = office.get(url + "?format=pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().replace(" ", "")
    assert "由住建局牵头制定分摊办法" in text and "制定电梯维保费用分摊办法" in text
    assert InboxMessage.objects.filter(
        meeting=meeting, kind="minutes", unit=demo.units["market_regulation"]
    ).exists()
    # …and the street reports the meeting to the county office (000 三(一)).
    report = InboxMessage.objects.get(
        meeting=meeting, unit=demo.units["housing_bureau"], key=f"report-up:{meeting.pk}"
    )
    assert "会议情况报告" in report.text and "1 项议定事项" in report.text


def test_decision_input_errors_write_nothing(demo, at_demo_now) -> None:
    meeting, topic = _held_meeting(demo, at_demo_now)
    with pytest.raises(InvalidInput) as err:
        s.decision_add(
            meeting=meeting,
            topic=topic,
            title="",
            required_outcome="",
            responsible_unit=None,
            due_date=dt.date(2026, 1, 1),
            actor=_user("office"),
        )
    assert {e.field for e in err.value.errors} == {
        "title",
        "required_outcome",
        "responsible_unit_id",
        "due_date",
    }
    assert not Decision.objects.filter(meeting=meeting).exists()


def test_decision_progress_reminder_overdue_escalation_done(demo, login, at_demo_now) -> None:
    meeting, topic = _held_meeting(demo, at_demo_now)
    day = meeting.starts_at.astimezone(SHANGHAI).date()
    due = day + dt.timedelta(days=10)
    decision = s.decision_add(
        meeting=meeting,
        topic=topic,
        title="制定分摊办法",
        required_outcome="报县政府审定",
        responsible_unit=demo.units["housing_bureau"],
        due_date=due,
        cooperating_units=[demo.units["market_regulation"]],
        actor=_user("office"),
    )
    zjj = login("zjj")
    zjj.post(
        f"/meetings/decisions/{decision.pk}/", {"action": "decision_progress", "text": "已起草初稿"}
    )
    decision.refresh_from_db()
    assert decision.state == DecisionState.IN_PROGRESS
    assert login("resident").get(f"/meetings/decisions/{decision.pk}/").status_code == 404

    # Three days before the due date: one reminder, however often the sweep runs.
    before = dt.datetime.combine(due - dt.timedelta(days=3), dt.time(8), tzinfo=SHANGHAI)
    assert s.meetings_sweep(now=before).reminded == [decision.pk]
    assert s.meetings_sweep(now=before).reminded == []
    assert InboxMessage.objects.filter(decision=decision, kind="reminder").count() == 1
    # The day after: flagged overdue once, in the unit's and the office's inbox.
    after = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(8), tzinfo=SHANGHAI)
    out = io.StringIO()
    call_command("meetings_sweep", now=after.isoformat(), stdout=out)
    assert "标记逾期 1 项" in out.getvalue()
    call_command("meetings_sweep", now=after.isoformat(), stdout=out)
    decision.refresh_from_db()
    assert decision.state == DecisionState.OVERDUE
    overdue = InboxMessage.objects.filter(decision=decision, kind="overdue")
    assert set(overdue.values_list("unit_id", flat=True)) == {
        demo.units["housing_bureau"].pk,
        demo.units["street:嘉祥街道"].pk,
    }
    board = login("office").get("/meetings/decisions/?state=overdue").content.decode()
    assert "制定分摊办法" in board and "逾期" in board

    # Escalation: a proposed topic of the county body, with the history attached.
    office = login("office")
    refused = office.post(
        f"/meetings/decisions/{decision.pk}/", {"action": "decision_escalate", "reason": ""}
    )
    assert refused.status_code == 422
    office.post(
        f"/meetings/decisions/{decision.pk}/",
        {"action": "decision_escalate", "reason": "需县级协调资金"},
    )
    decision.refresh_from_db()
    assert decision.state == DecisionState.ESCALATED
    raised = Topic.objects.get(escalated_from=decision)
    assert raised.body.name == "嘉祥县物业管理工作领导小组"
    assert raised.state == TopicState.PROPOSED
    assert "已起草初稿" in raised.background and "报县政府审定" in raised.background
    assert raised.proposing_unit == demo.units["street:嘉祥街道"]
    assert (
        "下级议定事项及其经过"
        in login("convener").get(f"/meetings/topics/{raised.pk}/").content.decode()
    )

    # Done at last (late): the summary counts it as done late.
    at_demo_now.move_to(after + dt.timedelta(days=2))
    login("zjj").post(
        f"/meetings/decisions/{decision.pk}/", {"action": "decision_complete", "outcome": ""}
    )
    assert Decision.objects.get(pk=decision.pk).state == DecisionState.ESCALATED
    login("zjj").post(
        f"/meetings/decisions/{decision.pk}/",
        {"action": "decision_complete", "outcome": "办法已印发"},
    )
    decision.refresh_from_db()
    assert decision.state == DecisionState.DONE
    assert [e.to_state for e in audit_trail(decision).order_by("id") if e.to_state] == [
        "open",
        "in_progress",
        "overdue",
        "escalated",
        "done",
    ]
    summary = selectors.body_summary(_jx(), year=2026)
    assert (summary.done_on_time, summary.done_late, summary.escalated) == (1, 1, 1)


def test_only_responsible_unit_or_office_completes(demo) -> None:
    held = Meeting.objects.get(body=_jx(), state=MeetingState.CLOSED)
    decision = held.decisions.get(state=DecisionState.ESCALATED)
    with pytest.raises(PermissionDenied):
        s.decision_complete(decision=decision, outcome="x", actor=_user("zjj"))
    with pytest.raises(DomainError):  # escalated → escalated is not a move
        s.decision_escalate(decision=decision, actor=_user("office"), reason="再次")


# ---------------------------------------------------------------- summaries


def test_summary_page_and_excel(demo, login) -> None:
    body = _jx()
    client = login("auditor")
    html = client.get(f"/meetings/bodies/{body.pk}/summary/?year=2026&half=2").content.decode()
    assert "2026年下半年" in html and "县市场监督管理局" in html
    response = client.get(f"/meetings/bodies/{body.pk}/summary/?year=2026&half=2&format=xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    rows = {r[0]: r[1] for r in wb["总结"].iter_rows(values_only=True) if r and r[0]}
    assert rows["实际召开"] == 1 and rows["按期办结"] == 1 and rows["提请上级"] == 1
    assert rows["计划召开（按会议周期）"] == 6
    att = {r[0]: r for r in wb["出席情况"].iter_rows(min_row=2, values_only=True)}
    assert att["县市场监督管理局"][5] == 1  # absent once


def test_city_office_sees_street_meetings(demo, login) -> None:
    # The county office oversees the street body's meetings and decisions (000 三(一)).
    html = login("office").get("/meetings/decisions/").content.decode()
    assert "曾子花园地下车库违规充电联合整治" in html
    # A unit outside the street body does not.
    html = login("dispatcher").get("/meetings/decisions/").content.decode()
    assert "曾子花园地下车库违规充电联合整治" not in html
    assert Unit.objects.filter(pk=demo.units["hotline_centre"].pk).exists()


def test_escalation_goes_one_level_up(demo) -> None:
    three = Body.objects.get(name="建设路社区三方联席会议")
    assert s.next_level_body(three) == _jx()  # community → street (002 (二)第四条)
    county = Body.objects.get(name="嘉祥县物业管理工作领导小组")
    assert s.next_level_body(_jx()) == county  # street → county
    assert s.next_level_body(county) is None  # no city body in the demo


def test_three_party_office_sits_in_the_residents_committee(demo, login) -> None:
    three = Body.objects.get(name="建设路社区三方联席会议")
    juweihui = login("juweihui")
    html = juweihui.get(f"/meetings/bodies/{three.pk}/").content.decode()
    assert "每个双月最后一周星期四 15:00" in html and "按周期生成例会" in html
    assert "002 (一)第三条" in html
    # The property company is a member: it sees the body but does not manage it.
    wuye = login("wuye")
    html = wuye.get(f"/meetings/bodies/{three.pk}/").content.decode()
    assert "提出议题" in html and "按周期生成例会" not in html
    # A unit of another community sees nothing of it.
    other = Body.objects.get(name="卧龙山社区三方联席会议")
    assert login("yeweihui").get(f"/meetings/bodies/{other.pk}/").status_code == 404


def test_decision_above_settles_the_escalated_one_below(demo, login, at_demo_now) -> None:
    county = Body.objects.get(name="嘉祥县物业管理工作领导小组")
    raised = Topic.objects.get(body=county, escalated_from__isnull=False)
    origin = raised.escalated_from
    assert origin is not None and origin.state == DecisionState.ESCALATED
    meeting = Meeting.objects.filter(body=county, state=MeetingState.PLANNED).order_by("starts_at")[
        0
    ]
    assert meeting.starts_at.astimezone(SHANGHAI).date() == dt.date(2026, 12, 17)
    login("convener").post(
        f"/meetings/topics/{raised.pk}/review/", {"action": "topic_review", "approve": "true"}
    )
    s.topic_schedule(topic=Topic.objects.get(pk=raised.pk), meeting=meeting, actor=None)
    s.meeting_notice_send(meeting=meeting, actor=None)
    at_demo_now.move_to(meeting.starts_at + dt.timedelta(hours=1))
    s.attendance_record(
        meeting=meeting,
        rows=[s.AttendanceRow(i.pk, "present") for i in meeting.invitations.all()],
        actor=None,
    )
    meeting.refresh_from_db()
    above = s.decision_add(
        meeting=meeting,
        topic=Topic.objects.get(pk=raised.pk),
        title="县财政安排充电设施建设资金",
        required_outcome="年底前建成充电棚",
        responsible_unit=demo.units["housing_bureau"],
        due_date=dt.date(2026, 12, 31),
        actor=None,
    )
    s.decision_complete(decision=above, outcome="充电棚已建成投用", actor=_user("zjj-head"))
    origin.refresh_from_db()
    assert origin.state == DecisionState.DONE
    assert "经嘉祥县物业管理工作领导小组研究议定并办结" in origin.outcome
    assert InboxMessage.objects.filter(
        decision=origin, unit=demo.units["street:嘉祥街道"], key=f"settled:{origin.pk}"
    ).exists()
