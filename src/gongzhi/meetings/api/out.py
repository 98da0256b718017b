"""What the meetings API answers: one schema and one function per kind of object, each
with ``allowed``, the actions the account may take on it now (access.allowed), the same
the pages offer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import WithJsonSchema

from gongzhi.meetings import access
from gongzhi.meetings.models import (
    Attendance,
    Decision,
    InboxMessage,
    Invitation,
    LeaveRequest,
    Meeting,
    Minutes,
    Schedule,
    Topic,
)
from gongzhi.meetings.schemas import (
    MinutesItemSchema,
    RoleChoice,
    RuleChoice,
    SeatChoice,
    StatusChoice,
    WeekdayChoice,
    enum_schema,
)
from gongzhi.meetings.selectors import AttendanceLine, BodySummary
from gongzhi.meetings.workflow import (
    DecisionState,
    LeaveState,
    MeetingState,
    MinutesState,
    TopicState,
)
from gongzhi.org.models import Body, BodyMember, Person

Allowed = Annotated[
    list[str],
    WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "string"},
            "description": "当前账号此刻可对该对象执行的操作（与页面提供的按钮一致）",
        }
    ),
]
MeetingStateOut = Annotated[MeetingState, WithJsonSchema(enum_schema(MeetingState, "会议状态"))]
TopicStateOut = Annotated[TopicState, WithJsonSchema(enum_schema(TopicState, "议题状态"))]
LeaveStateOut = Annotated[LeaveState, WithJsonSchema(enum_schema(LeaveState, "请假状态"))]
MinutesStateOut = Annotated[MinutesState, WithJsonSchema(enum_schema(MinutesState, "纪要状态"))]
DecisionStateOut = Annotated[
    DecisionState, WithJsonSchema(enum_schema(DecisionState, "议定事项状态"))
]
KindOut = Annotated[Meeting.Kind, WithJsonSchema(enum_schema(Meeting.Kind, "会议类型"))]
BodyKindOut = Annotated[Body.Kind, WithJsonSchema(enum_schema(Body.Kind, "议事机构类别"))]


class ScheduleOut(Schema):
    rule: RuleChoice
    describe: str
    interval_months: int
    anchor_month: int
    week_of_month: int
    weekday: WeekdayChoice
    start_time: str
    place: str
    notice_days: int
    remind_days: int
    source: str


class BodyOut(Schema):
    id: int
    name: str
    kind: BodyKindOut
    jurisdiction: str
    office_unit: str | None
    schedule: ScheduleOut | None
    can_manage: bool
    can_convene: bool
    allowed: Allowed


class MemberOut(Schema):
    id: int
    role: SeatChoice
    role_label: str
    unit_id: int | None
    unit: str | None
    person: str | None
    title: str
    start_date: dt.date
    end_date: dt.date | None


class MembersOut(Schema):
    current: list[MemberOut]
    history: list[MemberOut]


class MeetingOut(Schema):
    id: int
    body_id: int
    body: str
    kind: KindOut
    title: str
    starts_at: dt.datetime
    place: str
    chair: str | None
    state: MeetingStateOut
    state_label: str
    notice_sent_at: dt.datetime | None
    allowed: Allowed


class TopicOut(Schema):
    id: int
    body_id: int
    title: str
    proposing_unit: str
    background: str
    ask: str
    state: TopicStateOut
    state_label: str
    reject_reason: str
    meeting_id: int | None
    agenda_order: int
    escalated_from_id: int | None
    estates: list[str]
    case_ids: list[int]
    allowed: Allowed


class ReportRow(Schema):
    id: int
    title: str
    unit: str
    due_date: str
    state: DecisionStateOut
    state_label: str
    outcome: str


class LeaveOut(Schema):
    id: int
    invitation_id: int
    meeting_id: int
    unit: str
    state: LeaveStateOut
    state_label: str
    reason: str
    substitute: str
    allowed: Allowed


class InvitationOut(Schema):
    id: int
    role: RoleChoice
    unit_id: int | None
    label: str
    notified_at: dt.datetime | None
    read_at: dt.datetime | None
    leave: LeaveOut | None
    attendance: StatusChoice | None
    allowed: Allowed


class DecisionOut(Schema):
    id: int
    meeting_id: int
    topic_id: int | None
    title: str
    required_outcome: str
    responsible_unit: str
    responsible_unit_id: int
    cooperating_units: list[str]
    due_date: dt.date
    state: DecisionStateOut
    state_label: str
    outcome: str
    done_at: dt.datetime | None
    case_ids: list[int]
    closes_cases: bool
    allowed: Allowed


class MeetingDetailOut(MeetingOut):
    previous_decisions: list[ReportRow]
    topics: list[TopicOut]
    invitations: list[InvitationOut]
    decisions: list[DecisionOut]
    minutes_state: MinutesStateOut | None


class MinutesOut(Schema):
    meeting_id: int
    state: MinutesStateOut
    is_public: bool
    summary: str
    items: list[MinutesItemSchema]


class ProgressOut(Schema):
    id: int
    unit: str | None
    text: str
    created_at: dt.datetime


class PersonOut(Schema):
    id: int
    name: str


class CandidateOut(Schema):
    case_id: int
    number: str
    title: str
    estate: str
    matter: str | None
    reason: str
    kind: str


class MessageOut(Schema):
    id: int
    kind: Annotated[InboxMessage.Kind, WithJsonSchema(enum_schema(InboxMessage.Kind, "消息类别"))]
    unit: str
    text: str
    meeting_id: int | None
    decision_id: int | None
    topic_id: int | None
    read: bool
    created_at: dt.datetime


class NoticeOut(Schema):
    invitation_id: int
    meeting_id: int
    title: str
    unit: str
    starts_at: dt.datetime
    read: bool


class InboxOut(Schema):
    unread: int
    messages: list[MessageOut]
    notices: list[NoticeOut]
    topics: list[TopicOut]
    decisions: list[DecisionOut]
    allowed: Allowed


class ReadOut(Schema):
    read: int


class AttendanceLineOut(Schema):
    unit: str
    invited: int
    present: int
    substitute: int
    leave: int
    absent: int
    rate: str


class SummaryOut(Schema):
    body: str
    label: str
    scheduled: int
    held: int
    adhoc: int
    cancelled: int
    missed: int
    topics: dict[str, int]
    decisions_total: int
    done_on_time: int
    done_late: int
    open_on_time: int
    overdue: int
    escalated: int
    attendance: list[AttendanceLineOut]


# ---------------------------------------------------------------- objects to answers


def schedule_out(sch: Schedule | None) -> dict[str, Any] | None:
    if sch is None:
        return None
    return {
        "rule": sch.rule,
        "describe": sch.describe(),
        "interval_months": sch.interval_months,
        "anchor_month": sch.anchor_month,
        "week_of_month": sch.week_of_month,
        "weekday": sch.weekday,
        "start_time": sch.start_time.strftime("%H:%M"),
        "place": sch.place,
        "notice_days": sch.notice_days,
        "remind_days": sch.remind_days,
        "source": sch.source,
    }


def body_out(b: Body, who: access.Who) -> dict[str, Any]:
    return {
        "id": b.pk,
        "name": b.name,
        "kind": b.kind,
        "jurisdiction": b.jurisdiction.name,
        "office_unit": b.office_unit.name if b.office_unit else None,
        "schedule": schedule_out(Schedule.objects.filter(body=b).first()),
        "can_manage": who.manages(b),
        "can_convene": who.convenes(b),
        "allowed": access.allowed(who.user, b, who=who),
    }


def member_out(m: BodyMember) -> dict[str, Any]:
    return {
        "id": m.pk,
        "role": m.role,
        "role_label": m.get_role_display(),
        "unit_id": m.unit_id,
        "unit": m.unit.name if m.unit else None,
        "person": m.person.name if m.person else None,
        "title": m.title,
        "start_date": m.start_date,
        "end_date": m.end_date,
    }


def meeting_out(m: Meeting, who: access.Who) -> dict[str, Any]:
    return {
        "id": m.pk,
        "body_id": m.body_id,
        "body": m.body.name,
        "kind": m.kind,
        "title": m.title,
        "starts_at": m.starts_at,
        "place": m.place,
        "chair": m.chair.name if m.chair else None,
        "state": m.state,
        "state_label": m.get_state_display(),
        "notice_sent_at": m.notice_sent_at,
        "allowed": access.allowed(who.user, m, who=who),
    }


def topic_out(t: Topic, who: access.Who) -> dict[str, Any]:
    return {
        "id": t.pk,
        "body_id": t.body_id,
        "title": t.title,
        "proposing_unit": t.proposing_unit.name,
        "background": t.background,
        "ask": t.ask,
        "state": t.state,
        "state_label": t.get_state_display(),
        "reject_reason": t.reject_reason,
        "meeting_id": t.meeting_id,
        "agenda_order": t.agenda_order,
        "escalated_from_id": t.escalated_from_id,
        "estates": [e.code for e in t.estates.all()],
        "case_ids": [c.pk for c in t.cases.all()],
        "allowed": access.allowed(who.user, t, who=who),
    }


def leave_out(lv: LeaveRequest, who: access.Who) -> dict[str, Any]:
    return {
        "id": lv.pk,
        "invitation_id": lv.invitation_id,
        "meeting_id": lv.invitation.meeting_id,
        "unit": lv.invitation.label,
        "state": lv.state,
        "state_label": lv.get_state_display(),
        "reason": lv.reason,
        "substitute": lv.substitute.name,
        "allowed": access.allowed(who.user, lv, who=who),
    }


def invitation_out(inv: Invitation, who: access.Who) -> dict[str, Any]:
    leave = next((lv for lv in inv.leaves.all() if lv.state != LeaveState.REJECTED), None)
    att: Attendance | None = getattr(inv, "attendance", None)
    return {
        "id": inv.pk,
        "role": inv.role,
        "unit_id": inv.unit_id,
        "label": inv.label,
        "notified_at": inv.notified_at,
        "read_at": inv.read_at,
        "leave": None if leave is None else leave_out(leave, who),
        "attendance": att.status if att else None,
        "allowed": access.allowed(who.user, inv, who=who),
    }


def decision_out(d: Decision, who: access.Who) -> dict[str, Any]:
    return {
        "id": d.pk,
        "meeting_id": d.meeting_id,
        "topic_id": d.topic_id,
        "title": d.title,
        "required_outcome": d.required_outcome,
        "responsible_unit": d.responsible_unit.name,
        "responsible_unit_id": d.responsible_unit_id,
        "cooperating_units": [u.name for u in d.cooperating_units.all()],
        "due_date": d.due_date,
        "state": d.state,
        "state_label": d.get_state_display(),
        "outcome": d.outcome,
        "done_at": d.done_at,
        "case_ids": [c.pk for c in d.cases.all()],
        "closes_cases": d.closes_cases,
        "allowed": access.allowed(who.user, d, who=who),
    }


def meeting_detail_out(m: Meeting, who: access.Who) -> dict[str, Any]:
    from gongzhi.meetings.selectors import meeting_agenda

    agenda = meeting_agenda(m)
    invitations = m.invitations.select_related(
        "unit", "attendance", "meeting__body"
    ).prefetch_related("leaves__substitute", "leaves__invitation__meeting__body")
    minutes = Minutes.objects.filter(meeting=m).first()
    decisions = m.decisions.select_related("responsible_unit", "meeting__body").prefetch_related(
        "cooperating_units", "cases"
    )
    return {
        **meeting_out(m, who),
        "previous_decisions": agenda.report,
        "topics": [topic_out(t, who) for t in agenda.topics],
        "invitations": [invitation_out(inv, who) for inv in invitations],
        "decisions": [decision_out(d, who) for d in decisions],
        "minutes_state": minutes.state if minutes else None,
    }


def minutes_out(minutes: Minutes) -> dict[str, Any]:
    return {
        "meeting_id": minutes.meeting_id,
        "state": minutes.state,
        "is_public": minutes.is_public,
        "summary": minutes.summary,
        "items": [
            {
                "topic_id": i.topic_id,
                "report": i.report,
                "views": i.views,
                "conclusion": i.conclusion,
            }
            for i in minutes.items.all()
        ],
    }


def progress_out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "unit": p.unit.name if p.unit else None,
        "text": p.text,
        "created_at": p.created_at,
    }


def candidate_out(c: Any) -> dict[str, Any]:
    return {
        "case_id": c.case.pk,
        "number": c.case.number,
        "title": c.case.title,
        "estate": str(c.case.estate),
        "matter": str(c.case.matter) if c.case.matter else None,
        "reason": c.reason,
        "kind": c.kind,
    }


def person_out(p: Person) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name}


def summary_out(r: BodySummary) -> dict[str, Any]:
    def line(a: AttendanceLine) -> dict[str, Any]:
        return {
            "unit": a.unit,
            "invited": a.invited,
            "present": a.present,
            "substitute": a.substitute,
            "leave": a.leave,
            "absent": a.absent,
            "rate": a.rate,
        }

    return {
        "body": r.body.name,
        "label": r.label,
        "scheduled": r.scheduled,
        "held": r.held,
        "adhoc": r.adhoc,
        "cancelled": r.cancelled,
        "missed": r.missed,
        "topics": dict(r.topics),
        "decisions_total": r.decisions_total,
        "done_on_time": r.done_on_time,
        "done_late": r.done_late,
        "open_on_time": r.open_on_time,
        "overdue": r.overdue,
        "escalated": r.escalated,
        "attendance": [line(a) for a in r.attendance],
    }
