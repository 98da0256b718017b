"""Results of a 群众满意单位 social rating (004 四(二)), recomputed on every read from
two sources: the residents' ratings of the cases each unit handled in the period (the
case events, the one definition of 满意率 in cases.selectors.Figures: 满意 or 基本满意 of
those rated, upheld appeals excluded) and the public survey's ratings. A unit's rate is
the weighted mean of the two rates (the period's ``case_weight`` for the cases, the rest
for the survey); with only one source, that one. Units with fewer ratings in all than the
period's ``min_ratings`` are shown but not ranked; equal rates share a rank."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.appraisal.models import SatisfactionPeriod, SurveyRating
from gongzhi.org.models import Unit

GOOD = (SurveyRating.Value.SATISFIED, SurveyRating.Value.BASIC)


@dataclass
class UnitResult:
    unit: Unit
    case_rated: int
    case_satisfied: int
    survey_rated: int
    survey_satisfied: int
    rate: float | None
    rank: int | None = None

    @property
    def case_rate(self) -> float | None:
        return _rate(self.case_satisfied, self.case_rated)

    @property
    def survey_rate(self) -> float | None:
        return _rate(self.survey_satisfied, self.survey_rated)

    @property
    def ratings(self) -> int:
        return self.case_rated + self.survey_rated


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def rated_units(period: SatisfactionPeriod) -> list[Unit]:
    """The units residents may rate: the active member units of the period's area."""
    return list(
        Unit.objects.filter(
            jurisdiction__path__startswith=period.jurisdiction.path, is_active=True
        ).select_related("kind", "jurisdiction")
    )


def bounds(period: SatisfactionPeriod) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.starts_on, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def combined(period: SatisfactionPeriod, case: float | None, survey: float | None) -> float | None:
    if case is None or survey is None:
        return case if survey is None else survey
    w = period.case_weight
    return round((w * case + (100 - w) * survey) / 100, 1)


def results(period: SatisfactionPeriod) -> list[UnitResult]:
    """Every unit with at least one rating, ranked first, best first."""
    from gongzhi.cases.selectors import unit_metrics

    units = rated_units(period)
    start, end = bounds(period)
    metrics = {m.unit.pk: m for m in unit_metrics(units=units, start=start, end=end)}
    survey: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    rows = (
        SurveyRating.objects.filter(vote__period=period)
        .values("unit_id")
        .annotate(n=Count("id"), good=Count("id", filter=Q(value__in=GOOD)))
    )
    for got in rows:
        survey[got["unit_id"]] = (got["n"], got["good"])
    found = []
    for unit in units:
        m = metrics[unit.pk]
        n, good = survey[unit.pk]
        if not m.rated and not n:
            continue
        row = UnitResult(unit, m.rated, m.satisfied, n, good, None)
        row.rate = combined(period, row.case_rate, row.survey_rate)
        found.append(row)
    ranked = sorted(
        (r for r in found if r.ratings >= period.min_ratings and r.rate is not None),
        key=lambda r: (-(r.rate or 0), -r.ratings, r.unit.name),
    )
    for i, r in enumerate(ranked):
        same = i and ranked[i - 1].rate == r.rate
        r.rank = ranked[i - 1].rank if same else i + 1
    rest = sorted((r for r in found if r.rank is None), key=lambda r: r.unit.name)
    return ranked + rest
