"""Acting: one rule per action of the registry (``RULES``: on what kind of object, who,
and when), and the one answer every door and service asks (``refusal``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from gongzhi.common.errors import Conflict, DomainError, PermissionDenied
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings.access.read import UnitInbox
from gongzhi.meetings.access.standing import Who, next_level_body, who_of
from gongzhi.meetings.models import (
    Decision,
    InboxMessage,
    Invitation,
    LeaveRequest,
    Meeting,
    Minutes,
    Schedule,
    Topic,
)
from gongzhi.meetings.workflow import (
    DECISION_MOVES,
    LEAVE_MOVES,
    MEETING_MOVES,
    MINUTES_MOVES,
    TOPIC_MOVES,
    DecisionState,
    LeaveState,
    MeetingState,
    MinutesState,
    TopicState,
)
from gongzhi.org.models import Body

M, T, L, N, D = MeetingState, TopicState, LeaveState, MinutesState, DecisionState

Check = Callable[[Who, Any], bool]
When = Callable[[Any, dt.datetime], DomainError | None]


@dataclass(frozen=True)
class Rule:
    on: str  # the kind of object: body, meeting, topic, invitation, leave, decision, inbox
    who: Check
    denied: StrOrPromise
    when: When | None = None


def _move(table: dict[str, set[str]], labels: Any, old: str, new: str) -> DomainError | None:
    if new in table.get(old, set()):
        return None
    return DomainError(
        _("当前状态“%(label)s”不能变为“%(label2)s”")
        % {"label": labels(old).label, "label2": labels(new).label}
    )


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def _body(obj: Any) -> Body:
    if isinstance(obj, Body):
        return obj
    if isinstance(obj, Meeting | Topic):
        return obj.body
    if isinstance(obj, Invitation):
        return obj.meeting.body
    if isinstance(obj, LeaveRequest):
        return obj.invitation.meeting.body
    if isinstance(obj, Decision):
        return obj.meeting.body
    raise TypeError(obj)


def _manages(w: Who, obj: Any) -> bool:
    return w.manages(_body(obj))


def _convenes(w: Who, obj: Any) -> bool:
    return w.convenes(_body(obj))


def _minutes(meeting: Meeting) -> Minutes | None:
    # Always read afresh: an action earlier in the same call may have moved them.
    return Minutes.objects.filter(meeting_id=meeting.pk).first()


def _has_schedule(body: Body, now: dt.datetime) -> DomainError | None:
    if Schedule.objects.filter(body_id=body.pk).exists():
        return None
    return DomainError(_("该议事机构尚未设置会议周期"))


def _notice_when(m: Meeting, now: dt.datetime) -> DomainError | None:
    if m.starts_at <= now and m.state == M.PLANNED:
        return DomainError(_("会议时间已过，不能再发通知"))
    return _move(MEETING_MOVES, M, m.state, M.NOTICED)


def _invite_when(m: Meeting, now: dt.datetime) -> DomainError | None:
    if m.state not in (M.PLANNED, M.NOTICED):
        return DomainError(_("会议已召开或已取消，不能再邀请"))
    return None


def _cancel_when(m: Meeting, now: dt.datetime) -> DomainError | None:
    return _move(MEETING_MOVES, M, m.state, M.CANCELLED)


def _attendance_when(m: Meeting, now: dt.datetime) -> DomainError | None:
    if m.state in (M.CANCELLED, M.CLOSED):
        return DomainError(_("会议已取消或纪要已印发，不能再登记"))
    if _local_day(m.starts_at) > _local_day(now):
        return DomainError(_("会议尚未召开，不能登记出席"))
    return None


def _draft_when(m: Meeting, now: dt.datetime) -> DomainError | None:
    """Minutes and decisions are drafted after the meeting is held, until the convener
    signs the minutes."""
    if m.state != M.HELD:
        return DomainError(_("会议召开并登记出席后才能起草纪要、登记议定事项"))
    minutes = _minutes(m)
    if minutes is not None and minutes.state != N.DRAFT:
        return Conflict(_("纪要已审签，不能再修改；请召集人退回后修改"))
    return None


def _sign_when(m: Meeting, now: dt.datetime) -> DomainError | None:
    minutes = _minutes(m)
    if minutes is None:
        return DomainError(_("尚无会议纪要"))
    if m.state != M.HELD:
        return DomainError(_("会议未召开或纪要已印发"))
    return _move(MINUTES_MOVES, N, minutes.state, N.SIGNED)


def _minutes_move(to: str) -> When:
    def when(m: Meeting, now: dt.datetime) -> DomainError | None:
        minutes = _minutes(m)
        if minutes is None:
            return DomainError(_("尚无会议纪要"))
        return _move(MINUTES_MOVES, N, minutes.state, to)

    return when


def _topic_move(to: str) -> When:
    def when(t: Topic, now: dt.datetime) -> DomainError | None:
        return _move(TOPIC_MOVES, T, t.state, to)

    return when


def _schedule_when(t: Topic, now: dt.datetime) -> DomainError | None:
    refused = _move(TOPIC_MOVES, T, t.state, T.SCHEDULED)
    if refused is None and not open_agendas(t.body, now).exists():
        return DomainError(_("没有可列入的计划会议，请先生成例会或安排临时会议"))
    return refused


def _unschedule_when(t: Topic, now: dt.datetime) -> DomainError | None:
    if t.state == T.SCHEDULED and t.meeting is not None and t.meeting.state != M.PLANNED:
        return DomainError(_("会议通知已发出，议程不能再调整"))
    return _move(TOPIC_MOVES, T, t.state, T.APPROVED)


def open_agendas(body: Body, now: dt.datetime) -> QuerySet[Meeting]:
    """Meetings whose agenda the office may still compile: planned and still ahead."""
    return Meeting.objects.filter(body_id=body.pk, state=M.PLANNED, starts_at__gt=now)


def _leave_request_who(w: Who, inv: Invitation) -> bool:
    return inv.unit_id is not None and w.in_unit(inv.unit_id)


def _leave_request_when(inv: Invitation, now: dt.datetime) -> DomainError | None:
    meeting = inv.meeting
    if inv.unit_id is None:
        return DomainError(_("外部列席人员无需请假"))
    if meeting.state not in (M.PLANNED, M.NOTICED) or meeting.starts_at <= now:
        return DomainError(_("会议已召开，不能再请假"))
    if any(lv.state != L.REJECTED for lv in inv.leaves.all()):
        return DomainError(_("本单位已有请假申请"))
    return None


def _leave_move(to: str) -> When:
    def when(leave: LeaveRequest, now: dt.datetime) -> DomainError | None:
        return _move(LEAVE_MOVES, L, leave.state, to)

    return when


def _reports_progress(w: Who, d: Decision) -> bool:
    return bool(w.decision_units(d)) or w.manages(d.meeting.body)


def _completes(w: Who, d: Decision) -> bool:
    return w.in_unit(d.responsible_unit_id) or w.manages(d.meeting.body)


def _progress_when(d: Decision, now: dt.datetime) -> DomainError | None:
    return DomainError(_("该事项已办结")) if d.state == D.DONE else None


def _complete_when(d: Decision, now: dt.datetime) -> DomainError | None:
    return _move(DECISION_MOVES, D, d.state, D.DONE)


def _escalate_when(d: Decision, now: dt.datetime) -> DomainError | None:
    refused = _move(DECISION_MOVES, D, d.state, D.ESCALATED)
    if refused is None and next_level_body(d.meeting.body) is None:
        return DomainError(_("上级没有可提请的联席会议"))
    return refused


def _has_units(w: Who, box: UnitInbox) -> bool:
    return bool(w.scope.unit_ids)


def _unread_when(box: UnitInbox, now: dt.datetime) -> DomainError | None:
    unread = InboxMessage.objects.filter(unit_id__in=box.unit_ids, read_at__isnull=True)
    return None if unread.exists() else DomainError(_("没有未读消息"))


RULES: dict[str, Rule] = {
    # a body
    "schedule_set": Rule("body", _manages, gettext_lazy("只有联席会议办公室可以设置会议周期")),
    "meetings_plan": Rule(
        "body", _manages, gettext_lazy("只有联席会议办公室可以生成会议计划"), _has_schedule
    ),
    "meeting_create": Rule("body", _manages, gettext_lazy("只有联席会议办公室可以安排会议")),
    "topic_propose": Rule(
        "body",
        lambda w, b: bool(w.proposing_units(b)),
        gettext_lazy("您的单位不是该议事机构的成员单位"),
    ),
    "topic_from_cases": Rule(
        "body", _manages, gettext_lazy("只有联席会议办公室可以将案件提为议题")
    ),
    "body_member_change": Rule(
        "body", _manages, gettext_lazy("只有联席会议办公室可以登记成员变更")
    ),
    # a meeting, its agenda, attendance and minutes
    "meeting_notice": Rule(
        "meeting", _manages, gettext_lazy("只有联席会议办公室可以发出会议通知"), _notice_when
    ),
    "invitation_add": Rule(
        "meeting", _manages, gettext_lazy("只有联席会议办公室可以邀请参会单位"), _invite_when
    ),
    "meeting_cancel": Rule(
        "meeting", _manages, gettext_lazy("只有联席会议办公室可以取消会议"), _cancel_when
    ),
    "attendance_record": Rule(
        "meeting", _manages, gettext_lazy("只有联席会议办公室可以登记出席情况"), _attendance_when
    ),
    "minutes_save": Rule(
        "meeting", _manages, gettext_lazy("只有联席会议办公室可以起草会议纪要"), _draft_when
    ),
    "decision_add": Rule(
        "meeting", _manages, gettext_lazy("只有联席会议办公室可以登记议定事项"), _draft_when
    ),
    "minutes_sign": Rule(
        "meeting", _convenes, gettext_lazy("只有召集人可以审签会议纪要"), _sign_when
    ),
    "minutes_return": Rule(
        "meeting", _convenes, gettext_lazy("只有召集人可以退回会议纪要"), _minutes_move(N.DRAFT)
    ),
    "minutes_send": Rule(
        "meeting",
        _manages,
        gettext_lazy("只有联席会议办公室可以分送会议纪要"),
        _minutes_move(N.SENT),
    ),
    # a topic
    "topic_review": Rule(
        "topic", _convenes, gettext_lazy("只有召集人可以审批议题"), _topic_move(T.APPROVED)
    ),
    "topic_schedule": Rule(
        "topic", _manages, gettext_lazy("只有联席会议办公室可以编排议程"), _schedule_when
    ),
    "topic_unschedule": Rule(
        "topic", _manages, gettext_lazy("只有联席会议办公室可以编排议程"), _unschedule_when
    ),
    # an invitation and its leave request
    "leave_request": Rule(
        "invitation", _leave_request_who, gettext_lazy("只能为本单位请假"), _leave_request_when
    ),
    "leave_decide": Rule(
        "leave", _convenes, gettext_lazy("只有召集人可以批准请假"), _leave_move(L.APPROVED)
    ),
    "leave_file": Rule(
        "leave", _manages, gettext_lazy("只有联席会议办公室可以备案"), _leave_move(L.FILED)
    ),
    # a decision
    "decision_progress": Rule(
        "decision",
        _reports_progress,
        gettext_lazy("只有责任单位、配合单位或办公室可以报告进展"),
        _progress_when,
    ),
    "decision_complete": Rule(
        "decision", _completes, gettext_lazy("只有责任单位或办公室可以报告办结"), _complete_when
    ),
    "decision_escalate": Rule(
        "decision", _manages, gettext_lazy("只有联席会议办公室可以提请上级"), _escalate_when
    ),
    # the account's inbox
    "inbox_read": Rule("inbox", _has_units, gettext_lazy("您不属于任何单位"), _unread_when),
}

KINDS: dict[type, str] = {
    Body: "body",
    Meeting: "meeting",
    Topic: "topic",
    Invitation: "invitation",
    LeaveRequest: "leave",
    Decision: "decision",
    UnitInbox: "inbox",
}


def kind_of(obj: Any) -> str:
    return KINDS[type(obj)]


def key_of(obj: Any) -> str:
    """``meeting:12``: how pages mark the object an offered action is for."""
    return f"{kind_of(obj)}:{obj.pk}"


def refusal(
    user: Any, name: str, obj: Any, *, now: dt.datetime | None = None, who: Who | None = None
) -> DomainError | None:
    """None when ``name`` is offered to ``user`` on ``obj`` now; else what refuses it."""
    rule = RULES[name]
    if kind_of(obj) != rule.on:
        raise TypeError(f"{name} acts on a {rule.on}, not on {obj!r}")
    w = who_of(user, who)
    if not w.system and not rule.who(w, obj):
        return PermissionDenied(rule.denied)
    if rule.when is not None:
        return rule.when(obj, now or timezone.now())
    return None


def offered(
    user: Any, name: str, obj: Any, *, now: dt.datetime | None = None, who: Who | None = None
) -> bool:
    return refusal(user, name, obj, now=now, who=who) is None


def require(actor: Any, name: str, obj: Any, *, now: dt.datetime | None = None) -> None:
    """The services' first line: raise what refuses the action, if anything does."""
    refused = refusal(actor, name, obj, now=now)
    if refused is not None:
        raise refused


def allowed(
    user: Any, obj: Any, *, now: dt.datetime | None = None, who: Who | None = None
) -> list[str]:
    """The actions offered to ``user`` on ``obj`` now, in the registry's order."""
    w = who_of(user, who)
    kind = kind_of(obj)
    now = now or timezone.now()
    return [
        name
        for name, rule in RULES.items()
        if rule.on == kind and refusal(user, name, obj, now=now, who=w) is None
    ]


def annotate(user: Any, objs: Iterable[Any], *, who: Who | None = None) -> None:
    """Set ``obj.allowed`` on each object, for pages to show exactly what is offered."""
    w = who_of(user, who)
    now = timezone.now()
    for obj in objs:
        obj.allowed = allowed(user, obj, now=now, who=w)


# ---------------------------------------------------------------- cases and levels


def case_link_refusal(actor: Any, body: Body, case: Any) -> str | None:
    """A case may be linked to a topic or a decision of ``body`` only by someone who may
    act on it as the office, and only when the body's area holds its estate. The message
    for a case the actor may not act on is the one for a case that does not exist."""
    from gongzhi.cases.access import sides

    if actor is not None and "office" not in sides(actor, case):
        return _("所选案件不存在或无权关联")
    if not case.estate.community.path.startswith(body.jurisdiction.path):
        return _("案件 %(number)s 不在%(name)s的辖区内") % {
            "number": case.number,
            "name": body.name,
        }
    return None
