"""Time limits as written in catalogs: ``24h`` clock hours, ``4wh`` working hours,
``5wd`` working days, ``3d`` calendar days. Chinese forms (``5个工作日``, ``24小时``,
``4工作小时``, ``3天``) are accepted on input."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class LimitUnit(StrEnum):
    HOURS = "h"
    WORK_HOURS = "wh"
    WORK_DAYS = "wd"
    DAYS = "d"


LABELS = {
    LimitUnit.HOURS: gettext_lazy("小时"),
    LimitUnit.WORK_HOURS: gettext_lazy("个工作小时"),
    LimitUnit.WORK_DAYS: gettext_lazy("个工作日"),
    LimitUnit.DAYS: gettext_lazy("天"),
}

_ASCII = re.compile(r"^\s*(\d+)\s*(wh|wd|h|d)\s*$", re.IGNORECASE)
# i18n: data (time limits as the documents write them)
_CHINESE = re.compile(r"^\s*(\d+)\s*个?\s*(工作小时|工作日|小时|天|日)\s*$")
# i18n: data
_CHINESE_UNITS = {
    "工作小时": LimitUnit.WORK_HOURS,
    "工作日": LimitUnit.WORK_DAYS,
    "小时": LimitUnit.HOURS,
    "天": LimitUnit.DAYS,
    "日": LimitUnit.DAYS,
}


@dataclass(frozen=True)
class TimeLimit:
    value: int
    unit: LimitUnit

    def __str__(self) -> str:
        return f"{self.value}{self.unit.value}"

    @property
    def label(self) -> str:
        return f"{self.value}{LABELS[self.unit]}"


def parse_time_limit(text: object) -> TimeLimit:
    """Parse a limit, or raise ValueError with a Chinese message."""
    raw = str(text if text is not None else "").strip()
    if not raw:
        raise ValueError(_("时限不能为空"))
    match = _ASCII.match(raw)
    if match:
        value, unit = int(match.group(1)), LimitUnit(match.group(2).lower())
    else:
        match = _CHINESE.match(raw)
        if not match:
            raise ValueError(
                _(
                    "时限“%(raw)s”无法识别，应写作 24h（小时）、4wh（工作小时）、5wd（工作日）或 3d（天）"
                )
                % {"raw": raw}
            )
        value, unit = int(match.group(1)), _CHINESE_UNITS[match.group(2)]
    if value <= 0:
        raise ValueError(_("时限“%(raw)s”必须大于零") % {"raw": raw})
    if value > 366 * 24:
        raise ValueError(_("时限“%(raw)s”过长") % {"raw": raw})
    return TimeLimit(value, unit)


def validate_time_limit(text: str) -> None:
    from django.core.exceptions import ValidationError

    if not text:
        return
    try:
        parse_time_limit(text)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def due_after(start: dt.datetime, limit: TimeLimit | str) -> dt.datetime:
    """When a limit that starts at ``start`` runs out, on the Chinese working calendar."""
    from gongzhi.common import workcal

    if isinstance(limit, str):
        limit = parse_time_limit(limit)
    if limit.unit is LimitUnit.HOURS:
        return start + dt.timedelta(hours=limit.value)
    if limit.unit is LimitUnit.DAYS:
        return start + dt.timedelta(days=limit.value)
    if limit.unit is LimitUnit.WORK_HOURS:
        return workcal.add_work_hours(start, limit.value)
    return workcal.add_workdays(start, limit.value)
