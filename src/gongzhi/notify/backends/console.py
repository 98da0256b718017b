"""Backends that send nothing: the console (the demo and development: each message is
logged to ``gongzhi.notify`` and kept in ``SENT_HERE`` for tests), and the web inbox,
whose notification row the service that queued the message has already written."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from gongzhi.notify.backends import Outcome
from gongzhi.notify.models import Message

log = logging.getLogger("gongzhi.notify")
# The messages the console backend "sent" in this process (the newest 1000).
SENT_HERE: list[tuple[str, str, str]] = []


class ConsoleBackend:
    def send(self, message: Message) -> Outcome:
        log.info("[%s] %s: %s", message.channel, message.label, message.body)
        SENT_HERE.append((message.channel, message.address or message.label, message.body))
        del SENT_HERE[:-1000]
        return Outcome(True, _("控制台（演示，未实际发送）"))


class InboxBackend:
    def send(self, message: Message) -> Outcome:
        return Outcome(True, _("站内通知已写入"))
