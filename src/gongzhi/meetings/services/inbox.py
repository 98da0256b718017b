"""Reading: marking a unit's inbox messages and meeting notices read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from gongzhi.common.audit import audit_record
from gongzhi.meetings import access
from gongzhi.meetings.events import MeetingsEvent
from gongzhi.meetings.models import InboxMessage, Meeting
from gongzhi.org.models import Unit, User


@transaction.atomic
def inbox_read(*, actor: User, ids: Sequence[int] = (), now: dt.datetime | None = None) -> int:
    """Mark the actor's units' unread messages read (those of ``ids``, or all); one
    event per unit. Returns how many were unread."""
    access.require(actor, "inbox_read", access.inbox_for(actor))
    now = now or timezone.now()
    unread = access.readable_messages(actor).filter(read_at__isnull=True)
    if ids:
        unread = unread.filter(pk__in=list(ids))
    by_unit: dict[int, list[int]] = {}
    for pk, unit_id in unread.values_list("pk", "unit_id"):
        by_unit.setdefault(unit_id, []).append(pk)
    count = 0
    for unit in Unit.objects.filter(pk__in=by_unit).order_by("pk"):
        marked = InboxMessage.objects.filter(pk__in=by_unit[unit.pk], read_at__isnull=True)
        done = marked.update(read_at=now, updated_at=now)
        if done:
            count += done
            audit_record(
                actor=actor,
                action=MeetingsEvent.INBOX_READ,
                target=unit,
                unit=unit,
                extra={"messages": by_unit[unit.pk]},
            )
    return count


@transaction.atomic
def notice_read(*, meeting: Meeting, actor: User, now: dt.datetime | None = None) -> int:
    """Opening a notice marks it read for the actor's invited units, with its inbox
    message. Returns how many invitations were unread."""
    units = access.who_of(actor).scope.unit_ids
    if not units:
        return 0
    now = now or timezone.now()
    invitations = meeting.invitations.filter(unit_id__in=units, read_at__isnull=True)
    done = invitations.update(read_at=now, updated_at=now)
    InboxMessage.objects.filter(meeting=meeting, unit_id__in=units, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )
    if done:
        audit_record(
            actor=actor,
            action=MeetingsEvent.NOTICE_READ,
            target=meeting,
            extra={"units": sorted(units)},
        )
    return done
