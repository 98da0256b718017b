"""The estate's public board (000 三(六)3, 001 三(二), 003 三(三), 002 (三)第一条): who is
responsible for what and how to reach them, and how each reported problem is going. No
login; no personal data (cases show only their approved public summary)."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from gongzhi.appraisal.selectors import standing_of
from gongzhi.board.poster import SIZES, poster_pdf
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
    context = {
        "estate": estate,
        "grouped": grouped,
        "q": q,
        **contacts(estate),
        "count": len(routes),
        # The company's credit standing (appraisal app: normal, rewarded, barred until …).
        "standing": (
            standing_of(estate.property_company, timezone.localdate())
            if estate.property_company
            else None
        ),
    }
    return render(request, "board/estate.html", context)


def contacts(estate: Estate) -> dict[str, Unit | None]:
    """The bodies whose office numbers the board and the poster show."""
    reads_area = kinds.kinds_with(kinds.READS_AREA)
    return {
        "street_office": _nearest(estate, kinds.kinds_with(kinds.STREET_LEVEL)),
        "residents_committee": _nearest(estate, reads_area - kinds.kinds_with(kinds.STREET_LEVEL)),
        "police": _nearest(estate, kinds.kinds_with(kinds.POLICE)),
        "hotline": _nearest(estate, kinds.kinds_taking("12345")),
    }


def contact_lines(estate: Estate) -> list[tuple[str, str]]:
    """(who, office phone) for the poster: the three parties, the street, the hotline."""
    found = contacts(estate)
    units = [
        estate.property_company,
        estate.owners_committee,
        found["residents_committee"],
        found["street_office"],
        found["hotline"],
    ]
    return [
        (u.name, u.hotline or u.phone) for u in units if u is not None and (u.hotline or u.phone)
    ]


def poster(request: HttpRequest, code: str) -> HttpResponse:
    """The printable QR-code poster (PDF, ``?size=A4`` or ``A3``): the board and the report
    form, with the office contacts."""
    estate = get_object_or_404(Estate.objects.select_related(*ESTATE_RELATED), code=code[:32])
    size = request.GET.get("size", "A4").upper()
    if size not in SIZES:
        size = "A4"
    board_url = request.build_absolute_uri(reverse("board:estate", args=[estate.code]))
    report_url = request.build_absolute_uri(reverse("cases:report")) + f"?estate={estate.code}"
    place = f"{estate.community.parent} {estate.community} · {estate.address}"
    pdf = poster_pdf(
        estate_name=estate.name,
        place=place,
        board_url=board_url,
        report_url=report_url,
        contacts=contact_lines(estate),
        size=size,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{estate.code}-{size}.pdf"'
    return response
