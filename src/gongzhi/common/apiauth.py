"""Authentication for the JSON API: the browser session (with CSRF) for pages' own
calls, and bearer tokens (``Authorization: Bearer gz_…``) for integrations such as the
12345 hotline system. Token look-ups are memoised per process for a few seconds so that a
busy integration does not cost a query per request; a revoked token stops working within
that time."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from gongzhi.common.audit import audit_record
from gongzhi.common.models import ApiToken

session_auth = django_auth
MEMO_SECONDS = 10.0
_memo: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        digest = _hash(token)
        now = time.monotonic()
        hit = _memo.get(digest)
        if hit and now - hit[0] < MEMO_SECONDS:
            row = hit[1]
        else:
            row = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=digest, revoked_at__isnull=True, user__is_active=True)
                .first()
            )
            with _lock:
                _memo[digest] = (now, row)
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
    api_token_forget()


def api_token_forget() -> None:
    with _lock:
        _memo.clear()
