"""Demo part of stats: place the demo's estates on the map, and read the demo's case
events into the rollup, as the worker would."""

from __future__ import annotations

from decimal import Decimal

from gongzhi.org.demo_context import DemoContext
from gongzhi.org.models import Estate
from gongzhi.stats.rollup import catch_up

# Around the county seats (嘉祥县城, 赤壁市蒲圻街道), for the estate map. Illustrative
# positions of the demo's fictional estates, not surveyed ones.
SEATS = {
    "370829": (Decimal("35.4080"), Decimal("116.3420")),
    "421281": (Decimal("29.7160"), Decimal("113.9000")),
}


def _place_estates() -> None:
    missing = list(
        Estate.objects.filter(latitude__isnull=True).select_related("community").order_by("code")
    )
    for i, estate in enumerate(missing):
        seat = next((c for code, c in SEATS.items() if f"/{code}" in estate.community.path), None)
        if seat is None:
            continue
        estate.latitude = seat[0] + Decimal("0.006") * (i % 4) - Decimal("0.009")
        estate.longitude = seat[1] + Decimal("0.008") * (i // 4 % 4) - Decimal("0.012")
    Estate.objects.bulk_update(missing, ["latitude", "longitude"])


def build(ctx: DemoContext) -> None:
    _place_estates()
    catch_up(now=ctx.now)
