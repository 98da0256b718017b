"""Topics (议题, 000 三(四)2(4)): proposed by a member unit, or by the office from cases,
approved by the convener, put on an agenda by the office."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput, PermissionDenied
from gongzhi.meetings import access
from gongzhi.meetings.events import MeetingsEvent
from gongzhi.meetings.models import Decision, InboxMessage, Meeting, Topic
from gongzhi.meetings.services.core import Machine, inbox_send, person_of, raise_errors
from gongzhi.meetings.workflow import TOPIC_MOVES, TopicState
from gongzhi.org.models import Body, Estate, Unit, User

T = TopicState


TOPICS = Machine(Topic, TOPIC_MOVES, MeetingsEvent.TOPIC_TRANSITION, lambda t: t.proposing_unit)


def case_errors(
    actor: User | None, body: Body, cases: Iterable[Any], field: str = "case_ids"
) -> list[FieldError]:
    """One error per reason a case can't be linked to this body's topic or decision."""
    found: list[str] = []
    for case in cases:
        refused = access.case_link_refusal(actor, body, case)
        if refused is not None and refused not in found:
            found.append(refused)
    return [FieldError(field, message) for message in found]


def _text_errors(title: str, background: str, ask: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if not title.strip():
        errors.append(FieldError("title", _("请填写议题名称")))
    elif len(title.strip()) > 200:
        errors.append(FieldError("title", _("议题名称不超过 200 字")))
    if not background.strip():
        errors.append(FieldError("background", _("请说明背景情况")))
    if not ask.strip():
        errors.append(FieldError("ask", _("请写明提请会议研究决定的事项")))
    return errors


def _estate_errors(body: Body, estates: Sequence[Estate]) -> list[FieldError]:
    outside = [e for e in estates if not e.community.path.startswith(body.jurisdiction.path)]
    if outside:
        names = "、".join(e.name for e in outside)
        return [
            FieldError(
                "estate_codes",
                _("%(names)s不在%(name)s的辖区内") % {"names": names, "name": body.name},
            )
        ]
    return []


def topic_create(
    *,
    body: Body,
    unit: Unit,
    title: str,
    background: str,
    ask: str,
    estates: Sequence[Estate] = (),
    cases: Sequence[Any] = (),
    attachment: Any = None,
    escalated_from: Decision | None = None,
    actor: User | None,
) -> Topic:
    """Write a checked topic, its event, and the office's inbox line. Not an action of
    its own: topic_propose, topic_from_cases and decision_escalate check first."""
    topic = Topic.objects.create(
        body=body,
        proposing_unit=unit,
        title=title.strip(),
        background=background.strip(),
        ask=ask.strip(),
        escalated_from=escalated_from,
        proposed_by=person_of(actor),
    )
    if attachment:
        topic.attachment = attachment
        topic.save(update_fields=["attachment", "updated_at"])
    if estates:
        topic.estates.set(estates)
    if cases:
        topic.cases.set(cases)
    audit_record(
        actor=actor,
        action=MeetingsEvent.TOPIC_PROPOSE,
        target=topic,
        unit=unit,
        to_state=T.PROPOSED,
        extra={
            "escalated_from": escalated_from.pk if escalated_from else None,
            "cases": [c.pk for c in cases],
        },
    )
    if body.office_unit is not None:
        inbox_send(
            unit=body.office_unit,
            kind=InboxMessage.Kind.TOPIC,
            key=f"topic:{topic.pk}",
            text=_("新议题待审批：%(title)s（%(unit)s）") % {"title": topic.title, "unit": unit},
            topic=topic,
        )
    return topic


@transaction.atomic
def topic_propose(
    *,
    body: Body,
    unit: Unit,
    title: str,
    background: str,
    ask: str,
    estates: Iterable[Estate] = (),
    cases: Iterable[Any] = (),
    attachment: Any = None,
    actor: User | None = None,
) -> Topic:
    """A member unit proposes a topic in its own name; the office may propose for any
    member unit or for itself. Cases go along only if the actor may act on them as the
    office and the body's area holds them."""
    access.require(actor, "topic_propose", body)
    if actor is not None:
        who = access.Who(actor)
        if not (who.manages(body) or who.in_unit(unit.pk)):
            raise PermissionDenied(_("只能以本单位名义提出议题"))
    estates, cases = list(estates), list(cases)
    errors = _text_errors(title, background, ask)
    if unit.pk not in access.member_unit_ids(body) and body.office_unit_id != unit.pk:
        errors.append(
            FieldError(
                "unit_id", _("%(unit)s 不是%(name)s的成员单位") % {"unit": unit, "name": body.name}
            )
        )
    errors += _estate_errors(body, estates) + case_errors(actor, body, cases)
    raise_errors(errors)
    return topic_create(
        body=body,
        unit=unit,
        title=title,
        background=background,
        ask=ask,
        estates=estates,
        cases=cases,
        attachment=attachment,
        actor=actor,
    )


def _busy_topic(cases: Sequence[Any]) -> Topic | None:
    return (
        Topic.objects.filter(cases__in=cases)
        .exclude(state__in=(T.REJECTED, T.DISCUSSED))
        .order_by("pk")
        .first()
    )


@transaction.atomic
def topic_from_cases(
    *, body: Body, cases: Sequence[Any], actor: User | None, title: str = "", ask: str = ""
) -> Topic:
    """The office raises a case, or several about the same estate and matter, as a topic.
    The body's office proposes it (not the unit that let the case lapse), in the name of
    the person who raised it; the convener still approves it."""
    access.require(actor, "topic_from_cases", body)
    cases = list(cases)
    errors: list[FieldError] = []
    if not cases:
        errors.append(FieldError("case_ids", _("请选择案件")))
    else:
        errors += case_errors(actor, body, cases)
    if not errors:
        if len({c.estate_id for c in cases}) > 1 or len({c.matter_id for c in cases}) > 1:
            errors.append(FieldError("case_ids", _("一并提交的案件须为同一小区、同一事项")))
        elif (busy := _busy_topic(cases)) is not None:
            errors.append(FieldError("case_ids", _("案件已在议题“%(busy)s”中") % {"busy": busy}))
    if body.office_unit is None:
        errors.append(FieldError("case_ids", _("该议事机构未设办公室，无法提出议题")))
    raise_errors(errors)
    assert body.office_unit is not None
    first = cases[0]
    if not title.strip():
        title = (
            f"{first.title}（{first.number}）"
            if len(cases) == 1
            else _("%(estate)s%(value)s等 %(len)s 件案件")
            % {"estate": first.estate, "value": first.matter or "", "len": len(cases)}
        )
    lines = [
        _("%(number)s %(title)s，%(estate)s，现由%(value)s办理（%(get_state_display)s）")
        % {
            "number": c.number,
            "title": c.title,
            "estate": c.estate,
            "value": c.lead_unit or "—",
            "get_state_display": c.get_state_display(),
        }
        for c in cases
    ]
    return topic_create(
        body=body,
        unit=body.office_unit,
        title=title[:200],
        background="\n".join(lines),
        ask=ask.strip()
        or _("以上案件单一单位难以解决，请会议研究明确责任单位、配合单位和办理时限。"),
        estates=list({c.estate_id: c.estate for c in cases}.values()),
        cases=cases,
        actor=actor,
    )


@transaction.atomic
def topic_transition(
    *, topic: Topic, to: str, actor: User | None, reason: str = "", **fields: Any
) -> Topic:
    """The one service that moves a topic through TOPIC_MOVES (part of other actions)."""
    return TOPICS.move(topic, to=to, actor=actor, reason=reason, **fields)  # type: ignore[no-any-return]


@transaction.atomic
def topic_review(*, topic: Topic, approve: bool, actor: User | None, reason: str = "") -> Topic:
    """The convener approves a topic, or rejects it with a reason (000 三(四)2(4))."""
    access.require(actor, "topic_review", topic)
    if not approve and not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", _("不予批准须说明理由"))])
    if approve:
        topic = topic_transition(topic=topic, to=T.APPROVED, actor=actor, reason=reason.strip())
        text = _("议题已批准：%(title)s") % {"title": topic.title}
    else:
        topic = topic_transition(
            topic=topic,
            to=T.REJECTED,
            actor=actor,
            reason=reason.strip(),
            reject_reason=reason.strip(),
        )
        text = _("议题未获批准：%(title)s。理由：%(strip)s") % {
            "title": topic.title,
            "strip": reason.strip(),
        }
    inbox_send(
        unit=topic.proposing_unit,
        kind=InboxMessage.Kind.TOPIC,
        key=f"topic-review:{topic.pk}",
        text=text,
        topic=topic,
    )
    return topic


@transaction.atomic
def topic_schedule(
    *, topic: Topic, meeting: Meeting, actor: User | None, now: dt.datetime | None = None
) -> Topic:
    """The office puts an approved topic on the agenda of a planned meeting of its body."""
    now = now or timezone.now()
    access.require(actor, "topic_schedule", topic, now=now)
    if not access.open_agendas(topic.body, now).filter(pk=meeting.pk).exists():
        raise InvalidInput(
            errors=[FieldError("meeting_id", _("该会议不属于本议事机构，或通知已发出、会议已过"))]
        )
    order = (meeting.topics.aggregate(m=Max("agenda_order"))["m"] or 0) + 1
    return topic_transition(
        topic=topic, to=T.SCHEDULED, actor=actor, meeting=meeting, agenda_order=order
    )


@transaction.atomic
def topic_unschedule(*, topic: Topic, actor: User | None) -> Topic:
    """The office takes a topic off an agenda that is not sent yet."""
    access.require(actor, "topic_unschedule", topic)
    return topic_transition(
        topic=topic, to=T.APPROVED, actor=actor, reason=_("移出议程"), meeting=None, agenda_order=0
    )
