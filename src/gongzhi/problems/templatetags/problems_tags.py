"""The problems app on other apps' pages: the public board's section (002 (三)第一条,
(二)第七条), the menu link, and the case page's "turn into a problem" link."""

from __future__ import annotations

from typing import Any

from django import template

from gongzhi.problems import access, actions, selectors

register = template.Library()


@register.inclusion_tag("problems/_board.html")
def board_problems(estate: Any) -> dict[str, Any]:
    return {
        "problems": selectors.board_problems(estate),
        "matters": selectors.board_matters(estate),
    }


@register.simple_tag(takes_context=True)
def problems_nav(context: Any) -> bool:
    user = context.get("user")
    return bool(user is not None and access.readable_estates(user).exists())


@register.inclusion_tag("problems/_case_links.html", takes_context=True)
def case_problem_links(context: Any, case: Any) -> dict[str, Any]:
    user = context.get("user")
    linked = list(access.readable_problems(user).filter(case=case)[:10]) if user else []
    offered = actions.case_offered(user, case) if user else []
    return {"case": case, "linked": linked, "can_raise": "to_problem" in offered}
