"""The registry of what a street can do to a democratic appraisal, through a page or the
API: input schema, service, label. Whether it is offered now is review_access.refusal
under the same name. Rating with a one-time code is not here: it needs no account and
has its own door (the rater's page and ``POST /api/appraisal/rate``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from gongzhi.appraisal import services as s
from gongzhi.appraisal.models import RaterCode, ReviewSubject
from gongzhi.common.actions import Action, Files, Registry
from gongzhi.common.errors import FieldError, InvalidInput


class ItemIn(Schema):
    title: str = Field(..., max_length=200)
    weight: int = Field(..., ge=0, le=1000)
    guide: str = Field("", max_length=300)
    measure: str = Field("", max_length=20, description="系统佐证：空、cases 或 accountability")


class StandardIn(Schema):
    items: list[ItemIn] = Field(..., max_length=50)


class CodesIn(Schema):
    three_party: int = Field(0, ge=0, le=500)
    party_member: int = Field(0, ge=0, le=500)
    owner: int = Field(0, ge=0, le=500)
    resident: int = Field(0, ge=0, le=500)


class EmptyIn(Schema):
    pass


class ObjectionIn(Schema):
    text: str = Field(..., max_length=2000)
    subject_id: int | None = Field(None, ge=1, le=2**31 - 1)
    raised_by: str = Field("", max_length=100, description="提出人（不公开）")


class AnswerIn(Schema):
    answer: str = Field(..., max_length=2000)


def _standard(campaign: Any, actor: Any, data: StandardIn, files: Files) -> Any:
    rows = [s.ItemRow(i.title, i.weight, i.guide, i.measure) for i in data.items]
    return s.review_standard_set(campaign=campaign, rows=rows, actor=actor)


def _codes(campaign: Any, actor: Any, data: CodesIn, files: Files) -> Any:
    counts = {g: getattr(data, g) for g in RaterCode.Group.values if getattr(data, g)}
    return s.review_codes_issue(campaign=campaign, counts=counts, actor=actor)


def _objection(campaign: Any, actor: Any, data: ObjectionIn, files: Files) -> Any:
    subject = None
    if data.subject_id is not None:
        subject = ReviewSubject.objects.filter(pk=data.subject_id, campaign=campaign).first()
        if subject is None:
            raise InvalidInput(errors=[FieldError("subject_id", str(_("评议对象不属于本次评议")))])
    return s.review_objection_record(
        campaign=campaign, subject=subject, text=data.text, raised_by=data.raised_by, actor=actor
    )


registry: Registry[Any] = Registry("appraisal.review")
registry.add(
    Action("standard_set", _("保存评分标准"), StandardIn, _standard, done=_("评分标准已保存"))
)
registry.add(Action("codes_issue", _("生成评议码"), CodesIn, _codes, done=_("评议码已生成")))
registry.add(
    Action(
        "open",
        _("开始评议"),
        EmptyIn,
        lambda c, a, d, f: s.review_open(campaign=c, actor=a),
        done=_("评议已开始"),
    )
)
registry.add(
    Action(
        "publish",
        _("公示结果"),
        EmptyIn,
        lambda c, a, d, f: s.review_publish(campaign=c, actor=a),
        done=_("结果已公示"),
    )
)
registry.add(
    Action("objection_record", _("登记异议"), ObjectionIn, _objection, done=_("异议已登记"))
)
registry.add(
    Action(
        "approve",
        _("审定结果"),
        EmptyIn,
        lambda c, a, d, f: s.review_approve(campaign=c, actor=a),
        done=_("结果已审定"),
    )
)
