"""Template helpers of the case pages: refilled values and field errors of a failed
action form, the estate's public case list and the home page box."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from gongzhi.cases import access, selectors
from gongzhi.cases.models import Case, State
from gongzhi.org.permissions import scope_for

register = template.Library()


@register.simple_tag
def case_page_extras() -> list[str]:
    """Templates of the apps above cases shown under a case (setting
    ``GONGZHI_CASE_PAGE_EXTRAS``), so cases names none of them."""
    from django.conf import settings

    return list(getattr(settings, "GONGZHI_CASE_PAGE_EXTRAS", []))


@register.simple_tag(takes_context=True)
def refill(context: Any, action: str, name: str, default: str = "") -> str:
    """The value posted to ``action``'s field ``name`` when that form failed."""
    if context.get("failed") == action:
        posted = context.get("posted") or {}
        return str(posted.get(name, default))
    return default


@register.simple_tag(takes_context=True)
def field_errors(context: Any, action: str, name: str) -> SafeString:
    """The errors of field ``name`` of the failed form ``action``, next to the field."""
    if context.get("failed") != action:
        return SafeString("")
    found = (context.get("errors") or {}).get(name) or []
    if not found:
        return SafeString("")
    items = format_html_join("", "<li>{}</li>", ((m,) for m in found))
    return format_html('<ul class="field-errors" role="alert">{}</ul>', items)


@register.filter
def errors_for(errors: dict[str, list[str]] | None, name: str) -> list[str]:
    return (errors or {}).get(name, [])


@register.filter
def local(value: Any) -> Any:
    return timezone.localtime(value) if value else value


@register.inclusion_tag("cases/_estate_cases.html")
def estate_cases(estate: Any, limit: int = 20) -> dict[str, Any]:
    """Recent cases of an estate for its public page: no reporter data, no room."""
    cases = list(
        Case.objects.filter(estate=estate)
        .exclude(state=State.MERGED)
        .select_related("estate", "matter", "lead_unit")
        .only(
            "number",
            "public_summary",
            "state",
            "created_at",
            "handled_at",
            "closed_at",
            "estate__name",
            "matter__name",
            "lead_unit__name",
        )
        .order_by("-created_at", "-id")[:limit]
    )
    rows = [{"case": c, "summary": access.public_summary(c)} for c in cases]
    return {"rows": rows, "estate": estate}


@register.simple_tag(takes_context=True)
def cases_home(context: Any) -> dict[str, Any]:
    """The figures for the home page box of the current user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    scope = scope_for(user)
    box: dict[str, Any] = {"anonymous": not scope.is_authenticated}
    if not scope.is_authenticated:
        return box
    if scope.is_admin or scope.office_paths:
        box["desk"] = selectors.desk_cases(user).count()
    if scope.unit_ids:
        inbox = selectors.inbox_cases(user)
        box["inbox"] = inbox.count()
        box["overdue"] = inbox.filter(selectors.overdue_q(timezone.now())).count()
        box["tasks"] = selectors.inbox_tasks(user).count()
    if scope.has("resident") or Case.objects.filter(reporter_user_id=scope.user_id).exists():
        mine = Case.objects.filter(reporter_user_id=scope.user_id)
        box["resident"] = True
        box["mine"] = mine.count()
        box["to_rate"] = mine.filter(state=State.FEEDBACK).count()
    return box
