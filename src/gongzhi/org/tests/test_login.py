"""Failed logins slow down per account and client address; nobody elsewhere is slowed
down, and a spoofed header does not choose the address."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from gongzhi.org.login import login_delay_seconds

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
ATTACKER = "198.51.100.66"
OWNER = "203.0.113.10"


def attempt(client: Client, username: str, password: str, remote: str, **headers: Any) -> Any:
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=remote,
        **headers,
    )


def test_the_wait_doubles_up_to_the_cap(settings: Any) -> None:
    settings.GONGZHI_LOGIN_DELAY_SECONDS = 30
    settings.GONGZHI_LOGIN_DELAY_MAX_SECONDS = 900
    assert [login_delay_seconds(n, 5) for n in range(4, 12)] == [
        0, 30, 60, 120, 240, 480, 900, 900,
    ]  # fmt: skip


@pytest.mark.django_db
def test_failures_slow_down_progressively_then_clear(demo, password: str) -> None:
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            assert attempt(client, "zjj", "wrong", ATTACKER).status_code == 200
        fifth = attempt(client, "zjj", "wrong", ATTACKER)
        assert fifth.status_code == 429 and fifth["Retry-After"] == "30"
        assert "请 30 秒后再试" in fifth.content.decode()
        # While waiting even the right password is refused, and it does not count.
        clock.shift(dt.timedelta(seconds=20))
        early = attempt(client, "zjj", password, ATTACKER)
        assert early.status_code == 429 and early["Retry-After"] == "10"
        clock.shift(dt.timedelta(seconds=10))
        # The wait is over: one more failure doubles it.
        sixth = attempt(client, "zjj", "wrong", ATTACKER)
        assert sixth.status_code == 429 and sixth["Retry-After"] == "60"
        assert "请 1 分钟后再试" in sixth.content.decode()
        clock.shift(dt.timedelta(seconds=59))
        assert attempt(client, "zjj", password, ATTACKER).status_code == 429
        clock.shift(dt.timedelta(seconds=1))
        assert attempt(client, "zjj", password, ATTACKER).status_code == 302
        # A success forgets the failures.
        client.logout()
        assert attempt(client, "zjj", "wrong", ATTACKER).status_code == 200


@pytest.mark.django_db
def test_another_address_cannot_lock_the_owner_out(demo, password: str) -> None:
    with time_machine.travel(START, tick=False):
        for _ in range(12):
            attempt(Client(), "office", "wrong", ATTACKER)
        assert attempt(Client(), "office", password, ATTACKER).status_code == 429
        assert attempt(Client(), "office", password, OWNER).status_code == 302


@pytest.mark.django_db
def test_a_spoofed_header_does_not_escape_the_wait(demo, password: str, settings: Any) -> None:
    settings.GONGZHI_TRUSTED_PROXIES = ["10.0.0.0/8"]
    with time_machine.travel(START, tick=False):
        for n in range(5):
            attempt(Client(), "zjj", "wrong", ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        forged = attempt(Client(), "zjj", password, ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99")
        assert forged.status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_counts_alone(
    demo, password: str, settings: Any
) -> None:
    """Everyone comes through the proxy at 10.0.0.2: the attacker's failures slow down
    the attacker's address only."""
    settings.GONGZHI_TRUSTED_PROXIES = ["10.0.0.0/8"]
    with time_machine.travel(START, tick=False):
        for _ in range(6):
            attempt(Client(), "jiedao", "wrong", "10.0.0.2", HTTP_X_FORWARDED_FOR=ATTACKER)
        assert (
            attempt(
                Client(), "jiedao", password, "10.0.0.2", HTTP_X_FORWARDED_FOR=ATTACKER
            ).status_code
            == 429
        )
        owner = attempt(Client(), "jiedao", password, "10.0.0.2", HTTP_X_FORWARDED_FOR=OWNER)
        assert owner.status_code == 302


@pytest.mark.django_db
def test_anonymous_report_limit_counts_each_client_behind_the_proxy(demo, settings: Any) -> None:
    settings.GONGZHI_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.GONGZHI_ANON_REPORTS_PER_HOUR = 1
    from django.core.cache import cache

    cache.clear()
    body = {"estate": "", "title": "", "description": ""}  # refused as invalid, still counted
    a = Client()
    assert a.post("/cases/report/", body, REMOTE_ADDR="10.0.0.2",
                  HTTP_X_FORWARDED_FOR="198.51.100.1").status_code != 429  # fmt: skip
    assert a.post("/cases/report/", body, REMOTE_ADDR="10.0.0.2",
                  HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429  # fmt: skip
    b = Client()
    assert b.post("/cases/report/", body, REMOTE_ADDR="10.0.0.2",
                  HTTP_X_FORWARDED_FOR="198.51.100.2").status_code != 429  # fmt: skip
    cache.clear()
