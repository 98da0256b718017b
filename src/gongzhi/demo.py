"""The demo county: 嘉祥县 from 003_6e59d700966bc894.txt, with its streets, communities,
estates (with and without property company and owners' committee), member units, the
leadership group of 附件1, and one login per role; and beside it a second county, 赤壁市
(demo_chibi.py), so that the boundary between counties can be tried. Each app adds its
part through its own ``demo.build(ctx)``, in the order of DEMO_PARTS."""

from __future__ import annotations

import datetime as dt
import importlib

from django.db import transaction
from django.utils import timezone

from gongzhi.org.demo_context import DEMO_PASSWORD, DemoAccount, DemoContext

__all__ = ["DEMO_PARTS", "DEMO_PASSWORD", "DemoAccount", "DemoContext", "build_demo"]

DEMO_PARTS = (
    "gongzhi.org.demo",
    "gongzhi.catalog.demo",
    "gongzhi.org.demo_people",
    "gongzhi.notify.demo",
    "gongzhi.cases.demo",
    "gongzhi.catalog.demo_learning",
    "gongzhi.meetings.demo",
    "gongzhi.parties.demo",
    "gongzhi.problems.demo",
    "gongzhi.campaigns.demo",
    "gongzhi.demo_chibi",
    "gongzhi.appraisal.demo",
    "gongzhi.stats.demo",
)


@transaction.atomic
def build_demo(*, now: dt.datetime | None = None) -> DemoContext:
    ctx = DemoContext(now=now or timezone.now())
    for name in DEMO_PARTS:
        module = importlib.import_module(name)
        build = getattr(module, "build", None)
        if build is not None:
            build(ctx)
    return ctx
