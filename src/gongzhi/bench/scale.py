"""A PostgreSQL scratch database at scale for ``gongzhi bench sweep`` and ``gongzhi bench
ledger``: the 嘉祥 demo, a few hundred extra estates in its communities and 赤壁's, and
case rows written with ``COPY`` (a million in a minute or two, where the services would
take hours).

The rows are minimal but valid: every NOT NULL column filled, the estate's community path,
the county's ledger, a unit of that county as lead unit, clocks that agree with the state.
They have no events: the sweep and the ledger read case columns only. Every row is dated
around one reference moment stored in the database (``bench_scale_meta``), and the
benchmarks run the sweep and the ledger "at" that moment, so a database filled yesterday
still has nothing due today."""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, connections

# Open cases: (state, weight). Running clocks dominate, as on a working desk.
OPEN_MIX = [
    ("registered", 3),
    ("dispatched", 10),
    ("accepted", 15),
    ("in_progress", 50),
    ("escalated", 5),
    ("suspended", 2),
    ("returned", 1),
    ("handled", 4),
    ("feedback", 8),
    ("review", 2),
]
CHANNELS = [
    ("12345", 45),
    ("visit", 12),
    ("online", 12),
    ("web", 10),
    ("patrol", 8),
    ("12319", 6),
    ("mayor", 4),
    ("opinion", 2),
    ("media", 1),
]
EXTRA_ESTATES = 400
ESTATE_PREFIX = "BENCH-E"
NUMBER_PREFIX = "B"
COLUMNS = [
    "created_at",
    "updated_at",
    "number",
    "year",
    "channel",
    "external_ref",
    "source",
    "original_number",
    "idempotency_digest",
    "track_key_hash",
    "reporter_name",
    "reporter_phone",
    "estate_id",
    "area_path",
    "building",
    "unit_no",
    "room",
    "location",
    "matter_id",
    "title",
    "description",
    "public_summary",
    "urgency",
    "state",
    "version",
    "level_id",
    "jurisdiction_id",
    "lead_unit_id",
    "route_reasons",
    "resume_state",
    "dispatched_at",
    "accept_due_at",
    "response_due_at",
    "resolve_due_at",
    "accepted_at",
    "responded_at",
    "handled_at",
    "closed_at",
    "suspended_at",
    "warned_at",
    "breached_at",
    "result",
    "rating",
    "rating_reason",
    "reopen_count",
    "escalation_count",
    "return_count",
    "is_enforcement",
    "enforcement_step",
    "on_site_action",
]
META = "bench_scale_meta"


@dataclass
class Place:
    estate_id: int
    path: str
    county_id: int
    units: list[int]


def use_database(name: str, log: Callable[[str], None]) -> None:
    """Point the default connection at the scratch database ``name`` on the configured
    PostgreSQL server (created when missing), as the test runner does for its own."""
    default = connections["default"]
    if default.vendor != "postgresql":
        raise RuntimeError("this benchmark runs on PostgreSQL: set DATABASE_URL")
    with default.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cur.fetchone() is not None
    default.close()
    if not exists:
        with default._nodb_cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        log(f"created database {name}")
    settings.DATABASES["default"]["NAME"] = name
    default.settings_dict["NAME"] = name
    default.close()


def prepare(log: Callable[[str], None]) -> None:
    """Migrations, the demo and the extra estates, once."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from gongzhi.org.models import Estate

    if not Estate.objects.filter(code="JX-E001").exists():
        from gongzhi.demo import build_demo

        log("building the demo …")
        build_demo()
    if not Estate.objects.filter(code__startswith=ESTATE_PREFIX).exists():
        _extra_estates()
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {META} (key text PRIMARY KEY, value text NOT NULL)"
        )
        cur.execute("ANALYZE")


def _extra_estates() -> None:
    """Estates without parties of their own, spread over the demo's communities: 70 % in
    嘉祥县, 30 % in 赤壁市, so a property company of the demo sees well under 1 % of the
    cases and an office its county's share."""
    from gongzhi.org.models import Estate, Jurisdiction

    communities = list(Jurisdiction.objects.filter(level="community").order_by("path"))
    jiaxiang = [c for c in communities if c.path.startswith("/370000000000/370800000000/")]
    chibi = [c for c in communities if c.path.startswith("/420000000000/")]
    rows = []
    for i in range(EXTRA_ESTATES):
        pool = jiaxiang if i % 10 < 7 else chibi
        rows.append(
            Estate(
                code=f"{ESTATE_PREFIX}{i:04d}",
                name=f"Bench estate {i:04d}",
                community=pool[i % len(pool)],
            )
        )
    Estate.objects.bulk_create(rows)
    # bulk_create sends no signal: the ledger's cached dropdowns must learn of the estates.
    from gongzhi.cases.ledger_choices import choices_changed

    choices_changed()


def places() -> list[Place]:
    """Every estate with its county and the units of that county that may lead a case
    (the county's and its streets' units, and the estate's own property company)."""
    from gongzhi.org.models import Estate, Jurisdiction, Unit, UnitKind

    counties = list(Jurisdiction.objects.filter(level__in=("county", "district")))
    units = list(
        Unit.objects.filter(is_active=True)
        .exclude(kind__group=UnitKind.Group.THREE_PARTY)
        .select_related("jurisdiction")
    )
    found = []
    for e in Estate.objects.select_related("community").order_by("pk"):
        county = next((c for c in counties if e.community.path.startswith(c.path)), None)
        if county is None:
            continue
        leads = [u.pk for u in units if u.jurisdiction.path.startswith(county.path)]
        if not leads:
            continue
        own = [e.property_company_id] * 5 if e.property_company_id else []
        found.append(Place(e.pk, e.community.path, county.pk, leads + own))
    return found


def reference() -> dt.datetime | None:
    with connection.cursor() as cur:
        cur.execute(f"SELECT value FROM {META} WHERE key = 'now'")
        row = cur.fetchone()
    return dt.datetime.fromisoformat(row[0]) if row else None


def counts() -> tuple[int, int]:
    """(open, closed) bench rows already written."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FILTER (WHERE state <> 'closed'), count(*) FILTER "
            "(WHERE state = 'closed') FROM cases_case WHERE number LIKE %s",
            [f"{NUMBER_PREFIX}-%"],
        )
        row = cur.fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _weighted(rng: random.Random, mix: list[tuple[str, int]], n: int) -> list[str]:
    return rng.choices([k for k, _w in mix], weights=[w for _k, w in mix], k=n)


def _ts(value: dt.datetime | None) -> str:
    return "\\N" if value is None else value.isoformat()


def titles() -> list[str]:
    """Residents' own words (the router's evaluation sets, a few hundred messages), cut
    to a title's length: the ledger's free-text search needs real Chinese text to match,
    not one repeated phrase."""
    import csv
    from importlib import resources

    out: list[str] = []
    folder = resources.files("gongzhi.catalog") / "data" / "eval"
    for name in ("jiaxiang.csv", "dev.csv", "dev2.csv"):
        with (folder / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                # One line, no COPY escapes: whitespace folded, backslashes dropped.
                text = " ".join(row["text"].replace("\\", "").split())[:40]
                if text:
                    out.append(text)
    return out


def _rows(
    start: int, n: int, closed: bool, now: dt.datetime, rng: random.Random, world: list[Place]
) -> Iterator[str]:
    from gongzhi.catalog.models import MatterType

    texts = titles()
    matters = list(MatterType.objects.order_by("pk").values_list("pk", flat=True))
    # A long tail: a few matters take most cases (Zipf-like weights).
    matter_w = [1.0 / (i + 1) for i in range(len(matters))]
    states = ["closed"] * n if closed else _weighted(rng, OPEN_MIX, n)
    channels = _weighted(rng, CHANNELS, n)
    picked_matters = rng.choices(matters, weights=matter_w, k=n)
    hour = dt.timedelta(hours=1)
    for k in range(n):
        i = start + k
        place = world[rng.randrange(len(world))]
        state = states[k]
        if closed:
            created = now - dt.timedelta(days=rng.uniform(30, 730))
        else:
            created = now - dt.timedelta(days=rng.uniform(0, 60))
        lead = None if state == "registered" else rng.choice(place.units)
        dispatched = accept_due = response_due = resolve_due = None
        accepted = responded = handled = closed_at = suspended = warned = breached = None
        updated = created
        rating = ""
        if state != "registered":
            dispatched = created + hour * rng.uniform(0.1, 3)
            updated = dispatched
        if state == "dispatched":
            accept_due = now + hour * rng.uniform(5, 48)
            response_due = now + hour * rng.uniform(5, 72)
            resolve_due = now + hour * rng.uniform(24, 720)
        elif state in ("accepted", "in_progress"):
            accepted = responded = updated = min(now, created + hour * rng.uniform(1, 24))
            if rng.random() < 0.03:  # due soon, already warned
                resolve_due = now + hour * rng.uniform(0.5, 4)
                warned = now - hour
            else:
                resolve_due = now + hour * rng.uniform(5, 720)
        elif state == "escalated":
            breached = updated = now - hour * rng.uniform(1, 200)
            resolve_due = now + hour * rng.uniform(5, 240)
        elif state in ("handled", "feedback", "review"):
            accepted = responded = created + hour * 2
            handled = updated = now - hour * rng.uniform(1, 47)
        elif state == "suspended":
            suspended = updated = now - hour * rng.uniform(1, 100)
        elif state == "closed":
            accepted = responded = created + hour * 2
            handled = created + hour * rng.uniform(24, 300)
            closed_at = updated = handled + hour * rng.uniform(1, 170)
            rating = rng.choice(("satisfied", "satisfied", "satisfied", "basic", "dissatisfied"))
        level = place.county_id
        yield "\t".join(
            (
                created.isoformat(),
                updated.isoformat(),
                f"{NUMBER_PREFIX}-{i:010d}",
                str(created.year),
                channels[k],
                "",
                "live",
                "",
                "",
                "",
                "",
                "",
                str(place.estate_id),
                place.path,
                "",
                "",
                "",
                "",
                str(picked_matters[k]),
                rng.choice(texts),
                "bench",
                "",
                "normal",
                state,
                "1",
                str(level),
                str(place.county_id),
                "\\N" if lead is None else str(lead),
                "[]",
                "",
                _ts(dispatched),
                _ts(accept_due),
                _ts(response_due),
                _ts(resolve_due),
                _ts(accepted),
                _ts(responded),
                _ts(handled),
                _ts(closed_at),
                _ts(suspended),
                _ts(warned),
                _ts(breached),
                "",
                rating,
                "",
                "0",
                "1" if state == "escalated" else "0",
                "0",
                "f",
                "",
                "",
            )
        )


def fill(*, open_cases: int, closed_cases: int, log: Callable[[str], None]) -> float:
    """Add bench rows until there are ``open_cases`` open and ``closed_cases`` closed
    ones; returns the seconds spent writing."""
    now = reference()
    if now is None:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {META} VALUES ('now', %s)", [now.isoformat()])
    have_open, have_closed = counts()
    world = places()
    rng = random.Random(12 + have_open + have_closed)
    started = time.perf_counter()
    start = have_open + have_closed
    for closed, want in ((False, open_cases - have_open), (True, closed_cases - have_closed)):
        done = 0
        while done < want:
            n = min(100_000, want - done)
            buf = io.StringIO()
            for line in _rows(start, n, closed, now, rng, world):
                buf.write(line)
                buf.write("\n")
            with connection.cursor() as cur:
                sql = f"COPY cases_case ({', '.join(COLUMNS)}) FROM STDIN"
                with cur.cursor.copy(sql) as copy:
                    copy.write(buf.getvalue())
            start += n
            done += n
            rate = (start - have_open - have_closed) / (time.perf_counter() - started)
            log(f"  {'closed' if closed else 'open'} {done:,}/{want:,} ({rate:,.0f} rows/s)")
    spent = time.perf_counter() - started
    if spent > 0.01:
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE cases_case")
    return spent
