"""Meetings: ad-hoc meetings, the notice, participants, cancelling, and the one service
that moves a meeting through MEETING_MOVES."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, FieldError, InvalidInput
from gongzhi.meetings import access, selectors
from gongzhi.meetings.events import MeetingsEvent
from gongzhi.meetings.models import InboxMessage, Invitation, Meeting, Schedule
from gongzhi.meetings.services.core import Machine, inbox_send, local, raise_errors
from gongzhi.meetings.services.schedule import default_chair
from gongzhi.meetings.workflow import MEETING_MOVES, MeetingState, TopicState
from gongzhi.org.models import Body, Person, Unit, User

M = MeetingState


MEETINGS = Machine(Meeting, MEETING_MOVES, MeetingsEvent.MEETING_TRANSITION)


@transaction.atomic
def meeting_create(
    *,
    body: Body,
    kind: str,
    starts_at: dt.datetime,
    place: str,
    title: str = "",
    chair: Person | None = None,
    units: Sequence[Unit] = (),
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> Meeting:
    """An ad-hoc meeting: plenary (all members) or partial (the units the convener
    chooses for its topics, 000 三(四)1 and 2(2))."""
    access.require(actor, "meeting_create", body, now=now)
    errors: list[FieldError] = []
    if kind not in (Meeting.Kind.PLENARY, Meeting.Kind.PARTIAL):
        errors.append(FieldError("kind", _("临时会议应为全体成员会议或部分成员会议")))
    if timezone.is_naive(starts_at):
        errors.append(FieldError("starts_at", _("召开时间须带时区")))
    elif starts_at <= (now or timezone.now()):
        errors.append(FieldError("starts_at", _("召开时间须在当前时间之后")))
    if not place.strip():
        errors.append(FieldError("place", _("请填写会议地点")))
    if kind == Meeting.Kind.PARTIAL and not units:
        errors.append(FieldError("units", _("部分成员会议须选择参会单位")))
    raise_errors(errors)
    label = Meeting.Kind(kind).label
    meeting = Meeting.objects.create(
        body=body,
        kind=kind,
        title=title.strip()
        or f"{body.name}{local(starts_at):%Y年%m月%d日}{label}",  # i18n: data (stored title)
        starts_at=starts_at,
        place=place.strip(),
        chair=chair or default_chair(body, local(starts_at).date()),
    )
    for unit in {u.pk: u for u in units}.values():
        Invitation.objects.create(meeting=meeting, role=Invitation.Role.MEMBER, unit=unit)
    audit_record(actor=actor, action=MeetingsEvent.MEETING_CREATE, target=meeting)
    return meeting


@transaction.atomic
def meeting_transition(
    *,
    meeting: Meeting,
    to: str,
    actor: User | None,
    reason: str = "",
    now: dt.datetime | None = None,
    event: MeetingsEvent = MeetingsEvent.MEETING_TRANSITION,
    extra: dict[str, Any] | None = None,
    **fields: Any,
) -> Meeting:
    """The one service that moves a meeting through MEETING_MOVES. The actions that move
    a meeting (notice, attendance, cancelling, sending the minutes, the sweep) call it as
    part of their change; it checks nobody's permission itself."""
    if to == M.HELD:
        fields["held_at"] = now or timezone.now()
    return MEETINGS.move(  # type: ignore[no-any-return]
        meeting, to=to, actor=actor, reason=reason, event=event, extra=extra, **fields
    )


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, actor: User | None) -> Meeting:
    """The office cancels a meeting with the reason; its agenda goes back to the approved
    topics, to be put on another meeting."""
    access.require(actor, "meeting_cancel", meeting)
    if not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", _("取消会议须说明理由"))])
    meeting_transition(meeting=meeting, to=M.CANCELLED, actor=actor, reason=reason.strip())
    from gongzhi.meetings.services.topics import topic_transition

    for topic in meeting.topics.filter(state=TopicState.SCHEDULED):
        topic_transition(
            topic=topic,
            to=TopicState.APPROVED,
            actor=actor,
            reason=_("会议取消，移出议程"),
            meeting=None,
            agenda_order=0,
        )
    return meeting


def _ensure_member_invitations(meeting: Meeting) -> None:
    if meeting.kind == Meeting.Kind.PARTIAL:
        return
    have = set(meeting.invitations.values_list("unit_id", flat=True))
    for unit_id in sorted(access.member_unit_ids(meeting.body) - have):
        Invitation.objects.create(meeting=meeting, role=Invitation.Role.MEMBER, unit_id=unit_id)


@transaction.atomic
def meeting_notice_send(
    *, meeting: Meeting, actor: User | None, now: dt.datetime | None = None
) -> Meeting:
    """Send the notice (会议通知) to every participant's inbox (000 三(四)2(4)(5),
    002 (一)第四条). The agenda opens with the report on the previous decisions, frozen
    into the meeting as sent."""
    now = now or timezone.now()
    access.require(actor, "meeting_notice", meeting, now=now)
    _ensure_member_invitations(meeting)
    invitations = list(meeting.invitations.select_related("unit"))
    if not invitations:
        raise InvalidInput(errors=[FieldError("participants", _("没有参会单位，请先添加"))])
    schedule = Schedule.objects.filter(body=meeting.body).first()
    lead = schedule.notice_days if schedule else 0
    late = (local(meeting.starts_at).date() - local(now).date()).days < lead
    report = selectors.decisions_report(meeting)
    meeting_transition(
        meeting=meeting,
        to=M.NOTICED,
        actor=actor,
        event=MeetingsEvent.MEETING_NOTICE,
        extra={"late": late, "lead_days": lead, "participants": len(invitations)},
        notice_sent_at=now,
        decisions_report=report,
    )
    meeting.invitations.filter(notified_at__isnull=True).update(notified_at=now)
    when = local(meeting.starts_at)
    for inv in invitations:
        if inv.unit is not None:
            inbox_send(
                unit=inv.unit,
                kind=InboxMessage.Kind.NOTICE,
                key=f"notice:{meeting.pk}",
                text=_("会议通知：%(title)s，%(when)s，%(place)s")
                % {
                    "title": meeting.title,
                    "when": when.strftime(_("%m月%d日 %H:%M")),
                    "place": meeting.place,
                },
                meeting=meeting,
            )
    return meeting


@transaction.atomic
def invitation_add(
    *,
    meeting: Meeting,
    role: str,
    unit: Unit | None = None,
    name: str = "",
    person: Person | None = None,
    actor: User | None = None,
) -> Invitation:
    """Add a participant; outside units and leaders (人大, 政协) attend or observe
    (列席, 000 三(四)2(2)). Once the notice is out, the newcomer gets it too."""
    access.require(actor, "invitation_add", meeting)
    errors: list[FieldError] = []
    if role not in Invitation.Role.values:
        errors.append(FieldError("role", _("未知参会身份“%(role)s”") % {"role": role}))
    if unit is None and not name.strip():
        errors.append(FieldError("unit_id", _("请选择单位或填写外部单位/人员名称")))
    if unit is not None and meeting.invitations.filter(unit=unit).exists():
        errors.append(FieldError("unit_id", _("%(unit)s 已在参会名单中") % {"unit": unit}))
    raise_errors(errors)
    try:
        with transaction.atomic():
            inv = Invitation.objects.create(
                meeting=meeting, role=role, unit=unit, name=name.strip(), person=person
            )
    except IntegrityError as exc:
        raise Conflict(_("%(unit)s 已在参会名单中") % {"unit": unit}) from exc
    if meeting.state == M.NOTICED:
        inv.notified_at = timezone.now()
        inv.save(update_fields=["notified_at", "updated_at"])
        if unit is not None:
            inbox_send(
                unit=unit,
                kind=InboxMessage.Kind.NOTICE,
                key=f"notice:{meeting.pk}",
                text=_("会议通知：%(title)s（%(get_role_display)s）")
                % {"title": meeting.title, "get_role_display": inv.get_role_display()},
                meeting=meeting,
            )
    audit_record(actor=actor, action=MeetingsEvent.INVITATION_ADD, target=inv, unit=unit)
    return inv
