"""Two Open311 client libraries from PyPI, unchanged, against a live server started in
the test process: civicbot (0.4.0) lists the services and creates a request, checking it
against the live definition first; georeport (0.3.1) reads services, a definition, the
request list and the request back, in JSON and in XML. Every socket that is not the
local server's is refused while they run, so neither needs the network."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from civicbot import Endpoint, HttpTransport, Open311Client
from civicbot.http import RateLimiter
from georeport import GeoReport

from gongzhi.cases.models import Case
from gongzhi.common.apiauth import api_token_create
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db(transaction=True)

JX = "370829000000"
LOCAL = ("127.0.0.1", "::1", "localhost")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse every connection and name look-up that is not the local machine's."""
    tried: list[str] = []
    connect = socket.socket.connect
    getaddrinfo = socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in LOCAL:
            tried.append(str(host))
            raise OSError(f"network refused in tests: {host}")
        return connect(self, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in LOCAL and host is not None:
            tried.append(str(host))
            raise socket.gaierror(f"name look-up refused in tests: {host}")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield tried


def test_offline_guard_refuses_the_network(offline: list[str]) -> None:
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 80), timeout=1)
    assert offline == ["example.org"]


def test_civicbot_creates_and_georeport_reads_back(
    transactional_demo: Any, live_server: Any, offline: list[str]
) -> None:
    root = f"{live_server.url}/open311/v2"
    key = api_token_create(
        user=User.objects.get(username="dispatcher"), name="civicbot", channels=["12345"]
    )
    endpoint = Endpoint(id="gongzhi-demo", name="共治演示", base_url=root, write=True)
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0.0))
    bot = Open311Client(endpoint, transport=transport, jurisdiction_id=JX)

    services = bot.list_services()
    assert {"JX-03-00", "JX-03-01"} <= {s["service_code"] for s in services}
    # validate_remote: civicbot reads the definition (metadata true) and checks the
    # required building attribute before it sends.
    sent = bot.create_request(
        "JX-03-01",
        dry_run=False,
        confirm="SEND",
        api_key=key,
        validate_remote=True,
        address_id="JX-E001",
        description="楼上装修砸了承重墙，墙体开裂",
        first_name="秀英",
        last_name="王",
        phone="13905371234",
        attributes={"building": "3", "room": "1201"},
    )
    [created] = sent.response
    number = created["service_request_id"]
    case = Case.objects.get(number=number)
    assert (case.estate.code, case.building, case.channel) == ("JX-E001", "3", "12345")
    assert bot.get_request(number)["service_request_id"] == number
    assert bot.get_token(created["token"])[0]["service_request_id"] == number

    for fmt in ("json", "xml"):
        client = GeoReport(root, jurisdiction=JX, output_format=fmt)
        listed = client.get_service_list()
        assert "JX-03-01" in {s["service_code"] for s in listed}
        definition = client.get_service_definition("JX-03-01")
        attributes = definition["attributes"]
        if fmt == "xml":
            attributes = attributes["attribute"]
        assert [a["code"] for a in attributes] == ["building", "unit_no", "room"]
        request = client.get_service_request(number)
        assert request["service_request_id"] == number
        assert request["status"] == "open" and request["service_code"] == "JX-03-01"
        assert "王秀英" not in str(request) and "13905371234" not in str(request)
        found = client.get_service_requests(service_request_id=number)
        found = [found] if isinstance(found, dict) else found
        assert [r["service_request_id"] for r in found] == [number]
    assert offline == []
