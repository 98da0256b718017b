"""Collecting credit facts from what the cases already recorded (``credit_collect``):
accountability records against a company (delay, buck-passing, not reporting for joint
enforcement) and the residents' ratings of the closed cases it led. Idempotent: each
fact has a key (``acc:<id>``, ``rating:<case id>``), so a second run adds only what is
new. Run by ``gongzhi appraisal collect`` and the Celery task ``gongzhi.appraisal.collect``.

The records are the facts themselves (recorded_by empty: the system); one audit event
per policy and run says how many were added, so 100,000 cases do not make 100,000
audit rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongzhi.appraisal.models import CreditPolicy, CreditRecord, CreditRule
from gongzhi.appraisal.selectors import companies
from gongzhi.appraisal.services.credit import expiry
from gongzhi.cases.models import Accountability, Case, Rating, State
from gongzhi.common.audit import audit_record

BATCH = 2000


@dataclass
class CollectResult:
    added: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.added.values())

    def __str__(self) -> str:
        if not self.added:
            return "新增信用记录 0 条"
        parts = "，".join(f"{k} {v}" for k, v in sorted(self.added.items()))
        return f"新增信用记录 {self.total} 条（{parts}）"


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _facts(policy: CreditPolicy, rules: dict[str, CreditRule]) -> list[CreditRecord]:
    company_ids = list(companies(policy).values_list("pk", flat=True))
    found: list[CreditRecord] = []
    acc_rules = {k.removeprefix("accountability."): r for k, r in rules.items()}
    if any(code.startswith("accountability.") for code in rules):
        accs = Accountability.objects.filter(unit_id__in=company_ids).values_list(
            "pk", "unit_id", "case_id", "kind", "created_at"
        )
        for pk, unit_id, case_id, kind, created_at in accs.iterator(chunk_size=BATCH):
            rule = acc_rules.get(kind)
            if rule is None:
                continue
            day = _local_date(created_at)
            found.append(
                CreditRecord(
                    company_id=unit_id,
                    rule=rule,
                    points=rule.points,
                    occurred_on=day,
                    expires_on=expiry(rule, day, policy.period),
                    case_id=case_id,
                    accountability_id=pk,
                    key=f"acc:{pk}",
                )
            )
    by_rating: dict[str, CreditRule | None] = {
        Rating.SATISFIED: rules.get("case.satisfied"),
        Rating.DISSATISFIED: rules.get("case.dissatisfied"),
    }
    wanted = [rating for rating, rule in by_rating.items() if rule is not None]
    if wanted:
        rated = Case.objects.filter(
            lead_unit_id__in=company_ids, state=State.CLOSED, rating__in=wanted
        ).values_list("pk", "lead_unit_id", "rating", "closed_at")
        for pk, unit_id, rating, closed_at in rated.iterator(chunk_size=BATCH):
            rule = by_rating[rating]
            if rule is None or closed_at is None:
                continue
            day = _local_date(closed_at)
            found.append(
                CreditRecord(
                    company_id=unit_id,
                    rule=rule,
                    points=rule.points,
                    occurred_on=day,
                    expires_on=expiry(rule, day, policy.period),
                    case_id=pk,
                    key=f"rating:{pk}",
                )
            )
    return found


def credit_collect(*, policy: CreditPolicy | None = None, actor: Any = None) -> CollectResult:
    """Add the facts not yet recorded, for one policy or all, a policy per transaction."""
    result = CollectResult()
    policies = [policy] if policy is not None else list(CreditPolicy.objects.all())
    for p in policies:
        with transaction.atomic():
            rules = {r.code: r for r in p.rules.filter(origin=CreditRule.Origin.COLLECTED)}
            facts = _facts(p, rules)
            known: set[str] = set()
            keys = [f.key for f in facts]
            for i in range(0, len(keys), BATCH):
                known.update(
                    CreditRecord.objects.filter(key__in=keys[i : i + BATCH]).values_list(
                        "key", flat=True
                    )
                )
            new = [f for f in facts if f.key not in known]
            CreditRecord.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
            counts: dict[str, int] = {}
            for f in new:
                counts[f.rule.code] = counts.get(f.rule.code, 0) + 1
            if new:
                audit_record(
                    actor=actor,
                    action="appraisal.collect",
                    target=p,
                    extra={"added": counts},
                )
            for code, n in counts.items():
                result.added[code] = result.added.get(code, 0) + n
    return result
