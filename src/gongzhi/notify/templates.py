"""The text of each kind of message. SMS gateways in China send only templates approved
in advance: the gateway gets the template id of the event (GONGZHI_SMS_TEMPLATES) and
the parameters, and the text below is what the approved template should read. Robots,
e-mail and the outbox page use the text itself."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongzhi.notify.models import EventType

# event: (subject, body). Parameters: number, title, estate, unit, due, link, state,
# meeting, starts, place, text.
TEMPLATES: dict[str, tuple[Promise, Promise]] = {
    EventType.RECEIVED: (
        _("诉求已受理"),
        _("您反映的“{title}”已受理，编号{number}。查看进度、评价：{link}"),
    ),
    EventType.DISPATCHED: (
        _("新派单"),
        _("【新派单】{number} {estate}：{title}，请在{due}前签收。"),
    ),
    EventType.TRANSFERRED: (_("转办件"), _("【转办件】{number} {estate}：{title}，请立即处理。")),
    EventType.WARNING: (_("临期预警"), _("【临期预警】{number} {estate}：{title}，时限{due}。")),
    EventType.OVERDUE: (
        _("超时督办"),
        _("【超时督办】{number} {estate}：{title}，已超过办理时限。"),
    ),
    EventType.ESCALATED: (_("下级上报"), _("【下级上报】{number} {estate}：{title}，请研究处理。")),
    EventType.CASE_UPDATE: (_("案件动态"), _("【案件动态】{number} {estate}：{text}")),
    EventType.FEEDBACK_READY: (
        _("办理结果已反馈"),
        _("您反映的诉求{number}已办结，办理结果已反馈，请查看并评价：{link}"),
    ),
    EventType.RATE_CASE: (
        _("请评价"),
        _("您反映的诉求{number}尚未评价，请查看办理结果并评价：{link}"),
    ),
    EventType.CIRCULAR: (_("通报"), _("【通报】{text}")),
    EventType.MEETING_NOTICE: (
        _("会议通知"),
        _("【会议通知】{meeting}，{starts}，地点：{place}。"),
    ),
    EventType.DECISION_DUE: (_("议定事项督办"), _("【议定事项】{text}")),
    EventType.VERIFY_CODE: (
        _("短信验证码"),
        _("您正在参加“{text}”，验证码{code}，10分钟内有效。如非本人操作请忽略。"),
    ),
    EventType.INCIDENT_RESTORED: (
        _("停水停电已恢复"),
        _("【恢复通知】您反映的诉求{number}：{text}。查看进度：{link}"),
    ),
    EventType.OUTAGE_TASK: (
        _("突发停水停电配合任务"),
        _("【配合抢修】{unit}：{title}，{estate}，预计{due}恢复。请配合：{text}。详情：{link}"),
    ),
    EventType.OUTAGE_OVERDUE: (
        _("超过预计恢复时间"),
        _(
            "【超时未恢复】{title}（{estate}）预计{due}恢复，现仍未恢复，请发布抢修进展。详情：{link}"
        ),
    ),
    EventType.REPORT_FILED: (
        _("小区重大事项报告"),
        _("【小区报告】{estate}：{text}，报告单位{unit}。请签收，并于{due}前反馈。详情：{link}"),
    ),
}


def render(event: str, params: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of ``event`` with ``params`` (a missing one is empty)."""
    subject, body = TEMPLATES[event]
    values: defaultdict[str, str] = defaultdict(str, {k: str(v) for k, v in params.items()})
    return str(subject), str(body).format_map(values)


def sms_template_id(event: str) -> str:
    """The gateway's template id of ``event`` (GONGZHI_SMS_TEMPLATES), or ""."""
    found: dict[str, str] = getattr(settings, "GONGZHI_SMS_TEMPLATES", {}) or {}
    return str(found.get(event, ""))
