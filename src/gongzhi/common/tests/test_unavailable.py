"""With the database unreachable, pages and the API answer 503 with Retry-After and a
Chinese message; a database error on a healthy connection is still a 500. (A server
started against a closed PostgreSQL port is tested in test_serve.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

from gongzhi.common.unavailable import database_unavailable

MESSAGE = "系统暂时无法连接数据库，请稍后重试。"


def driver_error(message: str) -> Exception:
    """The database driver's own OperationalError (sqlite3's or psycopg's), as Django
    receives it before wrapping it in django.db.OperationalError."""
    database: Any = getattr(connection, "Database")  # noqa: B009
    return database.OperationalError(message)


@pytest.fixture
def database_down(django_db_blocker: Any) -> Iterator[None]:
    """Every attempt to connect fails, as with PostgreSQL stopped."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise driver_error("connection refused (simulated)")

    with django_db_blocker.unblock():
        connection.close()
        with mock.patch.object(connection, "get_new_connection", side_effect=refuse):
            yield
        connection.close()


def test_a_page_answers_503_when_the_database_is_down(database_down: None) -> None:
    response = Client(raise_request_exception=False).get("/estates/JX-E001/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "服务暂时不可用" in html and MESSAGE in html and "请在 30 秒后刷新页面重试" in html


def test_the_api_answers_503_json_when_the_database_is_down(database_down: None) -> None:
    response = Client(raise_request_exception=False).get("/api/catalog/370829000000/matters")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"code": "unavailable", "message": MESSAGE, "retry_after": 30}


def test_a_logged_in_request_fails_in_middleware_and_still_gets_503(database_down: None) -> None:
    """The session is read by middleware, before any view: handler500 answers."""
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "k" * 32
    response = client.get("/units/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    api = client.post("/api/cases/", {}, content_type="application/json")
    assert api.status_code == 503 and api.json()["code"] == "unavailable"


@pytest.mark.django_db
def test_a_connection_lost_mid_request_answers_503(demo: Any) -> None:
    lost = driver_error("server closed the connection unexpectedly")
    with (
        mock.patch.object(connection, "create_cursor", side_effect=lost),
        mock.patch.object(connection, "is_usable", return_value=False),
    ):
        response = Client(raise_request_exception=False).get("/estates/JX-E001/")
    assert response.status_code == 503 and response["Retry-After"] == "30"


@pytest.mark.django_db
def test_a_database_error_on_a_healthy_connection_is_a_500(demo: Any) -> None:
    if connection.vendor == "postgresql":
        import psycopg

        bug: Exception = psycopg.errors.DeadlockDetected("deadlock detected")  # SQLSTATE 40P01
    else:
        bug = driver_error("no such column: nonsense")
    with mock.patch.object(connection, "create_cursor", side_effect=bug):
        page = Client(raise_request_exception=False).get("/estates/JX-E001/")
        api = Client(raise_request_exception=False).get("/api/catalog/370829000000/matters")
    assert page.status_code == 500 and "Retry-After" not in page
    assert api.status_code == 500


class _PgError(Exception):
    """Stands for a psycopg error: only its ``sqlstate`` matters here."""

    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _wrapped(sqlstate: str | None) -> OperationalError:
    exc = OperationalError("from the driver")
    exc.__cause__ = _PgError(sqlstate)
    return exc


@pytest.mark.django_db
def test_a_session_killed_mid_request_is_unavailable_even_after_reconnecting(demo: Any) -> None:
    """Leaving the transaction, Django reconnects: the connection looks healthy by the time
    the error is handled, so the driver's account of the error decides."""
    assert connection.is_usable()
    assert database_unavailable(_wrapped(None))  # connection lost, refused, reset
    assert database_unavailable(_wrapped("57P01"))  # terminated by the administrator
    assert database_unavailable(_wrapped("08006"))  # connection failure
    assert not database_unavailable(_wrapped("42703"))  # undefined column: a bug
    assert not database_unavailable(_wrapped("40P01"))  # deadlock: not an outage
    assert database_unavailable(InterfaceError("connection already closed"))
    assert not database_unavailable(ValueError("no"))
