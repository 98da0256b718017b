"""The 群众满意单位 social rating (004 四(二)) and the yearly lists of proposed awards
(评先创优, 004 四(三)) and accountability cases (004 四(一)) for the leaders to decide.

A satisfaction period belongs to a jurisdiction; residents rate the units of its area
through their case ratings and, optionally, a public survey: one vote per phone number
per period (a unique constraint on the salted hash of the number; the number itself is
never stored here), verified by a one-time SMS code."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.common.models import BaseModel


class SatisfactionPeriod(BaseModel):
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("辖区"),
        on_delete=models.PROTECT,
        related_name="satisfaction_periods",
    )
    title = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    survey = models.BooleanField(_("开展网上问卷"), default=True)
    # Weight of the case ratings in the result (0–100); the survey has the rest.
    case_weight = models.PositiveSmallIntegerField(_("办件评价权重"), default=50)
    min_ratings = models.PositiveSmallIntegerField(_("参与排名的最少评价数"), default=3)
    # The salt of this period's phone hashes: a number's hash differs between periods.
    salt = models.CharField(_("盐值"), max_length=32, editable=False)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("群众满意单位评议")
        verbose_name_plural = _("群众满意单位评议")
        ordering = ["-starts_on", "jurisdiction"]

    def __str__(self) -> str:
        return self.title


class SurveyCode(models.Model):
    """A one-time SMS code sent to a phone for a period; only hashes are kept."""

    # When it was sent (the services' clock, so the per-number limits can be tested).
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now, db_index=True)
    period = models.ForeignKey(
        SatisfactionPeriod, verbose_name=_("评议"), on_delete=models.CASCADE, related_name="+"
    )
    phone_hash = models.CharField(_("号码摘要"), max_length=64)
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    expires_at = models.DateTimeField(_("失效时间"))
    tries = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("问卷验证码")
        verbose_name_plural = _("问卷验证码")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["period", "phone_hash"], name="survey_code_phone_idx")]

    def __str__(self) -> str:
        return f"{self.period_id}:{self.phone_hash[:8]}"


class SurveyVote(BaseModel):
    period = models.ForeignKey(
        SatisfactionPeriod, verbose_name=_("评议"), on_delete=models.CASCADE, related_name="votes"
    )
    phone_hash = models.CharField(_("号码摘要"), max_length=64)

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")
        ordering = ["period", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["period", "phone_hash"], name="survey_one_vote")
        ]

    def __str__(self) -> str:
        return f"{self.period_id}:{self.pk}"


class SurveyRating(models.Model):
    class Value(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    vote = models.ForeignKey(
        SurveyVote, verbose_name=_("答卷"), on_delete=models.CASCADE, related_name="ratings"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.CharField(_("评价"), max_length=12, choices=Value.choices)

    class Meta:
        verbose_name = _("问卷评价")
        verbose_name_plural = _("问卷评价")
        ordering = ["vote", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "unit"], name="survey_rating_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.value}"


class Proposal(BaseModel):
    """A proposed commendation or accountability case of a year, with its evidence,
    until the leaders adopt or reject it."""

    class Kind(models.TextChoices):
        AWARD = "award", _("拟表彰")
        ACCOUNTABILITY = "accountability", _("拟追责")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("待决定")
        ADOPTED = "adopted", _("采纳")
        REJECTED = "rejected", _("不采纳")

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    basis = models.CharField(_("依据"), max_length=200)
    # [{"label": ..., "url": ...}]: the records the proposal rests on.
    evidence = models.JSONField(_("佐证"), default=list, blank=True)
    # What it is generated from, so a second run adds nothing.
    key = models.CharField(_("唯一键"), max_length=80)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.PROPOSED
    )
    note = models.TextField(_("决定说明"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("评先创优与责任追究建议")
        verbose_name_plural = _("评先创优与责任追究建议")
        ordering = ["jurisdiction", "-year", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "year", "kind", "key"], name="proposal_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit}"
