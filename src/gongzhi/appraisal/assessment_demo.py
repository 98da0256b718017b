"""Demo part: 嘉祥县's unit assessment for 2026 (issue 10 Doors), made by the office
(刘敏, ``office``) through the services: the plan seeded from data/assessment.yaml, the
manual item 党建引领和工作创新 scored for three units (one with a PDF as evidence), then
submitted, so its results are frozen and wait for the convener (张艳丽, ``convener``)
to approve or return them at /appraisal/assessment/370829000000/2026/."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.pdfgen import canvas

from gongzhi.appraisal.services.assessment import (
    assessment_manual_score,
    assessment_plan_create,
    assessment_submit,
)
from gongzhi.common.pdf import cjk_font

if TYPE_CHECKING:
    from gongzhi.org.demo_context import DemoContext

# Unit key (org/demo.py), points of 5, the office's note.
SCORES = [  # i18n: data (demo notes)
    ("street:嘉祥街道", "5", "建立“红色物业”联席机制，按月召开邻里圆桌会，党建引领成效明显"),
    ("housing_bureau", "4.5", "牵头修订职责清单，组织物业行业培训 4 次"),
    ("rc:建设路社区", "3", "三方联动例会开展正常，创新做法尚少"),
]


def _evidence_pdf() -> SimpleUploadedFile:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setFont(cjk_font(), 14)
    pdf.drawString(72, 760, "嘉祥街道 2026 年邻里圆桌会工作台账（节选）")  # i18n: data (demo file)
    pdf.save()
    return SimpleUploadedFile("taizhang.pdf", buf.getvalue(), content_type="application/pdf")


def build_assessment(ctx: DemoContext) -> None:
    county = ctx.jurisdictions.get("嘉祥县")  # i18n: data (the demo county's name)
    office = ctx.users.get("office")
    if county is None or office is None:
        return
    plan = assessment_plan_create(jurisdiction=county, year=2026, actor=office)
    item = plan.items.get(code="party_building")
    for n, (key, points, note) in enumerate(SCORES):
        if key not in ctx.units:
            continue
        assessment_manual_score(
            plan=plan,
            item=item,
            unit=ctx.units[key],
            points=points,
            note=note,
            evidence=_evidence_pdf() if n == 0 else None,
            actor=office,
        )
    assessment_submit(plan=plan, actor=office)
