"""Who stands on which side of a case, who may read it, and who may see the reporter's
personal data (PIPL: only the office and the units handling the case)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.cases.models import Case, CaseTask
from gongzhi.org.permissions import Scope, scope_for

HANDLING_ROLES = ("unit_handler", "unit_head", "three_party")


def sides(user: Any, case: Case) -> set[str]:
    """The sides ``user`` may act on for ``case``: office, lead, assist, reporter."""
    scope = scope_for(user)
    found: set[str] = set()
    if not scope.is_authenticated:
        return found
    if scope.manages_jurisdiction(case.level) or scope.manages_jurisdiction(case.jurisdiction):
        found.add("office")
    if case.lead_unit_id and scope.in_unit(case.lead_unit_id, *HANDLING_ROLES):
        found.add("lead")
    if case.reporter_user_id and case.reporter_user_id == scope.user_id:
        found.add("reporter")
    if scope.unit_ids and any(
        scope.in_unit(uid, *HANDLING_ROLES) for uid in task_unit_ids(case, open_only=True)
    ):
        found.add("assist")
    return found


def task_unit_ids(case: Case, *, open_only: bool = False) -> set[int]:
    qs = CaseTask.objects.filter(case_id=case.pk)
    if open_only:
        qs = qs.filter(state__in=(CaseTask.TaskState.PENDING, CaseTask.TaskState.CHECKED_IN))
    return set(qs.values_list("unit_id", flat=True))


def acting_unit_id(user: Any, case: Case, side: str) -> int | None:
    """The unit a user acts for on a side, for the event log."""
    scope = scope_for(user)
    if side == "lead":
        return case.lead_unit_id
    if side == "assist":
        ids = task_unit_ids(case, open_only=True) & scope.unit_ids
        return min(ids) if ids else None
    return None


def can_read(user: Any, case: Case) -> bool:
    scope = scope_for(user)
    if not scope.is_authenticated:
        return False
    if sides(user, case):
        return True
    if scope.reads_jurisdiction(case.level) or scope.reads_jurisdiction(case.jurisdiction):
        return True
    involved = {case.transferred_from_id, case.reporting_unit_id} | task_unit_ids(case)
    return bool(scope.unit_ids & {u for u in involved if u})


def can_see_reporter(user: Any, case: Case) -> bool:
    """The reporter's name, phone and room: the office and the units handling the case,
    and the reporter; masked for everyone else (auditors, conveners, the public)."""
    return bool(sides(user, case))


def visible_cases(scope: Scope) -> QuerySet[Case]:
    """Cases an account may list: those it oversees or reads, its units' cases and
    tasks, and its own reports."""
    qs = Case.objects.all()
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    q = Q(reporter_user_id=scope.user_id)
    roots = scope.office_paths + scope.convener_paths + scope.auditor_paths
    for root in roots:
        q |= Q(level__path__startswith=root) | Q(jurisdiction__path__startswith=root)
    if scope.unit_ids:
        q |= (
            Q(lead_unit_id__in=scope.unit_ids)
            | Q(tasks__unit_id__in=scope.unit_ids)
            | Q(transferred_from_id__in=scope.unit_ids)
            | Q(reporting_unit_id__in=scope.unit_ids)
        )
    return qs.filter(q).distinct()


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "*" * len(digits)
