"""The JSON API of the social rating and the yearly lists (mounted on the appraisal
router): periods with their live results and the actions the caller may take, one
endpoint per action of social_actions.registry, the survey (a code by SMS, a vote; no
account, limited per client address and per number) and the published results (public:
unit names and rates only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from gongzhi.appraisal import services as s
from gongzhi.appraisal import social_access as sa
from gongzhi.appraisal.api import router
from gongzhi.appraisal.models import Proposal, SatisfactionPeriod
from gongzhi.appraisal.social_actions import DecideIn, EmptyIn, GenerateIn, PeriodIn, perform
from gongzhi.appraisal.social_results import results
from gongzhi.common.params import PathId
from gongzhi.common.schemas import ERRORS, READ_ERRORS, ErrorOut

PUBLIC_ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PUBLIC_ERRORS[429] = ErrorOut


YearQuery = Annotated[int, Query(..., ge=2000, le=2100, description="年度")]


class UnitResultOut(Schema):
    rank: int | None
    unit_id: int
    unit: str
    case_rated: int
    case_rate: float | None
    survey_rated: int
    survey_rate: float | None
    rate: float | None


class PeriodOut(Schema):
    id: int
    jurisdiction: str
    title: str
    starts_on: dt.date
    ends_on: dt.date
    survey: bool
    case_weight: int
    min_ratings: int
    votes: int
    published_at: dt.datetime | None
    results: list[UnitResultOut]
    allowed: list[str]


class IdOut(Schema):
    id: int
    message: str


class CodeIn(Schema):
    phone: str = Field(..., max_length=20, description="手机号码（只用于发送验证码，不保存）")


class VoteIn(Schema):
    phone: str = Field(..., max_length=20)
    code: str = Field(..., max_length=10, description="短信验证码")
    ratings: dict[int, str] = Field(
        ..., description="单位编号 → satisfied 满意 / basic 基本满意 / dissatisfied 不满意"
    )


class ProposalOut(Schema):
    id: int
    year: int
    kind: str
    unit: str
    basis: str
    evidence: list[dict[str, str]]
    state: str
    note: str
    decided_at: dt.datetime | None
    allowed: list[str]


def period_out(period: SatisfactionPeriod, user: Any, *, public: bool = False) -> dict[str, Any]:
    return {
        "id": period.pk,
        "jurisdiction": period.jurisdiction.name,
        "title": period.title,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
        "survey": period.survey,
        "case_weight": period.case_weight,
        "min_ratings": period.min_ratings,
        "votes": period.votes.count(),
        "published_at": period.published_at,
        "results": [
            {
                "rank": r.rank,
                "unit_id": r.unit.pk,
                "unit": r.unit.name,
                "case_rated": r.case_rated,
                "case_rate": r.case_rate,
                "survey_rated": r.survey_rated,
                "survey_rate": r.survey_rate,
                "rate": r.rate,
            }
            for r in results(period)
        ],
        "allowed": []
        if public
        else [n for n in ("satisfaction_publish",) if sa.allowed(user, n, period)],
    }


def limited(request: HttpRequest, kind: str) -> None:
    if sa.survey_limited(request, kind):
        raise s.social.TooMany(_("请求过于频繁，请稍后再试"))


@router.get(
    "/satisfaction", response={200: list[PeriodOut], **READ_ERRORS}, summary="群众满意单位评议一览"
)
def periods(request: HttpRequest) -> list[dict[str, Any]]:
    return [period_out(p, request.user) for p in sa.readable_periods(request.user)[:50]]


@router.post(
    "/jurisdictions/{code}/satisfaction",
    response={201: IdOut, **ERRORS},
    summary="新建群众满意单位评议（联席会议办公室；code 为辖区代码）",
)
def period_create(request: HttpRequest, code: str, payload: PeriodIn) -> Status:
    jurisdiction = sa.jurisdiction_for(request.user, code)
    period = perform("satisfaction_create", jurisdiction, request.user, payload)
    return Status(201, {"id": period.pk, "message": _("评议已建立")})


@router.get(
    "/satisfaction/{pk}",
    response={200: PeriodOut, **READ_ERRORS},
    summary="群众满意单位评议：实时结果（办公室、召集人、审计）",
)
def period_get(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return period_out(sa.period_for(request.user, pk), request.user)


@router.post(
    "/satisfaction/{pk}/publish", response={200: PeriodOut, **ERRORS}, summary="公布评议结果"
)
def period_publish(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    period = perform(
        "satisfaction_publish", sa.period_for(request.user, pk), request.user, EmptyIn()
    )
    return period_out(period, request.user)


@router.get(
    "/satisfaction/{pk}/results",
    response={200: PeriodOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="公布的群众满意单位评议结果（公开：单位和满意率）",
)
def period_results(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return period_out(sa.public_period(pk), None, public=True)


@router.post(
    "/survey/{pk}/code",
    response={201: IdOut, **PUBLIC_ERRORS},
    auth=None,
    summary="问卷：向手机发送一次性验证码（每号码每期一票）",
)
def survey_code(request: HttpRequest, pk: PathId, payload: CodeIn) -> Status:
    limited(request, "code")
    sent = s.survey_code_send(period=sa.survey_period(pk), phone=payload.phone)
    return Status(201, {"id": sent.period_id, "message": _("验证码已发送")})


@router.post(
    "/survey/{pk}/vote",
    response={201: IdOut, **PUBLIC_ERRORS},
    auth=None,
    summary="问卷：凭验证码提交评价（每号码每期一票）",
)
def survey_vote(request: HttpRequest, pk: PathId, payload: VoteIn) -> Status:
    limited(request, "vote")
    vote = s.survey_vote(
        period=sa.survey_period(pk), phone=payload.phone, code=payload.code, ratings=payload.ratings
    )
    return Status(201, {"id": vote.pk, "message": _("评价已提交，谢谢参与")})


def proposal_out(p: Proposal, user: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "year": p.year,
        "kind": p.kind,
        "unit": p.unit.name,
        "basis": p.basis,
        "evidence": p.evidence,
        "state": p.state,
        "note": p.note,
        "decided_at": p.decided_at,
        "allowed": ["proposal_decide"] if sa.allowed(user, "proposal_decide", p) else [],
    }


@router.get(
    "/jurisdictions/{code}/proposals",
    response={200: list[ProposalOut], **READ_ERRORS},
    summary="评先创优与责任追究建议名单（year：年度）",
)
def proposals(request: HttpRequest, code: str, year: YearQuery) -> list[dict[str, Any]]:
    jurisdiction = sa.jurisdiction_for(request.user, code)
    qs = sa.proposals_readable(request.user).filter(jurisdiction=jurisdiction, year=year)
    return [proposal_out(p, request.user) for p in qs]


@router.post(
    "/jurisdictions/{code}/proposals",
    response={200: list[ProposalOut], **ERRORS},
    summary="生成（补充）年度建议名单（联席会议办公室）",
)
def proposals_generate(
    request: HttpRequest, code: str, payload: GenerateIn
) -> list[dict[str, Any]]:
    jurisdiction = sa.jurisdiction_for(request.user, code)
    perform("proposals_generate", jurisdiction, request.user, payload)
    qs = sa.proposals_readable(request.user).filter(jurisdiction=jurisdiction, year=payload.year)
    return [proposal_out(p, request.user) for p in qs]


@router.post(
    "/proposals/{pk}/decide",
    response={200: ProposalOut, **ERRORS},
    summary="对建议作出决定：采纳或不采纳（联席会议召集人）",
)
def proposal_decide(request: HttpRequest, pk: PathId, payload: DecideIn) -> dict[str, Any]:
    proposal = perform("proposal_decide", sa.proposal_for(request.user, pk), request.user, payload)
    return proposal_out(proposal, request.user)
