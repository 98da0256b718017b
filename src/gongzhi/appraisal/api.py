"""The JSON API of credit records: the companies an account may read with their score
and standing, one company's score explained (every record with its source, whether it
counts and why, and the actions the caller may take), one endpoint per action of the
registry (actions.py), and the public ranking of a period. Rights come from access.py,
as on the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from gongzhi.appraisal import access, actions, display, selectors
from gongzhi.appraisal.actions import CloseIn, ObjectIn, RecordAddIn, RuleIn
from gongzhi.appraisal.models import CreditPolicy, CreditStanding
from gongzhi.common.apiauth import api_auth
from gongzhi.common.errors import NotFound
from gongzhi.common.params import PathId
from gongzhi.common.schemas import ERRORS, READ_ERRORS, ErrorOut
from gongzhi.org.permissions import scope_for

router = Router(tags=["考评与信用"], auth=api_auth)
PathYear = Annotated[int, Path(ge=2000, le=2100)]
PeriodQuery = Annotated[
    str | None, Query(None, max_length=8, description="考评期，如 2026Q3；空为最近结束的一期")
]


class StandingOut(Schema):
    kind: str = Field(..., description="normal 正常；rewarded 拟奖励；barred 禁止参与招投标")
    label: str
    until: dt.date | None


class CompanyOut(Schema):
    id: int
    code: str
    name: str
    period: str
    score: int
    standing: StandingOut


class LineOut(Schema):
    rule: str
    label: str
    raw: int
    counted: int
    capped: bool
    source: str


class ObjectionOut(Schema):
    id: int
    state: str
    reason: str
    decision_reason: str
    allowed: list[str]


class RecordOut(Schema):
    id: int
    rule: str
    label: str
    points: int
    occurred_on: dt.date
    expires_on: dt.date
    state: str
    counts: bool
    why: str
    source: str
    source_url: str
    note: str
    manager: str | None
    recorded_by: str | None = Field(None, description="录入人；空为系统采集")
    objections: list[ObjectionOut]
    allowed: list[str]


class CreditOut(Schema):
    company: CompanyOut
    policy: str
    policy_source: str
    base: int
    lines: list[LineOut]
    records: list[RecordOut]
    allowed: list[str]


class RankOut(Schema):
    rank: int
    company: str
    score: int
    band: str = Field(..., description="red 红榜；black 黑榜；空为不在榜")


class PublicStandingOut(Schema):
    company: str
    kind: str = Field(..., description="reward 拟奖励；bar 禁止参与招投标并曝光")
    periods: list[str]
    starts_on: dt.date
    ends_on: dt.date
    amount: int


class RankingOut(Schema):
    policy: str
    source: str
    period: str
    start: dt.date
    end: dt.date
    rows: list[RankOut]
    standings: list[PublicStandingOut]


class DoneOut(Schema):
    id: int
    message: str


def _standing(s: selectors.Standing) -> dict[str, Any]:
    return {"kind": s.kind, "label": s.label, "until": s.until}


def _company(company: Any, user: Any, period_key: str | None) -> dict[str, Any]:
    policy = access.policy_for(company)
    if policy is None:
        raise NotFound(_("该企业所在辖区没有信用考评规则"))
    period = display.period_for(policy, period_key)
    score = selectors.scores(policy, period, [company])[company.pk]
    return {
        "id": company.pk,
        "code": company.code,
        "name": company.name,
        "period": period.key,
        "score": score.total,
        "standing": _standing(selectors.standing_of(company, timezone.localdate())),
    }


@router.get("/companies", response={200: list[CompanyOut], **READ_ERRORS}, summary="企业信用一览")
def companies(request: HttpRequest) -> list[dict[str, Any]]:
    rows = access.rated_only(access.readable_companies(request.user)).order_by("name")[:1000]
    return [_company(c, request.user, None) for c in rows if access.policy_for(c) is not None]


@router.get(
    "/companies/{pk}/credit",
    response={200: CreditOut, **READ_ERRORS},
    summary="企业某期信用分及其全部依据",
)
def company_credit(request: HttpRequest, pk: PathId, period: PeriodQuery = None) -> dict[str, Any]:
    company = access.company_for(request.user, pk)
    c = display.company_credit(request.user, company, period)
    return {
        "company": _company(company, request.user, c.period.key),
        "policy": c.policy.name,
        "policy_source": c.policy.source,
        "base": c.score.base,
        "lines": [
            {
                "rule": line.rule.code,
                "label": line.rule.label,
                "raw": line.raw,
                "counted": line.counted,
                "capped": line.capped,
                "source": line.rule.source,
            }
            for line in c.score.lines
        ],
        "records": [
            {
                "id": v.record.pk,
                "rule": v.record.rule.code,
                "label": v.record.rule.label,
                "points": v.record.points,
                "occurred_on": v.record.occurred_on,
                "expires_on": v.record.expires_on,
                "state": v.record.state,
                "counts": v.counts,
                "why": v.why,
                "source": v.source,
                "source_url": v.source_url,
                "note": v.record.note,
                "manager": v.record.manager.name if v.record.manager else None,
                "recorded_by": str(v.record.recorded_by) if v.record.recorded_by else None,
                "objections": [
                    {
                        "id": o.pk,
                        "state": o.state,
                        "reason": o.reason,
                        "decision_reason": o.decision_reason,
                        "allowed": ["objection_rule"] if o.pk in v.can_rule else [],
                    }
                    for o in v.objections
                ],
                "allowed": ["object"] if v.can_object else [],
            }
            for v in c.records
        ],
        "allowed": ["record_add"] if c.can_add else [],
    }


@router.post(
    "/companies/{pk}/records",
    response={201: DoneOut, **ERRORS},
    summary="录入信用记录（办公室；人工录入计分项）",
)
def record_add(request: HttpRequest, pk: PathId, payload: RecordAddIn) -> Status:
    company = access.company_for(request.user, pk)
    record = actions.perform("record_add", company, request.user, payload)
    return Status(201, {"id": record.pk, "message": _("已录入")})


@router.post(
    "/records/{pk}/object",
    response={201: DoneOut, **ERRORS},
    summary="对信用记录提出异议（被记录企业）",
)
def record_object(request: HttpRequest, pk: PathId, payload: ObjectIn) -> Status:
    record = access.record_for(request.user, pk)
    objection = actions.perform("object", record, request.user, payload)
    return Status(201, {"id": objection.pk, "message": _("异议已提交")})


@router.post(
    "/objections/{pk}/rule", response={200: DoneOut, **ERRORS}, summary="裁定异议（办公室）"
)
def objection_rule(request: HttpRequest, pk: PathId, payload: RuleIn) -> dict[str, Any]:
    objection = access.objection_for(request.user, pk)
    done = actions.perform("objection_rule", objection, request.user, payload)
    return {"id": done.pk, "message": done.get_state_display()}


@router.post(
    "/policies/{pk}/close",
    response={201: DoneOut, **ERRORS},
    summary="结算考评期：公布排名，认定连续上榜企业的奖励和禁入（办公室）",
)
def period_close(request: HttpRequest, pk: PathId, payload: CloseIn) -> Status:
    policy = CreditPolicy.objects.select_related("jurisdiction").filter(pk=pk).first()
    if policy is None or not scope_for(request.user).reads_jurisdiction(policy.jurisdiction):
        raise NotFound(_("考评规则不存在或无权查看"))
    close = actions.perform("period_close", policy, request.user, payload)
    return Status(
        201, {"id": close.pk, "message": _("%(period)s 已结算") % {"period": close.period}}
    )


@router.get(
    "/ranking/{code}",
    response={200: RankingOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="红黑榜（公开：企业名称和信用分，不含个人信息）",
)
def ranking(request: HttpRequest, code: str, period: PeriodQuery = None) -> dict[str, Any]:
    policy = (
        CreditPolicy.objects.select_related("jurisdiction")
        .filter(jurisdiction__code=code[:20])
        .first()
    )
    if policy is None:
        raise NotFound(_("该辖区没有信用考评规则"))
    p = display.period_for(policy, period)
    standings = CreditStanding.objects.filter(
        close__policy=policy, ends_on__gte=timezone.localdate()
    ).select_related("company")
    return {
        "policy": policy.name,
        "source": policy.source,
        "period": p.key,
        "start": p.start,
        "end": p.end,
        "rows": [
            {"rank": r.rank, "company": r.company.name, "score": r.score, "band": r.band}
            for r in selectors.ranking(policy, p)
        ],
        "standings": [
            {
                "company": s.company.name,
                "kind": s.kind,
                "periods": s.periods,
                "starts_on": s.starts_on,
                "ends_on": s.ends_on,
                "amount": s.amount,
            }
            for s in standings
        ],
    }


# The unit assessment's endpoints live in assessment_api.py, on this router.
from gongzhi.appraisal import assessment_api as _assessment_api  # noqa: E402, F401

# The democratic appraisal's endpoints live in review_api.py, the social rating's and the
# yearly lists' in social_api.py, on this router.
from gongzhi.appraisal import review_api, social_api  # noqa: E402, F401
