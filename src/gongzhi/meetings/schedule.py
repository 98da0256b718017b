"""Dates of planned meetings from a body's schedule rule, on working days of the Chinese
calendar (gongzhi.common.workcal)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

from gongzhi.common.workcal import is_workday
from gongzhi.meetings.models import Schedule


def nominal_day(year: int, month: int, week_of_month: int, weekday: int) -> dt.date:
    """The ``weekday`` of the given week of the month; week 5 (or more) is the last one."""
    days_in_month = calendar.monthrange(year, month)[1]
    if week_of_month >= Schedule.LAST_WEEK:
        day = dt.date(year, month, days_in_month)
        while day.weekday() != weekday:
            day -= dt.timedelta(days=1)
        return day
    day = dt.date(year, month, 1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day + dt.timedelta(weeks=week_of_month - 1)


def working_day_in_month(day: dt.date) -> dt.date:
    """``day`` if it is a working day; else the next working day in the same month; else
    (a holiday at the end of the month) the last working day before it."""
    current = day
    while current.month == day.month:
        if is_workday(current):
            return current
        current += dt.timedelta(days=1)
    current = day
    while not is_workday(current):
        current -= dt.timedelta(days=1)
    return current


def months_of(schedule: Schedule) -> tuple[int, int]:
    """(interval, anchor) after applying the rule's fixed parts."""
    if schedule.rule == Schedule.Rule.MONTHLY:
        return 1, 1
    if schedule.rule == Schedule.Rule.EVEN_MONTHS_LAST_WEEK:
        return 2, 2
    return max(1, schedule.interval_months), schedule.anchor_month


def week_of(schedule: Schedule) -> int:
    if schedule.rule == Schedule.Rule.EVEN_MONTHS_LAST_WEEK:
        return Schedule.LAST_WEEK
    return schedule.week_of_month


def planned_days(schedule: Schedule, start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Meeting days in [start, end]."""
    interval, anchor = months_of(schedule)
    year, month = start.year, start.month
    while dt.date(year, month, 1) <= end:
        if (month - anchor) % interval == 0:
            day = working_day_in_month(
                nominal_day(year, month, week_of(schedule), schedule.weekday)
            )
            if start <= day <= end:
                yield day
        month += 1
        if month > 12:
            year, month = year + 1, 1
