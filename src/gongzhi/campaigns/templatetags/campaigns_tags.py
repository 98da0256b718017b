"""Template helpers of the campaign pages."""

from __future__ import annotations

from typing import Any

from django import template

from gongzhi.campaigns import access

register = template.Library()


@register.simple_tag(takes_context=True)
def campaigns_nav(context: Any) -> bool:
    """Whether the header links the campaigns for the signed-in user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return access.readable_campaigns(user).exists() or access.startable_jurisdictions(user).exists()


@register.filter
def count_of(classes: dict[str, int], name: str) -> int:
    return classes.get(name, 0)
