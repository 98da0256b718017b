"""The meetings box on the home page, and ``{% offer %}``: a page shows an action's form
exactly when the action is offered to the account on the object now."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from gongzhi.meetings import access, actions, selectors
from gongzhi.meetings.workflow import DecisionState, MeetingState
from gongzhi.org.permissions import scope_for

register = template.Library()


@register.simple_tag(takes_context=True)
def offer(context: Any, name: str, on: Any, **extra: Any) -> SafeString:
    """``{% offer "topic_review" topic %}``: the action's form (its registry template)
    when ``name`` is in ``on.allowed`` (set by access.annotate), else nothing. The form
    carries ``data-action`` and ``data-on`` so that tests can compare pages and API."""
    if name not in getattr(on, "allowed", ()):
        return mark_safe("")
    action = actions.action(name)
    values = context.flatten()
    values.update({"on": on, "act": action, "on_key": access.key_of(on), **extra})
    return mark_safe(render_to_string(action.template, values, request=context.get("request")))


@register.simple_tag(takes_context=True)
def meetings_nav(context: Any) -> dict[str, bool]:
    """The navigation's links: the conferences to whoever may read one of them (not a
    resident), the unit inbox to unit staff."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {"bodies": False, "inbox": False}
    return {
        "bodies": access.readable_bodies(user).exists(),
        "inbox": bool(scope_for(user).unit_ids),
    }


@register.inclusion_tag("meetings/_home_box.html", takes_context=True)
def meetings_home(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    scope = scope_for(user)
    if not scope.is_authenticated or not (scope.roles or scope.is_admin):
        return {"show": False}
    who = access.Who(user)
    upcoming = list(
        selectors.visible_meetings(user)
        .filter(starts_at__gte=timezone.now())
        .exclude(state=MeetingState.CANCELLED)
        .order_by("starts_at")[:3]
    )
    decisions = selectors.visible_decisions(user).exclude(state=DecisionState.DONE)
    return {
        "show": bool(upcoming)
        or scope.unit_ids
        or scope.has("office_staff", "convener", "auditor"),
        "upcoming": upcoming,
        "pending_topics": selectors.pending_topics(who).count(),
        "to_schedule": selectors.managed_approved_topics(who).count(),
        "open_decisions": decisions.count(),
        "overdue": decisions.filter(state=DecisionState.OVERDUE).count(),
        "has_units": bool(scope.unit_ids),
    }
