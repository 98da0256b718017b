"""Writing many cases and their events at once, outside the services: the ledger import
(stats/imports/) and synthetic history (stats/synth.py) both come here.

A case is given as a dict of the columns it sets (attnames; the rest keep the model's
defaults) and a *plan*: its events in order, each a dict with ``action``, ``at`` and
optionally ``unit`` (id), ``to`` (state) and ``extra``. Each case's events are
hash-chained as the services chain them (``cases.services.events.event_fields``,
``common.chain.digest``), so ``gongzhi audit verify`` passes.

On PostgreSQL the ids are taken from the tables' sequences in one query and both tables
are written with COPY (psycopg's ``cursor.copy``), rows written as lines of COPY's text
format from one template of the row's defaults, no model instances, each event's hash
computed by ``event_digest`` (the services' digest, written out); elsewhere (SQLite) with
``bulk_create`` and one prepared INSERT run by ``executemany``. Everything runs in the
caller's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

from gongzhi.cases.models import Case, CaseEvent, LedgerCounter
from gongzhi.cases.services.events import event_fields
from gongzhi.common.chain import VERSION, digest

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


def reserve_ids(model: type[Model], n: int) -> Sequence[int]:
    """``n`` ids from the table's sequence, in one query (PostgreSQL), in increasing
    order. When no other session took ids meanwhile they are consecutive and come back
    as a range (fetching 150,000 single-column rows was a tenth of an import's time)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(v), max(v), count(*),"
            " CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL ELSE array_agg(v ORDER BY v) END"
            " FROM (SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS v"
            " FROM generate_series(1, %s)) AS ids",
            [model._meta.db_table, n],
        )
        low, high, count, spread = cursor.fetchone()
    if not count:
        return []
    return list(spread) if spread is not None else range(low, high + 1)


# COPY's text format: a row is a line of tab-separated fields, NULL is \N, and a
# backslash, tab, newline or carriage return inside a value is written as an escape.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_NULL = "\\N"


class _Literals:
    """Values as COPY's text format writes them: the types a case row holds directly,
    anything else through psycopg's own text dumpers (what ``Copy.write_row`` does, a
    value at a time, at several times the cost)."""

    def __init__(self, cursor: Any) -> None:
        from psycopg.adapt import PyFormat, Transformer

        self.tx = Transformer(cursor.connection)
        self.text = PyFormat.TEXT

    def __call__(self, value: Any) -> str:
        if value is None:
            return COPY_NULL
        if isinstance(value, str):
            return value.translate(COPY_ESCAPES)
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, int):
            return str(int(value))
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.isoformat()
        data = self.tx.get_dumper(value, self.text).dump(value)
        return COPY_NULL if data is None else bytes(data).decode().translate(COPY_ESCAPES)


def copy_lines(table: str, columns: Sequence[str], lines: Iterable[str]) -> None:
    """COPY rows already written as lines of COPY's text format (PostgreSQL), sent in
    blocks of about a megabyte."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        block: list[str] = []
        size = 0
        for line in lines:
            block.append(line)
            size += len(line)
            if size > 1 << 20:
                copy.write("\n".join(block) + "\n")
                block, size = [], 0
        if block:
            copy.write("\n".join(block) + "\n")


# ``common.chain``'s encoder, for the ``extra`` of an event.
_json = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
).encode
_string = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _utc(moment: dt.datetime) -> str:
    """A moment as ``common.chain`` hashes it (UTC, microseconds, no offset)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def event_digest(
    prev_hash: str,
    case_id: int,
    action: str,
    unit_id: int | None,
    from_state: str,
    to_state: str,
    extra_json: str,
    at_utc: str,
) -> str:
    """``common.chain.digest(prev_hash, event_fields(event))`` for an event with no actor
    and no reason, written out: the same canonical JSON array, byte for byte, without
    the encoder's walk over ten values (``extra_json`` is ``extra`` as the encoder writes
    it; ``at_utc`` is ``_utc(created_at)``). tests/test_imports.py compares the two."""
    unit = "null" if unit_id is None else str(int(unit_id))
    payload = (
        f'["{VERSION}",{_string(prev_hash)},{int(case_id)},{_string(action)},null,null,'
        f'{unit},{_string(from_state)},{_string(to_state)},"",{extra_json},"{at_utc}"]'
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class _CaseTemplate:
    """Case columns, their default values as COPY's text writes them, and positions."""

    def __init__(self, literal: _Literals) -> None:
        fields = Case._meta.concrete_fields
        blank = Case()
        self.columns = [f.column or f.attname for f in fields]
        self.defaults = [
            literal(f.get_db_prep_save(getattr(blank, f.attname), connection)) for f in fields
        ]
        self.at = {f.attname: i for i, f in enumerate(fields)}


def _event_lines(
    case_ids: Sequence[int], plans: Sequence[Sequence[dict[str, Any]]], event_ids: Sequence[int]
) -> Iterator[str]:
    """Each case's events as COPY lines (``["id", *EVENT_COLUMNS]``), chained."""
    ids = iter(event_ids)
    esc = COPY_ESCAPES
    for case_id, plan in zip(case_ids, plans, strict=True):
        prev = ""
        state = ""
        last_at: Any = None
        at_utc = ""
        for step in plan:
            action = step["action"]
            to = step.get("to", "")
            unit_id = step.get("unit")
            extra = _json(step.get("extra", {}))
            if step["at"] is not last_at:
                last_at = step["at"]
                at_utc = _utc(last_at)
            digest = event_digest(prev, case_id, action, unit_id, state, to, extra, at_utc)
            unit = COPY_NULL if unit_id is None else str(int(unit_id))
            # Actions and states are the workflow's identifiers: nothing to escape.
            yield (
                f"{next(ids)}\t{case_id}\t{action}\t{unit}\t{state}\t{to}\t\t"
                f"{extra.translate(esc)}\t{at_utc}+00\t{prev}\t{digest}"
            )
            if to:
                state = to
            prev = digest


def _case_lines(
    cases: Sequence[dict[str, Any]], ids: Sequence[int], template: _CaseTemplate, literal: _Literals
) -> Iterator[str]:
    """The case rows as COPY lines, made as they are sent (the server takes the first
    block while the next is made)."""
    at = template.at
    id_at = at["id"]
    esc = COPY_ESCAPES
    for fields, pk in zip(cases, ids, strict=True):
        row = list(template.defaults)
        row[id_at] = str(pk)
        for name, value in fields.items():
            # The common kinds first, inline (25 values a case).
            if value.__class__ is str:
                row[at[name]] = value.translate(esc) if value else ""
            elif value is None:
                row[at[name]] = COPY_NULL
            else:
                row[at[name]] = literal(value)
        yield "\t".join(row)


def _write_pg(
    cases: Sequence[dict[str, Any]], plans: Sequence[Iterable[dict[str, Any]]]
) -> list[int]:
    with connection.cursor() as cursor:
        literal = _Literals(cursor)
        # The foreign keys checked at the end of each COPY rather than at the commit, as
        # Django's check_constraints does: the same checks, but a long import's commit
        # does not run them all at once after its last row (50 µs a row), nor keep
        # millions of pending checks in the server's memory.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        template = _CaseTemplate(literal)
        ids = reserve_ids(Case, len(cases))
        copy_lines(
            Case._meta.db_table, template.columns, _case_lines(cases, ids, template, literal)
        )
        steps = [list(plan) for plan in plans]
        event_ids = reserve_ids(CaseEvent, sum(len(s) for s in steps))
        copy_lines(
            CaseEvent._meta.db_table, ["id", *EVENT_COLUMNS], _event_lines(ids, steps, event_ids)
        )
        # Back to how every deferrable constraint of the schema is declared (initially
        # deferred), for the rest of the caller's transaction.
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return list(event_ids)


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
