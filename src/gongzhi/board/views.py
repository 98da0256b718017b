"""The estate's public board (000 三(六)3, 001 三(二), 003 三(三), 002 (三)第一条): who is
responsible for what and how to reach them, and how each reported problem is going. No
login; no personal data (cases show only their approved public summary)."""

from __future__ import annotations

import hashlib
from itertools import groupby
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from gongzhi.appraisal.selectors import standing_of
from gongzhi.board.poster import SIZES, poster_pdf
from gongzhi.catalog.models import MatterType
from gongzhi.catalog.routing import route_all
from gongzhi.catalog.selectors import MEMO_SECONDS, catalog_generation, catalog_version
from gongzhi.org import kinds
from gongzhi.org.models import Estate, Unit

ESTATE_RELATED = ("community__parent__parent", "property_company", "owners_committee")
DUTY_TABLE_SECONDS = MEMO_SECONDS


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
    context = {
        "estate": estate,
        "duty_table": duty_table(estate, q),
        "q": q,
        **contacts(estate),
        # The company's credit standing (appraisal app: normal, rewarded, barred until …).
        "standing": (
            standing_of(estate.property_company, timezone.localdate())
            if estate.property_company
            else None
        ),
    }
    return render(request, "board/estate.html", context)


def _duty_key(estate: Estate, q: str) -> str:
    """The duty table's cache key: the estate (and when it last changed: a new company
    changes who leads), the search, the language, and the catalog version — any catalog
    import anywhere bumps it (catalog.selectors.catalog_bump_version), so a new catalog
    shows at once in every process; the importing process's generation too (its own
    transaction, and each test, starts afresh)."""
    digest = hashlib.sha256(q.encode()).hexdigest()[:16]
    changed = estate.updated_at.timestamp() if estate.updated_at else 0
    version = f"{catalog_version()}.{catalog_generation()}"
    return f"gongzhi:board:duty:{estate.pk}:{changed}:{get_language()}:{version}:{digest}"


def duty_table(estate: Estate, q: str = "") -> str:
    """The board's duty table (who leads each matter of the effective catalog, with office
    numbers, time limits and basis), rendered once per estate, search and catalog version
    and kept ``DUTY_TABLE_SECONDS`` (changes to units through the admin site show within
    that time, as for routing's memo). Profiling the board with 1,000 cases showed
    rendering this table (about 220 routed matters) was most of the page's time."""
    key = _duty_key(estate, q)
    html = cache.get(key)
    if html is None:
        html = render_to_string("board/_duty_table.html", {"grouped": _duty_rows(estate, q)})
        cache.set(key, html, timeout=DUTY_TABLE_SECONDS)
    # Rendered by our own template, which escaped every value.
    return mark_safe(html)


def _duty_rows(estate: Estate, q: str) -> list[tuple[str, list[Any]]]:
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
    return [
        (labels.get(cat, cat), list(items))
        for cat, items in groupby(routes, key=lambda r: r.matter.category)
    ]


def contacts(estate: Estate) -> dict[str, Unit | None]:
    """The bodies whose office numbers the board and the poster show. Which unit is
    nearest is remembered per estate for ``DUTY_TABLE_SECONDS`` (as the duty table:
    units changed through the admin site show within that time); the units themselves
    are read fresh, in one query."""
    key = f"gongzhi:board:contacts:{estate.pk}:{catalog_generation()}"
    ids: dict[str, int | None] | None = cache.get(key)
    if ids is None:
        reads_area = kinds.kinds_with(kinds.READS_AREA)
        street = kinds.kinds_with(kinds.STREET_LEVEL)
        found = {
            "street_office": _nearest(estate, street),
            "residents_committee": _nearest(estate, reads_area - street),
            "police": _nearest(estate, kinds.kinds_with(kinds.POLICE)),
            "hotline": _nearest(estate, kinds.kinds_taking("12345")),
        }
        cache.set(key, {k: u.pk if u else None for k, u in found.items()}, DUTY_TABLE_SECONDS)
        return found
    units = Unit.objects.in_bulk([pk for pk in ids.values() if pk is not None])
    return {k: units.get(pk) if pk is not None else None for k, pk in ids.items()}


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
