"""Another call about a case already on the ledger (003 二(十二) 首接负责, 004 三(一)): the
staff member taking it attaches the call to the open case instead of registering a
duplicate; the caller is recorded on the case, the case's timeline and the audit trail
say so, and the responsible unit is told."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gongzhi.cases import access
from gongzhi.cases.models import OPEN_STATES, Case, CaseCall, Channel
from gongzhi.cases.services.events import event, notify, now_or
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, FieldError, InvalidInput, PermissionDenied

NOTE_MAX = 5000


def case_call_attach(
    *,
    case: Case,
    actor: Any,
    channel: str,
    caller_name: str = "",
    caller_phone: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> CaseCall:
    """Record a call about ``case`` (open, neither closed nor merged) by ``actor``, who
    must be allowed to register through ``channel`` for the case's estate."""
    now = now_or(now)
    caller_name, note = caller_name.strip(), note.strip()
    caller_phone = access.normal_phone(caller_phone)
    errors: list[FieldError] = []
    if channel not in Channel.values or channel == Channel.WEB:
        errors.append(FieldError("channel", _("未知来源渠道“%(channel)s”") % {"channel": channel}))
    elif (why := access.call_refusal(actor, case, channel)) is not None:
        right = access.intake_right(actor)
        if right.channels and not right.as_resident and channel not in right.channels:
            errors.append(FieldError("channel", why))
        else:
            raise PermissionDenied(why)
    if caller_phone and not (caller_phone.isdigit() and 7 <= len(caller_phone) <= 12):
        errors.append(FieldError("reporter_phone", _("电话号码应为 7 到 12 位数字")))
    if len(caller_name) > 50:
        errors.append(FieldError("reporter_name", _("姓名不能超过 50 个字")))
    if len(note) > NOTE_MAX:
        errors.append(
            FieldError("description", _("来电内容不能超过 %(max)s 个字") % {"max": NOTE_MAX})
        )
    if errors:
        raise InvalidInput(errors=errors)
    label = str(Channel(channel).label)
    with transaction.atomic():
        # Conditional on the case still being open: a call never lands on a case closed
        # or merged meanwhile; the version moves so a form open on the case is stale.
        moved = Case.objects.filter(pk=case.pk, state__in=OPEN_STATES).update(
            version=F("version") + 1, updated_at=now
        )
        if not moved:
            raise Conflict(_("该案件已结案或已合并，请登记为新诉求"))
        case.version += 1
        call = CaseCall.objects.create(
            case=case,
            channel=channel,
            caller_name=caller_name,
            caller_phone=caller_phone,
            note=note,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=now,
        )
        event(
            case,
            "call",
            actor=actor,
            reason=_("%(channel)s：同一问题再次反映，并入本案") % {"channel": label},
            extra={"channel": channel, "call": call.pk},
            now=now,
        )
        audit_record(
            actor=actor,
            action="case.call_attach",
            target=case,
            reason=label,
            extra={"channel": channel, "call": call.pk},
        )
        text = _("又有来电反映：%(title)s") % {"title": case.title}
        if case.lead_unit_id:
            notify(now, case, "call", text, unit_id=case.lead_unit_id)
        else:
            notify(now, case, "call", text, jurisdiction_id=case.level_id)
    return call
