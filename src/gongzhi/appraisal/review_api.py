"""The JSON API of the democratic appraisal (mounted on the appraisal router): campaigns
with their standard, subjects, evidence, quorum, results and the actions the caller may
take; one endpoint per action of review_actions.registry; the rater's submission with a
one-time code (no account); the posted results (public)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Schema, Status
from ninja.files import UploadedFile

from gongzhi.appraisal import review_access as ra
from gongzhi.appraisal import services as s
from gongzhi.appraisal.api import router
from gongzhi.appraisal.models import Campaign
from gongzhi.appraisal.review_actions import AnswerIn, CodesIn, ObjectionIn, StandardIn, registry
from gongzhi.appraisal.review_results import evidence, results
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.common.params import PathId
from gongzhi.common.schemas import ERRORS, READ_ERRORS, ErrorOut
from gongzhi.org.models import Jurisdiction


class ItemOut(Schema):
    id: int
    sort: int
    title: str
    weight: int
    guide: str
    measure: str


class ResultOut(Schema):
    subject_id: int
    estate: str
    unit: str
    party: str
    score: float | None
    grade: str
    items: dict[str, float]
    evidence: dict[str, str] = Field(default_factory=dict, description="项目编号 → 系统佐证")


class ObjectionOut(Schema):
    id: int
    subject_id: int | None
    text: str
    answer: str
    answered_at: dt.datetime | None


class CampaignOut(Schema):
    id: int
    title: str
    street: str
    year: int
    state: str
    quorum: int
    sheets: int
    codes: int
    objection_until: dt.date | None
    items: list[ItemOut]
    results: list[ResultOut]
    objections: list[ObjectionOut]
    allowed: list[str]


class CampaignIn(Schema):
    street: str = Field(..., max_length=20, description="街道区划代码")
    year: int = Field(..., ge=2000, le=2100)
    title: str = Field("", max_length=100)
    quorum: int = Field(1, ge=1, le=10000)
    objection_days: int = Field(7, ge=1, le=60)


class CodeOut(Schema):
    label: str
    code: str


class ScoreIn(Schema):
    subject_id: int = Field(..., ge=1, le=2**31 - 1)
    item_id: int = Field(..., ge=1, le=2**31 - 1)
    points: int = Field(..., ge=0, le=1000)


class SheetIn(Schema):
    code: str = Field(..., max_length=20, description="一次性评议码")
    scores: list[ScoreIn] = Field(..., max_length=5000)


class IdOut(Schema):
    id: int
    message: str


def _out(campaign: Campaign, user: Any, *, public: bool = False) -> dict[str, Any]:
    found = {} if public else evidence(campaign)
    sheets = campaign.sheets.count()
    return {
        "id": campaign.pk,
        "title": campaign.title,
        "street": campaign.street.name,
        "year": campaign.year,
        "state": campaign.state,
        "quorum": campaign.quorum,
        "sheets": sheets,
        "codes": 0 if public else campaign.codes.count(),
        "objection_until": campaign.objection_until,
        "items": [
            {
                "id": i.pk,
                "sort": i.sort,
                "title": i.title,
                "weight": i.weight,
                "guide": i.guide,
                "measure": i.measure,
            }
            for i in campaign.items.all()
        ],
        "results": [
            {
                "subject_id": r.subject.pk,
                "estate": r.subject.estate.name,
                "unit": r.subject.unit.name,
                "party": r.subject.party,
                "score": r.score if sheets else None,
                "grade": r.grade,
                "items": {str(k): v for k, v in r.items.items()},
                "evidence": {
                    str(item_id): text
                    for (subject_id, item_id), text in found.items()
                    if subject_id == r.subject.pk
                },
            }
            for r in results(campaign)
        ],
        "objections": [
            {
                "id": o.pk,
                "subject_id": o.subject_id,
                "text": o.text,
                "answer": o.answer,
                "answered_at": o.answered_at,
            }
            for o in campaign.objections.all()
        ],
        "allowed": [] if public else ra.offered(user, campaign),
    }


@router.get("/reviews", response={200: list[CampaignOut], **READ_ERRORS}, summary="三方评议一览")
def reviews(request: HttpRequest) -> list[dict[str, Any]]:
    qs = ra.readable_campaigns(request.user).order_by("-year", "street__code")[:200]
    return [_out(c, request.user) for c in qs]


@router.post("/reviews", response={201: IdOut, **ERRORS}, summary="建立三方评议（街道）")
def review_create(request: HttpRequest, payload: CampaignIn) -> Status:
    street = Jurisdiction.objects.filter(code=payload.street).first()
    if street is None or not ra.manages(request.user, street):
        raise InvalidInput(errors=[FieldError("street", _("街道不存在或无权组织评议"))])
    campaign = s.campaign_create(
        street=street,
        year=payload.year,
        title=payload.title,
        quorum=payload.quorum,
        objection_days=payload.objection_days,
        actor=request.user,
    )
    return Status(201, {"id": campaign.pk, "message": _("已建立")})


@router.get("/reviews/{pk}", response={200: CampaignOut, **READ_ERRORS}, summary="三方评议详情")
def review_get(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return _out(ra.campaign_for(request.user, pk), request.user)


def _act(request: HttpRequest, pk: int, name: str, payload: Any) -> dict[str, Any]:
    campaign = ra.campaign_for(request.user, pk)
    action = registry.get(name)
    assert action is not None
    action.run(campaign, request.user, payload, {})
    campaign.refresh_from_db()
    return _out(campaign, request.user)


@router.post(
    "/reviews/{pk}/standard", response={200: CampaignOut, **ERRORS}, summary="设定评分标准"
)
def review_standard(request: HttpRequest, pk: PathId, payload: StandardIn) -> dict[str, Any]:
    return _act(request, pk, "standard_set", payload)


@router.post(
    "/reviews/{pk}/codes",
    response={201: list[CodeOut], **ERRORS},
    summary="生成一次性评议码（只返回这一次）",
)
def review_codes(request: HttpRequest, pk: PathId, payload: CodesIn) -> Status:
    campaign = ra.campaign_for(request.user, pk)
    action = registry.get("codes_issue")
    assert action is not None
    issued = action.run(campaign, request.user, payload, {})
    return Status(201, [{"label": label, "code": code} for label, code in issued])


class EmptyBody(Schema):
    pass


@router.post("/reviews/{pk}/open", response={200: CampaignOut, **ERRORS}, summary="开始评议")
def review_open(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return _act(request, pk, "open", EmptyBody())


@router.post("/reviews/{pk}/publish", response={200: CampaignOut, **ERRORS}, summary="公示结果")
def review_publish(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return _act(request, pk, "publish", EmptyBody())


@router.post("/reviews/{pk}/approve", response={200: CampaignOut, **ERRORS}, summary="审定结果")
def review_approve(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return _act(request, pk, "approve", EmptyBody())


@router.post(
    "/reviews/{pk}/objections", response={200: CampaignOut, **ERRORS}, summary="登记公示期异议"
)
def review_objection(request: HttpRequest, pk: PathId, payload: ObjectionIn) -> dict[str, Any]:
    return _act(request, pk, "objection_record", payload)


@router.post(
    "/reviews/{pk}/subjects/{subject_id}/reports",
    response={201: IdOut, **ERRORS},
    summary="上传评议对象的述职报告（PDF 或照片；街道）",
)
def review_report(
    request: HttpRequest, pk: PathId, subject_id: PathId, file: File[UploadedFile]
) -> Status:
    campaign = ra.campaign_for(request.user, pk)
    subject = campaign.subjects.filter(pk=subject_id).first()
    if subject is None:
        raise InvalidInput(errors=[FieldError("subject_id", _("评议对象不属于本次评议"))])
    report = s.review_report_attach(subject=subject, upload=file, actor=request.user)
    return Status(201, {"id": report.pk, "message": _("述职报告已上传")})


@router.post("/review-objections/{pk}/answer", response={200: IdOut, **ERRORS}, summary="答复异议")
def review_answer(request: HttpRequest, pk: PathId, payload: AnswerIn) -> dict[str, Any]:
    objection = ra.objection_for(request.user, pk)
    s.review_objection_answer(objection=objection, answer=payload.answer, actor=request.user)
    return {"id": objection.pk, "message": _("已答复")}


@router.post(
    "/rate",
    response={201: IdOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="评议人凭一次性评议码提交评议表（无需账号；每码一份）",
)
def rate(request: HttpRequest, payload: SheetIn) -> Status:
    points = {(x.subject_id, x.item_id): x.points for x in payload.scores}
    sheet = s.review_sheet_submit(code=payload.code, points=points)
    return Status(201, {"id": sheet.pk, "message": _("评议表已提交")})


@router.get(
    "/reviews/{pk}/results",
    response={200: CampaignOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="公示的评议结果（公开：单位和得分，不含个人信息）",
)
def review_results(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return _out(ra.public_campaign(pk), None, public=True)
