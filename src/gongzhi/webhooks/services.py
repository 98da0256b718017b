"""Every write of webhooks: subscribing, queueing the deliveries of committed case
events, one delivery attempt (claimed by a conditional update, so two workers never send
the same try), the retry sweep with back-off, and replay from the admin."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import access
from gongzhi.cases.models import CaseEvent
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.notify.selectors import subscriptions_possible
from gongzhi.webhooks import payload
from gongzhi.webhooks.kinds import TYPE_OF, WEBHOOK_EVENTS
from gongzhi.webhooks.models import Attempt, Delivery, Subscription

log = logging.getLogger(__name__)
# Waits after the 1st, 2nd … failed try; after the last, the delivery has failed
# (1 try + 5 retries over about eight and a half hours).
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
)
# A claimed try that never reports back (the worker died) is tried again after this.
LEASE = dt.timedelta(minutes=5)
BATCH = 100


def _timeout() -> float:
    return float(getattr(settings, "GONGZHI_WEBHOOK_TIMEOUT", 10.0))


# --- subscribing ----------------------------------------------------------------------------


@transaction.atomic
def webhook_subscribe(
    *, token: Any, name: str, url: str, events: Sequence[str], actor: Any = None
) -> Subscription:
    errors: list[FieldError] = []
    name = name.strip()
    if not name or len(name) > 100:
        errors.append(FieldError("name", _("请填写名称（不超过 100 个字）")))
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 500:
        errors.append(FieldError("url", _("推送地址应为 http:// 或 https:// 开头的网址")))
    unknown = [e for e in events if e not in WEBHOOK_EVENTS]
    if unknown or not events:
        known = "、".join(WEBHOOK_EVENTS)
        errors.append(FieldError("events", _("事件类型应从以下选择：%(known)s") % {"known": known}))
    if token.revoked_at is not None:
        errors.append(FieldError("token", _("该接口令牌已吊销")))
    if errors:
        raise InvalidInput(errors=errors)
    sub = Subscription.objects.create(
        name=name,
        token=token,
        url=url.strip(),
        secret=secrets.token_hex(32),
        events=sorted(set(events)),
    )
    audit_record(actor=actor, action="webhook.subscribe", target=sub, extra={"events": sub.events})
    return sub


# --- queueing -------------------------------------------------------------------------------


def on_case_events(sender: Any = None, event_ids: Iterable[int] = (), **_: Any) -> None:
    """After a case write commits: a delivery for every active subscription that wants
    the event's type and whose account may read the case, then one task each."""
    wanted = [i for i in event_ids if i]
    if not wanted or not subscriptions_possible():
        return
    subs = list(
        Subscription.objects.filter(
            is_active=True, token__revoked_at__isnull=True, token__user__is_active=True
        ).select_related("token__user")
    )
    if not subs:
        return
    events = CaseEvent.objects.filter(pk__in=wanted, action__in=list(TYPE_OF)).select_related(
        "case__estate", "case__matter", "case__lead_unit", "unit"
    )
    made: list[Delivery] = []
    now = timezone.now()
    for event in events:
        kind = TYPE_OF[event.action]
        for sub in subs:
            user = sub.token.user
            if kind not in sub.events or not access.can_read(user, event.case):
                continue
            body = payload.body_for(event, event.case, kind, user)
            made.append(
                Delivery(
                    subscription=sub, event=event, event_type=kind, body=body, next_attempt_at=now
                )
            )
    if not made:
        return
    with transaction.atomic():
        Delivery.objects.bulk_create(made, ignore_conflicts=True)
        ids = list(
            Delivery.objects.filter(
                event_id__in=[d.event_id for d in made], state=Delivery.State.PENDING
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: _enqueue(ids), robust=True)


def _tasks() -> Any:
    # The Celery app is configured on first use (not at start-up: small commands load
    # no Celery); without a broker it runs the task at once (CELERY_TASK_ALWAYS_EAGER).
    import gongzhi.config.celery  # noqa: F401
    from gongzhi.webhooks import tasks

    return tasks


def _enqueue(ids: Iterable[int]) -> None:
    deliver = _tasks().deliver

    for pk in ids:
        deliver.delay(pk)


# --- delivering -----------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A receiver that redirects has not received: no body is re-sent elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(delivery: Delivery, now: dt.datetime) -> tuple[int | None, str, int]:
    stamp = str(int(now.timestamp()))
    sub = delivery.subscription
    request = urllib.request.Request(
        sub.url,
        data=delivery.body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Gongzhi-Webhooks/1",
            payload.EVENT_HEADER: delivery.event_type,
            payload.DELIVERY_HEADER: str(delivery.pk),
            payload.TIMESTAMP_HEADER: stamp,
            payload.SIGNATURE_HEADER: payload.signature(sub.secret, stamp, delivery.body),
        },
    )
    started = time.monotonic()
    status: int | None = None
    error = ""
    try:
        with _opener.open(request, timeout=_timeout()) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    return status, error, int((time.monotonic() - started) * 1000)


def webhook_deliver(
    *, delivery_id: int, now: dt.datetime | None = None, replay: bool = False
) -> str:
    """One try of a pending delivery that is due; returns its state afterwards (or
    ``skipped`` when another worker holds it, it is not due, or it is settled)."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, state=Delivery.State.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    if claimed != 1:
        return "skipped"
    delivery = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    status, error, took = _post(delivery, now)
    ok = status is not None and 200 <= status < 300 and not error
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery, at=now, status_code=status, error=error, duration_ms=took,
            replay=replay,
        )  # fmt: skip
        attempts = delivery.attempts + 1
        if ok:
            fields: dict[str, Any] = {"state": Delivery.State.DELIVERED, "delivered_at": now}
        elif attempts > len(BACKOFF):
            fields = {"state": Delivery.State.FAILED, "next_attempt_at": None}
        else:
            fields = {"next_attempt_at": now + BACKOFF[attempts - 1]}
        Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING).update(
            attempts=attempts, **fields
        )
    return str(fields.get("state", Delivery.State.PENDING))


def webhook_retry_due(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """The sweep: try every pending delivery whose time has come (a step of at most
    ``batch``); idempotent. Returns how many were tried."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(webhook_deliver(delivery_id=pk, now=now) != "skipped" for pk in due)


@transaction.atomic
def webhook_delivery_replay(*, delivery: Delivery, actor: Any = None) -> None:
    """Send a delivery again (admin): back to pending with a fresh set of retries; the
    body is the one first sent."""
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    audit_record(actor=actor, action="webhook.replay", target=delivery)
    pk = delivery.pk
    transaction.on_commit(lambda: _enqueue_replay(pk), robust=True)


def _enqueue_replay(pk: int) -> None:
    _tasks().deliver.delay(pk, replay=True)
