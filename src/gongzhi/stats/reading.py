"""How a dashboard's rows are read: the plan of the queries behind a chart.

The rows a board covers are those of DailyFigures within the reader's scope (one OR of
its branches, stats/access.py ``FigureScope``), the period and the board's narrowing.
Read that way, PostgreSQL scans the period's daily rows by date and filters, so a
property company pays what the office pays, and a year costs about three rows per case.
The plan reads the same rows in disjoint parts, each by its own index, combined with
UNION ALL and grouped per part in the database:

- one part per scope branch, made disjoint: each area root (outermost paths, so no row
  is under two); the units, outside the roots; the estates, outside the roots and the
  units. A reader with estates and no area (a property company, an owners' committee)
  is read by the one OR over the daily rows: its estates need days anyway;
- the whole months of the period from MonthlyFigures (month × street × unit × matter),
  the days before and after them from DailyFigures, when the chart needs neither days
  (weekly trend) nor estates (by estate, an estate's board, the estate branch), and
  every area root is a street (town) or above (a residents' committee's community is
  not a place of the monthly rows).

A board with ``definition`` set reads the one-OR daily rows instead: what the tests
compare every plan with (stats/tests/test_reading.py), and the bench's first column."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncMonth, TruncWeek

from gongzhi.cases.selectors import FIGURE_NAMES
from gongzhi.org.models import Jurisdiction
from gongzhi.stats.access import FigureScope
from gongzhi.stats.models import DailyFigures, MonthlyFigures

if TYPE_CHECKING:
    from gongzhi.stats.selectors import Board

SUMS = {name: Sum(name) for name in FIGURE_NAMES}
# What a chart groups by: a column of both tables, a bucket of days, or nothing.
GROUPS = ("unit_id", "street_id", "estate_id", "matter", "week", "month", None)
ABOVE_STREET = [lv for lv, tier in Jurisdiction.TIER.items() if tier <= 4]


@dataclass
class Part:
    """Rows of one table: one scope branch over a run of whole months or of days."""

    monthly: bool
    q: Q
    first: dt.date
    last: dt.date

    def queryset(self) -> QuerySet[Any]:
        if self.monthly:
            return MonthlyFigures.objects.filter(
                self.q, month__gte=self.first, month__lte=self.last
            )
        return DailyFigures.objects.filter(self.q, day__gte=self.first, day__lte=self.last)


def _month_after(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def split_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first days of the first and last whole months in [start, end], if any."""
    first = start if start.day == 1 else _month_after(start)
    after_end = end + dt.timedelta(days=1)
    last_whole_end = after_end if after_end.day == 1 else after_end.replace(day=1)
    if first >= last_whole_end:
        return None
    return first, (last_whole_end - dt.timedelta(days=1)).replace(day=1)


def _branches(scope: FigureScope) -> list[tuple[Q, bool]]:
    """Disjoint filters whose union is ``scope.q()``, each with whether the monthly rows
    can answer it (not with the estate)."""
    if scope.everything:
        return [(Q(), True)]
    found: list[tuple[Q, bool]] = [(Q(area_path__startswith=r), True) for r in scope.roots]
    outside = Q()
    for root in scope.roots:
        outside &= ~Q(area_path__startswith=root)
    if scope.unit_ids:
        found.append((Q(unit_id__in=scope.unit_ids) & outside, True))
        outside &= ~Q(unit_id__in=scope.unit_ids)
    if scope.estate_ids:
        found.append((Q(estate_id__in=scope.estate_ids) & outside, False))
    return found


def _roots_above_streets(roots: Iterable[str]) -> bool:
    """Whether every root is the path of a street (town) or a larger area."""
    wanted = set(roots)
    if not wanted:
        return True
    found = Jurisdiction.objects.filter(path__in=wanted, level__in=ABOVE_STREET).count()
    return found == len(wanted)


def plan(board: Board, group: str | None) -> list[Part]:
    """The parts whose rows, together, are the board's rows for a chart grouped by
    ``group``."""
    start, end = board.period.start, board.period.end
    scope = board.scope
    if board.definition or (scope.estate_ids and not scope.roots):
        # Without an area, a three-party member's estates are read by day anyway: one
        # query with the OR (PostgreSQL joins the estate and unit indexes in a bitmap)
        # costs less than the parts (measured: docs/performance.md).
        return [Part(False, scope.q() & board.narrowing(), start, end)]
    narrow = board.narrowing()
    monthly_ok = (
        board.by_month
        and group not in ("week", "estate_id")
        and board.estate is None
        and (scope.everything or _roots_above_streets(scope.roots))
    )
    months = split_period(start, end) if monthly_ok else None
    parts: list[Part] = []
    for branch, by_month in _branches(scope):
        q = branch & narrow
        if months is None or not by_month:
            parts.append(Part(False, q, start, end))
            continue
        first, last = months
        parts.append(Part(True, q, first, last))
        if start < first:
            parts.append(Part(False, q, start, first - dt.timedelta(days=1)))
        after = _month_after(last)
        if after <= end:
            parts.append(Part(False, q, after, end))
    return parts


def _grouped(part: Part, group: str | None) -> QuerySet[Any]:
    qs = part.queryset()
    if group is None:
        # A constant is no GROUP BY column: one row of sums over the part.
        qs = qs.annotate(g=Value(0, output_field=IntegerField()))
        group = "g"
    elif group == "month":
        qs = qs.annotate(g=F("month") if part.monthly else TruncMonth("day"))
        group = "g"
    elif group == "week":
        qs = qs.annotate(g=TruncWeek("day"))
        group = "g"
    return qs.values(group).annotate(**SUMS).order_by()


def sums(board: Board, group: str | None) -> dict[Any, dict]:
    """The figures of the board's rows per value of ``group`` (one key, None, without a
    group): one query, the parts' grouped rows combined by UNION ALL and added here."""
    assert group in GROUPS, group
    parts = plan(board, group)
    out: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURE_NAMES, 0))
    if not parts:
        return {}
    first, *rest = [_grouped(p, group) for p in parts]
    rows = first.union(*rest, all=True) if rest else first
    field = "g" if group in (None, "month", "week") else group
    for row in rows:
        key = row[field]
        if group is None:
            key = None
        elif isinstance(key, dt.datetime):
            key = key.date()
        if all(row[n] is None for n in FIGURE_NAMES):
            continue  # an aggregate over no rows
        target = out[key]
        for n in FIGURE_NAMES:
            target[n] += row[n] or 0
    return dict(out)
