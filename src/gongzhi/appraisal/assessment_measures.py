"""What the unit assessment measures, per unit and year, from the records the other apps
keep (nothing is copied): the case events (cases.selectors.unit_metrics), attendance at
the joint conferences held in the year (meetings.Attendance), the decisions due in the
year done by their due date (meetings.Decision), and the reports of major events
(parties.Report) the unit filed, or had to answer and answered by their feedback day.
Each item of a plan is scored from these figures by its measure (``item_score``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone

from gongzhi.cases.selectors import unit_metrics
from gongzhi.meetings.models import Attendance, Decision, DecisionState
from gongzhi.org.models import Unit
from gongzhi.parties.models import Report, ReportRecipient


@dataclass
class UnitFigures:
    received: int = 0
    response_rate: float | None = None
    resolve_rate: float | None = None
    satisfaction_rate: float | None = None
    overdue: int = 0
    buck_passing: int = 0
    attended: int = 0
    absent: int = 0
    excused: int = 0
    decisions_due: int = 0
    decisions_on_time: int = 0
    reports_due: int = 0
    reports_on_time: int = 0
    reports_filed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def attendance(self) -> float | None:
        """Present or represented, of the meetings not excused (leave filed is excused)."""
        return self._rate(self.attended, self.attended + self.absent)

    @property
    def decisions(self) -> float | None:
        return self._rate(self.decisions_on_time, self.decisions_due)

    @property
    def reports_answered(self) -> float | None:
        return self._rate(self.reports_on_time, self.reports_due)

    def as_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found.pop("extra")
        found |= {
            "attendance": self.attendance,
            "decisions": self.decisions,
            "reports_answered": self.reports_answered,
        }
        return found


RATE_MEASURES = frozenset(
    {
        "response_rate",
        "resolve_rate",
        "satisfaction_rate",
        "attendance",
        "decisions",
        "reports_answered",
    }
)
DEDUCT_MEASURES = frozenset({"overdue", "buck_passing"})
ADD_MEASURES = frozenset({"reports_filed"})


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _local_day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _attendance(found: dict[int, UnitFigures], start: dt.datetime, end: dt.datetime) -> None:
    rows = (
        Attendance.objects.filter(
            invitation__unit_id__in=list(found),
            invitation__meeting__held_at__gte=start,
            invitation__meeting__held_at__lt=end,
        )
        .values("invitation__unit_id", "status")
        .annotate(n=Count("id"))
    )
    S = Attendance.Status
    for r in rows:
        f = found[r["invitation__unit_id"]]
        if r["status"] in (S.PRESENT, S.SUBSTITUTE):
            f.attended += r["n"]
        elif r["status"] == S.ABSENT:
            f.absent += r["n"]
        else:
            f.excused += r["n"]


def _decisions(found: dict[int, UnitFigures], year: int, today: dt.date) -> None:
    """A decision counts once due (or done): on time when done by its due date."""
    rows = Decision.objects.filter(
        responsible_unit_id__in=list(found), due_date__year=year
    ).values_list("responsible_unit_id", "due_date", "state", "done_at")
    for unit_id, due, state, done_at in rows:
        done = state == DecisionState.DONE
        if not done and due >= today:
            continue  # not due yet
        f = found[unit_id]
        f.decisions_due += 1
        day = _local_day(done_at)
        if done and day is not None and day <= due:
            f.decisions_on_time += 1


def _reports(
    found: dict[int, UnitFigures], start: dt.datetime, end: dt.datetime, today: dt.date
) -> None:
    """Reports sent to the unit in the year: due once their feedback day passed (or
    answered); on time when answered by it. And the reports the unit filed."""
    # A unit reached twice by one report (say, as the residents' committee and as a seat of
    # the conference) is counted once.
    rows = (
        ReportRecipient.objects.filter(
            unit_id__in=list(found), report__created_at__gte=start, report__created_at__lt=end
        )
        .order_by()
        .values_list("unit_id", "report_id", "report__feedback_due", "report__answered_at")
        .distinct()
    )
    for unit_id, _report, due, answered_at in rows:
        day = _local_day(answered_at)
        if day is None and due >= today:
            continue
        f = found[unit_id]
        f.reports_due += 1
        if day is not None and day <= due:
            f.reports_on_time += 1
    filed = (
        Report.objects.filter(
            filer_unit_id__in=list(found), created_at__gte=start, created_at__lt=end
        )
        .values("filer_unit_id")
        .annotate(n=Count("id"))
    )
    for r in filed:
        found[r["filer_unit_id"]].reports_filed = r["n"]


def unit_figures(
    units: Iterable[Unit], year: int, today: dt.date | None = None
) -> dict[int, UnitFigures]:
    """Every measure's figure for each unit in the year, in a handful of grouped queries."""
    unit_list = list(units)
    today = today or timezone.localdate()
    start, end = year_bounds(year)
    found: dict[int, UnitFigures] = {}
    for m in unit_metrics(units=unit_list, start=start, end=end):
        found[m.unit.pk] = UnitFigures(
            received=m.received,
            response_rate=m.response_rate,
            resolve_rate=m.resolve_rate,
            satisfaction_rate=m.satisfaction_rate,
            overdue=m.overdue,
            buck_passing=m.buck_passing,
        )
    if found:
        _attendance(found, start, end)
        _decisions(found, year, today)
        _reports(found, start, end, today)
    return found


def item_score(
    *, measure: str, weight: int, per: Decimal | float, figures: UnitFigures, manual: Any = None
) -> float:
    """The points of one item for one unit (see data/assessment.yaml for the rules)."""
    w = float(weight)
    if measure in RATE_MEASURES:
        rate = getattr(figures, measure)
        return w if rate is None else round(w * rate / 100, 1)
    if measure in DEDUCT_MEASURES:
        return max(0.0, round(w - float(per) * getattr(figures, measure), 1))
    if measure in ADD_MEASURES:
        return min(w, round(float(per) * getattr(figures, measure), 1))
    return 0.0 if manual is None else float(manual)
