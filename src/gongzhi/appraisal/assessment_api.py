"""The JSON API of the unit assessment (mounted on the appraisal router): a jurisdiction's
plan for a year with its checklist, every unit's scores (live while a draft, frozen once
submitted), the manual scores and the actions the caller may take; one endpoint per
action of assessment_actions.registry; and the organisation department's .xlsx / PDF."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Path, Query, Schema, Status
from ninja.files import UploadedFile

from gongzhi.appraisal import assessment as a
from gongzhi.appraisal import assessment_access as aa
from gongzhi.appraisal.api import router
from gongzhi.appraisal.assessment_actions import ItemsIn, ManualIn, ReturnIn, registry
from gongzhi.appraisal.assessment_files import export_response
from gongzhi.appraisal.models import AssessmentPlan, ManualScore
from gongzhi.appraisal.services.assessment import assessment_plan_create
from gongzhi.common.actions import Files
from gongzhi.common.schemas import ERRORS, READ_ERRORS

PathYear = Annotated[int, Path(ge=2000, le=2100)]
PathCode = Annotated[str, Path(max_length=20)]
BASE = "/assessment/{code}/{year}"


class ItemOut(Schema):
    code: str
    label: str
    weight: int
    measure: str
    per: float
    source: str


class RowOut(Schema):
    unit_id: int
    unit: str
    rank: int
    total: float
    scores: dict[str, float | None] = Field(..., description="考核项编码 → 得分")
    remarks: str
    figures: dict[str, Any] = Field(
        ..., description="计分依据：收件数、各项比率、出席、议定事项、报告"
    )


class ManualOut(Schema):
    id: int
    item: str
    unit_id: int
    unit: str
    points: float
    note: str
    evidence: bool


class AssessmentOut(Schema):
    jurisdiction: str
    name: str
    year: int
    plan_id: int | None
    title: str
    state: str = Field(
        ..., description="none 未建立；draft 编制中；submitted 已报审；approved 已审定"
    )
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    items: list[ItemOut]
    rows: list[RowOut]
    manual: list[ManualOut]
    allowed: list[str]


def out(user: Any, jurisdiction: Any, year: int, plan: AssessmentPlan | None) -> dict[str, Any]:
    items = a.plan_items(plan, jurisdiction)
    manual = (
        ManualScore.objects.filter(item__plan=plan).select_related("item", "unit")
        if plan is not None
        else []
    )
    return {
        "jurisdiction": jurisdiction.code,
        "name": jurisdiction.name,
        "year": year,
        "plan_id": plan.pk if plan else None,
        "title": plan.title if plan else "",
        "state": plan.state if plan else "none",
        "submitted_at": plan.submitted_at if plan else None,
        "approved_at": plan.approved_at if plan else None,
        "items": [
            {
                "code": i.code,
                "label": i.label,
                "weight": i.weight,
                "measure": i.measure,
                "per": float(i.per),
                "source": i.source,
            }
            for i in items
        ],
        "rows": [
            {
                "unit_id": r.unit.pk,
                "unit": r.unit.name,
                "rank": r.rank,
                "total": r.total,
                "scores": r.scores,
                "remarks": r.remarks,
                "figures": r.figures,
            }
            for r in a.table(plan, jurisdiction, year)
        ],
        "manual": [
            {
                "id": m.pk,
                "item": m.item.code,
                "unit_id": m.unit_id,
                "unit": m.unit.name,
                "points": float(m.points),
                "note": m.note,
                "evidence": bool(m.evidence),
            }
            for m in manual
        ],
        "allowed": aa.offered(user, jurisdiction, plan),
    }


@router.get(BASE, response={200: AssessmentOut, **READ_ERRORS}, summary="成员单位年度考核")
def assessment_get(request: HttpRequest, code: PathCode, year: PathYear) -> dict[str, Any]:
    jurisdiction, plan = aa.plan_for(request.user, code, year)
    return out(request.user, jurisdiction, year, plan)


@router.post(BASE, response={201: AssessmentOut, **ERRORS}, summary="建立年度考核（按默认清单）")
def assessment_create(request: HttpRequest, code: PathCode, year: PathYear) -> Status:
    jurisdiction = aa.jurisdiction_for(request.user, code)
    plan = assessment_plan_create(jurisdiction=jurisdiction, year=year, actor=request.user)
    return Status(201, out(request.user, jurisdiction, year, plan))


def _act(request: HttpRequest, code: str, year: int, name: str, data: Any, files: Files) -> Any:
    plan = aa.existing_plan(request.user, code, year)
    action = registry.get(name)
    assert action is not None
    action.run(plan, request.user, data, files)
    plan.refresh_from_db()
    return out(request.user, plan.jurisdiction, year, plan)


class EmptyBody(Schema):
    pass


@router.post(BASE + "/items", response={200: AssessmentOut, **ERRORS}, summary="保存考核清单")
def assessment_items(request: HttpRequest, code: PathCode, year: PathYear, payload: ItemsIn) -> Any:
    return _act(request, code, year, "items_set", payload, {})


@router.post(
    BASE + "/items/import",
    response={200: AssessmentOut, **ERRORS},
    summary="从 .xlsx 导入考核清单（编码、考核内容、分值、计分方式、每次分值、依据）",
)
def assessment_items_import(
    request: HttpRequest, code: PathCode, year: PathYear, file: File[UploadedFile]
) -> Any:
    return _act(request, code, year, "items_import", EmptyBody(), {"file": [file]})


@router.post(
    BASE + "/manual-scores",
    response={200: AssessmentOut, **ERRORS},
    summary="人工评分（表单字段，可附佐证文件 evidence：PDF 或图片）",
)
def assessment_manual(
    request: HttpRequest,
    code: PathCode,
    year: PathYear,
    payload: Form[ManualIn],
    evidence: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    return _act(request, code, year, "manual_score", payload, {"evidence": list(evidence or [])})


@router.post(BASE + "/submit", response={200: AssessmentOut, **ERRORS}, summary="报送审定")
def assessment_submit(request: HttpRequest, code: PathCode, year: PathYear) -> Any:
    return _act(request, code, year, "submit", EmptyBody(), {})


@router.post(
    BASE + "/return", response={200: AssessmentOut, **ERRORS}, summary="退回修改（召集人）"
)
def assessment_return(
    request: HttpRequest, code: PathCode, year: PathYear, payload: ReturnIn
) -> Any:
    return _act(request, code, year, "return", payload, {})


@router.post(BASE + "/approve", response={200: AssessmentOut, **ERRORS}, summary="审定（召集人）")
def assessment_approve(request: HttpRequest, code: PathCode, year: PathYear) -> Any:
    return _act(request, code, year, "approve", EmptyBody(), {})


@router.get(
    BASE + "/export",
    response={200: None, **READ_ERRORS},
    summary="报组织部的考核结果表（xlsx 或 pdf）",
)
def assessment_export(
    request: HttpRequest,
    code: PathCode,
    year: PathYear,
    format: Annotated[Literal["xlsx", "pdf"], Query()] = "xlsx",
) -> HttpResponse:
    jurisdiction, plan = aa.plan_for(request.user, code, year)
    return export_response(jurisdiction, year, plan, format)
