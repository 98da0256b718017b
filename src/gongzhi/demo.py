"""The demo county: 嘉祥县 from 003_6e59d700966bc894.txt, with its streets, communities,
estates (with and without property company and owners' committee), member units, the
leadership group of 附件1, and one login per role; and beside it a second county, 赤壁市
(demo_chibi.py), so that the boundary between counties can be tried. Each app adds its part through its
own ``demo.build(ctx)``, in the order of DEMO_PARTS."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from gongzhi.org.models import Estate, Jurisdiction, Unit, User

DEMO_PASSWORD = "Gongzhi-2026"
DEMO_PARTS = (
    "gongzhi.org.demo",
    "gongzhi.catalog.demo",
    "gongzhi.org.demo_people",
    "gongzhi.cases.demo",
    "gongzhi.meetings.demo",
    "gongzhi.demo_chibi",
)


@dataclass
class DemoAccount:
    username: str
    role: str
    where: str


@dataclass
class DemoContext:
    now: dt.datetime
    password: str = DEMO_PASSWORD
    county: Jurisdiction | None = None
    jurisdictions: dict[str, Jurisdiction] = field(default_factory=dict)  # by name
    estates: dict[str, Estate] = field(default_factory=dict)  # by code
    units: dict[str, Unit] = field(default_factory=dict)  # by a short key, see org/demo.py
    users: dict[str, User] = field(default_factory=dict)  # by username
    accounts: list[DemoAccount] = field(default_factory=list)

    def unit(self, key: str) -> Unit:
        return self.units[key]


@transaction.atomic
def build_demo(*, now: dt.datetime | None = None) -> DemoContext:
    ctx = DemoContext(now=now or timezone.now())
    for name in DEMO_PARTS:
        module = importlib.import_module(name)
        build = getattr(module, "build", None)
        if build is not None:
            build(ctx)
    return ctx
