"""The unit assessment (考核, 001 五(二); 004 四): a plan per jurisdiction and year with its
checklist (items, weights, how each is measured), the office's manual scores with their
evidence, and, once the office submits the plan, the results frozen row by row so that
what the convener approves is what the organisation department receives, whatever the
events recorded afterwards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.common.models import BaseModel


class AssessmentPlan(BaseModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("编制中")
        SUBMITTED = "submitted", _("已报审")
        APPROVED = "approved", _("已审定")

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("辖区"),
        on_delete=models.PROTECT,
        related_name="assessment_plans",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    # The unit kind groups assessed (org.UnitKind.Group): member units, streets, communities.
    unit_groups = models.JSONField(_("考核单位类别"), default=list)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(_("版本"), default=1)
    submitted_at = models.DateTimeField(_("报审时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报审人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("成员单位考核")
        verbose_name_plural = _("成员单位考核")
        ordering = ["-year", "jurisdiction"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="assessment_plan_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def frozen(self) -> bool:
        return self.state != self.State.DRAFT


class AssessmentItem(BaseModel):
    """One line of the checklist and its score standard."""

    class Measure(models.TextChoices):
        RESPONSE_RATE = "response_rate", _("响应率（按时签收）")
        RESOLVE_RATE = "resolve_rate", _("解决率（办结）")
        SATISFACTION_RATE = "satisfaction_rate", _("满意率")
        OVERDUE = "overdue", _("拖延不办（每次扣分）")
        BUCK_PASSING = "buck_passing", _("推诿扯皮（每次扣分）")
        ATTENDANCE = "attendance", _("联席会议出席率")
        DECISIONS = "decisions", _("议定事项按期落实率")
        REPORTS_ANSWERED = "reports_answered", _("重大事项报告按期反馈率")
        REPORTS_FILED = "reports_filed", _("重大事项报告报送（每件加分）")
        MANUAL = "manual", _("人工评分（附佐证）")

    plan = models.ForeignKey(
        AssessmentPlan, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="items"
    )
    sort = models.PositiveSmallIntegerField(_("序号"))
    code = models.SlugField(_("编码"), max_length=40)
    label = models.CharField(_("考核内容"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("分值"))
    measure = models.CharField(_("计分方式"), max_length=20, choices=Measure.choices)
    per = models.DecimalField(_("每次分值"), max_digits=5, decimal_places=1, default=1)
    source = models.CharField(_("依据"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("考核项目")
        verbose_name_plural = _("考核项目")
        ordering = ["plan", "sort"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sort"], name="assessment_item_unique_sort"),
            models.UniqueConstraint(fields=["plan", "code"], name="assessment_item_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.weight}）"


class ManualScore(BaseModel):
    """The office's score of one unit on one manual item, with its evidence."""

    item = models.ForeignKey(
        AssessmentItem,
        verbose_name=_("考核项目"),
        on_delete=models.CASCADE,
        related_name="manual_scores",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    note = models.TextField(_("评分依据"))
    evidence = models.FileField(_("佐证材料"), upload_to="appraisal/evidence/%Y/", blank=True)
    evidence_type = models.CharField(_("佐证类型"), max_length=40, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评分人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        ordering = ["item", "unit"]
        constraints = [models.UniqueConstraint(fields=["item", "unit"], name="manual_score_unique")]

    def __str__(self) -> str:
        return f"{self.item.label} {self.unit_id}: {self.points}"


class AssessmentResult(models.Model):
    """One unit's result, frozen when the plan is submitted (and kept when approved)."""

    plan = models.ForeignKey(
        AssessmentPlan, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="results"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    scores = models.JSONField(_("各项得分"), default=dict)
    figures = models.JSONField(_("计分依据"), default=dict)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=1)
    rank = models.PositiveIntegerField(_("名次"))
    remarks = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["plan", "rank", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="assessment_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.total}"
