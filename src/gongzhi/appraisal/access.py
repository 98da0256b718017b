"""Who may read and act on credit records. Pages, the API, exports, the command and the
services all ask here; none repeats a rule.

Reading a company's credit (its records, objections and score): office staff, conveners
and auditors of the company's jurisdiction or above, and the company's own accounts. The
ranking of a period is public (company names and scores only; no person's name).

Acting (``RULES``, one entry per action of the registry):

- ``record_add``, ``objection_rule``, ``period_close``: office staff of the policy's
  jurisdiction or above (001 四(一): the housing bureau collects and checks credit
  information; 003 二(十三): the street collects and reports it to the office);
- ``object``: the company's own accounts, on an active record with no pending objection.

``refusal(user, name, obj)`` is the one answer: None when the action is offered to the
user on the object now, else the DomainError the service raises. ``user=None`` is the
system (the demo, the collect command): only "when" applies to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.appraisal.models import CreditObjection, CreditPolicy, CreditRecord
from gongzhi.common.errors import DomainError, NotFound, PermissionDenied
from gongzhi.org.models import Jurisdiction, Unit
from gongzhi.org.permissions import scope_for


def policy_for(company: Unit) -> CreditPolicy | None:
    """The rules of the nearest jurisdiction at or above the company's."""
    return (
        CreditPolicy.objects.filter(
            jurisdiction__code__in=company.jurisdiction.ancestor_codes(),
        )
        .select_related("jurisdiction")
        .order_by("-jurisdiction__depth")
        .first()
    )


def subject_kinds() -> set[str]:
    kinds: set[str] = set()
    for row in CreditPolicy.objects.values_list("subject_kinds", flat=True):
        kinds.update(row or [])
    return kinds


def readable_companies(user: Any) -> QuerySet[Unit]:
    """The rated companies whose credit the account may read, scoped first."""
    scope = scope_for(user)
    qs = Unit.objects.filter(kind_id__in=subject_kinds()).select_related("jurisdiction")
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    return qs.filter(Q(pk__in=scope.unit_ids) | scope.oversight_q("jurisdiction__path"))


def rated_only(qs: QuerySet[Unit]) -> QuerySet[Unit]:
    """Companies that manage an estate or have a record (the lists leave out the duty
    catalog's member unit “物业服务企业”, which stands for the whole trade)."""
    from gongzhi.org.models import Estate

    return qs.filter(
        Exists(Estate.objects.filter(property_company=OuterRef("pk")))
        | Exists(CreditRecord.objects.filter(company=OuterRef("pk")))
    )


def can_read_company(user: Any, company: Unit) -> bool:
    scope = scope_for(user)
    return scope.in_unit(company) or scope.reads_jurisdiction(company.jurisdiction)


def company_for(user: Any, pk: int) -> Unit:
    """A company the account may read, or NotFound (also for one it may not read)."""
    company = readable_companies(user).filter(pk=pk).first()
    if company is None:
        raise NotFound(_("企业不存在或无权查看"))
    return company


def record_for(user: Any, pk: int) -> CreditRecord:
    record = (
        CreditRecord.objects.select_related("company__jurisdiction", "rule__policy")
        .filter(pk=pk, company__in=readable_companies(user))
        .first()
    )
    if record is None:
        raise NotFound(_("信用记录不存在或无权查看"))
    return record


def objection_for(user: Any, pk: int) -> CreditObjection:
    objection = (
        CreditObjection.objects.select_related(
            "record__company__jurisdiction", "record__rule__policy"
        )
        .filter(pk=pk, record__company__in=readable_companies(user))
        .first()
    )
    if objection is None:
        raise NotFound(_("异议不存在或无权查看"))
    return objection


def policy_readable_for(user: Any, jurisdiction: Jurisdiction) -> bool:
    return scope_for(user).reads_jurisdiction(jurisdiction)


# --- acting ----------------------------------------------------------------------------


def _manages(user: Any, jurisdiction: Jurisdiction) -> bool:
    return user is None or scope_for(user).manages_jurisdiction(jurisdiction)


def _refuse_record_add(user: Any, company: Unit) -> DomainError | None:
    if not _manages(user, company.jurisdiction):
        return PermissionDenied(_("只有联席会议办公室可以录入信用记录"))
    if policy_for(company) is None:
        return DomainError(_("该企业所在辖区没有信用考评规则"), code="not_now")
    return None


def _refuse_object(user: Any, record: CreditRecord) -> DomainError | None:
    if user is not None and not scope_for(user).in_unit(record.company):
        return PermissionDenied(_("只有被记录的企业可以提出异议"))
    if record.state != CreditRecord.State.ACTIVE:
        return DomainError(_("该记录已撤销"), code="bad_state")
    if record.objections.filter(state=CreditObjection.State.PENDING).exists():
        return DomainError(_("该记录已有待裁定的异议"), code="bad_state")
    return None


def _refuse_objection_rule(user: Any, objection: CreditObjection) -> DomainError | None:
    if not _manages(user, objection.record.rule.policy.jurisdiction):
        return PermissionDenied(_("只有联席会议办公室可以裁定异议"))
    if objection.state != CreditObjection.State.PENDING:
        return DomainError(_("该异议已裁定"), code="bad_state")
    return None


def _refuse_period_close(user: Any, policy: CreditPolicy) -> DomainError | None:
    if not _manages(user, policy.jurisdiction):
        return PermissionDenied(_("只有联席会议办公室可以结算考评期"))
    return None


RULES: dict[str, Callable[[Any, Any], DomainError | None]] = {
    "record_add": _refuse_record_add,
    "object": _refuse_object,
    "objection_rule": _refuse_objection_rule,
    "period_close": _refuse_period_close,
}


def refusal(user: Any, name: str, obj: Any) -> DomainError | None:
    return RULES[name](user, obj)


def require(user: Any, name: str, obj: Any) -> None:
    error = refusal(user, name, obj)
    if error is not None:
        raise error


def allowed(user: Any, name: str, obj: Any) -> bool:
    return refusal(user, name, obj) is None
