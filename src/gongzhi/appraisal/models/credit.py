"""Credit records of property companies and the red/black list (001 三(三), 001 四(一),
003 二(七)(十三)). The rules are data (``CreditPolicy`` and its ``CreditRule`` rows, loaded
from data/credit_rules.yaml); a score is never stored: it is recomputed from the records
(selectors.py). What is stored is what happened: the facts, the objections and the
office's rulings, and the standings decided when a period is closed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.common.models import BaseModel


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("季度")
    HALF = "half", _("半年")
    YEAR = "year", _("年度")


class CreditPolicy(BaseModel):
    """The credit rules of one jurisdiction and everything below it."""

    jurisdiction = models.OneToOneField(
        "org.Jurisdiction",
        verbose_name=_("辖区"),
        on_delete=models.CASCADE,
        related_name="credit_policy",
    )
    name = models.CharField(_("名称"), max_length=100)
    period = models.CharField(
        _("考评周期"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    base_score = models.IntegerField(_("基础分"), default=100)
    subject_kinds = models.JSONField(_("考评对象类型"), default=list, blank=True)
    # The red/black list: 0 means the jurisdiction publishes a ranking but no list.
    list_size = models.PositiveSmallIntegerField(_("红黑榜名额"), default=0)
    streak = models.PositiveSmallIntegerField(_("连续次数"), default=3)
    reward_amount = models.PositiveIntegerField(_("奖励金额（元）"), default=0)
    bar_days = models.PositiveIntegerField(_("禁止投标天数"), default=0)
    source = models.CharField(_("出处"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("信用考评规则")
        verbose_name_plural = _("信用考评规则")
        ordering = ["jurisdiction__path"]

    def __str__(self) -> str:
        return self.name


class CreditRule(BaseModel):
    """One kind of fact that counts: its points, cap per period and how long it counts."""

    class Origin(models.TextChoices):
        COLLECTED = "collected", _("系统采集")
        MANUAL = "manual", _("人工录入")

    policy = models.ForeignKey(
        CreditPolicy, verbose_name=_("规则"), on_delete=models.CASCADE, related_name="rules"
    )
    code = models.SlugField(_("编码"), max_length=40)
    label = models.CharField(_("名称"), max_length=60)
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices)
    points = models.IntegerField(_("分值"))
    cap = models.PositiveIntegerField(
        _("每期上限"), null=True, blank=True, help_text=_("本项每期计分绝对值的上限，空为不限")
    )
    expiry_days = models.PositiveIntegerField(
        _("有效天数"), null=True, blank=True, help_text=_("空：只计入发生的那一期")
    )
    source = models.CharField(_("出处"), max_length=200, blank=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("信用计分项")
        verbose_name_plural = _("信用计分项")
        ordering = ["policy", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "code"], name="credit_rule_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.points:+d}）"


class CreditRecord(BaseModel):
    """One fact about a company (and its project manager where known), with its points as
    the rule gave them when it was recorded."""

    class State(models.TextChoices):
        ACTIVE = "active", _("有效")
        WITHDRAWN = "withdrawn", _("已撤销")

    company = models.ForeignKey(
        "org.Unit", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="credit_records"
    )
    manager = models.ForeignKey(
        "org.Person",
        verbose_name=_("项目负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    rule = models.ForeignKey(
        CreditRule, verbose_name=_("计分项"), on_delete=models.PROTECT, related_name="records"
    )
    points = models.IntegerField(_("分值"))
    occurred_on = models.DateField(_("发生日期"))
    # The first day the record no longer counts.
    expires_on = models.DateField(_("失效日期"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.ACTIVE)
    version = models.PositiveIntegerField(_("版本"), default=1)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    accountability = models.ForeignKey(
        "cases.Accountability",
        verbose_name=_("责任记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    source_ref = models.CharField(
        _("依据"), max_length=200, blank=True, help_text=_("如处罚决定书文号、会议纪要、培训通知")
    )
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the fact is about, so that collecting twice records it once.
    key = models.CharField(_("唯一键"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["company", "occurred_on"], name="credit_company_idx"),
            models.Index(fields=["occurred_on", "expires_on"], name="credit_span_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.rule.label} {self.points:+d}"


class CreditObjection(BaseModel):
    """A company's objection to one of its records; the office rules on it."""

    class State(models.TextChoices):
        PENDING = "pending", _("待裁定")
        UPHELD = "upheld", _("异议成立")
        REJECTED = "rejected", _("异议驳回")

    record = models.ForeignKey(
        CreditRecord,
        verbose_name=_("信用记录"),
        on_delete=models.CASCADE,
        related_name="objections",
    )
    reason = models.TextField(_("异议理由"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("裁定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField(_("裁定理由"), blank=True)
    decided_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("信用异议")
        verbose_name_plural = _("信用异议")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(state="pending"),
                name="credit_objection_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record} {self.get_state_display()}"


class CreditPeriodClose(BaseModel):
    """The office closed a rating period of a jurisdiction: the ranking is published and
    the standings it earned were decided."""

    policy = models.ForeignKey(
        CreditPolicy, verbose_name=_("规则"), on_delete=models.CASCADE, related_name="closes"
    )
    period = models.CharField(_("考评期"), max_length=8)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结算人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("考评期结算")
        verbose_name_plural = _("考评期结算")
        ordering = ["policy", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "period"], name="credit_close_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.period}"


class CreditStanding(BaseModel):
    """What a company earned by its ranks: a proposed reward, or a bar from tendering
    with its start and end dates (001 三(三))."""

    class Kind(models.TextChoices):
        REWARD = "reward", _("拟奖励")
        BAR = "bar", _("禁止参与招投标")

    company = models.ForeignKey(
        "org.Unit",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="credit_standings",
    )
    close = models.ForeignKey(
        CreditPeriodClose,
        verbose_name=_("结算"),
        on_delete=models.CASCADE,
        related_name="standings",
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    periods = models.JSONField(_("依据考评期"), default=list)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    amount = models.PositiveIntegerField(_("奖励金额（元）"), default=0)
    exposed = models.BooleanField(_("予以曝光"), default=False)

    class Meta:
        verbose_name = _("企业信用结果")
        verbose_name_plural = _("企业信用结果")
        ordering = ["-starts_on", "company"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "close", "kind"], name="credit_standing_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.get_kind_display()} {self.starts_on}–{self.ends_on}"
