"""The JSON API of the three parties' public notices. Reading is public (staff office
contacts only, no resident data); publishing, replacing and withdrawing go through the
registry (actions.py) to the same services as the pages, with the same rights (access.py)."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from gongzhi.common.apiauth import session_auth, token_auth
from gongzhi.common.params import PathId
from gongzhi.common.schemas import ERRORS, READ_ERRORS
from gongzhi.org.models import Estate, Unit
from gongzhi.parties import access, actions, schemas, selectors
from gongzhi.parties.models import Custody, Notice, Party, Report, ReportBody, UtilityWork
from gongzhi.parties.notice_kinds import SPECS, Kind
from gongzhi.parties.report_kinds import SPECS as REPORT_SPECS
from gongzhi.parties.report_kinds import ReportKind

router = Router(tags=["三方联动"], auth=[token_auth, session_auth])


def anyone(request: HttpRequest) -> bool:
    """Public reading: an anonymous caller passes; a token or session still names the
    caller, so ``allowed`` lists what that caller may do."""
    return True


PUBLIC = [token_auth, session_auth, anyone]


class ColumnOut(Schema):
    key: str
    label: str
    required: bool


class KindOut(Schema):
    kind: Kind
    label: str
    long_term: bool = Field(..., description="默认长期公示（至更新为止）")
    source: str
    columns: list[ColumnOut]


class NoticeOut(Schema):
    id: int
    estate: str
    kind: Kind
    kind_label: str
    party: Party
    party_label: str
    unit: str | None = Field(None, description="发布单位")
    title: str
    body: str
    rows: list[dict[str, str]] = Field(..., description="按类别的列名（key）取值")
    long_term: bool
    valid_from: dt.date
    valid_until: dt.date | None
    state: Notice.State
    status: str = Field(..., description="公示中 / 已过期 / 未开始 / 已更新 / 已撤下")
    replaces: int | None
    version: int
    published_at: dt.datetime
    allowed: list[str] = Field(default_factory=list, description="调用者现在可做的操作")


class NoticeDetailOut(NoticeOut):
    history: list[NoticeOut] = Field(..., description="各版本，新的在前（含本条）")


def notice_out(n: Notice, user: Any = None) -> dict[str, Any]:
    return {
        "id": n.pk,
        "estate": n.estate.code,
        "kind": n.kind,
        "kind_label": n.get_kind_display(),
        "party": n.party,
        "party_label": n.get_party_display(),
        "unit": n.unit.name if n.unit else None,
        "title": n.title,
        "body": n.body,
        "rows": n.rows,
        "long_term": n.long_term,
        "valid_from": n.valid_from,
        "valid_until": n.valid_until,
        "state": n.state,
        "status": selectors.status(n),
        "replaces": n.replaces_id,
        "version": n.version,
        "published_at": n.created_at,
        "allowed": actions.notice_offered(user, n) if user is not None else [],
    }


def _estate(code: str) -> Estate:
    return get_object_or_404(
        Estate.objects.select_related("community", "property_company", "owners_committee"),
        code=code[:32],
    )


def _notice(notice_id: int) -> Notice:
    return get_object_or_404(
        Notice.objects.select_related("estate__community", "unit"), pk=notice_id
    )


@router.get(
    "/notice-kinds",
    response={200: list[KindOut], **READ_ERRORS},
    auth=PUBLIC,
    summary="公示类别及各类别的列（公开）",
)
def notice_kinds(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "kind": k,
            "label": str(k.label),
            "long_term": SPECS[k].long_term,
            "source": SPECS[k].source,
            "columns": [
                {"key": c.key, "label": str(c.label), "required": c.required}
                for c in SPECS[k].columns
            ],
        }
        for k in Kind
    ]


@router.get(
    "/estates/{code}/notices",
    response={200: list[NoticeOut], **READ_ERRORS},
    auth=PUBLIC,
    summary="小区全部公示（含历史，公开）",
)
def estate_notices(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    estate = _estate(code)
    return [notice_out(n, request.user) for n in selectors.estate_notices(estate)[:500]]


@router.post(
    "/estates/{code}/notices",
    response={201: NoticeOut, **ERRORS},
    summary="发布公示（三方本方、街道、联席会议办公室）",
)
def notice_publish(request: HttpRequest, code: str, payload: schemas.NoticeIn) -> Any:
    estate = _estate(code)
    action = actions.ESTATE_ACTIONS.get("publish")
    assert action is not None
    notice = action.run(estate, request.user, payload, {})
    return Status(201, notice_out(notice, request.user))


@router.get(
    "/notices/{notice_id}",
    response={200: NoticeDetailOut, **READ_ERRORS},
    auth=PUBLIC,
    summary="一条公示及其历史版本（公开）",
)
def notice_detail(request: HttpRequest, notice_id: PathId) -> dict[str, Any]:
    notice = _notice(notice_id)
    out = notice_out(notice, request.user)
    out["history"] = [notice_out(n) for n in selectors.history(notice)]
    return out


@router.post(
    "/notices/{notice_id}/replace",
    response={200: NoticeOut, **ERRORS},
    summary="更新公示（原内容保留为历史）",
)
def notice_replace(
    request: HttpRequest, notice_id: PathId, payload: schemas.NoticeReplaceIn
) -> dict[str, Any]:
    action = actions.NOTICE_ACTIONS.get("replace")
    assert action is not None
    new = action.run(_notice(notice_id), request.user, payload, {})
    return notice_out(new, request.user)


@router.post(
    "/notices/{notice_id}/withdraw", response={200: NoticeOut, **ERRORS}, summary="撤下公示"
)
def notice_withdraw(
    request: HttpRequest, notice_id: PathId, payload: schemas.NoticeWithdrawIn
) -> dict[str, Any]:
    action = actions.NOTICE_ACTIONS.get("withdraw")
    assert action is not None
    return notice_out(action.run(_notice(notice_id), request.user, payload, {}), request.user)


# ---------------------------------------------------------------- circulars


class ReceiptOut(Schema):
    unit: str
    party: Party
    read_at: dt.datetime | None
    read_by: str | None = Field(None, description="阅读人（工作人员）")


class CircularOut(Schema):
    id: int
    estate: str
    estate_name: str
    sender_party: Party
    sender_unit: str
    title: str
    body: str
    urgent: bool
    sent_at: dt.datetime
    recipients: int = Field(..., description="接收单位数")
    unread: int = Field(..., description="尚未阅知的接收单位数")
    allowed: list[str] = Field(default_factory=list)


class CircularDetailOut(CircularOut):
    receipts: list[ReceiptOut] | None = Field(
        None, description="各接收单位的阅知回执（发出单位和辖区办公室可见）"
    )


class ReadOut(Schema):
    read: int = Field(..., description="本次标为已读的回执数")


def circular_out(c: Any, user: Any, receipts: list[Any] | None = None) -> dict[str, Any]:
    rows = receipts if receipts is not None else selectors.receipts_of(c)
    return {
        "id": c.pk,
        "estate": c.estate.code,
        "estate_name": c.estate.name,
        "sender_party": c.sender_party,
        "sender_unit": c.sender_unit.name,
        "title": c.title,
        "body": c.body,
        "urgent": c.urgent,
        "sent_at": c.created_at,
        "recipients": len(rows),
        "unread": sum(1 for r in rows if r.read_at is None),
        "allowed": actions.circular_offered(user, c),
    }


def _receipt_out(r: Any) -> dict[str, Any]:
    by = r.read_by.display_name or r.read_by.username if r.read_by else None
    return {"unit": r.unit.name, "party": r.party, "read_at": r.read_at, "read_by": by}


@router.get(
    "/circulars",
    response={200: list[CircularOut], **READ_ERRORS},
    summary="通报：本单位发出、收到及辖区内的通报",
)
def circulars(request: HttpRequest) -> list[dict[str, Any]]:
    found = list(selectors.sent_and_overseen(request.user)[:200])
    return [circular_out(c, request.user) for c in found]


@router.post(
    "/estates/{code}/circulars",
    response={201: CircularOut, **ERRORS},
    summary="发出通报（三方之间及报街道；重要紧急信息即时送达并要求阅知）",
)
def circular_send(request: HttpRequest, code: str, payload: schemas.CircularIn) -> Any:
    action = actions.ESTATE_ACTIONS.get("circular_send")
    assert action is not None
    circular = action.run(_estate(code), request.user, payload, {})
    return Status(201, circular_out(circular, request.user))


@router.get(
    "/circulars/{circular_id}",
    response={200: CircularDetailOut, **READ_ERRORS},
    summary="一条通报；发出单位可见各接收单位是否已阅知",
)
def circular_detail(request: HttpRequest, circular_id: PathId) -> dict[str, Any]:
    circular = access.circular_for(request.user, circular_id)
    rows = selectors.receipts_of(circular)
    out = circular_out(circular, request.user, rows)
    out["receipts"] = (
        [_receipt_out(r) for r in rows] if access.sees_receipts(request.user, circular) else None
    )
    return out


@router.post(
    "/circulars/{circular_id}/read", response={200: ReadOut, **ERRORS}, summary="阅知通报（回执）"
)
def circular_read(request: HttpRequest, circular_id: PathId) -> dict[str, Any]:
    circular = access.circular_for(request.user, circular_id)
    action = actions.CIRCULAR_ACTIONS.get("read")
    assert action is not None
    return {"read": action.run(circular, request.user, schemas.ReadIn(), {})}


# ---------------------------------------------------------------- reports


class ReportFieldOut(Schema):
    key: str
    label: str
    kind: str = Field(..., description="text / longtext / date / amount")
    required: bool


class ReportKindOut(Schema):
    kind: ReportKind
    label: str
    reach: list[str] = Field(
        ...,
        description="须送达：三方、街道（street）、社区党组织（party_org）、三方联席会议"
        "（conference，送达其各成员单位）、联席会议办公室（office）",
    )
    feedback_days: int
    source: str
    fields: list[ReportFieldOut]


class ReportRecipientOut(Schema):
    party: ReportBody
    party_label: str
    unit: str | None
    body: str | None = Field(..., description="三方联席会议：经其成员单位送达")


class ReportOut(Schema):
    id: int
    estate: str
    estate_name: str
    kind: ReportKind
    kind_label: str
    filer_party: Party
    filer_unit: str | None
    fields: dict[str, str]
    state: Report.State
    state_label: str
    filed_at: dt.datetime
    feedback_due: dt.date
    overdue: bool
    acknowledged_at: dt.datetime | None
    feedback: str
    answered_at: dt.datetime | None
    recipients: list[ReportRecipientOut]
    unreached: list[ReportBody] = Field(..., description="须送达但未登记、未能送达的机构")
    version: int
    allowed: list[str] = Field(default_factory=list)


def report_out(r: Report, user: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "estate": r.estate.code,
        "estate_name": r.estate.name,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "filer_party": r.filer_party,
        "filer_unit": r.filer_unit.name if r.filer_unit else None,
        "fields": r.data,
        "state": r.state,
        "state_label": r.get_state_display(),
        "filed_at": r.created_at,
        "feedback_due": r.feedback_due,
        "overdue": selectors.is_overdue(r),
        "acknowledged_at": r.acknowledged_at,
        "feedback": r.feedback,
        "answered_at": r.answered_at,
        "recipients": [
            {
                "party": x.party,
                "party_label": x.get_party_display(),
                "unit": x.unit.name if x.unit else None,
                "body": x.body.name if x.body else None,
            }
            for x in r.recipients.select_related("unit", "body")
        ],
        "unreached": list(r.unreached or []),
        "version": r.version,
        "allowed": actions.report_offered(user, r),
    }


@router.get(
    "/report-kinds",
    response={200: list[ReportKindOut], **READ_ERRORS},
    auth=PUBLIC,
    summary="重大事项报告的类别、填报项和送达单位（公开）",
)
def report_kinds(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "kind": k,
            "label": str(k.label),
            "reach": list(REPORT_SPECS[k].reach),
            "feedback_days": REPORT_SPECS[k].feedback_days,
            "source": REPORT_SPECS[k].source,
            "fields": [
                {"key": f.key, "label": str(f.label), "kind": f.kind, "required": f.required}
                for f in REPORT_SPECS[k].fields
            ],
        }
        for k in ReportKind
    ]


@router.get(
    "/reports",
    response={200: list[ReportOut], **READ_ERRORS},
    summary="重大事项报告：本单位报送、收到及辖区内的（overdue=true 只看逾期未反馈）",
)
def reports(request: HttpRequest, overdue: bool = False) -> list[dict[str, Any]]:
    found = selectors.reports(request.user, overdue=overdue)[:200]
    return [report_out(r, request.user) for r in found]


@router.post(
    "/estates/{code}/reports", response={201: ReportOut, **ERRORS}, summary="报送重大事项报告"
)
def report_file(request: HttpRequest, code: str, payload: schemas.ReportIn) -> Any:
    action = actions.ESTATE_ACTIONS.get("report_file")
    assert action is not None
    report = action.run(_estate(code), request.user, payload, {})
    return Status(201, report_out(report, request.user))


@router.get(
    "/reports/{report_id}", response={200: ReportOut, **READ_ERRORS}, summary="一份重大事项报告"
)
def report_detail(request: HttpRequest, report_id: PathId) -> dict[str, Any]:
    return report_out(access.report_for(request.user, report_id), request.user)


@router.post(
    "/reports/{report_id}/acknowledge", response={200: ReportOut, **ERRORS}, summary="签收报告"
)
def report_acknowledge(
    request: HttpRequest, report_id: PathId, payload: schemas.ReportAckIn
) -> dict[str, Any]:
    action = actions.REPORT_ACTIONS.get("acknowledge")
    assert action is not None
    report = action.run(access.report_for(request.user, report_id), request.user, payload, {})
    return report_out(report, request.user)


@router.post("/reports/{report_id}/answer", response={200: ReportOut, **ERRORS}, summary="反馈报告")
def report_answer(
    request: HttpRequest, report_id: PathId, payload: schemas.ReportAnswerIn
) -> dict[str, Any]:
    action = actions.REPORT_ACTIONS.get("answer")
    assert action is not None
    report = action.run(access.report_for(request.user, report_id), request.user, payload, {})
    return report_out(report, request.user)


# ---------------------------------------------------------------- custody


class CustodyOut(Schema):
    id: int
    estate: str
    custodian_kind: Custody.CustodianKind
    custodian_kind_label: str
    custodian: str
    custodian_phone: str = Field(..., description="托管单位办公电话")
    starts: dt.date
    ends: dt.date | None
    scope: str
    state: Custody.State
    state_label: str
    handed_to: str | None
    handover_date: dt.date | None
    handover_note: str
    ended_on: dt.date | None = Field(..., description="结束日期（未移交而结束）")
    end_reason: str
    version: int
    allowed: list[str] = Field(default_factory=list)


def custody_out(c: Custody, user: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "estate": c.estate.code,
        "custodian_kind": c.custodian_kind,
        "custodian_kind_label": c.get_custodian_kind_display(),
        "custodian": c.custodian.name,
        "custodian_phone": c.custodian.hotline or c.custodian.phone,
        "starts": c.starts,
        "ends": c.ends,
        "scope": c.scope,
        "state": c.state,
        "state_label": c.get_state_display(),
        "handed_to": c.handed_to.name if c.handed_to else None,
        "handover_date": c.handover_date,
        "handover_note": c.handover_note,
        "ended_on": c.ended_on,
        "end_reason": c.end_reason,
        "version": c.version,
        "allowed": actions.custody_offered(user, c) if user is not None else [],
    }


@router.get(
    "/estates/{code}/custody",
    response={200: list[CustodyOut], **READ_ERRORS},
    auth=PUBLIC,
    summary="小区临时托管记录（公开）",
)
def estate_custody(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [custody_out(c, request.user) for c in selectors.custodies(_estate(code))]


@router.post(
    "/estates/{code}/custody",
    response={201: CustodyOut, **ERRORS},
    summary="开始临时托管（街道、联席会议办公室）",
)
def custody_start(request: HttpRequest, code: str, payload: schemas.CustodyIn) -> Any:
    action = actions.ESTATE_ACTIONS.get("custody_start")
    assert action is not None
    return Status(
        201, custody_out(action.run(_estate(code), request.user, payload, {}), request.user)
    )


def _custody_act(request: HttpRequest, custody_id: int, name: str, payload: Any) -> dict[str, Any]:
    """Run the custody action ``name`` (parties/actions.py: its rule and its service)."""
    custody = get_object_or_404(Custody.objects.select_related("estate__community"), pk=custody_id)
    action = actions.CUSTODY_ACTIONS.get(name)
    assert action is not None
    return custody_out(action.run(custody, request.user, payload, {}), request.user)


@router.post(
    "/custody/{custody_id}/hand-over",
    response={200: CustodyOut, **ERRORS},
    summary="托管移交业主选聘的物业服务企业",
)
def custody_hand_over(
    request: HttpRequest, custody_id: PathId, payload: schemas.HandOverIn
) -> dict[str, Any]:
    return _custody_act(request, custody_id, "hand_over", payload)


@router.post(
    "/custody/{custody_id}/end",
    response={200: CustodyOut, **ERRORS},
    summary="结束临时托管（不移交物业服务企业）",
)
def custody_end(
    request: HttpRequest, custody_id: PathId, payload: schemas.CustodyEndIn
) -> dict[str, Any]:
    return _custody_act(request, custody_id, "end", payload)


# ---------------------------------------------------------------- utility works


class UtilityWorkOut(Schema):
    id: int
    utility: str
    utility_phone: str
    supply: UtilityWork.Supply
    supply_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    description: str
    estates: list[str]
    announced_at: dt.datetime


def work_out(w: UtilityWork) -> dict[str, Any]:
    return {
        "id": w.pk,
        "utility": w.utility.name,
        "utility_phone": w.utility.hotline or w.utility.phone,
        "supply": w.supply,
        "supply_label": w.get_supply_display(),
        "starts_at": w.starts_at,
        "ends_at": w.ends_at,
        "title": w.title,
        "description": w.description,
        "estates": [e.code for e in w.estates.all()],
        "announced_at": w.created_at,
    }


@router.get(
    "/estates/{code}/utility-works",
    response={200: list[UtilityWorkOut], **READ_ERRORS},
    auth=PUBLIC,
    summary="小区计划停水停电（未结束的，公开）",
)
def estate_works(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [work_out(w) for w in selectors.estate_works(_estate(code))[:50]]


@router.post(
    "/utility-works",
    response={201: UtilityWorkOut, **ERRORS},
    summary="公告计划停水停电（专营单位或联席会议办公室；须按规定提前）",
)
def utility_work_announce(request: HttpRequest, payload: schemas.UtilityWorkIn) -> Any:
    utility = get_object_or_404(Unit.objects.select_related("jurisdiction"), pk=payload.utility_id)
    action = actions.UTILITY_ACTIONS.get("announce")
    assert action is not None
    return Status(201, work_out(action.run(utility, request.user, payload, {})))


# Unplanned outages (mass incidents): their own module, mounted here.
router.add_router("", importlib.import_module("gongzhi.parties.api_outages").router)
