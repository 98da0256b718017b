"""The one registry of what a user can do to credit records, through a page or the API:
for each action its input schema, the service it runs, its label and success message.
Whether it is offered to a user on an object now is ``access.RULES`` under the same name.
The page parses its form with ``common.actions.form_input`` and the API validates JSON
with the same schema; both call ``run``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from gongzhi.appraisal import access
from gongzhi.appraisal import services as s
from gongzhi.common.actions import Action, Files, Registry
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.org.models import Person


class RecordAddIn(Schema):
    rule: str = Field(..., max_length=40, description="人工录入计分项的编码，如 penalty、training")
    occurred_on: dt.date = Field(..., description="发生日期")
    note: str = Field(..., max_length=2000, description="事实")
    source_ref: str = Field("", max_length=200, description="依据：文号、纪要、通知")
    manager_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="项目负责人（该企业人员）编号，可空"
    )


class ObjectIn(Schema):
    reason: str = Field(..., max_length=2000, description="异议理由")


class RuleIn(Schema):
    upheld: bool = Field(..., description="true 异议成立（撤销记录），false 驳回")
    reason: str = Field(..., max_length=2000, description="裁定理由")


class CloseIn(Schema):
    period: str = Field(..., max_length=8, description="考评期，如 2026Q3")


def _record_add(company: Any, actor: Any, data: RecordAddIn, files: Files) -> Any:
    manager = None
    if data.manager_id is not None:
        manager = Person.objects.filter(pk=data.manager_id).first()
        if manager is None:
            raise InvalidInput(errors=[FieldError("manager_id", str(_("所选人员不存在")))])
    return s.credit_record_add(
        company=company,
        rule_code=data.rule,
        occurred_on=data.occurred_on,
        note=data.note,
        source_ref=data.source_ref,
        manager=manager,
        actor=actor,
    )


def _object(record: Any, actor: Any, data: ObjectIn, files: Files) -> Any:
    return s.credit_objection_raise(record=record, reason=data.reason, actor=actor)


def _rule(objection: Any, actor: Any, data: RuleIn, files: Files) -> Any:
    return s.credit_objection_rule(
        objection=objection, upheld=data.upheld, reason=data.reason, actor=actor
    )


def _close(policy: Any, actor: Any, data: CloseIn, files: Files) -> Any:
    return s.credit_period_close(policy=policy, period=data.period, actor=actor)


registry: Registry[Any] = Registry("appraisal")
registry.add(Action("record_add", _("录入信用记录"), RecordAddIn, _record_add, done=_("已录入")))
registry.add(Action("object", _("提出异议"), ObjectIn, _object, done=_("异议已提交")))
registry.add(Action("objection_rule", _("裁定异议"), RuleIn, _rule, done=_("已裁定")))
registry.add(Action("period_close", _("结算考评期"), CloseIn, _close, done=_("已结算")))


def perform(name: str, obj: Any, actor: Any, data: Any) -> Any:
    action = registry.get(name)
    assert action is not None, name
    return action.run(obj, actor, data, {})


def allowed(user: Any, obj: Any, names: tuple[str, ...]) -> list[str]:
    """The actions among ``names`` the user may take on the object now."""
    return [n for n in names if access.allowed(user, n, obj)]
