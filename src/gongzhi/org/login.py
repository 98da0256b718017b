"""Failed logins slow down instead of locking an account (django-axes records them).

Failures are counted per account *and* client address (``client_address``: behind a
trusted proxy, the address the proxy saw). After ``AXES_FAILURE_LIMIT`` failures the
next attempt from that address must wait ``GONGZHI_LOGIN_DELAY_SECONDS``; every further
failure doubles the wait, up to ``GONGZHI_LOGIN_DELAY_MAX_SECONDS``. An attempt made while
waiting is refused without checking the password and without counting, so a user who
retries too early does not make it worse. Failures are forgotten
``GONGZHI_LOGIN_FORGET_HOURS`` after the last one, and at once on a successful login.
Nobody at another address is slowed down, so nobody can lock someone else out.
"""

from __future__ import annotations

import math
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def login_delay_seconds(failures: int, limit: int) -> int:
    """How long to wait after ``failures`` failures (0 below the limit)."""
    if failures < limit:
        return 0
    base = int(getattr(settings, "GONGZHI_LOGIN_DELAY_SECONDS", 30))
    cap = int(getattr(settings, "GONGZHI_LOGIN_DELAY_MAX_SECONDS", 900))
    steps = min(failures - limit, 32)
    return min(base * 2**steps, cap)


def _attempts_summary(
    handler: AxesDatabaseHandler, request: HttpRequest, credentials: dict | None
) -> tuple[int, Any]:
    """(failures, time of the last one) for this account and address, within the time
    failures are remembered."""
    failures, last = 0, None
    for attempts in handler.get_user_attempts(request, credentials):
        row = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
        if (row["n"] or 0) > failures:
            failures, last = row["n"], row["last"]
    return failures, last


def login_wait_seconds(request: HttpRequest, credentials: dict | None = None) -> int:
    """Seconds this account must wait before trying again from this address (0: now)."""
    handler = ProgressiveLoginHandler()
    failures, last = _attempts_summary(handler, request, credentials)
    delay = login_delay_seconds(failures, get_failure_limit(request, credentials))
    if not delay or last is None:
        return 0
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    return max(0, math.ceil((last - now).total_seconds() + delay))


class ProgressiveLoginHandler(AxesDatabaseHandler):
    """axes' database handler (records, resets) with the lock replaced by a wait."""

    def is_locked(self, request: Any, credentials: dict | None = None) -> bool:
        if not getattr(settings, "AXES_LOCK_OUT_AT_FAILURE", True):
            return False
        return login_wait_seconds(request, credentials) > 0


def wait_text(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(n)d 秒", "%(n)d 秒", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d 分钟", "%(n)d 分钟", minutes) % {"n": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """axes' answer when a login must wait: 429 with Retry-After and the wait in words."""
    wait = max(1, login_wait_seconds(request, credentials))
    limit = get_failure_limit(request, credentials)
    cap = int(getattr(settings, "GONGZHI_LOGIN_DELAY_MAX_SECONDS", 900))
    message = _(
        "该账号从您当前的网络地址登录失败次数过多。为保护账号，请 %(wait)s后再试；"
        "此后每再失败一次，等待时间加倍（最长 %(cap)s）。"
    ) % {"wait": wait_text(wait), "cap": wait_text(cap)}
    response = render(
        request,
        "registration/locked_out.html",
        {"message": message, "wait_seconds": wait, "failure_limit": limit},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response
