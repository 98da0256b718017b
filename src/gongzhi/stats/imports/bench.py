"""``gongzhi bench import --rows N [--format csv|xlsx] [--jurisdiction CODE]``: write a
ledger file of N historical rows on the county's estates and units (the demo's, built
first with ``gongzhi demo --no-serve``), import it as the command line does (all or
nothing, one transaction) and print the time to generate, the import's seconds and rows
per second, and the machine's load. docs/performance.md, "Ledger import"."""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone

from gongzhi.org.models import Estate, Jurisdiction, Unit
from gongzhi.stats import services
from gongzhi.stats.imports.run import import_start

HEADER = [
    "原台账编号",
    "受理时间",
    "来源渠道",
    "小区名称",
    "诉求人",
    "联系电话",
    "问题描述",
    "承办单位",
    "办结时间",
    "办理结果",
    "满意度",
]  # i18n: data (an old ledger's headers)
RATINGS = ["满意", "满意", "基本满意", "不满意", ""]  # i18n: data (ledger values)


def _write(path: Path, rows: int, code: str, fmt: str) -> None:
    county = Jurisdiction.objects.get(code=code)
    estates = list(
        Estate.objects.filter(community__path__startswith=county.path).values_list(
            "name", flat=True
        )
    )
    units = list(
        Unit.objects.filter(jurisdiction__path__startswith=county.path).values_list(
            "name", flat=True
        )
    )
    rng = random.Random(12)
    run_id = f"B{int(time.time())}"  # new original numbers each run (a re-import skips)
    start = timezone.now() - dt.timedelta(days=3 * 365)

    def row(i: int) -> list[str]:
        at = timezone.localtime(start + dt.timedelta(minutes=rng.randint(0, 2 * 365 * 1440)))
        done = at + dt.timedelta(hours=rng.randint(2, 200))
        return [
            f"{run_id}-{i:08d}",
            f"{at:%Y-%m-%d %H:%M}",
            "12345 热线",
            rng.choice(estates),
            "王先生",
            "13800000000",
            "楼道灯不亮，请尽快维修",  # i18n: data (synthetic)
            rng.choice(units),
            f"{done:%Y-%m-%d %H:%M}",
            "已处理",
            rng.choice(RATINGS),
        ]

    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(HEADER)
            for i in range(rows):
                w.writerow(row(i))
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(HEADER)
    for i in range(rows):
        ws.append(row(i))
    wb.save(path)


def run(
    *, rows: int, fmt: str, code: str, out: Callable[[str], object], err: Callable[[str], object]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"ledger.{fmt}"
        t0 = time.monotonic()
        _write(path, rows, code, fmt)
        generated = time.monotonic() - t0
        load_before = os.getloadavg()
        t1 = time.monotonic()
        with path.open("rb") as content:
            job = import_start(
                owner=None, jurisdiction=code, filename=path.name, content=content, enqueue=False
            )

        def bar(read: int, total: int) -> None:
            err(f"\r{read}/{total}")

        done = services.job_run(job_id=job.pk, on_progress=bar)
        seconds = time.monotonic() - t1
        load_after = os.getloadavg()
    r = done.result if done else {}
    out(
        f"\nimport {fmt}: {rows} rows generated in {generated:.1f} s; imported {r.get('imported')} "
        f"(skipped {r.get('skipped')}, errors {r.get('errors')}, events {r.get('events')}) "
        f"in {seconds:.1f} s = {rows / seconds:,.0f} rows/s; state {done.state if done else '?'}; "
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
        f"({os.cpu_count()} cores)"
    )
