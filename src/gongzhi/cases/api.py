"""The JSON API of cases: intake (with idempotency keys scoped to the caller), reading
(the ledger with paging, desks, inboxes, a case with its timeline and the actions the
caller may take), and one endpoint per action of the registry (cases/actions.py), which
parses the same schema as the page form and calls the same service. Rights and masking
come from cases/access.py, as on the pages."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.cases import access, actions, selectors
from gongzhi.cases import services as s
from gongzhi.cases.display import case_for, case_view
from gongzhi.cases.models import Case, Channel, Rating, SavedFilter, State, Urgency
from gongzhi.cases.schemas import (
    IDEMPOTENCY_HELP,
    BulkDispatchIn,
    BulkOutcomeOut,
    CaseIn,
    RepeatsIn,
    RepeatsOut,
)
from gongzhi.cases.services import repeats as repeats_service
from gongzhi.cases.services.bulk import BulkItem, case_dispatch_many
from gongzhi.cases.services.filters import saved_filter_delete, saved_filter_save
from gongzhi.common.actions import Action
from gongzhi.common.apiauth import api_auth
from gongzhi.common.errors import FieldError, InvalidInput, NotFound
from gongzhi.common.params import Limit, Offset, PathId
from gongzhi.common.schemas import ERRORS, READ_ERRORS, ErrorOut
from gongzhi.org.models import Estate, Unit

router = Router(tags=["诉求案件"], auth=api_auth)
STATE_HELP = "案件状态：" + "；".join(f"{v} {label}" for v, label in State.choices)


# --- schemas -------------------------------------------------------------------------------


class UnitRef(Schema):
    code: str
    name: str


class CaseBrief(Schema):
    number: str
    title: str
    state: State = Field(..., description=STATE_HELP)
    state_label: str
    channel: Channel
    estate: str
    estate_name: str
    matter: str | None
    lead_unit: UnitRef | None
    level: str
    created_at: dt.datetime
    accept_due_at: dt.datetime | None
    resolve_due_at: dt.datetime | None
    overdue: bool
    external_ref: str
    version: int


class RegisteredOut(CaseBrief):
    track_key: str | None = Field(
        None, description="诉求人查询码：仅在首次登记时返回，请转告诉求人（凭编号和查询码查询进度）"
    )


class LedgerOut(Schema):
    # The cap is the ledger's (cases.selectors.COUNT_CAP): one number, here and there.
    total: int = Field(
        ...,
        description=f"符合条件的案件数；超过 {selectors.COUNT_CAP} 件时为 "
        f"{selectors.COUNT_CAP}，并且 total_capped 为 true",
    )
    total_capped: bool = Field(
        False,
        description=f"符合条件的案件超过 {selectors.COUNT_CAP} 件"
        f"（只数到 {selectors.COUNT_CAP}：请缩小条件或导出）",
    )
    limit: int
    offset: int
    items: list[CaseBrief]


class PublicCaseOut(Schema):
    number: str
    summary: str = Field(..., description="办公室审定的公示摘要，或事项名称和小区；不含诉求人原话")
    state: State
    state_label: str
    lead_unit: str | None
    created_at: dt.datetime
    handled_at: dt.datetime | None


class EventOut(Schema):
    action: str
    label: str
    from_state: str
    to_state: str
    actor: str
    unit: str
    reason: str
    at: dt.datetime


class TaskOut(Schema):
    id: int
    kind: str
    unit: UnitRef
    state: str
    instructions: str
    checkin_due_at: dt.datetime | None
    checked_in_at: dt.datetime | None
    done_at: dt.datetime | None
    result: str
    mine: bool


class AppealOut(Schema):
    id: int
    unit: str
    state: str
    reason: str
    decision_reason: str


class CaseOut(CaseBrief):
    description: str
    reporter_name: str
    reporter_phone: str
    building: str
    unit_no: str
    room: str
    location: str
    urgency: Urgency
    result: str
    rating: Rating | None
    rating_reason: str
    route_reasons: list[str]
    enforcement_step: str
    public_summary: str
    allowed: list[str] = Field(..., description="当前账号此刻可执行的操作（与页面按钮一致）")
    next_step: str | None = Field(
        None, description="页面置顶的“下一步”操作（allowed 之一；无则为空）"
    )
    tasks: list[TaskOut]
    appeals: list[AppealOut]
    timeline: list[EventOut]


class MetricsOut(Schema):
    unit: UnitRef
    received: int
    accepted_on_time: int
    handled: int
    rated: int
    satisfied: int
    overdue: int
    returned: int
    buck_passing: int
    reopened: int
    response_rate: float | None
    resolve_rate: float | None
    satisfaction_rate: float | None


# --- shaping --------------------------------------------------------------------------------


def _unit_ref(unit: Unit | None) -> dict[str, str] | None:
    return {"code": unit.code, "name": unit.name} if unit else None


def brief(case: Case, text: access.CaseText | None = None, now: dt.datetime | None = None) -> dict:
    """A list row; ``text`` masks the title for readers who may not see the reporter."""
    now = now or timezone.now()
    running = case.state in (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS)
    overdue = bool(case.breached_at) or (
        running and case.resolve_due_at is not None and case.resolve_due_at < now
    )
    return {
        "number": case.number,
        "title": text.title if text else case.title,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "channel": case.channel,
        "estate": case.estate.code,
        "estate_name": case.estate.name,
        "matter": case.matter.code if case.matter else None,
        "lead_unit": _unit_ref(case.lead_unit),
        "level": case.level.name,
        "created_at": case.created_at,
        "accept_due_at": case.accept_due_at,
        "resolve_due_at": case.resolve_due_at,
        "overdue": overdue,
        "external_ref": case.external_ref,
        "version": case.version,
    }


def _rows(user: Any, cases: Any) -> list[dict[str, Any]]:
    v = access.viewer(user)
    now = timezone.now()
    return [brief(c, access.case_text(c, v.sees_reporter(c)), now) for c in cases]


def detail(case: Case, user: Any) -> dict[str, Any]:
    view = case_view(case, user)
    t = view.text
    mine = {task.pk for task in view.my_tasks}
    return {
        **brief(case, t),
        "description": t.description,
        "reporter_name": t.reporter_name,
        "reporter_phone": t.reporter_phone,
        "building": case.building,
        "unit_no": case.unit_no,
        "room": t.room,
        "location": t.location,
        "urgency": case.urgency,
        "result": t.result,
        "rating": case.rating or None,
        "rating_reason": case.rating_reason if t.visible else "",
        "route_reasons": case.route_reasons,
        "enforcement_step": case.enforcement_step,
        "public_summary": access.public_summary(case),
        "allowed": view.allowed,
        "next_step": actions.next_step(case, view.allowed),
        "tasks": [
            {
                "id": task.pk,
                "kind": task.kind,
                "unit": _unit_ref(task.unit),
                "state": task.state,
                "instructions": task.instructions,
                "checkin_due_at": task.checkin_due_at,
                "checked_in_at": task.checked_in_at,
                "done_at": task.done_at,
                "result": task.result,
                "mine": task.pk in mine,
            }
            for task in view.tasks
        ],
        "appeals": [
            {
                "id": a.pk,
                "unit": a.unit.name,
                "state": a.state,
                "reason": a.reason,
                "decision_reason": a.decision_reason,
            }
            for a in view.appeals
        ],
        "timeline": [
            {
                "action": item.event.action,
                "label": item.label,
                "from_state": item.event.from_state,
                "to_state": item.event.to_state,
                "actor": item.actor,
                "unit": item.unit,
                "reason": item.reason,
                "at": item.event.created_at,
            }
            for item in view.timeline
        ],
    }


def _get(request: HttpRequest, number: str) -> Case:
    case = case_for(request.user, number)
    if case is None:
        raise NotFound(_("案件 %(number)s 不存在或无权查看") % {"number": number})
    return case


# --- intake and reading -------------------------------------------------------------------


@router.post(
    "/",
    response={200: RegisteredOut, 201: RegisteredOut, **ERRORS},
    summary="登记诉求（对接系统用，支持幂等键）",
)
def register(
    request: HttpRequest,
    payload: CaseIn,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", max_length=100, description=IDEMPOTENCY_HELP)
    ] = None,
) -> Status:
    key = idempotency_key or payload.idempotency_key or None
    case, created = s.case_register_or_replay(
        channel=payload.channel,
        estate=payload.estate,
        title=payload.title,
        description=payload.description,
        matter_code=payload.matter_code,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        reporting_unit=payload.reporting_unit or None,
        building=payload.building,
        unit_no=payload.unit_no,
        room=payload.room,
        location=payload.location,
        urgency=payload.urgency,
        idempotency_key=key,
        external_ref=payload.external_ref,
        is_enforcement=payload.is_enforcement,
        actor=request.user,
        token=getattr(request, "api_token", None),
    )
    body = {**brief(case), "track_key": getattr(case, "track_key", None)}
    return Status(201 if created else 200, body)


@router.get("/", response={200: LedgerOut, **READ_ERRORS}, summary="台账（按权限与筛选条件，分页）")
def ledger(
    request: HttpRequest,
    estate: str = "",
    unit: str = "",
    matter: str = "",
    state: State | None = None,
    channel: Channel | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    overdue: bool = False,
    q: Annotated[str, Field(max_length=100)] = "",
    street: Annotated[str, Field(max_length=32, description="街道（乡镇）区划代码")] = "",
    metric: Annotated[
        str, Field(max_length=40, description="指标下钻：有该指标事件的案件（与指标页同一口径）")
    ] = "",
    open: Annotated[bool, Field(description="仅未结案件")] = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    f = selectors.LedgerFilter.from_params(
        {
            "estate": estate,
            "unit": unit,
            "matter": matter,
            "state": state or "",
            "channel": channel or "",
            "date_from": date_from.isoformat() if date_from else "",
            "date_to": date_to.isoformat() if date_to else "",
            "overdue": "1" if overdue else "",
            "q": q,
            "street": street,
            "metric": metric,
            "open": "1" if open else "",
        }
    )
    if f.errors:
        raise InvalidInput(errors=[FieldError(k, v) for k, v in f.errors.items()])
    pages = selectors.ledger_pages(request.user, f)
    rows = pages.rows(offset, limit)
    return {
        "total": min(pages.found, selectors.COUNT_CAP),
        "total_capped": pages.capped,
        "limit": limit,
        "offset": offset,
        "items": _rows(request.user, rows),
    }


@router.get(
    "/public/{estate}",
    response={200: list[PublicCaseOut], 404: ErrorOut},
    auth=None,
    summary="小区诉求办理公示（公开：只有公示摘要，不含个人信息）",
)
def public_list(request: HttpRequest, estate: str) -> list[dict[str, Any]]:
    if not Estate.objects.filter(code=estate).exists():
        raise NotFound(_("小区 %(estate)s 不存在") % {"estate": estate})
    qs = (
        Case.objects.filter(estate__code=estate)
        .exclude(state=State.MERGED)
        .select_related("estate", "matter", "lead_unit")
        .order_by("-created_at")[:100]
    )
    return [
        {
            "number": c.number,
            "summary": access.public_summary(c),
            "state": c.state,
            "state_label": c.state_label,
            "lead_unit": c.lead_unit.name if c.lead_unit else None,
            "created_at": c.created_at,
            "handled_at": c.handled_at,
        }
        for c in qs
    ]


@router.get(
    "/desk", response={200: list[CaseBrief], **READ_ERRORS}, summary="分派台：待办公室处理的案件"
)
def desk(request: HttpRequest) -> list[dict[str, Any]]:
    return _rows(request.user, selectors.desk_cases(request.user)[:500])


@router.get("/inbox", response={200: list[CaseBrief], **READ_ERRORS}, summary="本单位待办案件")
def inbox(request: HttpRequest) -> list[dict[str, Any]]:
    return _rows(request.user, selectors.inbox_cases(request.user)[:500])


@router.get("/mine", response={200: list[CaseBrief], **READ_ERRORS}, summary="我反映的诉求")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    qs = Case.objects.filter(reporter_user_id=request.user.pk).select_related(
        *selectors.LIST_RELATED
    )
    return _rows(request.user, qs.order_by("-created_at")[:500])


@router.get(
    "/metrics",
    response={200: list[MetricsOut], **READ_ERRORS},
    summary="单位办理指标（由事件计算）",
)
def metrics(request: HttpRequest, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    errors = []
    for name, day in (("start", start), ("end", end)):
        if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
            errors.append(FieldError(name, _("日期应在 2000-01-01 至 2100-12-31 之间")))
    if not errors and end < start:
        errors.append(FieldError("end", _("结束日期不能早于开始日期")))
    if errors:
        raise InvalidInput(errors=errors)
    tz = timezone.get_current_timezone()
    begin = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    scope = access.viewer(request.user).scope
    rows = selectors.unit_metrics(units=scope.visible_units(), start=begin, end=finish)
    return [
        {
            "unit": _unit_ref(m.unit),
            "received": m.received,
            "accepted_on_time": m.accepted_on_time,
            "handled": m.handled,
            "rated": m.rated,
            "satisfied": m.satisfied,
            "overdue": m.overdue,
            "returned": m.returned,
            "buck_passing": m.buck_passing,
            "reopened": m.reopened,
            "response_rate": m.response_rate,
            "resolve_rate": m.resolve_rate,
            "satisfaction_rate": m.satisfaction_rate,
        }
        for m in rows
        if m.received or m.handled or m.overdue or m.returned
    ]


class SavedFilterIn(Schema):
    name: str = Field(..., max_length=40, description="名称（同名则更新其条件）")
    query: str = Field(
        "", max_length=1000, description="台账的筛选条件，如 state=dispatched&q=电梯"
    )


class SavedFilterOut(Schema):
    id: int
    name: str
    query: str


@router.get(
    "/filters", response={200: list[SavedFilterOut], **READ_ERRORS}, summary="我保存的台账筛选"
)
def filters_list(request: HttpRequest) -> list[dict[str, Any]]:
    kept = SavedFilter.objects.filter(user_id=request.user.pk or 0)
    return [{"id": f.pk, "name": f.name, "query": f.query} for f in kept]


@router.post("/filters", response={200: SavedFilterOut, **ERRORS}, summary="保存台账筛选")
def filters_save(request: HttpRequest, body: SavedFilterIn) -> dict[str, Any]:
    kept = saved_filter_save(user=request.user, name=body.name, query=body.query)
    return {"id": kept.pk, "name": kept.name, "query": kept.query}


@router.delete("/filters/{pk}", response={204: None, **ERRORS}, summary="删除保存的筛选")
def filters_delete(request: HttpRequest, pk: PathId) -> Status:
    saved_filter_delete(user=request.user, pk=pk)
    return Status(204, None)


@router.post(
    "/desk/repeats",
    response={200: RepeatsOut, **ERRORS},
    summary="重复诉求一并处理：合并并可提请议题",
)
def repeats_merge(request: HttpRequest, body: RepeatsIn) -> dict[str, Any]:
    done = repeats_service.repeats_merge(
        actor=request.user,
        keep=body.keep,
        numbers=body.numbers,
        topic=body.topic,
        reason=body.reason,
    )
    return {
        "case": done.case.number,
        "merged": [c.number for c in done.merged],
        "topic": done.topic.pk if done.topic is not None else None,
    }


@router.post(
    "/desk/dispatch", response={200: list[BulkOutcomeOut], **ERRORS}, summary="分派台批量分派"
)
def desk_dispatch(request: HttpRequest, body: BulkDispatchIn) -> list[dict[str, Any]]:
    outcomes = case_dispatch_many(
        actor=request.user,
        items=[BulkItem(n.strip()[:40]) for n in body.numbers],
        matter_code=body.matter_code.strip(),
    )
    return [vars(o) for o in outcomes]


@router.get("/{number}", response={200: CaseOut, **READ_ERRORS}, summary="案件详情与时间线")
def case_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return detail(_get(request, number), request.user)


@router.get(
    "/{number}/report-form.pdf",
    response={200: None, **READ_ERRORS},
    summary="呈报表 PDF（一式三份）",
)
def report_form_pdf(request: HttpRequest, number: str) -> HttpResponse:
    from gongzhi.cases.pdf import report_form_pdf as render

    case = _get(request, number)
    if not hasattr(case, "report_form"):
        raise NotFound(_("该案件没有呈报表"))
    response = HttpResponse(render(case, request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}-chengbaobiao.pdf"'
    return response


# --- one endpoint per action of the registry ---------------------------------------------------


def _mount(action: Action[Case]) -> None:
    def endpoint(request: HttpRequest, number: str, payload: Any, **uploads: Any) -> dict:
        case = _get(request, number)
        files = {name: list(uploads.get(name) or []) for name in action.files if action.api_files}
        actions.perform(action, case, request.user, payload, files)
        return detail(_get(request, number), request.user)

    params = [
        inspect.Parameter(
            "request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=HttpRequest
        ),
        inspect.Parameter("number", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str),
    ]
    if action.files and action.api_files:
        params.append(
            inspect.Parameter(
                "payload",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Form[action.input],  # type: ignore[misc,name-defined]
            )
        )
        for name in action.files:
            params.append(
                inspect.Parameter(
                    name,
                    inspect.Parameter.KEYWORD_ONLY,
                    annotation=File[list[UploadedFile]],
                    default=None,
                )
            )
    else:
        params.append(
            inspect.Parameter("payload", inspect.Parameter.KEYWORD_ONLY, annotation=action.input)
        )
    endpoint.__signature__ = inspect.Signature(params, return_annotation=dict)  # type: ignore[attr-defined]
    endpoint.__name__ = f"action_{action.name}"
    router.post(
        f"/{{number}}/{action.path}",
        response={200: CaseOut, **ERRORS},
        summary=action.summary or str(action.label),
        operation_id=f"cases_action_{action.name}",
    )(endpoint)


for _action in actions.registry:
    _mount(_action)
