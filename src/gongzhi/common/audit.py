"""Writing audit events. Call inside the service's transaction so the event and the
change commit together or not at all; each event is chained to the previous event of the
same object (common/chain.py)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from gongzhi.common.chain import AUDIT_EVENTS, audit_event_fields, chain_lock, digest
from gongzhi.common.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    unit: Any = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    actor_obj = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        actor=actor_obj,
        actor_unit=unit,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        extra=extra or {},
        created_at=timezone.now(),
    )
    chain_lock(AUDIT_EVENTS, f"{event.target_type}:{event.target_id}")
    event.prev_hash = (
        AuditEvent.objects.filter(target_type=event.target_type, target_id=event.target_id)
        .order_by("-id")
        .values_list("hash", flat=True)
        .first()
        or ""
    )
    event.hash = digest(event.prev_hash, audit_event_fields(event))
    event.save(force_insert=True)
    return event


def audit_trail(target: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor", "actor_unit")
