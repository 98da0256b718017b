"""What one reader sees of a case, for the case page and the API alike: the actions
offered now, the reporter's data as the reader may see them, the timeline with labelled
events and masked resident actors, tasks, appeals and the running clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import access, actions, workflow
from gongzhi.cases.events import event_label
from gongzhi.cases.models import Attachment, Case, CaseEvent, CaseTask, RatingAppeal, State

CASE_RELATED = (
    "estate__community__parent",
    "matter",
    "lead_unit__kind",
    "lead_unit__jurisdiction",
    "level__parent",
    "jurisdiction",
    "transferred_from",
    "reporting_unit",
    "merged_into",
)


def case_for(user: Any, number: str) -> Case | None:
    """The case numbered ``number`` if ``user`` may read it; None otherwise (the doors
    answer 404 either way, so a number's existence is not revealed)."""
    case = Case.objects.select_related(*CASE_RELATED).filter(number=number).first()
    if case is None or not access.can_read(user, case):
        return None
    return case


def state_label(value: str) -> str:
    return str(State(value).label) if value in State.values else value


@dataclass
class Clock:
    due: dt.datetime
    what: str
    overdue: bool
    soon: bool
    text: str


def clock(case: Case, now: dt.datetime) -> Clock | None:
    """The running limit of a case for the countdown: acceptance while it waits to be
    signed for (also after it passed), resolution after that, the office's limit on an
    escalated case; none while suspended or done."""
    due: dt.datetime | None
    if case.state == State.DISPATCHED and case.accept_due_at:
        due, what = case.accept_due_at, _("签收")
    elif case.state in (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS):
        due, what = case.resolve_due_at, _("办结")
    elif case.state == State.ESCALATED:
        due, what = case.resolve_due_at, _("上级办公室处理")
    else:
        return None
    if due is None:
        return None
    left = due - now
    overdue = left.total_seconds() < 0
    seconds = abs(int(left.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        span = _("%(d)d 天 %(h)d 小时") % {"d": days, "h": hours}
    elif hours:
        span = _("%(h)d 小时 %(m)d 分") % {"h": hours, "m": minutes}
    else:
        span = _("%(m)d 分钟") % {"m": minutes}
    text = (
        _("%(what)s已超时 %(span)s") % {"what": what, "span": span}
        if overdue
        else _("距%(what)s时限 %(span)s") % {"what": what, "span": span}
    )
    return Clock(
        due=due,
        what=str(what),
        overdue=overdue or bool(case.breached_at),
        soon=not overdue and left < dt.timedelta(hours=4),
        text=str(text),
    )


@dataclass
class TimelineItem:
    event: CaseEvent
    label: str
    actor: str
    unit: str
    from_label: str
    to_label: str
    changed: bool
    reason: str


@dataclass
class CaseView:
    case: Case
    ctx: workflow.Ctx
    sides: set[str]
    allowed: list[str]
    text: access.CaseText
    timeline: list[TimelineItem]
    tasks: list[CaseTask]
    my_tasks: list[CaseTask]
    appeals: list[RatingAppeal]
    attachments: list[Attachment]
    clock: Clock | None
    extra: dict[str, Any] = field(default_factory=dict)
    calls: list[access.CallText] = field(default_factory=list)

    @property
    def photos(self) -> list[Attachment]:
        return [a for a in self.attachments if a.kind == Attachment.Kind.PHOTO]

    @property
    def files(self) -> list[Attachment]:
        return [a for a in self.attachments if a.kind != Attachment.Kind.PHOTO]

    @property
    def pending_appeal(self) -> RatingAppeal | None:
        return self.ctx.pending_appeal


def case_view(case: Case, user: Any, *, now: dt.datetime | None = None) -> CaseView:
    now = now or timezone.now()
    ctx = workflow.Ctx(case, user)
    v = ctx.viewer
    sides = ctx.sides if v is not None else set()
    visible = bool(v and v.sees_reporter(case))
    text = access.case_text(case, visible)
    names = [case.reporter_name] if case.reporter_name and not visible else []
    events = list(case.events.select_related("actor__person", "unit", "actor_unit").order_by("id"))
    timeline = [
        TimelineItem(
            event=e,
            label=event_label(e.action),
            actor=access.actor_label(e, case, visible),
            unit=e.unit.name if e.unit else "",
            from_label=state_label(e.from_state) if e.from_state else "",
            to_label=state_label(e.to_state) if e.to_state else "",
            changed=bool(e.to_state) and e.from_state != e.to_state,
            reason=e.reason if visible else access.mask_text(e.reason, names=names),
        )
        for e in events
    ]
    tasks = list(case.tasks.select_related("unit", "requested_by").order_by("id"))
    return CaseView(
        case=case,
        ctx=ctx,
        sides=sides,
        allowed=actions.available(ctx) if v is not None else [],
        text=text,
        timeline=timeline,
        tasks=tasks,
        my_tasks=ctx.my_tasks if v is not None else [],
        appeals=list(case.appeals.select_related("unit", "decided_by").order_by("id")),
        attachments=list(case.attachments.all()),
        clock=clock(case, now),
        calls=[access.call_text(c, visible) for c in case.calls.order_by("created_at", "id")],
    )
