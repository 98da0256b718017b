"""Demo part of stats: place the demo's estates on the map, and read the demo's case
events into the rollup, as the worker would."""

from __future__ import annotations

import io
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


def _old_ledger(ctx: DemoContext) -> None:
    """An import of an old 2025 ledger by the office, in its job list: the old ledger's
    own headers (受理时间, 问题描述, 承办单位, 满意度), and a row naming an unknown
    estate, so the job shows the error by row and column and, all or nothing, imported
    nothing (the demo's cases stay as the other parts made them)."""
    from gongzhi.stats import services
    from gongzhi.stats.imports.run import import_start

    office = ctx.users.get("office")
    unit = ctx.units.get("housing_bureau")
    if office is None or unit is None or ctx.county is None or "JX-E001" not in ctx.estates:
        return
    estate = ctx.estates["JX-E001"].name
    # i18n: data (the rows of a unit's old ledger)
    lines = ["原台账编号,受理时间,小区名称,问题描述,承办单位,办结时间,满意度"]
    for i, (what, rating) in enumerate(
        [("楼道灯不亮", "满意"), ("电梯异响", "基本满意"), ("绿化带垃圾堆放", "不满意")]
    ):
        lines.append(
            f"ZJ-2025-{i + 1:03d},2025-0{i + 4}-10 09:30,{estate},{what},{unit.name},"
            f"2025-0{i + 4}-12 16:00,{rating}"
        )
    lines.append(f"ZJ-2025-004,2025-07-01 10:00,不存在的小区,雨水倒灌,{unit.name},,")
    job = import_start(
        owner=office,
        jurisdiction=ctx.county.code,
        filename="住建局2025年台账.csv",
        content=io.BytesIO("\n".join(lines).encode("utf-8")),
        enqueue=False,
    )
    services.job_run(job_id=job.pk)


def build(ctx: DemoContext) -> None:
    _place_estates()
    _old_ledger(ctx)
    catch_up(now=ctx.now)
