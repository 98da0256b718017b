"""Subscriptions (an integration's URL, secret and event types), deliveries (one per
subscription and case event, with its frozen body) and attempts (the delivery log)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import CaseEvent
from gongzhi.common.models import ApiToken


class Subscription(models.Model):
    """An integration (its API token; the events reach it only for cases the token's
    account may read) subscribed to some event types at one URL."""

    name = models.CharField(_("名称"), max_length=100)
    token = models.ForeignKey(
        ApiToken, verbose_name=_("接口令牌"), on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("推送地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=64)
    events = models.JSONField(_("事件类型"), default=list)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推送订阅")
        verbose_name_plural = _("推送订阅")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待投递")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("投递失败")

    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("推送订阅"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.ForeignKey(
        CaseEvent, verbose_name=_("案件事件"), on_delete=models.PROTECT, related_name="+"
    )
    event_type = models.CharField(_("事件类型"), max_length=40)
    body = models.TextField(_("推送内容"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(state="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription}"


class Attempt(models.Model):
    """One try of a delivery: what the receiver answered, or why it could not."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("推送记录"), on_delete=models.CASCADE, related_name="log"
    )
    at = models.DateTimeField(_("时间"))
    status_code = models.PositiveSmallIntegerField(_("HTTP 状态"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    replay = models.BooleanField(_("手动重发"), default=False)

    class Meta:
        verbose_name = _("投递尝试")
        verbose_name_plural = _("投递尝试")
        ordering = ["delivery", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"
