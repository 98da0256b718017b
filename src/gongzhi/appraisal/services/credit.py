"""Credit records entered by the office, objections to them, and closing a period."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appraisal import access, selectors
from gongzhi.appraisal.models import (
    CreditObjection,
    CreditPeriodClose,
    CreditPolicy,
    CreditRecord,
    CreditRule,
    CreditStanding,
)
from gongzhi.appraisal.periods import Period, parse_period, period_of
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, DomainError, FieldError, InvalidInput
from gongzhi.org.models import Person, Unit

# How long a proposed reward shows as the company's standing.
REWARD_SHOWN_DAYS = 365


def expiry(rule: CreditRule, occurred_on: dt.date, kind: str) -> dt.date:
    """The first day a record of the rule no longer counts: ``expiry_days`` after it
    occurred, or (no expiry set) the day after the period it occurred in."""
    if rule.expiry_days:
        return occurred_on + dt.timedelta(days=rule.expiry_days)
    return period_of(occurred_on, kind).end + dt.timedelta(days=1)


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def credit_record_add(
    *,
    company: Unit,
    rule_code: str,
    occurred_on: dt.date,
    note: str,
    source_ref: str = "",
    manager: Person | None = None,
    actor: Any,
) -> CreditRecord:
    """A fact the office records by hand (a penalty, a training, an award, a conference's
    criticism, an appraisal result), with its basis."""
    access.require(actor, "record_add", company)
    policy = access.policy_for(company)
    assert policy is not None  # refused above
    errors: list[FieldError] = []
    rule = policy.rules.filter(code=rule_code, origin=CreditRule.Origin.MANUAL).first()
    if rule is None:
        errors.append(FieldError("rule", _("请选择本地规则中的人工录入计分项")))
    if occurred_on > _today():
        errors.append(FieldError("occurred_on", _("发生日期不能晚于今天")))
    if not note.strip():
        errors.append(FieldError("note", _("请写明事实")))
    if manager is not None and not manager.posts.filter(unit=company).exists():
        errors.append(FieldError("manager", _("项目负责人应为该企业的人员")))
    if errors:
        raise InvalidInput(errors=errors)
    assert rule is not None
    record = CreditRecord.objects.create(
        company=company,
        manager=manager,
        rule=rule,
        points=rule.points,
        occurred_on=occurred_on,
        expires_on=expiry(rule, occurred_on, policy.period),
        source_ref=source_ref.strip(),
        note=note.strip(),
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
        key=f"manual:{uuid.uuid4().hex}",
    )
    audit_record(
        actor=actor,
        action="appraisal.record_add",
        target=record,
        to_state=record.state,
        reason=record.note,
        extra={"rule": rule.code, "points": rule.points, "company": company.code},
    )
    return record


@transaction.atomic
def credit_objection_raise(*, record: CreditRecord, reason: str, actor: Any) -> CreditObjection:
    access.require(actor, "object", record)
    if not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", _("请写明异议理由"))])
    try:
        with transaction.atomic():
            objection = CreditObjection.objects.create(
                record=record,
                reason=reason.strip(),
                raised_by=actor if actor is not None and actor.is_authenticated else None,
            )
    except IntegrityError as exc:  # another objection was raised at the same moment
        raise Conflict(_("该记录已有待裁定的异议")) from exc
    audit_record(
        actor=actor,
        action="appraisal.objection_raise",
        target=objection,
        to_state=objection.state,
        reason=objection.reason,
        extra={"record": record.pk},
    )
    return objection


@transaction.atomic
def credit_objection_rule(
    *, objection: CreditObjection, upheld: bool, reason: str, actor: Any
) -> CreditObjection:
    """The office rules: upheld withdraws the record (its points leave every score);
    rejected keeps it."""
    access.require(actor, "objection_rule", objection)
    if not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", _("请写明裁定理由"))])
    new = CreditObjection.State.UPHELD if upheld else CreditObjection.State.REJECTED
    now = timezone.now()
    done = CreditObjection.objects.filter(
        pk=objection.pk, state=CreditObjection.State.PENDING
    ).update(
        state=new,
        decided_by=actor if actor is not None and actor.is_authenticated else None,
        decision_reason=reason.strip(),
        decided_at=now,
        updated_at=now,
    )
    if done != 1:
        raise Conflict(_("该异议已被他人裁定，请刷新"))
    record = objection.record
    if upheld:
        changed = CreditRecord.objects.filter(
            pk=record.pk, state=CreditRecord.State.ACTIVE, version=record.version
        ).update(state=CreditRecord.State.WITHDRAWN, version=record.version + 1, updated_at=now)
        if changed != 1:
            raise Conflict(_("该记录已被他人修改，请刷新"))
        audit_record(
            actor=actor,
            action="appraisal.record_withdraw",
            target=record,
            from_state=CreditRecord.State.ACTIVE,
            to_state=CreditRecord.State.WITHDRAWN,
            reason=reason.strip(),
            extra={"objection": objection.pk},
        )
    objection.refresh_from_db()
    audit_record(
        actor=actor,
        action="appraisal.objection_rule",
        target=objection,
        from_state=CreditObjection.State.PENDING,
        to_state=new,
        reason=reason.strip(),
    )
    return objection


@transaction.atomic
def credit_period_close(
    *, policy: CreditPolicy, period: str | Period, actor: Any
) -> CreditPeriodClose:
    """Close an ended period: the ranking stands published, and each company on the red
    (black) list ``streak`` periods running earns a proposed reward (a bar from
    tendering from the day after the period for ``bar_days``, exposed)."""
    access.require(actor, "period_close", policy)
    p = period if isinstance(period, Period) else parse_period(period, policy.period)
    if p.end >= _today():
        raise InvalidInput(
            errors=[FieldError("period", _("%(period)s 尚未结束，不能结算") % {"period": p.key})]
        )
    try:
        with transaction.atomic():
            close = CreditPeriodClose.objects.create(
                policy=policy,
                period=p.key,
                closed_by=actor if actor is not None and actor.is_authenticated else None,
            )
    except IntegrityError as exc:
        raise DomainError(_("%(period)s 已经结算") % {"period": p.key}, code="bad_state") from exc
    periods = [p]
    while len(periods) < max(policy.streak, 1):
        periods.append(periods[-1].previous())
    keys = [x.key for x in reversed(periods)]
    starts = p.end + dt.timedelta(days=1)
    ends = starts + dt.timedelta(days=REWARD_SHOWN_DAYS - 1)
    found = selectors.streaks(policy, p) if policy.list_size else {"red": [], "black": []}
    standings = [
        CreditStanding(
            company=u,
            close=close,
            kind=CreditStanding.Kind.REWARD,
            periods=keys,
            starts_on=starts,
            ends_on=ends,
            amount=policy.reward_amount,
        )
        for u in found["red"]
    ]
    if policy.bar_days:
        standings += [
            CreditStanding(
                company=u,
                close=close,
                kind=CreditStanding.Kind.BAR,
                periods=keys,
                starts_on=starts,
                ends_on=starts + dt.timedelta(days=policy.bar_days - 1),
                exposed=True,
            )
            for u in found["black"]
        ]
    for standing in standings:
        standing.save()
        audit_record(
            actor=actor,
            action="appraisal.standing_decide",
            target=standing,
            to_state=standing.kind,
            extra={"periods": keys, "company": standing.company.code},
        )
    audit_record(
        actor=actor,
        action="appraisal.period_close",
        target=close,
        to_state="closed",
        extra={
            "period": p.key,
            "rewarded": [u.code for u in found["red"]],
            "barred": [u.code for u in found["black"]] if policy.bar_days else [],
        },
    )
    return close
