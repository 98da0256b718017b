"""Reading cases as GeoReport ``requests``: the public shape (no personal data — the
description is the public summary and notes pass through cases/access.py's masking),
and the standard's filters (service_request_id, service_code, start_date/end_date of
at most 90 days, status open/closed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from gongzhi.cases import access
from gongzhi.cases.models import OPEN_STATES, Case, State
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.open311.formats import w3c
from gongzhi.org.models import Jurisdiction

MAX_DAYS = 90
MAX_ROWS = 1000
MAX_IDS = 100
RELATED = ("estate", "matter", "lead_unit")


def status_of(case: Case) -> str:
    return "open" if case.state in OPEN_STATES else "closed"


def status_notes(case: Case) -> str:
    """What the public may know of where the case stands: the state, the unit, and once
    handled the result with personal data masked (access.case_text for a reader who
    may not see the reporter)."""
    notes = [str(State(case.state).label)]
    if case.lead_unit_id and case.lead_unit is not None:
        notes.append(_("承办单位：%(unit)s") % {"unit": case.lead_unit.name})
    result = access.case_text(case, False).result
    if result:
        notes.append(_("办理结果：%(result)s") % {"result": result})
    return "；".join(notes)


def request_record(case: Case) -> dict[str, Any]:
    estate = case.estate
    return {
        "service_request_id": case.number,
        "status": status_of(case),
        "status_notes": status_notes(case),
        "service_name": case.matter.name if case.matter else "",
        "service_code": case.matter.code if case.matter else "",
        "description": access.public_summary(case),
        "agency_responsible": case.lead_unit.name if case.lead_unit else "",
        "service_notice": "",
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.resolve_due_at),
        "address": f"{estate.name} {estate.address}".strip(),
        "address_id": estate.code,
        "zipcode": "",
        "lat": float(estate.latitude) if estate.latitude is not None else None,
        "long": float(estate.longitude) if estate.longitude is not None else None,
        "media_url": "",
    }


def public_cases(jurisdiction: Jurisdiction | None) -> QuerySet[Case]:
    qs = Case.objects.exclude(state=State.MERGED).select_related(*RELATED)
    if jurisdiction is not None:
        qs = qs.filter(estate__community__path__startswith=jurisdiction.path)
    return qs


@dataclass
class RequestFilter:
    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: list[str] = field(default_factory=list)


def _when(name: str, raw: str, errors: list[FieldError], *, end: bool) -> dt.datetime | None:
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
        day = None if value else parse_date(raw)
    except ValueError:
        value = day = None
    if value is None and day is not None:
        start_of = dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())
        value = start_of + dt.timedelta(days=1) if end else start_of
    if value is None:
        errors.append(FieldError(name, _("应为 W3C 日期时间，如 2026-11-01T00:00:00+08:00")))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if (
        not dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        <= value
        <= dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    ):
        errors.append(FieldError(name, _("日期应在 2000 年至 2100 年之间")))
        return None
    return value


def _split(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()]


def parse_filter(params: Any) -> RequestFilter:
    """The standard's filters; every problem reported at once."""
    errors: list[FieldError] = []
    f = RequestFilter(
        ids=_split(params.get("service_request_id", "")),
        service_codes=_split(params.get("service_code", "")),
        statuses=_split(params.get("status", "").lower()),
    )
    if len(f.ids) > MAX_IDS:
        errors.append(
            FieldError("service_request_id", _("一次最多查询 %(n)s 个编号") % {"n": MAX_IDS})
        )
    bad = [s for s in f.statuses if s not in ("open", "closed")]
    if bad:
        errors.append(FieldError("status", _("只能是 open 或 closed")))
    f.start = _when("start_date", params.get("start_date", ""), errors, end=False)
    f.end = _when("end_date", params.get("end_date", ""), errors, end=True)
    span = dt.timedelta(days=MAX_DAYS)
    if not errors:
        if f.start and f.end:
            if f.end < f.start:
                errors.append(FieldError("end_date", _("结束时间不能早于开始时间")))
            elif f.end - f.start > span:
                errors.append(
                    FieldError("end_date", _("查询时间跨度不能超过 %(n)s 天") % {"n": MAX_DAYS})
                )
        elif f.start:
            f.end = f.start + span
        elif f.end:
            f.start = f.end - span
        else:
            f.end = timezone.now()
            f.start = f.end - span
    if errors:
        raise InvalidInput(errors=errors)
    return f


def requests(jurisdiction: Jurisdiction | None, f: RequestFilter) -> list[Case]:
    qs = public_cases(jurisdiction)
    if f.ids:
        # The standard: service_request_id overrides every other filter.
        return list(qs.filter(number__in=f.ids).order_by("-created_at"))
    if f.service_codes:
        qs = qs.filter(matter__code__in=f.service_codes)
    if f.statuses == ["open"]:
        qs = qs.filter(state__in=OPEN_STATES)
    elif f.statuses == ["closed"]:
        qs = qs.exclude(state__in=OPEN_STATES)
    qs = qs.filter(created_at__gte=f.start, created_at__lt=f.end)
    return list(qs.order_by("-created_at")[:MAX_ROWS])
