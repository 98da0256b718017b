"""Synthetic case history at scale (``gongzhi synth N``): N cases over the two years
before today, on the estates, catalogs and units already loaded (the demo), with
realistic mixes: channels, weekdays and office hours, seasons (heating in winter, leaks
in the rainy season), outcomes (handled and rated, open, overdue with 拖延不办, returned
and ruled back with 推诿扯皮, transferred, reopened after a dissatisfied rating).

Cases are generated day by day, oldest first, and written a batch per transaction by
``stats.bulk.write_cases`` (COPY on PostgreSQL; each case's events hash-chained as the
services chain them). Memory does not grow with N: only each day's count is drawn up
front. Ledger numbers continue each county's counter (locked per batch), so later
registrations do not collide; each batch's events the rollup cursor has already passed
are counted at once (``rollup.absorb``), the rest the worker (or the command) catches up."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import queue
import random
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.cases.models import Case, CaseEvent, Channel, Rating, State
from gongzhi.cases.services.intake import route_for
from gongzhi.cases.services.ledger import ledger_jurisdiction
from gongzhi.catalog.models import MatterType
from gongzhi.org.models import Estate
from gongzhi.stats import rollup
from gongzhi.stats.bulk import Numbers, write_cases

CHANNELS = [
    (Channel.HOTLINE_12345, 45),
    (Channel.VISIT, 12),
    (Channel.ONLINE, 12),
    (Channel.WEB, 10),
    (Channel.PATROL, 8),
    (Channel.HOTLINE_12319, 6),
    (Channel.MAYOR_HOTLINE, 4),
    (Channel.OPINION, 2),
    (Channel.MEDIA, 1),
]
HOURS = [1] * 7 + [6] * 11 + [3] * 4 + [1] * 2  # 0–6 h, 7–17 h, 18–21 h, 22–23 h
WEEKDAYS = [1.0] * 5 + [0.6] * 2  # Monday .. Sunday
WINTER = (11, 12, 1, 2, 3)
RAINY = (6, 7, 8)
HEATING = ("供暖", "暖气", "供热")  # i18n: data (words matched in resident texts)
LEAKS = ("漏水", "渗水", "防水", "雨水", "排水")  # i18n: data (words matched in resident texts)
SURNAMES = "王李张刘陈杨赵黄周吴"  # i18n: data (synthetic residents' names)
TITLES = ("先生", "女士")  # i18n: data (synthetic residents' names)
DAYS = 730
BATCH = 5000

# Plain strings (the choices' values): cheaper to hash and to COPY than the enums.
REGISTERED, DISPATCHED, RETURNED = (
    State.REGISTERED.value,
    State.DISPATCHED.value,
    State.RETURNED.value,
)
ACCEPTED, IN_PROGRESS, HANDLED = State.ACCEPTED.value, State.IN_PROGRESS.value, State.HANDLED.value
FEEDBACK, CLOSED = State.FEEDBACK.value, State.CLOSED.value
SATISFIED, BASIC, DISSATISFIED = (
    Rating.SATISFIED.value,
    Rating.BASIC.value,
    Rating.DISSATISFIED.value,
)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
ACCEPT_LIMIT = dt.timedelta(hours=24)
RESOLVE_LIMIT = dt.timedelta(days=15)


@dataclass(slots=True)
class Route:
    """An (estate, matter) the catalogs route to a unit, as the case row needs it."""

    estate_id: int
    area_path: str
    matter_id: int
    matter_code: str
    title: str
    description: str
    lead_id: int
    level_id: int
    ledger_id: int
    ledger_code: str
    weight_winter: float
    weight_rainy: float
    others: tuple[int, ...] = ()  # the other units serving the estate (transfers)


def _routes() -> list[Route]:
    """Every (estate, matter) the catalogs route to a unit, with its season weights."""
    routes: list[Route] = []
    matters = list(MatterType.objects.all())
    for estate in Estate.objects.select_related("community").order_by("code"):
        ledger_id, ledger_code = ledger_jurisdiction(estate.community.path)
        for matter in matters:
            found = route_for(estate, matter.code)
            if found is None or found[1].lead is None:
                continue
            routed, result = found
            name = matter.name
            routes.append(
                Route(
                    estate_id=estate.pk,
                    area_path=estate.community.path,
                    matter_id=routed.pk,
                    matter_code=routed.code,
                    title=f"{routed.name[:40]}（{estate.name}）",
                    # i18n: data (a synthetic resident's complaint)
                    description=f"居民反映：{routed.name}，请尽快处理。",
                    lead_id=result.lead.pk,  # type: ignore[union-attr]
                    level_id=result.level.pk if result.level else ledger_id,
                    ledger_id=ledger_id,
                    ledger_code=ledger_code,
                    weight_winter=4.0 if any(w in name for w in HEATING) else 1.0,
                    weight_rainy=3.0 if any(w in name for w in LEAKS) else 1.0,
                )
            )
    # A case is transferred only to a unit serving its estate (another matter's lead).
    serving: dict[int, list[int]] = {}
    for r in routes:
        units = serving.setdefault(r.estate_id, [])
        if r.lead_id not in units:
            units.append(r.lead_id)
    for r in routes:
        r.others = tuple(u for u in serving[r.estate_id] if u != r.lead_id)
    return routes


class _Picker:
    """Draws from fixed weights by bisecting their running sums (``random.choices``
    rebuilds them on every call: with a province's routes that was most of the time)."""

    def __init__(self, rng: random.Random, items: list[Any], weights: Sequence[float]) -> None:
        self.random = rng.random
        self.items = items
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self) -> Any:
        return self.items[bisect(self.cum, self.random() * self.total)]


def _days(rng: random.Random, n: int, now: dt.datetime) -> Iterator[tuple[dt.datetime, int]]:
    """The 730 days before today (local midnight) and how many cases each gets: weekdays
    weigh more than weekends. Only the counts are kept, not N moments."""
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now).date()
    dates = [today - dt.timedelta(days=DAYS - i) for i in range(DAYS)]
    pick = _Picker(rng, list(range(DAYS)), [WEEKDAYS[d.weekday()] for d in dates])
    counts = [0] * DAYS
    for _ in range(n):
        counts[pick()] += 1
    for day, count in zip(dates, counts, strict=True):
        yield dt.datetime.combine(day, dt.time(), tzinfo=tz), count


class _Generator:
    """One case's columns and its planned events (stats.bulk's plan)."""

    def __init__(self, rng: random.Random, now: dt.datetime, routes: list[Route]) -> None:
        self.rng = rng
        self.now = now
        self.channel = _Picker(rng, [c.value for c, _w in CHANNELS], [w for _c, w in CHANNELS])
        self.rating = _Picker(rng, [SATISFIED, BASIC, DISSATISFIED], [70, 20, 10])
        self.hour = _Picker(rng, list(range(24)), HOURS)
        seasons = {
            "winter": [r.weight_winter for r in routes],
            "rainy": [r.weight_rainy for r in routes],
            "other": [1.0 if r.weight_winter == 1.0 else 0.1 for r in routes],
        }
        self.routes = {k: _Picker(rng, routes, w) for k, w in seasons.items()}
        self.numbers: dict[int, Numbers] = {}
        for r in routes:
            if r.ledger_id not in self.numbers:
                self.numbers[r.ledger_id] = Numbers(r.ledger_id, r.ledger_code)

    def moments(self, midnight: dt.datetime, count: int) -> list[dt.datetime]:
        """``count`` moments of one day, office hours weighted, in order."""
        rnd = self.rng.random
        seconds = sorted(self.hour() * 3600 + int(rnd() * 3600) for _ in range(count))
        return [midnight + dt.timedelta(seconds=s) for s in seconds]

    def route(self, month: int) -> Route:
        if month in WINTER:
            return self.routes["winter"]()  # type: ignore[no-any-return]
        if month in RAINY:
            return self.routes["rainy"]()  # type: ignore[no-any-return]
        return self.routes["other"]()  # type: ignore[no-any-return]

    def case(self, at: dt.datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rnd = self.rng.random
        uniform = self.rng.uniform
        route = self.route(at.month)
        year = at.year
        channel = self.channel()
        lead = route.lead_id
        accept_due = at + ACCEPT_LIMIT
        case: dict[str, Any] = {
            "jurisdiction_id": route.ledger_id,
            "year": year,
            "channel": channel,
            "estate_id": route.estate_id,
            "area_path": route.area_path,
            "matter_id": route.matter_id,
            "title": route.title,
            "description": route.description,
            "reporter_name": SURNAMES[int(rnd() * 10)] + TITLES[int(rnd() * 2)],
            "reporter_phone": f"13{100000000 + int(rnd() * 900000000)}",
            "level_id": route.level_id,
            "lead_unit_id": lead,
            "created_at": at,
            "updated_at": at,
            "state": DISPATCHED,
            "dispatched_at": at,
            "accept_due_at": accept_due,
            "resolve_due_at": at + RESOLVE_LIMIT,
        }
        events: list[dict[str, Any]] = [
            {
                "action": "register",
                "at": at,
                "to": REGISTERED,
                "extra": {"channel": channel, "matter": route.matter_code},
            },
            {
                "action": "dispatch",
                "at": at,
                "unit": lead,
                "to": DISPATCHED,
                "extra": {"auto": True},
            },
        ]
        t = at
        roll = rnd()
        age = self.now - at
        if roll < 0.08 and age > 3 * D:
            # Returned, ruled back by the office (推诿扯皮).
            t += uniform(1, 20) * H
            events.append({"action": "return", "at": t, "unit": lead, "to": RETURNED})
            t += uniform(2, 30) * H
            events.append({"action": "overrule", "at": t, "unit": lead, "to": DISPATCHED})
            events.append({"action": "account_buck_passing", "at": t, "unit": lead})
            case["return_count"] = 1
        elif roll < 0.13 and age > 3 * D and route.others:
            # Transferred (转办) to another unit serving the estate.
            other = route.others[int(rnd() * len(route.others))]
            t += uniform(1, 20) * H
            events.append({"action": "transfer", "at": t, "unit": other, "to": DISPATCHED})
            case["transferred_from_id"] = lead
            case["lead_unit_id"] = lead = other
        if age < 2 * D or rnd() < 0.04:
            # Not yet accepted; overdue if past its limit.
            if self.now > accept_due:
                events.append({"action": "account_delay", "at": accept_due, "unit": lead})
                case["breached_at"] = accept_due
            return case, events
        on_time = rnd() < 0.86
        t += (uniform(0.2, 20) if on_time else uniform(25, 72)) * H
        events.append(
            {
                "action": "accept",
                "at": t,
                "unit": lead,
                "to": ACCEPTED,
                "extra": {"on_time": on_time},
            }
        )
        case["accepted_at"] = t
        if not on_time:
            events.append({"action": "account_delay", "at": accept_due, "unit": lead})
            case["breached_at"] = accept_due
        t += uniform(1, 24) * H
        events.append({"action": "start", "at": t, "unit": lead, "to": IN_PROGRESS})
        case["state"] = IN_PROGRESS
        handled_at = t + self.rng.expovariate(1 / 4) * D
        if handled_at > self.now or rnd() < 0.05:
            return case, events
        events.append({"action": "handle", "at": handled_at, "unit": lead, "to": HANDLED})
        case["handled_at"] = handled_at
        t = handled_at + uniform(1, 48) * H
        if t > self.now:
            case["state"] = HANDLED
            return case, events
        events.append({"action": "feedback", "at": t, "to": FEEDBACK})
        rating = self.rating()
        t += uniform(1, 72) * H
        if t > self.now:
            case["state"] = FEEDBACK
            return case, events
        if rating == DISSATISFIED:
            events.append({"action": "rated", "at": t, "unit": lead, "extra": {"rating": rating}})
            events.append({"action": "reopen", "at": t, "unit": lead, "to": DISPATCHED})
            case["reopen_count"] = 1
            t += uniform(1, 5) * D
            if t > self.now:
                case["state"] = DISPATCHED
                return case, events
            events.append(
                {
                    "action": "accept",
                    "at": t,
                    "unit": lead,
                    "to": ACCEPTED,
                    "extra": {"on_time": True},
                }
            )
            events.append({"action": "handle", "at": t, "unit": lead, "to": HANDLED})
            rating = BASIC
        events.append(
            {"action": "rate", "at": t, "unit": lead, "to": CLOSED, "extra": {"rating": rating}}
        )
        case["rating"] = rating
        case["state"] = CLOSED
        case["closed_at"] = t
        return case, events


def _number(counters: dict[int, Numbers], cases: list[dict[str, Any]]) -> None:
    """The batch's ledger numbers, in a short transaction of their own: the counters stay
    locked only while they move, not while the batch is written (live registrations and
    the other jobs do not wait for a COPY). A batch whose write then fails leaves a gap
    in its counties' numbers, never a duplicate."""
    groups: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for case in cases:
        groups.setdefault((case["jurisdiction_id"], case["year"]), []).append(case)
    try:
        with transaction.atomic():
            # Counters locked in one order by every job (no deadlock between them).
            for (ledger_id, year), group in sorted(groups.items(), key=lambda kv: kv[0]):
                for case in group:
                    case["number"] = counters[ledger_id].next(year)
            for numbers in counters.values():
                numbers.save()
    finally:
        for numbers in counters.values():
            numbers.forget()  # the next batch locks and reads them again


def _run(
    gen: _Generator,
    days: list[tuple[dt.datetime, int]],
    batch: int,
    report: Callable[[int], Any],
) -> int:
    """Generate and write the cases of ``days``, a batch per transaction; return the
    number of events."""
    events = 0
    cases: list[dict[str, Any]] = []
    plans: list[list[dict[str, Any]]] = []

    def flush() -> None:
        nonlocal events, cases, plans
        _number(gen.numbers, cases)
        with transaction.atomic():
            ids = write_cases(cases, plans)
            rollup.absorb(ids)
        events += len(ids)
        report(len(cases))
        cases, plans = [], []

    for midnight, count in days:
        for at in gen.moments(midnight, count):
            case, plan = gen.case(at)
            cases.append(case)
            plans.append(plan)
            if len(cases) >= batch:
                flush()
    if cases:
        flush()
    return events


def _job(
    k: int, seed: int, now: dt.datetime, routes: list[Route], days: Any, batch: int, out: Any
) -> None:
    """One of ``--jobs`` processes (forked): its own connection, its share of the days."""

    def report(count: int) -> None:
        out.put(("progress", k, count))

    try:
        gen = _Generator(random.Random(f"{seed}-{k}"), now, routes)
        out.put(("done", k, _run(gen, days, batch, report)))
    except BaseException as exc:  # reported to the parent, which raises
        out.put(("failed", k, f"{type(exc).__name__}: {exc}"))
    finally:
        connections.close_all()


def _parallel(
    jobs: int,
    seed: int,
    now: dt.datetime,
    routes: list[Route],
    days: list[tuple[dt.datetime, int]],
    batch: int,
    n: int,
    progress: Callable[[int, int], Any] | None,
) -> int:
    """Run ``jobs`` forked processes, job k taking every jobs-th day (so each county's
    numbers follow the calendar closely); the parent shows their progress."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    connections.close_all()  # a forked child must not share the parent's connection
    procs = [
        ctx.Process(target=_job, args=(k, seed, now, routes, days[k::jobs], batch, out))
        for k in range(jobs)
    ]
    for proc in procs:
        proc.start()
    written = events = 0
    failures: list[str] = []
    finished = 0
    while finished < jobs:
        try:
            kind, _k, value = out.get(timeout=5)
        except queue.Empty:
            if not any(p.is_alive() for p in procs):
                failures.append(gettext("生成进程意外退出"))
                break
            continue
        if kind == "progress":
            written += value
            if progress is not None:
                progress(written, n)
        elif kind == "done":
            events += value
            finished += 1
        else:
            failures.append(value)
            finished += 1
    for proc in procs:
        proc.join()
    if failures:
        raise RuntimeError("; ".join(failures))
    return events


def synth(
    n: int,
    *,
    seed: int = 12,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], Any] | None = None,
    batch: int = BATCH,
    jobs: int = 1,
) -> int:
    """Write ``n`` synthetic cases and their events; return the number of events. With
    ``jobs`` > 1 (PostgreSQL), that many forked processes generate and write at once,
    each in its own transactions (not for a caller's open transaction: tests)."""
    rng = random.Random(seed)
    now = now or timezone.now()
    routes = _routes()
    if not routes:
        raise ValueError(gettext("没有可路由的小区和事项：请先载入演示数据（gongzhi demo）"))
    days = list(_days(rng, n, now))
    if jobs > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        events = _parallel(jobs, seed, now, routes, days, batch, n, progress)
    else:
        written = 0

        def report(count: int) -> None:
            nonlocal written
            written += count
            if progress is not None:
                progress(written, n)

        events = _run(_Generator(rng, now, routes), days, batch, report)
    _analyze()
    return events


def _analyze() -> None:
    """Fresh planner statistics after a bulk load on PostgreSQL: before autovacuum gets
    to it, the event table's statistics may say that ratings are rare, and the rollup's
    look-up of a batch's rating events then reads a million of them by the action index
    (6 s a batch instead of 8 ms, measured at 1 M cases)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {Case._meta.db_table}, {CaseEvent._meta.db_table}")
