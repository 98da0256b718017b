from __future__ import annotations

from datetime import datetime
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from gongzhi.catalog import access, office
from gongzhi.catalog.answer import classify_message
from gongzhi.catalog.classify import get_classifier
from gongzhi.catalog.downloads import export_response
from gongzhi.catalog.files import read_catalog_file
from gongzhi.catalog.proposals import catalog_proposal_decide
from gongzhi.catalog.routing import route
from gongzhi.catalog.selectors import effective_catalog
from gongzhi.catalog.services import catalog_export, catalog_import
from gongzhi.catalog.training import (
    model_version_activate,
    model_version_rollback,
    training_example_set_disabled,
)
from gongzhi.common.apiauth import api_auth
from gongzhi.common.errors import FieldError, InvalidInput, PermissionDenied
from gongzhi.common.params import Offset
from gongzhi.common.schemas import ERRORS, READ_ERRORS
from gongzhi.org.models import Estate, Jurisdiction, User
from gongzhi.org.permissions import scope_for

router = Router(tags=["职责清单"])


class MatterOut(Schema):
    code: str
    name: str
    parent: str
    category: str
    description: str
    keywords: list[str]
    legal_basis: str
    source: str
    lead_kind: str | None
    lead_unit: str | None
    assist_kinds: list[str]
    assist_units: list[str]
    property_scope: bool
    time_limit: str
    accept_limit: str
    response_limit: str
    defined_in: list[str]


class ImportOut(Schema):
    catalog: str
    revision: int
    created: int
    updated: int
    removed: int
    units_created: int


class ClassifyIn(Schema):
    estate: str = Field(..., max_length=32, description="小区编码")
    title: str = Field("", max_length=120, description="标题（权重高于正文）")
    text: str = Field("", max_length=5000, description="诉求原文")


class UnitRefOut(Schema):
    code: str
    name: str


class CandidateOut(Schema):
    code: str
    name: str
    confidence: float
    unit: UnitRefOut | None


class ExplanationOut(Schema):
    words: list[str]
    phrases: list[str]
    reason: str
    text: str


class ClassifyOut(Schema):
    matter: CandidateOut | None
    abstained: bool
    confidence: float
    threshold: float
    alternatives: list[CandidateOut]
    explanation: ExplanationOut


class SuggestionOut(Schema):
    code: str
    name: str
    score: float
    matched: list[str]


@router.get(
    "/{jurisdiction}/matters",
    response={200: list[MatterOut], **READ_ERRORS},
    summary="有效职责清单（公开）",
)
def matters(request: HttpRequest, jurisdiction: str) -> list[dict[str, object]]:
    node = get_object_or_404(Jurisdiction, code=jurisdiction)
    return [
        {
            "code": code,
            "name": e.matter.name,
            "parent": e.matter.parent_code,
            "category": e.matter.category,
            "description": e.matter.description,
            "keywords": e.matter.keywords,
            "legal_basis": e.matter.legal_basis,
            "source": e.matter.source,
            "lead_kind": e.matter.lead_kind_id,
            "lead_unit": e.matter.lead_unit.code if e.matter.lead_unit else None,
            "assist_kinds": e.assist_kind_codes,
            "assist_units": [u.code for u in e.assist_units],
            "property_scope": e.matter.property_scope,
            "time_limit": e.matter.time_limit,
            "accept_limit": e.matter.accept_limit,
            "response_limit": e.matter.response_limit,
            "defined_in": [j.code for j in e.defined_in],
        }
        for code, e in effective_catalog(node).items()
    ]


@router.get(
    "/route",
    response={200: dict[str, object], **READ_ERRORS},
    summary="路由：某小区的某事项由谁牵头、谁协办（公开）",
)
def route_matter(request: HttpRequest, estate: str, matter: str) -> dict[str, object]:
    estate_obj = get_object_or_404(
        Estate.objects.select_related("community", "property_company", "owners_committee"),
        code=estate,
    )
    return route(estate=estate_obj, matter_code=matter).as_dict()


@router.get(
    "/suggest",
    response={200: list[SuggestionOut], **READ_ERRORS},
    summary="按描述推荐事项类型（公开）",
)
def suggest(request: HttpRequest, estate: str, text: str) -> list[dict[str, object]]:
    estate_obj = get_object_or_404(Estate.objects.select_related("community"), code=estate)
    return [
        {"code": s.code, "name": s.name, "score": s.score, "matched": list(s.matched)}
        for s in get_classifier().suggest(text, estate_obj.community)
    ]


@router.post(
    "/classify",
    response={200: ClassifyOut, **ERRORS},
    auth=api_auth,
    summary="按诉求原文判断事项并给出责任单位（置信度、备选、依据；把握不足时交人工分派）",
)
def classify(request: HttpRequest, payload: ClassifyIn) -> dict[str, object]:
    estate_obj = get_object_or_404(
        Estate.objects.select_related("community", "property_company", "owners_committee"),
        code=payload.estate,
    )
    if not (payload.title.strip() or payload.text.strip()):
        raise InvalidInput(errors=[FieldError("text", _("标题和诉求原文不能都为空"))])
    return classify_message(estate=estate_obj, title=payload.title, body=payload.text).as_dict()


@router.post(
    "/{jurisdiction}/import",
    response={200: ImportOut, **ERRORS},
    auth=api_auth,
    summary="导入职责清单文件",
)
def import_file(
    request: HttpRequest, jurisdiction: str, file: File[UploadedFile]
) -> dict[str, object]:
    node = get_object_or_404(Jurisdiction, code=jurisdiction)
    if not scope_for(request.user).manages_jurisdiction(node):
        raise PermissionDenied(_("只有本辖区的联席会议办公室可以导入职责清单"))
    doc = read_catalog_file(file.read(), file.name or "")
    result = catalog_import(
        jurisdiction=node,
        document=doc,
        actor=cast(User, request.user),  # api_auth: a signed-in account or a token's
        filename=file.name or "",
    )
    return {
        "catalog": result.catalog.name,
        "revision": result.catalog.revision,
        "created": result.created,
        "updated": result.updated,
        "removed": result.removed,
        "units_created": result.units_created,
    }


@router.get(
    "/{jurisdiction}/export",
    response={200: None, **READ_ERRORS},
    summary="导出职责清单（yaml 或 xlsx）",
)
def export_file(request: HttpRequest, jurisdiction: str, format: str = "xlsx") -> HttpResponse:
    node = get_object_or_404(Jurisdiction, code=jurisdiction)
    data = catalog_export(jurisdiction=node, fmt=format)
    return export_response(data, node, format)


# --- the office's learning doors (pages: catalog/views_office.py) ------------------------


class ExampleOut(Schema):
    id: int
    text: str
    matter: str
    matter_name: str
    source: str
    case_number: str
    jurisdiction: str
    disabled: bool
    created_at: datetime


class ExampleDisableIn(Schema):
    disabled: bool = Field(True, description="true 停用（不再参与训练），false 恢复")
    reason: str = Field("", max_length=500, description="理由")


class VersionOut(Schema):
    id: int
    number: int
    created_at: datetime
    examples: int
    held_out: int
    accuracy: float
    baseline_accuracy: float
    active: bool


class ProposalOut(Schema):
    id: int
    catalog: str
    catalog_name: str
    raised_in: str
    kind: str
    status: str
    matter: str
    words: list[str]
    name: str
    lead_kind: str | None
    case_number: str
    note: str
    history: list[dict[str, str]]
    can_decide: bool


class DecideIn(Schema):
    approve: bool = Field(..., description="true 采纳（立即写入清单），false 不予采纳")
    note: str = Field("", max_length=2000, description="审核意见")


@router.get(
    "/{jurisdiction}/examples",
    response={200: list[ExampleOut], **READ_ERRORS},
    auth=api_auth,
    summary="训练样本（本辖区办公室；可按来源、事项、文字、停用筛选）",
)
def examples(
    request: HttpRequest,
    jurisdiction: str,
    source: str = "",
    matter: str = "",
    q: str = "",
    disabled: str = "",
    offset: Offset = 0,
) -> list[dict[str, object]]:
    node = access.office_jurisdiction(request.user, jurisdiction)
    f = office.ExampleFilter(source=source, matter=matter, q=q, disabled=disabled)
    names = office.matter_names(node)
    rows = office.examples_filtered(node, f)[offset : offset + office.PAGE_SIZE]
    return [office.example_dict(e, names) for e in rows]


@router.post(
    "/examples/{pk}/disable",
    response={200: ExampleOut, **ERRORS},
    auth=api_auth,
    summary="停用或恢复一条训练样本（记审计）",
)
def example_disable(request: HttpRequest, pk: int, payload: ExampleDisableIn) -> dict[str, object]:
    example = access.example_for(request.user, pk)
    done = training_example_set_disabled(
        example=example, disabled=payload.disabled, actor=request.user, reason=payload.reason
    )
    return office.example_dict(done, office.matter_names(done.jurisdiction))


@router.get(
    "/{jurisdiction}/versions",
    response={200: list[VersionOut], **READ_ERRORS},
    auth=api_auth,
    summary="分类模型版本（训练时间、样本数、留出准确率、是否启用）",
)
def versions(request: HttpRequest, jurisdiction: str) -> list[dict[str, object]]:
    node = access.office_jurisdiction(request.user, jurisdiction)
    return [office.version_dict(v) for v in office.versions(node)]


@router.post(
    "/versions/{pk}/activate",
    response={200: VersionOut, **ERRORS},
    auth=api_auth,
    summary="启用某个模型版本",
)
def version_activate(request: HttpRequest, pk: int) -> dict[str, object]:
    version = access.version_for(request.user, pk)
    return office.version_dict(model_version_activate(version=version, actor=request.user))


@router.post(
    "/{jurisdiction}/versions/rollback",
    response={200: VersionOut, **ERRORS},
    auth=api_auth,
    summary="回退到启用版本之前的版本",
)
def version_rollback(request: HttpRequest, jurisdiction: str) -> dict[str, object]:
    node = access.office_jurisdiction(request.user, jurisdiction)
    return office.version_dict(model_version_rollback(jurisdiction=node, actor=request.user))


@router.get(
    "/{jurisdiction}/proposals",
    response={200: list[ProposalOut], **READ_ERRORS},
    auth=api_auth,
    summary="清单修改建议（本辖区清单的，和本辖区裁定提出的）",
)
def proposals(request: HttpRequest, jurisdiction: str, status: str = "") -> list[dict[str, object]]:
    node = access.office_jurisdiction(request.user, jurisdiction)
    return [office.proposal_dict(p, request.user) for p in office.proposals(node, status)[:500]]


@router.post(
    "/proposals/{pk}/decide",
    response={200: ProposalOut, **ERRORS},
    auth=api_auth,
    summary="采纳（写入清单，清单版本加一）或不予采纳清单修改建议（清单所属辖区办公室）",
)
def proposal_decide(request: HttpRequest, pk: int, payload: DecideIn) -> dict[str, object]:
    proposal = access.proposal_for(request.user, pk)
    done = catalog_proposal_decide(
        proposal=proposal, approve=payload.approve, actor=request.user, note=payload.note
    )
    return office.proposal_dict(done, request.user)
