"""JSON API for joint conferences: the same actions and permissions as the pages (every
write goes through services.py, which checks the actor's scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, cast

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from gongzhi.cases.models import Case
from gongzhi.common.apiauth import session_auth
from gongzhi.common.errors import FieldError, InvalidInput, NotFound, PermissionDenied
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings import access, selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.models import (
    Decision,
    Invitation,
    LeaveRequest,
    Meeting,
    Minutes,
    Schedule,
    Topic,
)
from gongzhi.meetings.workflow import MeetingState
from gongzhi.org.models import Body, Estate, Person, Unit, User
from gongzhi.org.permissions import scope_for

router = Router(tags=["联席会议"], auth=session_auth)


# ---------------------------------------------------------------- schemas


class ScheduleOut(Schema):
    rule: str
    describe: str
    interval_months: int
    anchor_month: int
    week_of_month: int
    weekday: int
    start_time: str
    place: str
    notice_days: int
    remind_days: int
    source: str


class BodyOut(Schema):
    id: int
    name: str
    kind: str
    jurisdiction: str
    office_unit: str | None
    schedule: ScheduleOut | None
    can_manage: bool
    can_convene: bool


class MeetingOut(Schema):
    id: int
    body_id: int
    body: str
    kind: str
    title: str
    starts_at: dt.datetime
    place: str
    chair: str | None
    state: str
    state_label: str
    notice_sent_at: dt.datetime | None


class TopicOut(Schema):
    id: int
    body_id: int
    title: str
    proposing_unit: str
    background: str
    ask: str
    state: str
    state_label: str
    reject_reason: str
    meeting_id: int | None
    agenda_order: int
    escalated_from_id: int | None
    estates: list[str]


class ReportRow(Schema):
    id: int
    title: str
    unit: str
    due_date: str
    state: str
    state_label: str
    outcome: str


class LeaveOut(Schema):
    id: int
    state: str
    reason: str
    substitute: str


class InvitationOut(Schema):
    id: int
    role: str
    unit_id: int | None
    label: str
    notified_at: dt.datetime | None
    read_at: dt.datetime | None
    leave: LeaveOut | None
    attendance: str | None


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
    state: str
    state_label: str
    outcome: str
    done_at: dt.datetime | None


class MeetingDetailOut(MeetingOut):
    previous_decisions: list[ReportRow]
    topics: list[TopicOut]
    invitations: list[InvitationOut]
    decisions: list[DecisionOut]
    minutes_state: str | None


class ScheduleIn(Schema):
    rule: Literal["monthly", "every_n_months", "even_months_last_week"]
    weekday: int = Field(..., ge=0, le=6)
    week_of_month: int = 3
    interval_months: int = 1
    anchor_month: int = 1
    start_time: dt.time = dt.time(9, 0)
    place: str = ""
    notice_days: int = 3
    remind_days: int = 3
    source: str = ""


class PlanIn(Schema):
    start: dt.date
    end: dt.date


class MeetingIn(Schema):
    kind: Literal["plenary", "partial"]
    starts_at: dt.datetime
    place: str
    title: str = ""
    unit_ids: list[int] = []


class TransitionIn(Schema):
    to: str
    reason: str = ""


class InvitationIn(Schema):
    role: Literal["member", "invited", "observer"]
    unit_id: int | None = None
    name: str = ""


class TopicIn(Schema):
    unit_id: int
    title: str
    background: str
    ask: str
    estate_codes: list[str] = []
    case_ids: list[int] = []


class ReviewIn(Schema):
    approve: bool
    reason: str = ""


class ScheduleTopicIn(Schema):
    meeting_id: int


class LeaveIn(Schema):
    reason: str
    substitute_id: int


class DecideIn(Schema):
    approve: bool
    reason: str = ""


class AttendanceIn(Schema):
    invitation_id: int
    status: Literal["present", "substitute", "leave", "absent"]
    attendee_id: int | None = None
    note: str = ""


class MinutesItemSchema(Schema):
    topic_id: int
    report: str = ""
    views: str = ""
    conclusion: str = ""


class MinutesIn(Schema):
    summary: str = ""
    is_public: bool = False
    items: list[MinutesItemSchema] = []


class MinutesOut(Schema):
    meeting_id: int
    state: str
    is_public: bool
    summary: str
    items: list[MinutesItemSchema]


class ReasonIn(Schema):
    reason: str = ""


class DecisionIn(Schema):
    title: str
    required_outcome: str
    responsible_unit_id: int
    cooperating_unit_ids: list[int] = []
    due_date: dt.date
    topic_id: int | None = None
    case_ids: list[int] = []
    closes_cases: bool = True
    case_instructions: str = ""


class TextIn(Schema):
    text: str


class OutcomeIn(Schema):
    outcome: str


class ProgressOut(Schema):
    id: int
    unit: str | None
    text: str
    created_at: dt.datetime


class InboxOut(Schema):
    unread: int
    messages: list[dict[str, Any]]
    notices: list[dict[str, Any]]
    topics: list[TopicOut]
    decisions: list[DecisionOut]


class SummaryOut(Schema):
    body: str
    label: str
    scheduled: int
    held: int
    adhoc: int
    cancelled: int
    topics: dict[str, int]
    decisions_total: int
    done_on_time: int
    done_late: int
    open_on_time: int
    overdue: int
    escalated: int
    attendance: list[dict[str, Any]]


class SweepOut(Schema):
    reminded: list[int]
    overdue: list[int]


# ---------------------------------------------------------------- helpers


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _body_out(b: Body, scope: Any) -> dict[str, Any]:
    sch = Schedule.objects.filter(body=b).first()
    return {
        "id": b.pk,
        "name": b.name,
        "kind": b.kind,
        "jurisdiction": b.jurisdiction.name,
        "office_unit": b.office_unit.name if b.office_unit else None,
        "schedule": None
        if sch is None
        else {
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
        },
        "can_manage": access.can_manage(scope, b),
        "can_convene": access.can_convene(scope, b),
    }


def _meeting_out(m: Meeting) -> dict[str, Any]:
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
    }


def _topic_out(t: Topic) -> dict[str, Any]:
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
    }


def _decision_out(d: Decision) -> dict[str, Any]:
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
    }


def _readable_body(request: HttpRequest, pk: int) -> tuple[Body, Any]:
    body = Body.objects.select_related("jurisdiction", "office_unit").filter(pk=pk).first()
    if body is None:
        raise NotFound("议事机构不存在")
    scope = scope_for(request.user)
    if not access.can_read(scope, body):
        raise PermissionDenied("无权查看该议事机构")
    return body, scope


def _readable_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = (
        Meeting.objects.select_related("body__jurisdiction", "body__office_unit", "chair")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise NotFound("会议不存在")
    scope = scope_for(request.user)
    invited = meeting.invitations.filter(unit_id__in=scope.unit_ids).exists()
    if not (access.can_read(scope, meeting.body) or invited):
        raise PermissionDenied("无权查看该会议")
    return meeting


def _readable_decision(request: HttpRequest, pk: int) -> Decision:
    decision = (
        Decision.objects.select_related("meeting__body__jurisdiction", "responsible_unit")
        .filter(pk=pk)
        .first()
    )
    if decision is None:
        raise NotFound("议定事项不存在")
    scope = scope_for(request.user)
    units = {decision.responsible_unit_id, *decision.cooperating_units.values_list("pk", flat=True)}
    if not (access.can_read(scope, decision.meeting.body) or units & scope.unit_ids):
        raise PermissionDenied("无权查看该议定事项")
    return decision


def _topic(request: HttpRequest, pk: int) -> Topic:
    topic = (
        Topic.objects.select_related("body__jurisdiction", "proposing_unit").filter(pk=pk).first()
    )
    if topic is None:
        raise NotFound("议题不存在")
    scope = scope_for(request.user)
    if not (access.can_read(scope, topic.body) or scope.in_unit(topic.proposing_unit_id)):
        raise PermissionDenied("无权查看该议题")
    return topic


def _units(ids: list[int], field: str) -> list[Unit]:
    found = list(Unit.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise InvalidInput(errors=[FieldError(field, "所选单位不存在")])
    return found


def _cases(ids: list[int]) -> list[Any]:
    found = list(Case.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise InvalidInput(errors=[FieldError("case_ids", "所选案件不存在")])
    return found


def _detail(m: Meeting) -> dict[str, Any]:
    agenda = selectors.meeting_agenda(m)
    invitations = []
    for inv in m.invitations.select_related("unit", "attendance").prefetch_related(
        "leaves__substitute"
    ):
        leave = next((lv for lv in inv.leaves.all() if lv.state != "rejected"), None)
        att = getattr(inv, "attendance", None)
        invitations.append(
            {
                "id": inv.pk,
                "role": inv.role,
                "unit_id": inv.unit_id,
                "label": inv.label,
                "notified_at": inv.notified_at,
                "read_at": inv.read_at,
                "leave": None
                if leave is None
                else {
                    "id": leave.pk,
                    "state": leave.state,
                    "reason": leave.reason,
                    "substitute": leave.substitute.name,
                },
                "attendance": att.status if att else None,
            }
        )
    minutes = Minutes.objects.filter(meeting=m).first()
    return {
        **_meeting_out(m),
        "previous_decisions": agenda.report,
        "topics": [_topic_out(t) for t in agenda.topics],
        "invitations": invitations,
        "decisions": [
            _decision_out(d)
            for d in m.decisions.select_related("responsible_unit").prefetch_related(
                "cooperating_units"
            )
        ],
        "minutes_state": minutes.state if minutes else None,
    }


# ---------------------------------------------------------------- bodies and meetings


@router.get("/bodies", response=list[BodyOut], summary="我可见的议事机构")
def bodies(request: HttpRequest) -> list[dict[str, Any]]:
    scope = scope_for(request.user)
    return [_body_out(b, scope) for b in access.visible_bodies(scope)]


@router.get("/bodies/{pk}", response=BodyOut, summary="议事机构与会议周期")
def body_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    body, scope = _readable_body(request, pk)
    return _body_out(body, scope)


@router.put("/bodies/{pk}/schedule", response=BodyOut, summary="设置会议周期（办公室）")
def schedule_put(request: HttpRequest, pk: int, payload: ScheduleIn) -> dict[str, Any]:
    body, scope = _readable_body(request, pk)
    s.schedule_set(body=body, actor=_actor(request), **payload.dict())
    return _body_out(body, scope)


@router.post("/bodies/{pk}/plan", response=list[MeetingOut], summary="按周期生成例会（办公室）")
def plan(request: HttpRequest, pk: int, payload: PlanIn) -> list[dict[str, Any]]:
    body, _scope = _readable_body(request, pk)
    made = s.meetings_plan(body=body, start=payload.start, end=payload.end, actor=_actor(request))
    return [_meeting_out(m) for m in made]


@router.post("/bodies/{pk}/meetings", response={201: MeetingOut}, summary="安排临时会议（办公室）")
def meeting_create(request: HttpRequest, pk: int, payload: MeetingIn) -> Status[dict[str, Any]]:
    body, _scope = _readable_body(request, pk)
    meeting = s.meeting_create(
        body=body,
        kind=payload.kind,
        starts_at=payload.starts_at,
        place=payload.place,
        title=payload.title,
        units=_units(payload.unit_ids, "unit_ids"),
        actor=_actor(request),
    )
    return Status(201, _meeting_out(meeting))


@router.get("/meetings", response=list[MeetingOut], summary="会议日历")
def meetings(
    request: HttpRequest,
    body: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dict[str, Any]]:
    qs = selectors.visible_meetings(scope_for(request.user))
    if body:
        qs = qs.filter(body_id=body)
    if start:
        qs = qs.filter(starts_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=SHANGHAI))
    if end:
        qs = qs.filter(
            starts_at__lt=dt.datetime.combine(
                end + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI
            )
        )
    return [_meeting_out(m) for m in qs.order_by("starts_at")[:500]]


@router.get("/meetings/{pk}", response=MeetingDetailOut, summary="会议：议程、参会单位、议定事项")
def meeting_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _detail(_readable_meeting(request, pk))


@router.post(
    "/meetings/{pk}/transition", response=MeetingDetailOut, summary="会议状态变更（办公室）"
)
def meeting_transition(request: HttpRequest, pk: int, payload: TransitionIn) -> dict[str, Any]:
    meeting = _readable_meeting(request, pk)
    s.meeting_transition(
        meeting=meeting, to=payload.to, actor=_actor(request), reason=payload.reason
    )
    return _detail(meeting)


@router.post("/meetings/{pk}/notice", response=MeetingDetailOut, summary="发出会议通知（办公室）")
def meeting_notice(request: HttpRequest, pk: int) -> dict[str, Any]:
    meeting = _readable_meeting(request, pk)
    s.meeting_notice_send(meeting=meeting, actor=_actor(request))
    return _detail(meeting)


@router.post(
    "/meetings/{pk}/invitations", response={201: InvitationOut}, summary="邀请参会或列席（办公室）"
)
def invitation_add(request: HttpRequest, pk: int, payload: InvitationIn) -> Status[dict[str, Any]]:
    meeting = _readable_meeting(request, pk)
    unit = None
    if payload.unit_id is not None:
        unit = Unit.objects.filter(pk=payload.unit_id).first()
        if unit is None:
            raise InvalidInput(errors=[FieldError("unit_id", "所选单位不存在")])
    inv = s.invitation_add(
        meeting=meeting, role=payload.role, unit=unit, name=payload.name, actor=_actor(request)
    )
    return Status(
        201,
        {
            "id": inv.pk,
            "role": inv.role,
            "unit_id": inv.unit_id,
            "label": inv.label,
            "notified_at": inv.notified_at,
            "read_at": None,
            "leave": None,
            "attendance": None,
        },
    )


@router.post("/meetings/{pk}/attendance", response=MeetingDetailOut, summary="登记出席（办公室）")
def attendance(request: HttpRequest, pk: int, payload: list[AttendanceIn]) -> dict[str, Any]:
    meeting = _readable_meeting(request, pk)
    rows = [s.AttendanceRow(r.invitation_id, r.status, r.attendee_id, r.note) for r in payload]
    s.attendance_record(meeting=meeting, rows=rows, actor=_actor(request))
    return _detail(meeting)


@router.get("/meetings/{pk}/minutes", response=MinutesOut, summary="会议纪要")
def minutes_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    meeting = _readable_meeting(request, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    scope = scope_for(request.user)
    staff = access.can_manage(scope, meeting.body) or access.can_convene(scope, meeting.body)
    if minutes is None or not (staff or minutes.state == "sent"):
        raise NotFound("尚无可查看的会议纪要")
    return _minutes_out(minutes)


def _minutes_out(minutes: Minutes) -> dict[str, Any]:
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


@router.put("/meetings/{pk}/minutes", response=MinutesOut, summary="起草会议纪要（办公室）")
def minutes_put(request: HttpRequest, pk: int, payload: MinutesIn) -> dict[str, Any]:
    meeting = _readable_meeting(request, pk)
    minutes = s.minutes_save(
        meeting=meeting,
        summary=payload.summary,
        is_public=payload.is_public,
        items=[s.MinutesItemIn(**i.dict()) for i in payload.items],
        actor=_actor(request),
    )
    return _minutes_out(minutes)


def _minutes(request: HttpRequest, pk: int) -> Minutes:
    meeting = _readable_meeting(request, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        raise NotFound("尚无会议纪要")
    return minutes


@router.post("/meetings/{pk}/minutes/sign", response=MinutesOut, summary="审签纪要（召集人）")
def minutes_sign(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _minutes_out(s.minutes_sign(minutes=_minutes(request, pk), actor=_actor(request)))


@router.post("/meetings/{pk}/minutes/return", response=MinutesOut, summary="退回纪要（召集人）")
def minutes_return(request: HttpRequest, pk: int, payload: ReasonIn) -> dict[str, Any]:
    minutes = s.minutes_return(
        minutes=_minutes(request, pk), actor=_actor(request), reason=payload.reason
    )
    return _minutes_out(minutes)


@router.post("/meetings/{pk}/minutes/send", response=MinutesOut, summary="分送纪要（办公室）")
def minutes_send(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _minutes_out(s.minutes_send(minutes=_minutes(request, pk), actor=_actor(request)))


@router.post(
    "/meetings/{pk}/decisions", response={201: DecisionOut}, summary="登记议定事项（办公室）"
)
def decision_add(request: HttpRequest, pk: int, payload: DecisionIn) -> Status[dict[str, Any]]:
    meeting = _readable_meeting(request, pk)
    unit = Unit.objects.filter(pk=payload.responsible_unit_id).first()
    topic = Topic.objects.filter(pk=payload.topic_id).first() if payload.topic_id else None
    decision = s.decision_add(
        meeting=meeting,
        topic=topic,
        title=payload.title,
        required_outcome=payload.required_outcome,
        responsible_unit=unit,
        cooperating_units=_units(payload.cooperating_unit_ids, "cooperating_unit_ids"),
        due_date=payload.due_date,
        cases=_cases(payload.case_ids),
        closes_cases=payload.closes_cases,
        case_instructions=payload.case_instructions,
        actor=_actor(request),
    )
    return Status(201, _decision_out(decision))


# ---------------------------------------------------------------- topics and leave


@router.get("/topics", response=list[TopicOut], summary="议题（可按机构、状态筛选）")
def topics(request: HttpRequest, body: int | None = None, state: str = "") -> list[dict]:
    scope = scope_for(request.user)
    qs = Topic.objects.filter(
        Q(body__in=access.visible_bodies(scope)) | Q(proposing_unit_id__in=scope.unit_ids)
    ).distinct()
    if body:
        qs = qs.filter(body_id=body)
    if state:
        qs = qs.filter(state=state)
    qs = qs.select_related("proposing_unit").prefetch_related("estates")
    return [_topic_out(t) for t in qs.order_by("-created_at")[:500]]


@router.post("/bodies/{pk}/topics", response={201: TopicOut}, summary="提出议题（成员单位）")
def topic_propose(request: HttpRequest, pk: int, payload: TopicIn) -> Status[dict[str, Any]]:
    body, _scope = _readable_body(request, pk)
    unit = Unit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise InvalidInput(errors=[FieldError("unit_id", "所选单位不存在")])
    estates = list(Estate.objects.filter(code__in=payload.estate_codes))
    if len(estates) != len(set(payload.estate_codes)):
        raise InvalidInput(errors=[FieldError("estate_codes", "所选小区不存在")])
    topic = s.topic_propose(
        body=body,
        unit=unit,
        title=payload.title,
        background=payload.background,
        ask=payload.ask,
        estates=estates,
        cases=_cases(payload.case_ids),
        actor=_actor(request),
    )
    return Status(201, _topic_out(topic))


@router.get("/topics/{pk}", response=TopicOut, summary="议题详情")
def topic_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _topic_out(_topic(request, pk))


@router.post("/topics/{pk}/review", response=TopicOut, summary="批准或不予批准（召集人）")
def topic_review(request: HttpRequest, pk: int, payload: ReviewIn) -> dict[str, Any]:
    topic = s.topic_review(
        topic=_topic(request, pk),
        approve=payload.approve,
        reason=payload.reason,
        actor=_actor(request),
    )
    return _topic_out(topic)


@router.post("/topics/{pk}/schedule", response=TopicOut, summary="列入会议议程（办公室）")
def topic_schedule(request: HttpRequest, pk: int, payload: ScheduleTopicIn) -> dict[str, Any]:
    topic = _topic(request, pk)
    meeting = Meeting.objects.filter(pk=payload.meeting_id).first()
    if meeting is None:
        raise InvalidInput(errors=[FieldError("meeting_id", "会议不存在")])
    return _topic_out(s.topic_schedule(topic=topic, meeting=meeting, actor=_actor(request)))


@router.post("/topics/{pk}/unschedule", response=TopicOut, summary="移出议程（办公室）")
def topic_unschedule(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _topic_out(s.topic_unschedule(topic=_topic(request, pk), actor=_actor(request)))


@router.post("/invitations/{pk}/leave", response={201: LeaveOut}, summary="请假并指定代会人员")
def leave_request(request: HttpRequest, pk: int, payload: LeaveIn) -> Status[dict[str, Any]]:
    inv = get_object_or_404(Invitation.objects.select_related("meeting__body", "unit"), pk=pk)
    _readable_meeting(request, inv.meeting_id)
    person = Person.objects.filter(pk=payload.substitute_id).first()
    leave = s.leave_request(
        invitation=inv, reason=payload.reason, substitute=person, actor=_actor(request)
    )
    return Status(201, _leave_out(leave))


def _leave_out(leave: LeaveRequest) -> dict[str, Any]:
    return {
        "id": leave.pk,
        "state": leave.state,
        "reason": leave.reason,
        "substitute": leave.substitute.name,
    }


def _leave(request: HttpRequest, pk: int) -> LeaveRequest:
    leave = get_object_or_404(
        LeaveRequest.objects.select_related("invitation__meeting__body", "substitute"), pk=pk
    )
    _readable_meeting(request, leave.invitation.meeting_id)
    return leave


@router.post("/leaves/{pk}/decide", response=LeaveOut, summary="批准或不批准请假（召集人）")
def leave_decide(request: HttpRequest, pk: int, payload: DecideIn) -> dict[str, Any]:
    leave = s.leave_decide(
        leave=_leave(request, pk),
        approve=payload.approve,
        reason=payload.reason,
        actor=_actor(request),
    )
    return _leave_out(leave)


@router.post("/leaves/{pk}/file", response=LeaveOut, summary="请假备案（办公室）")
def leave_file(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _leave_out(s.leave_file(leave=_leave(request, pk), actor=_actor(request)))


# ---------------------------------------------------------------- decisions


@router.get("/decisions", response=list[DecisionOut], summary="议定事项督办")
def decisions(
    request: HttpRequest, state: str = "", body: int | None = None
) -> list[dict[str, Any]]:
    qs = selectors.visible_decisions(scope_for(request.user))
    if state == "open":
        qs = qs.exclude(state="done")
    elif state:
        qs = qs.filter(state=state)
    if body:
        qs = qs.filter(meeting__body_id=body)
    return [_decision_out(d) for d in qs.order_by("due_date", "pk")[:500]]


@router.get("/decisions/{pk}", response=DecisionOut, summary="议定事项详情")
def decision_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _decision_out(_readable_decision(request, pk))


@router.get("/decisions/{pk}/progress", response=list[ProgressOut], summary="落实进展")
def decision_progress(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    decision = _readable_decision(request, pk)
    return [
        {
            "id": p.pk,
            "unit": p.unit.name if p.unit else None,
            "text": p.text,
            "created_at": p.created_at,
        }
        for p in decision.progress.select_related("unit")
    ]


@router.post("/decisions/{pk}/progress", response={201: ProgressOut}, summary="报告进展")
def decision_progress_add(request: HttpRequest, pk: int, payload: TextIn) -> Status[dict[str, Any]]:
    decision = _readable_decision(request, pk)
    p = s.decision_progress_report(decision=decision, text=payload.text, actor=_actor(request))
    return Status(
        201,
        {
            "id": p.pk,
            "unit": p.unit.name if p.unit else None,
            "text": p.text,
            "created_at": p.created_at,
        },
    )


@router.post("/decisions/{pk}/complete", response=DecisionOut, summary="报告办结")
def decision_complete(request: HttpRequest, pk: int, payload: OutcomeIn) -> dict[str, Any]:
    decision = _readable_decision(request, pk)
    return _decision_out(
        s.decision_complete(decision=decision, outcome=payload.outcome, actor=_actor(request))
    )


@router.post("/decisions/{pk}/escalate", response={201: TopicOut}, summary="逾期事项提请上级")
def decision_escalate(request: HttpRequest, pk: int, payload: ReasonIn) -> Status[dict[str, Any]]:
    decision = _readable_decision(request, pk)
    topic = s.decision_escalate(decision=decision, actor=_actor(request), reason=payload.reason)
    return Status(201, _topic_out(topic))


# ---------------------------------------------------------------- inbox, summary, sweep


@router.get("/inbox", response=InboxOut, summary="本单位收件箱")
def inbox(request: HttpRequest) -> dict[str, Any]:
    box = selectors.unit_inbox(scope_for(request.user))
    return {
        "unread": box.unread,
        "messages": [
            {
                "id": m.pk,
                "kind": m.kind,
                "unit": m.unit.name,
                "text": m.text,
                "meeting_id": m.meeting_id,
                "decision_id": m.decision_id,
                "topic_id": m.topic_id,
                "read": m.read_at is not None,
                "created_at": m.created_at.isoformat(),
            }
            for m in box.messages
        ],
        "notices": [
            {
                "meeting_id": i.meeting_id,
                "title": i.meeting.title,
                "unit": i.label,
                "starts_at": i.meeting.starts_at.isoformat(),
                "read": i.read_at is not None,
            }
            for i in box.invitations
        ],
        "topics": [_topic_out(t) for t in box.topics],
        "decisions": [_decision_out(d) for d in box.decisions],
    }


@router.get("/bodies/{pk}/summary", response=SummaryOut, summary="半年小结、年度总结")
def summary(request: HttpRequest, pk: int, year: int, half: int | None = None) -> dict[str, Any]:
    body, _scope = _readable_body(request, pk)
    if half not in (None, 1, 2):
        raise InvalidInput(errors=[FieldError("half", "应为 1（上半年）或 2（下半年）")])
    r = selectors.body_summary(body, year=year, half=half)
    return {
        "body": body.name,
        "label": r.label,
        "scheduled": r.scheduled,
        "held": r.held,
        "adhoc": r.adhoc,
        "cancelled": r.cancelled,
        "topics": dict(r.topics),
        "decisions_total": r.decisions_total,
        "done_on_time": r.done_on_time,
        "done_late": r.done_late,
        "open_on_time": r.open_on_time,
        "overdue": r.overdue,
        "escalated": r.escalated,
        "attendance": [
            {
                "unit": a.unit,
                "invited": a.invited,
                "present": a.present,
                "substitute": a.substitute,
                "leave": a.leave,
                "absent": a.absent,
                "rate": a.rate,
            }
            for a in r.attendance
        ],
    }


@router.get("/states", summary="各状态机的允许变更")
def states(request: HttpRequest) -> dict[str, Any]:
    from gongzhi.meetings import workflow as w

    def table(t: dict[str, set[str]]) -> dict[str, list[str]]:
        return {k: sorted(v) for k, v in t.items()}

    return {
        "meeting": table(w.MEETING_MOVES),
        "topic": table(w.TOPIC_MOVES),
        "leave": table(w.LEAVE_MOVES),
        "minutes": table(w.MINUTES_MOVES),
        "decision": table(w.DECISION_MOVES),
        "meeting_states": dict(MeetingState.choices),
    }
