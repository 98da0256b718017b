"""The JSON API of unplanned outages (mass incidents, 004 三(三)): staff read the outages
they may see (access.readable_outages; another county's is 404); every action goes
through the registry (actions.py) to the same services as the pages. The board's public
JSON shows a current outage without cases or tasks (board/api.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.common.apiauth import session_auth, token_auth
from gongzhi.common.errors import NotFound
from gongzhi.common.params import PathId
from gongzhi.common.schemas import ERRORS, READ_ERRORS
from gongzhi.org.models import Unit
from gongzhi.parties import access, actions, schemas, selectors
from gongzhi.parties.models import Outage, OutageTask, UtilityWork
from gongzhi.parties.outage_tasks import label

router = Router(tags=["三方联动"], auth=[token_auth, session_auth])


class OutageUpdateOut(Schema):
    at: dt.datetime
    unit: str | None
    text: str


class OutagePublicOut(Schema):
    """What the public board shows of a current outage: no cases, no residents."""

    id: int
    utility: str
    utility_phone: str
    supply: UtilityWork.Supply
    supply_label: str
    title: str
    description: str
    started_at: dt.datetime
    expected_at: dt.datetime
    restored_at: dt.datetime | None
    overdue: bool = Field(..., description="超过预计恢复时间仍未恢复")
    state: Outage.State
    state_label: str
    updates: list[OutageUpdateOut]


class OutageTaskOut(Schema):
    id: int
    estate: str
    unit: str
    kind: str
    label: str
    done_at: dt.datetime | None
    note: str
    allowed: list[str] = Field(default_factory=list)


class OutageCaseOut(Schema):
    number: str
    estate: str
    title: str = Field(..., description="案件标题（工作人员可见）")
    state: str
    outcome: str = Field(..., description="关闭事件时：handled 已办结 / noted 已记录")


class OutageOut(OutagePublicOut):
    estates: list[str]
    version: int
    tasks: list[OutageTaskOut]
    cases: list[OutageCaseOut]
    suggested: list[OutageCaseOut] = Field(..., description="建议关联的案件")
    allowed: list[str] = Field(default_factory=list)


def outage_public(o: Outage) -> dict[str, Any]:
    return {
        "id": o.pk,
        "utility": o.utility.name,
        "utility_phone": o.utility.hotline or o.utility.phone,
        "supply": o.supply,
        "supply_label": o.get_supply_display(),
        "title": o.title,
        "description": o.description,
        "started_at": o.started_at,
        "expected_at": o.expected_at,
        "restored_at": o.restored_at,
        "overdue": selectors.outage_overdue(o),
        "state": o.state,
        "state_label": o.get_state_display(),
        "updates": [
            {"at": u.created_at, "unit": u.unit.name if u.unit else None, "text": u.text}
            for u in o.updates.select_related("unit").order_by("-created_at", "-id")
        ],
    }


def _case(c: Any, outcome: str = "") -> dict[str, Any]:
    from gongzhi.cases.access import mask_text

    names = [c.reporter_name] if c.reporter_name else []
    return {
        "number": c.number,
        "estate": c.estate.code,
        "title": mask_text(c.title, names=names),
        "state": c.state,
        "outcome": outcome,
    }


def outage_out(o: Outage, user: Any) -> dict[str, Any]:
    tasks = o.tasks.select_related("estate", "unit", "outage").order_by("estate_id", "id")
    return {
        **outage_public(o),
        "estates": [e.code for e in o.estates.all()],
        "version": o.version,
        "tasks": [
            {
                "id": t.pk,
                "estate": t.estate.code,
                "unit": t.unit.name,
                "kind": t.kind,
                "label": label(t.kind),
                "done_at": t.done_at,
                "note": t.note,
                "allowed": actions.task_offered(user, t),
            }
            for t in tasks
        ],
        "cases": [_case(link.case, link.outcome) for link in selectors.outage_cases(o)],
        "suggested": [_case(c) for c in selectors.outage_suggestions(o)]
        if access.handles_outage(user, o)
        else [],
        "allowed": actions.outage_offered(user, o),
    }


def _run(name: str, outage: Outage, request: HttpRequest, payload: Any) -> Any:
    action = actions.OUTAGE_ACTIONS.get(name)
    assert action is not None
    return action.run(outage, request.user, payload, {})


@router.get("/outages", response={200: list[OutageOut], **READ_ERRORS}, summary="突发停水停电事件")
def outages(request: HttpRequest, open: bool = False) -> list[dict[str, Any]]:
    qs = access.readable_outages(request.user)
    if open:
        qs = qs.filter(state=Outage.State.OPEN)
    return [outage_out(o, request.user) for o in qs[:100]]


@router.post(
    "/outages",
    response={201: OutageOut, **ERRORS},
    summary="登记突发停水停电（专营单位或联席会议办公室）",
)
def outage_open(request: HttpRequest, payload: schemas.OutageIn) -> Any:
    utility = get_object_or_404(Unit.objects.select_related("jurisdiction"), pk=payload.utility_id)
    action = actions.UTILITY_ACTIONS.get("outage_open")
    assert action is not None
    return Status(201, outage_out(action.run(utility, request.user, payload, {}), request.user))


@router.get("/outages/{outage_id}", response={200: OutageOut, **READ_ERRORS}, summary="事件详情")
def outage_detail(request: HttpRequest, outage_id: PathId) -> dict[str, Any]:
    return outage_out(access.outage_for(request.user, outage_id), request.user)


@router.post("/outages/{outage_id}/cases", response={200: OutageOut, **ERRORS}, summary="关联案件")
def outage_link(request: HttpRequest, outage_id: PathId, payload: schemas.OutageLinkIn) -> Any:
    outage = access.outage_for(request.user, outage_id)
    _run("link", outage, request, payload)
    return outage_out(access.outage_for(request.user, outage_id), request.user)


@router.post(
    "/outages/{outage_id}/unlink",
    response={200: OutageOut, **ERRORS},
    summary="取消关联案件（须写明原因）",
)
def outage_unlink(request: HttpRequest, outage_id: PathId, payload: schemas.OutageUnlinkIn) -> Any:
    outage = access.outage_for(request.user, outage_id)
    _run("unlink", outage, request, payload)
    return outage_out(access.outage_for(request.user, outage_id), request.user)


@router.post(
    "/outages/{outage_id}/updates", response={200: OutageOut, **ERRORS}, summary="发布抢修进展"
)
def outage_post(request: HttpRequest, outage_id: PathId, payload: schemas.OutagePostIn) -> Any:
    outage = access.outage_for(request.user, outage_id)
    _run("post", outage, request, payload)
    return outage_out(access.outage_for(request.user, outage_id), request.user)


@router.post(
    "/outages/{outage_id}/close",
    response={200: OutageOut, **ERRORS},
    summary="恢复供应并关闭事件（更新全部关联案件，通知诉求人）",
)
def outage_close(request: HttpRequest, outage_id: PathId, payload: schemas.OutageCloseIn) -> Any:
    outage = access.outage_for(request.user, outage_id)
    _run("close", outage, request, payload)
    return outage_out(access.outage_for(request.user, outage_id), request.user)


@router.post(
    "/outage-tasks/{task_id}/done",
    response={200: OutageTaskOut, **ERRORS},
    summary="物业服务企业标记配合任务完成",
)
def outage_task_done(
    request: HttpRequest, task_id: PathId, payload: schemas.OutageTaskDoneIn
) -> dict[str, Any]:
    readable = access.readable_outages(request.user)
    task = (
        OutageTask.objects.select_related("estate", "unit", "outage")
        .filter(pk=task_id, outage__in=readable)
        .first()
    )
    if task is None:
        raise NotFound(_("未找到，或无权查看"))
    action = actions.OUTAGE_TASK_ACTIONS.get("done")
    assert action is not None
    t = action.run(task, request.user, payload, {})
    return {
        "id": t.pk,
        "estate": t.estate.code,
        "unit": t.unit.name,
        "kind": t.kind,
        "label": label(t.kind),
        "done_at": t.done_at,
        "note": t.note,
        "allowed": actions.task_offered(request.user, t),
    }


class CaseOutageIn(Schema):
    outage_id: int = Field(..., ge=1, le=2**63 - 1)


@router.get(
    "/cases/{number}/outages",
    response={200: list[OutagePublicOut], **READ_ERRORS},
    summary="案件所在小区正在抢修、调用者可关联的突发事件",
)
def case_outages(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    return [outage_public(o) for o in _case_candidates(request.user, number)]


@router.post(
    "/cases/{number}/outage",
    response={200: OutageOut, **ERRORS},
    summary="把案件关联到突发事件（案件一侧）",
)
def case_outage_link(request: HttpRequest, number: str, payload: CaseOutageIn) -> Any:
    outage = access.outage_for(request.user, payload.outage_id)
    _run("link", outage, request, schemas.OutageLinkIn(numbers=[number[:40]]))
    return outage_out(access.outage_for(request.user, outage.pk), request.user)


def _case_candidates(user: Any, number: str) -> list[Outage]:
    from gongzhi.cases.access import readable_cases

    case = readable_cases(user).filter(number=number[:40]).select_related("estate").first()
    if case is None:
        raise NotFound(_("未找到，或无权查看"))
    found = access.readable_outages(user).filter(estates=case.estate, state=Outage.State.OPEN)
    return [o for o in found if access.handles_outage(user, o)]
