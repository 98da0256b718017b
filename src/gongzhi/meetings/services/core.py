"""What the meetings services share: one move of a transition table with its audit
event, the units' inbox, and local time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, DomainError, FieldError, InvalidInput
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings.events import MeetingsEvent
from gongzhi.meetings.models import Decision, InboxMessage, Meeting, Topic
from gongzhi.meetings.workflow import allowed
from gongzhi.notify.models import EventType
from gongzhi.notify.services import About, queue_for_units
from gongzhi.org.models import Unit, User


def raise_errors(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(errors=errors)


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(SHANGHAI)


def person_of(actor: User | None) -> User | None:
    """The account to name on a row (``proposed_by``, ``signed_by`` …); None for the system."""
    return actor if actor is not None and actor.is_authenticated else None


def apply_move(
    *,
    model: type[Model],
    obj: Any,
    table: dict[str, set[str]],
    to: str,
    actor: User | None,
    event: MeetingsEvent,
    reason: str = "",
    unit: Unit | None = None,
    extra: dict[str, Any] | None = None,
    **fields: Any,
) -> Any:
    """Apply one move of a transition table: refuse a move the table lacks, update on the
    old state only, and raise Conflict when someone else moved it first."""
    old = obj.state
    if not allowed(table, old, to):
        labels = dict(model._meta.get_field("state").choices or [])  # type: ignore[union-attr,arg-type]
        raise DomainError(
            _("当前状态“%(get)s”不能变为“%(get2)s”")
            % {"get": labels.get(old, old), "get2": labels.get(to, to)}
        )
    count = model._default_manager.filter(pk=obj.pk, state=old).update(  # type: ignore[attr-defined]
        state=to, updated_at=timezone.now(), **fields
    )
    if count != 1:
        raise Conflict(_("该记录已被他人处理，请刷新后重试"))
    obj.state = to
    for name, value in fields.items():
        setattr(obj, name, value)
    audit_record(
        actor=actor,
        action=event,
        target=obj,
        unit=unit,
        from_state=old,
        to_state=to,
        reason=reason,
        extra=extra,
    )
    return obj


def _no_unit(obj: Any) -> Unit | None:
    return None


@dataclass(frozen=True)
class Machine:
    """One state machine of the meetings app: its model, transition table, the audit event
    of a move and the unit an event names. Each ``*_transition`` service is ``move``."""

    model: type[Model]
    table: dict[str, set[str]]
    event: MeetingsEvent
    unit_of: Callable[[Any], Unit | None] = _no_unit

    def move(
        self,
        obj: Any,
        *,
        to: str,
        actor: User | None,
        reason: str = "",
        event: MeetingsEvent | None = None,
        extra: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Any:
        return apply_move(
            model=self.model,
            obj=obj,
            table=self.table,
            to=to,
            actor=actor,
            event=event or self.event,
            reason=reason,
            unit=self.unit_of(obj),
            extra=extra,
            **fields,
        )


def inbox_send(
    *,
    unit: Unit,
    kind: str,
    key: str,
    text: str,
    meeting: Meeting | None = None,
    topic: Topic | None = None,
    decision: Decision | None = None,
) -> bool:
    """One message per (unit, key); returns False when it was already there. A new one
    also goes to the unit's group robots and staff e-mail (gongzhi.notify)."""
    msg, created = InboxMessage.objects.get_or_create(
        unit=unit,
        key=key,
        defaults={
            "kind": kind,
            "text": text[:300],
            "meeting": meeting,
            "topic": topic,
            "decision": decision,
        },
    )
    if created:
        _messages_out(msg)
    return created


# The kind of an inbox message → the event its messages outside are sent as.
KIND_EVENTS: dict[str, str] = {
    InboxMessage.Kind.NOTICE: EventType.MEETING_NOTICE,
    InboxMessage.Kind.MINUTES: EventType.CIRCULAR,
    InboxMessage.Kind.TOPIC: EventType.CIRCULAR,
    InboxMessage.Kind.DECISION: EventType.DECISION_DUE,
    InboxMessage.Kind.REMINDER: EventType.DECISION_DUE,
    InboxMessage.Kind.OVERDUE: EventType.DECISION_DUE,
}


def _messages_out(msg: InboxMessage) -> None:
    meeting = msg.meeting
    params: dict[str, str] = {"text": msg.text}
    if meeting is not None:
        params.update(
            meeting=meeting.title,
            starts=timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
            place=meeting.place,
        )
    path = msg.unit.jurisdiction.path if msg.unit.jurisdiction_id else ""
    queue_for_units(
        unit_ids=[msg.unit_id],
        event=KIND_EVENTS.get(msg.kind, EventType.CIRCULAR),
        about=About(target=f"meetings.inboxmessage:{msg.pk}", area_path=path, params=params),
    )
