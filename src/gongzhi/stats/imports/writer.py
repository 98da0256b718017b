"""Writing a batch of valid rows: the case rows and their events (registered,
dispatched, accepted, handled, rated or closed, as the row says), ledger numbers from
the county's counter, written by ``stats.bulk.write_cases`` (COPY on PostgreSQL, as
``gongzhi synth``), each case's events hash-chained as the services chain them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gongzhi.cases.models import Source, State
from gongzhi.stats.bulk import Numbers, write_cases
from gongzhi.stats.imports.rows import Parsed

ON_TIME = dt.timedelta(hours=24)


def _case_fields(p: Parsed, numbers: Numbers, now: dt.datetime, tz: Any) -> dict[str, Any]:
    """The case row's columns that an import sets (attnames); the rest keep defaults."""
    year = timezone.localtime(p.created_at, tz).year
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


def write_batch(
    batch: list[Parsed], numbers: Numbers, now: dt.datetime, tz: Any = None
) -> list[int]:
    """Write the batch's cases and events (inside the caller's transaction); return the
    events' ids. ``tz``: the zone whose year numbers a case (the current one)."""
    tz = tz or timezone.get_current_timezone()
    ids = write_cases([_case_fields(p, numbers, now, tz) for p in batch], [_plan(p) for p in batch])
    numbers.save()
    return ids
