"""Writing the working calendar: importing a year's holiday notice (all or nothing), and
the office's single days from the admin site. Every write clears the calendar kept in
memory (gongzhi.common.workcal), here at once and again when the transaction commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from gongzhi.common import workcal
from gongzhi.common.audit import audit_record
from gongzhi.common.calendar_files import CalendarDocument, DayRow, parse_date, parse_kind
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.common.models import CalendarDay

MAX_RANGE_DAYS = 31


@dataclass
class CalendarImportResult:
    year: int | None
    created: int
    updated: int
    removed: int


@dataclass
class _Day:
    date: dt.date
    working: bool
    name: str
    source: str
    row: DayRow


def _expand(row: DayRow, default_source: str, errors: list[FieldError]) -> list[_Day]:
    """One entry of the file as days: ``date``, or ``from`` … ``to`` for a span."""
    v = row.values
    working = parse_kind(v.get("kind"))
    if working is None:
        errors.append(
            row.error(
                "kind",
                _("类型应为“放假”或“上班”，而不是“%(value)s”") % {"value": v.get("kind") or ""},
            )
        )
    name = str(v.get("name") or "").strip()
    if not name:
        if working:
            name = _("调休上班")
        else:
            errors.append(row.error("name", _("放假的日期要写名称（如：元旦、春节）")))
    elif len(name) > 40:
        errors.append(row.error("name", _("名称不能超过 40 个字符")))
    source = str(v.get("source") or "").strip() or default_source
    if v.get("from") or v.get("to"):
        first, last = parse_date(v.get("from")), parse_date(v.get("to"))
        if first is None:
            errors.append(
                row.error(
                    "from",
                    _("日期“%(value)s”无法识别，应写作 2027-01-01")
                    % {"value": v.get("from") or ""},
                )
            )
        if last is None:
            errors.append(
                row.error(
                    "to",
                    _("日期“%(value)s”无法识别，应写作 2027-01-03") % {"value": v.get("to") or ""},
                )
            )
        if first is None or last is None:
            return []
        if last < first or (last - first).days >= MAX_RANGE_DAYS:
            errors.append(
                row.error(
                    "to",
                    _("结束日期应在 %(isoformat)s 之后的 31 天内")
                    % {"isoformat": first.isoformat()},
                )
            )
            return []
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    else:
        day = parse_date(v.get("date"))
        if day is None:
            errors.append(
                row.error(
                    "date",
                    _("日期“%(value)s”无法识别，应写作 2027-01-01")
                    % {"value": v.get("date") or ""},
                )
            )
            return []
        days = [day]
    if working is None or (not name and not working):
        return []
    return [_Day(d, working, name, source, row) for d in days]


def _validate(document: CalendarDocument) -> tuple[list[FieldError], list[_Day], int | None]:
    errors: list[FieldError] = list(document.errors)
    days: list[_Day] = []
    for row in document.rows:
        days += _expand(row, document.source, errors)
    if not document.rows and not errors:
        errors.append(FieldError("days", _("文件中没有任何日期")))
    year = document.year
    if document.replaces_year and year is None and days:
        year = days[0].date.year
    seen: set[dt.date] = set()
    for day in days:
        key = "date" if "date" in day.row.values else "from"
        if document.replaces_year and year is not None and day.date.year != year:
            errors.append(
                day.row.error(
                    key,
                    _("%(isoformat)s 不在 %(year)s 年：一个文件只写一年的安排")
                    % {"isoformat": day.date.isoformat(), "year": year},
                )
            )
        if day.date in seen:
            errors.append(
                day.row.error(
                    key,
                    _("日期 %(isoformat)s 重复：前面已经写过")
                    % {"isoformat": day.date.isoformat()},
                )
            )
        seen.add(day.date)
        if day.working and day.date.weekday() < 5:
            errors.append(
                day.row.error(
                    "kind",
                    _("%(date)s 是%(weekday)s，本来就上班，不是调休上班日")
                    % {"date": day.date.isoformat(), "weekday": WEEKDAYS[day.date.weekday()]},
                )
            )
    unique: list[FieldError] = []
    for error in errors:
        if error not in unique:
            unique.append(error)
    return unique, days, year


@transaction.atomic
def calendar_import(
    *, document: CalendarDocument, actor: Any = None, filename: str = ""
) -> CalendarImportResult:
    """Load a year's holidays and make-up working days. A notice replaces the rows of its
    year; the older overrides file adds or changes the days it names. A file with any
    error changes nothing."""
    errors, days, year = _validate(document)
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        raise InvalidInput(
            errors=errors,
            summary=_("日历文件有 %(len)s 处错误，未导入任何内容") % {"len": len(errors)},
        )
    existing = {
        d.date: d
        for d in CalendarDay.objects.select_for_update().filter(date__in=[x.date for x in days])
    }
    removed = 0
    if document.replaces_year and year is not None:
        removed, _detail = (
            CalendarDay.objects.filter(date__year=year)
            .exclude(date__in=[d.date for d in days])
            .delete()
        )
    created = updated = 0
    first: CalendarDay | None = None
    for day in days:
        kind = CalendarDay.Kind.WORKDAY if day.working else CalendarDay.Kind.HOLIDAY
        row = existing.get(day.date)
        if row is None:
            row = CalendarDay.objects.create(
                date=day.date, kind=kind, name=day.name, source=day.source[:200]
            )
            created += 1
        elif (row.kind, row.name, row.source) != (kind, day.name, day.source[:200]):
            row.kind, row.name, row.source = kind, day.name, day.source[:200]
            row.save()
            updated += 1
        first = first or row
    assert first is not None  # a file without days is refused above
    audit_record(
        actor=actor,
        action="calendar.import",
        target=first,
        reason=filename,
        extra={
            "year": year,
            "source": document.source,
            "created": created,
            "updated": updated,
            "removed": removed,
        },
    )
    _changed()
    return CalendarImportResult(year, created, updated, removed)


def calendar_day_problems(*, date: dt.date | None, kind: str | None) -> list[FieldError]:
    """What is wrong with one day as the admin form has it (the form shows these)."""
    if date is not None and kind == CalendarDay.Kind.WORKDAY and date.weekday() < 5:
        return [
            FieldError(
                "kind",
                _("%(date)s 是%(weekday)s，本来就上班，不是调休上班日")
                % {"date": date.isoformat(), "weekday": WEEKDAYS[date.weekday()]},
            )
        ]
    return []


@transaction.atomic
def calendar_day_save(*, day: CalendarDay, actor: Any = None) -> CalendarDay:
    """One day entered or corrected in the admin site."""
    errors = calendar_day_problems(date=day.date, kind=day.kind)
    if errors:
        raise InvalidInput(errors=errors)
    created = day.pk is None
    day.save()
    audit_record(
        actor=actor,
        action="calendar.day_create" if created else "calendar.day_update",
        target=day,
        to_state=day.kind,
    )
    _changed()
    return day


@transaction.atomic
def calendar_day_delete(*, day: CalendarDay, actor: Any = None) -> None:
    audit_record(actor=actor, action="calendar.day_delete", target=day, from_state=day.kind)
    day.delete()
    _changed()


def _changed() -> None:
    workcal.calendar_changed()
    transaction.on_commit(workcal.calendar_changed)
