"""Unit assessment (001 五(二), 004 四), first part: the yearly checklist of
data/assessment.yaml scored for every unit of a jurisdiction from the case events
(cases.selectors.unit_metrics), recomputed on every read, with its .xlsx export. Who may
read it: office staff, conveners and auditors of the jurisdiction or above."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gongzhi.cases.selectors import UnitMetrics, unit_metrics
from gongzhi.common.errors import NotFound
from gongzhi.org.models import Jurisdiction, Unit
from gongzhi.org.permissions import scope_for

CHECKLIST = Path(__file__).resolve().parent / "data" / "assessment.yaml"
RATES = ("response_rate", "resolve_rate", "satisfaction_rate")


@cache
def checklist() -> list[dict[str, Any]]:
    return list(yaml.safe_load(CHECKLIST.read_text(encoding="utf-8"))["items"])


@dataclass
class AssessmentRow:
    unit: Unit
    metrics: UnitMetrics
    scores: list[float]
    total: float


def _score(item: dict[str, Any], m: UnitMetrics) -> float:
    weight = float(item["weight"])
    if item["code"] in RATES:
        rate = getattr(m, item["code"])
        return weight if rate is None else round(weight * rate / 100, 1)
    return max(0.0, weight - float(item.get("per", 1)) * getattr(m, item["code"]))


def jurisdiction_for(user: Any, code: str) -> Jurisdiction:
    found = Jurisdiction.objects.filter(code=code[:20]).first()
    if found is None or not scope_for(user).reads_jurisdiction(found):
        raise NotFound(_("辖区不存在或无权查看"))
    return found


def table(jurisdiction: Jurisdiction, year: int) -> list[AssessmentRow]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    units = Unit.objects.filter(
        is_active=True, jurisdiction__path__startswith=jurisdiction.path
    ).order_by("jurisdiction__depth", "kind__sort", "name")
    rows = []
    for m in unit_metrics(units=units, start=start, end=end):
        if not m.received:
            continue  # a unit the cases never reached is not assessed on them
        scores = [_score(item, m) for item in checklist()]
        rows.append(AssessmentRow(m.unit, m, scores, round(sum(scores), 1)))
    rows.sort(key=lambda r: (-r.total, r.unit.name))
    return rows


def table_xlsx(jurisdiction: Jurisdiction, year: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(year)
    sheet.append(
        [
            _("%(jurisdiction)s %(year)s 年度成员单位考核（按案件记录计算）")
            % {"jurisdiction": jurisdiction.name, "year": year}
        ]
    )
    sheet["A1"].font = Font(bold=True)
    items = checklist()
    sheet.append(
        [
            _("单位"),
            _("收件"),
            *(
                _("%(label)s（%(weight)s）") % {"label": i["label"], "weight": i["weight"]}
                for i in items
            ),
            _("合计"),
        ]
    )
    for row in table(jurisdiction, year):
        sheet.append([row.unit.name, row.metrics.received, *row.scores, row.total])
    sheet.column_dimensions["A"].width = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
