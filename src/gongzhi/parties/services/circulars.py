"""Circulars (通报, 002 (三)第三、四条): sending one to the other parties of an estate and
up to the street — each recipient unit gets its receipt (its inbox entry) in the same
transaction, so an urgent item is there the moment it is sent — and reading one, which
records the read receipt the sender sees."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.org.models import Estate, User
from gongzhi.parties import access
from gongzhi.parties.events import PartiesEvent
from gongzhi.parties.models import Circular, CircularReceipt, Party


@transaction.atomic
def circular_send(
    *,
    actor: User,
    estate: Estate,
    sender_party: str,
    to_parties: list[str],
    title: str,
    body: str,
    urgent: bool = False,
) -> Circular:
    unit = access.require_send(actor, estate, sender_party)
    errors: list[FieldError] = []
    allowed = {p.value for p in access.CIRCULAR_PARTIES}
    wrong = [p for p in to_parties if p not in allowed]
    if not to_parties:
        errors.append(FieldError("to_parties", _("请选择接收方")))
    elif wrong:
        labels = "、".join(str(Party(p).label) if p in Party.values else p for p in wrong)
        errors.append(
            FieldError(
                "to_parties", _("通报只能发给三方和街道，不能发给：%(labels)s") % {"labels": labels}
            )
        )
    targets = [
        (p, pk)
        for p, pk in access.recipients(estate, list(dict.fromkeys(to_parties)))
        if pk != unit.pk
    ]
    if to_parties and not wrong and not targets:
        errors.append(FieldError("to_parties", _("所选接收方在本小区没有对应单位")))
    if not title.strip():
        errors.append(FieldError("title", _("不能为空")))
    if not body.strip():
        errors.append(FieldError("body", _("不能为空")))
    if errors:
        raise InvalidInput(errors=errors)
    circular = Circular.objects.create(
        estate=estate,
        sender_party=sender_party,
        sender_unit=unit,
        sent_by=actor,
        title=title.strip(),
        body=body.strip(),
        urgent=urgent,
    )
    CircularReceipt.objects.bulk_create(
        [CircularReceipt(circular=circular, party=p, unit_id=pk) for p, pk in targets]
    )
    audit_record(
        actor=actor,
        action=PartiesEvent.CIRCULAR_SEND,
        target=circular,
        unit=unit,
        extra={
            "estate": estate.code,
            "urgent": urgent,
            "recipients": [pk for _p, pk in targets],
        },
    )
    return circular


@transaction.atomic
def circular_read(*, actor: User, circular: Circular, now: dt.datetime | None = None) -> int:
    """Record that the actor's units have read ``circular``; returns how many receipts
    were unread. Reading twice changes nothing."""
    now = now or timezone.now()
    receipts = access.my_receipts(actor).filter(circular=circular, read_at__isnull=True)
    units = sorted(receipts.values_list("unit_id", flat=True))
    done = receipts.update(read_at=now, read_by=actor, updated_at=now)
    if done:
        audit_record(
            actor=actor,
            action=PartiesEvent.CIRCULAR_READ,
            target=circular,
            extra={"units": units},
        )
    return done
