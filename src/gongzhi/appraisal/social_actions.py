"""The registry of the office's and leaders' actions on the social rating and the yearly
lists: input schema, service, label. Whether one is offered now is social_access.refusal
under the same name. The survey (a code by SMS, a vote) needs no account and has its own
doors (the public survey page, ``POST /api/appraisal/survey/{id}/code`` and ``…/vote``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from gongzhi.appraisal import services as s
from gongzhi.common.actions import Action, Files, Registry


class PeriodIn(Schema):
    title: str = Field(..., max_length=100, description="名称，如 2026 年群众满意单位评议")
    starts_on: dt.date = Field(..., description="开始日期")
    ends_on: dt.date = Field(..., description="结束日期")
    survey: bool = Field(False, description="开展网上问卷（每个手机号码每期一票）")
    case_weight: int = Field(50, ge=0, le=100, description="办件评价权重（%），其余为问卷")
    min_ratings: int = Field(3, ge=1, le=10000, description="参与排名的最少评价数")


class EmptyIn(Schema):
    pass


class GenerateIn(Schema):
    year: int = Field(..., ge=2000, le=2100, description="年度")


class DecideIn(Schema):
    adopted: bool = Field(..., description="true 采纳，false 不采纳")
    note: str = Field("", max_length=2000, description="决定说明（不采纳时必填）")


def _create(jurisdiction: Any, actor: Any, data: PeriodIn, files: Files) -> Any:
    return s.satisfaction_create(
        jurisdiction=jurisdiction,
        title=data.title,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        survey=data.survey,
        case_weight=data.case_weight if data.survey else 100,
        min_ratings=data.min_ratings,
        actor=actor,
    )


registry: Registry[Any] = Registry("appraisal.social")
registry.add(
    Action("satisfaction_create", _("新建满意度评议"), PeriodIn, _create, done=_("评议已建立"))
)
registry.add(
    Action(
        "satisfaction_publish",
        _("公布评议结果"),
        EmptyIn,
        lambda p, a, d, f: s.satisfaction_publish(period=p, actor=a),
        done=_("结果已公布"),
    )
)
registry.add(
    Action(
        "proposals_generate",
        _("生成建议名单"),
        GenerateIn,
        lambda j, a, d, f: s.proposals_generate(jurisdiction=j, year=d.year, actor=a),
        done=_("建议名单已更新"),
    )
)
registry.add(
    Action(
        "proposal_decide",
        _("作出决定"),
        DecideIn,
        lambda p, a, d, f: s.proposal_decide(proposal=p, adopted=d.adopted, note=d.note, actor=a),
        done=_("已决定"),
    )
)


def perform(name: str, obj: Any, actor: Any, data: Any) -> Any:
    action = registry.get(name)
    assert action is not None, name
    return action.run(obj, actor, data, {})
