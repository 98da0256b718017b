"""The outages' step of the deadline sweep (run by the cases sweep through the setting
``GONGZHI_SWEEP_STEPS``, so cases imports nothing of parties): an outage still open
after its expected restore time is reminded once — the utility and the office are told
through the notify outbox, and an audit event is written. Each outage is claimed by a
conditional update on its open, not-yet-reminded row, so a second run (or two sweeps at
once) reminds nothing more."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.parties.events import PartiesEvent
from gongzhi.parties.models import Outage
from gongzhi.parties.services.outage_messages import tell_overdue


def outages_remind_overdue(now: dt.datetime, batch: int = 200) -> list[int]:
    """Remind every open outage past its expected restore time, once; the ids reminded."""
    due = Outage.objects.filter(
        state=Outage.State.OPEN, overdue_reminded_at__isnull=True, expected_at__lt=now
    ).select_related("utility__jurisdiction")
    reminded: list[int] = []
    last = 0
    while True:
        rows = list(due.filter(pk__gt=last).order_by("pk")[:batch])
        for outage in rows:
            with transaction.atomic():
                claimed = Outage.objects.filter(
                    pk=outage.pk,
                    state=Outage.State.OPEN,
                    overdue_reminded_at__isnull=True,
                    expected_at__lt=now,
                ).update(overdue_reminded_at=now)
                if not claimed:  # closed or reminded meanwhile
                    continue
                audit_record(
                    actor=None,
                    action=PartiesEvent.OUTAGE_OVERDUE,
                    target=outage,
                    unit=outage.utility,
                    reason=_("超过预计恢复时间仍未恢复"),
                    extra={"expected_at": outage.expected_at.isoformat()},
                )
                tell_overdue(outage, now)
            reminded.append(outage.pk)
        if len(rows) < batch:
            return reminded
        last = rows[-1].pk


def sweep_outage_overdue(now: dt.datetime, batch: int) -> tuple[str, int]:
    """The step as the cases sweep calls it (GONGZHI_SWEEP_STEPS)."""
    return _("停水停电超时未恢复提醒"), len(outages_remind_overdue(now, batch))
