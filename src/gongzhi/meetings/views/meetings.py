"""Pages of one meeting: the meeting with its participants and leave, the office's agenda
builder, the printable notice, attendance, the minutes editor, and minutes made public."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.errors import NotFound
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings import access, selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.documents import minutes_pdf, notice_pdf
from gongzhi.meetings.models import Attendance, Invitation, LeaveRequest, Meeting, Minutes, Schedule
from gongzhi.meetings.views.base import Outcome, act, page, readable
from gongzhi.meetings.workflow import LeaveState, TopicState
from gongzhi.org.models import Unit


def _posted(request: HttpRequest, on: Any, **kw: Any) -> Outcome | None:
    return act(request, on, **kw) if request.method == "POST" else None


def _notice_deadline(meeting: Meeting) -> dt.date | None:
    """The last day to send the notice: the body's lead time before the meeting."""
    schedule = Schedule.objects.filter(body=meeting.body).first()
    if schedule is None or meeting.notice_sent_at is not None:
        return None
    return meeting.starts_at.astimezone(SHANGHAI).date() - dt.timedelta(days=schedule.notice_days)


def _invitations(request: HttpRequest, meeting: Meeting, who: access.Who) -> list[Invitation]:
    """The participants with their current leave request, each with what may be done."""
    invitations = list(
        meeting.invitations.select_related(
            "unit", "person", "attendance__attendee", "meeting__body"
        ).prefetch_related("leaves__substitute", "leaves__invitation__meeting__body")
    )
    leaves: list[LeaveRequest] = []
    for inv in invitations:
        inv.current_leave = next(  # type: ignore[attr-defined]
            (lv for lv in inv.leaves.all() if lv.state != LeaveState.REJECTED), None
        )
        if inv.current_leave is not None:  # type: ignore[attr-defined]
            leaves.append(inv.current_leave)  # type: ignore[attr-defined]
    access.annotate(request.user, [*invitations, *leaves], who=who)
    day = meeting.starts_at.astimezone(SHANGHAI).date()
    for inv in invitations:
        inv.people = (  # type: ignore[attr-defined]
            s.unit_people(inv.unit_id, day) if "leave_request" in inv.allowed else []  # type: ignore[attr-defined]
        )
    return invitations


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = readable(access.meeting_for, request, pk)
    outcome = _posted(request, meeting)
    if outcome is not None and outcome.done:
        return outcome.response  # type: ignore[return-value]
    who = access.Who(request.user)
    access.annotate(request.user, [meeting], who=who)
    invitations = _invitations(request, meeting, who)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    context = {
        "meeting": meeting,
        "agenda": selectors.meeting_agenda(meeting),
        "invitations": invitations,
        "roles": Invitation.Role.choices,
        "units": Unit.objects.filter(access.jurisdiction_units_q(meeting.body.jurisdiction))
        .exclude(pk__in=[i.unit_id for i in invitations if i.unit_id])
        .order_by("jurisdiction__path", "name")[:300],
        "minutes": minutes,
        "minutes_link": access.minutes_page_open(who, meeting, minutes),
        "agenda_link": access.agenda_open(who, meeting),
        "notice_by": _notice_deadline(meeting),
        "decisions": meeting.decisions.select_related("responsible_unit"),
    }
    return page(request, "meetings/meeting_detail.html", context, outcome)


def _managed(request: HttpRequest, pk: int, message: str) -> tuple[Meeting, access.Who]:
    """A page of the office's work on a meeting (agenda, attendance): 403 for the others
    who may read the meeting."""
    meeting = readable(access.meeting_for, request, pk)
    who = access.Who(request.user)
    if not who.manages(meeting.body):
        raise DjangoPermissionDenied(message)
    return meeting, who


@login_required
def agenda_builder(request: HttpRequest, pk: int) -> HttpResponse:
    """The office compiles approved topics into the agenda (000 三(四)2(4)); cases are
    suggested as topics."""
    meeting, who = _managed(request, pk, _("只有联席会议办公室可以编排议程"))
    back = f"/meetings/m/{meeting.pk}/agenda/"
    outcome = _posted(request, meeting, back=back)
    htmx = bool(request.htmx)  # type: ignore[attr-defined]
    if outcome is not None and outcome.done and not htmx:
        return outcome.response  # type: ignore[return-value]
    meeting = readable(access.meeting_for, request, pk)
    body = meeting.body
    agenda = selectors.meeting_agenda(meeting)
    approved = list(
        body.topics.filter(state=TopicState.APPROVED).select_related("proposing_unit", "body")
    )
    access.annotate(request.user, [meeting, body, *agenda.topics, *approved], who=who)
    context = {
        "meeting": meeting,
        "body": body,
        "agenda": agenda,
        "approved": approved,
        "candidates": selectors.case_candidates(body, request.user),
        "agenda_open": access.open_agendas(body, timezone.now()).filter(pk=meeting.pk).exists(),
        **(outcome.context if outcome else {}),
    }
    status = outcome.status if outcome else 200
    template = "meetings/_agenda.html" if htmx else "meetings/agenda.html"
    return render(request, template, context, status=status)


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = readable(access.meeting_for, request, pk)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(notice_pdf(meeting), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="notice-{meeting.pk}.pdf"'
        return response
    # Opening the notice marks it read for the user's invited units.
    s.notice_read(meeting=meeting, actor=request.user)  # type: ignore[arg-type]
    context = {
        "meeting": meeting,
        "agenda": selectors.meeting_agenda(meeting),
        "invitations": meeting.invitations.select_related("unit").prefetch_related(
            "leaves__substitute"
        ),
    }
    return render(request, "meetings/notice.html", context)


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, who = _managed(request, pk, _("只有联席会议办公室可以登记出席情况"))
    outcome = _posted(request, meeting)
    if outcome is not None and outcome.done:
        return outcome.response  # type: ignore[return-value]
    access.annotate(request.user, [meeting], who=who)
    day = meeting.starts_at.astimezone(SHANGHAI).date()
    rows = []
    for inv in meeting.invitations.select_related("unit", "attendance__attendee").prefetch_related(
        "leaves__substitute"
    ):
        leave = next(
            (lv for lv in inv.leaves.all() if lv.state in (LeaveState.APPROVED, LeaveState.FILED)),
            None,
        )
        att = getattr(inv, "attendance", None)
        rows.append(
            {
                "inv": inv,
                "status": att.status if att else ("substitute" if leave else "present"),
                "attendee": att.attendee if att else (leave.substitute if leave else None),
                "people": s.unit_people(inv.unit_id, day),
                "leave": leave,
                "note": att.note if att else "",
            }
        )
    context = {"meeting": meeting, "rows": rows, "statuses": Attendance.Status.choices}
    return page(request, "meetings/attendance.html", context, outcome)


@login_required
def minutes_editor(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = readable(access.meeting_for, request, pk)
    who = access.Who(request.user)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if not access.minutes_page_open(who, meeting, minutes):
        raise DjangoPermissionDenied(_("纪要印发后才能查看"))
    if request.GET.get("format") == "pdf":
        if minutes is None:
            raise Http404(_("尚无会议纪要"))
        response = HttpResponse(minutes_pdf(minutes), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="minutes-{meeting.pk}.pdf"'
        return response
    outcome = _posted(request, meeting)
    if outcome is not None and outcome.done:
        return outcome.response  # type: ignore[return-value]
    access.annotate(request.user, [meeting], who=who)
    topics = list(meeting.topics.select_related("proposing_unit").order_by("agenda_order"))
    items = {i.topic_id: i for i in minutes.items.all()} if minutes else {}
    context = {
        "meeting": meeting,
        "minutes": minutes,
        "rows": [{"topic": t, "item": items.get(t.pk)} for t in topics],
        "decisions": meeting.decisions.select_related("responsible_unit").prefetch_related(
            "cooperating_units"
        ),
        "units": Unit.objects.filter(
            pk__in=[i.unit_id for i in meeting.invitations.all() if i.unit_id]
        ).order_by("name"),
    }
    return page(request, "meetings/minutes.html", context, outcome)


def public_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Minutes marked public, once sent; everything else stays invisible to the public."""
    try:
        minutes = access.public_minutes(access.valid_pk(pk))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "meetings/public_minutes.html", {"minutes": minutes})
