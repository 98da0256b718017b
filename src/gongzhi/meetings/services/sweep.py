"""The meetings sweep: small idempotent steps over indexed due columns, each claiming a
row by a conditional update through the one transition service, in its own transaction.
Run by ``gongzhi meetings_sweep``, the Celery task and the demo while it serves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings.events import MeetingsEvent
from gongzhi.meetings.models import Decision, InboxMessage, Meeting
from gongzhi.meetings.services.core import inbox_send, local
from gongzhi.meetings.services.decisions import decision_transition
from gongzhi.meetings.services.meetings import meeting_transition
from gongzhi.meetings.workflow import MEETING_PENDING_STATES, DecisionState, MeetingState

D = DecisionState
BATCH = 200


@dataclass
class SweepResult:
    reminded: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)
    missed: list[int] = field(default_factory=list)


def decisions_flag_overdue(now: dt.datetime) -> list[int]:
    """Flag decisions past their due date, once each, in the responsible unit's and the
    office's inbox."""
    today = local(now).date()
    flagged: list[int] = []
    late = Decision.objects.filter(state__in=(D.OPEN, D.IN_PROGRESS), due_date__lt=today)
    for decision in late.select_related("responsible_unit", "meeting__body__office_unit")[:BATCH]:
        try:
            with transaction.atomic():
                decision_transition(
                    decision=decision,
                    to=D.OVERDUE,
                    actor=None,
                    reason=_("超过完成时限"),
                    overdue_at=now,
                )
                text = _("议定事项已逾期：%(title)s（时限 %(due)s）") % {
                    "title": decision.title,
                    "due": f"{decision.due_date:%Y-%m-%d}",
                }
                for unit in (decision.responsible_unit, decision.meeting.body.office_unit):
                    if unit is not None:
                        inbox_send(
                            unit=unit,
                            kind=InboxMessage.Kind.OVERDUE,
                            key=f"overdue:{decision.pk}",
                            text=text,
                            decision=decision,
                        )
        except Conflict:  # moved meanwhile: done, or flagged by another sweep
            continue
        flagged.append(decision.pk)
    return flagged


def decisions_remind(now: dt.datetime) -> list[int]:
    """One reminder per decision ``Schedule.remind_days`` (3 without a schedule) before
    its due date, to the responsible unit."""
    today = local(now).date()
    reminded: list[int] = []
    soon = Decision.objects.filter(
        state__in=(D.OPEN, D.IN_PROGRESS), reminded_at__isnull=True, due_date__gte=today
    ).select_related("responsible_unit", "meeting__body__schedule")
    for decision in soon.order_by("due_date")[:BATCH]:
        schedule = getattr(decision.meeting.body, "schedule", None)
        days = schedule.remind_days if schedule is not None else 3
        if (decision.due_date - today).days > days:
            continue
        with transaction.atomic():
            claimed = Decision.objects.filter(pk=decision.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            inbox_send(
                unit=decision.responsible_unit,
                kind=InboxMessage.Kind.REMINDER,
                key=f"remind:{decision.pk}:{decision.due_date.isoformat()}",
                text=_("督办提醒：%(title)s 将于 %(due)s 到期")
                % {"title": decision.title, "due": f"{decision.due_date:%Y-%m-%d}"},
                decision=decision,
            )
            audit_record(actor=None, action=MeetingsEvent.DECISION_REMIND, target=decision)
        reminded.append(decision.pk)
    return reminded


def meetings_flag_missed(now: dt.datetime) -> list[int]:
    """Flag meetings whose day has passed without attendance recorded as 未按期召开,
    once each, in the office's inbox."""
    start_of_today = dt.datetime.combine(local(now).date(), dt.time(0), tzinfo=SHANGHAI)
    pending = Meeting.objects.filter(
        state__in=MEETING_PENDING_STATES, starts_at__lt=start_of_today
    ).select_related("body__office_unit")
    flagged: list[int] = []
    for meeting in pending.order_by("starts_at")[:BATCH]:
        try:
            with transaction.atomic():
                meeting_transition(
                    meeting=meeting,
                    to=MeetingState.MISSED,
                    actor=None,
                    reason=_("会议日期已过，未登记召开"),
                    event=MeetingsEvent.MEETING_MISSED,
                )
                office = meeting.body.office_unit
                if office is not None:
                    inbox_send(
                        unit=office,
                        kind=InboxMessage.Kind.OVERDUE,
                        key=f"missed:{meeting.pk}",
                        text=_("会议未按期召开：%(title)s（%(date)s）")
                        % {"title": meeting.title, "date": f"{local(meeting.starts_at):%Y-%m-%d}"},
                        meeting=meeting,
                    )
        except Conflict:  # held or cancelled meanwhile
            continue
        flagged.append(meeting.pk)
    return flagged


def meetings_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Every step once; safe to run any number of times."""
    now = now or timezone.now()
    return SweepResult(
        overdue=decisions_flag_overdue(now),
        reminded=decisions_remind(now),
        missed=meetings_flag_missed(now),
    )
