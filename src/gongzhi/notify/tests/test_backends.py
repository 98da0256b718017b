"""Each backend against a local server in the test process: the SMS gateway adapter
(signed, with the template id), WeCom and DingTalk robots (DingTalk signed), e-mail
through Django's locmem backend and through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import base64
import email as email_parser
import hashlib
import hmac
import socket
import urllib.parse
from typing import Any

import pytest
from django.core import mail

from gongzhi.notify import services
from gongzhi.notify.backends.sms import signature
from gongzhi.notify.models import Attempt, ChannelKind, Message, UnitWebhook
from gongzhi.notify.tests.servers import http_server
from gongzhi.org.models import Unit

pytestmark = pytest.mark.django_db

LIVE = {
    "sms": "gongzhi.notify.backends.sms.HttpSmsBackend",
    "email": "gongzhi.notify.backends.mail.EmailBackend",
    "wecom": "gongzhi.notify.backends.robots.WeComBackend",
    "dingtalk": "gongzhi.notify.backends.robots.DingTalkBackend",
}


@pytest.fixture
def live(settings: Any) -> Any:
    settings.GONGZHI_NOTIFY_BACKENDS = LIVE
    settings.GONGZHI_SMS_SECRET = "s3cret"
    settings.GONGZHI_SMS_SIGN_NAME = "嘉祥共治"
    settings.GONGZHI_SMS_TEMPLATES = {"received": "SMS_100"}
    return settings


def sms(**kw: Any) -> Message:
    about = services.About(
        target="cases.case:N1",
        area_path="/37/",
        params={"number": "N1", "title": "楼道", "link": "L"},
    )
    return services.queue_for_person(
        event=kw.pop("event", "received"),
        about=about,
        label="诉求人 1**",
        phone="13900001111",
        **kw,
    )[0]


def test_sms_goes_to_the_gateway_signed_with_template_and_params(db: None, live: Any) -> None:
    with http_server() as server:
        live.GONGZHI_SMS_URL = server.url + "/sms/send"
        server.answers = [(200, {"code": "OK", "message_id": "abc-1"})]
        m = sms()
        assert services.message_deliver(message_id=m.pk) == "sent"
    req = server.requests[0]
    body = req["json"]
    assert body["phone"] == "13900001111" and body["template_id"] == "SMS_100"
    assert body["sign_name"] == "嘉祥共治" and body["params"]["number"] == "N1"
    h = {k.lower(): v for k, v in req["headers"].items()}
    expected = signature("s3cret", h["x-gongzhi-timestamp"], h["x-gongzhi-nonce"], req["raw"])
    assert h["x-gongzhi-signature"] == expected
    m.refresh_from_db()
    assert m.provider_id == "abc-1" and m.sent_at is not None
    assert Attempt.objects.get(message=m).ok


def test_sms_gateway_errors_are_retried_then_failed_and_4xx_not_retried(
    db: None, live: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    live.GONGZHI_NOTIFY_MAX_ATTEMPTS = 3
    Message.objects.all().delete()  # only this test's messages are due
    with http_server() as server:
        live.GONGZHI_SMS_URL = server.url
        server.answers = [(500, {"code": "BUSY"})]
        m = sms()
        now = timezone.now()
        assert services.message_deliver(message_id=m.pk, now=now) == "pending"
        m.refresh_from_db()
        assert m.next_attempt_at == now + dt.timedelta(seconds=60) and "BUSY" in m.last_error
        # Not due yet: the sweep leaves it; after the back-off it tries again.
        assert services.messages_sweep(now=now + dt.timedelta(seconds=30)) == 0
        assert services.messages_sweep(now=now + dt.timedelta(seconds=61)) == 1
        assert services.messages_sweep(now=now + dt.timedelta(seconds=61 + 121)) == 1
        m.refresh_from_db()
        assert m.state == "failed" and m.attempts == 3 and len(server.requests) == 3
        server.answers = [(400, {"code": "BAD_PHONE", "message": "号码无效"})]
        other = sms()
        assert services.message_deliver(message_id=other.pk) == "failed"
        other.refresh_from_db()
        assert other.attempts == 1 and "号码无效" in other.last_error


def test_an_event_without_a_template_fails_without_calling_the_gateway(db: None, live: Any) -> None:
    with http_server() as server:
        live.GONGZHI_SMS_URL = server.url
        m = sms(event="rate_case")
        assert services.message_deliver(message_id=m.pk) == "failed"
        assert server.requests == []


def test_wecom_and_dingtalk_robots(db: None, live: Any, demo: Any) -> None:
    unit = Unit.objects.filter(is_active=True).first()
    assert unit is not None
    about = services.About(
        target="x", area_path="/", params={"number": "N2", "title": "电梯", "estate": "E"}
    )
    with http_server() as server:
        UnitWebhook.objects.filter(unit=unit).delete()
        wecom = UnitWebhook.objects.create(
            unit=unit, kind="wecom", name="群一", url=server.url + "/wx?key=k"
        )
        ding = UnitWebhook.objects.create(
            unit=unit,
            kind="dingtalk",
            name="群二",
            url=server.url + "/robot/send?access_token=t",
            secret="SEC",
        )
        server.answers = [
            (200, {"errcode": 0, "errmsg": "ok"}),
            (200, {"errcode": 310000, "errmsg": "sign not match"}),
        ]
        made = services.queue_for_units(unit_ids=[unit.pk], event="dispatched", about=about)
        robots = {m.channel: m for m in made if m.webhook_id}
        assert set(robots) == {"wecom", "dingtalk"}
        assert services.message_deliver(message_id=robots["wecom"].pk) == "sent"
        assert services.message_deliver(message_id=robots["dingtalk"].pk) == "pending"
    first, second = server.requests
    assert first["path"] == "/wx?key=k" and first["json"]["msgtype"] == "text"
    assert "N2" in first["json"]["text"]["content"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(second["path"]).query)
    ts, sign = query["timestamp"][0], query["sign"][0]
    mac = hmac.new(b"SEC", f"{ts}\nSEC".encode(), hashlib.sha256).digest()
    assert sign == base64.b64encode(mac).decode() and query["access_token"] == ["t"]
    assert wecom.messages.count() == 1 and ding.messages.get().last_error.startswith(
        "群机器人返回：310000"
    )


def test_email_through_djangos_mail(db: None, live: Any, django_user_model: Any) -> None:
    user = django_user_model.objects.create(username="m1", email="m1@example.org", phone="")
    about = services.About(target="x", area_path="/", params={"number": "N3", "link": "L"})
    made = services.queue_for_person(event="feedback_ready", about=about, label="m1", user=user)
    email = next(m for m in made if m.channel == ChannelKind.EMAIL)
    assert services.message_deliver(message_id=email.pk) == "sent"
    assert mail.outbox[-1].to == ["m1@example.org"] and "N3" in mail.outbox[-1].body
    inbox = next(m for m in made if m.channel == ChannelKind.INBOX)
    assert services.message_deliver(message_id=inbox.pk) == "sent"


def test_email_through_a_real_smtp_server(db: None, live: Any, django_user_model: Any) -> None:
    from aiosmtpd.controller import Controller

    got: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            got.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        live.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        live.EMAIL_HOST, live.EMAIL_PORT = "127.0.0.1", port
        user = django_user_model.objects.create(username="m2", email="m2@example.org")
        about = services.About(target="x", area_path="/", params={"number": "N4", "link": "L"})
        made = services.queue_for_person(event="received", about=about, label="m2", user=user)
        email = next(m for m in made if m.channel == ChannelKind.EMAIL)
        assert services.message_deliver(message_id=email.pk) == "sent"
    finally:
        controller.stop()
    assert got and got[0].rcpt_tos == ["m2@example.org"]
    parsed = email_parser.message_from_bytes(got[0].original_content)
    payload = parsed.get_payload(decode=True)
    assert isinstance(payload, bytes) and "N4" in payload.decode("utf-8")
