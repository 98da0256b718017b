"""Authentication for the JSON API: the browser session (with CSRF) for pages' own
calls, and bearer tokens (``Authorization: Bearer gz_…``) for integrations such as the
12345 hotline system. Token look-ups are memoised per process so that a busy integration
does not cost a query per request: a valid token for ``MEMO_SECONDS`` (a revoked token
stops working within that time; at once in the process that revoked it), an unknown one
for ``MISS_SECONDS``. Both memos are bounded (oldest out first), and unknown tokens have
their own small memo, so a flood of made-up tokens neither grows memory nor pushes the
real integrations' entries out."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from gongzhi.common.audit import audit_record
from gongzhi.common.models import ApiToken

session_auth = django_auth
MEMO_SECONDS = 10.0
MEMO_SIZE = 2048
MISS_SECONDS = 2.0
MISS_SIZE = 256
_hits: OrderedDict[str, tuple[float, Any]] = OrderedDict()  # digest -> (expires, user)
_misses: OrderedDict[str, tuple[float, Any]] = OrderedDict()  # digest -> (expires, None)
_lock = threading.Lock()
_clock = time.monotonic


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _remember(
    memo: OrderedDict[str, tuple[float, Any]], digest: str, entry: tuple[float, Any], size: int
) -> None:
    """Insert at the end; drop expired entries from the front (every entry of a memo
    lives equally long, so the front expires first), then the oldest beyond ``size``."""
    now = _clock()
    memo[digest] = entry
    memo.move_to_end(digest)
    while memo and (len(memo) > size or next(iter(memo.values()))[0] <= now):
        memo.popitem(last=False)


def _token_row(digest: str) -> Any:
    now = _clock()
    with _lock:
        for memo in (_hits, _misses):
            entry = memo.get(digest)
            if entry is not None and entry[0] > now:
                return entry[1]
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    with _lock:
        if row is None:
            _hits.pop(digest, None)
            _remember(_misses, digest, (now + MISS_SECONDS, None), MISS_SIZE)
        else:
            _remember(_hits, digest, (now + MEMO_SECONDS, row), MEMO_SIZE)
    return row


def memo_sizes() -> tuple[int, int]:
    """(valid, unknown) tokens memoised in this process."""
    return len(_hits), len(_misses)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = _token_row(_hash(token))
        if row is None:
            return None
        request.user = row.user
        # What the token itself was granted (e.g. the channels it registers through).
        request.api_token = row  # type: ignore[attr-defined]
        return row.user


token_auth = TokenAuth()
# Endpoints that integrations call accept either.
api_auth = [token_auth, session_auth]


@transaction.atomic
def api_token_create(
    *, user: Any, name: str, channels: list[str] | None = None, actor: Any = None
) -> str:
    """Create a token and return the key; it is shown once and never stored."""
    key = "gz_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[3:11], key_hash=_hash(key), channels=channels or []
    )
    audit_record(actor=actor, action="api_token.create", target=token)
    return key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any = None) -> None:
    from django.utils import timezone

    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        audit_record(actor=actor, action="api_token.revoke", target=token)
        # No signal for .update(): the outbox's memo of subscriptions (notify.selectors).
        from gongzhi.notify.selectors import audience_changed

        audience_changed()
    api_token_forget()


def api_token_forget() -> None:
    with _lock:
        _hits.clear()
        _misses.clear()
