"""Reading: each ``readable_*`` is a queryset scoped to the account first; each ``*_for``
looks one object up in it and answers NotFound for what the account may not read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.common.errors import DB_INT_MAX, NotFound
from gongzhi.meetings.access.standing import Who, seated_now
from gongzhi.meetings.models import (
    Decision,
    InboxMessage,
    Invitation,
    LeaveRequest,
    Meeting,
    Minutes,
    Topic,
)
from gongzhi.meetings.workflow import MeetingState, MinutesState
from gongzhi.org.models import Body, BodyMember
from gongzhi.org.permissions import scope_for


def readable_bodies(user: Any) -> QuerySet[Body]:
    scope = scope_for(user)
    qs = Body.objects.filter(is_active=True)
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    seats = seated_now(BodyMember.objects.filter(body_id=OuterRef("pk"))).filter(
        Q(unit_id__in=scope.unit_ids) | Q(person__user_id=scope.user_id)
    )
    return qs.filter(
        scope.oversight_q("jurisdiction__path")
        | Q(office_unit_id__in=scope.unit_ids)
        | Q(Exists(seats))
    )


def readable_meetings(user: Any) -> QuerySet[Meeting]:
    scope = scope_for(user)
    if scope.is_admin:
        return Meeting.objects.all()
    invited = Invitation.objects.filter(meeting_id=OuterRef("pk"), unit_id__in=scope.unit_ids)
    return Meeting.objects.filter(
        Q(body_id__in=readable_bodies(user).values("pk")) | Q(Exists(invited))
    )


def readable_topics(user: Any) -> QuerySet[Topic]:
    scope = scope_for(user)
    if scope.is_admin:
        return Topic.objects.all()
    return Topic.objects.filter(
        Q(body_id__in=readable_bodies(user).values("pk")) | Q(proposing_unit_id__in=scope.unit_ids)
    )


def readable_decisions(user: Any) -> QuerySet[Decision]:
    scope = scope_for(user)
    if scope.is_admin:
        return Decision.objects.all()
    cooperating = Decision.cooperating_units.through.objects.filter(
        decision_id=OuterRef("pk"), unit_id__in=scope.unit_ids
    )
    return Decision.objects.filter(
        Q(meeting__body_id__in=readable_bodies(user).values("pk"))
        | Q(responsible_unit_id__in=scope.unit_ids)
        | Q(Exists(cooperating))
    )


def readable_invitations(user: Any) -> QuerySet[Invitation]:
    return Invitation.objects.filter(meeting_id__in=readable_meetings(user).values("pk"))


def readable_leaves(user: Any) -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.filter(
        invitation__meeting_id__in=readable_meetings(user).values("pk")
    )


def readable_messages(user: Any) -> QuerySet[InboxMessage]:
    return InboxMessage.objects.filter(unit_id__in=scope_for(user).unit_ids)


def valid_pk(value: Any) -> int | None:
    """An id as the database can hold it, or None (a page's URL or form may hold any
    digits; an id past 2⁶³ would be an overflow, not a miss)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= DB_INT_MAX else None


def _one(qs: QuerySet[Any], pk: Any, what: str) -> Any:
    number = valid_pk(pk)
    found = qs.filter(pk=number).first() if number is not None else None
    if found is None:
        raise NotFound(_("%(what)s不存在或无权查看") % {"what": what})
    return found


def body_for(user: Any, pk: Any) -> Body:
    qs = readable_bodies(user).select_related("jurisdiction", "office_unit")
    body: Body = _one(qs, pk, _("议事机构"))
    return body


def meeting_for(user: Any, pk: Any) -> Meeting:
    qs = readable_meetings(user).select_related("body__jurisdiction", "body__office_unit", "chair")
    meeting: Meeting = _one(qs, pk, _("会议"))
    return meeting


def topic_for(user: Any, pk: Any) -> Topic:
    qs = readable_topics(user).select_related(
        "body__jurisdiction", "proposing_unit", "meeting", "escalated_from__meeting__body"
    )
    topic: Topic = _one(qs, pk, _("议题"))
    return topic


def decision_for(user: Any, pk: Any) -> Decision:
    qs = readable_decisions(user).select_related(
        "meeting__body__jurisdiction", "meeting__body__office_unit", "responsible_unit", "topic"
    )
    decision: Decision = _one(qs, pk, _("议定事项"))
    return decision


def invitation_for(user: Any, pk: Any) -> Invitation:
    qs = readable_invitations(user).select_related("meeting__body__jurisdiction", "unit")
    invitation: Invitation = _one(qs, pk, _("参会单位"))
    return invitation


def leave_for(user: Any, pk: Any) -> LeaveRequest:
    qs = readable_leaves(user).select_related(
        "invitation__meeting__body__jurisdiction", "invitation__unit", "substitute"
    )
    leave: LeaveRequest = _one(qs, pk, _("请假申请"))
    return leave


@dataclass
class UnitInbox:
    """The inbox of an account's units: the object of the "mark read" action."""

    unit_ids: frozenset[int]

    @property
    def pk(self) -> str:
        return "mine"


def inbox_for(user: Any) -> UnitInbox:
    return UnitInbox(frozenset(scope_for(user).unit_ids))


def public_minutes(pk: Any) -> Minutes:
    """Minutes marked public, once sent; everything else stays invisible to the public."""
    found = (
        Minutes.objects.select_related("meeting__body")
        .filter(meeting_id=pk, is_public=True, state=MinutesState.SENT)
        .first()
    )
    if found is None:
        raise NotFound(_("纪要不存在或未公开"))
    return found


def minutes_page_open(who: Who, meeting: Meeting, minutes: Minutes | None) -> bool:
    """The minutes page: the office and the conveners once the meeting is held or there
    are minutes; everyone who reads the meeting once the minutes are sent."""
    if minutes is not None and minutes.state == MinutesState.SENT:
        return True
    staff = who.manages(meeting.body) or who.convenes(meeting.body)
    return staff and (minutes is not None or meeting.state == MeetingState.HELD)


def agenda_open(who: Who, meeting: Meeting) -> bool:
    """The agenda builder: the office, while the meeting is planned."""
    return who.manages(meeting.body) and meeting.state == MeetingState.PLANNED


def minutes_readable(who: Who, meeting: Meeting, minutes: Minutes | None) -> bool:
    """Drafts are for the office and the convener; the others read the minutes once sent."""
    if minutes is None:
        return False
    return (
        minutes.state == MinutesState.SENT
        or who.manages(meeting.body)
        or who.convenes(meeting.body)
    )
