"""The JSON API of cases: intake (with idempotency keys for integrations), every action
of the workflow, tasks, the enforcement procedure, appeals, the ledger and metrics. The
same services and permissions as the pages; reporters' personal data masked for roles
that do not handle the case."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.cases import access, selectors, services
from gongzhi.cases.models import Case, CaseTask, RatingAppeal, State
from gongzhi.cases.workflow import moves_from
from gongzhi.common.apiauth import api_auth
from gongzhi.common.errors import FieldError, InvalidInput, NotFound, PermissionDenied
from gongzhi.org.models import Estate, Unit, User
from gongzhi.org.permissions import scope_for

router = Router(tags=["诉求案件"])


# --- schemas -------------------------------------------------------------------------------


class CaseIn(Schema):
    channel: str
    estate: str
    title: str
    description: str
    matter_code: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    building: str = ""
    unit_no: str = ""
    room: str = ""
    location: str = ""
    urgency: str = "normal"
    external_ref: str = ""
    reporting_unit: str = ""
    is_enforcement: bool = False
    idempotency_key: str = ""


class UnitRef(Schema):
    code: str
    name: str


class CaseBrief(Schema):
    number: str
    title: str
    state: str
    state_label: str
    channel: str
    estate: str
    estate_name: str
    matter: str | None
    lead_unit: UnitRef | None
    level: str
    created_at: dt.datetime
    accept_due_at: dt.datetime | None
    resolve_due_at: dt.datetime | None
    overdue: bool
    version: int


class EventOut(Schema):
    action: str
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


class CaseOut(CaseBrief):
    description: str
    reporter_name: str
    reporter_phone: str
    building: str
    unit_no: str
    room: str
    location: str
    urgency: str
    result: str
    rating: str
    rating_reason: str
    route_reasons: list[str]
    enforcement_step: str
    allowed: list[str]
    tasks: list[TaskOut]
    timeline: list[EventOut]


class ActionIn(Schema):
    reason: str = ""
    version: int | None = None


class DispatchIn(ActionIn):
    unit: str = ""
    matter_code: str = ""


class ReturnIn(ActionIn):
    claimed_matter_code: str = ""


class TransferIn(ActionIn):
    to_unit: str


class HandleIn(ActionIn):
    result: str


class RateIn(ActionIn):
    rating: str
    callback: bool = False


class MergeIn(ActionIn):
    into: str


class TasksIn(Schema):
    units: list[str]
    instructions: str


class WhistleIn(TasksIn):
    street_unit: str


class NoteIn(Schema):
    note: str = ""


class StopIn(Schema):
    action: str


class ReportIn(Schema):
    receiving_unit: str
    contact: str
    contact_phone: str
    details: str
    opinion: str
    head: str
    receiver: str = ""
    receiver_phone: str = ""


class OpinionIn(Schema):
    opinion: str
    head: str


class AppealDecideIn(Schema):
    upheld: bool
    reason: str


class AppealOut(Schema):
    id: int
    case: str
    unit: str
    state: str
    reason: str


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


class SweepOut(Schema):
    warned: int
    escalated: int
    tasks_breached: int
    closed_unrated: int


# --- helpers ---------------------------------------------------------------------------


def _get(request: HttpRequest, number: str) -> Case:
    case = (
        Case.objects.select_related(
            "estate__community",
            "matter",
            "lead_unit__kind",
            "lead_unit__jurisdiction",
            "level__parent",
            "jurisdiction",
        )
        .filter(number=number)
        .first()
    )
    if case is None or not access.can_read(request.user, case):
        raise NotFound(f"案件 {number} 不存在或无权查看")
    return case


def _unit_ref(unit: Unit | None) -> dict[str, str] | None:
    return {"code": unit.code, "name": unit.name} if unit else None


def brief(case: Case, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    running = case.state in (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS)
    overdue = bool(case.breached_at) or (
        running and case.resolve_due_at is not None and case.resolve_due_at < now
    )
    return {
        "number": case.number,
        "title": case.title,
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
        "version": case.version,
    }


def detail(case: Case, user: Any) -> dict[str, Any]:
    show = access.can_see_reporter(user, case)
    mine = access.sides(user, case)
    allowed = [m.name for m in moves_from(case.state) if set(m.sides) & mine]
    events = case.events.select_related("actor", "unit", "actor_unit")
    tasks = case.tasks.select_related("unit")
    return {
        **brief(case),
        "description": case.description,
        "reporter_name": case.reporter_name if show else access.mask_name(case.reporter_name),
        "reporter_phone": case.reporter_phone if show else access.mask_phone(case.reporter_phone),
        "building": case.building,
        "unit_no": case.unit_no,
        "room": case.room if show else ("***" if case.room else ""),
        "location": case.location,
        "urgency": case.urgency,
        "result": case.result,
        "rating": case.rating,
        "rating_reason": case.rating_reason,
        "route_reasons": case.route_reasons,
        "enforcement_step": case.enforcement_step,
        "allowed": allowed,
        "tasks": [
            {
                "id": t.pk,
                "kind": t.kind,
                "unit": _unit_ref(t.unit),
                "state": t.state,
                "instructions": t.instructions,
                "checkin_due_at": t.checkin_due_at,
                "checked_in_at": t.checked_in_at,
                "done_at": t.done_at,
                "result": t.result,
            }
            for t in tasks
        ],
        "timeline": [
            {
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": str(e.actor) if e.actor else ("系统" if not e.actor_unit else ""),
                "unit": e.unit.name if e.unit else "",
                "reason": e.reason,
                "at": e.created_at,
            }
            for e in events
        ],
    }


def _uploads(files: list[UploadedFile] | None) -> list[services.Upload]:
    return [services.Upload(name=f.name or "file", content=f.read()) for f in files or []]


# --- intake and reading -------------------------------------------------------------------


@router.post(
    "/",
    response={200: CaseBrief, 201: CaseBrief},
    auth=api_auth,
    summary="登记诉求（对接系统用，支持幂等键）",
)
def register(request: HttpRequest, payload: CaseIn) -> Status:
    key = request.headers.get("Idempotency-Key") or payload.idempotency_key or None
    reporting_unit = None
    if payload.reporting_unit:
        # A replay is answered before the unit is checked.
        if key and (existing := _replay(key)) is not None:
            return Status(200, brief(existing))
        reporting_unit = Unit.objects.filter(code=payload.reporting_unit).first()
        if reporting_unit is None:
            raise InvalidInput(
                errors=[FieldError("reporting_unit", f"单位编码“{payload.reporting_unit}”不存在")]
            )
        if not scope_for(request.user).in_unit(reporting_unit):
            raise PermissionDenied("只能以本单位名义登记巡查发现或移交")
    # The service looks the idempotency key up (one query) and says if the case is new.
    case, created = services.case_register_or_replay(
        channel=payload.channel,
        estate=payload.estate,
        title=payload.title,
        description=payload.description,
        matter_code=payload.matter_code,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        reporter_user=request.user if scope_for(request.user).has("resident") else None,
        reporting_unit=reporting_unit,
        building=payload.building,
        unit_no=payload.unit_no,
        room=payload.room,
        location=payload.location,
        urgency=payload.urgency,
        idempotency_key=key,
        external_ref=payload.external_ref,
        is_enforcement=payload.is_enforcement,
        actor=request.user,
    )
    if not created:
        return Status(200, brief(_replay(key) or case))
    return Status(201, brief(case))


def _replay(key: str | None) -> Case | None:
    if not key:
        return None
    return (
        Case.objects.filter(idempotency_key=key)
        .select_related("estate", "matter", "lead_unit", "level")
        .first()
    )


@router.get("/", response=list[CaseBrief], auth=api_auth, summary="台账（按权限与筛选条件）")
def ledger(
    request: HttpRequest,
    estate: str = "",
    unit: str = "",
    matter: str = "",
    state: str = "",
    channel: str = "",
    date_from: str = "",
    date_to: str = "",
    overdue: bool = False,
    q: str = "",
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    f = selectors.LedgerFilter.from_params(
        {
            "estate": estate,
            "unit": unit,
            "matter": matter,
            "state": state,
            "channel": channel,
            "date_from": date_from,
            "date_to": date_to,
            "overdue": "1" if overdue else "",
            "q": q,
        }
    )
    if f.errors:
        raise InvalidInput(errors=[FieldError(k, v) for k, v in f.errors.items()])
    limit = max(1, min(limit, 1000))
    now = timezone.now()
    rows = selectors.ledger(scope_for(request.user), f)[offset : offset + limit]
    return [brief(c, now) for c in rows]


@router.get(
    "/public/{estate}", response=list[CaseBrief], summary="小区诉求办理公示（公开，已脱敏）"
)
def public_list(request: HttpRequest, estate: str) -> list[dict[str, Any]]:
    if not Estate.objects.filter(code=estate).exists():
        raise NotFound(f"小区 {estate} 不存在")
    qs = (
        Case.objects.filter(estate__code=estate)
        .exclude(state=State.MERGED)
        .select_related(*selectors.LIST_RELATED)
        .order_by("-created_at")[:100]
    )
    return [brief(c) for c in qs]


@router.get("/desk", response=list[CaseBrief], auth=api_auth, summary="分派台：待办公室处理的案件")
def desk(request: HttpRequest) -> list[dict[str, Any]]:
    return [brief(c) for c in selectors.desk_cases(scope_for(request.user))[:500]]


@router.get("/inbox", response=list[CaseBrief], auth=api_auth, summary="本单位待办案件")
def inbox(request: HttpRequest) -> list[dict[str, Any]]:
    return [brief(c) for c in selectors.inbox_cases(scope_for(request.user))[:500]]


@router.get("/mine", response=list[CaseBrief], auth=api_auth, summary="我反映的诉求")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    user = cast(User, request.user)  # api_auth: a signed-in account or a token's
    qs = Case.objects.filter(reporter_user=user).select_related(*selectors.LIST_RELATED)
    return [brief(c) for c in qs]


@router.get(
    "/metrics", response=list[MetricsOut], auth=api_auth, summary="单位办理指标（由事件计算）"
)
def metrics(request: HttpRequest, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    scope = scope_for(request.user)
    if end < start:
        raise InvalidInput(errors=[FieldError("end", "结束日期不能早于开始日期")])
    tz = timezone.get_current_timezone()
    begin = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
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


@router.get("/{number}", response=CaseOut, auth=api_auth, summary="案件详情与时间线")
def case_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return detail(_get(request, number), request.user)


@router.get("/{number}/report-form.pdf", auth=api_auth, summary="呈报表 PDF（一式三份）")
def report_form_pdf(request: HttpRequest, number: str) -> HttpResponse:
    from gongzhi.cases.pdf import report_form_pdf as render

    case = _get(request, number)
    if not hasattr(case, "report_form"):
        raise NotFound("该案件没有呈报表")
    response = HttpResponse(render(case), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}-chengbaobiao.pdf"'
    return response


# --- workflow actions -------------------------------------------------------------------------


def _done(request: HttpRequest, case: Case) -> dict[str, Any]:
    case.refresh_from_db()
    return detail(case, request.user)


@router.post("/{number}/dispatch", response=CaseOut, auth=api_auth, summary="分派")
def dispatch(request: HttpRequest, number: str, payload: DispatchIn) -> dict[str, Any]:
    case = _get(request, number)
    services.case_dispatch(
        case=case,
        actor=request.user,
        unit=payload.unit or None,
        matter_code=payload.matter_code,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _done(request, case)


def _simple(name: str, summary: str) -> None:
    func = getattr(services, f"case_{name}")

    def endpoint(request: HttpRequest, number: str, payload: ActionIn) -> dict[str, Any]:
        case = _get(request, number)
        kwargs: dict[str, Any] = {"expected_version": payload.version}
        if name in ("escalate", "suspend", "overrule", "send_back", "reopen", "close"):
            kwargs["reason"] = payload.reason
        if name in ("start", "feedback"):
            kwargs["note"] = payload.reason
        if name == "rule_transfer":
            kwargs["reason"] = payload.reason
        func(case=case, actor=request.user, **kwargs)
        return _done(request, case)

    endpoint.__name__ = f"action_{name}"
    router.post(
        f"/{{number}}/{name.replace('_', '-')}", response=CaseOut, auth=api_auth, summary=summary
    )(endpoint)


for _name, _summary in (
    ("accept", "签收"),
    ("start", "开始办理（首次响应）"),
    ("escalate", "逐级上报"),
    ("overrule", "裁定退回不成立（记推诿扯皮）"),
    ("rule_transfer", "裁定转办不成立（记推诿扯皮）"),
    ("suspend", "挂起"),
    ("resume", "恢复办理"),
    ("feedback", "反馈诉求人"),
    ("send_back", "退回重办"),
    ("reopen", "重新办理"),
    ("close", "结案"),
):
    _simple(_name, _summary)


@router.post(
    "/{number}/return", response=CaseOut, auth=api_auth, summary="退回（须写明适用的清单事项）"
)
def return_(request: HttpRequest, number: str, payload: ReturnIn) -> dict[str, Any]:
    case = _get(request, number)
    services.case_return(
        case=case,
        actor=request.user,
        reason=payload.reason,
        claimed_matter_code=payload.claimed_matter_code,
        expected_version=payload.version,
    )
    return _done(request, case)


@router.post("/{number}/transfer", response=CaseOut, auth=api_auth, summary="转办")
def transfer(request: HttpRequest, number: str, payload: TransferIn) -> dict[str, Any]:
    case = _get(request, number)
    services.case_transfer(
        case=case,
        actor=request.user,
        to_unit=payload.to_unit,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _done(request, case)


@router.post("/{number}/handle", response=CaseOut, auth=api_auth, summary="办结（结果与凭证）")
def handle(request: HttpRequest, number: str, payload: HandleIn) -> dict[str, Any]:
    case = _get(request, number)
    services.case_handle(
        case=case, actor=request.user, result=payload.result, expected_version=payload.version
    )
    return _done(request, case)


@router.post("/{number}/rate", response=CaseOut, auth=api_auth, summary="评价（诉求人或回访）")
def rate(request: HttpRequest, number: str, payload: RateIn) -> dict[str, Any]:
    case = _get(request, number)
    services.case_rate(
        case=case,
        actor=request.user,
        rating=payload.rating,
        reason=payload.reason,
        callback=payload.callback,
        expected_version=payload.version,
    )
    return _done(request, case)


@router.post("/{number}/merge", response=CaseOut, auth=api_auth, summary="合并重复件")
def merge(request: HttpRequest, number: str, payload: MergeIn) -> dict[str, Any]:
    case = _get(request, number)
    into = Case.objects.filter(number=payload.into).first()
    if into is None:
        raise InvalidInput(errors=[FieldError("into", f"案件 {payload.into} 不存在")])
    services.case_merge(
        case=case,
        into=into,
        actor=request.user,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _done(request, case)


@router.post("/{number}/callback", response=CaseOut, auth=api_auth, summary="回访记录")
def callback(request: HttpRequest, number: str, payload: NoteIn) -> dict[str, Any]:
    case = _get(request, number)
    services.case_callback(case=case, actor=request.user, note=payload.note)
    return _done(request, case)


@router.post(
    "/{number}/attachments", response=CaseOut, auth=api_auth, summary="上传附件（图片或 PDF）"
)
def attach(
    request: HttpRequest,
    number: str,
    files: list[UploadedFile] = File(...),  # noqa: B008
) -> dict[str, Any]:
    case = _get(request, number)
    services.case_attach(case=case, actor=request.user, uploads=_uploads(files))
    return _done(request, case)


# --- tasks: joint handling, whistle, police ------------------------------------------------


@router.post("/{number}/joint", response=CaseOut, auth=api_auth, summary="联合执法：通知协办单位")
def joint(request: HttpRequest, number: str, payload: TasksIn) -> dict[str, Any]:
    case = _get(request, number)
    services.case_joint_request(
        case=case, actor=request.user, units=payload.units, instructions=payload.instructions
    )
    return _done(request, case)


@router.post("/{number}/whistle", response=CaseOut, auth=api_auth, summary="街道吹哨、部门报到")
def whistle(request: HttpRequest, number: str, payload: WhistleIn) -> dict[str, Any]:
    case = Case.objects.select_related("estate__community").filter(number=number).first()
    if case is None:
        raise NotFound(f"案件 {number} 不存在")
    services.case_whistle(
        case=case,
        actor=request.user,
        street_unit=payload.street_unit,
        units=payload.units,
        instructions=payload.instructions,
    )
    return _done(request, case)


@router.post("/{number}/police", response=CaseOut, auth=api_auth, summary="现场受阻，通知公安")
def police(request: HttpRequest, number: str, payload: NoteIn) -> dict[str, Any]:
    case = _get(request, number)
    services.case_call_police(case=case, actor=request.user, reason=payload.note)
    return _done(request, case)


def _task(request: HttpRequest, task_id: int) -> CaseTask:
    task = CaseTask.objects.select_related("case", "unit").filter(pk=task_id).first()
    if task is None or task.unit_id not in scope_for(request.user).unit_ids:
        raise NotFound("任务不存在或无权查看")
    return task


@router.post("/tasks/{task_id}/checkin", response=TaskOut, auth=api_auth, summary="报到")
def task_checkin(request: HttpRequest, task_id: int, payload: NoteIn) -> dict[str, Any]:
    task = services.case_task_checkin(
        task=_task(request, task_id), actor=request.user, note=payload.note
    )
    return _task_out(task)


@router.post("/tasks/{task_id}/done", response=TaskOut, auth=api_auth, summary="完成协办任务")
def task_done(request: HttpRequest, task_id: int, payload: HandleIn) -> dict[str, Any]:
    task = services.case_task_done(
        task=_task(request, task_id), actor=request.user, result=payload.result
    )
    return _task_out(task)


def _task_out(t: CaseTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "kind": t.kind,
        "unit": _unit_ref(t.unit),
        "state": t.state,
        "instructions": t.instructions,
        "checkin_due_at": t.checkin_due_at,
        "checked_in_at": t.checked_in_at,
        "done_at": t.done_at,
        "result": t.result,
    }


# --- the six-step procedure --------------------------------------------------------------------


@router.post(
    "/{number}/enforcement/photos", response=CaseOut, auth=api_auth, summary="拍照（至少一张）"
)
def enforcement_photos(
    request: HttpRequest,
    number: str,
    files: list[UploadedFile] = File(...),  # noqa: B008
) -> dict[str, Any]:
    case = _get(request, number)
    services.case_enforcement_photo(case=case, actor=request.user, photos=_uploads(files))
    return _done(request, case)


@router.post("/{number}/enforcement/stop", response=CaseOut, auth=api_auth, summary="制止")
def enforcement_stop(request: HttpRequest, number: str, payload: StopIn) -> dict[str, Any]:
    case = _get(request, number)
    services.case_enforcement_stop(case=case, actor=request.user, action=payload.action)
    return _done(request, case)


@router.post(
    "/{number}/enforcement/report", response=CaseOut, auth=api_auth, summary="呈报（填写呈报表）"
)
def enforcement_report(request: HttpRequest, number: str, payload: ReportIn) -> dict[str, Any]:
    case = _get(request, number)
    services.case_enforcement_report(case=case, actor=request.user, **payload.dict())
    return _done(request, case)


@router.post(
    "/{number}/enforcement/opinion", response=CaseOut, auth=api_auth, summary="呈报表签署意见"
)
def enforcement_opinion(request: HttpRequest, number: str, payload: OpinionIn) -> dict[str, Any]:
    case = _get(request, number)
    services.case_report_opinion(case=case, actor=request.user, **payload.dict())
    return _done(request, case)


# --- appeals ---------------------------------------------------------------------------------


@router.post("/{number}/appeal", response=AppealOut, auth=api_auth, summary="对评价提出申诉")
def appeal(request: HttpRequest, number: str, payload: NoteIn) -> dict[str, Any]:
    case = _get(request, number)
    a = services.case_appeal(case=case, actor=request.user, reason=payload.note)
    return {
        "id": a.pk,
        "case": case.number,
        "unit": a.unit.name,
        "state": a.state,
        "reason": a.reason,
    }


@router.post(
    "/appeals/{appeal_id}/decide", response=AppealOut, auth=api_auth, summary="裁定评价申诉"
)
def appeal_decide(request: HttpRequest, appeal_id: int, payload: AppealDecideIn) -> dict[str, Any]:
    a = RatingAppeal.objects.select_related("case", "unit").filter(pk=appeal_id).first()
    if a is None or not access.can_read(request.user, a.case):
        raise NotFound("申诉不存在")
    services.case_appeal_decide(
        appeal=a, actor=request.user, upheld=payload.upheld, reason=payload.reason
    )
    return {
        "id": a.pk,
        "case": a.case.number,
        "unit": a.unit.name,
        "state": a.state,
        "reason": a.reason,
    }
