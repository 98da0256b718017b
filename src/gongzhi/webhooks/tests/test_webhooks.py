"""Webhooks against an HTTP server started in the test (never the internet): a case
write that commits queues a signed delivery per subscription that wants the event and
may read the case; failures are retried with back-off by the sweep and logged; the
admin replays; one county's integration hears nothing of the other's cases."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from gongzhi.cases import services as s
from gongzhi.common.apiauth import api_token_create
from gongzhi.common.errors import InvalidInput
from gongzhi.common.models import ApiToken, AuditEvent
from gongzhi.org.models import User
from gongzhi.webhooks import payload
from gongzhi.webhooks.models import Attempt, Delivery, Subscription
from gongzhi.webhooks.services import BACKOFF, webhook_retry_due, webhook_subscribe

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP server that records each POST and answers with the next status of
    ``answers`` (200 once they run out)."""

    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []
        self.answers: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                outer.got.append(
                    {"headers": dict(self.headers), "body": self.rfile.read(length).decode()}
                )
                self.send_response(outer.answers.pop(0) if outer.answers else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _token(username: str) -> ApiToken:
    api_token_create(user=User.objects.get(username=username), name="hook", channels=["12345"])
    return ApiToken.objects.filter(user__username=username).latest("pk")


def _register(capture: Any, estate: str = "JX-E001") -> Any:
    with capture(execute=True):
        return s.case_register(
            channel="12345",
            estate=estate,
            title="供暖不热",
            description="3号楼1201室王秀英反映供暖不热，电话13905371234",
            matter_code="JX-03-00",
            reporter_name="王秀英",
            reporter_phone="13905371234",
            actor=User.objects.get(username="dispatcher"),
        )


def test_subscribe_validates_and_writes_nothing_on_bad_input(demo) -> None:
    token = _token("dispatcher")
    with pytest.raises(InvalidInput) as exc:
        webhook_subscribe(token=token, name="", url="ftp://x", events=["case.nope"])
    assert {e.field for e in exc.value.errors} == {"name", "url", "events"}
    assert not Subscription.objects.exists()
    sub = webhook_subscribe(
        token=token, name="12345", url="https://a.example/h", events=["case.closed"]
    )
    assert len(sub.secret) == 64
    assert AuditEvent.objects.filter(action="webhook.subscribe", target_id=str(sub.pk)).exists()


def test_a_committed_case_event_is_delivered_signed(
    demo, receiver, django_capture_on_commit_callbacks
) -> None:
    sub = webhook_subscribe(
        token=_token("dispatcher"), name="12345", url=receiver.url, events=["case.dispatched"]
    )
    case = _register(django_capture_on_commit_callbacks)
    assert case.state == "dispatched"
    # Only the subscribed type: the dispatch, not the registration.
    assert [g["headers"]["X-Gongzhi-Event"] for g in receiver.got] == ["case.dispatched"]
    got = receiver.got[0]
    headers = got["headers"]
    assert payload.verify(
        sub.secret, headers["X-Gongzhi-Timestamp"], got["body"], headers["X-Gongzhi-Signature"]
    )
    assert not payload.verify(
        "wrong", headers["X-Gongzhi-Timestamp"], got["body"], headers["X-Gongzhi-Signature"]
    )
    body = json.loads(got["body"])
    assert body["type"] == "case.dispatched" and body["case"]["number"] == case.number
    assert body["case"]["lead_unit"]["code"] == case.lead_unit.code
    delivery = Delivery.objects.get(subscription=sub)
    assert delivery.state == Delivery.State.DELIVERED and delivery.attempts == 1
    assert Attempt.objects.get(delivery=delivery).status_code == 200


def test_nothing_is_sent_before_commit_or_for_a_rolled_back_write(demo, receiver) -> None:
    webhook_subscribe(
        token=_token("dispatcher"), name="x", url=receiver.url, events=["case.dispatched"]
    )
    # The test's transaction never commits: no on_commit, no delivery.
    s.case_register(
        channel="12345", estate="JX-E001", title="t", description="d", matter_code="JX-03-00",
        actor=User.objects.get(username="dispatcher"),
    )  # fmt: skip
    assert receiver.got == [] and not Delivery.objects.exists()


def test_the_other_county_hears_nothing_and_auditors_get_masked_data(
    demo, receiver, django_capture_on_commit_callbacks
) -> None:
    webhook_subscribe(
        token=_token("cb-office"), name="赤壁", url=receiver.url, events=["case.registered"]
    )
    webhook_subscribe(
        token=_token("auditor"), name="审计", url=receiver.url, events=["case.registered"]
    )
    _register(django_capture_on_commit_callbacks)
    assert len(receiver.got) == 1  # the 嘉祥 auditor only
    body = receiver.got[0]["body"]
    assert "王秀英" not in body and "13905371234" not in body
    assert json.loads(body)["case"]["reporter_visible"] is False


def test_failures_retry_with_back_off_then_fail(
    demo, receiver, django_capture_on_commit_callbacks
) -> None:
    webhook_subscribe(
        token=_token("dispatcher"), name="x", url=receiver.url, events=["case.dispatched"]
    )
    receiver.answers = [500, 503]
    _register(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 1)
    first = delivery.next_attempt_at
    assert first is not None
    # Not yet due: nothing is tried.
    assert webhook_retry_due(now=first - dt.timedelta(seconds=1)) == 0
    assert webhook_retry_due(now=first) == 1  # 503
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at == first + BACKOFF[1]
    assert webhook_retry_due(now=delivery.next_attempt_at) == 1  # 200
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert [a.status_code for a in delivery.log.all()] == [500, 503, 200]
    assert len({g["body"] for g in receiver.got}) == 1  # the same body every time

    receiver.answers = [500] * 10
    with django_capture_on_commit_callbacks(execute=True):
        s.case_register(
            channel="12345", estate="JX-E002", title="t", description="d", matter_code="JX-03-00",
            actor=User.objects.get(username="dispatcher"),
        )  # fmt: skip
    failing = Delivery.objects.exclude(pk=delivery.pk).get()
    at = timezone.now()
    for wait in BACKOFF:
        at += wait + dt.timedelta(seconds=1)
        assert webhook_retry_due(now=at) == 1
    failing.refresh_from_db()
    assert failing.state == Delivery.State.FAILED and failing.attempts == len(BACKOFF) + 1
    assert webhook_retry_due(now=at + dt.timedelta(days=1)) == 0


def test_an_unreachable_receiver_is_logged(demo, django_capture_on_commit_callbacks) -> None:
    webhook_subscribe(
        token=_token("dispatcher"),
        name="x",
        url="http://127.0.0.1:9/none",
        events=["case.dispatched"],
    )
    _register(django_capture_on_commit_callbacks)
    attempt = Attempt.objects.get()
    assert attempt.status_code is None and attempt.error


def test_admin_replays_a_delivery(
    demo, receiver, django_capture_on_commit_callbacks, client: Client
) -> None:
    webhook_subscribe(
        token=_token("dispatcher"), name="x", url=receiver.url, events=["case.dispatched"]
    )
    _register(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    client.force_login(User.objects.get(username="admin"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/webhooks/delivery/", {"action": "replay", "_selected_action": [delivery.pk]}
        )
    assert response.status_code == 302
    assert len(receiver.got) == 2 and receiver.got[0]["body"] == receiver.got[1]["body"]
    assert [a.replay for a in delivery.log.all()] == [False, True]
    assert AuditEvent.objects.filter(action="webhook.replay").count() == 1
    page = client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/")
    assert page.status_code == 200 and "case.dispatched" in page.content.decode()


def test_command_subscribes_by_token_prefix(demo, capsys) -> None:
    key = api_token_create(user=User.objects.get(username="dispatcher"), name="hook")
    call_command(
        "webhooks",
        "subscribe",
        "--token",
        key[:11],
        "--url",
        "https://h.example/x",
        "--events",
        "case.closed,case.rated",
    )
    assert "签名密钥" in capsys.readouterr().out
    assert Subscription.objects.get().events == ["case.closed", "case.rated"]


def test_command_lists_and_retries(
    demo, receiver, django_capture_on_commit_callbacks, capsys
) -> None:
    sub = webhook_subscribe(
        token=_token("dispatcher"), name="十二三四五", url=receiver.url, events=["case.dispatched"]
    )
    receiver.answers = [500]
    _register(django_capture_on_commit_callbacks)
    call_command("webhooks", "list")
    assert f"{sub.pk}\t启用\t十二三四五" in capsys.readouterr().out
    Delivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    call_command("webhooks", "retry")
    assert "已尝试 1 条推送" in capsys.readouterr().out
    assert Delivery.objects.get().state == Delivery.State.DELIVERED


def test_a_failing_listener_never_fails_the_write(
    demo, django_capture_on_commit_callbacks, caplog
) -> None:
    from gongzhi.cases.events import events_committed

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("listener down")

    events_committed.connect(broken, dispatch_uid="test.broken")
    try:
        case = _register(django_capture_on_commit_callbacks)
    finally:
        events_committed.disconnect(dispatch_uid="test.broken")
    assert case.pk and "listener" in caplog.text and "failed" in caplog.text
