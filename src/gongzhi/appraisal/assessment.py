"""Unit assessment (001 五(二), 004 四): the shipped checklist (data/assessment.yaml), the
units assessed, and the table of results: recomputed from the records while the plan is
a draft (or before there is a plan), read from the frozen rows once it is submitted."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.appraisal.assessment_measures import UnitFigures, item_score, unit_figures
from gongzhi.appraisal.models import AssessmentItem, AssessmentPlan, ManualScore
from gongzhi.org.models import Jurisdiction, Unit

CHECKLIST = Path(__file__).resolve().parent / "data" / "assessment.yaml"


@cache
def _shipped() -> dict[str, Any]:
    return dict(yaml.safe_load(CHECKLIST.read_text(encoding="utf-8")))


def shipped_for(jurisdiction: Jurisdiction) -> dict[str, Any]:
    """The shipped checklist of the nearest place at or above the jurisdiction."""
    data = _shipped()
    places = data.get("places") or {}
    node: Jurisdiction | None = jurisdiction
    while node is not None:
        if node.code in places:
            return dict(places[node.code])
        node = node.parent
    return dict(data["default"])


def default_items(jurisdiction: Jurisdiction) -> list[AssessmentItem]:
    """The shipped items as unsaved rows (a plan copies them; the page shows them)."""
    return [
        AssessmentItem(
            sort=n,
            code=i["code"],
            label=i["label"],  # i18n: data (the shipped checklist)
            weight=int(i["weight"]),
            measure=i.get("measure", i["code"]),
            per=Decimal(str(i.get("per", 1))),
            source=i.get("source", ""),
        )
        for n, i in enumerate(shipped_for(jurisdiction)["items"], start=1)
    ]


def plan_items(plan: AssessmentPlan | None, jurisdiction: Jurisdiction) -> list[AssessmentItem]:
    return list(plan.items.all()) if plan is not None else default_items(jurisdiction)


def unit_groups(plan: AssessmentPlan | None, jurisdiction: Jurisdiction) -> list[str]:
    if plan is not None and plan.unit_groups:
        return list(plan.unit_groups)
    return list(shipped_for(jurisdiction)["unit_groups"])


def assessed_units(jurisdiction: Jurisdiction, groups: list[str]) -> QuerySet[Unit]:
    """Every active member unit, street and community of the jurisdiction (by kind group)."""
    return (
        Unit.objects.filter(
            is_active=True,
            jurisdiction__path__startswith=jurisdiction.path,
            kind__group__in=groups,
        )
        .select_related("kind", "jurisdiction")
        .order_by("jurisdiction__depth", "kind__sort", "name")
    )


@dataclass
class AssessmentRow:
    unit: Unit
    scores: dict[str, float]
    total: float
    rank: int = 0
    remarks: str = ""
    figures: dict[str, Any] = field(default_factory=dict)


def rank_rows(rows: list[AssessmentRow]) -> list[AssessmentRow]:
    """Highest first; equal totals share a rank (1, 2, 2, 4)."""
    rows.sort(key=lambda r: (-r.total, r.unit.name))
    for n, row in enumerate(rows, start=1):
        row.rank = rows[n - 2].rank if n > 1 and rows[n - 2].total == row.total else n
    return rows


def _remarks(
    items: list[AssessmentItem], manual: dict[tuple[int, int], ManualScore], unit: Unit
) -> str:
    parts = []
    for item in items:
        if item.measure != AssessmentItem.Measure.MANUAL:
            continue
        score = manual.get((item.pk, unit.pk)) if item.pk else None
        if score is None:
            parts.append(_("%(item)s未评分") % {"item": item.label})
        else:
            parts.append(_("%(item)s：%(note)s") % {"item": item.label, "note": score.note})
    return _("；").join(parts)[:500]


def live_rows(
    plan: AssessmentPlan | None, jurisdiction: Jurisdiction, year: int
) -> list[AssessmentRow]:
    """The results as the records stand now."""
    items = plan_items(plan, jurisdiction)
    units = list(assessed_units(jurisdiction, unit_groups(plan, jurisdiction)))
    figures = unit_figures(units, year)
    manual: dict[tuple[int, int], ManualScore] = {}
    if plan is not None:
        manual = {(m.item_id, m.unit_id): m for m in ManualScore.objects.filter(item__plan=plan)}
    rows = []
    for unit in units:
        f = figures.get(unit.pk) or UnitFigures()
        scores = {
            i.code: item_score(
                measure=i.measure,
                weight=i.weight,
                per=i.per,
                figures=f,
                manual=getattr(manual.get((i.pk, unit.pk)), "points", None),
            )
            for i in items
        }
        rows.append(
            AssessmentRow(
                unit,
                scores,
                round(sum(scores.values()), 1),
                remarks=_remarks(items, manual, unit),
                figures=f.as_dict(),
            )
        )
    return rank_rows(rows)


def frozen_rows(plan: AssessmentPlan) -> list[AssessmentRow]:
    return [
        AssessmentRow(r.unit, dict(r.scores), float(r.total), r.rank, r.remarks, dict(r.figures))
        for r in plan.results.select_related("unit__kind", "unit__jurisdiction").order_by(
            "rank", "unit__name"
        )
    ]


def table(
    plan: AssessmentPlan | None, jurisdiction: Jurisdiction, year: int
) -> list[AssessmentRow]:
    if plan is not None and plan.frozen:
        return frozen_rows(plan)
    return live_rows(plan, jurisdiction, year)


def plan_of(jurisdiction: Jurisdiction, year: int) -> AssessmentPlan | None:
    return AssessmentPlan.objects.filter(jurisdiction=jurisdiction, year=year).first()
