"""Writing a batch of valid rows: the case rows and their events (registered,
dispatched, accepted, handled, rated or closed, as the row says), ledger numbers from
the county's counter, each case's events hash-chained as the services chain them.

On PostgreSQL the ids are taken from the tables' sequences in one query and both tables
are written with COPY (psycopg's ``cursor.copy``); elsewhere (SQLite) with
``bulk_create`` and one prepared INSERT (as stats/synth.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from gongzhi.cases.models import Case, CaseEvent, LedgerCounter, Source, State
from gongzhi.cases.services.events import event_fields
from gongzhi.common.chain import digest
from gongzhi.stats.imports.rows import Parsed
from gongzhi.stats.synth import EVENT_COLUMNS, insert_events

ON_TIME = dt.timedelta(hours=24)


class Numbers:
    """The county's ledger counters for the years met so far, locked until the caller's
    transaction ends (numbers stay unique and gapless; live registrations of the same
    year wait for the commit)."""

    def __init__(self, ledger_id: int, code: str) -> None:
        self.ledger_id = ledger_id
        self.prefix = code[:6]
        self.last: dict[int, int] = {}

    def next(self, year: int) -> str:
        if year not in self.last:
            counter, _ = LedgerCounter.objects.select_for_update().get_or_create(
                jurisdiction_id=self.ledger_id, year=year
            )
            self.last[year] = counter.last
        self.last[year] += 1
        return f"{self.prefix}-{year}-{self.last[year]:06d}"

    def save(self) -> None:
        for year, last in self.last.items():
            LedgerCounter.objects.filter(jurisdiction_id=self.ledger_id, year=year).update(
                last=last
            )

    def forget(self) -> None:
        """After a rollback: read the counters again."""
        self.last.clear()


def _case_fields(p: Parsed, numbers: Numbers, now: dt.datetime) -> dict[str, Any]:
    """The case row's columns that an import sets (attnames); the rest keep defaults."""
    year = timezone.localtime(p.created_at).year
    return {
        "number": numbers.next(year),
        "jurisdiction_id": numbers.ledger_id,
        "year": year,
        "channel": p.channel,
        "source": Source.IMPORT,
        "original_number": p.number,
        "estate_id": p.estate_id,
        "area_path": p.area_path,
        "location": p.place,
        "reporter_name": p.reporter_name,
        "reporter_phone": p.reporter_phone,
        "matter_id": p.matter.pk if p.matter else None,
        "title": p.title,
        "description": p.description,
        "state": p.state,
        "level_id": numbers.ledger_id,
        "lead_unit_id": p.lead_id,
        "created_at": p.created_at,
        "updated_at": now,
        "dispatched_at": p.created_at,
        "accepted_at": p.accepted_at or p.handled_at,
        "handled_at": p.handled_at,
        "closed_at": p.handled_at if p.state == State.CLOSED else None,
        "result": p.result,
        "rating": p.rating,
    }


def _plan(p: Parsed) -> list[dict[str, Any]]:
    """The events of a historical row, in order."""
    code = p.matter.code if p.matter else ""
    at = p.created_at
    plan: list[dict[str, Any]] = [
        {
            "action": "register",
            "at": at,
            "to": State.REGISTERED,
            "extra": {"channel": p.channel, "matter": code, "imported": p.number},
        },
        {
            "action": "dispatch",
            "at": at,
            "unit": p.lead_id,
            "to": State.DISPATCHED,
            "extra": {"imported": True},
        },
    ]
    accepted = p.accepted_at
    if accepted is not None:
        plan.append(
            {
                "action": "accept",
                "at": accepted,
                "unit": p.lead_id,
                "to": State.ACCEPTED,
                "extra": {"on_time": accepted - at <= ON_TIME},
            }
        )
    if p.state == State.IN_PROGRESS:
        plan.append(
            {"action": "start", "at": accepted or at, "unit": p.lead_id, "to": State.IN_PROGRESS}
        )
    if p.handled_at is None:
        return plan
    plan.append({"action": "handle", "at": p.handled_at, "unit": p.lead_id, "to": State.HANDLED})
    if p.state == State.FEEDBACK:
        plan.append({"action": "feedback", "at": p.handled_at, "to": State.FEEDBACK})
    elif p.state == State.CLOSED and p.rating:
        plan.append(
            {
                "action": "rate",
                "at": p.handled_at,
                "unit": p.lead_id,
                "to": State.CLOSED,
                "extra": {"rating": p.rating},
            }
        )
    elif p.state == State.CLOSED:
        plan.append({"action": "close", "at": p.handled_at, "to": State.CLOSED})
    return plan


class _Event:
    """An event row as COPY writes it: the attributes ``event_fields`` reads, without
    a model instance (building 4 million of them was a third of a large import)."""

    __slots__ = (
        "action",
        "actor_id",
        "actor_unit_id",
        "case_id",
        "created_at",
        "extra",
        "from_state",
        "hash",
        "id",
        "prev_hash",
        "reason",
        "to_state",
        "unit_id",
    )

    action: str
    actor_id: int | None
    actor_unit_id: int | None
    case_id: int
    created_at: dt.datetime
    extra: dict[str, Any]
    from_state: str
    hash: str
    id: int
    prev_hash: str
    reason: str
    to_state: str
    unit_id: int | None

    def __init__(self, **values: Any) -> None:
        self.actor_id = self.actor_unit_id = None
        self.reason = ""
        for name, value in values.items():
            setattr(self, name, value)


def _events(case_id: int, plan: list[dict[str, Any]], make: Any = CaseEvent) -> list[Any]:
    rows = []
    prev = ""
    state = ""
    for step in plan:
        row = make(
            case_id=case_id,
            action=step["action"],
            unit_id=step.get("unit"),
            from_state=state,
            to_state=step.get("to", ""),
            extra=step.get("extra", {}),
            created_at=step["at"],
        )
        state = step.get("to", state)
        row.prev_hash = prev
        row.hash = digest(prev, event_fields(row))
        prev = row.hash
        rows.append(row)
    return rows


def _reserve_ids(model: type[Model], n: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, n],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(table: str, columns: list[str], rows: Any) -> None:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _case_template() -> tuple[list[str], list[Any], dict[str, int]]:
    """Case columns, their default values as the database takes them, and positions."""
    fields = Case._meta.concrete_fields
    blank = Case()
    columns = [f.column or f.attname for f in fields]
    defaults = [f.get_db_prep_save(getattr(blank, f.attname), connection) for f in fields]
    return columns, defaults, {f.attname: i for i, f in enumerate(fields)}


def _write_pg(batch: list[Parsed], numbers: Numbers, now: dt.datetime) -> list[int]:
    from psycopg.types.json import Jsonb

    columns, defaults, at = _case_template()
    ids = _reserve_ids(Case, len(batch))
    rows = []
    events: list[_Event] = []
    for p, pk in zip(batch, ids, strict=True):
        row = list(defaults)
        row[at["id"]] = pk
        for name, value in _case_fields(p, numbers, now).items():
            row[at[name]] = value
        rows.append(row)
        events += _events(pk, _plan(p), _Event)
    _copy(Case._meta.db_table, columns, rows)
    event_ids = _reserve_ids(CaseEvent, len(events))
    _copy(
        CaseEvent._meta.db_table,
        ["id", *EVENT_COLUMNS],
        (
            (
                pk,
                e.case_id,
                e.action,
                e.unit_id,
                e.from_state,
                e.to_state,
                e.reason,
                Jsonb(e.extra),
                e.created_at,
                e.prev_hash,
                e.hash,
            )
            for e, pk in zip(events, event_ids, strict=True)
        ),
    )
    return event_ids


def write_batch(batch: list[Parsed], numbers: Numbers, now: dt.datetime) -> list[int]:
    """Write the batch's cases and events (inside the caller's transaction); return the
    events' ids."""
    if connection.vendor == "postgresql":
        ids = _write_pg(batch, numbers, now)
    else:
        cases = [Case(**_case_fields(p, numbers, now)) for p in batch]
        Case.objects.bulk_create(cases, batch_size=500)
        events = [e for c, p in zip(cases, batch, strict=True) for e in _events(c.pk, _plan(p))]
        insert_events(events)
        ids = list(
            CaseEvent.objects.filter(case_id__in=[c.pk for c in cases]).values_list("id", flat=True)
        )
    numbers.save()
    return ids
