"""Pages of bodies: the list, the calendar, a body with its schedule, members, meetings
and topics, and its half-year or yearly summary."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from gongzhi.common.workcal import SHANGHAI, is_workday
from gongzhi.meetings import access, selectors
from gongzhi.meetings.documents import summary_xlsx
from gongzhi.meetings.models import Meeting, Schedule
from gongzhi.meetings.schemas import ScheduleIn
from gongzhi.meetings.views.base import act, month_of, page, readable
from gongzhi.meetings.workflow import MeetingState
from gongzhi.org.models import BodyMember, Unit
from gongzhi.org.selectors import body_current_members


@login_required
def index(request: HttpRequest) -> HttpResponse:
    bodies = access.readable_bodies(request.user).select_related(
        "jurisdiction", "office_unit", "schedule"
    )
    now = timezone.now()
    mine = selectors.visible_meetings(request.user).exclude(state=MeetingState.CANCELLED)
    context = {
        "bodies": bodies,
        "upcoming": mine.filter(starts_at__gte=now).order_by("starts_at")[:20],
        "recent": mine.filter(starts_at__lt=now).order_by("-starts_at")[:10],
    }
    return page(request, "meetings/index.html", context)


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    first = month_of(request.GET.get("month", ""))
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start_at = dt.datetime.combine(first, dt.time(0), tzinfo=SHANGHAI)
    end_at = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
    by_day: dict[dt.date, list[Meeting]] = {}
    for m in selectors.visible_meetings(request.user).filter(
        starts_at__gte=start_at, starts_at__lt=end_at
    ):
        by_day.setdefault(m.starts_at.astimezone(SHANGHAI).date(), []).append(m)
    weeks = [
        [
            {
                "day": d,
                "in_month": d.month == first.month,
                "workday": is_workday(d),
                "meetings": sorted(by_day.get(d, []), key=lambda m: m.starts_at),
            }
            for d in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    context = {
        "first": first,
        "weeks": weeks,
        "prev": (first - dt.timedelta(days=1)).replace(day=1),
        "next": last + dt.timedelta(days=1),
    }
    return page(request, "meetings/calendar.html", context)


def _schedule_defaults() -> dict[str, Any]:
    """The form's values without a schedule: the schema's defaults, as the API has them."""
    return {
        name: f.default
        for name, f in ScheduleIn.model_fields.items()
        if not f.is_required() and f.default is not None
    }


@login_required
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = readable(access.body_for, request, pk)
    outcome = None
    if request.method == "POST":
        outcome = act(request, body)
        if outcome.done:
            return outcome.response  # type: ignore[return-value]
    who = access.Who(request.user)
    access.annotate(request.user, [body], who=who)
    current = body_current_members(body.pk).order_by("sort", "id")
    today = timezone.localdate()
    schedule = Schedule.objects.filter(body=body).first()
    context = {
        "body": body,
        "current": current,
        "history": body.members.filter(end_date__isnull=False).select_related("unit", "person"),
        "meetings": body.meetings.select_related("chair").order_by("-starts_at")[:30],
        "topics": body.topics.select_related("proposing_unit", "meeting").order_by("-created_at")[
            :30
        ],
        "schedule": schedule,
        "schedule_form": {name: getattr(schedule, name) for name in ScheduleIn.model_fields}
        if schedule
        else _schedule_defaults(),
        "rules": Schedule.Rule.choices,
        "weekdays": Schedule.Weekday.choices,
        "kinds": [(k, v) for k, v in Meeting.Kind.choices if k != Meeting.Kind.PLANNED],
        "member_units": [m.unit for m in current if m.unit_id],
        "seat_roles": BodyMember.Role.choices,
        "all_units": Unit.objects.filter(access.jurisdiction_units_q(body.jurisdiction)).order_by(
            "jurisdiction__path", "name"
        )[:400],
        "plan_start": today,
        "plan_end": dt.date(today.year, 12, 31),
        "next_body": access.next_level_body(body),
        "candidates": selectors.case_candidates(body, request.user)
        if "topic_from_cases" in body.allowed
        else [],
    }
    return page(request, "meetings/body_detail.html", context, outcome)


@login_required
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    body = readable(access.body_for, request, pk)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        year = today.year
    half_raw = request.GET.get("half", "")
    half = int(half_raw) if half_raw in ("1", "2") else None
    result = selectors.body_summary(body, year=year, half=half)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            summary_xlsx(result),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="summary-{body.pk}-{year}.xlsx"'
        return response
    context = {"s": result, "body": body, "year": year, "half": half_raw}
    return page(request, "meetings/summary.html", context)
