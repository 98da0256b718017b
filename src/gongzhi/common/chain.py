"""Tamper evidence for append-only event tables: each row stores the hash of the row
before it in its chain (a case's events; an audited object's events) and its own hash
over its content. Changing, removing or reordering a row breaks every link after it, and
``gongzhi audit verify`` reports the first broken one.

The digest is over a canonical JSON array (version tag, previous hash, the row's fields
in a fixed order), so it does not depend on the database or the driver."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

VERSION = "v1"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return value


# One encoder for every digest (``json.dumps`` with options builds a new one per call,
# which was a fifth of a digest's time when millions of events are written at once).
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def digest(prev_hash: str, fields: Sequence[Any]) -> str:
    payload = _ENCODER.encode([VERSION, prev_hash, *[_plain(f) for f in fields]])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chain_lock(namespace: int, key: str | int) -> None:
    """Hold the chain of ``key`` until the transaction ends, so that two writers of one
    chain append one after the other (PostgreSQL: a transaction advisory lock; SQLite
    serialises writers already)."""
    if connection.vendor != "postgresql":
        return
    number = key if isinstance(key, int) else int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, number % 2**31])


# Advisory lock namespaces of the chains.
CASE_EVENTS = 7101
AUDIT_EVENTS = 7102


def audit_event_fields(event: Any) -> list[Any]:
    """The content of an audit event that its hash covers."""
    return [
        event.target_type,
        event.target_id,
        event.target_label,
        event.action,
        event.actor_id,
        event.actor_unit_id,
        event.from_state,
        event.to_state,
        event.reason,
        event.extra,
        event.created_at,
    ]


@dataclass
class Break:
    """The first link of a chain that does not hold."""

    chain: str
    row_id: int
    problem: str


def verify(rows: Iterable[Any], key: Any, fields: Any) -> tuple[int, Break | None]:
    """Walk ``rows`` (ordered by chain, then by id) and recompute every hash; return how
    many rows were checked and the first broken link, if any. ``key(row)`` names a row's
    chain, ``fields(row)`` its hashed content."""
    checked = 0
    current: Any = object()
    prev = ""
    for row in rows:
        chain = key(row)
        if chain != current:
            current, prev = chain, ""
        checked += 1
        if row.prev_hash != prev:
            return checked, Break(
                str(chain), row.pk, _("前一事件摘要不符（事件被删除、插入或重排）")
            )
        if row.hash != digest(prev, fields(row)):
            return checked, Break(str(chain), row.pk, _("内容与摘要不符（事件被修改）"))
        prev = row.hash
    return checked, None
