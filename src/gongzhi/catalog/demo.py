"""Demo part 2: the duty catalogs transcribed from the seeds (catalog/data/*.yaml), each
imported into its place; then the county's units get demo phone numbers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gongzhi.catalog.files import read_yaml
from gongzhi.catalog.services import catalog_import
from gongzhi.org.demo import STREETS, build_local_units
from gongzhi.org.models import Unit
from gongzhi.org.services import unit_create

if TYPE_CHECKING:
    from gongzhi.org.demo_context import DemoContext

DATA_DIR = Path(__file__).resolve().parent / "data"

# file, jurisdiction name
SEED_CATALOGS = [
    # The reference catalog sits at each province; the counties' own files inherit it and
    # replace its entries with their own wording and units (``replaces``).
    ("reference.yaml", "山东省"),
    ("reference.yaml", "湖北省"),
    ("reference.yaml", "黑龙江省"),
    ("jiaxiang_003.yaml", "嘉祥县"),
    ("chibi_001.yaml", "赤壁市"),
    ("harbin_004.yaml", "哈尔滨市"),
    ("linqing_000.yaml", "临清市"),
]


def load_seed_catalog(filename: str, jurisdiction_name: str, ctx: DemoContext) -> None:
    path = DATA_DIR / filename
    if not path.exists():
        return
    document = read_yaml(path.read_bytes())
    catalog_import(
        jurisdiction=ctx.jurisdictions[jurisdiction_name], document=document, filename=filename
    )


def build(ctx: DemoContext) -> None:
    for filename, place in SEED_CATALOGS:
        load_seed_catalog(filename, place, ctx)
    county = ctx.jurisdictions["嘉祥县"]
    for n, unit in enumerate(
        Unit.objects.filter(jurisdiction=county).order_by("kind__sort", "name"), start=1
    ):
        ctx.units.setdefault(unit.kind_id, unit)
        if not unit.phone:
            unit.phone = f"0537-6{n:02d}{n:02d}{n % 10}0"
            unit.save(update_fields=["phone"])
    hotline = ctx.units.get("hotline_centre")
    if hotline is not None:
        hotline.hotline = "12345"
        hotline.save(update_fields=["hotline"])
    for i, street in enumerate(STREETS, start=1):
        office = Unit.objects.filter(
            jurisdiction=ctx.jurisdictions[street], kind_id="street_office"
        ).first()
        if office is None:
            office = unit_create(
                code=f"jx-jd-{i}",
                name=f"{street}办事处",
                kind="street_office",
                jurisdiction=ctx.jurisdictions[street],
            )
        office.phone = office.phone or f"0537-69{i}0000"
        office.save(update_fields=["phone"])
        ctx.units[f"street:{street}"] = office
    build_local_units(ctx)
