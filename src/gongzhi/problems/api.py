"""The JSON API of coordinated problem solving (002 (二)). Reading needs a side on the
estate (access.py; another county gets 404); every action is mounted from the registry
(actions.py) and runs the same service as the page. ``/tiers`` is the public table."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.common.actions import Action
from gongzhi.common.apiauth import session_auth, token_auth
from gongzhi.common.errors import NotFound
from gongzhi.common.params import PathId
from gongzhi.common.schemas import ERRORS, READ_ERRORS
from gongzhi.problems import access, actions, schemas, selectors, workflow
from gongzhi.problems.models import EarlyMatter, Problem

router = Router(tags=["三方协同解决问题"], auth=[token_auth, session_auth])


class NoteOut(Schema):
    kind: str
    kind_label: str
    text: str
    unit: str
    date: dt.date


class InvitationOut(Schema):
    body: str
    body_label: str
    invitee: str
    invited_on: dt.date | None


class ProblemPublicOut(Schema):
    id: int
    tier: str
    tier_label: str
    title: str
    state: str
    state_label: str
    lead_party: str
    source: str = Field(..., description="依据条款")
    raised_on: dt.date
    due: dt.date | None = Field(None, description="本环节期限")
    closed: bool
    notes: list[NoteOut] = Field(..., description="公示的意见、进展和答复")


class MatterPublicOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    state: str
    state_label: str
    source: str
    invitations: list[InvitationOut] = Field(..., description="须邀请的各方及邀请记录")
    decision: str
    outcome: str


class ConsultationOut(Schema):
    id: int
    held_on: dt.date
    form: str
    form_label: str
    participants: str
    summary: str
    attachment: bool


class EventOut(Schema):
    at: dt.datetime
    action: str
    move: str
    label: str
    from_state: str
    to_state: str
    to_label: str
    unit: str
    actor: str
    reason: str


class ProblemOut(ProblemPublicOut):
    estate: str
    description: str
    case: str | None = Field(None, description="关联案件台账编号")
    overdue: bool
    version: int
    convener: str
    participants: list[str] = Field(..., description="本层级的参与方（依据条款）")
    allowed: list[str] = Field(default_factory=list, description="调用者现在可做的操作")


class ProblemDetailOut(ProblemOut):
    consultations: list[ConsultationOut]
    timeline: list[EventOut]


class MatterOut(MatterPublicOut):
    estate: str
    description: str
    version: int
    missing: list[str] = Field(..., description="尚未邀请的各方")
    allowed: list[str] = Field(default_factory=list)


def problem_out(p: Problem, user: Any, *, full: bool = False) -> dict[str, Any]:
    out = selectors.public_problem(p)
    out.update(
        estate=p.estate.code,
        description=p.description,
        case=p.case.number if p.case_id and p.case else None,
        overdue=selectors.is_overdue(p),
        version=p.version,
        allowed=actions.problem_offered(user, p),
        **workflow.tier_summary(p.tier),
    )
    if full:
        out["consultations"] = [
            {
                "id": c.pk,
                "held_on": c.held_on,
                "form": c.form,
                "form_label": str(c.get_form_display()),
                "participants": c.participants,
                "summary": c.summary,
                "attachment": bool(c.attachment),
            }
            for c in p.consultations.all()
        ]
        out["timeline"] = selectors.timeline(p)
    return out


def matter_out(m: EarlyMatter, user: Any) -> dict[str, Any]:
    out = selectors.public_matter(m)
    out.update(
        estate=m.estate.code,
        description=m.description,
        version=m.version,
        missing=workflow.missing_invitations(m),
        allowed=actions.matter_offered(user, m),
    )
    return out


class MoveSpecOut(Schema):
    name: str
    label: str
    sources: list[str]
    to: str | None
    sides: list[str]
    note: str | None
    tier: str | None


class TierOut(Schema):
    tier: str
    label: str
    source: str
    convener: str
    participants: list[str]
    start: str
    limits: dict[str, int] = Field(..., description="各环节时限（天）")
    moves: list[MoveSpecOut]
    passing_on_forbidden: bool


@router.get("/tiers", response={200: list[TierOut]}, auth=None, summary="各层级的流程表（公开）")
def tiers(request: HttpRequest) -> list[dict[str, Any]]:
    found = []
    for key, spec in workflow.TIERS.items():
        limits = {}
        for m in spec.moves:
            for state in (*m.sources, m.to or ""):
                days = workflow.limit_days(key, state) if state else None
                if days is not None:
                    limits[state] = days
        found.append(
            {
                "tier": key,
                "label": str(Problem(tier=key).get_tier_display()),
                "source": spec.source,
                "convener": str(spec.convener),
                "participants": [str(p) for p in spec.participants],
                "start": spec.start,
                "limits": limits,
                "moves": [
                    {
                        "name": m.name,
                        "label": str(m.label),
                        "sources": list(m.sources),
                        "to": m.to,
                        "sides": list(m.sides),
                        "note": m.note,
                        "tier": m.tier,
                    }
                    for m in spec.moves
                ],
                "passing_on_forbidden": bool(spec.no_pass_on),
            }
        )
    return found


@router.get(
    "/estates/{code}", response={200: list[ProblemOut], **READ_ERRORS}, summary="小区的问题"
)
def estate_problems(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    estate = access.estate_for(request.user, code)
    qs = access.readable_problems(request.user).filter(estate=estate)[:500]
    return [problem_out(p, request.user) for p in qs]


def _run(registry: Any, name: str, obj: Any, request: HttpRequest, payload: Any) -> Any:
    action = registry.get(name)
    assert action is not None
    return action.run(obj, request.user, payload, {})


@router.post("/estates/{code}", response={201: ProblemOut, **ERRORS}, summary="提出问题")
def problem_raise(request: HttpRequest, code: str, payload: schemas.ProblemIn) -> Any:
    estate = access.estate_for(request.user, code)
    problem = _run(actions.ESTATE_ACTIONS, "raise", estate, request, payload)
    return Status(201, problem_out(problem, request.user))


@router.post(
    "/from-case/{number}",
    response={201: ProblemOut, **ERRORS},
    summary="案件转为三方协同解决问题（关联该案件）",
)
def from_case(request: HttpRequest, number: str, payload: schemas.FromCaseIn) -> Any:
    from gongzhi.cases.display import case_for

    case = case_for(request.user, number[:40])
    if case is None:
        raise NotFound(_("未找到，或无权查看"))
    problem = _run(actions.CASE_ACTIONS, "to_problem", case, request, payload)
    return Status(201, problem_out(problem, request.user))


@router.get("/{problem_id}", response={200: ProblemDetailOut, **READ_ERRORS}, summary="问题详情")
def problem_detail(request: HttpRequest, problem_id: PathId) -> dict[str, Any]:
    return problem_out(access.problem_for(request.user, problem_id), request.user, full=True)


@router.get(
    "/estates/{code}/early",
    response={200: list[MatterOut], **READ_ERRORS},
    summary="小区的提前介入事项",
)
def estate_matters(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    estate = access.estate_for(request.user, code)
    qs = access.readable_matters(request.user).filter(estate=estate)[:200]
    return [matter_out(m, request.user) for m in qs]


@router.post(
    "/estates/{code}/early", response={201: MatterOut, **ERRORS}, summary="登记提前介入事项"
)
def early_raise(request: HttpRequest, code: str, payload: schemas.EarlyIn) -> Any:
    estate = access.estate_for(request.user, code)
    matter = _run(actions.ESTATE_ACTIONS, "early", estate, request, payload)
    return Status(201, matter_out(matter, request.user))


@router.get("/early/{matter_id}", response={200: MatterOut, **READ_ERRORS}, summary="提前介入事项")
def matter_detail(request: HttpRequest, matter_id: PathId) -> dict[str, Any]:
    return matter_out(access.matter_for(request.user, matter_id), request.user)


def _mount_matter(action: Action[EarlyMatter]) -> None:
    def endpoint(request: HttpRequest, matter_id: PathId, payload: Any) -> dict[str, Any]:
        matter = access.matter_for(request.user, matter_id)
        action.run(matter, request.user, payload, {})
        return matter_out(access.matter_for(request.user, matter_id), request.user)

    _sign(endpoint, "matter_id", action, files=False)
    router.post(
        f"/early/{{matter_id}}/{action.path}",
        response={200: MatterOut, **ERRORS},
        summary=str(action.label),
        operation_id=f"problems_early_{action.name}",
    )(endpoint)


def _mount_problem(action: Action[Problem]) -> None:
    def endpoint(
        request: HttpRequest, problem_id: PathId, payload: Any, **uploads: Any
    ) -> dict[str, Any]:
        problem = access.problem_for(request.user, problem_id)
        files = {name: list(uploads.get(name) or []) for name in action.files}
        action.run(problem, request.user, payload, files)
        return problem_out(access.problem_for(request.user, problem_id), request.user, full=True)

    _sign(endpoint, "problem_id", action, files=bool(action.files))
    router.post(
        f"/{{problem_id}}/{action.path}",
        response={200: ProblemDetailOut, **ERRORS},
        summary=str(action.label),
        operation_id=f"problems_{action.name}",
    )(endpoint)


def _sign(endpoint: Any, id_name: str, action: Action[Any], *, files: bool) -> None:
    """The endpoint's signature for ninja: the id, the action's schema (a form with its
    files when the action takes files, else a JSON body)."""
    p = inspect.Parameter
    params = [
        p("request", p.POSITIONAL_OR_KEYWORD, annotation=HttpRequest),
        p(id_name, p.POSITIONAL_OR_KEYWORD, annotation=PathId),
    ]
    if files:
        params.append(p("payload", p.KEYWORD_ONLY, annotation=Form[action.input]))  # type: ignore[misc,name-defined]
        for name in action.files:
            params.append(
                p(name, p.KEYWORD_ONLY, annotation=File[list[UploadedFile]], default=None)
            )
    else:
        params.append(p("payload", p.KEYWORD_ONLY, annotation=action.input))
    endpoint.__signature__ = inspect.Signature(params, return_annotation=dict)
    endpoint.__name__ = f"action_{action.name}"


for _action in actions.PROBLEM_ACTIONS:
    _mount_problem(_action)
for _matter_action in actions.MATTER_ACTIONS:
    _mount_matter(_matter_action)
