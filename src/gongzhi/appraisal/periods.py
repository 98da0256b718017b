"""Rating periods as keys: ``2026Q1`` (quarter), ``2026H1`` (half year), ``2026`` (year)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongzhi.common.errors import FieldError, InvalidInput

_KEY = re.compile(r"^(?P<year>20\d\d)(?:(?P<q>Q[1-4])|(?P<h>H[12]))?$")


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    part: int  # quarter 1–4, half 1–2, or 1 for a year

    @property
    def key(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}Q{self.part}"
        if self.kind == "half":
            return f"{self.year}H{self.part}"
        return str(self.year)

    @property
    def months(self) -> int:
        return {"quarter": 3, "half": 6}.get(self.kind, 12)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, (self.part - 1) * self.months + 1, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        month = self.part * self.months
        if month == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, month + 1, 1) - dt.timedelta(days=1)

    def previous(self) -> Period:
        if self.part > 1:
            return Period(self.kind, self.year, self.part - 1)
        return Period(self.kind, self.year - 1, 12 // self.months)

    def __str__(self) -> str:
        return self.key


def period_of(day: dt.date, kind: str) -> Period:
    months = {"quarter": 3, "half": 6}.get(kind, 12)
    return Period(kind, day.year, (day.month - 1) // months + 1)


def last_ended(today: dt.date, kind: str) -> Period:
    """The latest period that has ended before ``today``."""
    return period_of(today, kind).previous()


def parse_period(key: str, kind: str, *, field: str = "period") -> Period:
    """A period key of the policy's kind; anything else is a Chinese 422."""
    m = _KEY.match((key or "").strip().upper())
    expected = {"quarter": "2026Q1", "half": "2026H1"}.get(kind, "2026")
    if m is None:
        raise InvalidInput(
            errors=[FieldError(field, _("考评期应写作 %(expected)s") % {"expected": expected})]
        )
    year = int(m["year"])
    if kind == "quarter" and m["q"]:
        return Period(kind, year, int(m["q"][1]))
    if kind == "half" and m["h"]:
        return Period(kind, year, int(m["h"][1]))
    if kind == "year" and not m["q"] and not m["h"]:
        return Period(kind, year, 1)
    raise InvalidInput(
        errors=[
            FieldError(field, _("本地考评周期的考评期应写作 %(expected)s") % {"expected": expected})
        ]
    )
