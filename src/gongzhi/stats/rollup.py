"""The worker that keeps DailyFigures from the case events, and the rebuild.

Why a worker catching up from an event cursor, not a write in the event's transaction:
the event log is the one source (cases/services/events.py writes it and knows nothing of
statistics, which sit above cases); events written by bulk inserts (the demo, synthetic
data, imports of old ledgers) are counted the same way as those written by services; and
a registration does not lock the hot rollup row of its day, unit and matter, so intake
stays as concurrent as it is. The price is a delay of one pass (a Celery beat task every
minute, ``gongzhi stats catchup``), shown on the dashboards as "统计截至".

Which event counts for which figure is not written here: the Q objects of
``cases.selectors.METRIC_DRILLDOWN`` are applied to each batch in the database, and the
rule that an upheld appeal takes every rating of its case out of the figures
(``RATING_METRICS``) is applied as the appeal is read, whatever the order.

Ids are taken before commit, so a transaction can commit an event with an id below one
already read. Such a missing id is kept as a gap and looked for on the next passes; one
still missing after GAP_TIMEOUT was rolled back and is dropped."""

from __future__ import annotations

import datetime as dt
import operator
import uuid
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Count, Exists, F, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.selectors import FIGURE_NAMES, METRIC_DRILLDOWN, RATING_METRICS
from gongzhi.org.models import Jurisdiction
from gongzhi.stats.models import DailyFigures, MonthlyFigures, RollupCursor

CURSOR = "case_events"
BATCH = 5000
GAP_TIMEOUT = dt.timedelta(minutes=10)
# A run of missing ids longer than this is not a transaction in flight (the first pass
# over a database whose ids do not start at 1, or a sequence that jumped).
GAP_SPAN = 1000
RATING_ACTIONS = ("rate", "rated")
UPHELD = "appeal_upheld"
# Events naming the case's matter at that moment: registration and the office's dispatch.
MATTER_ACTIONS = ("register", "dispatch")

Key = tuple[dt.date, int | None, int, str]


@dataclass
class Pass:
    events: int
    last_id: int
    gaps: int


def _matter_as_of(case_ids: set[int], upto: int) -> dict[int, tuple[list[int], list[str]]]:
    """For each case, the ids of its events that name a matter and the codes they name,
    in id order: an event's matter is the last one named at or before it (so a later
    reclassification does not move figures already counted)."""
    found: dict[int, tuple[list[int], list[str]]] = {}
    rows = (
        CaseEvent.objects.filter(
            case_id__in=case_ids, action__in=MATTER_ACTIONS, id__lte=upto, extra__has_key="matter"
        )
        .order_by("id")
        .values_list("case_id", "id", "extra")
    )
    for case_id, event_id, extra in rows:
        ids, codes = found.setdefault(case_id, ([], []))
        ids.append(event_id)
        codes.append(str(extra.get("matter") or ""))
    return found


class _Dims:
    """Day, estate, street, area and matter of events, looked up once per batch."""

    def __init__(self, event_ids: Iterable[int]) -> None:
        qs, ids = _by_ids(event_ids)
        rows = [r for r in qs.values_list("id", "case_id", "unit_id", "created_at") if r[0] in ids]
        self.events = {r[0]: r for r in rows}
        case_ids = {r[1] for r in rows}
        self.cases = {
            c[0]: c
            for c in Case.objects.filter(pk__in=case_ids).values_list(
                "pk", "estate_id", "area_path", "matter__code"
            )
        }
        self.matters = _matter_as_of(case_ids, max(self.events, default=0))
        self.streets = _streets({c[2] for c in self.cases.values()})
        self.tz = timezone.get_default_timezone()

    def key(self, event_id: int) -> tuple[Key, str, int | None] | None:
        row = self.events.get(event_id)
        if row is None or row[2] is None:
            return None
        _id, case_id, unit_id, created_at = row
        _pk, estate_id, area_path, current_matter = self.cases[case_id]
        named = self.matters.get(case_id)
        matter = current_matter or ""
        if named:
            at = bisect_right(named[0], event_id)
            if at:
                matter = named[1][at - 1]
        day = timezone.localtime(created_at, self.tz).date()
        return (day, estate_id, unit_id, matter), area_path, self.streets.get(area_path)


def _streets(paths: set[str]) -> dict[str, int | None]:
    """The street or town above each area path."""
    if not paths:
        return {}
    streets = Jurisdiction.objects.filter(
        level__in=(Jurisdiction.Level.STREET, Jurisdiction.Level.TOWN)
    ).values_list("path", "pk")
    found: dict[str, int | None] = dict.fromkeys(paths)
    for path, pk in streets:
        for area in paths:
            if area.startswith(path):
                found[area] = pk
    return found


def _by_ids(event_ids: Iterable[int]) -> tuple[Any, set[int]]:
    """Events with these ids: a range when they are nearly contiguous (a fresh batch: a
    short query plan instead of thousands of parameters), kept to the ids after."""
    ids = set(event_ids)
    if not ids:
        return CaseEvent.objects.none(), ids
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids) + 1000:
        return CaseEvent.objects.filter(id__gte=low, id__lte=high), ids
    return CaseEvent.objects.filter(id__in=sorted(ids)), ids


def _metric_ids(event_ids: list[int], names: Iterable[str]) -> dict[str, set[int]]:
    """Which of the events count for each metric, by the one definition of each."""
    out: dict[str, set[int]] = {}
    qs, ids = _by_ids(event_ids)
    base = qs.filter(unit__isnull=False)
    for name in names:
        found = base.filter(METRIC_DRILLDOWN[name]).values_list("id", flat=True)
        out[name] = {i for i in found if i in ids}
    return out


def _rating_deltas(batch: set[int], was_read: Callable[[int], bool]) -> dict[int, int]:
    """+1 or -1 for each rating event whose counting changes as ``batch`` is read: a
    rating counts once read, unless an upheld appeal of its case has been read."""
    qs, ids = _by_ids(batch)
    touched = {
        case_id
        for event_id, case_id in qs.filter(action__in=(*RATING_ACTIONS, UPHELD)).values_list(
            "id", "case_id"
        )
        if event_id in ids
    }
    if not touched:
        return {}
    # Events of these cases neither read nor in the batch (written since) change nothing.
    rows = CaseEvent.objects.filter(
        case_id__in=touched, action__in=(*RATING_ACTIONS, UPHELD)
    ).values_list("id", "case_id", "action")
    ratings: list[tuple[int, int]] = []
    upheld_before: set[int] = set()
    upheld_after: set[int] = set()
    for event_id, case_id, action in rows:
        before = was_read(event_id)
        after = before or event_id in batch
        if action == UPHELD:
            if before:
                upheld_before.add(case_id)
            if after:
                upheld_after.add(case_id)
        else:
            ratings.append((event_id, case_id))
    deltas: dict[int, int] = {}
    for event_id, case_id in ratings:
        before = was_read(event_id) and case_id not in upheld_before
        after = (was_read(event_id) or event_id in batch) and case_id not in upheld_after
        if before != after:
            deltas[event_id] = 1 if after else -1
    return deltas


def _apply(batch: set[int], was_read: Callable[[int], bool]) -> None:
    """Add the figures of the events in ``batch`` to the rollup rows."""
    if not batch:
        return
    ids = sorted(batch)
    plain = [n for n in FIGURE_NAMES if n not in RATING_METRICS]
    counted: dict[str, dict[int, int]] = {
        name: dict.fromkeys(found, 1) for name, found in _metric_ids(ids, plain).items()
    }
    deltas = _rating_deltas(batch, was_read)
    if deltas:
        for name, found in _metric_ids(list(deltas), RATING_METRICS).items():
            counted[name] = {i: deltas[i] for i in found}
    involved = {i for per in counted.values() for i in per}
    dims = _Dims(involved)
    sums: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    places: dict[Key, tuple[str, int | None]] = {}
    for name, per in counted.items():
        for event_id, delta in per.items():
            place = dims.key(event_id)
            if place is None:
                continue
            key, area, street = place
            sums[key][name] += delta
            places[key] = (area, street)
    _write(sums, places)


def _key_text(key: Key) -> str:
    day, estate_id, unit_id, matter = key
    return f"{day.isoformat()}|{estate_id or ''}|{unit_id}|{matter}"


def _write(sums: dict[Key, dict[str, int]], places: dict[Key, tuple[str, int | None]]) -> None:
    """Add ``sums`` to their daily rows, and the same to the monthly rows of the daily
    rows' month and place, and give the cursor a new stamp (the rows changed)."""
    texts = {_key_text(k): k for k in sums}
    existing = DailyFigures.objects.in_bulk(list(texts), field_name="key")
    changed: list[DailyFigures] = []
    new: list[DailyFigures] = []
    months: dict[MonthKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for text, key in texts.items():
        row = existing.get(text)
        if row is None:
            day, estate_id, unit_id, matter = key
            area, street = places[key]
            row = DailyFigures(
                key=text,
                day=day,
                estate_id=estate_id,
                unit_id=unit_id,
                matter=matter,
                area_path=area,
                street_id=street,
            )
            new.append(row)
        else:
            changed.append(row)
        # The monthly row of the daily row's own place (set when it was first written),
        # so a month's rows are always the sums of its daily rows.
        month_key = (row.day.replace(day=1), row.area_path, row.street_id, row.unit_id, row.matter)
        for name, delta in sums[key].items():
            setattr(row, name, getattr(row, name) + delta)
            months[month_key][name] += delta
    _upsert(DailyFigures, new + changed)
    _write_months(months)
    if sums:
        RollupCursor.objects.filter(name=CURSOR).update(stamp=uuid.uuid4().hex)


# (first day of the month, the daily rows' area path, their street id, unit id, matter)
MonthKey = tuple[dt.date, str, int | None, int, str]


def _write_months(months: dict[MonthKey, dict[str, int]]) -> None:
    streets = dict(
        Jurisdiction.objects.filter(pk__in={k[2] for k in months if k[2]}).values_list("pk", "path")
    )
    merged: dict[str, tuple[MonthlyFigures, dict[str, int]]] = {}
    for (month, area, street_id, unit_id, matter), deltas in months.items():
        place = streets.get(street_id, area) if street_id else area
        text = f"{month:%Y-%m}|{place}|{unit_id}|{matter}"
        if text not in merged:
            row = MonthlyFigures(
                key=text,
                month=month,
                area_path=place,
                street_id=street_id,
                unit_id=unit_id,
                matter=matter,
            )
            merged[text] = (row, defaultdict(int))
        for name, delta in deltas.items():
            merged[text][1][name] += delta
    existing = MonthlyFigures.objects.in_bulk(list(merged), field_name="key")
    changed: list[MonthlyFigures] = []
    new: list[MonthlyFigures] = []
    for text, (fresh, deltas) in merged.items():
        row = existing.get(text, fresh)
        (new if row is fresh else changed).append(row)
        for name, delta in deltas.items():
            setattr(row, name, getattr(row, name) + delta)
    _upsert(MonthlyFigures, new + changed)


def _upsert(model: type[DailyFigures] | type[MonthlyFigures], rows: list[Any]) -> None:
    """Write the rows' new counts: one INSERT … ON CONFLICT (key) DO UPDATE per 1,000
    rows. The counts were added up in Python from the rows read under the cursor's lock,
    so no other writer changed them meanwhile. (``bulk_update`` built a CASE per row and
    column: two thirds of a batch's time at a million cases, issue 12.)"""
    model.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=list(FIGURE_NAMES),
    )


def _step(cursor: RollupCursor, now: dt.datetime, batch_size: int) -> int:
    """Read one batch after the cursor (and any gap now filled); return how many events."""
    last = cursor.last_id
    gaps: dict[str, str] = dict(cursor.gaps)
    filled = set(
        CaseEvent.objects.filter(id__in=[int(g) for g in gaps]).values_list("id", flat=True)
    )
    fresh = list(
        CaseEvent.objects.filter(id__gt=last)
        .order_by("id")
        .values_list("id", flat=True)[:batch_size]
    )

    def was_read(event_id: int) -> bool:
        return event_id <= last and str(event_id) not in gaps

    _apply(filled | set(fresh), was_read)
    for event_id in filled:
        gaps.pop(str(event_id), None)
    previous = last
    for event_id in fresh:
        if 1 < event_id - previous <= GAP_SPAN and previous:
            for missing in range(previous + 1, event_id):
                gaps[str(missing)] = now.isoformat()
        previous = event_id
    cutoff = now - GAP_TIMEOUT
    gaps = {g: seen for g, seen in gaps.items() if dt.datetime.fromisoformat(seen) >= cutoff}
    cursor.last_id = previous
    cursor.gaps = gaps
    cursor.save(update_fields=["last_id", "gaps", "updated_at"])
    return len(filled) + len(fresh)


def catch_up(
    *,
    now: dt.datetime | None = None,
    batch_size: int = BATCH,
    progress: Callable[[int, int], Any] | None = None,
) -> Pass:
    """Read every event after the cursor, one transaction per batch; the cursor row's
    lock keeps two workers from reading the same batch."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            cursor, _ = RollupCursor.objects.get_or_create(name=CURSOR)
            cursor = RollupCursor.objects.select_for_update().get(pk=cursor.pk)
            read = _step(cursor, now, batch_size)
            last_id, gaps = cursor.last_id, len(cursor.gaps)
        total += read
        if progress is not None:
            progress(total, last_id)
        if read < batch_size:
            return Pass(events=total, last_id=last_id, gaps=gaps)


def rebuild(*, progress: Callable[[int, int], Any] | None = None) -> Pass:
    """Drop the rollup and count every event again, a month of events per grouped query
    (``progress(months done, months)``), in one transaction that readers see only when it
    commits; then the passes go on from the last event counted.

    The passes read events batch by batch and add them to the rows; this counts them set
    by set in the database: the same metric definitions (``METRIC_DRILLDOWN``), the same
    rule for ratings (an upheld appeal of the case takes them out) and the same matter (the
    last one named at or before the event). Two computations of one set of rules: the
    tests compare them (stats/tests/test_rollup.py). At 10 M cases and 74.5 M events the
    passes would take hours (about 6,200 events a second); this takes minutes
    (docs/performance.md, "Rollup rebuild").

    On PostgreSQL the transaction is REPEATABLE READ when it is not inside another one: the
    months are counted in one snapshot, and ids below the last one that commit later
    (transactions in flight) are left to the passes as gaps, as a pass leaves them."""
    snapshot_level = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot_level:
            with connection.cursor() as c:
                c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                # A month's groups are hashed in memory rather than spilled to disk.
                c.execute("SET LOCAL work_mem = '256MB'")
        cursor, _ = RollupCursor.objects.get_or_create(name=CURSOR)
        cursor = RollupCursor.objects.select_for_update().get(pk=cursor.pk)
        top = CaseEvent.objects.aggregate(top=Max("id"))["top"] or 0
        events = CaseEvent.objects.filter(id__lte=top).count()
        DailyFigures.objects.all().delete()
        MonthlyFigures.objects.all().delete()
        months = _months(top)
        streets: dict[str, int | None] = {}
        for done, (start, end) in enumerate(months, 1):
            _count_month(start, end, top, streets)
            if progress is not None:
                progress(done, len(months))
        now = timezone.now()
        present = set(
            CaseEvent.objects.filter(id__gt=top - GAP_SPAN, id__lte=top).values_list(
                "id", flat=True
            )
        )
        first = min(present, default=top + 1)
        cursor.last_id = top
        cursor.gaps = {
            str(i): now.isoformat() for i in range(first + 1, top + 1) if i not in present
        }
        cursor.stamp = uuid.uuid4().hex
        cursor.save(update_fields=["last_id", "gaps", "stamp", "updated_at"])
    after = catch_up()
    return Pass(events=events + after.events, last_id=after.last_id, gaps=after.gaps)


def _months(top: int) -> list[tuple[dt.datetime, dt.datetime]]:
    """The local months from the first event's to the last one's, as [start, end)."""
    span = CaseEvent.objects.filter(id__lte=top).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    if span["first"] is None:
        return []
    tz = timezone.get_default_timezone()
    month = timezone.localtime(span["first"], tz).date().replace(day=1)
    last = timezone.localtime(span["last"], tz).date()
    out = []
    while month <= last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        out.append(
            (
                dt.datetime.combine(month, dt.time(0), tzinfo=tz),
                dt.datetime.combine(following, dt.time(0), tzinfo=tz),
            )
        )
        month = following
    return out


def _count_month(
    start: dt.datetime, end: dt.datetime, top: int, streets: dict[str, int | None]
) -> None:
    """Count the events of one month into daily rows (written at once) and their monthly
    rows: no key of another month meets them, so nothing is read back."""
    tz = timezone.get_default_timezone()
    named = (
        CaseEvent.objects.filter(
            case_id=OuterRef("case_id"),
            action__in=MATTER_ACTIONS,
            id__lte=OuterRef("id"),
            extra__has_key="matter",
        )
        .order_by("-id")
        .annotate(code=Coalesce(KT("extra__matter"), Value(""), output_field=CharField()))
        .values("code")[:1]
    )
    upheld = CaseEvent.objects.filter(case_id=OuterRef("case_id"), action=UPHELD, id__lte=top)
    counts = {
        name: Count(
            "id",
            filter=METRIC_DRILLDOWN[name] & Q(upheld=False)
            if name in RATING_METRICS
            else METRIC_DRILLDOWN[name],
        )
        for name in FIGURE_NAMES
    }
    rows = (
        CaseEvent.objects.filter(
            reduce(operator.or_, (METRIC_DRILLDOWN[n] for n in FIGURE_NAMES)),
            id__lte=top,
            created_at__gte=start,
            created_at__lt=end,
            unit__isnull=False,
        )
        .annotate(
            day=TruncDate("created_at", tzinfo=tz),
            named=Coalesce(
                Subquery(named), F("case__matter__code"), Value(""), output_field=CharField()
            ),
            upheld=Exists(upheld),
        )
        .values("day", "case__estate_id", "unit_id", "named")
        .annotate(area=Min("case__area_path"), **counts)
        .order_by()
        .values_list("day", "case__estate_id", "unit_id", "named", "area", *FIGURE_NAMES)
    )
    daily: list[tuple[Any, ...]] = []
    months: dict[MonthKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # Fetched whole (a month's groups: thousands, not millions of rows): a server-side
    # cursor (``iterator()``) gets no parallel plan on PostgreSQL, and its fast-start plan
    # took about 17 s a fetch at 10 M cases.
    for day, estate_id, unit_id, matter, area, *figures in rows:
        if not any(figures):
            continue
        if area not in streets:
            streets.update(_streets({area}))
        street = streets[area]
        key = _key_text((day, estate_id, unit_id, matter))
        daily.append((key, day, estate_id, unit_id, matter, area, street, *figures))
        sums = months[(day.replace(day=1), area, street, unit_id, matter)]
        for name, value in zip(FIGURE_NAMES, figures, strict=True):
            sums[name] += value
    _insert_daily(daily)
    _write_months(months)


DAILY_COLUMNS = ("key", "day", "estate_id", "unit_id", "matter", "area_path", "street_id")


def _insert_daily(rows: list[tuple[Any, ...]]) -> None:
    """New daily rows: COPY on PostgreSQL, bulk inserts elsewhere."""
    if connection.vendor == "postgresql":
        from gongzhi.stats.bulk import COPY_ESCAPES, COPY_NULL, copy_lines

        def line(row: tuple[Any, ...]) -> str:
            return "\t".join(
                COPY_NULL
                if v is None
                else v.translate(COPY_ESCAPES)
                if isinstance(v, str)
                else v.isoformat()
                if isinstance(v, dt.date)
                else str(v)
                for v in row
            )

        copy_lines(
            DailyFigures._meta.db_table,
            (*DAILY_COLUMNS, *FIGURE_NAMES),
            (line(r) for r in rows),
        )
        return
    names = (*DAILY_COLUMNS, *FIGURE_NAMES)
    DailyFigures.objects.bulk_create(
        (DailyFigures(**dict(zip(names, r, strict=True))) for r in rows), batch_size=1000
    )


def snapshot() -> dict[str, tuple]:
    """Every rollup row, daily and monthly, as (key → its place and counts), for
    comparing two builds (the two kinds of key never meet: YYYY-MM-DD|… and YYYY-MM|…)."""
    fields = ("key", "area_path", "street_id", *FIGURE_NAMES)
    rows = [
        *DailyFigures.objects.values_list(*fields),
        *MonthlyFigures.objects.values_list(*fields),
    ]
    # A row whose counts all went back to zero is no figure.
    return {row[0]: row[1:] for row in rows if any(row[3:])}


def absorb(event_ids: Iterable[int], *, chunk: int = BATCH) -> int:
    """Count events written in the caller's transaction whose ids the cursor has already
    passed without reading them (an import's long transaction: the passes meanwhile read
    later ids, and dropped the import's as a span too long to be a gap). Taken under the
    cursor's lock, in the caller's transaction, so no pass runs between this and the
    commit; ids above the cursor or in its gaps are left to the passes. Return how many
    were counted."""
    cursor, _ = RollupCursor.objects.get_or_create(name=CURSOR)
    cursor = RollupCursor.objects.select_for_update().get(pk=cursor.pk)
    last, gaps = cursor.last_id, cursor.gaps
    behind = sorted(i for i in event_ids if i <= last and str(i) not in gaps)
    skipped = set(behind)

    def was_read(event_id: int) -> bool:
        return event_id <= last and str(event_id) not in gaps and event_id not in skipped

    for first in range(0, len(behind), chunk):
        _apply(set(behind[first : first + chunk]), was_read)
    return len(behind)
