"""Who a unit's messages go to (its group robots, its staff with their preferences and
e-mail opt-outs), and whether any integration subscribes to case events: read for every
registration and every case write, changed rarely.

Each process keeps the answers in a memo keyed by the audience version, a number in the
shared cache (as ``catalog.selectors.catalog_version``) that every change of the rows
behind them increments — a save or delete of a robot, unit, account, role, preference,
opt-out, subscription or API token (signals, connected in ``notify.apps``), and the few
writes that bypass signals (``audience_changed`` at each). The version is read from the
cache on every use, not believed for a while, so a robot or subscription added in another
process is used by the next message queued anywhere after its commit (apart from the
moment between that commit and the increment that follows it).

The memo is used only when the cache is shared between processes (Redis; a process-local
cache would never hear of another process's change), and only with data this
transaction has not changed (a change seen inside a transaction that later rolls back
must not be remembered)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction

from gongzhi.common import versions

VERSION_KEY = "gongzhi:notify:audience"
MEMO_SIZE = 5_000
# Cache backends of one process only: their version cannot tell of other processes.
LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)

T = TypeVar("T")
_memo: dict[tuple[Any, ...], tuple[int, Any]] = {}
_lock = threading.Lock()
_local = threading.local()  # .dirty: this thread's transaction changed the audience


def shared_cache() -> bool:
    return settings.CACHES["default"]["BACKEND"] not in LOCAL_CACHES


def _version() -> int:
    return versions.read(VERSION_KEY)


def _bump() -> None:
    versions.bump(VERSION_KEY)


def audience_changed(**kwargs: Any) -> None:
    """A robot, unit, account, role, preference, opt-out, subscription or token changed:
    forget this process's memo, tell the others through the shared version at once and
    again after the commit (a process that read the rows in between must read them
    again). Inside a transaction, nothing is remembered until it ends."""
    with _lock:
        _memo.clear()
    if not shared_cache():
        return
    _bump()
    if connection.in_atomic_block:
        # Until the transaction ends: a commit bumps again and clears the flag; after a
        # rollback the next use outside a transaction clears it (``memoised``).
        _local.dirty = True
        transaction.on_commit(_committed)


def _committed() -> None:
    _local.dirty = False
    _bump()


def memoised(key: tuple[Any, ...], build: Callable[[], T]) -> T:
    if not connection.in_atomic_block:
        _local.dirty = False  # any transaction of this thread has ended
    if not shared_cache() or getattr(_local, "dirty", False):
        return build()
    version = _version()
    hit = _memo.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]  # type: ignore[no-any-return]
    value = build()
    with _lock:
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        _memo[key] = (version, value)
    return value


@dataclass(frozen=True)
class UnitAudience:
    hooks: tuple[Any, ...]  # active UnitWebhook rows, with their unit
    staff: tuple[Any, ...]  # active User rows holding a unit role, with e-mail or phone
    prefs: dict[int, Any]  # user id → Preference
    opted_out: frozenset[tuple[str, str]]  # the staff's (channel, address) opt-outs


def unit_audience(unit_ids: Sequence[int], *, sms: bool) -> UnitAudience:
    """The robots and staff of these units (sorted ids), as ``queue_for_units`` uses them."""
    return memoised(("units", tuple(unit_ids), sms), lambda: _unit_audience(unit_ids, sms))


def _unit_audience(unit_ids: Sequence[int], sms: bool) -> UnitAudience:
    from gongzhi.notify.models import ChannelKind, Preference, UnitWebhook
    from gongzhi.notify.services import UNIT_ROLES, opted_out
    from gongzhi.org.models import User

    hooks = tuple(
        UnitWebhook.objects.filter(unit_id__in=unit_ids, is_active=True).select_related("unit")
    )
    staff = tuple(
        User.objects.filter(
            is_active=True, grants__unit_id__in=unit_ids, grants__role__in=UNIT_ROLES
        )
        .exclude(email="", phone="")
        .distinct()
    )
    prefs = {p.user_id: p for p in Preference.objects.filter(user__in=staff)}
    pairs = [(ChannelKind.EMAIL, u.email) for u in staff if u.email]
    if sms:
        pairs += [(ChannelKind.SMS, u.phone) for u in staff if u.phone]
    return UnitAudience(hooks, staff, prefs, frozenset(opted_out(pairs)))


def subscriptions_possible() -> bool:
    """False when no active subscription of a live token and account exists (known from
    the memo): a case write's events then need no look-up of who wants them. Without a
    shared cache: True (the caller looks)."""
    from gongzhi.webhooks.models import Subscription

    if not shared_cache():
        return True
    return memoised(
        ("subscriptions",),
        lambda: Subscription.objects.filter(
            is_active=True, token__revoked_at__isnull=True, token__user__is_active=True
        ).exists(),
    )
