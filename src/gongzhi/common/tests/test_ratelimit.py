"""The client address: REMOTE_ADDR, unless the direct peer is a trusted proxy, whose
header is then read from the right."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from gongzhi.common.ratelimit import client_address, parse_address, trusted_networks


def req(remote: str, **headers: Any) -> Any:
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.fixture
def behind_proxy(settings: Any) -> Any:
    settings.GONGZHI_TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    settings.GONGZHI_PROXY_HEADER = "X-Forwarded-For"
    return settings


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.GONGZHI_TRUSTED_PROXIES = []
    assert client_address(req("203.0.113.9", HTTP_X_FORWARDED_FOR="1.1.1.1")) == "203.0.113.9"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(behind_proxy: Any) -> None:
    r = req("203.0.113.9", HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.7")
    assert client_address(r) == "203.0.113.9"
    assert client_address(req("203.0.113.9", HTTP_X_REAL_IP="1.2.3.4")) == "203.0.113.9"


def test_a_trusted_proxy_gives_the_address_it_saw(behind_proxy: Any) -> None:
    # The client wrote "6.6.6.6" itself; the proxy appended the address it saw.
    r = req("10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert client_address(r) == "198.51.100.7"
    # Two trusted proxies in a row are skipped.
    r = req("10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.1.2.3")
    assert client_address(r) == "198.51.100.7"
    # IPv6 and ports as some proxies write them.
    assert client_address(req("fd00::1", HTTP_X_FORWARDED_FOR="[2001:db8::7]:443")) == (
        "2001:db8::7"
    )
    assert client_address(req("10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7:5555")) == (
        "198.51.100.7"
    )


def test_a_trusted_proxy_without_the_header_is_the_client(behind_proxy: Any) -> None:
    assert client_address(req("10.0.0.5")) == "10.0.0.5"
    assert client_address(req("10.0.0.5", HTTP_X_FORWARDED_FOR="garbage")) == "10.0.0.5"


def test_x_real_ip_when_configured(behind_proxy: Any) -> None:
    behind_proxy.GONGZHI_PROXY_HEADER = "X-Real-IP"
    r = req("10.0.0.5", HTTP_X_REAL_IP="198.51.100.8", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_address(r) == "198.51.100.8"


def test_no_address_is_empty(behind_proxy: Any) -> None:
    assert client_address(req("", HTTP_X_FORWARDED_FOR="1.2.3.4")) == ""


def test_addresses_are_normalised() -> None:
    assert str(parse_address("::ffff:192.0.2.1")) == "192.0.2.1"
    assert parse_address("not an address") is None
    with pytest.raises(ImproperlyConfigured):
        trusted_networks(("10.0.0.0/33",))
