"""Dispatching several cases from the desk at once (批量分派): each case to the matter the
office picked for all of them, or to the classifier's own suggestion where it does not
abstain. Each case is its own ``case_dispatch`` (its own transaction, version check, rights
and audit events), so one refusal does not undo the others; the answer says, case by case,
what happened and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.cases.access import readable_cases
from gongzhi.cases.models import Case
from gongzhi.cases.services.dispatch import case_dispatch
from gongzhi.catalog.answer import rank_at
from gongzhi.common.errors import DomainError, FieldError, InvalidInput

MAX_BULK = 100


@dataclass(frozen=True)
class BulkItem:
    number: str
    expected_version: int | None = None


@dataclass
class BulkOutcome:
    number: str
    ok: bool
    matter_code: str = ""
    unit: str = ""
    message: str = ""


def _suggested(case: Case) -> str:
    ranking = rank_at(estate=case.estate, title=case.title, body=case.description)
    if ranking.abstained or not ranking.suggestions:
        return ""
    return ranking.suggestions[0].code


def case_dispatch_many(
    *, actor: Any, items: Iterable[BulkItem], matter_code: str = "", reason: str = ""
) -> list[BulkOutcome]:
    """``matter_code`` for all, or "" for each case's own suggestion."""
    items = list(items)
    if not items:
        raise InvalidInput(errors=[FieldError("cases", _("请至少选择一件"))])
    if len(items) > MAX_BULK:
        raise InvalidInput(
            errors=[FieldError("cases", _("一次最多分派 %(n)s 件") % {"n": MAX_BULK})]
        )
    found = {
        c.number: c
        for c in readable_cases(actor)
        .filter(number__in=[i.number for i in items])
        .select_related("estate__community")
    }
    outcomes: list[BulkOutcome] = []
    for item in items:
        case = found.get(item.number)
        if case is None:
            outcomes.append(BulkOutcome(item.number, False, message=_("未找到，或无权查看")))
            continue
        code = matter_code or _suggested(case)
        if not code:
            outcomes.append(
                BulkOutcome(item.number, False, message=_("系统未能判断事项，请逐件分派"))
            )
            continue
        try:
            done = case_dispatch(
                case=case,
                actor=actor,
                matter_code=code,
                reason=reason or _("批量分派"),
                expected_version=item.expected_version,
            )
        except DomainError as exc:
            errors = getattr(exc, "errors", None)
            message = _("；").join(e.message for e in errors) if errors else exc.message
            outcomes.append(BulkOutcome(item.number, False, matter_code=code, message=message))
            continue
        unit = done.lead_unit.name if done.lead_unit else ""
        outcomes.append(BulkOutcome(item.number, True, matter_code=code, unit=unit))
    return outcomes
