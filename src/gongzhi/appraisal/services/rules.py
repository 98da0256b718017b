"""Loading the credit rules from data/credit_rules.yaml (or another file of that shape)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.appraisal.models import CreditPolicy, CreditRule, PeriodKind
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.org.models import Jurisdiction

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "credit_rules.yaml"
POLICY_FIELDS = ("name", "period", "base_score", "subject_kinds", "list_size", "streak")
POLICY_EXTRA = ("reward_amount", "bar_days", "source")
RULE_FIELDS = ("label", "origin", "points", "cap", "expiry_days", "source")


def _check(entries: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    if not isinstance(entries, list):
        return [FieldError("file", _("文件应为规则列表"))]
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            errors.append(FieldError("jurisdiction", _("应为一组键值"), row=i))
            continue
        if entry.get("period", "quarter") not in PeriodKind.values:
            errors.append(FieldError("period", _("考评周期应为 quarter、half 或 year"), row=i))
        for j, rule in enumerate(entry.get("rules") or [], start=1):
            where = f"rules[{j}]"
            if not isinstance(rule, dict) or not rule.get("code") or not rule.get("label"):
                errors.append(FieldError(where, _("计分项要有 code 和 label"), row=i))
                continue
            if rule.get("origin") not in CreditRule.Origin.values:
                errors.append(FieldError(where, _("origin 应为 collected 或 manual"), row=i))
            if not isinstance(rule.get("points"), int):
                errors.append(FieldError(where, _("points 应为整数"), row=i))
    return errors


@transaction.atomic
def credit_rules_load(*, path: Path | None = None, actor: Any = None) -> list[CreditPolicy]:
    """Create or update the policies and rules the file names, for the jurisdictions that
    exist; rules the file no longer names are kept (records point at them)."""
    entries = yaml.safe_load((path or DEFAULT_FILE).read_text(encoding="utf-8"))
    errors = _check(entries)
    if errors:
        raise InvalidInput(errors=errors, summary=_("信用规则文件有误，未导入"))
    loaded = []
    for entry in entries:
        jurisdiction = Jurisdiction.objects.filter(code=str(entry["jurisdiction"])).first()
        if jurisdiction is None:
            continue
        values = {k: entry[k] for k in POLICY_FIELDS + POLICY_EXTRA if k in entry}
        policy, created = CreditPolicy.objects.update_or_create(
            jurisdiction=jurisdiction, defaults=values
        )
        for sort, rule in enumerate(entry.get("rules") or [], start=1):
            defaults = {k: rule.get(k) for k in RULE_FIELDS}
            defaults["source"] = defaults["source"] or ""
            CreditRule.objects.update_or_create(
                policy=policy, code=rule["code"], defaults={**defaults, "sort": sort * 10}
            )
        audit_record(
            actor=actor,
            action="appraisal.rules_load",
            target=policy,
            to_state="created" if created else "updated",
            extra={"rules": [r["code"] for r in entry.get("rules") or []]},
        )
        loaded.append(policy)
    return loaded
