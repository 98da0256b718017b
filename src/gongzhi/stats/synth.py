"""Synthetic case history at scale (``gongzhi synth N``): N cases over the two years
before now, on the estates, catalogs and units already loaded (the demo), written with
bulk inserts — case rows, then their chained events — with realistic mixes: channels,
seasons (heating in winter, leaks in the rainy season), outcomes (handled and rated,
open, overdue with 拖延不办, returned and ruled back with 推诿扯皮, transferred, reopened
after a dissatisfied rating). Ledger numbers continue each county's counter, so later
registrations do not collide. The rollup is then caught up, as the worker would."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.cases.models import Case, CaseEvent, Channel, LedgerCounter, Rating, State
from gongzhi.cases.services.events import event_fields
from gongzhi.cases.services.intake import route_for
from gongzhi.cases.services.ledger import ledger_jurisdiction
from gongzhi.catalog.models import MatterType
from gongzhi.common.chain import digest
from gongzhi.org.models import Estate, Unit

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
WINTER = (11, 12, 1, 2, 3)
RAINY = (6, 7, 8)
HEATING = ("供暖", "暖气", "供热")  # i18n: data (words matched in resident texts)
LEAKS = ("漏水", "渗水", "防水", "雨水", "排水")  # i18n: data (words matched in resident texts)
BATCH = 2000


@dataclass
class Route:
    estate: Estate
    matter: MatterType
    lead: Unit
    level_id: int
    ledger_id: int
    ledger_code: str
    weight_winter: float
    weight_rainy: float


def _routes(rng: random.Random) -> list[Route]:
    """Every (estate, matter) the catalogs route to a unit, with its season weights."""
    routes: list[Route] = []
    matters = list(MatterType.objects.all())
    for estate in Estate.objects.select_related("community").order_by("code"):
        ledger_id, ledger_code = ledger_jurisdiction(estate.community.path)
        for matter in matters:
            found = route_for(estate, matter.code)
            if found is None or found[1].lead is None:
                continue
            result = found[1]
            name = matter.name
            routes.append(
                Route(
                    estate=estate,
                    matter=found[0],
                    lead=result.lead,  # type: ignore[arg-type]
                    level_id=result.level.pk if result.level else ledger_id,
                    ledger_id=ledger_id,
                    ledger_code=ledger_code,
                    weight_winter=4.0 if any(w in name for w in HEATING) else 1.0,
                    weight_rainy=3.0 if any(w in name for w in LEAKS) else 1.0,
                )
            )
    return routes


def _pick_route(rng: random.Random, routes: list[Route], month: int) -> Route:
    if month in WINTER:
        weights = [r.weight_winter for r in routes]
    elif month in RAINY:
        weights = [r.weight_rainy for r in routes]
    else:
        weights = [1.0 if r.weight_winter == 1.0 else 0.1 for r in routes]
    return rng.choices(routes, weights=weights)[0]


class _Writer:
    """One case's rows: the case and its events in order."""

    def __init__(self, rng: random.Random, now: dt.datetime, routes: list[Route]) -> None:
        self.rng = rng
        self.now = now
        # A case is transferred only to a unit serving its estate (another matter's lead).
        self.serving: dict[int, list[Unit]] = {}
        for r in routes:
            units = self.serving.setdefault(r.estate.pk, [])
            if r.lead not in units:
                units.append(r.lead)

    def case(self, route: Route, at: dt.datetime, number: str) -> tuple[Case, list[dict]]:
        rng = self.rng
        channel = rng.choices([c for c, _w in CHANNELS], weights=[w for _c, w in CHANNELS])[0]
        # i18n: data (a synthetic resident's name)
        reporter_name = rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["先生", "女士"])
        case = Case(
            number=number,
            jurisdiction_id=route.ledger_id,
            year=timezone.localtime(at).year,
            channel=channel,
            estate=route.estate,
            area_path=route.estate.community.path,
            matter=route.matter,
            title=f"{route.matter.name[:40]}（{route.estate.name}）",
            description=f"居民反映：{route.matter.name}，请尽快处理。",  # i18n: data (synthetic)
            reporter_name=reporter_name,
            reporter_phone=f"13{rng.randint(100000000, 999999999)}",
            level_id=route.level_id,
            lead_unit=route.lead,
            created_at=at,
            updated_at=at,
            state=State.DISPATCHED,
            dispatched_at=at,
            accept_due_at=at + dt.timedelta(hours=24),
            resolve_due_at=at + dt.timedelta(days=15),
        )
        events: list[dict] = [
            {
                "action": "register",
                "at": at,
                "to": State.REGISTERED,
                "extra": {"channel": channel, "matter": route.matter.code},
            },
            {
                "action": "dispatch",
                "at": at,
                "unit": route.lead.pk,
                "to": State.DISPATCHED,
                "extra": {"auto": True},
            },
        ]
        t = at
        lead = route.lead
        roll = rng.random()
        age = self.now - at
        if roll < 0.08 and age > dt.timedelta(days=3):
            # Returned, ruled back by the office (推诿扯皮).
            t += dt.timedelta(hours=rng.uniform(1, 20))
            events.append({"action": "return", "at": t, "unit": lead.pk, "to": State.RETURNED})
            t += dt.timedelta(hours=rng.uniform(2, 30))
            events.append({"action": "overrule", "at": t, "unit": lead.pk, "to": State.DISPATCHED})
            events.append({"action": "account_buck_passing", "at": t, "unit": lead.pk})
            case.return_count = 1
        elif (
            roll < 0.13
            and age > dt.timedelta(days=3)
            and (others := [u for u in self.serving[route.estate.pk] if u.pk != lead.pk])
        ):
            # Transferred (转办) to another unit serving the estate.
            other = rng.choice(others)
            t += dt.timedelta(hours=rng.uniform(1, 20))
            events.append({"action": "transfer", "at": t, "unit": other.pk, "to": State.DISPATCHED})
            case.transferred_from = lead
            lead = other
            case.lead_unit = other
        if age < dt.timedelta(days=2) or rng.random() < 0.04:
            # Not yet accepted; overdue if past its limit.
            if self.now > case.accept_due_at:  # type: ignore[operator]
                events.append(
                    {"action": "account_delay", "at": case.accept_due_at, "unit": lead.pk}
                )
                case.breached_at = case.accept_due_at
            return case, events
        on_time = rng.random() < 0.86
        t += dt.timedelta(hours=rng.uniform(0.2, 20) if on_time else rng.uniform(25, 72))
        events.append(
            {
                "action": "accept",
                "at": t,
                "unit": lead.pk,
                "to": State.ACCEPTED,
                "extra": {"on_time": on_time},
            }
        )
        case.accepted_at = t
        case.state = State.ACCEPTED
        if not on_time:
            events.append({"action": "account_delay", "at": case.accept_due_at, "unit": lead.pk})
            case.breached_at = case.accept_due_at
        t += dt.timedelta(hours=rng.uniform(1, 24))
        events.append({"action": "start", "at": t, "unit": lead.pk, "to": State.IN_PROGRESS})
        case.state = State.IN_PROGRESS
        handled_at = t + dt.timedelta(days=rng.expovariate(1 / 4))
        if handled_at > self.now or rng.random() < 0.05:
            return case, events
        events.append({"action": "handle", "at": handled_at, "unit": lead.pk, "to": State.HANDLED})
        case.handled_at = handled_at
        t = handled_at + dt.timedelta(hours=rng.uniform(1, 48))
        if t > self.now:
            case.state = State.HANDLED
            return case, events
        events.append({"action": "feedback", "at": t, "to": State.FEEDBACK})
        rating = rng.choices(
            [Rating.SATISFIED, Rating.BASIC, Rating.DISSATISFIED], weights=[70, 20, 10]
        )[0]
        t += dt.timedelta(hours=rng.uniform(1, 72))
        if t > self.now:
            case.state = State.FEEDBACK
            return case, events
        if rating == Rating.DISSATISFIED:
            events.append(
                {"action": "rated", "at": t, "unit": lead.pk, "extra": {"rating": rating}}
            )
            events.append({"action": "reopen", "at": t, "unit": lead.pk, "to": State.DISPATCHED})
            case.reopen_count = 1
            t += dt.timedelta(days=rng.uniform(1, 5))
            if t > self.now:
                case.state = State.DISPATCHED
                return case, events
            events.append(
                {
                    "action": "accept",
                    "at": t,
                    "unit": lead.pk,
                    "to": State.ACCEPTED,
                    "extra": {"on_time": True},
                }
            )
            events.append({"action": "handle", "at": t, "unit": lead.pk, "to": State.HANDLED})
            rating = Rating.BASIC
        events.append(
            {
                "action": "rate",
                "at": t,
                "unit": lead.pk,
                "to": State.CLOSED,
                "extra": {"rating": rating},
            }
        )
        case.rating = rating
        case.state = State.CLOSED
        case.closed_at = t
        return case, events


def _times(rng: random.Random, n: int, now: dt.datetime) -> list[dt.datetime]:
    """N moments over the two years before ``now``, office hours weighted, oldest first."""
    start = now - dt.timedelta(days=730)
    out = []
    for _ in range(n):
        day = start + dt.timedelta(days=rng.uniform(0, 730))
        local = timezone.localtime(day)
        hour = rng.choices(range(24), weights=[1] * 7 + [6] * 11 + [3] * 4 + [1] * 2)[0]
        out.append(local.replace(hour=hour, minute=rng.randint(0, 59)))
    return sorted(out)


EVENT_COLUMNS = (
    "case_id",
    "action",
    "unit_id",
    "from_state",
    "to_state",
    "reason",
    "extra",
    "created_at",
    "prev_hash",
    "hash",
)


def insert_events(rows: list[CaseEvent]) -> None:
    """One prepared INSERT run over all rows (executemany): Django's bulk_create spends
    more time compiling the SQL of large batches than the database spends writing them."""
    table = CaseEvent._meta.db_table
    by_name = {f.attname: f for f in CaseEvent._meta.concrete_fields}
    fields = [by_name[c] for c in EVENT_COLUMNS]
    columns = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    values = [
        tuple(f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields)
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)


def synth(
    n: int,
    *,
    seed: int = 12,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> int:
    """Write ``n`` synthetic cases and their events; return the number of events."""
    rng = random.Random(seed)
    now = now or timezone.now()
    routes = _routes(rng)
    if not routes:
        raise ValueError(gettext("没有可路由的小区和事项：请先载入演示数据（gongzhi demo）"))
    writer = _Writer(rng, now, routes)
    times = _times(rng, n, now)
    counters: dict[tuple[int, int], int] = {}
    written = 0
    events_total = 0
    for first in range(0, n, BATCH):
        chunk = times[first : first + BATCH]
        with transaction.atomic():
            cases: list[Case] = []
            plans: list[list[dict]] = []
            for at in chunk:
                route = _pick_route(rng, routes, timezone.localtime(at).month)
                year = timezone.localtime(at).year
                key = (route.ledger_id, year)
                if key not in counters:
                    counter, _ = LedgerCounter.objects.select_for_update().get_or_create(
                        jurisdiction_id=route.ledger_id, year=year
                    )
                    counters[key] = counter.last
                counters[key] += 1
                number = f"{route.ledger_code[:6]}-{year}-{counters[key]:06d}"
                case, plan = writer.case(route, at, number)
                cases.append(case)
                plans.append(plan)
            Case.objects.bulk_create(cases, batch_size=500)
            if cases[0].pk is None:  # backends that do not return ids
                by_number = dict(
                    Case.objects.filter(number__in=[c.number for c in cases]).values_list(
                        "number", "pk"
                    )
                )
                for c in cases:
                    c.pk = by_number[c.number]
            rows: list[CaseEvent] = []
            for case, plan in zip(cases, plans, strict=True):
                prev = ""
                state = ""
                for p in plan:
                    row = CaseEvent(
                        case_id=case.pk,
                        action=p["action"],
                        unit_id=p.get("unit"),
                        from_state=state,
                        to_state=p.get("to", ""),
                        extra=p.get("extra", {}),
                        created_at=p["at"],
                    )
                    state = p.get("to", state)
                    row.prev_hash = prev
                    row.hash = digest(prev, event_fields(row))
                    prev = row.hash
                    rows.append(row)
            insert_events(rows)
            for (ledger_id, year), last in counters.items():
                LedgerCounter.objects.filter(jurisdiction_id=ledger_id, year=year).update(last=last)
        written += len(cases)
        events_total += len(rows)
        if progress is not None:
            progress(written, n)
    return events_total
