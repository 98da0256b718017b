"""What a reader sees of a company's credit: the score of a period explained line by
line, each record with its source and whether it counts, the objections, and the actions
offered now (access.RULES)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appraisal import access, selectors
from gongzhi.appraisal.models import CreditObjection, CreditPolicy, CreditRecord
from gongzhi.appraisal.periods import Period, last_ended, parse_period
from gongzhi.common.errors import InvalidInput
from gongzhi.org.models import Unit


@dataclass
class RecordView:
    record: CreditRecord
    counts: bool
    why: str
    source: str
    source_url: str
    objections: list[CreditObjection]
    can_object: bool
    can_rule: list[int] = field(default_factory=list)


@dataclass
class CompanyCredit:
    company: Unit
    policy: CreditPolicy
    period: Period
    score: selectors.Score
    standing: selectors.Standing
    records: list[RecordView]
    manual_rules: list[Any]
    can_add: bool


def source_of(record: CreditRecord) -> tuple[str, str]:
    """The record's source in words and a link to it (the case page for a case fact)."""
    url = reverse("cases:detail", args=[record.case.number]) if record.case else ""
    if record.accountability_id:
        assert record.accountability is not None
        label = _("责任记录：%(kind)s（%(case)s）") % {
            "kind": record.accountability.get_kind_display(),
            "case": record.case.number if record.case else "",
        }
        return label, url
    if record.case is not None:
        return _("案件 %(number)s 评价：%(rating)s") % {
            "number": record.case.number,
            "rating": record.case.get_rating_display(),
        }, url
    return record.source_ref or _("办公室录入"), ""


def period_for(policy: CreditPolicy, raw: str | None) -> Period:
    """The period asked for, or the latest ended one; a malformed key is a 422."""
    if raw:
        return parse_period(raw, policy.period)
    return last_ended(timezone.localdate(), policy.period)


def company_credit(user: Any, company: Unit, period_key: str | None) -> CompanyCredit:
    policy = access.policy_for(company)
    if policy is None:
        raise InvalidInput(summary=_("该企业所在辖区没有信用考评规则"))
    period = period_for(policy, period_key)
    score = selectors.scores(policy, period, [company])[company.pk]
    views = []
    for record in selectors.company_records(company, policy, period):
        source, url = source_of(record)
        why = selectors.explained(record, period)
        objections = list(record.objections.all())
        views.append(
            RecordView(
                record=record,
                counts=why == _("计入本期"),
                why=why,
                source=source,
                source_url=url,
                objections=objections,
                can_object=access.allowed(user, "object", record),
                can_rule=[o.pk for o in objections if access.allowed(user, "objection_rule", o)],
            )
        )
    return CompanyCredit(
        company=company,
        policy=policy,
        period=period,
        score=score,
        standing=selectors.standing_of(company, timezone.localdate()),
        records=views,
        manual_rules=list(policy.rules.filter(origin="manual")),
        can_add=access.allowed(user, "record_add", company),
    )


def today() -> dt.date:
    return timezone.localdate()
