"""Response headers the browser enforces, and how long a login lasts.

``SecurityHeadersMiddleware`` adds the Content-Security-Policy and the Permissions-Policy
to every response (pages and API). Django 5.2 has no CSP of its own; the policy here is
static and needs no nonces (no page has an inline script, style or handler), so a few
lines stand in for a dependency. The settings use the names and the shape of Django
6.0's built-in CSP (``SECURE_CSP``, ``SECURE_CSP_REPORT_ONLY``: directive → sources) so
that, on upgrade, Django's ``ContentSecurityPolicyMiddleware`` replaces this one and the
settings stay. Referrer-Policy comes from Django's ``SECURE_REFERRER_POLICY``.

``SessionTimeoutMiddleware`` ends a login after ``GONGZHI_SESSION_IDLE_MINUTES`` without
a request, and ``GONGZHI_SESSION_MAX_HOURS`` after it began whatever happens.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def csp_header(policy: Mapping[str, Sequence[str]]) -> str:
    return "; ".join(
        " ".join([directive, *sources]) if sources else directive
        for directive, sources in policy.items()
    )


def permissions_policy_header(policy: Mapping[str, Sequence[str]]) -> str:
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


@lru_cache(maxsize=4)
def _headers(
    csp: str | None, report_only: str | None, permissions: str | None
) -> tuple[tuple[str, str], ...]:
    headers = []
    if csp:
        headers.append(("Content-Security-Policy", csp))
    if report_only:
        headers.append(("Content-Security-Policy-Report-Only", report_only))
    if permissions:
        headers.append(("Permissions-Policy", permissions))
    return tuple(headers)


def security_headers() -> tuple[tuple[str, str], ...]:
    csp = getattr(settings, "SECURE_CSP", {})
    report_only = getattr(settings, "SECURE_CSP_REPORT_ONLY", {})
    permissions = getattr(settings, "GONGZHI_PERMISSIONS_POLICY", {})
    return _headers(
        csp_header(csp) if csp else None,
        csp_header(report_only) if report_only else None,
        permissions_policy_header(permissions) if permissions else None,
    )


class SecurityHeadersMiddleware:
    """Adds the headers unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in security_headers():
            if name not in response:
                response[name] = value
        return response


# --- how long a login lasts ---------------------------------------------------------------

AUTH_AT = "_gongzhi_auth_at"
SEEN_AT = "_gongzhi_seen_at"
# The session is saved (and its expiry pushed back) at most this often, not on every
# request: the idle limit is then exact to within this many seconds.
TOUCH_SECONDS = 60


def stamp_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: the login's start and last activity go into the session as it
    is created, so the first request after logging in writes nothing more."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[AUTH_AT] = now
        session[SEEN_AT] = now


def idle_seconds() -> int:
    return int(float(getattr(settings, "GONGZHI_SESSION_IDLE_MINUTES", 30)) * 60)


def max_seconds() -> int:
    return int(float(getattr(settings, "GONGZHI_SESSION_MAX_HOURS", 12)) * 3600)


class SessionTimeoutMiddleware:
    """After ``AuthenticationMiddleware`` and ``MessageMiddleware``. Each request of a logged-in session extends it
    by the idle time; a session older than the maximum, or idle for longer than the idle
    time, is logged out and the user sees why on the login page. The session store
    forgets an unused session a little later by itself (``SESSION_COOKIE_AGE``).
    Requests with an API token have no session and are not affected."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            now = int(time.time())
            began = session.get(AUTH_AT)
            seen = session.get(SEEN_AT)
            if began is None or seen is None:
                session[AUTH_AT] = began or now
                session[SEEN_AT] = now
            elif now - began > max_seconds() or now - seen > idle_seconds():
                reason = (
                    _("登录已超过 %(h)s 小时，请重新登录。") % {"h": f"{max_seconds() / 3600:g}"}
                    if now - began > max_seconds()
                    else _("长时间未操作（超过 %(m)s 分钟），已自动退出，请重新登录。")
                    % {"m": f"{idle_seconds() / 60:g}"}
                )
                logout(request)
                messages.info(request, reason)
            elif now - seen >= TOUCH_SECONDS:
                session[SEEN_AT] = now
        return self.get_response(request)
