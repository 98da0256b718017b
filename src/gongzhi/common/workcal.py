"""The Chinese working calendar: statutory holidays and make-up working days from the
``chinese-calendar`` package, local overrides on top, and weekends for years the package
does not yet cover. Working hours are 08:30–12:00 and 13:30–17:30, Beijing time.

Local overrides come from the YAML file named by ``GONGZHI_WORKCAL_OVERRIDES``::

    holidays: [2027-01-01]      # extra days off
    workdays: [2027-02-06]      # extra working days (调休上班)
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import yaml
from django.conf import settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORK_PERIODS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))


@cache
def _overrides() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    path = getattr(settings, "GONGZHI_WORKCAL_OVERRIDES", "")
    if not path or not Path(path).exists():
        return frozenset(), frozenset()
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    holidays = frozenset(dt.date.fromisoformat(str(d)) for d in data.get("holidays", []))
    workdays = frozenset(dt.date.fromisoformat(str(d)) for d in data.get("workdays", []))
    return holidays, workdays


@cache
def is_workday(day: dt.date) -> bool:
    holidays, workdays = _overrides()
    if day in workdays:
        return True
    if day in holidays:
        return False
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # The package has no data for this year yet: fall back to Monday–Friday.
        return day.weekday() < 5


def next_workday(day: dt.date, *, include_today: bool = False) -> dt.date:
    current = day if include_today else day + dt.timedelta(days=1)
    while not is_workday(current):
        current += dt.timedelta(days=1)
    return current


def add_workdays(start: dt.datetime, days: int) -> dt.datetime:
    """The moment ``days`` working days after ``start``: the end of the working day
    (17:30 Beijing time) of the Nth working day after the start day."""
    local = start.astimezone(SHANGHAI)
    day = local.date()
    for _ in range(days):
        day = next_workday(day)
    end = dt.datetime.combine(day, WORK_PERIODS[-1][1], tzinfo=SHANGHAI)
    return end.astimezone(dt.UTC)


def add_work_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment when ``hours`` of working time have passed since ``start``."""
    remaining = dt.timedelta(hours=hours)
    local = start.astimezone(SHANGHAI)
    day = local.date()
    cursor = local
    while True:
        if is_workday(day):
            for begin, end in WORK_PERIODS:
                period_start = dt.datetime.combine(day, begin, tzinfo=SHANGHAI)
                period_end = dt.datetime.combine(day, end, tzinfo=SHANGHAI)
                if cursor >= period_end:
                    continue
                from_ = max(cursor, period_start)
                available = period_end - from_
                if available >= remaining:
                    return (from_ + remaining).astimezone(dt.UTC)
                remaining -= available
                cursor = period_end
        day += dt.timedelta(days=1)
        cursor = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count
