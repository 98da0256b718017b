"""SMS through an HTTP gateway, the way Chinese SMS providers (and the county's own SMS
platform) take them: a template id approved in advance, its parameters, a signature
name, and the request signed with a shared secret.

Request: ``POST GONGZHI_SMS_URL`` with JSON ``{"phone", "sign_name", "template_id",
"params", "text"}`` and the headers ``X-Gongzhi-Timestamp`` (Unix seconds),
``X-Gongzhi-Nonce`` and ``X-Gongzhi-Signature`` = hex HMAC-SHA256 of
``timestamp + "\\n" + nonce + "\\n" + body`` with GONGZHI_SMS_SECRET. Answer: 2xx with JSON
``{"code": "OK", "message_id": "…"}``; any other code is a failure (4xx: not retried)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

from django.conf import settings
from django.utils.translation import gettext as _

from gongzhi.notify.backends import Outcome, post_json
from gongzhi.notify.models import Message


def signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    signed = f"{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


class HttpSmsBackend:
    def send(self, message: Message) -> Outcome:
        url = getattr(settings, "GONGZHI_SMS_URL", "")
        if not url:
            return Outcome(False, _("未配置短信网关（GONGZHI_SMS_URL）"), permanent=True)
        if not message.template_id:
            return Outcome(
                False, _("该事件未配置短信模板（GONGZHI_SMS_TEMPLATES）"), permanent=True
            )
        body = {
            "phone": message.address,
            "sign_name": getattr(settings, "GONGZHI_SMS_SIGN_NAME", ""),
            "template_id": message.template_id,
            "params": message.params,
            "text": message.body,
        }
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        secret = getattr(settings, "GONGZHI_SMS_SECRET", "")
        headers = {
            "X-Gongzhi-Timestamp": timestamp,
            "X-Gongzhi-Nonce": nonce,
            "X-Gongzhi-Signature": signature(secret, timestamp, nonce, raw),
        }
        status, answer = post_json(url, body, headers)
        code = answer.get("code") if isinstance(answer, dict) else None
        if 200 <= status < 300 and code in ("OK", 0, "0"):
            return Outcome(True, "OK", status, str(answer.get("message_id", "")))
        detail = str(answer.get("message", "")) if isinstance(answer, dict) else ""
        return Outcome(
            False,
            (_("短信网关拒绝：%(code)s %(message)s") % {"code": code or status, "message": detail})[:300],
            status,
            permanent=400 <= status < 500,
        )  # fmt: skip
