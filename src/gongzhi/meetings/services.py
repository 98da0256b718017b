"""Every write to schedules, meetings, topics, participants, leave, attendance, minutes
and decisions. Each function is one transaction with an audit event. ``actor=None``
means the system (the demo, the sweep); otherwise the actor's permissions are checked
here, so pages, the API and commands share the same rules (see access.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Model, Q
from django.utils import timezone

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import (
    Conflict,
    DomainError,
    FieldError,
    InvalidInput,
    PermissionDenied,
)
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings import access
from gongzhi.meetings import schedule as sched
from gongzhi.meetings.models import (
    Attendance,
    Decision,
    DecisionProgress,
    InboxMessage,
    Invitation,
    LeaveRequest,
    Meeting,
    Minutes,
    MinutesItem,
    Schedule,
    Topic,
)
from gongzhi.meetings.workflow import (
    DECISION_MOVES,
    LEAVE_MOVES,
    MEETING_MOVES,
    MINUTES_MOVES,
    TOPIC_MOVES,
    DecisionState,
    LeaveState,
    MeetingState,
    MinutesState,
    TopicState,
    allowed,
)
from gongzhi.org.models import Body, BodyMember, Estate, Person, Post, Unit, User
from gongzhi.org.permissions import scope_for

D, M, T, L, N = DecisionState, MeetingState, TopicState, LeaveState, MinutesState


# ---------------------------------------------------------------- helpers


def _require(actor: User | None, ok: Any, message: str) -> None:
    """``ok`` is a predicate on the actor's scope; the system (actor None) may do anything."""
    if actor is None:
        return
    if not ok(scope_for(actor)):
        raise PermissionDenied(message)


def _manager(body: Body) -> Any:
    return lambda scope: access.can_manage(scope, body)


def _convener(body: Body) -> Any:
    return lambda scope: access.can_convene(scope, body)


def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(errors=errors)


def _apply(
    *,
    model: type[Model],
    obj: Any,
    table: dict[str, set[str]],
    to: str,
    actor: User | None,
    action: str,
    reason: str = "",
    unit: Unit | None = None,
    extra: dict[str, Any] | None = None,
    **fields: Any,
) -> Any:
    """Apply one move of a transition table: refuse a move the table lacks, update on the
    old state only, and raise Conflict when someone else moved it first."""
    old = obj.state
    if not allowed(table, old, to):
        labels = dict(model._meta.get_field("state").choices or [])  # type: ignore[union-attr,arg-type]
        raise DomainError(f"当前状态“{labels.get(old, old)}”不能变为“{labels.get(to, to)}”")
    now = timezone.now()
    count = model._default_manager.filter(pk=obj.pk, state=old).update(  # type: ignore[attr-defined]
        state=to, updated_at=now, **fields
    )
    if count != 1:
        raise Conflict("该记录已被他人处理，请刷新后重试")
    obj.state = to
    for name, value in fields.items():
        setattr(obj, name, value)
    audit_record(
        actor=actor,
        action=action,
        target=obj,
        unit=unit,
        from_state=old,
        to_state=to,
        reason=reason,
        extra=extra,
    )
    return obj


def inbox_send(
    *,
    unit: Unit,
    kind: str,
    key: str,
    text: str,
    meeting: Meeting | None = None,
    topic: Topic | None = None,
    decision: Decision | None = None,
) -> bool:
    """One message per (unit, key); returns False when it was already there."""
    _msg, created = InboxMessage.objects.get_or_create(
        unit=unit,
        key=key,
        defaults={
            "kind": kind,
            "text": text[:300],
            "meeting": meeting,
            "topic": topic,
            "decision": decision,
        },
    )
    return created


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(SHANGHAI)


# ---------------------------------------------------------------- schedule and meetings


@transaction.atomic
def schedule_set(
    *,
    body: Body,
    rule: str,
    weekday: int,
    week_of_month: int = 3,
    interval_months: int = 1,
    anchor_month: int = 1,
    start_time: dt.time = dt.time(9, 0),
    place: str = "",
    notice_days: int = 3,
    remind_days: int = 3,
    source: str = "",
    actor: User | None = None,
) -> Schedule:
    _require(actor, _manager(body), "只有联席会议办公室可以设置会议周期")
    errors: list[FieldError] = []
    if rule not in Schedule.Rule.values:
        errors.append(FieldError("rule", f"未知周期“{rule}”"))
    if weekday not in Schedule.Weekday.values:
        errors.append(FieldError("weekday", "会议日须为星期一至星期五"))
    if not 1 <= week_of_month <= Schedule.LAST_WEEK:
        errors.append(FieldError("week_of_month", "第几周应为 1–4，或 5 表示最后一周"))
    if rule == Schedule.Rule.EVERY_N_MONTHS and not 1 <= interval_months <= 12:
        errors.append(FieldError("interval_months", "间隔月数应为 1–12"))
    if not 1 <= anchor_month <= 12:
        errors.append(FieldError("anchor_month", "起始月份应为 1–12"))
    if not 0 <= notice_days <= 30:
        errors.append(FieldError("notice_days", "提前通知天数应为 0–30"))
    if not 0 <= remind_days <= 30:
        errors.append(FieldError("remind_days", "提醒天数应为 0–30"))
    _raise(errors)
    item, created = Schedule.objects.update_or_create(
        body=body,
        defaults={
            "rule": rule,
            "weekday": weekday,
            "week_of_month": week_of_month,
            "interval_months": interval_months,
            "anchor_month": anchor_month,
            "start_time": start_time,
            "place": place,
            "notice_days": notice_days,
            "remind_days": remind_days,
            "source": source,
        },
    )
    audit_record(
        actor=actor,
        action="meetings.schedule.set",
        target=item,
        extra={"rule": rule, "describe": item.describe(), "created": created},
    )
    return item


def _default_chair(body: Body, day: dt.date) -> Person | None:
    seat = (
        body.members.filter(
            role__in=access.CONVENER_SEATS, person__isnull=False, start_date__lte=day
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("sort", "id")
        .select_related("person")
        .first()
    )
    return seat.person if seat else None


@transaction.atomic
def meetings_plan(
    *, body: Body, start: dt.date, end: dt.date, actor: User | None = None
) -> list[Meeting]:
    """Create the planned meetings of [start, end] from the body's schedule; days that
    already have one are skipped, so running it twice changes nothing."""
    _require(actor, _manager(body), "只有联席会议办公室可以生成会议计划")
    schedule = Schedule.objects.filter(body=body).first()
    errors: list[FieldError] = []
    if schedule is None:
        errors.append(FieldError("schedule", "该议事机构尚未设置会议周期"))
    if end < start:
        errors.append(FieldError("end", "结束日期不能早于开始日期"))
    elif (end - start).days > 731:
        errors.append(FieldError("end", "一次最多生成两年的计划"))
    _raise(errors)
    assert schedule is not None
    existing = set(
        Meeting.objects.filter(body=body, planned_date__isnull=False).values_list(
            "planned_date", flat=True
        )
    )
    created: list[Meeting] = []
    for day in sched.planned_days(schedule, start, end):
        if day in existing:
            continue
        meeting = Meeting.objects.create(
            body=body,
            kind=Meeting.Kind.PLANNED,
            title=f"{body.name}{day.year}年{day.month}月例会",
            starts_at=dt.datetime.combine(day, schedule.start_time, tzinfo=SHANGHAI),
            planned_date=day,
            place=schedule.place,
            chair=_default_chair(body, day),
        )
        audit_record(actor=actor, action="meetings.meeting.plan", target=meeting)
        created.append(meeting)
    return created


@transaction.atomic
def meeting_create(
    *,
    body: Body,
    kind: str,
    starts_at: dt.datetime,
    place: str,
    title: str = "",
    chair: Person | None = None,
    units: Sequence[Unit] = (),
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> Meeting:
    """An ad-hoc meeting: plenary (all members) or partial (the units the convener
    chooses for its topics, 000 三(四)1 and 2(2))."""
    _require(actor, _manager(body), "只有联席会议办公室可以安排会议")
    errors: list[FieldError] = []
    if kind not in (Meeting.Kind.PLENARY, Meeting.Kind.PARTIAL):
        errors.append(FieldError("kind", "临时会议应为全体成员会议或部分成员会议"))
    if timezone.is_naive(starts_at):
        errors.append(FieldError("starts_at", "召开时间须带时区"))
    elif starts_at <= (now or timezone.now()):
        errors.append(FieldError("starts_at", "召开时间须在当前时间之后"))
    if not place.strip():
        errors.append(FieldError("place", "请填写会议地点"))
    if kind == Meeting.Kind.PARTIAL and not units:
        errors.append(FieldError("units", "部分成员会议须选择参会单位"))
    _raise(errors)
    label = Meeting.Kind(kind).label
    meeting = Meeting.objects.create(
        body=body,
        kind=kind,
        title=title.strip() or f"{body.name}{_local(starts_at):%Y年%m月%d日}{label}",
        starts_at=starts_at,
        place=place.strip(),
        chair=chair or _default_chair(body, _local(starts_at).date()),
    )
    for unit in units:
        Invitation.objects.create(meeting=meeting, role=Invitation.Role.MEMBER, unit=unit)
    audit_record(actor=actor, action="meetings.meeting.create", target=meeting)
    return meeting


@transaction.atomic
def meeting_transition(
    *,
    meeting: Meeting,
    to: str,
    actor: User | None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Meeting:
    """The one service that moves a meeting through MEETING_MOVES."""
    _require(actor, _manager(meeting.body), "只有联席会议办公室可以变更会议状态")
    if to == M.CANCELLED and not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", "取消会议须说明理由")])
    fields: dict[str, Any] = {}
    if to == M.HELD:
        fields["held_at"] = now or timezone.now()
    return _apply(
        model=Meeting,
        obj=meeting,
        table=MEETING_MOVES,
        to=to,
        actor=actor,
        action="meetings.meeting.transition",
        reason=reason,
        **fields,
    )


def _ensure_member_invitations(meeting: Meeting) -> None:
    if meeting.kind == Meeting.Kind.PARTIAL:
        return
    have = set(meeting.invitations.values_list("unit_id", flat=True))
    for unit_id in sorted(access.member_unit_ids(meeting.body) - have):
        Invitation.objects.create(meeting=meeting, role=Invitation.Role.MEMBER, unit_id=unit_id)


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(
            body=meeting.body, starts_at__lt=meeting.starts_at, state__in=(M.HELD, M.CLOSED)
        )
        .order_by("-starts_at")
        .first()
    )


def decisions_report(meeting: Meeting) -> list[dict[str, Any]]:
    """The first item of every agenda: the previous meeting's decisions and how each
    stands now (000 三(三)1)."""
    prev = previous_meeting(meeting)
    if prev is None:
        return []
    rows = []
    for d in prev.decisions.select_related("responsible_unit").order_by("id"):
        rows.append(
            {
                "id": d.pk,
                "title": d.title,
                "unit": d.responsible_unit.name,
                "due_date": d.due_date.isoformat(),
                "state": d.state,
                "state_label": str(DecisionState(d.state).label),
                "outcome": d.outcome,
            }
        )
    return rows


@transaction.atomic
def meeting_notice_send(
    *, meeting: Meeting, actor: User | None, now: dt.datetime | None = None
) -> Meeting:
    """Send the notice (会议通知) to every participant's inbox (000 三(四)2(4)(5),
    002 (一)第四条). The agenda opens with the report on the previous decisions."""
    _require(actor, _manager(meeting.body), "只有联席会议办公室可以发出会议通知")
    now = now or timezone.now()
    if meeting.starts_at <= now:
        raise DomainError("会议时间已过，不能再发通知")
    _ensure_member_invitations(meeting)
    invitations = list(meeting.invitations.select_related("unit"))
    if not invitations:
        raise InvalidInput(errors=[FieldError("participants", "没有参会单位，请先添加")])
    schedule = Schedule.objects.filter(body=meeting.body).first()
    lead = schedule.notice_days if schedule else 0
    late = (_local(meeting.starts_at).date() - _local(now).date()).days < lead
    meeting.decisions_report = decisions_report(meeting)
    _apply(
        model=Meeting,
        obj=meeting,
        table=MEETING_MOVES,
        to=M.NOTICED,
        actor=actor,
        action="meetings.meeting.notice",
        extra={"late": late, "lead_days": lead, "participants": len(invitations)},
        notice_sent_at=now,
        decisions_report=meeting.decisions_report,
    )
    meeting.invitations.filter(notified_at__isnull=True).update(notified_at=now)
    when = _local(meeting.starts_at)
    for inv in invitations:
        if inv.unit is not None:
            inbox_send(
                unit=inv.unit,
                kind=InboxMessage.Kind.NOTICE,
                key=f"notice:{meeting.pk}",
                text=f"会议通知：{meeting.title}，{when:%m月%d日 %H:%M}，{meeting.place}",
                meeting=meeting,
            )
    return meeting


@transaction.atomic
def invitation_add(
    *,
    meeting: Meeting,
    role: str,
    unit: Unit | None = None,
    name: str = "",
    person: Person | None = None,
    actor: User | None = None,
) -> Invitation:
    """Add a participant; outside units and leaders (人大, 政协) attend or observe
    (列席, 000 三(四)2(2))."""
    _require(actor, _manager(meeting.body), "只有联席会议办公室可以邀请参会单位")
    errors: list[FieldError] = []
    if role not in Invitation.Role.values:
        errors.append(FieldError("role", f"未知参会身份“{role}”"))
    if unit is None and not name.strip():
        errors.append(FieldError("unit", "请选择单位或填写外部单位/人员名称"))
    if unit is not None and meeting.invitations.filter(unit=unit).exists():
        errors.append(FieldError("unit", f"{unit} 已在参会名单中"))
    if meeting.state not in (M.PLANNED, M.NOTICED):
        errors.append(FieldError("meeting", "会议已召开或已取消，不能再邀请"))
    _raise(errors)
    inv = Invitation.objects.create(
        meeting=meeting, role=role, unit=unit, name=name.strip(), person=person
    )
    if meeting.state == M.NOTICED:
        inv.notified_at = timezone.now()
        inv.save(update_fields=["notified_at", "updated_at"])
        if unit is not None:
            inbox_send(
                unit=unit,
                kind=InboxMessage.Kind.NOTICE,
                key=f"notice:{meeting.pk}",
                text=f"会议通知：{meeting.title}（{inv.get_role_display()}）",
                meeting=meeting,
            )
    audit_record(actor=actor, action="meetings.invitation.add", target=inv, unit=unit)
    return inv


# ---------------------------------------------------------------- topics and agenda


@transaction.atomic
def topic_propose(
    *,
    body: Body,
    unit: Unit,
    title: str,
    background: str,
    ask: str,
    estates: Iterable[Estate] = (),
    cases: Iterable[Any] = (),
    attachment: Any = None,
    escalated_from: Decision | None = None,
    actor: User | None = None,
) -> Topic:
    """A member unit proposes a topic; the office may propose for a unit or for cases."""
    if actor is not None:
        scope = scope_for(actor)
        if not (access.can_manage(scope, body) or scope.in_unit(unit)):
            raise PermissionDenied("只能以本单位名义提出议题")
    errors: list[FieldError] = []
    if not title.strip():
        errors.append(FieldError("title", "请填写议题名称"))
    elif len(title) > 200:
        errors.append(FieldError("title", "议题名称不超过 200 字"))
    if not background.strip():
        errors.append(FieldError("background", "请说明背景情况"))
    if not ask.strip():
        errors.append(FieldError("ask", "请写明提请会议研究决定的事项"))
    if (
        escalated_from is None
        and unit.pk not in access.member_unit_ids(body)
        and body.office_unit_id != unit.pk
    ):
        errors.append(FieldError("unit", f"{unit} 不是{body.name}的成员单位"))
    _raise(errors)
    topic = Topic.objects.create(
        body=body,
        proposing_unit=unit,
        title=title.strip(),
        background=background.strip(),
        ask=ask.strip(),
        escalated_from=escalated_from,
        proposed_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if attachment:
        topic.attachment = attachment
        topic.save(update_fields=["attachment", "updated_at"])
    estates = list(estates)
    if estates:
        topic.estates.set(estates)
    cases = list(cases)
    if cases:
        _topic_cases_set(topic, cases)
    audit_record(
        actor=actor,
        action="meetings.topic.propose",
        target=topic,
        unit=unit,
        to_state=T.PROPOSED,
        extra={"escalated_from": escalated_from.pk if escalated_from else None},
    )
    if body.office_unit is not None:
        inbox_send(
            unit=body.office_unit,
            kind=InboxMessage.Kind.TOPIC,
            key=f"topic:{topic.pk}",
            text=f"新议题待审批：{topic.title}（{unit}）",
            topic=topic,
        )
    return topic


def _topic_cases_set(topic: Topic, cases: list[Any]) -> None:
    topic.cases.set(cases)


@transaction.atomic
def topic_from_cases(
    *, body: Body, cases: Sequence[Any], actor: User | None, title: str = "", ask: str = ""
) -> Topic:
    """The office raises a case, or several about the same estate and matter, as a topic
    (issue: "From cases"). The convener still approves it."""
    _require(actor, _manager(body), "只有联席会议办公室可以将案件提为议题")
    errors: list[FieldError] = []
    cases = list(cases)
    if not cases:
        errors.append(FieldError("cases", "请选择案件"))
    elif len({c.estate_id for c in cases}) > 1 or len({c.matter_id for c in cases}) > 1:
        errors.append(FieldError("cases", "一并提交的案件须为同一小区、同一事项"))
    else:
        busy = Topic.objects.filter(cases__in=cases).exclude(state__in=(T.REJECTED, T.DISCUSSED))
        if busy.exists():
            errors.append(FieldError("cases", f"案件已在议题“{busy.first()}”中"))
    _raise(errors)
    first = cases[0]
    members = access.member_unit_ids(body)
    lead = getattr(first, "lead_unit", None)
    unit = lead if lead is not None and lead.pk in members else (body.office_unit or lead)
    if unit is None:
        raise InvalidInput(errors=[FieldError("cases", "无法确定提出单位：该机构未设办公室")])
    if not title:
        matter = getattr(first, "matter", None)
        title = (
            f"{first.title}（{first.number}）"
            if len(cases) == 1
            else f"{first.estate}{matter or ''}等 {len(cases)} 件案件"
        )
    lines = []
    for c in cases:
        state = c.get_state_display()
        lines.append(
            f"{c.number} {c.title}，{c.estate}，现由{getattr(c, 'lead_unit', None) or '—'}办理（{state}）"
        )
    return topic_propose(
        body=body,
        unit=unit,
        title=title[:200],
        background="\n".join(lines),
        ask=ask or "以上案件单一单位难以解决，请会议研究明确责任单位、配合单位和办理时限。",
        estates=[c.estate for c in cases],
        cases=cases,
        actor=None,
    )


@transaction.atomic
def topic_transition(
    *, topic: Topic, to: str, actor: User | None, reason: str = "", **fields: Any
) -> Topic:
    """The one service that moves a topic through TOPIC_MOVES."""
    return _apply(
        model=Topic,
        obj=topic,
        table=TOPIC_MOVES,
        to=to,
        actor=actor,
        action="meetings.topic.transition",
        reason=reason,
        unit=topic.proposing_unit,
        **fields,
    )


@transaction.atomic
def topic_review(*, topic: Topic, approve: bool, actor: User | None, reason: str = "") -> Topic:
    """The convener approves a topic, or rejects it with a reason (000 三(四)2(4))."""
    _require(actor, _convener(topic.body), "只有召集人可以审批议题")
    if not approve and not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", "不予批准须说明理由")])
    if approve:
        topic = topic_transition(topic=topic, to=T.APPROVED, actor=actor, reason=reason)
        text = f"议题已批准：{topic.title}"
    else:
        topic = topic_transition(
            topic=topic, to=T.REJECTED, actor=actor, reason=reason, reject_reason=reason.strip()
        )
        text = f"议题未获批准：{topic.title}。理由：{reason.strip()}"
    inbox_send(
        unit=topic.proposing_unit,
        kind=InboxMessage.Kind.TOPIC,
        key=f"topic-review:{topic.pk}",
        text=text,
        topic=topic,
    )
    return topic


@transaction.atomic
def topic_schedule(*, topic: Topic, meeting: Meeting, actor: User | None) -> Topic:
    """The office puts an approved topic on a meeting's agenda."""
    _require(actor, _manager(topic.body), "只有联席会议办公室可以编排议程")
    errors: list[FieldError] = []
    if meeting.body_id != topic.body_id:
        errors.append(FieldError("meeting", "议题与会议不属于同一议事机构"))
    if meeting.state != M.PLANNED:
        errors.append(FieldError("meeting", "会议通知已发出或会议已召开，议程不能再调整"))
    _raise(errors)
    order = (meeting.topics.aggregate(m=Max("agenda_order"))["m"] or 0) + 1
    return topic_transition(
        topic=topic, to=T.SCHEDULED, actor=actor, meeting=meeting, agenda_order=order
    )


@transaction.atomic
def topic_unschedule(*, topic: Topic, actor: User | None) -> Topic:
    _require(actor, _manager(topic.body), "只有联席会议办公室可以编排议程")
    if topic.meeting is not None and topic.meeting.state != M.PLANNED:
        raise DomainError("会议通知已发出，议程不能再调整")
    return topic_transition(
        topic=topic, to=T.APPROVED, actor=actor, reason="移出议程", meeting=None, agenda_order=0
    )


# ---------------------------------------------------------------- leave and attendance


def _holds_post_in(person: Person, unit: Unit, on: dt.date) -> bool:
    return (
        Post.objects.filter(person=person, unit=unit, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .exists()
        or BodyMember.objects.filter(person=person, unit=unit, end_date__isnull=True).exists()
    )


@transaction.atomic
def leave_request(
    *,
    invitation: Invitation,
    reason: str,
    substitute: Person | None,
    actor: User | None,
    now: dt.datetime | None = None,
) -> LeaveRequest:
    """A member who can't come asks the convener for leave and names a substitute from
    the same unit (000 三(四)2(5))."""
    meeting = invitation.meeting
    if actor is not None:
        scope = scope_for(actor)
        if not (access.can_manage(scope, meeting.body) or scope.in_unit(invitation.unit_id)):
            raise PermissionDenied("只能为本单位请假")
    errors: list[FieldError] = []
    if invitation.unit is None:
        errors.append(FieldError("invitation", "外部列席人员无需请假"))
    if not reason.strip():
        errors.append(FieldError("reason", "请填写请假事由"))
    day = _local(meeting.starts_at).date()
    if substitute is None:
        errors.append(FieldError("substitute", "请指定代会人员"))
    elif invitation.unit is not None and not _holds_post_in(substitute, invitation.unit, day):
        errors.append(FieldError("substitute", f"代会人员须为{invitation.unit}的在职人员"))
    if meeting.state not in (M.PLANNED, M.NOTICED) or meeting.starts_at <= (now or timezone.now()):
        errors.append(FieldError("meeting", "会议已召开，不能再请假"))
    if invitation.leaves.filter(state__in=(L.REQUESTED, L.APPROVED, L.FILED)).exists():
        errors.append(FieldError("invitation", "本单位已有请假申请"))
    _raise(errors)
    assert substitute is not None
    leave = LeaveRequest.objects.create(
        invitation=invitation, reason=reason.strip(), substitute=substitute
    )
    audit_record(
        actor=actor,
        action="meetings.leave.request",
        target=leave,
        unit=invitation.unit,
        to_state=L.REQUESTED,
        reason=leave.reason,
        extra={"substitute": substitute.name},
    )
    return leave


@transaction.atomic
def leave_transition(
    *, leave: LeaveRequest, to: str, actor: User | None, reason: str = "", **fields: Any
) -> LeaveRequest:
    """The one service that moves a leave request through LEAVE_MOVES."""
    return _apply(
        model=LeaveRequest,
        obj=leave,
        table=LEAVE_MOVES,
        to=to,
        actor=actor,
        action="meetings.leave.transition",
        reason=reason,
        unit=leave.invitation.unit,
        **fields,
    )


@transaction.atomic
def leave_decide(
    *, leave: LeaveRequest, approve: bool, actor: User | None, reason: str = ""
) -> LeaveRequest:
    body = leave.invitation.meeting.body
    _require(actor, _convener(body), "只有召集人可以批准请假")
    if not approve and not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", "不批准须说明理由")])
    return leave_transition(
        leave=leave,
        to=L.APPROVED if approve else L.REJECTED,
        actor=actor,
        reason=reason,
        decided_by=actor if actor is not None and actor.is_authenticated else None,
        decided_at=timezone.now(),
    )


@transaction.atomic
def leave_file(*, leave: LeaveRequest, actor: User | None) -> LeaveRequest:
    _require(actor, _manager(leave.invitation.meeting.body), "只有联席会议办公室可以备案")
    return leave_transition(leave=leave, to=L.FILED, actor=actor, filed_at=timezone.now())


@dataclass
class AttendanceRow:
    invitation_id: int
    status: str
    attendee_id: int | None = None
    note: str = ""


@transaction.atomic
def attendance_record(
    *,
    meeting: Meeting,
    rows: Sequence[AttendanceRow],
    actor: User | None,
    now: dt.datetime | None = None,
) -> list[Attendance]:
    """Record who came (present, substitute, on leave, absent). Marks the meeting held."""
    _require(actor, _manager(meeting.body), "只有联席会议办公室可以登记出席情况")
    errors: list[FieldError] = []
    if meeting.state in (M.CANCELLED, M.CLOSED):
        errors.append(FieldError("meeting", "会议已取消或纪要已印发，不能再登记"))
    if _local(meeting.starts_at).date() > _local(now or timezone.now()).date():
        errors.append(FieldError("meeting", "会议尚未召开，不能登记出席"))
    invitations = {i.pk: i for i in meeting.invitations.select_related("unit")}
    people = Person.objects.in_bulk([r.attendee_id for r in rows if r.attendee_id])
    for n, row in enumerate(rows, start=1):
        inv = invitations.get(row.invitation_id)
        name = f"rows.{n}"
        if inv is None:
            errors.append(FieldError(name, "不是本次会议的参会单位"))
            continue
        if row.status not in Attendance.Status.values:
            errors.append(FieldError(name, f"{inv.label}：未知出席情况“{row.status}”"))
            continue
        if row.attendee_id and row.attendee_id not in people:
            errors.append(FieldError(name, f"{inv.label}：人员不存在"))
        if row.status == Attendance.Status.SUBSTITUTE:
            sub = people.get(row.attendee_id) if row.attendee_id else None
            if sub is None:
                errors.append(FieldError(name, f"{inv.label}：委托代会须填写代会人员"))
            elif inv.unit is not None and not _holds_post_in(
                sub, inv.unit, _local(meeting.starts_at).date()
            ):
                errors.append(FieldError(name, f"{inv.label}：代会人员须为本单位人员"))
    if not rows:
        errors.append(FieldError("rows", "请登记出席情况"))
    _raise(errors)
    saved = []
    for row in rows:
        att, _ = Attendance.objects.update_or_create(
            invitation_id=row.invitation_id,
            defaults={"status": row.status, "attendee_id": row.attendee_id, "note": row.note},
        )
        saved.append(att)
    audit_record(
        actor=actor,
        action="meetings.attendance.record",
        target=meeting,
        extra={"rows": [[r.invitation_id, r.status] for r in rows]},
    )
    if meeting.state in (M.PLANNED, M.NOTICED):
        meeting_transition(meeting=meeting, to=M.HELD, actor=actor, now=now)
    return saved


# ---------------------------------------------------------------- minutes


@dataclass
class MinutesItemIn:
    topic_id: int
    report: str = ""
    views: str = ""
    conclusion: str = ""


@transaction.atomic
def minutes_save(
    *,
    meeting: Meeting,
    summary: str,
    items: Sequence[MinutesItemIn],
    is_public: bool = False,
    actor: User | None,
) -> Minutes:
    """The office drafts the minutes, one item per topic (000 三(四)2(6))."""
    _require(actor, _manager(meeting.body), "只有联席会议办公室可以起草会议纪要")
    if meeting.state not in (M.HELD,):
        raise DomainError("会议召开并登记出席后才能起草纪要")
    minutes, _ = Minutes.objects.get_or_create(meeting=meeting)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.state != N.DRAFT:
        raise Conflict("纪要已审签，不能再修改；请召集人退回后修改")
    topic_ids = set(meeting.topics.values_list("pk", flat=True))
    errors = [
        FieldError(f"items.{i.topic_id}", "不是本次会议的议题")
        for i in items
        if i.topic_id not in topic_ids
    ]
    _raise(errors)
    minutes.summary = summary.strip()
    minutes.is_public = is_public
    minutes.save(update_fields=["summary", "is_public", "updated_at"])
    for item in items:
        MinutesItem.objects.update_or_create(
            minutes=minutes,
            topic_id=item.topic_id,
            defaults={
                "report": item.report.strip(),
                "views": item.views.strip(),
                "conclusion": item.conclusion.strip(),
            },
        )
    audit_record(actor=actor, action="meetings.minutes.save", target=minutes)
    return minutes


@transaction.atomic
def minutes_transition(
    *, minutes: Minutes, to: str, actor: User | None, reason: str = "", **fields: Any
) -> Minutes:
    """The one service that moves minutes through MINUTES_MOVES."""
    return _apply(
        model=Minutes,
        obj=minutes,
        table=MINUTES_MOVES,
        to=to,
        actor=actor,
        action="meetings.minutes.transition",
        reason=reason,
        **fields,
    )


@transaction.atomic
def minutes_sign(
    *, minutes: Minutes, actor: User | None, now: dt.datetime | None = None
) -> Minutes:
    """The convener signs the minutes off (002 (一)第四条); every topic needs a conclusion."""
    meeting = minutes.meeting
    _require(actor, _convener(meeting.body), "只有召集人可以审签会议纪要")
    done = {i.topic_id for i in minutes.items.all() if i.conclusion.strip()}
    errors = [
        FieldError(f"items.{t.pk}", f"议题“{t.title}”尚无会议议定内容")
        for t in meeting.topics.all()
        if t.pk not in done
    ]
    _raise(errors)
    return minutes_transition(
        minutes=minutes,
        to=N.SIGNED,
        actor=actor,
        signed_by=actor if actor is not None and actor.is_authenticated else None,
        signed_at=now or timezone.now(),
    )


@transaction.atomic
def minutes_return(*, minutes: Minutes, actor: User | None, reason: str) -> Minutes:
    _require(actor, _convener(minutes.meeting.body), "只有召集人可以退回会议纪要")
    if not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", "退回须说明修改意见")])
    return minutes_transition(
        minutes=minutes, to=N.DRAFT, actor=actor, reason=reason, signed_by=None, signed_at=None
    )


@transaction.atomic
def minutes_send(
    *, minutes: Minutes, actor: User | None, now: dt.datetime | None = None
) -> Minutes:
    """Send the signed minutes to the participants and the parties concerned; the
    meeting is then closed and its topics discussed."""
    meeting = minutes.meeting
    _require(actor, _manager(meeting.body), "只有联席会议办公室可以分送会议纪要")
    now = now or timezone.now()
    minutes_transition(minutes=minutes, to=N.SENT, actor=actor, sent_at=now)
    meeting_transition(meeting=meeting, to=M.CLOSED, actor=actor)
    for topic in meeting.topics.filter(state=T.SCHEDULED):
        topic_transition(topic=topic, to=T.DISCUSSED, actor=actor)
    units: dict[int, Unit] = {}
    for inv in meeting.invitations.select_related("unit"):
        if inv.unit is not None:
            units[inv.unit.pk] = inv.unit
    for d in meeting.decisions.select_related("responsible_unit").prefetch_related(
        "cooperating_units"
    ):
        units[d.responsible_unit.pk] = d.responsible_unit
        for u in d.cooperating_units.all():
            units[u.pk] = u
    for unit in units.values():
        inbox_send(
            unit=unit,
            kind=InboxMessage.Kind.MINUTES,
            key=f"minutes:{meeting.pk}",
            text=f"会议纪要：{meeting.title}",
            meeting=meeting,
        )
    # A street body reports each meeting to the office above (000 三(一)).
    upper = next_level_body(meeting.body)
    if upper is not None and upper.office_unit is not None:
        inbox_send(
            unit=upper.office_unit,
            kind=InboxMessage.Kind.MINUTES,
            key=f"report-up:{meeting.pk}",
            text=f"会议情况报告：{meeting.title}（{meeting.decisions.count()} 项议定事项）",
            meeting=meeting,
        )
    return minutes


# ---------------------------------------------------------------- decisions


@transaction.atomic
def decision_add(
    *,
    meeting: Meeting,
    title: str,
    required_outcome: str,
    responsible_unit: Unit | None,
    due_date: dt.date | None,
    topic: Topic | None = None,
    cooperating_units: Sequence[Unit] = (),
    cases: Sequence[Any] = (),
    closes_cases: bool = True,
    case_instructions: str = "",
    actor: User | None,
) -> Decision:
    """Record a decision (议定事项) with one responsible unit and a due date."""
    _require(actor, _manager(meeting.body), "只有联席会议办公室可以登记议定事项")
    errors: list[FieldError] = []
    if meeting.state != M.HELD:
        errors.append(FieldError("meeting", "只能为已召开、纪要未印发的会议登记议定事项"))
    if not title.strip():
        errors.append(FieldError("title", "请填写议定事项"))
    if not required_outcome.strip():
        errors.append(FieldError("required_outcome", "请写明落实要求"))
    if responsible_unit is None:
        errors.append(FieldError("responsible_unit", "请指定一个责任单位"))
    elif any(u.pk == responsible_unit.pk for u in cooperating_units):
        errors.append(FieldError("cooperating_units", "责任单位不能同时是配合单位"))
    if due_date is None:
        errors.append(FieldError("due_date", "请填写完成时限"))
    elif due_date <= _local(meeting.starts_at).date():
        errors.append(FieldError("due_date", "完成时限须晚于会议日期"))
    if topic is not None and topic.meeting_id != meeting.pk:
        errors.append(FieldError("topic", "该议题不在本次会议议程中"))
    # Without an explicit list, a decision on a topic raised from cases settles them.
    cases = list(cases) or (list(topic.cases.all()) if topic is not None else [])
    if cases and not closes_cases and not case_instructions.strip():
        errors.append(FieldError("case_instructions", "退回承办单位时须写明办理要求"))
    _raise(errors)
    assert responsible_unit is not None and due_date is not None
    decision = Decision.objects.create(
        meeting=meeting,
        topic=topic,
        title=title.strip(),
        required_outcome=required_outcome.strip(),
        responsible_unit=responsible_unit,
        due_date=due_date,
        closes_cases=closes_cases,
        case_instructions=case_instructions.strip(),
    )
    if cooperating_units:
        decision.cooperating_units.set(cooperating_units)
    if cases:
        decision.cases.set(cases)
    audit_record(
        actor=actor,
        action="meetings.decision.add",
        target=decision,
        unit=responsible_unit,
        to_state=D.OPEN,
    )
    return decision


@transaction.atomic
def decision_transition(
    *,
    decision: Decision,
    to: str,
    actor: User | None,
    reason: str = "",
    extra: dict[str, Any] | None = None,
    **fields: Any,
) -> Decision:
    """The one service that moves a decision through DECISION_MOVES."""
    return _apply(
        model=Decision,
        obj=decision,
        table=DECISION_MOVES,
        to=to,
        actor=actor,
        action="meetings.decision.transition",
        reason=reason,
        unit=decision.responsible_unit,
        extra=extra,
        **fields,
    )


def _decision_units(decision: Decision) -> set[int]:
    return {decision.responsible_unit_id, *decision.cooperating_units.values_list("pk", flat=True)}


@transaction.atomic
def decision_progress_report(
    *, decision: Decision, text: str, actor: User | None, unit: Unit | None = None
) -> DecisionProgress:
    """A responsible or co-operating unit (or the office following up, 督办) reports
    progress. The first report moves an open decision to in progress."""
    body = decision.meeting.body
    if actor is not None:
        scope = scope_for(actor)
        mine = _decision_units(decision) & scope.unit_ids
        if not (mine or access.can_manage(scope, body)):
            raise PermissionDenied("只有责任单位、配合单位或办公室可以报告进展")
        if unit is None and mine:
            unit = Unit.objects.get(pk=sorted(mine)[0])
    if not text.strip():
        raise InvalidInput(errors=[FieldError("text", "请填写进展情况")])
    if decision.state == D.DONE:
        raise DomainError("该事项已办结")
    item = DecisionProgress.objects.create(
        decision=decision,
        unit=unit,
        text=text.strip(),
        author=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(actor=actor, action="meetings.decision.progress", target=decision, unit=unit)
    if decision.state == D.OPEN:
        decision_transition(decision=decision, to=D.IN_PROGRESS, actor=actor)
    return item


@transaction.atomic
def decision_complete(
    *, decision: Decision, outcome: str, actor: User | None, now: dt.datetime | None = None
) -> Decision:
    """The responsible unit (or the office) reports the decision done; linked cases are
    closed with the outcome, or handed back to their lead unit with instructions."""
    body = decision.meeting.body
    if actor is not None:
        scope = scope_for(actor)
        if not (scope.in_unit(decision.responsible_unit_id) or access.can_manage(scope, body)):
            raise PermissionDenied("只有责任单位或办公室可以报告办结")
    if not outcome.strip():
        raise InvalidInput(errors=[FieldError("outcome", "请填写落实结果")])
    now = now or timezone.now()
    late = decision.due_date < _local(now).date()
    decision_transition(
        decision=decision,
        to=D.DONE,
        actor=actor,
        extra={"late": late},
        outcome=outcome.strip(),
        done_at=now,
    )
    DecisionProgress.objects.create(
        decision=decision,
        unit=decision.responsible_unit,
        text=f"办结：{outcome.strip()}",
        kind="done",
        author=actor if actor is not None and actor.is_authenticated else None,
    )
    _apply_to_cases(decision, actor)
    if body.office_unit is not None:
        inbox_send(
            unit=body.office_unit,
            kind=InboxMessage.Kind.DECISION,
            key=f"done:{decision.pk}",
            text=f"议定事项已办结：{decision.title}",
            decision=decision,
        )
    _settle_origin(decision, actor, now)
    return decision


def _settle_origin(decision: Decision, actor: User | None, now: dt.datetime) -> None:
    """A decision of the body above on an escalated matter settles the lower body's
    escalated decision too; its cases went up with the topic and were handled there."""
    topic = decision.topic
    origin = topic.escalated_from if topic is not None else None
    if origin is None or origin.state != D.ESCALATED:
        return
    body = decision.meeting.body
    text = f"经{body.name}研究议定并办结：{decision.title}。{decision.outcome}"
    decision_transition(
        decision=origin,
        to=D.DONE,
        actor=actor,
        reason=f"由{body.name}议定事项办结",
        extra={"settled_by": decision.pk},
        outcome=text,
        done_at=now,
    )
    DecisionProgress.objects.create(
        decision=origin, unit=decision.responsible_unit, text=text, kind="done"
    )
    lower_office = origin.meeting.body.office_unit
    if lower_office is not None:
        inbox_send(
            unit=lower_office,
            kind=InboxMessage.Kind.DECISION,
            key=f"settled:{origin.pk}",
            text=f"上级已办结提请事项：{origin.title}",
            decision=origin,
        )


def _apply_to_cases(decision: Decision, actor: User | None) -> None:
    """Close the decision's cases with its outcome, or hand them back to their lead unit
    with the instructions, on the authority of the conference that decided (its area
    must hold each case), in the name of the person who reported the decision done."""
    from gongzhi.cases.models import State
    from gongzhi.cases.services import case_decision_apply

    label = f"{decision.meeting.title}议定事项：{decision.title}"
    body = decision.meeting.body
    for case in decision.cases.exclude(state__in=(State.CLOSED, State.MERGED)):
        case_decision_apply(
            case=case,
            actor=actor,
            body=body,
            decision_label=label,
            outcome=decision.outcome,
            close=decision.closes_cases,
            instructions=decision.case_instructions,
        )


def next_level_body(body: Body) -> Body | None:
    """The body a matter goes to when it can't be settled here: the nearest active joint
    conference (else leadership group) of a higher level (street → district/county → city,
    004 三(四); community → street, 002 (二)第四条)."""
    codes = body.jurisdiction.ancestor_codes()[:-1]
    for code in reversed(codes):
        candidates = Body.objects.filter(
            jurisdiction__code=code,
            is_active=True,
            kind__in=(Body.Kind.JOINT_CONFERENCE, Body.Kind.LEADERSHIP_GROUP),
        ).order_by("kind", "pk")
        found = sorted(candidates, key=lambda b: b.kind != Body.Kind.JOINT_CONFERENCE)
        if found:
            return found[0]
    return None


def decision_history_text(decision: Decision) -> str:
    lines = [
        f"原会议：{decision.meeting.title}（{_local(decision.meeting.starts_at):%Y-%m-%d}）",
        f"议定事项：{decision.title}",
        f"落实要求：{decision.required_outcome}",
        f"责任单位：{decision.responsible_unit}；完成时限：{decision.due_date:%Y-%m-%d}",
    ]
    if decision.topic is not None:
        lines.append(f"原议题：{decision.topic.title}——{decision.topic.background}")
    for p in decision.progress.select_related("unit"):
        lines.append(f"{_local(p.created_at):%Y-%m-%d} {p.unit or ''}：{p.text}")
    return "\n".join(lines)


@transaction.atomic
def decision_escalate(*, decision: Decision, actor: User | None, reason: str) -> Topic:
    """An overdue decision becomes a proposed topic of the next level's body, with its
    whole history attached (004 三(四))."""
    body = decision.meeting.body
    _require(actor, _manager(body), "只有联席会议办公室可以提请上级")
    errors: list[FieldError] = []
    if not reason.strip():
        errors.append(FieldError("reason", "请说明提请上级研究的理由"))
    target = next_level_body(body)
    if target is None:
        errors.append(FieldError("decision", "上级没有可提请的联席会议"))
    _raise(errors)
    assert target is not None
    history = decision_history_text(decision)
    decision_transition(
        decision=decision,
        to=D.ESCALATED,
        actor=actor,
        reason=reason,
        extra={"to_body": target.pk},
    )
    topic = topic_propose(
        body=target,
        unit=body.office_unit or decision.responsible_unit,
        title=f"【{body.jurisdiction.name}提请】{decision.title}"[:200],
        background=history,
        ask=reason.strip(),
        estates=list(decision.topic.estates.all()) if decision.topic else [],
        escalated_from=decision,
        actor=None,
    )
    topic.cases.set(decision.cases.all())
    return topic


@dataclass
class SweepResult:
    reminded: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)


@transaction.atomic
def meeting_decisions_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Remind responsible units before the due date and flag overdue decisions. Safe to
    run any number of times: each decision is reminded once and flagged once."""
    now = now or timezone.now()
    today = _local(now).date()
    result = SweepResult()
    late = Decision.objects.filter(
        state__in=(D.OPEN, D.IN_PROGRESS), due_date__lt=today
    ).select_related("responsible_unit", "meeting__body__office_unit")
    for decision in late:
        try:
            decision_transition(
                decision=decision, to=D.OVERDUE, actor=None, reason="超过完成时限", overdue_at=now
            )
        except Conflict:
            continue
        result.overdue.append(decision.pk)
        text = f"议定事项已逾期：{decision.title}（时限 {decision.due_date:%Y-%m-%d}）"
        for unit in (decision.responsible_unit, decision.meeting.body.office_unit):
            if unit is not None:
                inbox_send(
                    unit=unit,
                    kind=InboxMessage.Kind.OVERDUE,
                    key=f"overdue:{decision.pk}",
                    text=text,
                    decision=decision,
                )
    soon = Decision.objects.filter(
        state__in=(D.OPEN, D.IN_PROGRESS), reminded_at__isnull=True, due_date__gte=today
    ).select_related("responsible_unit", "meeting__body__schedule")
    for decision in soon:
        schedule = getattr(decision.meeting.body, "schedule", None)
        days = schedule.remind_days if schedule is not None else 3
        if (decision.due_date - today).days > days:
            continue
        if not Decision.objects.filter(pk=decision.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            continue
        result.reminded.append(decision.pk)
        inbox_send(
            unit=decision.responsible_unit,
            kind=InboxMessage.Kind.REMINDER,
            key=f"remind:{decision.pk}:{decision.due_date.isoformat()}",
            text=f"督办提醒：{decision.title} 将于 {decision.due_date:%Y-%m-%d} 到期",
            decision=decision,
        )
        audit_record(actor=None, action="meetings.decision.remind", target=decision)
    return result
