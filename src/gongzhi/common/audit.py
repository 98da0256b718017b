"""Writing audit events. Call inside the service's transaction so the event and the
change commit together or not at all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from gongzhi.common.models import AuditEvent

if TYPE_CHECKING:
    from gongzhi.org.models import Unit, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    unit: Unit | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    actor_obj = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
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
    )


def audit_trail(target: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor", "actor_unit")
