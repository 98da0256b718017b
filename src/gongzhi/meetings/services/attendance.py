"""Leave (请假, 000 三(四)2(5)): asked of the convener with a substitute from the same
unit, filed with the office; and attendance, which marks the meeting held."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.meetings import access
from gongzhi.meetings.events import MeetingsEvent
from gongzhi.meetings.models import Attendance, Invitation, LeaveRequest, Meeting
from gongzhi.meetings.services.core import Machine, local, person_of, raise_errors
from gongzhi.meetings.services.meetings import meeting_transition
from gongzhi.meetings.workflow import LEAVE_MOVES, LeaveState, MeetingState
from gongzhi.org.models import BodyMember, Person, Post, Unit, User

L, M = LeaveState, MeetingState


LEAVES = Machine(
    LeaveRequest, LEAVE_MOVES, MeetingsEvent.LEAVE_TRANSITION, lambda leave: leave.invitation.unit
)


def unit_people(unit_id: int | None, on: dt.date | None = None) -> QuerySet[Person]:
    """Who may stand in for a unit: people holding a current post in it, or a seat for it."""
    if unit_id is None:
        return Person.objects.none()
    day = on or timezone.localdate()
    posts = Post.objects.filter(unit_id=unit_id, start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )
    seats = BodyMember.objects.filter(unit_id=unit_id, end_date__isnull=True)
    return Person.objects.filter(
        Q(pk__in=posts.values("person_id")) | Q(pk__in=seats.values("person_id"))
    ).order_by("name")


def holds_post_in(person: Person, unit: Unit, on: dt.date) -> bool:
    return unit_people(unit.pk, on).filter(pk=person.pk).exists()


@transaction.atomic
def leave_request(
    *,
    invitation: Invitation,
    reason: str,
    substitute: Person | None,
    actor: User | None,
    now: dt.datetime | None = None,
) -> LeaveRequest:
    """A member who can't come asks the convener for leave and names a substitute from
    the same unit (000 三(四)2(5))."""
    # Lock the invitation: two requests at once would both find none pending.
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("meeting__body", "unit")
        .get(pk=invitation.pk)
    )
    access.require(actor, "leave_request", invitation, now=now)
    assert invitation.unit is not None
    errors: list[FieldError] = []
    if not reason.strip():
        errors.append(FieldError("reason", _("请填写请假事由")))
    day = local(invitation.meeting.starts_at).date()
    if substitute is None:
        errors.append(FieldError("substitute_id", _("请指定代会人员")))
    elif not holds_post_in(substitute, invitation.unit, day):
        errors.append(
            FieldError(
                "substitute_id", _("代会人员须为%(unit)s的在职人员") % {"unit": invitation.unit}
            )
        )
    raise_errors(errors)
    assert substitute is not None
    leave = LeaveRequest.objects.create(
        invitation=invitation, reason=reason.strip(), substitute=substitute
    )
    audit_record(
        actor=actor,
        action=MeetingsEvent.LEAVE_REQUEST,
        target=leave,
        unit=invitation.unit,
        to_state=L.REQUESTED,
        reason=leave.reason,
        extra={"substitute": substitute.name},
    )
    return leave


@transaction.atomic
def leave_transition(
    *, leave: LeaveRequest, to: str, actor: User | None, reason: str = "", **fields: Any
) -> LeaveRequest:
    """The one service that moves a leave request through LEAVE_MOVES."""
    return LEAVES.move(leave, to=to, actor=actor, reason=reason, **fields)  # type: ignore[no-any-return]


@transaction.atomic
def leave_decide(
    *, leave: LeaveRequest, approve: bool, actor: User | None, reason: str = ""
) -> LeaveRequest:
    """The convener approves a leave request, or refuses it with a reason."""
    access.require(actor, "leave_decide", leave)
    if not approve and not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", _("不批准须说明理由"))])
    return leave_transition(
        leave=leave,
        to=L.APPROVED if approve else L.REJECTED,
        actor=actor,
        reason=reason.strip(),
        decided_by=person_of(actor),
        decided_at=timezone.now(),
    )


@transaction.atomic
def leave_file(*, leave: LeaveRequest, actor: User | None) -> LeaveRequest:
    """The office files an approved leave request."""
    access.require(actor, "leave_file", leave)
    return leave_transition(leave=leave, to=L.FILED, actor=actor, filed_at=timezone.now())


@dataclass
class AttendanceRow:
    invitation_id: int
    status: str
    attendee_id: int | None = None
    note: str = ""


def _row_errors(
    meeting: Meeting, rows: Sequence[AttendanceRow], invitations: dict[int, Invitation]
) -> list[FieldError]:
    errors: list[FieldError] = []
    people = Person.objects.in_bulk([r.attendee_id for r in rows if r.attendee_id])
    day = local(meeting.starts_at).date()
    for n, row in enumerate(rows, start=1):
        inv = invitations.get(row.invitation_id)
        name = f"rows.{n}"
        if inv is None:
            errors.append(FieldError(name, _("不是本次会议的参会单位")))
            continue
        if row.status not in Attendance.Status.values:
            errors.append(
                FieldError(
                    name,
                    _("%(label)s：未知出席情况“%(status)s”")
                    % {"label": inv.label, "status": row.status},
                )
            )
            continue
        sub = people.get(row.attendee_id) if row.attendee_id else None
        if row.attendee_id and sub is None:
            errors.append(FieldError(name, _("%(label)s：人员不存在") % {"label": inv.label}))
        if row.status == Attendance.Status.SUBSTITUTE:
            if sub is None:
                errors.append(
                    FieldError(name, _("%(label)s：委托代会须填写代会人员") % {"label": inv.label})
                )
            elif inv.unit is not None and not holds_post_in(sub, inv.unit, day):
                errors.append(
                    FieldError(name, _("%(label)s：代会人员须为本单位人员") % {"label": inv.label})
                )
    if not rows:
        errors.append(FieldError("rows", _("请登记出席情况")))
    if len({r.invitation_id for r in rows}) != len(rows):
        errors.append(FieldError("rows", _("同一参会单位只能登记一次")))
    return errors


@transaction.atomic
def attendance_record(
    *,
    meeting: Meeting,
    rows: Sequence[AttendanceRow],
    actor: User | None,
    now: dt.datetime | None = None,
) -> list[Attendance]:
    """Record who came (present, substitute, on leave, absent). Marks the meeting held,
    also one the sweep flagged as not held on its day."""
    access.require(actor, "attendance_record", meeting, now=now)
    invitations = {i.pk: i for i in meeting.invitations.select_related("unit")}
    raise_errors(_row_errors(meeting, rows, invitations))
    saved = []
    for row in rows:
        att, _created = Attendance.objects.update_or_create(
            invitation_id=row.invitation_id,
            defaults={
                "status": row.status,
                "attendee_id": row.attendee_id,
                "note": row.note.strip(),
            },
        )
        saved.append(att)
    audit_record(
        actor=actor,
        action=MeetingsEvent.ATTENDANCE_RECORD,
        target=meeting,
        extra={"rows": [[r.invitation_id, r.status] for r in rows]},
    )
    if meeting.state in (M.PLANNED, M.NOTICED, M.MISSED):
        meeting_transition(meeting=meeting, to=M.HELD, actor=actor, now=now)
    return saved
