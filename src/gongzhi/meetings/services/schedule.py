"""A body's schedule (会议周期) and the planned meetings made from it."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings import access
from gongzhi.meetings import schedule as sched
from gongzhi.meetings.events import MeetingsEvent
from gongzhi.meetings.models import Meeting, Schedule
from gongzhi.meetings.services.core import raise_errors
from gongzhi.org.models import Body, Person, User


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
    """Set when a body meets. The defaults are the schema's (meetings/schemas.py)."""
    access.require(actor, "schedule_set", body)
    errors: list[FieldError] = []
    if rule not in Schedule.Rule.values:
        errors.append(FieldError("rule", _("未知周期“%(rule)s”") % {"rule": rule}))
    if weekday not in Schedule.Weekday.values:
        errors.append(FieldError("weekday", _("会议日须为星期一至星期五")))
    if not 1 <= week_of_month <= Schedule.LAST_WEEK:
        errors.append(FieldError("week_of_month", _("第几周应为 1–4，或 5 表示最后一周")))
    if not 1 <= interval_months <= 12:
        errors.append(FieldError("interval_months", _("间隔月数应为 1–12")))
    if not 1 <= anchor_month <= 12:
        errors.append(FieldError("anchor_month", _("起始月份应为 1–12")))
    if not 0 <= notice_days <= 30:
        errors.append(FieldError("notice_days", _("提前通知天数应为 0–30")))
    if not 0 <= remind_days <= 30:
        errors.append(FieldError("remind_days", _("提醒天数应为 0–30")))
    raise_errors(errors)
    item, created = Schedule.objects.update_or_create(
        body=body,
        defaults={
            "rule": rule,
            "weekday": weekday,
            "week_of_month": week_of_month,
            "interval_months": interval_months,
            "anchor_month": anchor_month,
            "start_time": start_time,
            "place": place.strip(),
            "notice_days": notice_days,
            "remind_days": remind_days,
            "source": source.strip(),
        },
    )
    audit_record(
        actor=actor,
        action=MeetingsEvent.SCHEDULE_SET,
        target=item,
        extra={"rule": rule, "describe": item.describe(), "created": created},
    )
    return item


def default_chair(body: Body, day: dt.date) -> Person | None:
    seat = (
        access.current_seats(body, day)
        .filter(role__in=access.CONVENER_SEATS, person__isnull=False)
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
    already have one are skipped, so running it twice (or twice at once) changes nothing."""
    access.require(actor, "meetings_plan", body)
    errors: list[FieldError] = []
    if end < start:
        errors.append(FieldError("end", _("结束日期不能早于开始日期")))
    elif (end - start).days > 731:
        errors.append(FieldError("end", _("一次最多生成两年的计划")))
    raise_errors(errors)
    schedule = Schedule.objects.get(body=body)
    existing = set(
        Meeting.objects.filter(body=body, planned_date__isnull=False).values_list(
            "planned_date", flat=True
        )
    )
    created: list[Meeting] = []
    for day in sched.planned_days(schedule, start, end):
        if day in existing:
            continue
        try:
            with transaction.atomic():
                meeting = Meeting.objects.create(
                    body=body,
                    kind=Meeting.Kind.PLANNED,
                    title=_("%(name)s%(year)s年%(month)s月例会")
                    % {"name": body.name, "year": day.year, "month": day.month},
                    starts_at=dt.datetime.combine(day, schedule.start_time, tzinfo=SHANGHAI),
                    planned_date=day,
                    place=schedule.place,
                    chair=default_chair(body, day),
                )
        except IntegrityError:  # planned at the same moment by someone else
            continue
        audit_record(actor=actor, action=MeetingsEvent.MEETING_PLAN, target=meeting)
        created.append(meeting)
    return created
