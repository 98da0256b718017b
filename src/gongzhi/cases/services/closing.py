"""Working a case to its end: suspend and resume, handle with the result, the office's
feedback or send-back, the reporter's rating (and a reopening), closing, merging a
duplicate, and a joint conference's decision on the case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Unpack

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases import workflow
from gongzhi.cases.models import Case, Rating
from gongzhi.cases.services.dispatch import begin, dispatch_changes
from gongzhi.cases.services.events import Notice, Stamp, event, lock, now_or, setting, when
from gongzhi.cases.services.files import check_uploads, store_uploads
from gongzhi.cases.services.transition import case_transition
from gongzhi.common.errors import DomainError, FieldError, InvalidInput, PermissionDenied


def case_suspend(*, case: Case, actor: Any, reason: str, **at: Unpack[Stamp]) -> Case:
    now, expected_version = when(at)
    return case_transition(
        case=case,
        move="suspend",
        actor=actor,
        reason=reason.strip(),
        changes={"suspended_at": now, "resume_state": case.state},
        event_unit_id=case.lead_unit_id,
        expected_version=expected_version,
        now=now,
    )


def case_resume(*, case: Case, actor: Any, **at: Unpack[Stamp]) -> Case:
    """Resume a suspended case; its clocks move on by the time it was paused."""
    now, expected_version = when(at)
    paused = now - case.suspended_at if case.suspended_at else dt.timedelta(0)
    changes: dict[str, Any] = {"suspended_at": None, "resume_state": ""}
    for name in ("resolve_due_at", "response_due_at"):
        due = getattr(case, name)
        if due is not None:
            changes[name] = due + paused
    return case_transition(
        case=case,
        move="resume",
        actor=actor,
        changes=changes,
        event_unit_id=case.lead_unit_id,
        extra={"paused_seconds": int(paused.total_seconds())},
        expected_version=expected_version,
        now=now,
    )


def case_handle(
    *,
    case: Case,
    actor: Any,
    result: str,
    evidence: Sequence[Any] = (),
    **at: Unpack[Stamp],
) -> Case:
    """办结 with the result and evidence. Refused while an assisting unit's task is open:
    joint handling ends when every part is done (003 三(四))."""
    ctx, now = begin(case, "handle", actor, at)
    errors = []
    if not result.strip():
        errors.append(FieldError("result", _("请填写办理结果")))
    checked, upload_errors = check_uploads(evidence, "evidence")
    errors += upload_errors
    if errors:
        raise InvalidInput(errors=errors)
    on_time = case.resolve_due_at is None or now <= case.resolve_due_at
    changes: dict[str, Any] = {"result": result.strip(), "handled_at": now}
    if case.is_enforcement:
        changes["enforcement_step"] = "handle"
    # 004 三(二): the result is fed back to the unit that passed the case on.
    fed_back = _("转办件已办结：%(title)s。结果：%(value)s") % {
        "title": case.title,
        "value": result.strip()[:200],
    }
    with transaction.atomic():
        case_transition(
            case=case,
            move="handle",
            actor=actor,
            reason=result.strip(),
            changes=changes,
            event_unit_id=case.lead_unit_id,
            extra={"on_time": on_time},
            ctx=ctx,
            now=now,
            notices=[
                Notice("transfer_result", fed_back, unit_id=case.transferred_from_id),
                Notice.about(
                    case, "handled", _("已办结待反馈：%(title)s"), jurisdiction_id=case.level_id
                ),
            ],
        )
        if checked:
            stored = store_uploads(case, checked, purpose="evidence", actor=actor)
            event(case, "attach", actor=actor, reason="、".join(a.name for a in stored), now=now)
    return case


def case_feedback(*, case: Case, actor: Any, reason: str = "", **at: Unpack[Stamp]) -> Case:
    """The office sends the result to the reporter, who is asked to rate it."""
    now, expected_version = when(at)
    return case_transition(
        case=case,
        move="feedback",
        actor=actor,
        reason=reason.strip(),
        event_unit_id=case.lead_unit_id,
        expected_version=expected_version,
        now=now,
        notices=[
            Notice.about(
                case,
                "feedback",
                _("您的诉求“%(title)s”已办结，请评价"),
                user_id=case.reporter_user_id,
            )
        ],
    )


def case_send_back(*, case: Case, actor: Any, reason: str, **at: Unpack[Stamp]) -> Case:
    now, expected_version = when(at)
    return case_transition(
        case=case,
        move="send_back",
        actor=actor,
        reason=reason.strip(),
        changes={"handled_at": None},
        event_unit_id=case.lead_unit_id,
        expected_version=expected_version,
        now=now,
        notices=[
            Notice.about(
                case, "send_back", _("办理结果未通过，请重办：%(title)s"), unit_id=case.lead_unit_id
            )
        ],
    )


def case_rate(
    *,
    case: Case,
    actor: Any,
    rating: str,
    reason: str = "",
    **at: Unpack[Stamp],
) -> Case:
    """The reporter rates the result (the office records it on a callback visit, 回访).
    满意 / 基本满意 close the case; 不满意 reopens it while under the reopen limit, and
    otherwise sends it to the office for review."""
    ctx, now = begin(case, "rate", actor, at)
    errors = []
    if rating not in Rating.values:
        errors.append(FieldError("rating", _("请选择满意、基本满意或不满意")))
    if rating == Rating.DISSATISFIED and not reason.strip():
        errors.append(FieldError("reason", _("不满意时请说明理由")))
    if errors:
        raise InvalidInput(errors=errors)
    callback = not ctx.has_side("reporter")
    extra: dict[str, Any] = {"rating": rating, "callback": callback}
    if ctx.link is not None:
        extra["via"] = "link"  # the reporter's private link (no account)
    reason = reason.strip()
    if rating != Rating.DISSATISFIED:
        return case_transition(
            case=case,
            move="rate",
            actor=actor,
            reason=reason,
            changes={"rating": rating, "rating_reason": reason, "closed_at": now},
            event_unit_id=case.lead_unit_id,
            extra=extra,
            ctx=ctx,
            now=now,
        )
    with transaction.atomic():
        _rate_dissatisfied(case, actor, ctx, reason, extra, now)
    return case


def _rate_dissatisfied(
    case: Case,
    actor: Any,
    ctx: workflow.Ctx,
    reason: str,
    extra: dict[str, Any],
    now: dt.datetime,
) -> None:
    """不满意: the rating is an event of its own (metrics count it); the case goes back
    to its unit while under the reopen limit, otherwise to the office for review."""
    lock(case)
    event(
        case,
        "rated",
        actor=actor,
        unit_id=case.lead_unit_id,
        from_state=case.state,
        to_state=case.state,
        reason=reason,
        extra=extra,
        now=now,
    )
    changes: dict[str, Any] = {"rating": Rating.DISSATISFIED, "rating_reason": reason}
    if case.reopen_count < int(setting("GONGZHI_REOPEN_LIMIT", 1)):
        lead = case.lead_unit
        assert lead is not None, "a case awaiting its rating was handled by a lead unit"
        changes.update(dispatch_changes(case, lead, case.matter, now))
        changes["reopen_count"] = case.reopen_count + 1
        move, why = "reopen", _("诉求人不满意：%(reason)s") % {"reason": reason}
        notice = Notice.about(
            case, "reopened", _("诉求人不满意，重新办理：%(title)s"), unit_id=lead.pk
        )
    else:
        move, why = "review", reason
        notice = Notice.about(
            case, "review", _("不满意待复核：%(title)s"), jurisdiction_id=case.level_id
        )
    case_transition(
        case=case,
        move=move,
        actor=actor,
        reason=why,
        changes=changes,
        event_unit_id=case.lead_unit_id,
        via="rate",
        ctx=ctx,
        now=now,
        notices=[notice],
    )


def case_reopen(*, case: Case, actor: Any, reason: str, **at: Unpack[Stamp]) -> Case:
    """The office reopens a closed or reviewed case to its lead unit."""
    ctx, now = begin(case, "reopen", actor, at)
    if case.lead_unit is None:
        raise DomainError(_("该案件没有责任单位，无法重新办理"))
    changes = dispatch_changes(case, case.lead_unit, case.matter, now)
    changes.update(reopen_count=case.reopen_count + 1, closed_at=None)
    return case_transition(
        case=case,
        move="reopen",
        actor=actor,
        reason=reason.strip(),
        changes=changes,
        event_unit_id=case.lead_unit_id,
        ctx=ctx,
        now=now,
        notices=[
            Notice.about(case, "reopened", _("重新办理：%(title)s"), unit_id=case.lead_unit_id)
        ],
    )


def case_close(
    *,
    case: Case,
    actor: Any,
    reason: str,
    extra: dict[str, Any] | None = None,
    **at: Unpack[Stamp],
) -> Case:
    now, expected_version = when(at)
    return case_transition(
        case=case,
        move="close",
        actor=actor,
        reason=reason.strip(),
        changes={"closed_at": now},
        event_unit_id=case.lead_unit_id,
        expected_version=expected_version,
        extra=extra,
        now=now,
    )


def case_merge(
    *,
    case: Case,
    into: Case | str,
    actor: Any,
    reason: str = "",
    **at: Unpack[Stamp],
) -> Case:
    """Merge a duplicate into the case that carries on, which the office must be able to
    act on too; any other number is answered as one that does not exist."""
    ctx, now = begin(case, "merge", actor, at)
    other = _merge_target(into, actor)
    if other.pk == case.pk:
        raise InvalidInput(errors=[FieldError("into", _("不能与自身合并"))])
    if not other.is_open:
        raise InvalidInput(
            errors=[
                FieldError("into", _("案件 %(number)s 已结束，不能并入") % {"number": other.number})
            ]
        )
    if other.merged_into_id:
        raise InvalidInput(
            errors=[
                FieldError("into", _("案件 %(number)s 本身已被合并") % {"number": other.number})
            ]
        )
    with transaction.atomic():
        case_transition(
            case=case,
            move="merge",
            actor=actor,
            reason=reason.strip() or _("与 %(number)s 重复") % {"number": other.number},
            changes={"merged_into": other, "closed_at": now},
            event_unit_id=None,
            extra={"into": other.number},
            ctx=ctx,
            now=now,
        )
        lock(other)
        event(
            other,
            "merged_in",
            actor=actor,
            reason=_("并入 %(number)s") % {"number": case.number},
            now=now,
        )
    return case


def _merge_target(into: Case | str, actor: Any) -> Case:
    from gongzhi.cases import access

    number = into.number if isinstance(into, Case) else (into or "").strip()
    if not number:
        raise InvalidInput(errors=[FieldError("into", _("请填写要并入的案件编号"))])
    found = Case.objects.select_related("level", "estate").filter(number=number).first()
    if found is None or (actor is not None and "office" not in access.sides(actor, found)):
        raise InvalidInput(
            errors=[FieldError("into", _("案件 %(number)s 不存在或无权操作") % {"number": number})]
        )
    return found


def case_decision_apply(
    *,
    case: Case,
    actor: Any,
    body: Any,
    decision_label: str,
    outcome: str,
    close: bool,
    instructions: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """A joint conference's decision settles a case (close=True) or hands it back to its
    lead unit with instructions (close=False). Called by the meetings app. The authority
    is the conference (``body``), whose area must hold the case's estate; the event names
    the person who recorded the decision as done, never "the system"."""
    now = now_or(now)
    if not case.area_path.startswith(body.jurisdiction.path):
        raise PermissionDenied(
            _("案件 %(number)s 不在%(name)s的辖区内") % {"number": case.number, "name": body.name}
        )
    extra = {"decision": decision_label, "body": body.pk}
    if close:
        return case_transition(
            case=case,
            move="decide_close",
            actor=actor,
            reason=f"{decision_label}：{outcome}",
            changes={"closed_at": now, "result": outcome},
            event_unit_id=case.lead_unit_id,
            extra=extra,
            authority="conference",
            now=now,
        )
    if case.lead_unit is None:
        raise DomainError(_("该案件没有责任单位，无法交回办理"))
    changes = dispatch_changes(case, case.lead_unit, case.matter, now)
    return case_transition(
        case=case,
        move="decide_return",
        actor=actor,
        reason=f"{decision_label}：{instructions or outcome}",
        changes=changes,
        event_unit_id=case.lead_unit_id,
        extra=extra,
        authority="conference",
        now=now,
        notices=[
            Notice(
                "decision",
                _("联席会议决定交回办理：%(title)s。%(instructions)s")
                % {"title": case.title, "instructions": instructions},
                unit_id=case.lead_unit_id,
            )
        ],
    )
