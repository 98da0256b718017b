from __future__ import annotations

from django import template

from gongzhi.catalog.models import CatalogProposal
from gongzhi.org.models import UnitKind

register = template.Library()


@register.simple_tag
def proposal_choices() -> dict[str, object]:
    """The choices of the ruling forms' optional catalog change proposal."""
    return {
        "kinds": CatalogProposal.Kind.choices,
        "unit_kinds": list(UnitKind.objects.order_by("sort", "code")),
    }
