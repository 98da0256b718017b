"""The consultations held on a problem (002 (二)第六条): 民情恳谈会, 工作听证会, 服务评议会,
上门走访, each with its date, participants and summary, and an optional attachment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.common.uploads import UploadRefused, upload_check
from gongzhi.org.models import User
from gongzhi.problems import access, workflow
from gongzhi.problems.events import ProblemsEvent
from gongzhi.problems.models import Consultation, Problem


@transaction.atomic
def consultation_record(
    *,
    actor: User,
    problem: Problem,
    held_on: dt.date,
    form: str,
    participants: str,
    summary: str,
    attachment: Any = None,
) -> Consultation:
    m = workflow.require(problem, "consult", set(access.sides(actor, problem.estate)))
    errors: list[FieldError] = []
    if form not in Consultation.Form.values:
        errors.append(FieldError("form", _("取值不在允许范围内")))
    if held_on > timezone.localdate():
        errors.append(FieldError("held_on", _("日期不能晚于今天")))
    if not participants.strip():
        errors.append(FieldError("participants", _("请写明参加人员")))
    if not summary.strip():
        errors.append(FieldError("summary", _("请写明情况摘要")))
    checked = None
    if attachment is not None:
        try:
            checked = upload_check(attachment, field="attachment")
        except UploadRefused as exc:
            errors.append(exc.error)
    if errors:
        raise InvalidInput(errors=errors)
    unit = access.acting_unit(actor, problem.estate, m.sides)
    record = Consultation(
        problem=problem,
        held_on=held_on,
        form=form,
        participants=participants.strip(),
        summary=summary.strip(),
        unit=unit,
    )
    if checked is not None:
        record.attachment.save(checked.filename, checked.as_file(), save=False)
    record.save()
    audit_record(
        actor=actor,
        action=ProblemsEvent.CONSULT,
        target=problem,
        unit=unit,
        from_state=problem.state,
        to_state=problem.state,
        extra={"consultation": record.pk, "form": form, "held_on": held_on.isoformat()},
    )
    return record
