"""Reads: agendas, inboxes, the decisions board, attendance records and the half-year
and yearly summaries (002 (一)第六条)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings import access
from gongzhi.meetings import schedule as sched
from gongzhi.meetings.models import (
    Attendance,
    Decision,
    InboxMessage,
    Invitation,
    Meeting,
    Schedule,
    Topic,
)
from gongzhi.meetings.workflow import (
    MEETING_PENDING_STATES,
    DecisionState,
    MeetingState,
    TopicState,
)
from gongzhi.org.models import Body

D = DecisionState


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(
            body=meeting.body,
            starts_at__lt=meeting.starts_at,
            state__in=(MeetingState.HELD, MeetingState.CLOSED),
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
    return [
        {
            "id": d.pk,
            "title": d.title,
            "unit": d.responsible_unit.name,
            "due_date": d.due_date.isoformat(),
            "state": d.state,
            "state_label": str(DecisionState(d.state).label),
            "outcome": d.outcome,
        }
        for d in prev.decisions.select_related("responsible_unit").order_by("id")
    ]


@dataclass
class Agenda:
    meeting: Meeting
    report: list[dict[str, Any]]
    topics: list[Topic]


def meeting_agenda(meeting: Meeting) -> Agenda:
    """Item 1 is always the report on the previous meeting's decisions (000 三(三)1): as
    sent with the notice, or live until then."""
    report = meeting.decisions_report if meeting.notice_sent_at else decisions_report(meeting)
    topics = list(
        meeting.topics.select_related("proposing_unit")
        .prefetch_related("estates")
        .order_by("agenda_order", "pk")
    )
    return Agenda(meeting=meeting, report=report, topics=topics)


def visible_meetings(user: Any) -> QuerySet[Meeting]:
    return access.readable_meetings(user).select_related(
        "body__jurisdiction", "body__office_unit", "chair"
    )


def visible_decisions(user: Any) -> QuerySet[Decision]:
    return (
        access.readable_decisions(user)
        .select_related("meeting__body__jurisdiction", "responsible_unit", "topic")
        .prefetch_related("cooperating_units")
    )


def visible_topics(user: Any) -> QuerySet[Topic]:
    return access.readable_topics(user).select_related(
        "body__jurisdiction", "proposing_unit", "meeting"
    )


def convened_bodies(who: access.Who) -> list[Body]:
    return [
        b
        for b in access.readable_bodies(who.user).select_related("jurisdiction")
        if who.convenes(b)
    ]


def managed_bodies(who: access.Who) -> list[Body]:
    return [
        b for b in access.readable_bodies(who.user).select_related("jurisdiction") if who.manages(b)
    ]


def pending_topics(who: access.Who) -> QuerySet[Topic]:
    """Topics waiting for this account's approval as convener."""
    return (
        Topic.objects.filter(
            body_id__in=[b.pk for b in convened_bodies(who)], state=TopicState.PROPOSED
        )
        .select_related("body__jurisdiction", "proposing_unit", "meeting")
        .order_by("created_at")
    )


@dataclass
class Inbox:
    messages: list[InboxMessage]
    invitations: list[Invitation]
    topics: list[Topic]
    decisions: list[Decision]
    unread: int = 0


def unit_attendance(unit_ids: set[int], *, year: int) -> list[dict[str, Any]]:
    """Each of the units' attendance record for the year, per body: the figure that
    counts toward the unit's assessment."""
    start_at = dt.datetime(year, 1, 1, tzinfo=SHANGHAI)
    end_at = dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    invitations = Invitation.objects.filter(
        unit_id__in=unit_ids,
        meeting__starts_at__gte=start_at,
        meeting__starts_at__lt=end_at,
        meeting__state__in=(MeetingState.HELD, MeetingState.CLOSED),
    ).select_related("unit", "meeting__body", "attendance")
    lines: dict[tuple[int, int], dict[str, Any]] = {}
    for inv in invitations:
        assert inv.unit is not None
        key = (inv.unit.pk, inv.meeting.body_id)
        line = lines.setdefault(
            key,
            {
                "unit": inv.unit.name,
                "body": inv.meeting.body.name,
                "line": AttendanceLine(unit=inv.unit.name),
            },
        )
        line["line"].invited += 1
        att = getattr(inv, "attendance", None)
        if att is not None:
            setattr(line["line"], att.status, getattr(line["line"], att.status) + 1)
    return sorted(lines.values(), key=lambda x: (x["unit"], x["body"]))


def unit_inbox(user: Any, *, limit: int = 50) -> Inbox:
    units = access.who_of(user).scope.unit_ids
    messages = list(access.readable_messages(user).select_related("unit", "meeting")[:limit])
    invitations = list(
        Invitation.objects.filter(
            unit_id__in=units,
            notified_at__isnull=False,
            meeting__state__in=(MeetingState.NOTICED, MeetingState.PLANNED),
        )
        .select_related("meeting__body", "unit")
        .prefetch_related("leaves")
        .order_by("meeting__starts_at")
    )
    topics = list(
        Topic.objects.filter(proposing_unit_id__in=units)
        .select_related("body", "meeting")
        .order_by("-created_at")[:limit]
    )
    cooperating = Decision.cooperating_units.through.objects.filter(
        decision_id=OuterRef("pk"), unit_id__in=units
    )
    decisions = list(
        Decision.objects.filter(Q(responsible_unit_id__in=units) | Q(Exists(cooperating)))
        .exclude(state=D.DONE)
        .select_related("meeting__body", "responsible_unit")
        .order_by("due_date")
    )
    unread = access.readable_messages(user).filter(read_at__isnull=True).count()
    return Inbox(messages, invitations, topics, decisions, unread)


def managed_approved_topics(who: access.Who) -> QuerySet[Topic]:
    """Approved topics waiting for the office to put them on an agenda."""
    return (
        Topic.objects.filter(
            body_id__in=[b.pk for b in managed_bodies(who)], state=TopicState.APPROVED
        )
        .select_related("body__jurisdiction", "proposing_unit", "meeting")
        .order_by("created_at")
    )


def half_year(year: int, half: int | None) -> tuple[dt.date, dt.date, str]:
    """(start, end, label) of a half year (1, 2) or of the whole year (None)."""
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30), _("%(year)s年上半年") % {"year": year}
    if half == 2:
        return dt.date(year, 7, 1), dt.date(year, 12, 31), _("%(year)s年下半年") % {"year": year}
    return dt.date(year, 1, 1), dt.date(year, 12, 31), _("%(year)s年度") % {"year": year}


@dataclass
class AttendanceLine:
    unit: str
    invited: int = 0
    present: int = 0
    substitute: int = 0
    leave: int = 0
    absent: int = 0

    @property
    def rate(self) -> str:
        """Attended in person or by substitute, of meetings recorded."""
        recorded = self.present + self.substitute + self.leave + self.absent
        if not recorded:
            return "—"
        return f"{100 * (self.present + self.substitute) / recorded:.0f}%"


def attendance_by_unit(meetings: QuerySet[Meeting]) -> list[AttendanceLine]:
    lines: dict[str, AttendanceLine] = {}
    invitations = Invitation.objects.filter(meeting__in=meetings).select_related("unit")
    recorded = {
        a.invitation_id: a.status for a in Attendance.objects.filter(invitation__in=invitations)
    }
    for inv in invitations:
        line = lines.setdefault(inv.label, AttendanceLine(unit=inv.label))
        line.invited += 1
        status = recorded.get(inv.pk)
        if status:
            setattr(line, status, getattr(line, status) + 1)
    return sorted(lines.values(), key=lambda x: x.unit)


@dataclass
class BodySummary:
    body: Body
    label: str
    start: dt.date
    end: dt.date
    scheduled: int
    held: int
    cancelled: int
    adhoc: int
    meetings: list[Meeting]
    # Not held by their day: flagged by the sweep, or still waiting past their day.
    missed: int = 0
    topics: Counter[str] = field(default_factory=Counter)
    decisions_total: int = 0
    done_on_time: int = 0
    done_late: int = 0
    open_on_time: int = 0
    overdue: int = 0
    escalated: int = 0
    attendance: list[AttendanceLine] = field(default_factory=list)

    @property
    def topic_lines(self) -> list[tuple[str, int]]:
        return [(str(TopicState(k).label), v) for k, v in sorted(self.topics.items())]


def body_summary(body: Body, *, year: int, half: int | None = None) -> BodySummary:
    """Meetings held against the schedule, topics, decisions done on time / late /
    overdue / escalated, attendance by unit (002 (一)第六条)."""
    start, end, label = half_year(year, half)
    schedule = Schedule.objects.filter(body=body).first()
    scheduled = len(list(sched.planned_days(schedule, start, end))) if schedule else 0
    start_at = dt.datetime.combine(start, dt.time(0), tzinfo=SHANGHAI)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
    meetings = Meeting.objects.filter(body=body, starts_at__gte=start_at, starts_at__lt=end_at)
    held_states = (MeetingState.HELD, MeetingState.CLOSED)
    summary = BodySummary(
        body=body,
        label=label,
        start=start,
        end=end,
        scheduled=scheduled,
        held=meetings.filter(state__in=held_states).count(),
        cancelled=meetings.filter(state=MeetingState.CANCELLED).count(),
        adhoc=meetings.exclude(kind=Meeting.Kind.PLANNED).filter(state__in=held_states).count(),
        meetings=list(meetings.order_by("starts_at")),
        missed=meetings_missed(meetings).count(),
    )
    topics = Topic.objects.filter(
        body=body, created_at__gte=start_at, created_at__lt=end_at
    ).values_list("state", flat=True)
    summary.topics = Counter(topics)
    for d in Decision.objects.filter(meeting__in=meetings):
        summary.decisions_total += 1
        if d.state == D.DONE:
            if d.done_at and d.done_at.astimezone(SHANGHAI).date() <= d.due_date:
                summary.done_on_time += 1
            else:
                summary.done_late += 1
        elif d.state == D.ESCALATED:
            summary.escalated += 1
        elif d.state == D.OVERDUE:
            summary.overdue += 1
        else:
            summary.open_on_time += 1
    summary.attendance = attendance_by_unit(meetings.filter(state__in=held_states))
    return summary


def meetings_missed(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """未按期召开: flagged by the sweep, or still planned or noticed after their day."""
    today = dt.datetime.combine(timezone.localdate(), dt.time(0), tzinfo=SHANGHAI)
    return meetings.filter(
        Q(state=MeetingState.MISSED) | Q(state__in=MEETING_PENDING_STATES, starts_at__lt=today)
    )


def case_candidates(body: Body, user: Any = None) -> list[Any]:
    """Cases the cases app suggests as topics at this body's level (returned or escalated
    twice, cross-unit disputes, overdue at the street), less those already on a topic;
    for an account, only those it may raise (access.case_link_refusal)."""
    from gongzhi.cases.selectors import case_topic_candidates

    busy = set(
        Topic.objects.exclude(state__in=(TopicState.REJECTED, TopicState.DISCUSSED))
        .filter(cases__isnull=False)
        .values_list("cases", flat=True)
    )
    return [
        c
        for c in case_topic_candidates(jurisdiction=body.jurisdiction)
        if c.case.pk not in busy
        and (user is None or access.case_link_refusal(user, body, c.case) is None)
    ]
