"""The records every case write leaves: the event row (hash-chained per case), in-app
notifications, accountability records, and the conditional version bump that serialises
writers of one case.

Every function here runs inside the caller's transaction, after the caller has taken the
case's row lock (a conditional update of the case row), so the events of one case are
written one after another and chain in id order."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.cases.events import EventKind, events_committed
from gongzhi.cases.models import Accountability, Case, CaseEvent, CaseTask, Notification
from gongzhi.common.chain import CASE_EVENTS, chain_lock, digest
from gongzhi.common.errors import Conflict

log = logging.getLogger(__name__)
CONFLICT = gettext_lazy("该案件刚被他人处理，请刷新页面后重试")
STALE = gettext_lazy("该案件已被他人更新，请刷新页面后重试")


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


class Stamp(TypedDict, total=False):
    """What every write takes besides its own input: the version the user saw (a stale
    one is a conflict) and the moment (the sweep and demo data pass their own)."""

    expected_version: int | None
    now: dt.datetime | None


def when(at: Stamp) -> tuple[dt.datetime, int | None]:
    return now_or(at.get("now")), at.get("expected_version")


@dataclass(frozen=True)
class Notice:
    """An in-app notification a write sends: to a unit, an account or an office."""

    kind: str
    text: str
    unit_id: int | None = None
    user_id: int | None = None
    jurisdiction_id: int | None = None

    @classmethod
    def about(cls, case: Case, kind: str, message: str, **to: int | None) -> Notice:
        """A notice whose ``message`` names the case by its title (``%(title)s``)."""
        return cls(kind, message % {"title": case.title}, **to)


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def signed_in(actor: Any) -> Any:
    """The actor as stored on a row: a signed-in account, or None (the system)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- the event chain ------------------------------------------------------------------------


def event_fields(event: CaseEvent) -> list[Any]:
    """The content of a case event that its hash covers."""
    return [
        event.case_id,
        event.action,
        event.actor_id,
        event.actor_unit_id,
        event.unit_id,
        event.from_state,
        event.to_state,
        event.reason,
        event.extra,
        event.created_at,
    ]


def _last_hash(case: Case) -> str:
    found = (
        CaseEvent.objects.filter(case_id=case.pk)
        .order_by("-id")
        .values_list("hash", flat=True)
        .first()
    )
    return found or ""


def event_row(
    case: Case,
    action: EventKind | str,
    *,
    now: dt.datetime,
    actor: Any = None,
    actor_unit_id: int | None = None,
    unit_id: int | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> CaseEvent:
    """An event row, not yet saved nor chained."""
    return CaseEvent(
        case=case,
        action=str(action),
        actor=signed_in(actor),
        actor_unit_id=actor_unit_id,
        unit_id=unit_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        extra=extra or {},
        created_at=now,
    )


def events_save(case: Case, rows: Sequence[CaseEvent], *, first: bool = False) -> list[CaseEvent]:
    """Chain and insert ``rows`` (in one statement) after the case's last event, holding
    the case's chain until the transaction ends; ``first`` for a case just created."""
    prev = ""
    if not first:
        chain_lock(CASE_EVENTS, case.pk)
        prev = _last_hash(case)
    for row in rows:
        row.prev_hash = prev
        row.hash = digest(prev, event_fields(row))
        prev = row.hash
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        CaseEvent.objects.bulk_create(list(rows))
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _announce(ids), robust=True)
    return list(rows)


def _announce(ids: list[int]) -> None:
    """Tell the listeners (webhooks) of committed events; a listener's failure is logged,
    never raised into the write that has already committed."""
    for receiver, result in events_committed.send_robust(sender=CaseEvent, event_ids=ids):
        if isinstance(result, Exception):
            log.error("case events listener %r failed", receiver, exc_info=result)


def event(case: Case, action: EventKind | str, *, now: dt.datetime, **fields: Any) -> CaseEvent:
    """Write one event of ``case`` (see ``event_row`` for the fields)."""
    return events_save(case, [event_row(case, action, now=now, **fields)])[0]


def unit_event(
    case: Case, action: str, actor: Any, unit_id: int | None, reason: str, extra: dict[str, Any],
    now: dt.datetime,
) -> CaseEvent:  # fmt: skip
    """An event a unit makes about its own part (a task, an appeal)."""
    return event(
        case, action, actor=actor, actor_unit_id=unit_id, unit_id=unit_id, reason=reason,
        extra=extra, now=now,
    )  # fmt: skip


# --- serialising writers --------------------------------------------------------------------


def touch(case: Case, *, now: dt.datetime, expected_version: int | None = None) -> None:
    """A write that leaves the state as it is still moves the case's version, on the
    version the writer read (or the one its page showed): of two writers at once one
    wins and the other gets a conflict, and the row lock orders the case's events."""
    if expected_version is not None and expected_version != case.version:
        raise Conflict(STALE)
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        version=F("version") + 1, updated_at=now
    )
    if updated != 1:
        raise Conflict(CONFLICT)
    case.version += 1


def lock(case: Case) -> None:
    """Take the case's row lock without changing what a reader sees (a second case a
    write touches, e.g. the one a duplicate is merged into)."""
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
    case.version += 1


# --- notifications --------------------------------------------------------------------------


def notify(
    now: dt.datetime,
    case: Case,
    kind: str,
    text: str,
    *,
    unit_id: int | None = None,
    user_id: int | None = None,
    jurisdiction_id: int | None = None,
) -> None:
    send(now, case, Notice(kind, text, unit_id, user_id, jurisdiction_id))


def send(now: dt.datetime, case: Case, *notices: Notice | None) -> None:
    """The in-app notifications, and their messages outside (SMS, e-mail, robots) through
    the outbox (cases/services/messages.py)."""
    from gongzhi.cases.services.messages import notices_out

    notices_out(case, [n for n in notices if n is not None], now)
    for n in notices:
        if n is None or not (n.unit_id or n.user_id or n.jurisdiction_id):
            continue
        Notification.objects.create(
            created_at=now,
            case=case,
            kind=n.kind,
            text=n.text[:300],
            unit_id=n.unit_id,
            user_id=n.user_id,
            jurisdiction_id=n.jurisdiction_id,
        )


# --- accountability -------------------------------------------------------------------------


def accountability(
    case: Case,
    unit_id: int,
    kind: str,
    reason: str,
    *,
    key: str,
    now: dt.datetime,
    task: CaseTask | None = None,
) -> Accountability | None:
    """A record against a unit, once per ``key`` (a second sweep records nothing)."""
    if Accountability.objects.filter(key=key).exists():
        return None
    try:
        # A savepoint: when two sweep passes overlap (a catch-up pass longer than the
        # beat's minute), the one that loses the race on the key records nothing and
        # goes on, instead of failing its whole pass.
        with transaction.atomic():
            record = Accountability.objects.create(
                unit_id=unit_id, case=case, kind=kind, reason=reason, key=key, task=task
            )
    except IntegrityError:
        return None
    event(
        case,
        f"account_{kind}",
        unit_id=unit_id,
        reason=reason,
        extra={"record": record.pk},
        now=now,
    )
    return record


def delay(
    case: Case, what: str, due: dt.datetime | None, key: str, now: dt.datetime, then: str = ""
) -> Any:
    """拖延不办: a delay record against the case's unit for a limit it let pass."""
    assert case.lead_unit_id is not None
    when_due = f"（{timezone.localtime(due):%Y-%m-%d %H:%M}）" if due else ""
    text = _("超过%(what)s时限%(when_due)s%(then)s") % {
        # The breached limit is stored as 签收/办结; other callers pass a label already.
        "what": {"签收": _("签收"), "办结": _("办结")}.get(what, what),  # i18n: data
        "when_due": when_due,
        "then": then,
    }
    return accountability(
        case, case.lead_unit_id, Accountability.Kind.DELAY, text, key=key, now=now
    )
