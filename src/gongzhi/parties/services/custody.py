"""Temporary custody of an estate without a property company (临时托管, 001 四(二)(三);
003 二(十三)): starting it, and handing it over to the company the owners hire — which
then becomes the estate's property company (org's ``estate_set_parties``), so routing and
the board follow. While an appointed company holds the custody, org's
``Estate.custodian_company`` names it, and routing sends property-company matters to it."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, DomainError, FieldError, InvalidInput
from gongzhi.org.models import Estate, Unit, User
from gongzhi.org.services import estate_set_custodian_company, estate_set_parties
from gongzhi.parties import access
from gongzhi.parties.events import PartiesEvent
from gongzhi.parties.models import Custody


def _leave_active(
    actor: User, custody: Custody, expected_version: int, refused: str
) -> Unit | None:
    """The checks both ways out of an active custody share: the actor's right over the
    estate, the version the page saw, and that the custody is still active (else
    ``refused``, a message with ``%(state)s``)."""
    unit = access.require_custody(actor, custody.estate)
    if custody.version != expected_version:
        raise Conflict(_("该托管记录已被他人更新，请刷新后重试"))
    if custody.state != Custody.State.ACTIVE:
        raise DomainError(refused % {"state": custody.get_state_display()}, code="bad_state")
    return unit


def _move(custody: Custody, expected_version: int, to_state: str, **fields: object) -> None:
    """Move an active custody to ``to_state`` with one conditional update (the version
    and the state it was read in), so two people acting at once cannot both succeed; then
    release the appointed company's hold on routing (001 四(二))."""
    done = Custody.objects.filter(
        pk=custody.pk, version=expected_version, state=Custody.State.ACTIVE
    ).update(state=to_state, version=F("version") + 1, updated_at=timezone.now(), **fields)
    if not done:
        raise Conflict(_("该托管记录已被他人更新，请刷新后重试"))
    if custody.estate.custodian_company_id is not None:
        estate_set_custodian_company(estate=custody.estate, company=None)


@transaction.atomic
def custody_start(
    *,
    actor: User,
    estate: Estate,
    custodian_kind: str,
    custodian: Unit | None,
    starts: dt.date,
    scope: str,
    ends: dt.date | None = None,
) -> Custody:
    unit = access.require_custody(actor, estate)
    errors: list[FieldError] = []
    if custodian_kind not in Custody.CustodianKind.values:
        errors.append(FieldError("custodian_kind", _("取值不在允许范围内")))
    elif custodian is None:
        errors.append(FieldError("custodian_id", _("所选单位不存在")))
    elif not access.custodian_ok(estate, custodian_kind, custodian):
        errors.append(
            FieldError(
                "custodian_id",
                _("%(unit)s不能作为“%(kind)s”托管本小区")
                % {
                    "unit": custodian.name,
                    "kind": Custody.CustodianKind(custodian_kind).label,
                },
            )
        )
    if ends is not None and ends < starts:
        errors.append(FieldError("ends", _("期满日期不能早于开始日期")))
    if not scope.strip():
        errors.append(FieldError("scope", _("请写明托管范围")))
    if errors:
        raise InvalidInput(errors=errors)
    assert custodian is not None
    if estate.property_company_id is not None:
        raise DomainError(
            _("%(estate)s已有物业服务企业，无需临时托管") % {"estate": estate.name}, code="not_now"
        )
    if Custody.objects.filter(estate=estate, state=Custody.State.ACTIVE).exists():
        raise DomainError(_("%(estate)s已在临时托管中") % {"estate": estate.name}, code="not_now")
    try:
        with transaction.atomic():
            custody = Custody.objects.create(
                estate=estate,
                custodian_kind=custodian_kind,
                custodian=custodian,
                starts=starts,
                ends=ends,
                scope=scope.strip(),
            )
    except IntegrityError as exc:  # two people starting one at once
        raise Conflict(_("%(estate)s已在临时托管中") % {"estate": estate.name}) from exc
    if custodian_kind == Custody.CustodianKind.APPOINTED_COMPANY:
        # Routing follows the appointed company while custody lasts (001 四(二)).
        estate_set_custodian_company(estate=estate, company=custodian)
    audit_record(
        actor=actor,
        action=PartiesEvent.CUSTODY_START,
        target=custody,
        unit=unit,
        to_state=custody.state,
        extra={"estate": estate.code, "custodian": custodian.pk},
    )
    return custody


@transaction.atomic
def custody_hand_over(
    *,
    actor: User,
    custody: Custody,
    expected_version: int,
    company: Unit | None,
    handover_date: dt.date,
    note: str,
) -> Custody:
    estate = custody.estate
    unit = _leave_active(actor, custody, expected_version, _("该托管%(state)s，不能再移交"))
    errors: list[FieldError] = []
    if company is None or company.kind_id != "property_company":
        errors.append(FieldError("company_id", _("请选择接管的物业服务企业")))
    if handover_date < custody.starts:
        errors.append(FieldError("handover_date", _("移交日期不能早于托管开始")))
    if not note.strip():
        errors.append(FieldError("note", _("请写明移交事项")))
    if errors:
        raise InvalidInput(errors=errors)
    _move(
        custody,
        expected_version,
        Custody.State.HANDED_OVER,
        handed_to=company,
        handover_date=handover_date,
        handover_note=note.strip(),
    )
    estate_set_parties(
        estate=estate,
        property_company=company,
        owners_committee=estate.owners_committee,
        actor=actor,
        reason=_("临时托管移交：业主选聘物业服务企业"),
    )
    audit_record(
        actor=actor,
        action=PartiesEvent.CUSTODY_HAND_OVER,
        target=custody,
        unit=unit,
        from_state=Custody.State.ACTIVE,
        to_state=Custody.State.HANDED_OVER,
        extra={"estate": estate.code, "company": company.pk if company else None},
    )
    custody.refresh_from_db()
    return custody


@transaction.atomic
def custody_end(
    *,
    actor: User,
    custody: Custody,
    expected_version: int,
    ended_on: dt.date,
    reason: str,
) -> Custody:
    """End an active custody without handing it over to a company (the owners manage the
    estate themselves, the period ran out, the estate was demolished …), with a reason.
    An appointed company stops holding it: ``Estate.custodian_company`` is cleared in the
    same transaction, so routing goes back to the street office (001 四(二))."""
    estate = custody.estate
    unit = _leave_active(actor, custody, expected_version, _("该托管%(state)s，不能再结束"))
    errors: list[FieldError] = []
    if ended_on < custody.starts:
        errors.append(FieldError("ended_on", _("结束日期不能早于托管开始")))
    if ended_on > timezone.localdate():
        errors.append(FieldError("ended_on", _("结束日期不能晚于今天")))
    if not reason.strip():
        errors.append(FieldError("reason", _("请写明结束原因")))
    if errors:
        raise InvalidInput(errors=errors)
    _move(
        custody, expected_version, Custody.State.ENDED, ended_on=ended_on, end_reason=reason.strip()
    )
    audit_record(
        actor=actor,
        action=PartiesEvent.CUSTODY_END,
        target=custody,
        unit=unit,
        from_state=Custody.State.ACTIVE,
        to_state=Custody.State.ENDED,
        reason=reason.strip(),
        extra={"estate": estate.code, "ended_on": ended_on.isoformat()},
    )
    custody.refresh_from_db()
    return custody
