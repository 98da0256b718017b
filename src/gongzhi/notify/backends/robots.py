"""Group robots: WeCom (企业微信) and DingTalk (钉钉) webhooks, a URL per unit's group.
Both take ``{"msgtype": "text", "text": {"content": …}}`` and answer ``{"errcode": 0}``;
a DingTalk robot with 加签 takes ``timestamp`` (ms) and ``sign`` = base64 HMAC-SHA256 of
``timestamp + "\\n" + secret`` in the query string."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from django.utils.translation import gettext as _

from gongzhi.notify.backends import Outcome, post_json
from gongzhi.notify.models import Message


def dingtalk_sign(secret: str, timestamp_ms: str) -> str:
    mac = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(mac).decode("ascii")


class _Robot:
    def url(self, message: Message) -> str:
        assert message.webhook is not None
        return message.webhook.url

    def send(self, message: Message) -> Outcome:
        if message.webhook is None or not message.webhook.is_active:
            return Outcome(False, _("群机器人已删除或停用"), permanent=True)
        body = {"msgtype": "text", "text": {"content": message.body}}
        status, answer = post_json(self.url(message), body)
        errcode = answer.get("errcode") if isinstance(answer, dict) else None
        if 200 <= status < 300 and errcode == 0:
            return Outcome(True, "ok", status)
        errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        return Outcome(
            False,
            (
                _("群机器人返回：%(code)s %(message)s")
                % {"code": errcode if errcode is not None else status, "message": errmsg}
            )[:300],
            status,
        )


class WeComBackend(_Robot):
    pass


class DingTalkBackend(_Robot):
    def url(self, message: Message) -> str:
        url = super().url(message)
        assert message.webhook is not None
        secret = message.webhook.secret
        if not secret:
            return url
        ts = str(int(time.time() * 1000))
        query = urllib.parse.urlencode({"timestamp": ts, "sign": dingtalk_sign(secret, ts)})
        return f"{url}{'&' if '?' in url else '?'}{query}"
