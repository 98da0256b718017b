"""The Chinese working calendar: 2026 National Day (10-01 … 10-07 off; Sunday 09-20 and
Saturday 10-10 are make-up working days, as chinese-calendar records them)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from gongzhi.catalog.timelimits import LimitUnit, due_after, parse_time_limit
from gongzhi.common import workcal

SH = workcal.SHANGHAI


def test_holidays_and_make_up_days_come_from_chinese_calendar() -> None:
    assert not workcal.is_workday(dt.date(2026, 10, 1))
    assert not workcal.is_workday(dt.date(2026, 10, 7))
    for day in (dt.date(2026, 9, 20), dt.date(2026, 10, 10)):
        assert workcal.is_workday(day) == chinese_calendar.is_workday(day)
    assert workcal.is_workday(dt.date(2026, 10, 10))  # a Saturday worked in lieu
    assert workcal.is_workday(dt.date(2026, 9, 20))  # a Sunday worked in lieu


def test_workdays_skip_the_holiday() -> None:
    start = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SH)
    due = workcal.add_workdays(start, 1)
    assert due.astimezone(SH) == dt.datetime(2026, 10, 8, 17, 30, tzinfo=SH)


def test_work_hours_stop_at_lunch_and_night() -> None:
    start = dt.datetime(2026, 11, 20, 16, 30, tzinfo=SH)  # a Friday
    due = workcal.add_work_hours(start, 2)
    # 16:30-17:30 on Friday, then 08:30-09:30 on Monday.
    assert due.astimezone(SH) == dt.datetime(2026, 11, 23, 9, 30, tzinfo=SH)
    lunch = workcal.add_work_hours(dt.datetime(2026, 11, 23, 11, 30, tzinfo=SH), 1)
    assert lunch.astimezone(SH) == dt.datetime(2026, 11, 23, 14, 0, tzinfo=SH)


def test_years_without_data_fall_back_to_weekdays() -> None:
    assert workcal.is_workday(dt.date(2031, 3, 3))  # a Monday
    assert not workcal.is_workday(dt.date(2031, 3, 1))  # a Saturday


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("24h", 24, LimitUnit.HOURS),
        ("4wh", 4, LimitUnit.WORK_HOURS),
        ("5WD", 5, LimitUnit.WORK_DAYS),
        ("3d", 3, LimitUnit.DAYS),
        ("5个工作日", 5, LimitUnit.WORK_DAYS),
        ("2工作小时", 2, LimitUnit.WORK_HOURS),
        ("24小时", 24, LimitUnit.HOURS),
        ("3天", 3, LimitUnit.DAYS),
    ],
)
def test_parse_time_limits(text: str, value: int, unit: LimitUnit) -> None:
    limit = parse_time_limit(text)
    assert (limit.value, limit.unit) == (value, unit)


@pytest.mark.parametrize("text", ["", "0wd", "5 weeks", "三天", "-1h"])
def test_bad_time_limits_say_why_in_chinese(text: str) -> None:
    with pytest.raises(ValueError, match="时限"):
        parse_time_limit(text)


def test_due_after_uses_the_calendar() -> None:
    start = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SH)
    assert due_after(start, "24h") == start + dt.timedelta(hours=24)
    assert due_after(start, "1wd").astimezone(SH).date() == dt.date(2026, 10, 8)
