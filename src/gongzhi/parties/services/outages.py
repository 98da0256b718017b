"""Unplanned outages as mass incidents (004 三(三): 发生停水、停气、停电、停热等突发事件时，
物业服务企业要配合有关单位做好抢险、抢修等工作; 003 二(十四)): opening one gives the property
company of each estate its co-operation tasks (parties/outage_tasks.py); the cases it caused
are linked to it; progress is posted; closing it (restored) updates every linked case
through the cases' table (cases/services/incidents.py) and tells each reporter once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case
from gongzhi.cases.services.incidents import (
    case_incident_link,
    case_incident_restored,
    case_incident_unlink,
)
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import (
    Conflict,
    DomainError,
    FieldError,
    InvalidInput,
    PermissionDenied,
)
from gongzhi.org import kinds
from gongzhi.org.models import Estate, Unit, User
from gongzhi.parties import access
from gongzhi.parties.events import PartiesEvent
from gongzhi.parties.models import Outage, OutageCase, OutageTask, OutageUpdate, UtilityWork
from gongzhi.parties.outage_tasks import BY_SUPPLY
from gongzhi.parties.services.outage_messages import tell_companies


def _check_open(
    utility: Unit | None,
    estates: list[Estate],
    supply: str,
    title: str,
    started_at: dt.datetime,
    expected_at: dt.datetime,
    now: dt.datetime,
) -> list[FieldError]:
    assert utility is not None
    errors: list[FieldError] = []
    if not estates:
        errors.append(FieldError("estate_codes", _("请选择涉及的小区")))
    outside = [
        e.name for e in estates if not e.community.path.startswith(utility.jurisdiction.path)
    ]
    if outside:
        errors.append(
            FieldError(
                "estate_codes",
                _("不在该专营单位服务范围内：%(estates)s") % {"estates": "、".join(outside)},
            )
        )
    if supply not in UtilityWork.Supply.values:
        errors.append(FieldError("supply", _("取值不在允许范围内")))
    if started_at > now + dt.timedelta(minutes=5):
        errors.append(FieldError("started_at", _("发生时间不能晚于现在")))
    if expected_at <= started_at:
        errors.append(FieldError("expected_at", _("预计恢复时间须晚于发生时间")))
    if not title.strip():
        errors.append(FieldError("title", _("不能为空")))
    return errors


@transaction.atomic
def outage_open(
    *,
    actor: User,
    utility: Unit | None,
    estates: list[Estate],
    supply: str,
    title: str,
    started_at: dt.datetime,
    expected_at: dt.datetime,
    description: str = "",
    now: dt.datetime | None = None,
) -> Outage:
    """The utility (or the office over every estate) records an outage; each estate's
    property company gets its tasks in the same transaction."""
    now = now or timezone.now()
    if utility is None or not kinds.kind_has(utility.kind_id, kinds.UTILITY_SERVICE):
        raise InvalidInput(errors=[FieldError("utility_id", _("所选单位不是专营单位"))])
    access.require_announce(actor, utility, estates)
    errors = _check_open(utility, estates, supply, title, started_at, expected_at, now)
    if errors:
        raise InvalidInput(errors=errors)
    outage = Outage.objects.create(
        utility=utility,
        supply=supply,
        title=title.strip(),
        description=description.strip(),
        started_at=started_at,
        expected_at=expected_at,
        opened_by=actor,
    )
    outage.estates.set(estates)
    tasks = OutageTask.objects.bulk_create(
        [
            OutageTask(outage=outage, estate=e, unit=e.property_company, kind=kind)
            for e in estates
            if e.property_company_id
            for kind in BY_SUPPLY[supply]
        ]
    )
    # Each company's tasks reach its robots and staff at once (sent after the commit).
    told = tell_companies(outage, tasks, now)
    audit_record(
        actor=actor,
        action=PartiesEvent.OUTAGE_OPEN,
        target=outage,
        unit=utility,
        to_state=outage.state,
        extra={"estates": [e.code for e in estates], "supply": supply, "companies_told": told},
    )
    return outage


def _locked(outage: Outage) -> Outage:
    """The outage's row, locked until the transaction ends (writers of one outage queue)."""
    return Outage.objects.select_for_update().select_related("utility").get(pk=outage.pk)


def _require_open(outage: Outage) -> None:
    if outage.state != Outage.State.OPEN:
        raise DomainError(_("该事件已恢复关闭"), code="bad_state")


@transaction.atomic
def outage_link(
    *, actor: User, outage: Outage, numbers: list[str], now: dt.datetime | None = None
) -> list[Case]:
    """Link the cases ``numbers`` to the outage: each must be an open case of one of its
    estates, not linked yet. A case of another estate or county is answered as one that
    does not exist there."""
    now = now or timezone.now()
    unit = access.require_handle_outage(actor, outage)
    outage = _locked(outage)
    _require_open(outage)
    numbers = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    if not numbers:
        raise InvalidInput(errors=[FieldError("numbers", _("请填写案件编号"))])
    estate_ids = set(outage.estates.values_list("pk", flat=True))
    found = {c.number: c for c in Case.objects.filter(number__in=numbers)}
    linked = set(
        OutageCase.objects.filter(case__number__in=numbers).values_list("case__number", flat=True)
    )
    errors: list[FieldError] = []
    for i, number in enumerate(numbers):
        case = found.get(number)
        if case is None or case.estate_id not in estate_ids:
            why = _("案件 %(number)s 不存在或不在本事件涉及的小区") % {"number": number}
        elif not case.is_open:
            why = _("案件 %(number)s 已结束，不能关联") % {"number": number}
        elif number in linked:
            why = _("案件 %(number)s 已关联到突发事件") % {"number": number}
        else:
            continue
        errors.append(FieldError(f"numbers.{i}", why))
    if errors:
        raise InvalidInput(errors=errors)
    cases = [found[n] for n in numbers]
    OutageCase.objects.bulk_create(
        [OutageCase(outage=outage, case=c, linked_by=actor) for c in cases]
    )
    label = _("突发事件：%(title)s") % {"title": outage.title}
    for case in cases:
        case_incident_link(case=case, actor=actor, incident=label, now=now)
    audit_record(
        actor=actor,
        action=PartiesEvent.OUTAGE_LINK,
        target=outage,
        unit=unit,
        extra={"cases": numbers},
    )
    return cases


@transaction.atomic
def outage_unlink(
    *, actor: User, outage: Outage, number: str, reason: str, now: dt.datetime | None = None
) -> Case:
    """Take a case off the outage (linked by mistake, or not caused by it), with a reason:
    while the outage is open, by whoever handles it. The case gets an ``incident_unlink``
    event and is no longer touched by the outage's closing."""
    now = now or timezone.now()
    unit = access.require_handle_outage(actor, outage)
    outage = _locked(outage)
    _require_open(outage)
    number = number.strip()
    errors: list[FieldError] = []
    link = (
        OutageCase.objects.filter(outage=outage, case__number=number).select_related("case").first()
        if number
        else None
    )
    if link is None:
        errors.append(
            FieldError("number", _("案件 %(number)s 未关联到本事件") % {"number": number})
        )
    if not reason.strip():
        errors.append(FieldError("reason", _("请写明取消关联的原因")))
    elif len(reason.strip()) > 200:
        errors.append(FieldError("reason", _("不能超过 200 字")))
    if errors:
        raise InvalidInput(errors=errors)
    assert link is not None
    case = link.case
    link.delete()
    label = _("突发事件：%(title)s") % {"title": outage.title}
    case_incident_unlink(case=case, actor=actor, incident=label, reason=reason.strip(), now=now)
    audit_record(
        actor=actor,
        action=PartiesEvent.OUTAGE_UNLINK,
        target=outage,
        unit=unit,
        reason=reason.strip(),
        extra={"cases": [case.number]},
    )
    return case


@transaction.atomic
def outage_post(*, actor: User, outage: Outage, text: str) -> OutageUpdate:
    """A progress update by whoever handles the outage or a company with tasks in it."""
    if not access.can_post_outage(actor, outage):
        raise PermissionDenied(_("无权发布该事件的抢修进展"))
    outage = _locked(outage)
    _require_open(outage)
    if not text.strip():
        raise InvalidInput(errors=[FieldError("text", _("不能为空"))])
    if len(text.strip()) > 500:
        raise InvalidInput(errors=[FieldError("text", _("不能超过 500 字"))])
    unit = (
        access.require_handle_outage(actor, outage)
        if access.handles_outage(actor, outage)
        else access.outage_company_unit(actor, outage)
    )
    update = OutageUpdate.objects.create(
        outage=outage, text=text.strip(), posted_by=actor, unit=unit
    )
    audit_record(
        actor=actor, action=PartiesEvent.OUTAGE_UPDATE, target=outage, unit=unit,
        extra={"update": update.pk},
    )  # fmt: skip
    return update


@transaction.atomic
def outage_task_done(
    *, actor: User, task: OutageTask, note: str = "", now: dt.datetime | None = None
) -> OutageTask:
    """The company marks its task done (once: a second mark changes nothing)."""
    now = now or timezone.now()
    unit = access.require_task_done(actor, task)
    if len(note.strip()) > 200:
        raise InvalidInput(errors=[FieldError("note", _("不能超过 200 字"))])
    done = OutageTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=now, done_by=actor, note=note.strip(), updated_at=now
    )
    if done:
        audit_record(
            actor=actor, action=PartiesEvent.OUTAGE_TASK_DONE, target=task.outage, unit=unit,
            extra={"task": task.pk, "kind": task.kind, "estate": task.estate_id},
        )  # fmt: skip
    task.refresh_from_db()
    return task


def _settles(case: Case, utility: Unit) -> bool:
    """The duty catalog puts the case's matter on the outage's utility (its lead kind),
    or the case is with the utility: the restoration is its result."""
    if case.lead_unit_id == utility.pk:
        return True
    return bool(case.matter_id and case.matter and case.matter.lead_kind_id == utility.kind_id)


@transaction.atomic
def outage_close(
    *,
    actor: User,
    outage: Outage,
    expected_version: int,
    note: str,
    restored_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Restored: the outage closes, and in the same transaction every linked case gets an
    event (handled where the catalog and the table allow) and each reporter one message.
    Closing twice, or on a stale page, is a conflict and changes nothing."""
    now = now or timezone.now()
    restored_at = restored_at or now
    unit = access.require_handle_outage(actor, outage)
    if outage.version != expected_version:
        raise Conflict(_("该事件已被他人更新，请刷新后重试"))
    errors: list[FieldError] = []
    if not note.strip():
        errors.append(FieldError("note", _("请填写恢复情况")))
    if restored_at < outage.started_at or restored_at > now + dt.timedelta(minutes=5):
        errors.append(FieldError("restored_at", _("恢复时间须在发生时间之后、不晚于现在")))
    if errors:
        raise InvalidInput(errors=errors)
    done = Outage.objects.filter(
        pk=outage.pk, version=expected_version, state=Outage.State.OPEN
    ).update(
        state=Outage.State.RESTORED,
        restored_at=restored_at,
        restore_note=note.strip(),
        version=F("version") + 1,
        updated_at=now,
    )
    if not done:
        raise Conflict(_("该事件已被他人更新，请刷新后重试"))
    outage.refresh_from_db()
    outcome = _settle_cases(actor, outage, note.strip(), now)
    audit_record(
        actor=actor,
        action=PartiesEvent.OUTAGE_CLOSE,
        target=outage,
        unit=unit,
        from_state=Outage.State.OPEN,
        to_state=Outage.State.RESTORED,
        extra=outcome,
    )
    return outcome


def _settle_cases(actor: User, outage: Outage, note: str, now: dt.datetime) -> dict[str, Any]:
    links = list(OutageCase.objects.filter(outage=outage).order_by("id"))
    label = _("突发事件“%(title)s”") % {"title": outage.title}
    told: set[str] = set()
    handled: list[str] = []
    noted: list[str] = []
    for link in links:
        case = Case.objects.select_related("matter", "estate", "lead_unit", "reporter_user").get(
            pk=link.case_id
        )
        key = f"u{case.reporter_user_id}" if case.reporter_user_id else f"p{case.reporter_phone}"
        tell = bool(case.reporter_user_id or case.reporter_phone) and key not in told
        if tell:
            told.add(key)
        result = case_incident_restored(
            case=case,
            actor=actor,
            incident=label,
            result=note,
            handle=case.is_open and _settles(case, outage.utility),
            tell=tell,
            extra={"outage": outage.pk},
            now=now,
        )
        link.outcome = result
        (handled if result == "handled" else noted).append(case.number)
    OutageCase.objects.bulk_update(links, ["outcome"])
    return {"handled": handled, "noted": noted, "reporters": len(told)}
