"""Writing many cases and their events at once, outside the services: the ledger import
(stats/imports/) and synthetic history (stats/synth.py) both come here.

A case is given as a dict of the columns it sets (attnames; the rest keep the model's
defaults) and a *plan*: its events in order, each a dict with ``action``, ``at`` and
optionally ``unit`` (id), ``to`` (state) and ``extra``. Each case's events are
hash-chained as the services chain them (``cases.services.events.event_fields``,
``common.chain.digest``), so ``gongzhi audit verify`` passes.

On PostgreSQL the ids are taken from the tables' sequences in one query and both tables
are written with COPY (psycopg's ``cursor.copy``), rows built as tuples from one
template of the row's defaults, no model instances; elsewhere (SQLite) with
``bulk_create`` and one prepared INSERT run by ``executemany``. Everything runs in the
caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

from gongzhi.cases.models import Case, CaseEvent, LedgerCounter
from gongzhi.cases.services.events import event_fields
from gongzhi.common.chain import digest

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


class Numbers:
    """A county's ledger counters for the years met so far, locked until the caller's
    transaction ends (numbers stay unique and gapless; live registrations of the same
    year wait for the commit). After a commit or a rollback call ``forget`` so that the
    next transaction locks and reads them again."""

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
        self.last.clear()


class EventRow:
    """An event row as it is written: the attributes ``event_fields`` reads and the
    columns written, without a model instance (building millions of them was a third of
    a large import)."""

    __slots__ = (
        "action",
        "actor_id",
        "actor_unit_id",
        "case_id",
        "created_at",
        "extra",
        "from_state",
        "hash",
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
    prev_hash: str
    reason: str
    to_state: str
    unit_id: int | None

    def __init__(
        self,
        case_id: int,
        action: str,
        unit_id: int | None,
        from_state: str,
        to_state: str,
        extra: dict[str, Any],
        created_at: dt.datetime,
        prev_hash: str,
    ) -> None:
        self.case_id = case_id
        self.action = action
        self.actor_id = self.actor_unit_id = None
        self.unit_id = unit_id
        self.from_state = from_state
        self.to_state = to_state
        self.reason = ""
        self.extra = extra
        self.created_at = created_at
        self.prev_hash = prev_hash
        self.hash = digest(prev_hash, event_fields(self))  # type: ignore[arg-type]


def chain(case_id: int, plan: Iterable[dict[str, Any]]) -> list[EventRow]:
    """A case's events from its plan, each holding the hash of the one before."""
    rows = []
    prev = ""
    state = ""
    for step in plan:
        to = step.get("to", "")
        row = EventRow(
            case_id,
            step["action"],
            step.get("unit"),
            state,
            to,
            step.get("extra", {}),
            step["at"],
            prev,
        )
        if to:
            state = to
        prev = row.hash
        rows.append(row)
    return rows


def insert_events(rows: Sequence[Any]) -> None:
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


def reserve_ids(model: type[Model], n: int) -> list[int]:
    """``n`` ids from the table's sequence, in one query (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, n],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY the rows into the table (PostgreSQL)."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


class _CaseTemplate:
    """Case columns, their default values as the database takes them, and positions."""

    def __init__(self) -> None:
        fields = Case._meta.concrete_fields
        blank = Case()
        self.columns = [f.column or f.attname for f in fields]
        self.defaults = [f.get_db_prep_save(getattr(blank, f.attname), connection) for f in fields]
        self.at = {f.attname: i for i, f in enumerate(fields)}


def _write_pg(
    cases: Sequence[dict[str, Any]], plans: Sequence[Iterable[dict[str, Any]]]
) -> list[int]:
    from psycopg.types.json import Jsonb

    template = _CaseTemplate()
    at = template.at
    ids = reserve_ids(Case, len(cases))
    rows = []
    events: list[EventRow] = []
    for fields, plan, pk in zip(cases, plans, ids, strict=True):
        row = list(template.defaults)
        row[at["id"]] = pk
        for name, value in fields.items():
            row[at[name]] = value
        rows.append(row)
        events += chain(pk, plan)
    copy_rows(Case._meta.db_table, template.columns, rows)
    event_ids = reserve_ids(CaseEvent, len(events))
    copy_rows(
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


def write_cases(
    cases: Sequence[dict[str, Any]], plans: Sequence[Iterable[dict[str, Any]]]
) -> list[int]:
    """Write the cases (their set columns) and their planned events, chained, in the
    caller's transaction; return the events' ids."""
    if connection.vendor == "postgresql":
        return _write_pg(cases, plans)
    made = [Case(**fields) for fields in cases]
    Case.objects.bulk_create(made, batch_size=500)
    insert_events([e for c, plan in zip(made, plans, strict=True) for e in chain(c.pk, plan)])
    return list(
        CaseEvent.objects.filter(case_id__in=[c.pk for c in made]).values_list("id", flat=True)
    )
