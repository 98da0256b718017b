"""The six-step procedure of 003 四: 发现 (at intake) → 拍照 → 制止 → 呈报 with the
case report form of 附件2 → 处理 (handling) → 结案 (however the case closes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Unpack

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import workflow
from gongzhi.cases.models import (
    Attachment,
    Case,
    EnforcementStep,
    ReportForm,
    ReportOpinion,
)
from gongzhi.cases.services.dispatch import (
    TRANSFER_ACCEPT_LIMIT,
    begin,
    dispatch_changes,
    required,
    target,
)
from gongzhi.cases.services.events import (
    CONFLICT,
    Stamp,
    event,
    notify,
    touch,
)
from gongzhi.cases.services.files import check_uploads, store_uploads
from gongzhi.cases.services.transition import case_transition
from gongzhi.catalog.timelimits import due_after
from gongzhi.common.errors import Conflict, FieldError, InvalidInput
from gongzhi.org.models import Unit


def _step(case: Case, step: str, actor: Any, reason: str, now: dt.datetime) -> None:
    """Move the procedure one step on, conditionally on the version read."""
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        enforcement_step=step, version=F("version") + 1, updated_at=now
    )
    if updated != 1:
        raise Conflict(CONFLICT)
    case.enforcement_step = step
    case.version += 1
    event(
        case,
        f"step_{step}",
        actor=actor,
        actor_unit_id=case.lead_unit_id,
        unit_id=case.lead_unit_id,
        from_state=case.state,
        to_state=case.state,
        reason=reason,
        extra={"step": step},
        now=now,
    )


def case_enforcement_photo(
    *,
    case: Case,
    actor: Any,
    photos: Sequence[Any],
    **at: Unpack[Stamp],
) -> list[Attachment]:
    """拍照: at least one photo of the scene."""
    _ctx, now = begin(case, "photo", actor, at)
    checked, errors = check_uploads(photos, "photos", photos_only=True)
    if not photos:
        errors.append(FieldError("photos", _("请至少上传一张现场照片")))
    if errors:
        raise InvalidInput(errors=errors)
    with transaction.atomic():
        reason = _("上传现场照片 %(len)s 张") % {"len": len(photos)}
        if case.enforcement_step in ("", EnforcementStep.DISCOVER):
            _step(case, EnforcementStep.PHOTO, actor, reason, now)
        else:
            touch(case, now=now)
            event(
                case,
                "step_photo",
                actor=actor,
                actor_unit_id=case.lead_unit_id,
                unit_id=case.lead_unit_id,
                reason=reason,
                extra={"step": case.enforcement_step},
                now=now,
            )
        return store_uploads(case, checked, purpose="photo", actor=actor)


def case_enforcement_stop(*, case: Case, actor: Any, measures: str, **at: Unpack[Stamp]) -> Case:
    """制止: what was done on site to stop the violation."""
    _ctx, now = begin(case, "stop", actor, at)
    required(measures, "measures", _("请填写现场制止情况"))
    with transaction.atomic():
        _step(case, EnforcementStep.STOP, actor, measures.strip(), now)
        Case.objects.filter(pk=case.pk).update(on_site_action=measures.strip())
        case.on_site_action = measures.strip()
    return case


def case_enforcement_report(
    *,
    case: Case,
    actor: Any,
    receiving_unit: Unit | str,
    contact: str,
    contact_phone: str,
    details: str,
    opinion: str,
    head: str,
    receiver: str = "",
    receiver_phone: str = "",
    **at: Unpack[Stamp],
) -> ReportForm:
    """呈报: the discovering unit fills the case report form of 003 附件2 and passes the
    case to the unit with enforcement power, which must act at once."""
    ctx, now = begin(case, "report", actor, at)
    receiver_unit = _report_receiver(
        case, receiving_unit, contact=contact, contact_phone=contact_phone, details=details,
        opinion=opinion, head=head,
    )  # fmt: skip
    reporting = case.lead_unit
    assert reporting is not None
    location = " ".join(
        p for p in (case.estate.address, case.estate.name, case.place_label(with_room=True)) if p
    )
    with transaction.atomic():
        form = ReportForm.objects.create(
            case=case,
            reporting_unit=reporting,
            contact=contact.strip(),
            contact_phone=contact_phone.strip(),
            receiving_unit=receiver_unit,
            receiver=receiver.strip(),
            receiver_phone=receiver_phone.strip() or receiver_unit.phone,
            location=location,
            details=details.strip(),
        )
        ReportOpinion.objects.create(
            form=form,
            signer=ReportOpinion.Signer.REPORTING,
            unit_name=reporting.name,
            opinion=opinion.strip(),
            head=head.strip(),
            date=timezone.localdate(now),
        )
        case_transition(
            case=case,
            move="report",
            actor=actor,
            reason=_("呈报：%(value)s") % {"value": details.strip()[:200]},
            changes={
                **dispatch_changes(case, receiver_unit, case.matter, now),
                "accept_due_at": due_after(now, TRANSFER_ACCEPT_LIMIT),
                "transferred_from_id": reporting.pk,
                "enforcement_step": EnforcementStep.REPORT,
            },
            event_unit_id=receiver_unit.pk,
            extra={"step": EnforcementStep.REPORT, "report_form": form.pk},
            ctx=ctx,
            now=now,
        )
        notify(
            now,
            case,
            "report",
            _("呈报件，请立即派员处理：%(title)s") % {"title": case.title},
            unit_id=receiver_unit.pk,
        )
    return form


def _report_receiver(case: Case, receiving_unit: Unit | str, **required: str) -> Unit:
    """Check the form's fields; the receiving unit must serve the estate and not be the
    reporting unit itself."""
    labels = {
        "contact": _("联系人"),
        "contact_phone": _("联系电话"),
        "details": _("案件详情"),
        "opinion": _("呈报单位意见"),
        "head": _("呈报单位负责人"),
    }
    errors = [
        FieldError(name, _("请填写%(value)s") % {"value": labels[name]})
        for name, value in required.items()
        if not value.strip()
    ]
    receiver = None
    try:
        receiver = target(case, receiving_unit, "receiving_unit", label=_("接收单位"))
    except InvalidInput as exc:
        errors += exc.errors
    if receiver is not None and receiver.pk == case.lead_unit_id:
        errors.append(FieldError("receiving_unit", _("不能呈报给本单位")))
    if errors:
        raise InvalidInput(errors=errors)
    assert receiver is not None
    return receiver


def case_report_opinion(
    *,
    case: Case,
    actor: Any,
    opinion: str,
    head: str,
    **at: Unpack[Stamp],
) -> ReportOpinion:
    """The receiving unit, or the office, signs its opinion on the 呈报表: a row each, so
    two officials signing at once both count and neither signs twice."""
    ctx, now = begin(case, "opinion", actor, at)
    form = ctx.report_form
    assert form is not None  # the rule's guard
    errors = []
    if not opinion.strip():
        errors.append(FieldError("opinion", _("请填写意见")))
    if not head.strip():
        errors.append(FieldError("head", _("请填写负责人")))
    if errors:
        raise InvalidInput(errors=errors)
    side = workflow.side_for(workflow.OPS["opinion"], ctx)
    if side == "office":
        signer, unit_name = ReportOpinion.Signer.OFFICE, _("联席会议办公室")
    else:
        signer, unit_name = ReportOpinion.Signer.RECEIVING, form.receiving_unit.name
    try:
        with transaction.atomic():
            touch(case, now=now)
            row = ReportOpinion.objects.create(
                form=form,
                signer=signer,
                unit_name=unit_name,
                opinion=opinion.strip(),
                head=head.strip(),
                date=timezone.localdate(now),
            )
            event(
                case,
                "report_opinion",
                actor=actor,
                reason=opinion.strip(),
                extra={"unit": unit_name, "signer": signer},
                now=now,
            )
    except IntegrityError as exc:
        raise Conflict(_("该意见已由他人签署，请刷新页面")) from exc
    return row
