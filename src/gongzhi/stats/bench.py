"""The dashboards' benchmark (``gongzhi stats bench``): each chart's query, timed
``runs`` times as one account over one period, with p50 and p95, three ways in one run
(same data, same load): ``definition`` reads the daily rows by the scope's one OR (the
way before the plan), ``by day`` reads the plan's parts from the daily rows only (the
union without the monthly rows), ``plan`` reads by stats/reading.py (monthly rows, one indexed part
per scope branch, UNION ALL) computing every time (what the first reader after a pass
pays), ``cached`` answers from the cache (every later reader until the next pass). A
command printing figures, not a test."""

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
from gongzhi.stats.models import DailyFigures, MonthlyFigures
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
            "数据库 %(vendor)s；案件 %(cases)s 件，事件 %(events)s 条，"
            "日统计 %(rows)s 行，月统计 %(months)s 行；"
            "账号 %(username)s，区间 %(start)s..%(end)s；负载 %(load)s；每项 %(runs)s 次"
        )
        % {
            "vendor": connection.vendor,
            "cases": Case.objects.count(),
            "events": CaseEvent.objects.count(),
            "rows": DailyFigures.objects.count(),
            "months": MonthlyFigures.objects.count(),
            "username": username,
            "start": board.period.start,
            "end": board.period.end,
            "load": f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
            "runs": runs,
        }
    )
    modes = {
        "definition": {"definition": True, "cache": False},
        "by day": {"by_month": False, "cache": False},
        "plan": {"cache": False},
        "cached": {},
    }
    head = "".join(f"{m + ' p50':>16}{'p95':>8}" for m in modes)
    out(f"{'chart':<26}{head}")
    pages: dict[str, list[float]] = {m: [0.0] * runs for m in modes}
    for name, fn in CHARTS:
        line = f"{name:<26}"
        for mode, flags in modes.items():
            board, _errors = Board.from_params(user, {"preset": preset}, **flags)
            fn(board)  # warm: the first run pays for connections and caches
            times = []
            for i in range(runs):
                started = time.perf_counter()
                fn(board)
                ms = (time.perf_counter() - started) * 1000
                times.append(ms)
                pages[mode][i] += ms
            line += f"{statistics.median(times):>16.1f}{_pct(times, 0.95):>8.1f}"
        out(line)
    line = f"{'all charts of a page':<26}"
    for page in pages.values():
        line += f"{statistics.median(page):>16.1f}{_pct(page, 0.95):>8.1f}"
    out(line)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    out(_("结束时负载 %(load)s") % {"load": f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"})
