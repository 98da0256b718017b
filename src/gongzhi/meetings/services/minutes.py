"""Minutes (会议纪要): drafted by the office per topic (000 三(四)2(6)), signed or returned
by the convener, sent to the parties (002 (一)第四条), reported to the body above."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, FieldError, InvalidInput
from gongzhi.meetings import access
from gongzhi.meetings.events import MeetingsEvent
from gongzhi.meetings.models import InboxMessage, Meeting, Minutes, MinutesItem
from gongzhi.meetings.services.core import Machine, inbox_send, person_of, raise_errors
from gongzhi.meetings.services.meetings import meeting_transition
from gongzhi.meetings.services.topics import topic_transition
from gongzhi.meetings.workflow import MINUTES_MOVES, MeetingState, MinutesState, TopicState
from gongzhi.org.models import Unit, User

M, N, T = MeetingState, MinutesState, TopicState


MINUTES = Machine(Minutes, MINUTES_MOVES, MeetingsEvent.MINUTES_TRANSITION)


@dataclass
class MinutesItemIn:
    topic_id: int
    report: str = ""
    views: str = ""
    conclusion: str = ""


@transaction.atomic
def minutes_save(
    *,
    meeting: Meeting,
    summary: str,
    items: Sequence[MinutesItemIn],
    is_public: bool = False,
    actor: User | None,
) -> Minutes:
    """The office drafts the minutes, one item per topic (000 三(四)2(6)); only a draft
    changes, so a save that crosses the convener's signature is refused."""
    access.require(actor, "minutes_save", meeting)
    topic_ids = set(meeting.topics.values_list("pk", flat=True))
    raise_errors(
        [
            FieldError(f"items.{i.topic_id}", _("不是本次会议的议题"))
            for i in items
            if i.topic_id not in topic_ids
        ]
    )
    minutes, _created = Minutes.objects.get_or_create(meeting=meeting)
    saved = Minutes.objects.filter(pk=minutes.pk, state=N.DRAFT).update(
        summary=summary.strip(), is_public=is_public, updated_at=timezone.now()
    )
    if not saved:
        raise Conflict(_("纪要已审签，不能再修改；请召集人退回后修改"))
    for item in items:
        MinutesItem.objects.update_or_create(
            minutes=minutes,
            topic_id=item.topic_id,
            defaults={
                "report": item.report.strip(),
                "views": item.views.strip(),
                "conclusion": item.conclusion.strip(),
            },
        )
    minutes.refresh_from_db()
    audit_record(actor=actor, action=MeetingsEvent.MINUTES_SAVE, target=minutes)
    return minutes


@transaction.atomic
def minutes_transition(
    *, minutes: Minutes, to: str, actor: User | None, reason: str = "", **fields: Any
) -> Minutes:
    """The one service that moves minutes through MINUTES_MOVES."""
    return MINUTES.move(minutes, to=to, actor=actor, reason=reason, **fields)  # type: ignore[no-any-return]


def _of(meeting: Meeting) -> Minutes:
    """The meeting's minutes; the rules refuse the actions on minutes before there are any."""
    return Minutes.objects.select_related("meeting__body").get(meeting=meeting)


@transaction.atomic
def minutes_sign(
    *, meeting: Meeting, actor: User | None, now: dt.datetime | None = None
) -> Minutes:
    """The convener signs the minutes off (002 (一)第四条); every topic needs a conclusion."""
    access.require(actor, "minutes_sign", meeting, now=now)
    minutes = _of(meeting)
    done = {i.topic_id for i in minutes.items.all() if i.conclusion.strip()}
    raise_errors(
        [
            FieldError(f"items.{t.pk}", _("议题“%(title)s”尚无会议议定内容") % {"title": t.title})
            for t in meeting.topics.all()
            if t.pk not in done
        ]
    )
    return minutes_transition(
        minutes=minutes,
        to=N.SIGNED,
        actor=actor,
        signed_by=person_of(actor),
        signed_at=now or timezone.now(),
    )


@transaction.atomic
def minutes_return(*, meeting: Meeting, actor: User | None, reason: str) -> Minutes:
    """The convener returns signed minutes to the office with comments."""
    access.require(actor, "minutes_return", meeting)
    minutes = _of(meeting)
    if not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", _("退回须说明修改意见"))])
    return minutes_transition(
        minutes=minutes,
        to=N.DRAFT,
        actor=actor,
        reason=reason.strip(),
        signed_by=None,
        signed_at=None,
    )


def _recipients(meeting: Meeting) -> dict[int, Unit]:
    units: dict[int, Unit] = {}
    for inv in meeting.invitations.select_related("unit"):
        if inv.unit is not None:
            units[inv.unit.pk] = inv.unit
    for d in meeting.decisions.select_related("responsible_unit").prefetch_related(
        "cooperating_units"
    ):
        units[d.responsible_unit.pk] = d.responsible_unit
        for u in d.cooperating_units.all():
            units[u.pk] = u
    return units


@transaction.atomic
def minutes_send(
    *, meeting: Meeting, actor: User | None, now: dt.datetime | None = None
) -> Minutes:
    """Send the signed minutes to the participants and the parties concerned; the
    meeting is then closed and its topics discussed. A street body reports each meeting
    to the office of the body above (000 三(一))."""
    access.require(actor, "minutes_send", meeting, now=now)
    minutes = _of(meeting)
    now = now or timezone.now()
    minutes_transition(minutes=minutes, to=N.SENT, actor=actor, sent_at=now)
    meeting_transition(meeting=meeting, to=M.CLOSED, actor=actor)
    for topic in meeting.topics.filter(state=T.SCHEDULED):
        topic_transition(topic=topic, to=T.DISCUSSED, actor=actor)
    for unit in _recipients(meeting).values():
        inbox_send(
            unit=unit,
            kind=InboxMessage.Kind.MINUTES,
            key=f"minutes:{meeting.pk}",
            text=_("会议纪要：%(title)s") % {"title": meeting.title},
            meeting=meeting,
        )
    upper = access.next_level_body(meeting.body)
    if upper is not None and upper.office_unit is not None:
        inbox_send(
            unit=upper.office_unit,
            kind=InboxMessage.Kind.MINUTES,
            key=f"report-up:{meeting.pk}",
            text=_("会议情况报告：%(title)s（%(count)s 项议定事项）")
            % {"title": meeting.title, "count": meeting.decisions.count()},
            meeting=meeting,
        )
    return minutes
