"""The registry of what can be done to a unit assessment plan, through its page or the
API: input schema, service, label. Who may and when is assessment_access.refusal under
the same name. Creating a plan (it has no plan yet) is the page's and the API's own
door, checked by assessment_access.create_refusal."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from gongzhi.appraisal.assessment_files import items_rows
from gongzhi.appraisal.models import AssessmentItem, AssessmentPlan
from gongzhi.appraisal.services import assessment as s
from gongzhi.common.actions import Action, Files, Registry
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.org.models import Unit


class ItemIn(Schema):
    code: str = Field("", max_length=40, description="编码（小写字母、数字、下划线）")
    label: str = Field(..., max_length=200)
    weight: int = Field(..., ge=0, le=1000)
    measure: str = Field(..., max_length=20, description="计分方式，见 AssessmentItem.Measure")
    per: float = Field(1, ge=0, le=1000, description="扣分或加分项每次的分值")
    source: str = Field("", max_length=120)


class ItemsIn(Schema):
    items: list[ItemIn] = Field(..., max_length=50)


class ManualIn(Schema):
    item: str = Field(..., max_length=40, description="人工评分项的编码")
    unit_id: int = Field(..., ge=1, le=2**31 - 1)
    points: float = Field(..., ge=0, le=1000)
    note: str = Field(..., max_length=2000, description="评分依据")


class ReturnIn(Schema):
    reason: str = Field(..., max_length=2000)


class EmptyIn(Schema):
    pass


def _items(plan: AssessmentPlan, actor: Any, data: ItemsIn, files: Files) -> Any:
    rows = [s.ItemRow(i.label, i.weight, i.measure, i.code, i.per, i.source) for i in data.items]
    return s.assessment_items_set(plan=plan, rows=rows, actor=actor)


def _import(plan: AssessmentPlan, actor: Any, data: EmptyIn, files: Files) -> Any:
    upload = (files.get("file") or [None])[0]
    if upload is None:
        raise InvalidInput(errors=[FieldError("file", str(_("请选择 .xlsx 文件")))])
    return s.assessment_items_set(
        plan=plan, rows=items_rows(upload.read()), actor=actor, name="items_import"
    )


def _manual(plan: AssessmentPlan, actor: Any, data: ManualIn, files: Files) -> Any:
    errors = []
    item = AssessmentItem.objects.filter(plan=plan, code=data.item).first()
    if item is None:
        errors.append(FieldError("item", str(_("本考核没有此项目"))))
    unit = Unit.objects.filter(pk=data.unit_id).first()
    if unit is None:
        errors.append(FieldError("unit_id", str(_("单位不存在"))))
    if errors or item is None or unit is None:
        raise InvalidInput(errors=errors)
    evidence = (files.get("evidence") or [None])[0]
    return s.assessment_manual_score(
        plan=plan,
        item=item,
        unit=unit,
        points=data.points,
        note=data.note,
        evidence=evidence,
        actor=actor,
    )


registry: Registry[AssessmentPlan] = Registry("appraisal.assessment")
_add = registry.add
_add(Action("items_set", _("保存考核清单"), ItemsIn, _items, done=_("考核清单已保存")))
_add(
    Action(
        "items_import",
        _("导入考核清单"),
        EmptyIn,
        _import,
        files=("file",),
        done=_("考核清单已导入"),
    )
)
_add(
    Action(
        "manual_score",
        _("人工评分"),
        ManualIn,
        _manual,
        files=("evidence",),
        api_files=True,
        done=_("评分已保存"),
    )
)
_add(
    Action(
        "submit",
        _("报送审定"),
        EmptyIn,
        lambda p, a, d, f: s.assessment_submit(plan=p, actor=a),
        done=_("已报送审定，结果已固定"),
    )
)
_add(
    Action(
        "return",
        _("退回修改"),
        ReturnIn,
        lambda p, a, d, f: s.assessment_return(plan=p, reason=d.reason, actor=a),
        done=_("已退回"),
    )
)
_add(
    Action(
        "approve",
        _("审定"),
        EmptyIn,
        lambda p, a, d, f: s.assessment_approve(plan=p, actor=a),
        done=_("考核结果已审定"),
    )
)
