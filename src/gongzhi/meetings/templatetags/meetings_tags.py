"""The meetings box on the home page: what waits for this account."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from gongzhi.meetings import selectors
from gongzhi.meetings.models import InboxMessage
from gongzhi.meetings.workflow import DecisionState, MeetingState
from gongzhi.org.permissions import scope_for

register = template.Library()


@register.inclusion_tag("meetings/_home_box.html", takes_context=True)
def meetings_home(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    scope = scope_for(user)
    if not scope.is_authenticated or not (scope.roles or scope.is_admin):
        return {"show": False}
    upcoming = list(
        selectors.visible_meetings(scope)
        .filter(starts_at__gte=timezone.now())
        .exclude(state=MeetingState.CANCELLED)
        .order_by("starts_at")[:3]
    )
    decisions = selectors.visible_decisions(scope).exclude(state=DecisionState.DONE)
    return {
        "show": bool(upcoming)
        or scope.unit_ids
        or scope.has("office_staff", "convener", "auditor"),
        "upcoming": upcoming,
        "pending_topics": selectors.pending_topics(scope).count(),
        "to_schedule": selectors.managed_approved_topics(scope).count(),
        "unread": InboxMessage.objects.filter(
            unit_id__in=scope.unit_ids, read_at__isnull=True
        ).count(),
        "open_decisions": decisions.count(),
        "overdue": decisions.filter(state=DecisionState.OVERDUE).count(),
        "has_units": bool(scope.unit_ids),
    }
