"""The outbox (one row per message, recipient and channel), its delivery log, the group
robots of units, people's preferences and the addresses that asked for no more messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.common.models import BaseModel


class EventType(models.TextChoices):
    """What a message is about; each has its template (notify/templates.py)."""

    RECEIVED = "received", _("诉求已受理")
    DISPATCHED = "dispatched", _("新派单")
    TRANSFERRED = "transferred", _("转办")
    WARNING = "warning", _("临期预警")
    OVERDUE = "overdue", _("超时")
    ESCALATED = "escalated", _("上报")
    CASE_UPDATE = "case_update", _("案件动态")
    FEEDBACK_READY = "feedback_ready", _("办理结果已反馈")
    RATE_CASE = "rate_case", _("请评价")
    CIRCULAR = "circular", _("通报")
    MEETING_NOTICE = "meeting_notice", _("会议通知")
    DECISION_DUE = "decision_due", _("议定事项督办")
    VERIFY_CODE = "verify_code", _("短信验证码")
    INCIDENT_RESTORED = "incident_restored", _("停水停电已恢复")
    OUTAGE_TASK = "outage_task", _("突发停水停电配合任务")
    OUTAGE_OVERDUE = "outage_overdue", _("停水停电超过预计恢复时间")
    REPORT_FILED = "report_filed", _("小区重大事项报告")


class ChannelKind(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    INBOX = "inbox", _("站内通知")


# Channels that reach a person's phone or mailbox: quiet hours and opt-outs apply.
PERSONAL_CHANNELS = (ChannelKind.SMS, ChannelKind.EMAIL)
ROBOT_CHANNELS = (ChannelKind.WECOM, ChannelKind.DINGTALK)
# Emergencies (004 三(三): 抢险、抢修): quiet hours do not hold these back.
URGENT_EVENTS = frozenset({EventType.OUTAGE_TASK, EventType.OUTAGE_OVERDUE})


class UnitWebhook(BaseModel):
    """A unit's group robot (企业微信/钉钉群机器人): the way Chinese offices already pass
    work around. The URL holds the robot's key: it is never shown outside the admin."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="webhooks"
    )
    kind = models.CharField(
        _("类型"),
        max_length=10,
        choices=[
            (ChannelKind.WECOM, ChannelKind.WECOM.label),
            (ChannelKind.DINGTALK, ChannelKind.DINGTALK.label),
        ],
    )
    name = models.CharField(_("群名称"), max_length=100)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(
        _("加签密钥"),
        max_length=200,
        blank=True,
        help_text=_("钉钉“加签”安全设置的密钥；企业微信留空"),
    )
    events = models.JSONField(
        _("推送事件"), default=list, blank=True, help_text=_("留空推送全部事件")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位群机器人")
        verbose_name_plural = _("单位群机器人")
        ordering = ["unit", "name"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.name}"


class Preference(BaseModel):
    """What a person wants: which channels, and whether quiet hours hold them back."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="notify_preference",
    )
    sms = models.BooleanField(_("接收短信"), default=True)
    email = models.BooleanField(_("接收电子邮件"), default=True)
    quiet_hours = models.BooleanField(_("夜间免打扰"), default=True)
    muted_events = models.JSONField(_("不接收的事件"), default=list, blank=True)

    class Meta:
        verbose_name = _("消息偏好")
        verbose_name_plural = _("消息偏好")
        ordering = ["user"]

    def __str__(self) -> str:
        return str(self.user)


class OptOut(BaseModel):
    """An address (a phone number or an e-mail) that asked for no more messages."""

    channel = models.CharField(_("渠道"), max_length=10, choices=ChannelKind.choices)
    address = models.CharField(_("地址"), max_length=254)
    source = models.CharField(_("来源"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("退订")
        verbose_name_plural = _("退订")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="notify_optout_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address}"


class Message(models.Model):
    """One message to one recipient through one channel. Queued in the transaction of the
    write it tells of; delivered after the commit, retried with back-off until it is sent
    or has failed GONGZHI_NOTIFY_MAX_ATTEMPTS times."""

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SUPPRESSED = "suppressed", _("未发送（已退订或关闭）")

    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    event = models.CharField(_("事件"), max_length=20, choices=EventType.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=ChannelKind.choices)
    # The phone number or e-mail address; empty for robots (their URL is the webhook's).
    address = models.CharField(_("地址"), max_length=254, blank=True)
    # Who it goes to, as the outbox page shows it (a phone masked, a group's name).
    label = models.CharField(_("收件人"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    webhook = models.ForeignKey(
        UnitWebhook,
        verbose_name=_("群机器人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    template_id = models.CharField(_("短信模板"), max_length=64, blank=True)
    params = models.JSONField(_("模板参数"), default=dict, blank=True)
    # What it is about ("cases.case:370829-2026-000001") and where (the area path the
    # outbox page is scoped by).
    target = models.CharField(_("对象"), max_length=100, blank=True, db_index=True)
    area_path = models.CharField(_("区域路径"), max_length=255, blank=True, db_index=True)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    provider_id = models.CharField(_("服务商回执"), max_length=100, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("消息发件箱")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notify_msg_due_idx",
                condition=Q(state__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.label}"


class Attempt(models.Model):
    """The delivery log: one row per try, append-only."""

    message = models.ForeignKey(
        Message, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="log"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    ok = models.BooleanField(_("成功"))
    status = models.IntegerField(_("状态码"), null=True, blank=True)
    detail = models.CharField(_("结果"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["message", "id"]

    def __str__(self) -> str:
        return f"{self.message_id} {'ok' if self.ok else 'fail'}"
