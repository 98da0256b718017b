"""When the database cannot be reached, say so: 503 with ``Retry-After`` and a Chinese
message (JSON for the API, a plain page otherwise) instead of a 500.

"Cannot be reached" means an ``InterfaceError``, or an ``OperationalError`` that is about
the connection: PostgreSQL's driver reports a lost or refused connection without an
SQLSTATE, or with class 08 (connection exception) or 57P01–57P03 (the server shut the
session down or is starting); otherwise (SQLite) the connection is absent or no longer
usable. The connection's state alone is not enough: when a session is killed mid-request,
Django reconnects while leaving the transaction, so by the time the error is handled the
connection is a healthy new one. Any other ``OperationalError`` — a missing table, a bad
statement, a deadlock — stays a 500: it is not an outage.

Three doors lead here: ``DatabaseUnavailableMiddleware.process_exception`` for errors in
views, ``server_error`` (the project's ``handler500``) for errors raised in middleware
(the session is loaded there), and the API's exception handler (``config/api.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER_SECONDS = 30


CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def database_unavailable(exc: BaseException | None) -> bool:
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if cause is not None and hasattr(cause, "sqlstate"):  # psycopg
        state = cause.sqlstate
        if state is None or str(state).startswith(CONNECTION_SQLSTATES):
            return True
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            return True
        try:
            if not conn.is_usable():
                return True
        except DatabaseError:
            return True
    return False


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "json" in request.headers.get("Accept", "")


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """Made without the database: no session, no account, no context processors."""
    message = _("系统暂时无法连接数据库，请稍后重试。")
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(
            {"code": "unavailable", "message": message, "retry_after": RETRY_AFTER_SECONDS},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        html = render_to_string(
            "errors/503.html", {"message": message, "retry_after": RETRY_AFTER_SECONDS}
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        return unavailable_response(request) if database_unavailable(exc) else None


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django calls it while handling the exception."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return defaults.server_error(request)
