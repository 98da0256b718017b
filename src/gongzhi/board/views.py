"""The estate's public board (000 三(六)3, 001 三(二), 003 三(三), 002 (三)第一条): who is
responsible for what and how to reach them, and how each reported problem is going. No
login; no personal data (cases show only their approved public summary)."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from gongzhi.appraisal.selectors import standing_of
from gongzhi.catalog.models import MatterType
from gongzhi.catalog.routing import route_all
from gongzhi.org import kinds
from gongzhi.org.models import Estate, Unit

ESTATE_RELATED = ("community__parent__parent", "property_company", "owners_committee")


def _nearest(estate: Estate, kind_codes: frozenset[str] | set[str]) -> Unit | None:
    """The unit of one of ``kind_codes`` nearest the estate (its community, then up)."""
    return (
        Unit.objects.filter(
            is_active=True,
            kind_id__in=kind_codes,
            jurisdiction__code__in=estate.community.ancestor_codes(),
            estate__isnull=True,
        )
        .order_by("-jurisdiction__depth", "kind__sort", "name")
        .first()
    )


def estate(request: HttpRequest, code: str) -> HttpResponse:
    estate = get_object_or_404(Estate.objects.select_related(*ESTATE_RELATED), code=code)
    q = request.GET.get("q", "").strip()[:50]
    routes = route_all(estate=estate)
    if q:
        routes = [
            r
            for r in routes
            if q in r.matter.name
            or q in r.matter.description
            or any(q in k for k in r.matter.keywords)
        ]
    routes.sort(key=lambda r: (r.matter.category, r.matter.sort))
    # The category is stored in Chinese; its label is translated.
    labels = dict(MatterType.Category.choices)
    grouped = [
        (labels.get(cat, cat), list(items))
        for cat, items in groupby(routes, key=lambda r: r.matter.category)
    ]
    reads_area = kinds.kinds_with(kinds.READS_AREA)
    context = {
        "estate": estate,
        "grouped": grouped,
        "q": q,
        "street_office": _nearest(estate, kinds.kinds_with(kinds.STREET_LEVEL)),
        "residents_committee": _nearest(estate, reads_area - kinds.kinds_with(kinds.STREET_LEVEL)),
        "police": _nearest(estate, kinds.kinds_with(kinds.POLICE)),
        "hotline": _nearest(estate, kinds.kinds_taking("12345")),
        "count": len(routes),
        # The company's credit standing (appraisal app: normal, rewarded, barred until …).
        "standing": (
            standing_of(estate.property_company, timezone.localdate())
            if estate.property_company
            else None
        ),
    }
    return render(request, "board/estate.html", context)
