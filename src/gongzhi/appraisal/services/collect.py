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

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
            return _("新增信用记录 0 条")
        parts = _("，").join(f"{k} {v}" for k, v in sorted(self.added.items()))
        return _("新增信用记录 %(n)s 条（%(parts)s）") % {"n": self.total, "parts": parts}


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


@dataclass(frozen=True)
class _Fact:
    company_id: int
    rule: CreditRule
    occurred_on: dt.date
    case_id: int | None
    accountability_id: int | None
    key: str


def _facts(policy: CreditPolicy, rules: dict[str, CreditRule]) -> list[_Fact]:
    company_ids = list(companies(policy).values_list("pk", flat=True))
    found: list[_Fact] = []
    acc_rules = {
        k.removeprefix("accountability."): r
        for k, r in rules.items()
        if k.startswith("accountability.")
    }
    if acc_rules:
        accs = Accountability.objects.filter(
            unit_id__in=company_ids, kind__in=list(acc_rules)
        ).values_list("pk", "unit_id", "case_id", "kind", "created_at")
        for pk, unit_id, case_id, kind, created_at in accs.iterator(chunk_size=BATCH):
            found.append(
                _Fact(unit_id, acc_rules[kind], _local_date(created_at), case_id, pk, f"acc:{pk}")
            )
    by_rating: dict[str, CreditRule] = {}
    for rating, code in (
        (Rating.SATISFIED, "case.satisfied"),
        (Rating.DISSATISFIED, "case.dissatisfied"),
    ):
        if code in rules:
            by_rating[rating] = rules[code]
    if by_rating:
        rated = Case.objects.filter(
            lead_unit_id__in=company_ids,
            state=State.CLOSED,
            rating__in=list(by_rating),
            closed_at__isnull=False,
        ).values_list("pk", "lead_unit_id", "rating", "closed_at")
        for pk, unit_id, given, closed_at in rated.iterator(chunk_size=BATCH):
            assert closed_at is not None  # filtered above
            found.append(
                _Fact(unit_id, by_rating[given], _local_date(closed_at), pk, None, f"rating:{pk}")
            )
    return found


_COLUMNS = (
    "company_id, rule_id, points, occurred_on, expires_on, state, version, case_id, "
    "accountability_id, source_ref, note, key, created_at, updated_at"
)


def _insert(policy: CreditPolicy, facts: list[_Fact]) -> None:
    """Many rows per INSERT statement (the ORM's bulk_create spent most of its time
    preparing each field of each row, executemany a round trip per row); a key recorded
    meanwhile is skipped."""
    now = timezone.now()
    quote = connection.ops.quote_name
    table = quote(CreditRecord._meta.db_table)
    columns = ", ".join(quote(c.strip()) for c in _COLUMNS.split(","))
    row = "(%s, %s, %s, %s, %s, %s, 1, %s, %s, '', '', %s, %s, %s)"
    per_row = row.count("%s")
    limit = getattr(connection.features, "max_query_params", None) or 30000
    size = max(1, min(1000, limit // per_row))
    active = CreditRecord.State.ACTIVE.value
    with connection.cursor() as cursor:
        for i in range(0, len(facts), size):
            chunk = facts[i : i + size]
            params: list[Any] = []
            for f in chunk:
                params += (
                    f.company_id,
                    f.rule.pk,
                    f.rule.points,
                    f.occurred_on,
                    expiry(f.rule, f.occurred_on, policy.period),
                    active,
                    f.case_id,
                    f.accountability_id,
                    f.key,
                    now,
                    now,
                )
            values = ", ".join([row] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} "
                f"ON CONFLICT ({quote('key')}) DO NOTHING",
                params,
            )


def credit_collect(*, policy: CreditPolicy | None = None, actor: Any = None) -> CollectResult:
    """Add the facts not yet recorded, for one policy or all, a policy per transaction."""
    result = CollectResult()
    policies = [policy] if policy is not None else list(CreditPolicy.objects.all())
    for p in policies:
        with transaction.atomic():
            rules = {r.code: r for r in p.rules.filter(origin=CreditRule.Origin.COLLECTED)}
            facts = _facts(p, rules)
            known = set(
                CreditRecord.objects.filter(rule__policy=p)
                .exclude(case__isnull=True, accountability__isnull=True)
                .values_list("key", flat=True)
            )
            new = [f for f in facts if f.key not in known]
            _insert(p, new)
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
