"""The dashboards' benchmark (``gongzhi stats bench``): each chart's query, timed
``runs`` times as one account over one period, with p50 and p95. A command printing
figures, not a test."""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.org.models import User
from gongzhi.stats import selectors
from gongzhi.stats.models import DailyFigures
from gongzhi.stats.selectors import Board

CHARTS: list[tuple[str, Callable[[Board], Any]]] = [
    ("summary", selectors.summary),
    ("trend?by=month", partial(selectors.trend, by="month")),
    ("trend?by=week", partial(selectors.trend, by="week")),
    *[(f"breakdown?by={by}", partial(selectors.breakdown, by=by)) for by in selectors.BREAKDOWNS],
    *[(f"ranking?kind={k}", partial(selectors.ranking, kind=k)) for k in selectors.RANKINGS],
    ("map", selectors.estate_map),
]


def _pct(values: list[float], p: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def run(*, username: str, preset: str, runs: int, out: Callable[[str], Any]) -> None:
    user = User.objects.get(username=username)
    board, errors = Board.from_params(user, {"preset": preset})
    if errors:
        raise ValueError(errors)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    out(
        _(
            "数据库 %(vendor)s；案件 %(cases)s 件，事件 %(events)s 条，统计行 %(rows)s 行；"
            "账号 %(username)s，区间 %(start)s..%(end)s；负载 %(load)s；每项 %(runs)s 次"
        )
        % {
            "vendor": connection.vendor,
            "cases": Case.objects.count(),
            "events": CaseEvent.objects.count(),
            "rows": DailyFigures.objects.count(),
            "username": username,
            "start": board.period.start,
            "end": board.period.end,
            "load": f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
            "runs": runs,
        }
    )
    out(f"{'chart':<26}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    page = [0.0] * runs
    for name, fn in CHARTS:
        fn(board)  # warm: the first run pays for connections and caches
        times = []
        for i in range(runs):
            started = time.perf_counter()
            fn(board)
            ms = (time.perf_counter() - started) * 1000
            times.append(ms)
            page[i] += ms
        out(
            f"{name:<26}{statistics.median(times):>9.1f}{_pct(times, 0.95):>9.1f}{max(times):>9.1f}"
        )
    out(
        f"{'all charts of a page':<26}{statistics.median(page):>9.1f}{_pct(page, 0.95):>9.1f}"
        f"{max(page):>9.1f}"
    )
