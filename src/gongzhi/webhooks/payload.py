"""What a delivery says about a case event, as the subscribing integration's account may
see it (cases/access.py: the reporter's data only when that account handles the case),
and how it is signed."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.utils import timezone

from gongzhi.cases import access
from gongzhi.cases.events import event_label
from gongzhi.cases.models import Case, CaseEvent, State

SIGNATURE_HEADER = "X-Gongzhi-Signature"
TIMESTAMP_HEADER = "X-Gongzhi-Timestamp"
EVENT_HEADER = "X-Gongzhi-Event"
DELIVERY_HEADER = "X-Gongzhi-Delivery"


def _iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def body_for(event: CaseEvent, case: Case, event_type: str, user: Any) -> str:
    visible = access.viewer(user).sees_reporter(case)
    text = access.case_text(case, visible)
    names = [case.reporter_name] if case.reporter_name else []
    reason = event.reason if visible else access.mask_text(event.reason, names=names)
    unit = event.unit
    data = {
        "id": f"evt_{event.pk}",
        "type": event_type,
        "occurred_at": _iso(event.created_at),
        "case": {
            "number": case.number,
            "title": text.title,
            "state": case.state,
            "state_label": str(State(case.state).label),
            "channel": case.channel,
            "estate": case.estate.code,
            "estate_name": case.estate.name,
            "matter": case.matter.code if case.matter else None,
            "lead_unit": (
                {"code": case.lead_unit.code, "name": case.lead_unit.name}
                if case.lead_unit
                else None
            ),
            "external_ref": case.external_ref,
            "resolve_due_at": _iso(case.resolve_due_at),
            "reporter_visible": visible,
        },
        "event": {
            "action": event.action,
            "label": event_label(event.action),
            "from_state": event.from_state,
            "to_state": event.to_state,
            "unit": {"code": unit.code, "name": unit.name} if unit else None,
            "reason": reason,
        },
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def signature(secret: str, timestamp: str, body: str) -> str:
    """HMAC-SHA256 with the subscription's secret over ``timestamp.body`` (the timestamp
    header is covered, so an old body cannot be replayed with a fresh time)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: str, header: str) -> bool:
    """What a receiver does (and the tests do): compare in constant time."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)
