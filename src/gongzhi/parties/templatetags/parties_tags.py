"""Template helpers of the parties pages and of the estate board's notices."""

from __future__ import annotations

from typing import Any

from django import template

from gongzhi.parties import selectors

register = template.Library()


@register.filter
def cell(row: dict[str, str], key: str) -> str:
    return row.get(key, "")


@register.inclusion_tag("parties/_board_notices.html")
def board_notices(estate: Any) -> dict[str, Any]:
    """The estate's notices on its public board today, grouped by kind."""
    return {"estate": estate, "groups": selectors.grouped(selectors.board_notices(estate))}
