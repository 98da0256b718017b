"""``gongzhi bench ledger``: the ledger page (台账) for the office of a county, a street
office, a functional unit and a property company, its default view and a few filters,
on a PostgreSQL scratch database filled by COPY (gongzhi.bench.scale). Issue 12's target:
under 300 ms (p95) for every role and filter, the cost following what the user may see.

Each view is requested ``--runs`` times in process through Django's test client (the
whole page: middleware, the scope, the count, the rows, the dropdowns and the template),
after one warm-up request; printed: p50 and p95 of the page, its slowest SQL statement,
and the count the page showed."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.bench import scale

TARGET_MS = 300.0
# i18n: data (search words typed into the ledger's search box)
SEARCH_WORDS = ["物业费", "暖气不热", "漏水", "电梯"]
# The demo's accounts (gongzhi.demo): a county office, a street office, a functional
# unit and a property company.
ROLES = [
    ("office", "office"),
    ("street", "jiedao"),
    ("unit", "zjj"),
    ("company", "wuye"),
]


@dataclass
class View:
    role: str
    label: str
    p50_ms: float
    p95_ms: float
    slowest_sql_ms: float
    shown: str
    queries: int


@dataclass
class LedgerFigures:
    open_cases: int
    closed_cases: int
    fill_s: float
    views: list[View] = field(default_factory=list)
    loadavg: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(v.p95_ms < TARGET_MS for v in self.views)

    def lines(self) -> list[str]:
        out = [
            f"cases: {self.open_cases + self.closed_cases:,} ({self.open_cases:,} open, "
            f"{self.closed_cases:,} closed; written in {self.fill_s:.0f} s this run)",
            f"{'role':8} {'view':34} {'p50 ms':>7} {'p95 ms':>7} {'max SQL':>8} "
            f"{'queries':>7}  shown",
        ]
        for v in self.views:
            out.append(
                f"{v.role:8} {v.label:34} {v.p50_ms:7.0f} {v.p95_ms:7.0f} "
                f"{v.slowest_sql_ms:8.0f} {v.queries:7d}  {v.shown}"
            )
        out.append(f"every view under {TARGET_MS:.0f} ms (p95): {'yes' if self.ok else 'NO'}")
        out.append("load average (1/5/15 min) per role: " + "; ".join(self.loadavg))
        return out


def _loadavg() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def _filters(username: str) -> list[tuple[str, dict[str, str]]]:
    """The views timed for an account: the default, then one filter at a time."""
    from gongzhi.cases.access import readable_cases
    from gongzhi.catalog.models import MatterType
    from gongzhi.org.models import User
    from gongzhi.org.permissions import scope_for

    user = User.objects.get(username=username)
    common = MatterType.objects.order_by("pk").values_list("code", flat=True).first() or ""
    rare = MatterType.objects.order_by("-pk").values_list("code", flat=True).first() or ""
    unit = scope_for(user).visible_units().order_by("pk").values_list("code", flat=True)
    estate = readable_cases(user).order_by("-created_at").values_list("estate__code", flat=True)[:1]
    number = readable_cases(user).order_by("-created_at").values_list("number", flat=True)[:1]
    views = [
        ("default", {}),
        ("state=in_progress", {"state": "in_progress"}),
        (f"matter={common} (common)", {"matter": common}),
        (f"matter={rare} (rare)", {"matter": rare}),
        ("overdue", {"overdue": "1"}),
        ("open", {"open": "1"}),
        ("dates: last 7 days", {"date_from": "__week__"}),
        ("channel=media", {"channel": "media"}),
    ]
    if estate:
        views.append((f"estate={estate[0]}", {"estate": estate[0]}))
    if unit:
        views.append((f"unit={unit[0][:24]}", {"unit": unit[0]}))
    if number:
        views.append(("search: a ledger number", {"q": number[0]}))
        # The end of a number, as read over the phone: a substring, not the whole number.
        views.append(("search: part of a number", {"q": number[0][-7:]}))
    # Free text (the scratch titles are residents' own words, gongzhi.bench.scale.titles):
    # a word in about 1 % of the titles, one in 0.3 %, and two two-character words (漏水
    # in 1.4 %, 电梯 in 5 %), which a trigram index cannot serve: cases 0017's bigrams do
    # (docs/performance.md).
    views += [(f"search: {w}", {"q": w}) for w in SEARCH_WORDS]
    views.append(("default, page 3", {"page": "3"}))
    return views


def run(
    *,
    database: str,
    open_cases: int,
    closed_cases: int,
    runs: int,
    log: Callable[[str], None],
    roles: list[str] | None = None,
    views: str = "",
) -> LedgerFigures:
    """``roles`` (names of ROLES) and ``views`` (text in a view's label) narrow the run to
    the views being worked on; by default every view of every reader."""
    import datetime as dt

    from django.test import Client
    from django.urls import reverse

    from gongzhi.org.models import User

    scale.use_database(database, log)
    scale.prepare(log)
    fill_s = scale.fill(open_cases=open_cases, closed_cases=closed_cases, log=log)
    have_open, have_closed = scale.counts()
    figures = LedgerFigures(open_cases=have_open, closed_cases=have_closed, fill_s=fill_s)
    url = reverse("cases:ledger")
    now = scale.reference()
    assert now is not None
    week = (now - dt.timedelta(days=7)).date().isoformat()
    for role, username in ROLES:
        if roles and role not in roles:
            continue
        client = Client()
        client.force_login(User.objects.get(username=username))
        figures.loadavg.append(f"{role} {_loadavg()}")
        for label, params in _filters(username):
            if views not in label:
                continue
            params = {k: (week if v == "__week__" else v) for k, v in params.items()}
            client.get(url, params)  # warm-up
            times, slowest, shown, queries = [], 0.0, "", 0
            for _i in range(runs):
                with CaptureQueriesContext(connection) as ctx:
                    t = time.perf_counter()
                    response = client.get(url, params)
                    times.append((time.perf_counter() - t) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{role} {label}: HTTP {response.status_code}")
                queries = len(ctx.captured_queries)
                slowest = max(slowest, max(float(q["time"]) * 1000 for q in ctx.captured_queries))
                found = re.search(r'<div class="toolbar">\s*<span>([^<]*)</span>', response.text)
                shown = found.group(1).strip() if found else "(no count)"
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            view = View(role, label, statistics.median(times), p95, slowest, shown, queries)
            figures.views.append(view)
            log(f"  {role} {label}: p50 {view.p50_ms:.0f} ms, p95 {p95:.0f} ms — {shown}")
    return figures
