"""The header's one count of unread notices (cases and joint conferences together)."""

from __future__ import annotations

from typing import Any

from django import template

from gongzhi.site.notices import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context: Any) -> int:
    request = context.get("request")
    return unread_count(getattr(request, "user", None))
