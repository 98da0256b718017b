"""Pages of decisions and of the units' inbox: the board, one decision with its
progress, and each unit's inbox with its attendance record."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from gongzhi.meetings import access, selectors
from gongzhi.meetings.views.base import act, page, readable
from gongzhi.meetings.workflow import DecisionState


@login_required
def decisions_board(request: HttpRequest) -> HttpResponse:
    qs = selectors.visible_decisions(request.user)
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.exclude(state=DecisionState.DONE)
    elif state in DecisionState.values:
        qs = qs.filter(state=state)
    body_id = request.GET.get("body", "")
    if access.valid_pk(body_id) is not None:
        qs = qs.filter(meeting__body_id=int(body_id))
    today = timezone.localdate()
    rows = list(qs.order_by("due_date", "pk")[:300])
    for d in rows:
        d.days_left = (d.due_date - today).days  # type: ignore[attr-defined]
        d.days_late = -d.days_left  # type: ignore[attr-defined]
    context = {
        "decisions": rows,
        "state": state,
        "states": DecisionState.choices,
        "bodies": access.readable_bodies(request.user),
        "body_id": body_id,
    }
    return page(request, "meetings/decisions.html", context)


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = readable(access.decision_for, request, pk)
    outcome = None
    if request.method == "POST":
        outcome = act(request, decision)
        if outcome.done:
            return outcome.response  # type: ignore[return-value]
    access.annotate(request.user, [decision])
    context = {
        "d": decision,
        "progress": decision.progress.select_related("unit", "author"),
        "escalated_topics": decision.escalated_topics.select_related("body"),
        "next_body": access.next_level_body(decision.meeting.body),
        "cases": list(decision.cases.all()),
    }
    return page(request, "meetings/decision_detail.html", context, outcome)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    outcome = None
    if request.method == "POST":
        outcome = act(request, access.inbox_for(request.user))
        if outcome.done:
            return outcome.response  # type: ignore[return-value]
    box = access.inbox_for(request.user)
    access.annotate(request.user, [box])
    year = timezone.localdate().year
    context = {
        "box": box,
        "inbox": selectors.unit_inbox(request.user),
        "attendance": selectors.unit_attendance(set(box.unit_ids), year=year),
        "year": year,
    }
    return page(request, "meetings/inbox.html", context, outcome)
