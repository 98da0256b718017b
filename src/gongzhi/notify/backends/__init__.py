"""Delivery backends, one per channel, chosen by GONGZHI_NOTIFY_BACKENDS (channel →
dotted path). A backend sends one message and says what happened; it never changes the
outbox (the delivery service does)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from gongzhi.notify.models import ChannelKind, Message

DEFAULT_BACKENDS = {
    ChannelKind.SMS: "gongzhi.notify.backends.sms.HttpSmsBackend",
    ChannelKind.EMAIL: "gongzhi.notify.backends.mail.EmailBackend",
    ChannelKind.WECOM: "gongzhi.notify.backends.robots.WeComBackend",
    ChannelKind.DINGTALK: "gongzhi.notify.backends.robots.DingTalkBackend",
    ChannelKind.INBOX: "gongzhi.notify.backends.console.InboxBackend",
}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str = ""
    status: int | None = None
    provider_id: str = ""
    # A failure no retry can mend (no template, a refused number): not retried.
    permanent: bool = False


class Backend(Protocol):
    def send(self, message: Message) -> Outcome: ...


def backend_for(channel: str) -> Backend:
    paths = {**DEFAULT_BACKENDS, **(getattr(settings, "GONGZHI_NOTIFY_BACKENDS", {}) or {})}
    return import_string(paths[channel])()  # type: ignore[no-any-return]


def post_json(
    url: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """POST ``body`` as JSON; the status and the decoded answer (None if not JSON). A
    connection error raises OSError."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    timeout = float(getattr(settings, "GONGZHI_NOTIFY_HTTP_TIMEOUT", 5))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw.decode("utf-8") or "null")
    except (ValueError, UnicodeDecodeError):
        return status, None
