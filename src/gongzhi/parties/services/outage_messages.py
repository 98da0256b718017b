"""What an outage sends through the notify outbox: each property company's co-operation
tasks when the outage opens (event ``outage_task``), and the reminder to the utility and
the office when the expected restore time passes with it still open (``outage_overdue``).
Robots, staff e-mail and staff SMS; quiet hours do not hold them back (notify's
``URGENT_EVENTS``: 004 三(三) 抢险、抢修)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from gongzhi.notify.models import EventType
from gongzhi.notify.services import About, queue_for_office, queue_for_units
from gongzhi.parties.models import Outage, OutageTask
from gongzhi.parties.outage_tasks import label


def _about(outage: Outage, estates: str, **params: str) -> About:
    path = reverse("parties:outage", args=[outage.pk])
    return About(
        target=f"parties.outage:{outage.pk}",
        area_path=outage.utility.jurisdiction.path,
        params={
            "title": outage.title,
            "estate": estates,
            "due": timezone.localtime(outage.expected_at).strftime("%m-%d %H:%M"),
            "link": f"{settings.GONGZHI_PUBLIC_URL}{path}",
            **params,
        },
    )


def tell_companies(outage: Outage, tasks: list[OutageTask], now: dt.datetime) -> int:
    """One message per company (its robots, its staff's e-mail and SMS) listing its tasks
    at its estates. Returns the number of companies told."""
    by_unit: dict[int, list[OutageTask]] = defaultdict(list)
    for t in tasks:
        by_unit[t.unit_id].append(t)
    for unit_id, mine in by_unit.items():
        estates = "、".join(dict.fromkeys(t.estate.name for t in mine))
        kinds = "、".join(dict.fromkeys(label(t.kind) for t in mine))
        about = _about(outage, estates, unit=mine[0].unit.name, text=kinds)
        queue_for_units(
            unit_ids=[unit_id], event=EventType.OUTAGE_TASK, about=about, now=now, sms=True
        )
    return len(by_unit)


def tell_overdue(outage: Outage, now: dt.datetime) -> None:
    """The utility (robots, staff e-mail and SMS) and the joint-conference office of the
    utility's area (its staff's e-mail)."""
    estates = "、".join(outage.estates.order_by("code").values_list("name", flat=True))
    about = _about(outage, estates, unit=outage.utility.name)
    queue_for_units(
        unit_ids=[outage.utility_id], event=EventType.OUTAGE_OVERDUE, about=about, now=now,
        sms=True,
    )  # fmt: skip
    queue_for_office(
        jurisdiction_id=outage.utility.jurisdiction_id,
        event=EventType.OUTAGE_OVERDUE,
        about=about,
        now=now,
    )
