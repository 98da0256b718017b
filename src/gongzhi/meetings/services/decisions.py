"""Decisions (议定事项): recorded with one responsible unit and a due date, followed up
until done, escalated a level up when overdue (000 三(四)2(6), 004 三(四)); linked
cases are settled with them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.meetings import access
from gongzhi.meetings.events import MeetingsEvent
from gongzhi.meetings.models import (
    Decision,
    DecisionProgress,
    InboxMessage,
    Meeting,
    Topic,
)
from gongzhi.meetings.services.core import (
    Machine,
    inbox_send,
    local,
    person_of,
    raise_errors,
)
from gongzhi.meetings.services.topics import case_errors, topic_create
from gongzhi.meetings.workflow import DECISION_MOVES, DecisionState
from gongzhi.org.models import Unit, User

D = DecisionState
# Cases already settled are left alone (the cases app's final states, by value: meetings
# reads cases only through Case and the cases services it was given).
CASE_SETTLED = ("closed", "merged")


DECISIONS = Machine(
    Decision, DECISION_MOVES, MeetingsEvent.DECISION_TRANSITION, lambda d: d.responsible_unit
)


def _add_errors(
    *,
    meeting: Meeting,
    title: str,
    required_outcome: str,
    responsible_unit: Unit | None,
    cooperating_units: Sequence[Unit],
    due_date: dt.date | None,
    topic: Topic | None,
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not title.strip():
        errors.append(FieldError("title", _("请填写议定事项")))
    if not required_outcome.strip():
        errors.append(FieldError("required_outcome", _("请写明落实要求")))
    if responsible_unit is None:
        errors.append(FieldError("responsible_unit_id", _("请指定一个责任单位")))
    elif any(u.pk == responsible_unit.pk for u in cooperating_units):
        errors.append(FieldError("cooperating_unit_ids", _("责任单位不能同时是配合单位")))
    if due_date is None:
        errors.append(FieldError("due_date", _("请填写完成时限")))
    elif due_date <= local(meeting.starts_at).date():
        errors.append(FieldError("due_date", _("完成时限须晚于会议日期")))
    if topic is not None and topic.meeting_id != meeting.pk:
        errors.append(FieldError("topic_id", _("该议题不在本次会议议程中")))
    return errors


@transaction.atomic
def decision_add(
    *,
    meeting: Meeting,
    title: str,
    required_outcome: str,
    responsible_unit: Unit | None,
    due_date: dt.date | None,
    topic: Topic | None = None,
    cooperating_units: Sequence[Unit] = (),
    cases: Sequence[Any] = (),
    closes_cases: bool = True,
    case_instructions: str = "",
    actor: User | None,
) -> Decision:
    """Record a decision (议定事项) with one responsible unit and a due date. Cases named
    here must be ones the actor may act on as the office, in the body's area; without
    any, a decision on a topic raised from cases settles the topic's cases."""
    # Lock the meeting: the minutes can't be signed and sent under the new decision.
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("body__jurisdiction")
        .get(pk=meeting.pk)
    )
    access.require(actor, "decision_add", meeting)
    errors = _add_errors(
        meeting=meeting,
        title=title,
        required_outcome=required_outcome,
        responsible_unit=responsible_unit,
        cooperating_units=cooperating_units,
        due_date=due_date,
        topic=topic,
    )
    named = list(cases)
    errors += case_errors(actor, meeting.body, named)
    linked = named or (list(topic.cases.all()) if topic is not None else [])
    if not named:
        errors += case_errors(None, meeting.body, linked)
    if linked and not closes_cases and not case_instructions.strip():
        errors.append(FieldError("case_instructions", _("退回承办单位时须写明办理要求")))
    raise_errors(errors)
    assert responsible_unit is not None and due_date is not None
    decision = Decision.objects.create(
        meeting=meeting,
        topic=topic,
        title=title.strip(),
        required_outcome=required_outcome.strip(),
        responsible_unit=responsible_unit,
        due_date=due_date,
        closes_cases=closes_cases,
        case_instructions=case_instructions.strip(),
    )
    if cooperating_units:
        decision.cooperating_units.set(cooperating_units)
    if linked:
        decision.cases.set(linked)
    audit_record(
        actor=actor,
        action=MeetingsEvent.DECISION_ADD,
        target=decision,
        unit=responsible_unit,
        to_state=D.OPEN,
        extra={"cases": [c.pk for c in linked]},
    )
    return decision


@transaction.atomic
def decision_transition(
    *,
    decision: Decision,
    to: str,
    actor: User | None,
    reason: str = "",
    extra: dict[str, Any] | None = None,
    **fields: Any,
) -> Decision:
    """The one service that moves a decision through DECISION_MOVES."""
    return DECISIONS.move(  # type: ignore[no-any-return]
        decision, to=to, actor=actor, reason=reason, extra=extra, **fields
    )


@transaction.atomic
def decision_progress_report(
    *, decision: Decision, text: str, actor: User | None, unit: Unit | None = None
) -> DecisionProgress:
    """A responsible or co-operating unit (or the office following up, 督办) reports
    progress. The first report moves an open decision to in progress."""
    access.require(actor, "decision_progress", decision)
    if actor is not None and unit is None:
        mine = access.Who(actor).decision_units(decision)
        unit = Unit.objects.get(pk=min(mine)) if mine else None
    if not text.strip():
        raise InvalidInput(errors=[FieldError("text", _("请填写进展情况"))])
    item = DecisionProgress.objects.create(
        decision=decision, unit=unit, text=text.strip(), author=person_of(actor)
    )
    audit_record(actor=actor, action=MeetingsEvent.DECISION_PROGRESS, target=decision, unit=unit)
    if decision.state == D.OPEN:
        decision_transition(decision=decision, to=D.IN_PROGRESS, actor=actor)
    return item


@transaction.atomic
def decision_complete(
    *, decision: Decision, outcome: str, actor: User | None, now: dt.datetime | None = None
) -> Decision:
    """The responsible unit (or the office) reports the decision done; linked cases are
    closed with the outcome, or handed back to their lead unit with instructions, on
    the authority of the body that decided, in the actor's name."""
    access.require(actor, "decision_complete", decision, now=now)
    if not outcome.strip():
        raise InvalidInput(errors=[FieldError("outcome", _("请填写落实结果"))])
    now = now or timezone.now()
    body = decision.meeting.body
    decision_transition(
        decision=decision,
        to=D.DONE,
        actor=actor,
        extra={"late": decision.due_date < local(now).date()},
        outcome=outcome.strip(),
        done_at=now,
    )
    DecisionProgress.objects.create(
        decision=decision,
        unit=decision.responsible_unit,
        text=_("办结：%(strip)s") % {"strip": outcome.strip()},
        kind="done",
        author=person_of(actor),
    )
    _apply_to_cases(decision, actor)
    if body.office_unit is not None:
        inbox_send(
            unit=body.office_unit,
            kind=InboxMessage.Kind.DECISION,
            key=f"done:{decision.pk}",
            text=_("议定事项已办结：%(title)s") % {"title": decision.title},
            decision=decision,
        )
    _settle_origin(decision, actor, now)
    return decision


def _settle_origin(decision: Decision, actor: User | None, now: dt.datetime) -> None:
    """A decision of the body above on an escalated matter settles the lower body's
    escalated decision too; its cases went up with the topic and were handled there."""
    topic = decision.topic
    origin = topic.escalated_from if topic is not None else None
    if origin is None or origin.state != D.ESCALATED:
        return
    body = decision.meeting.body
    text = _("经%(name)s研究议定并办结：%(title)s。%(outcome)s") % {
        "name": body.name,
        "title": decision.title,
        "outcome": decision.outcome,
    }
    decision_transition(
        decision=origin,
        to=D.DONE,
        actor=actor,
        reason=_("由%(name)s议定事项办结") % {"name": body.name},
        extra={"settled_by": decision.pk},
        outcome=text,
        done_at=now,
    )
    DecisionProgress.objects.create(
        decision=origin, unit=decision.responsible_unit, text=text, kind="done"
    )
    lower_office = origin.meeting.body.office_unit
    if lower_office is not None:
        inbox_send(
            unit=lower_office,
            kind=InboxMessage.Kind.DECISION,
            key=f"settled:{origin.pk}",
            text=_("上级已办结提请事项：%(title)s") % {"title": origin.title},
            decision=origin,
        )


def _apply_to_cases(decision: Decision, actor: User | None) -> None:
    """Close the decision's cases with its outcome, or hand them back to their lead unit
    with the instructions; the cases app refuses a case outside the body's area, and the
    whole completion with it."""
    from gongzhi.cases.services import case_decision_apply

    label = _("%(title)s议定事项：%(title2)s") % {
        "title": decision.meeting.title,
        "title2": decision.title,
    }
    body = decision.meeting.body
    for case in decision.cases.exclude(state__in=CASE_SETTLED).select_related("estate__community"):
        case_decision_apply(
            case=case,
            actor=actor,
            body=body,
            decision_label=label,
            outcome=decision.outcome,
            close=decision.closes_cases,
            instructions=decision.case_instructions,
        )


def decision_history_text(decision: Decision) -> str:
    lines = [
        _("原会议：%(title)s（%(date)s）")
        % {
            "title": decision.meeting.title,
            "date": f"{local(decision.meeting.starts_at):%Y-%m-%d}",
        },
        _("议定事项：%(title)s") % {"title": decision.title},
        _("落实要求：%(required_outcome)s") % {"required_outcome": decision.required_outcome},
        _("责任单位：%(unit)s；完成时限：%(due)s")
        % {"unit": decision.responsible_unit, "due": f"{decision.due_date:%Y-%m-%d}"},
    ]
    if decision.topic is not None:
        lines.append(
            _("原议题：%(title)s——%(background)s")
            % {"title": decision.topic.title, "background": decision.topic.background}
        )
    for p in decision.progress.select_related("unit"):
        lines.append(f"{local(p.created_at):%Y-%m-%d} {p.unit or ''}：{p.text}")
    return "\n".join(lines)


@transaction.atomic
def decision_escalate(*, decision: Decision, actor: User | None, reason: str) -> Topic:
    """An overdue decision becomes a proposed topic of the next level's body, with its
    whole history attached and its cases (004 三(四))."""
    access.require(actor, "decision_escalate", decision)
    if not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", _("请说明提请上级研究的理由"))])
    body = decision.meeting.body
    target = access.next_level_body(body)
    assert target is not None  # the rule offers escalation only with a body above
    history = decision_history_text(decision)
    decision_transition(
        decision=decision,
        to=D.ESCALATED,
        actor=actor,
        reason=reason.strip(),
        extra={"to_body": target.pk},
    )
    return topic_create(
        body=target,
        unit=body.office_unit or decision.responsible_unit,
        title=(
            _("【%(name)s提请】%(title)s")
            % {"name": body.jurisdiction.name, "title": decision.title}
        )[:200],
        background=history,
        ask=reason.strip(),
        estates=list(decision.topic.estates.all()) if decision.topic else [],
        cases=list(decision.cases.all()),
        escalated_from=decision,
        actor=actor,
    )
