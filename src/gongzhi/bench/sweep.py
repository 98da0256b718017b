"""``gongzhi bench sweep``: the deadline sweep over a million open cases (issue 12: under
5 s a pass, and idempotent), on a PostgreSQL scratch database filled by COPY
(gongzhi.bench.scale).

Timed, each at the data's reference moment:
1. passes with nothing to do (the steady state, every minute);
2. an outage: ``--breaches`` running cases pushed past their resolution limit, a fifth as
   many into the warning window and a fifth as many dispatched without a response past
   the response limit; one pass must handle every one of them (no cap per pass), and the
   rate is breaches handled per second;
3. a second pass right after: it must change nothing (idempotent)."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from gongzhi.bench import scale


@dataclass
class SweepFigures:
    open_cases: int
    fill_s: float
    idle_s: list[float] = field(default_factory=list)
    outage: dict[str, int] = field(default_factory=dict)
    outage_s: float = 0.0
    outage_result: str = ""
    handled: dict[str, int] = field(default_factory=dict)
    second_s: float = 0.0
    second_result: str = ""
    second_changed: int = 0
    loadavg: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.handled.get("breached", 0) == self.outage.get("breached", 0)
            and self.handled.get("warned", 0) == self.outage.get("warned", 0)
            and self.handled.get("late", 0) == self.outage.get("late", 0)
            and self.second_changed == 0
        )

    def lines(self) -> list[str]:
        idle = sorted(self.idle_s)
        breaches = self.outage.get("breached", 0)
        rate = breaches / self.outage_s if self.outage_s else 0.0
        return [
            f"open cases: {self.open_cases:,} (written in {self.fill_s:.0f} s this run)",
            f"pass with nothing to do: median {statistics.median(idle) * 1000:.0f} ms, "
            f"max {idle[-1] * 1000:.0f} ms over {len(idle)} passes",
            f"pass after an outage ({self.outage}): {self.outage_s:.2f} s, "
            f"{rate:,.0f} breaches/s; handled {self.handled} — {self.outage_result}",
            f"second pass: {self.second_s * 1000:.0f} ms, rows written or changed {self.second_changed}"
            f" — {self.second_result}",
            f"idempotent and uncapped: {'yes' if self.ok else 'NO'}",
            "load average (1/5/15 min) during the passes: " + "; ".join(self.loadavg),
        ]


def _loadavg() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def _snapshot() -> tuple[int, ...]:
    """What a pass may write: events, delay records, notices, outbox messages, audit
    events, and the cases' versions (every case update raises it) and warnings."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT (SELECT count(*) FROM cases_caseevent), "
            "(SELECT count(*) FROM cases_accountability), "
            "(SELECT count(*) FROM cases_notification), "
            "(SELECT count(*) FROM notify_message), "
            "(SELECT count(*) FROM common_auditevent), "
            "(SELECT coalesce(sum(version), 0) FROM cases_case), "
            "(SELECT count(warned_at) FROM cases_case)"
        )
        row = cur.fetchone()
    assert row is not None
    return tuple(int(v) for v in row)


def _outage(now: dt.datetime, breaches: int) -> dict[str, int]:
    """Push rows past their limits, as if the sweep had not run for a while."""
    warned = late = breaches // 5
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE cases_case SET resolve_due_at = %s - (random() * interval '6 hours') "
            "WHERE id IN (SELECT id FROM cases_case WHERE state = 'in_progress' AND "
            "resolve_due_at > %s + interval '5 hours' AND number LIKE 'B-%%' "
            "ORDER BY random() LIMIT %s)",
            [now, now, breaches],
        )
        breached = cur.rowcount
        cur.execute(
            "UPDATE cases_case SET resolve_due_at = %s + (random() * interval '3 hours'), "
            "warned_at = NULL WHERE id IN (SELECT id FROM cases_case WHERE state = 'accepted'"
            " AND resolve_due_at > %s + interval '5 hours' AND number LIKE 'B-%%' "
            "ORDER BY random() LIMIT %s)",
            [now, now, warned],
        )
        warned = cur.rowcount
        cur.execute(
            "UPDATE cases_case SET response_due_at = %s - (random() * interval '6 hours') "
            "WHERE id IN (SELECT id FROM cases_case WHERE state = 'dispatched' AND "
            "responded_at IS NULL AND response_due_at > %s AND number LIKE 'B-%%' "
            "ORDER BY random() LIMIT %s)",
            [now, now, late],
        )
        late = cur.rowcount
        cur.execute("ANALYZE cases_case")
    return {"breached": breached, "warned": warned, "late": late}


def run(
    *,
    database: str,
    open_cases: int,
    breaches: int,
    idle_passes: int,
    log: Callable[[str], None],
) -> SweepFigures:
    from gongzhi.cases.services.sweep import case_sweep

    scale.use_database(database, log)
    scale.prepare(log)
    fill_s = scale.fill(open_cases=open_cases, closed_cases=0, log=log)
    now = scale.reference()
    assert now is not None
    have_open, _closed = scale.counts()
    figures = SweepFigures(open_cases=have_open, fill_s=fill_s)
    # One pass first, untimed, at the outage's moment: whatever an earlier run of the
    # bench (or the demo) left due, so the passes below find nothing.
    case_sweep(now=now + dt.timedelta(seconds=100))
    figures.loadavg.append(_loadavg())
    for i in range(idle_passes):
        t = time.perf_counter()
        result = case_sweep(now=now + dt.timedelta(seconds=2 + i))
        figures.idle_s.append(time.perf_counter() - t)
        log(f"  idle pass {i + 1}: {figures.idle_s[-1] * 1000:.0f} ms ({result})")
    at = now + dt.timedelta(seconds=100)
    figures.outage = _outage(at, breaches)
    figures.loadavg.append(_loadavg())
    t = time.perf_counter()
    result = case_sweep(now=at)
    figures.outage_s = time.perf_counter() - t
    figures.outage_result = str(result)
    figures.handled = {
        "breached": result.escalated + result.supervised,
        "warned": result.warned,
        "late": result.late_response,
    }
    figures.loadavg.append(_loadavg())
    before = _snapshot()
    t = time.perf_counter()
    result = case_sweep(now=at)
    figures.second_s = time.perf_counter() - t
    figures.second_result = str(result)
    after = _snapshot()
    figures.second_changed = sum(abs(a - b) for a, b in zip(after, before, strict=True))
    return figures
