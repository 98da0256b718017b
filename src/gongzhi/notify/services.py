"""Every write of the outbox: queueing messages (for a unit, an office, a person), the
delivery of one message with its log entry, the sweep that retries what is due, and a
person's preferences and opt-outs.

Messages are queued inside the transaction of the write they tell of and delivered by a
Celery task after the commit (``transaction.on_commit``): a rolled-back write sends
nothing. A delivery claims its row by a conditional update, so two workers never send
one message twice."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.notify.backends import Outcome, backend_for
from gongzhi.notify.models import (
    PERSONAL_CHANNELS,
    URGENT_EVENTS,
    Attempt,
    ChannelKind,
    EventType,
    Message,
    OptOut,
    Preference,
)
from gongzhi.notify.selectors import unit_audience
from gongzhi.notify.templates import render, sms_template_id
from gongzhi.org.models import RoleGrant, User

BEIJING = ZoneInfo("Asia/Shanghai")
STALE_SENDING = dt.timedelta(minutes=10)
UNIT_ROLES = (RoleGrant.Role.UNIT_HANDLER, RoleGrant.Role.UNIT_HEAD, RoleGrant.Role.THREE_PARTY)


@dataclass(frozen=True)
class About:
    """What a message tells of: the object ("cases.case:370829-2026-000001"), the area
    path the outbox page is scoped by, and the template's parameters."""

    target: str
    area_path: str
    params: dict[str, Any] = field(default_factory=dict)


# --- settings ---------------------------------------------------------------------------


def max_attempts() -> int:
    return int(getattr(settings, "GONGZHI_NOTIFY_MAX_ATTEMPTS", 5))


def retry_after(attempts: int) -> dt.timedelta:
    """Back-off after the ``attempts``-th failure: 1, 2, 4, 8 … minutes, at most 1 hour."""
    base = float(getattr(settings, "GONGZHI_NOTIFY_RETRY_SECONDS", 60))
    return dt.timedelta(seconds=min(base * 2 ** max(0, attempts - 1), 3600))


def quiet_window() -> tuple[dt.time, dt.time] | None:
    """GONGZHI_NOTIFY_QUIET_HOURS ("22:00-07:00", Beijing time), or None when empty."""
    text = str(getattr(settings, "GONGZHI_NOTIFY_QUIET_HOURS", "") or "").strip()
    if not text:
        return None
    start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-", 1))
    return start, end


def quiet_until(now: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours ``now`` falls in, or None outside them."""
    window = quiet_window()
    if window is None:
        return None
    start, end = window
    local = now.astimezone(BEIJING)
    t = local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=BEIJING)


# --- queueing -----------------------------------------------------------------------------


def _message(event: str, channel: str, about: About, now: dt.datetime, **fields: Any) -> Message:
    subject, body = render(event, about.params)
    return Message(
        created_at=now,
        next_attempt_at=now,
        event=event,
        channel=channel,
        subject=subject,
        body=body,
        params={k: str(v) for k, v in about.params.items()},
        target=about.target[:100],
        area_path=about.area_path[:255],
        **fields,
    )


def _save(messages: list[Message]) -> list[Message]:
    """Insert the messages and send the pending ones that are due after the commit; one
    held by quiet hours is left to the sweep (``message_deliver`` would not claim it
    before then either)."""
    if not messages:
        return []
    for m in messages:
        m.save(force_insert=True)
    clock = timezone.now()
    due = [
        m.pk for m in messages if m.state == Message.State.PENDING and m.next_attempt_at <= clock
    ]
    if due:
        from gongzhi.notify.tasks import deliver

        transaction.on_commit(lambda: deliver.delay(due))
    return messages


def _personal(
    message: Message,
    pref: Preference | None,
    now: dt.datetime,
    opted_out: Collection[tuple[str, str]],
) -> Message:
    """Opt-outs, preferences and quiet hours, applied to a message to a person."""
    enabled = True
    if pref is not None:
        enabled = bool(getattr(pref, message.channel, True)) and message.event not in (
            pref.muted_events or []
        )
    if (message.channel, message.address) in opted_out:
        message.state, message.last_error = Message.State.SUPPRESSED, gettext("收件人已退订")
    elif not enabled:
        message.state, message.last_error = (
            Message.State.SUPPRESSED,
            gettext("收件人已关闭该类消息"),
        )
    elif (pref is None or pref.quiet_hours) and message.event not in URGENT_EVENTS:
        until = quiet_until(now)
        if until is not None:
            message.next_attempt_at = until
    return message


def opted_out(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    pairs = [p for p in pairs if p[1]]
    if not pairs:
        return set()
    q = Q(pk__in=[])
    for channel, address in pairs:
        q |= Q(channel=channel, address=address)
    return set(OptOut.objects.filter(q).values_list("channel", "address"))


def _staff_emails(
    users: Sequence[User],
    event: str,
    about: About,
    now: dt.datetime,
    *,
    prefs: dict[int, Preference] | None = None,
    out: Collection[tuple[str, str]] | None = None,
) -> list[Message]:
    """E-mail to staff; ``prefs`` and ``out`` (their opt-outs) are looked up if not given."""
    if prefs is None:
        prefs = {p.user_id: p for p in Preference.objects.filter(user__in=users)}
    found = [u for u in users if u.email]
    if out is None:
        out = opted_out((ChannelKind.EMAIL, u.email) for u in found)
    return [
        _personal(
            _message(event, ChannelKind.EMAIL, about, now, address=u.email, label=str(u), user=u),
            prefs.get(u.pk),
            now,
            out,
        )
        for u in found
    ]


def _staff_sms(
    users: Sequence[User],
    event: str,
    about: About,
    now: dt.datetime,
    *,
    prefs: dict[int, Preference],
    out: Collection[tuple[str, str]],
) -> list[Message]:
    found = [u for u in users if u.phone]
    return [
        _personal(
            _message(
                event,
                ChannelKind.SMS,
                about,
                now,
                address=u.phone,
                label=str(u),
                user=u,
                template_id=sms_template_id(event),
            ),
            prefs.get(u.pk),
            now,
            out,
        )
        for u in found
    ]


def queue_for_units(
    *,
    unit_ids: Iterable[int],
    event: str,
    about: About,
    now: dt.datetime | None = None,
    sms: bool = False,
) -> list[Message]:
    """Tell units: their group robots (those taking ``event``), and by e-mail their
    staff who have an address and have not turned e-mail off; with ``sms``, also by SMS
    their staff who have a phone number and have not turned SMS off."""
    now = now or timezone.now()
    ids = sorted({u for u in unit_ids if u})
    if not ids:
        return []
    # Robots, staff, preferences and opt-outs: from the per-process memo when the cache
    # is shared (notify.selectors), else read now.
    audience = unit_audience(ids, sms=sms)
    messages = [
        _message(
            event,
            hook.kind,
            about,
            now,
            webhook=hook,
            unit_id=hook.unit_id,
            label=f"{hook.name}（{hook.unit.name}）"[:200],
        )
        for hook in audience.hooks
        if not hook.events or event in hook.events
    ]
    staff, prefs, out = audience.staff, audience.prefs, audience.opted_out
    messages += _staff_emails(staff, event, about, now, prefs=prefs, out=out)
    if sms:
        messages += _staff_sms(staff, event, about, now, prefs=prefs, out=out)
    return _save(messages)


def queue_for_office(
    *, jurisdiction_id: int | None, event: str, about: About, now: dt.datetime | None = None
) -> list[Message]:
    """Tell a joint-conference office: its staff with an e-mail address."""
    now = now or timezone.now()
    if not jurisdiction_id:
        return []
    staff = list(
        User.objects.filter(
            is_active=True,
            grants__jurisdiction_id=jurisdiction_id,
            grants__role=RoleGrant.Role.OFFICE_STAFF,
        )
        .exclude(email="")
        .distinct()
    )
    return _save(_staff_emails(staff, event, about, now))


def queue_for_person(
    *,
    event: str,
    about: About,
    label: str,
    phone: str = "",
    user: User | None = None,
    now: dt.datetime | None = None,
) -> list[Message]:
    """Tell a person (a reporter): by SMS to ``phone`` (or the account's), by e-mail if
    the account has one, and in the web inbox if there is an account — each as their
    preferences, opt-outs and quiet hours allow. ``label`` is how the outbox page names
    them (masked by the caller)."""
    now = now or timezone.now()
    phone = phone or (user.phone if user is not None else "")
    pref = Preference.objects.filter(user=user).first() if user is not None else None
    messages: list[Message] = []
    if phone:
        messages.append(
            _message(
                event,
                ChannelKind.SMS,
                about,
                now,
                address=phone,
                label=label,
                user=user,
                template_id=sms_template_id(event),
            )
        )
    if user is not None and user.email:
        messages.append(
            _message(
                event, ChannelKind.EMAIL, about, now, address=user.email, label=label, user=user
            )
        )
    out = opted_out((m.channel, m.address) for m in messages)
    messages = [_personal(m, pref, now, out) for m in messages]
    if user is not None:
        messages.append(_message(event, ChannelKind.INBOX, about, now, label=label, user=user))
    return _save(messages)


# --- delivery -------------------------------------------------------------------------------


def message_deliver(*, message_id: int, now: dt.datetime | None = None) -> str:
    """Send one due message through its channel's backend, log the try, and set its
    state: sent; pending again after a back-off; or failed after the last try (or a
    failure no retry can mend). A message another worker holds, or not yet due, is left
    alone. Returns the state it is left in."""
    now = now or timezone.now()
    claimed = Message.objects.filter(
        pk=message_id, state=Message.State.PENDING, next_attempt_at__lte=now
    ).update(state=Message.State.SENDING, attempts=F("attempts") + 1, next_attempt_at=now)
    message = Message.objects.select_related("webhook").get(pk=message_id)
    if not claimed:
        return str(message.state)
    started = time.monotonic()
    try:
        outcome = backend_for(message.channel).send(message)
    except Exception as exc:
        outcome = Outcome(False, f"{type(exc).__name__}: {exc}"[:300])
    took = int((time.monotonic() - started) * 1000)
    Attempt.objects.create(
        message=message, at=now, ok=outcome.ok, status=outcome.status,
        detail=outcome.detail[:300], duration_ms=took,
    )  # fmt: skip
    if outcome.ok:
        state, changes = (
            Message.State.SENT,
            {"sent_at": now, "provider_id": outcome.provider_id[:100]},
        )
    elif outcome.permanent or message.attempts >= max_attempts():
        state, changes = Message.State.FAILED, {}
    else:
        state = Message.State.PENDING
        changes = {"next_attempt_at": now + retry_after(message.attempts)}
    Message.objects.filter(pk=message.pk, state=Message.State.SENDING).update(
        state=state, last_error="" if outcome.ok else outcome.detail[:300], **changes
    )
    return str(state)


def messages_sweep(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """Send what is due (retries, and messages held by quiet hours), in batches; a
    message left "sending" by a worker that died is taken up again. Idempotent."""
    now = now or timezone.now()
    Message.objects.filter(
        state=Message.State.SENDING, next_attempt_at__lt=now - STALE_SENDING
    ).update(state=Message.State.PENDING)
    due = list(
        Message.objects.filter(state=Message.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in due:
        message_deliver(message_id=pk, now=now)
    return len(due)


def message_retry(*, message: Message, actor: Any, now: dt.datetime | None = None) -> Message:
    """The office sends a failed message again (one more try, now)."""
    now = now or timezone.now()
    with transaction.atomic():
        moved = Message.objects.filter(pk=message.pk, state=Message.State.FAILED).update(
            state=Message.State.PENDING, next_attempt_at=now
        )
        if not moved:
            raise InvalidInput(errors=[FieldError("", gettext("只有发送失败的消息可以重发"))])
        audit_record(actor=actor, action="notify.retry", target=message, reason=message.label)
    message_deliver(message_id=message.pk, now=now)
    message.refresh_from_db()
    return message


# --- preferences and opt-outs ---------------------------------------------------------------


def preference_set(
    *,
    user: User,
    sms: bool,
    email: bool,
    quiet_hours: bool,
    muted_events: Sequence[str] = (),
) -> Preference:
    unknown = [e for e in muted_events if e not in EventType.values]
    if unknown:
        raise InvalidInput(
            errors=[
                FieldError("muted_events", gettext("未知事件“%(event)s”") % {"event": unknown[0]})
            ]
        )
    with transaction.atomic():
        pref, _ = Preference.objects.update_or_create(
            user=user,
            defaults={
                "sms": sms,
                "email": email,
                "quiet_hours": quiet_hours,
                "muted_events": sorted(set(muted_events)),
            },
        )
        audit_record(
            actor=user,
            action="notify.preference",
            target=pref,
            extra={
                "sms": sms,
                "email": email,
                "quiet_hours": quiet_hours,
                "muted": pref.muted_events,
            },
        )
    return pref


def optout_add(*, channel: str, address: str, source: str, actor: Any = None) -> OptOut:
    """An address asks for no more messages through ``channel``: pending messages to it
    are withdrawn, later ones are kept as not sent."""
    address = address.strip()
    if channel not in PERSONAL_CHANNELS or not address:
        raise InvalidInput(errors=[FieldError("address", gettext("请提供要退订的手机号或邮箱"))])
    with transaction.atomic():
        row, _ = OptOut.objects.get_or_create(
            channel=channel, address=address, defaults={"source": source[:40]}
        )
        Message.objects.filter(
            channel=channel, address=address, state=Message.State.PENDING
        ).update(state=Message.State.SUPPRESSED, last_error=gettext("收件人已退订"))
        audit_record(actor=actor, action="notify.optout", target=row, reason=source[:40])
    return row
