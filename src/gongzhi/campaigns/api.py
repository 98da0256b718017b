"""The JSON API of rectification campaigns. Reading and every action go through access.py
and the registry (actions.py) to the same services as the pages; a campaign the caller
may not read (another county) is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.campaigns import access, actions, exports, schemas, selectors
from gongzhi.campaigns.models import Campaign, ProgressReport, Survey
from gongzhi.common.apiauth import session_auth, token_auth
from gongzhi.common.params import PathId
from gongzhi.common.schemas import ERRORS, READ_ERRORS, FieldErrorOut
from gongzhi.org.models import Jurisdiction

router = Router(tags=["专项整治"], auth=[token_auth, session_auth])


class FieldOut(Schema):
    key: str
    label: str
    kind: str = Field(..., description="text / number / choice / yesno / date")
    required: bool
    help: str
    choices: list[str]


class CampaignOut(Schema):
    id: int
    jurisdiction: str
    jurisdiction_name: str
    title: str
    basis: str
    starts: dt.date
    ends: dt.date
    survey_due: dt.date
    report_dues: list[dt.date]
    fields: list[FieldOut]
    classes: list[str]
    version: int
    allowed: list[str] = Field(default_factory=list, description="调用者现在可做的操作")


class SurveyOut(Schema):
    estate: str
    estate_name: str
    classification: str
    values: dict[str, Any]
    unit: str | None
    version: int
    updated_at: dt.datetime


class ReportSlotOut(Schema):
    due: dt.date
    status: str = Field(..., description="on_time / late / missing / not_due")
    status_label: str
    filed_at: dt.datetime | None
    version: int | None


class StreetOut(Schema):
    street: str
    street_name: str
    estates: int
    surveyed: int
    not_surveyed: list[str] = Field(..., description="未摸排小区的编码")
    classes: dict[str, int]
    reports: list[ReportSlotOut]


class ReportOut(Schema):
    id: int
    street: str
    due: dt.date
    situation: str
    measures: str
    problems: str
    filed_at: dt.datetime
    late: bool
    version: int


class ImportOut(Schema):
    imported: int
    skipped_rows: list[int]
    errors: list[FieldErrorOut]


def campaign_out(c: Campaign, user: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "jurisdiction": c.jurisdiction.code,
        "jurisdiction_name": c.jurisdiction.name,
        "title": c.title,
        "basis": c.basis,
        "starts": c.starts,
        "ends": c.ends,
        "survey_due": c.survey_due,
        "report_dues": selectors.report_dues(c),
        "fields": c.fields,
        "classes": c.classes,
        "version": c.version,
        "allowed": actions.offered(user, c),
    }


def survey_out(s: Survey) -> dict[str, Any]:
    return {
        "estate": s.estate.code,
        "estate_name": s.estate.name,
        "classification": s.classification,
        "values": s.values,
        "unit": s.unit.name if s.unit else None,
        "version": s.version,
        "updated_at": s.updated_at,
    }


def report_out(r: ProgressReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "street": r.street.code,
        "due": r.due,
        "situation": r.situation,
        "measures": r.measures,
        "problems": r.problems,
        "filed_at": r.filed_at,
        "late": selectors.report_status(r.due, r, r.due) == "late",
        "version": r.version,
    }


@router.get("", response={200: list[CampaignOut], **READ_ERRORS}, summary="可查看的专项整治")
def campaign_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [campaign_out(c, request.user) for c in access.readable_campaigns(request.user)[:200]]


@router.post("", response={201: CampaignOut, **ERRORS}, summary="发起专项整治（联席会议办公室）")
def campaign_start(request: HttpRequest, payload: schemas.CampaignIn) -> Any:
    jurisdiction = get_object_or_404(Jurisdiction, code=payload.jurisdiction)
    action = actions.JURISDICTION_ACTIONS.get("start")
    assert action is not None
    campaign = action.run(jurisdiction, request.user, payload, {})
    return Status(201, campaign_out(campaign, request.user))


@router.get("/{pk}", response={200: CampaignOut, **READ_ERRORS}, summary="一次专项整治")
def campaign_detail(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return campaign_out(access.campaign_for(request.user, pk), request.user)


@router.post("/{pk}/form", response={200: CampaignOut, **ERRORS}, summary="修改摸排表与认定类型")
def campaign_form(request: HttpRequest, pk: PathId, payload: schemas.FormIn) -> dict[str, Any]:
    campaign = access.campaign_for(request.user, pk)
    done = actions.run("form_edit", campaign, request.user, payload, {})
    return campaign_out(done, request.user)


@router.get(
    "/{pk}/surveys", response={200: list[SurveyOut], **READ_ERRORS}, summary="可查看的摸排认定表"
)
def survey_list(request: HttpRequest, pk: PathId) -> list[dict[str, Any]]:
    campaign = access.campaign_for(request.user, pk)
    return [survey_out(s) for s in access.readable_surveys(request.user, campaign)]


@router.post(
    "/{pk}/surveys", response={200: SurveyOut, **ERRORS}, summary="填报一个小区的摸排认定表"
)
def survey_submit(request: HttpRequest, pk: PathId, payload: schemas.SurveyIn) -> dict[str, Any]:
    campaign = access.campaign_for(request.user, pk)
    return survey_out(actions.run("survey_submit", campaign, request.user, payload, {}))


@router.post(
    "/{pk}/surveys/import",
    response={200: ImportOut, **ERRORS},
    summary="导入 .xlsx（逐行检查；有错误时不导入，除非 valid_only）",
)
def survey_import(
    request: HttpRequest,
    pk: PathId,
    file: File[UploadedFile],
    valid_only: Form[bool] = False,
) -> dict[str, Any]:
    campaign = access.campaign_for(request.user, pk)
    data = schemas.ImportIn(valid_only=valid_only)
    result = actions.run("surveys_import", campaign, request.user, data, {"file": [file]})
    return {
        "imported": result.imported,
        "skipped_rows": result.skipped_rows,
        "errors": [e.as_dict() for e in result.errors],
    }


@router.get(
    "/{pk}/returns", response={200: list[StreetOut], **READ_ERRORS}, summary="按街道的报送情况"
)
def campaign_returns(request: HttpRequest, pk: PathId) -> list[dict[str, Any]]:
    campaign = access.campaign_for(request.user, pk)
    return [
        {
            "street": row.street.code,
            "street_name": row.street.name,
            "estates": len(row.estates),
            "surveyed": len(row.surveyed),
            "not_surveyed": [e.code for e in row.missing],
            "classes": row.classes,
            "reports": [
                {
                    "due": slot.due,
                    "status": slot.status,
                    "status_label": slot.status_label,
                    "filed_at": slot.report.filed_at if slot.report else None,
                    "version": slot.report.version if slot.report else None,
                }
                for slot in row.reports
            ],
        }
        for row in selectors.visible_returns(request.user, campaign)
    ]


@router.get(
    "/{pk}/reports", response={200: list[ReportOut], **READ_ERRORS}, summary="可查看的进展报告"
)
def report_list(request: HttpRequest, pk: PathId) -> list[dict[str, Any]]:
    campaign = access.campaign_for(request.user, pk)
    return [report_out(r) for r in access.readable_reports(request.user, campaign)]


@router.post("/{pk}/reports", response={200: ReportOut, **ERRORS}, summary="报送整治进展（街道）")
def report_file(request: HttpRequest, pk: PathId, payload: schemas.ReportIn) -> dict[str, Any]:
    campaign = access.campaign_for(request.user, pk)
    return report_out(actions.run("report_file", campaign, request.user, payload, {}))


@router.get("/{pk}/export.xlsx", response={200: None, **READ_ERRORS}, summary="导出 .xlsx")
def campaign_export(request: HttpRequest, pk: PathId) -> HttpResponse:
    return exports.export_response(request.user, access.campaign_for(request.user, pk))


@router.get(
    "/{pk}/template.xlsx", response={200: None, **READ_ERRORS}, summary="摸排认定表模板（.xlsx）"
)
def campaign_template(request: HttpRequest, pk: PathId) -> HttpResponse:
    return exports.template_response(request.user, access.campaign_for(request.user, pk))
