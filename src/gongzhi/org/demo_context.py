"""What the demo's parts hand each other while they build: the places, estates, units and
accounts made so far (gongzhi/demo.py runs the parts in order)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gongzhi.org.models import Estate, Jurisdiction, Unit, User

DEMO_PASSWORD = "Gongzhi-2026"


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
