"""The text of each kind of message. SMS gateways in China send only templates approved
in advance: the gateway gets the template id of the event (GONGZHI_SMS_TEMPLATES) and
the parameters, and the text below is what the approved template should read. Robots,
e-mail and the outbox page use the text itself."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings

from gongzhi.notify.models import EventType

# event: (subject, body). Parameters: number, title, estate, unit, due, link, state,
# meeting, starts, place, text.
TEMPLATES: dict[str, tuple[str, str]] = {
    EventType.RECEIVED: (
        "诉求已受理",
        "您反映的“{title}”已受理，编号{number}。查看进度、评价：{link}",
    ),
    EventType.DISPATCHED: ("新派单", "【新派单】{number} {estate}：{title}，请在{due}前签收。"),
    EventType.TRANSFERRED: ("转办件", "【转办件】{number} {estate}：{title}，请立即处理。"),
    EventType.WARNING: ("临期预警", "【临期预警】{number} {estate}：{title}，时限{due}。"),
    EventType.OVERDUE: ("超时督办", "【超时督办】{number} {estate}：{title}，已超过办理时限。"),
    EventType.ESCALATED: ("下级上报", "【下级上报】{number} {estate}：{title}，请研究处理。"),
    EventType.CASE_UPDATE: ("案件动态", "【案件动态】{number} {estate}：{text}"),
    EventType.FEEDBACK_READY: (
        "办理结果已反馈",
        "您反映的诉求{number}已办结，办理结果已反馈，请查看并评价：{link}",
    ),
    EventType.RATE_CASE: ("请评价", "您反映的诉求{number}尚未评价，请查看办理结果并评价：{link}"),
    EventType.CIRCULAR: ("通报", "【通报】{text}"),
    EventType.MEETING_NOTICE: ("会议通知", "【会议通知】{meeting}，{starts}，地点：{place}。"),
    EventType.DECISION_DUE: ("议定事项督办", "【议定事项】{text}"),
}


def render(event: str, params: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of ``event`` with ``params`` (a missing one is empty)."""
    subject, body = TEMPLATES[event]
    values: defaultdict[str, str] = defaultdict(str, {k: str(v) for k, v in params.items()})
    return subject, body.format_map(values)


def sms_template_id(event: str) -> str:
    """The gateway's template id of ``event`` (GONGZHI_SMS_TEMPLATES), or ""."""
    found: dict[str, str] = getattr(settings, "GONGZHI_SMS_TEMPLATES", {}) or {}
    return str(found.get(event, ""))
