"""The Chinese working calendar. Working hours are 08:30–12:00 and 13:30–17:30, Beijing
time.

Where a day's status comes from, first match wins:

1. the office's rows (``CalendarDay``: a year's State Council notice imported with
   ``gongzhi calendar import``, or days entered in the admin site);
2. the ``chinese-calendar`` package, for the years it covers;
3. Monday to Friday. A year that reaches this fallback has no holiday data at all: the
   system check, ``gongzhi calendar status`` and the office's home page say so.

The rows are read once and kept in memory. A change made through the services
(``calendar_import``, the admin site) clears this process's copy at once; other processes
(web workers, Celery) read the rows again at most ``MEMO_SECONDS`` later, and on restart.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORK_PERIODS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))
MEMO_SECONDS = 60.0
# The statutory holidays every year's notice arranges (全国年节及纪念日放假办法), by the
# part of the name a notice uses for each (2025's notice joined 中秋 and 国庆 in one entry).
# i18n: data (matched against the names in a State Council notice)
FESTIVALS = ("元旦", "春节", "清明", "劳动", "端午", "中秋", "国庆")

_lock = threading.Lock()
_memo: tuple[float, dict[dt.date, tuple[bool, str]]] | None = None


def _local_days() -> dict[dt.date, tuple[bool, str]]:
    """The office's rows: date → (is a working day, name)."""
    global _memo
    memo = _memo
    now = time.monotonic()
    if memo is not None and now - memo[0] < MEMO_SECONDS:
        return memo[1]
    days = _load_local_days()
    with _lock:
        _memo = (now, days)
    return days


def _load_local_days() -> dict[dt.date, tuple[bool, str]]:
    from django.db import DatabaseError

    from gongzhi.common.models import CalendarDay

    try:
        rows = CalendarDay.objects.values_list("date", "kind", "name")
        return {day: (kind == CalendarDay.Kind.WORKDAY, name) for day, kind, name in rows}
    except DatabaseError:
        # Before ``migrate`` has created the table: the package's calendar alone.
        return {}


def calendar_changed() -> None:
    """Forget this process's copy of the rows; the next question reads them again."""
    global _memo
    with _lock:
        _memo = None


@cache
def _library() -> object | None:
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return chinese_calendar


@cache
def library_years() -> frozenset[int]:
    """Years the ``chinese-calendar`` package has the State Council's notice for."""
    lib = _library()
    if lib is None:
        return frozenset()
    return frozenset(d.year for d in (*lib.holidays, *lib.workdays))  # type: ignore[attr-defined]


def is_workday(day: dt.date) -> bool:
    local = _local_days().get(day)
    if local is not None:
        return local[0]
    if day.year in library_years():
        return bool(_library().is_workday(day))  # type: ignore[attr-defined]
    # No data for this year: Monday–Friday (flagged by calendar_status).
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
    for _step in range(days):
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


# ---------------------------------------------------------------- coverage


@dataclass
class YearStatus:
    """Where a year's holidays come from and whether they are complete."""

    year: int
    library: bool
    holidays: int = 0
    workdays: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.holidays + self.workdays

    @property
    def complete(self) -> bool:
        return self.library or (self.rows > 0 and not self.missing)

    @property
    def source(self) -> str:
        local = _("本地记录 %(holidays)s 天放假、%(workdays)s 天调休上班") % {
            "holidays": self.holidays,
            "workdays": self.workdays,
        }
        if self.library:
            extra = _("；另有%(local)s，优先于库") % {"local": local} if self.rows else ""
            return _("chinese-calendar 库（国务院节假日安排）%(extra)s") % {"extra": extra}
        if self.rows:
            return local + (
                ""
                if not self.missing
                else _("，缺少：%(join)s") % {"join": "、".join(self.missing)}
            )
        return _("无数据：按周一至周五计算，法定节假日不会放假")

    @property
    def warning(self) -> str:
        if self.complete:
            return ""
        if not self.rows:
            return _(
                "%(year)s 年没有节假日数据：期限和会议日期按周一至周五计算，法定节假日会被当作工作日"
            ) % {"year": self.year}
        return _("%(year)s 年节假日数据不完整，缺少：%(join)s") % {
            "year": self.year,
            "join": "、".join(self.missing),
        }


def year_status(year: int) -> YearStatus:
    status = YearStatus(year=year, library=year in library_years())
    names: list[str] = []
    for day, (working, name) in _local_days().items():
        if day.year != year:
            continue
        if working:
            status.workdays += 1
        else:
            status.holidays += 1
            names.append(name)
    status.missing = [f for f in FESTIVALS if not any(f in n for n in names)]
    return status


def calendar_status(today: dt.date | None = None) -> list[YearStatus]:
    """This year and next: the years deadlines and meetings are computed in now."""
    if today is None:
        today = dt.datetime.now(SHANGHAI).date()
    return [year_status(y) for y in (today.year, today.year + 1)]


def calendar_warnings(today: dt.date | None = None) -> list[str]:
    return [s.warning for s in calendar_status(today) if not s.complete]
