"""Template helpers of the parties pages and of the estate board's notices."""

from __future__ import annotations

from typing import Any

from django import template

from gongzhi.org.permissions import scope_for
from gongzhi.parties import access, selectors

register = template.Library()


@register.filter
def cell(row: dict[str, str], key: str) -> str:
    return row.get(key, "")


@register.inclusion_tag("parties/_board_notices.html")
def board_notices(estate: Any) -> dict[str, Any]:
    """The estate's notices on its public board today, grouped by kind."""
    return {"estate": estate, "groups": selectors.grouped(selectors.board_notices(estate))}


@register.simple_tag(takes_context=True)
def parties_nav(context: Any) -> dict[str, bool]:
    """Which of this app's pages the header links for the signed-in user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    return {
        "notices": access.publishing_estates(user).exists(),
        "circulars": scope.is_admin
        or bool(
            scope.unit_ids or scope.office_paths or scope.convener_paths or scope.auditor_paths
        ),
    }


@register.inclusion_tag("parties/_board_custody.html")
def board_custody(estate: Any) -> dict[str, Any]:
    """The estate's custody on its public board while it lasts."""
    return {"custody": selectors.active_custody(estate)}


@register.inclusion_tag("parties/_board_outages.html")
def board_outages(estate: Any) -> dict[str, Any]:
    """Outages at the estate being repaired now (004 三(三)): no cases, no residents."""
    return {"outages": list(selectors.current_outages(estate)[:5])}


@register.inclusion_tag("parties/_board_works.html")
def board_works(estate: Any) -> dict[str, Any]:
    """Planned utility works at the estate that are not over yet."""
    return {"works": list(selectors.estate_works(estate)[:10])}
