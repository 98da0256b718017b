"""Who may read and act on a unit assessment (001 五(二): the housing bureau, i.e. the
joint-conference office, assesses against the checklist; the result goes to the
organisation department once the leadership approves). The office of the jurisdiction or
above sets the checklist, scores the manual items and submits; the convener of the
jurisdiction or above approves or returns it; auditors read. Anyone else — the other
county included — is told it does not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.appraisal.models import AssessmentPlan, ManualScore
from gongzhi.common.errors import DomainError, NotFound, PermissionDenied
from gongzhi.org.models import Jurisdiction
from gongzhi.org.permissions import scope_for

S = AssessmentPlan.State
OFFICE, CONVENER = "office", "convener"

# Each action: who (the office or the convener of the plan's jurisdiction or above) and
# in which states of the plan. ``create`` has no plan yet: see ``create_refusal``.
RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "items_set": (OFFICE, (S.DRAFT,)),
    "items_import": (OFFICE, (S.DRAFT,)),
    "manual_score": (OFFICE, (S.DRAFT,)),
    "submit": (OFFICE, (S.DRAFT,)),
    "return": (CONVENER, (S.SUBMITTED,)),
    "approve": (CONVENER, (S.SUBMITTED,)),
}


def reads(user: Any, jurisdiction: Jurisdiction) -> bool:
    return scope_for(user).reads_jurisdiction(jurisdiction)


def readable_plans(user: Any) -> QuerySet[AssessmentPlan]:
    scope = scope_for(user)
    if not scope.is_authenticated:
        return AssessmentPlan.objects.none()
    return AssessmentPlan.objects.select_related("jurisdiction").filter(
        scope.oversight_q("jurisdiction__path")
    )


def home_jurisdictions(user: Any) -> list[Jurisdiction]:
    """The jurisdictions where the account's reading scope starts (a plan may be made for
    them or any below them)."""
    scope = scope_for(user)
    if scope.is_admin:
        return list(Jurisdiction.objects.filter(parent__isnull=True).order_by("code"))
    paths = set(scope.office_paths + scope.convener_paths + scope.auditor_paths)
    return list(Jurisdiction.objects.filter(path__in=paths).order_by("code"))


def jurisdiction_for(user: Any, code: str) -> Jurisdiction:
    found = Jurisdiction.objects.filter(code=code[:20]).first()
    if found is None or not reads(user, found):
        raise NotFound(_("辖区不存在或无权查看"))
    return found


def plan_for(user: Any, code: str, year: int) -> tuple[Jurisdiction, AssessmentPlan | None]:
    jurisdiction = jurisdiction_for(user, code)
    plan = AssessmentPlan.objects.filter(jurisdiction=jurisdiction, year=year).first()
    return jurisdiction, plan


def existing_plan(user: Any, code: str, year: int) -> AssessmentPlan:
    _j, plan = plan_for(user, code, year)
    if plan is None:
        raise NotFound(_("本年度考核尚未建立"))
    return plan


def evidence_for(user: Any, pk: int) -> ManualScore:
    found = ManualScore.objects.select_related("item__plan__jurisdiction").filter(pk=pk).first()
    if found is None or not found.evidence or not reads(user, found.item.plan.jurisdiction):
        raise NotFound(_("佐证材料不存在或无权查看"))
    return found


def _holds(user: Any, role: str, jurisdiction: Jurisdiction) -> bool:
    scope = scope_for(user)
    if role == OFFICE:
        return scope.manages_jurisdiction(jurisdiction)
    return scope.convenes_jurisdiction(jurisdiction)


def create_refusal(
    user: Any, jurisdiction: Jurisdiction, plan: AssessmentPlan | None
) -> DomainError | None:
    if not _holds(user, OFFICE, jurisdiction):
        return PermissionDenied(_("只有本辖区的联席会议办公室可以建立考核"))
    if plan is not None:
        return DomainError(_("本年度考核已经建立"), code="bad_state")
    return None


def refusal(user: Any, name: str, plan: AssessmentPlan) -> DomainError | None:
    role, states = RULES[name]
    if not _holds(user, role, plan.jurisdiction):
        if role == OFFICE:
            return PermissionDenied(_("只有本辖区的联席会议办公室可以编制考核"))
        return PermissionDenied(_("只有本辖区联席会议的召集人可以审定考核"))
    if plan.state not in states:
        return DomainError(
            _("考核%(state)s，不能进行此操作") % {"state": plan.get_state_display()},
            code="bad_state",
        )
    return None


def require(user: Any, name: str, plan: AssessmentPlan) -> None:
    error = refusal(user, name, plan)
    if error is not None:
        raise error


def offered(user: Any, jurisdiction: Jurisdiction, plan: AssessmentPlan | None) -> list[str]:
    if plan is None:
        return ["create"] if create_refusal(user, jurisdiction, None) is None else []
    return [name for name in RULES if refusal(user, name, plan) is None]
