"""Records on a case that leave its state as it is: attachments, the office's callback
notes and its public summary, a unit's appeal of a rating and the office's ruling, and
reading notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Unpack

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.cases import access, workflow
from gongzhi.cases.models import Attachment, Case, Notification, RatingAppeal
from gongzhi.cases.services.dispatch import begin, required
from gongzhi.cases.services.events import (
    Stamp,
    event,
    notify,
    now_or,
    signed_in,
    touch,
    unit_event,
)
from gongzhi.cases.services.files import check_uploads, store_uploads
from gongzhi.common.errors import Conflict, FieldError, InvalidInput

PUBLIC_SUMMARY_MAX = 200


def case_attach(
    *,
    case: Case,
    actor: Any,
    uploads: Sequence[Any],
    **at: Unpack[Stamp],
) -> list[Attachment]:
    ctx, now = begin(case, "attach", actor, at)
    checked, errors = check_uploads(uploads, "files")
    if not uploads:
        errors.append(FieldError("files", _("请选择文件")))
    if errors:
        raise InvalidInput(errors=errors)
    side = workflow.side_for(workflow.OPS["attach"], ctx)
    with transaction.atomic():
        touch(case, now=now)
        stored = store_uploads(
            case, checked, purpose="report" if side == "reporter" else "evidence", actor=actor
        )
        event(case, "attach", actor=actor, reason="、".join(a.name for a in stored), now=now)
    return stored


def case_callback(*, case: Case, actor: Any, reason: str, **at: Unpack[Stamp]) -> Case:
    """回访: the office calls the reporter back and notes what was said."""
    _ctx, now = begin(case, "callback", actor, at)
    required(reason, "reason", _("请填写回访情况"))
    with transaction.atomic():
        touch(case, now=now)
        event(case, "callback", actor=actor, reason=reason.strip(), now=now)
    return case


def case_publish(*, case: Case, actor: Any, summary: str, **at: Unpack[Stamp]) -> Case:
    """The office approves what the public board says of the case (issue 7 defect 9).
    Personal data in it are refused; an empty summary goes back to the default (the
    matter and the estate)."""
    _ctx, now = begin(case, "publish", actor, at)
    text = " ".join(summary.split())
    if len(text) > PUBLIC_SUMMARY_MAX:
        raise InvalidInput(
            errors=[
                FieldError(
                    "summary",
                    _("公示摘要不能超过 %(PUBLIC_SUMMARY_MAX)s 个字")
                    % {"PUBLIC_SUMMARY_MAX": PUBLIC_SUMMARY_MAX},
                )
            ]
        )
    names = [case.reporter_name] if case.reporter_name else []
    if text and access.mask_text(text, names=names) != text:
        raise InvalidInput(
            errors=[FieldError("summary", _("公示摘要不得含有电话、身份证号、房号或诉求人姓名"))]
        )
    with transaction.atomic():
        touch(case, now=now)
        Case.objects.filter(pk=case.pk).update(public_summary=text)
        case.public_summary = text
        event(case, "publish", actor=actor, reason=text or _("恢复默认公示摘要"), now=now)
    return case


def case_appeal(*, case: Case, actor: Any, reason: str, **at: Unpack[Stamp]) -> RatingAppeal:
    """The lead unit appeals a rating it thinks unreasonable."""
    _ctx, now = begin(case, "appeal", actor, at)
    required(reason, "reason", _("请说明申诉理由"))
    assert case.lead_unit is not None, "only the lead side may appeal (checked above)"
    with transaction.atomic():
        touch(case, now=now)
        if RatingAppeal.objects.filter(case=case, state=RatingAppeal.AppealState.PENDING).exists():
            raise Conflict(_("已有待裁定的申诉"))
        appeal = RatingAppeal.objects.create(case=case, unit=case.lead_unit, reason=reason.strip())
        extra = {"appeal": appeal.pk, "rating": case.rating}
        unit_event(case, "appeal", actor, case.lead_unit_id, reason.strip(), extra, now)
        notify(
            now,
            case,
            "appeal",
            _("评价申诉待裁定：%(title)s") % {"title": case.title},
            jurisdiction_id=case.level_id,
        )
    return appeal


def case_appeal_decide(
    *,
    case: Case,
    actor: Any,
    upheld: bool,
    reason: str,
    **at: Unpack[Stamp],
) -> RatingAppeal:
    """The office rules on the case's pending appeal; upheld, the rating leaves the
    unit's metrics."""
    ctx, now = begin(case, "appeal_decide", actor, at)
    appeal = ctx.pending_appeal
    assert appeal is not None  # the rule's guard
    required(reason, "reason", _("请填写裁定理由"))
    state = RatingAppeal.AppealState.UPHELD if upheld else RatingAppeal.AppealState.REJECTED
    with transaction.atomic():
        touch(case, now=now)
        updated = RatingAppeal.objects.filter(
            pk=appeal.pk, state=RatingAppeal.AppealState.PENDING
        ).update(
            state=state,
            decided_by=signed_in(actor),
            decision_reason=reason.strip(),
            decided_at=now,
            updated_at=now,
        )
        if updated != 1:
            raise Conflict(_("该申诉已被裁定，请刷新页面"))
        appeal.state = state
        event(
            case,
            "appeal_upheld" if upheld else "appeal_rejected",
            actor=actor,
            unit_id=appeal.unit_id,
            reason=reason.strip(),
            extra={"appeal": appeal.pk},
            now=now,
        )
        notify(
            now,
            case,
            "appeal_decided",
            _("评价申诉%(label)s：%(title)s") % {"label": state.label, "title": case.title},
            unit_id=appeal.unit_id,
        )
    return appeal


def notifications_read(
    *,
    actor: Any,
    case: Case | None = None,
    ids: Sequence[int] = (),
    now: dt.datetime | None = None,
) -> int:
    """Mark the actor's notifications read (to their units and to themselves): those of
    one case, or those named, or all. Returns how many."""
    now = now_or(now)
    v = access.viewer(actor)
    if not v.is_authenticated:
        return 0
    qs = Notification.objects.filter(
        Q(unit_id__in=sorted(v.scope.unit_ids)) | Q(user_id=v.user_id), read_at__isnull=True
    )
    if case is not None:
        qs = qs.filter(case=case)
    if ids:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=now)
